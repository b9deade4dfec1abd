"""Council sessions, and the quotas applied when a session closes."""

from __future__ import annotations

from thidua_contracts.commands import CloseSession, OpenSession
from thidua_contracts.events import (
    AwardProposed,
    CouncilSessionClosed,
    CouncilSessionOpened,
    EventPayload,
    HeadcountRecorded,
    PriorAwardRecorded,
)
from thidua_kit.definitions import definition_of
from thidua_kit.envelopes import computed_event
from thidua_kit.host import Context, parse_payload
from thidua_kit.log import StoredEvent

from ..domain import council, nomination, quota
from .movement import _movement_pack, _pack
from .views import (
    NOMINATION,
    ProposalView,
    _append_human,
    _EventList,
    _nomination_events,
    _seen,
    _Session,
    _Title,
    _views,
)


def _index_session(ctx: Context, item: StoredEvent, payload: EventPayload) -> None:
    m = item.envelope.movement_id
    if isinstance(payload, CouncilSessionOpened):
        key = f"{m}/{payload.session_id}"
        if ctx.store.get("session", key, _Session)[0] is None:
            ctx.store.put("session", key, _Session(opened=payload), item.sequence)
        return
    assert isinstance(payload, CouncilSessionClosed)
    key = f"{m}/{payload.session_id}"
    held = ctx.store.get("session", key, _Session)[0]
    if held is None:
        raise LookupError(f"closing unknown session {payload.session_id}")
    ctx.store.put(
        "session", key, held.model_copy(update={"closed_on": payload.closed_on}), item.sequence
    )


async def open_session(command: OpenSession, ctx: Context) -> list[StoredEvent]:
    _movement_pack(ctx, command.movement_id)
    key = f"{command.movement_id}/{command.session_id}"
    payload = council.decide_open(command, ctx.store.get("session", key, _Session)[0] is not None)
    subject = ctx.subject("session", command.movement_id, command.session_id)
    stored = await _append_human(ctx, command, subject, payload)
    _index_session(ctx, stored[0], payload)
    return stored


async def close_session(command: CloseSession, ctx: Context) -> list[StoredEvent]:
    key = f"{command.movement_id}/{command.session_id}"
    held = ctx.store.get("session", key, _Session)[0]
    payload = council.decide_close(command, held.domain() if held else None)
    subject = ctx.subject("session", command.movement_id, command.session_id)
    # The quotas follow on the consumer path, so a crash after closing never skips them.
    stored = await _append_human(ctx, command, subject, payload)
    _index_session(ctx, stored[0], payload)
    return stored


async def _apply_quotas(item: StoredEvent, closed: CouncilSessionClosed, ctx: Context) -> None:
    """When the session closes, those who passed a form with a quota are ranked (votes, then
    the women's priority) and the ones beyond it excluded, each with its rank and the quota."""
    m = item.envelope.movement_id
    pack, ref = _pack(ctx, m)
    movement = _seen(ctx, "movement", m)
    if movement is None:
        return
    definition = definition_of(movement)
    heads = _headcounts(ctx, m)
    by_award: dict[str, list[tuple[ProposalView, nomination.NominationState]]] = {}
    for view in _views(ctx.store, m, item.sequence):
        state, _ = NOMINATION.load(
            ctx.store, ctx.subject("nomination", m, view.envelope.payload["proposal_id"])
        )
        o = state.outcome
        code = view.envelope.payload["award_code"]
        rule = pack.awards.get(code)
        if (
            rule
            and rule.quota
            and o
            and o.passed
            and o.session_id == closed.session_id
            and state.excluded is None
        ):
            by_award.setdefault(code, []).append((view, state))
    index = 0
    for code, entries in sorted(by_award.items()):
        rule = pack.awards[code]
        assert rule.quota is not None
        q = rule.quota
        titles = _all_titles(ctx, m)
        passed, basis = [], {}
        for view, state in entries:
            p = AwardProposed.model_validate(view.envelope.payload)
            unit = definition.unit(p.unit_id)
            group = {
                "unit": p.unit_id,
                "block": unit.block_id if unit else p.unit_id,
                "movement": m,
            }[q.per]
            person = definition.person(p.subject_id) if p.subject_kind == "ca_nhan" else None
            hc = heads.get((p.subject_id, p.year))
            priority = quota.has_priority(
                person.sex if person else None,
                hc[1] if hc else None,
                hc[0] if hc else None,
                pack.women_priority_share,
            )
            assert state.outcome is not None
            # Named as the reason shows it; an id the definition does not know stays an id.
            named = {
                "unit": unit.name if unit else group,
                "block": next((b.name for b in definition.blocks if b.block_id == group), group),
                "movement": definition.name,
            }[q.per]
            passed.append(
                quota.Passed(p.proposal_id, group, state.outcome.yes_total, priority, named)
            )
            if q.of == "ldtt_titles":
                units = {u.unit_id for u in definition.units if group in (u.unit_id, u.block_id, m)}
                basis[group] = sum(
                    1
                    for person_ in definition.persons
                    if person_.unit_id in units and (person_.person_id, p.year, "LDTT") in titles
                )
            elif q.of == "passed":
                basis[group] = sum(
                    1
                    for v in _views(ctx.store, m, item.sequence)
                    if v.envelope.payload["award_code"] == q.of_award
                    and NOMINATION.load(
                        ctx.store, ctx.subject("nomination", m, v.envelope.payload["proposal_id"])
                    )[0].passed
                )
        for excluded in quota.apply(passed, q, basis, code, closed.session_id, closed.closed_on):
            subject = ctx.subject("nomination", m, excluded.proposal_id)
            index += 1
            event = computed_event(
                item.envelope,
                index,
                subject,
                excluded,
                [item, *_nomination_events(ctx, subject)],
                ref,
                excluded.proposal_id,
            )
            await NOMINATION.append(ctx.store, ctx.log, subject, [event], parse_payload)


def _all_titles(ctx: Context, m: str) -> frozenset[tuple[str, int, str]]:
    """Everyone's titles: prior awards from the records and the awards issued, unless revoked."""
    legacy = ctx.store.get("records", m, _EventList)[0]
    kept = ctx.store.get("prior-awards-of", m, _EventList)[0]
    titles = {
        (
            i.envelope.payload["subject_id"],
            i.envelope.payload["year"],
            i.envelope.payload["award_code"],
        )
        for i in [*(legacy.items if legacy else []), *(kept.items if kept else [])]
        if i.envelope.type == PriorAwardRecorded.TYPE
    }
    for _key, award, _seq in ctx.store.all("title", _Title):
        if not award.revoked:
            titles.add((award.subject_id, award.year, award.award_code))
    return frozenset(titles)


def _headcounts(ctx: Context, m: str) -> dict[tuple[str, int], tuple[int, int]]:
    legacy = ctx.store.get("records", m, _EventList)[0]
    kept = ctx.store.get("headcounts-of", m, _EventList)[0]
    found: dict[tuple[str, int], tuple[int, int]] = {}
    items = [*(legacy.items if legacy else []), *(kept.items if kept else [])]
    for item in sorted(items, key=lambda i: i.sequence):
        if item.envelope.type == HeadcountRecorded.TYPE:
            d = item.envelope.payload
            found[(d["unit_id"], d["year"])] = (d["headcount"], d["women"])
    return found

"""Council tallies, their outcomes, and the city's signed decisions with their awards."""

from __future__ import annotations

from thidua_contracts.commands import RecordTally, SignDecision
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import (
    AwardIssued,
    AwardProposed,
    BallotTallied,
    DecisionSigned,
    EventPayload,
)
from thidua_contracts.ids import derived_id
from thidua_kit.definitions import definition_of
from thidua_kit.envelopes import computed_event, human_event
from thidua_kit.host import Context, parse_payload
from thidua_kit.log import StoredEvent

from ..domain import ballot, council, decision, fund, nomination
from .movement import _pack
from .views import (
    DECISION,
    NOMINATION,
    ProposalView,
    _EventList,
    _nomination_events,
    _note,
    _notice_of,
    _proposal,
    _seen,
    _Session,
    _Title,
)


async def record_tally(command: RecordTally, ctx: Context) -> list[StoredEvent]:
    view = _proposal(ctx, command.proposal_id, "proposal_id")
    if view.envelope.movement_id != command.movement_id:
        raise Rejected(ErrorCode.UNKNOWN_PROPOSAL, "proposal_id", "not in this movement")
    subject = ctx.subject("nomination", command.movement_id, command.proposal_id)
    state, _ = NOMINATION.load(ctx.store, subject)
    tally = ballot.decide_tally(command, state)
    pack, _ref = _pack(ctx, command.movement_id)
    rule = pack.awards.get(view.envelope.payload["award_code"])
    if rule is not None:
        session = ctx.store.get("session", f"{command.movement_id}/{command.session_id}", _Session)
        held = _notice_of(ctx.store, command.proposal_id)
        council.check_tally(
            command,
            council.Gate(
                rule=rule,
                session=session[0].domain() if session[0] else None,
                notice=held.status() if held else None,
                proposal_id=command.proposal_id,
                excluded=state.excluded.reason_code if state.excluded else None,
            ),
        )
    # The outcome follows from the tally on the consumer path, so a crash between the two
    # can never leave a tally without its outcome.
    return await NOMINATION.append(
        ctx.store,
        ctx.log,
        subject,
        [human_event(command, subject, tally, ctx.now, command.proposal_id)],
        parse_payload,
    )


async def _decide_outcome(item: StoredEvent, tally: BallotTallied, ctx: Context) -> None:
    subject = item.envelope.subject
    state, _ = NOMINATION.load(ctx.store, subject)
    if state.tally_event_id != item.envelope.event_id or state.outcome is not None:
        return  # a later tally superseded this one, or its outcome is already recorded
    view = ctx.store.get("proposal", tally.proposal_id, ProposalView)[0]
    if view is None:
        raise LookupError(f"tally for unknown proposal {tally.proposal_id}")
    pack, ref = _pack(ctx, item.envelope.movement_id)
    outcome = ballot.decide_outcome(tally, view.envelope.payload["award_code"], pack)
    event = computed_event(item.envelope, 0, subject, outcome, [item], ref)
    _note(ctx, await NOMINATION.append(ctx.store, ctx.log, subject, [event], parse_payload))


async def sign_decision(command: SignDecision, ctx: Context) -> list[StoredEvent]:
    if _seen(ctx, "movement", command.movement_id) is None:
        raise Rejected(ErrorCode.UNKNOWN_MOVEMENT, "movement_id", command.movement_id)
    pack, _ref = _pack(ctx, command.movement_id)
    candidates = _candidates(ctx, command.movement_id, list(command.proposal_ids))
    number_key = _number_key(command.movement_id, command.signed_on.year, command.number)
    taken = ctx.store.get("decision-number", number_key, StoredEvent)[0] is not None
    signed = decision.decide_sign(command, candidates, taken, pack)
    subject = ctx.subject("decision", command.movement_id, command.decision_id)
    stored = await DECISION.append(
        ctx.store,
        ctx.log,
        subject,
        [human_event(command, subject, signed, ctx.now)],
        parse_payload,
    )
    _index_decision(ctx, stored[0], signed)
    return stored


async def _issue_awards(item: StoredEvent, signed: DecisionSigned, ctx: Context) -> int:
    """One AwardIssued per recipient of a signed decision, each resting on its nomination, and
    a flag when the prizes would overdraw the city's award fund. Returns the prizes' total."""
    subject = item.envelope.subject
    state, _ = DECISION.load(ctx.store, subject)
    movement = _seen(ctx, "movement", item.envelope.movement_id)
    if movement is None:
        raise LookupError(f"decision in unknown movement {item.envelope.movement_id}")
    definition = definition_of(movement)
    pack, ref = _pack(ctx, item.envelope.movement_id)
    awards = []
    issued_list = []
    for i, proposal_id in enumerate(signed.proposal_ids, start=1):
        view = ctx.store.get("proposal", proposal_id, ProposalView)[0]
        if view is None:
            raise LookupError(f"decision names unknown proposal {proposal_id}")
        proposal = AwardProposed.model_validate(view.envelope.payload)
        held = _titles_paid(ctx, item.envelope.movement_id, proposal, item.sequence)
        issued = decision.issue_award(
            derived_id(item.envelope.event_id, i),
            signed,
            proposal,
            definition,
            pack,
            [AwardIssued.model_validate(h.envelope.payload) for h in held],
        )
        issued_list.append(issued)
        nomination_subject = ctx.subject("nomination", item.envelope.movement_id, proposal_id)
        awards.append(
            computed_event(
                item.envelope,
                i,
                subject,
                issued,
                [
                    item,
                    view.event,
                    *_nomination_events(ctx, nomination_subject),
                    *_deducted(held, issued),
                ],
                ref,
                correlation_id=proposal_id,
            )
        )
    needed = sum(a.prize_vnd for a in issued_list)
    if state.awards:
        return needed  # issued already (this is a redelivery)
    key = f"{item.envelope.movement_id}/cap_huyen"
    balance = ctx.store.get("fund", key, fund.FundState)[0]
    flag = fund.overdraw(signed.decision_id, "cap_huyen", balance or fund.FundState(), needed)
    if flag is not None:
        awards.append(computed_event(item.envelope, len(awards) + 1, subject, flag, [item], ref))
    for stored in await DECISION.append(ctx.store, ctx.log, subject, awards, parse_payload):
        _index_decision(ctx, stored, parse_payload(stored.envelope))
    return needed


def _index_decision(ctx: Context, item: StoredEvent, payload: EventPayload) -> None:
    """Look-ups the writer and the consumer both keep: numbers used, proposals awarded."""
    if isinstance(payload, DecisionSigned):
        key = _number_key(item.envelope.movement_id, payload.signed_on.year, payload.number)
        ctx.store.put(
            "decision-number",
            key,
            item,
            item.sequence,
        )
    elif isinstance(payload, AwardIssued):
        ctx.store.put("awarded", payload.proposal_id, payload, item.sequence)
        view = ctx.store.get("proposal", payload.proposal_id, ProposalView)[0]
        if view is not None:
            title = _Title(
                subject_id=payload.recipient_id,
                year=view.envelope.payload["year"],
                award_code=payload.award_code,
                unit_id=payload.unit_id,
            )
            ctx.store.put("title", payload.award_id, title, item.sequence)
            _keep_title_paid(ctx, item, payload, title.year)


def _paid_key(ctx: Context, movement_id: str, code: str, kind: str, who: str, year: int) -> str:
    # "One time" (NĐ91 Điều 66 k2 c) is read as one year's titles paid from one fund.
    rule = _pack(ctx, movement_id)[0].awards.get(code)
    return f"{rule.fund_level if rule else '?'}/{kind}/{who}/{year}"


def _keep_title_paid(ctx: Context, item: StoredEvent, award: AwardIssued, year: int) -> None:
    """Every title issued, by recipient, year and paying fund; forms never count."""
    m = item.envelope.movement_id
    rule = _pack(ctx, m)[0].awards.get(award.award_code)
    if rule is None or rule.kind != "danh_hieu":
        return
    key = _paid_key(ctx, m, award.award_code, award.recipient_kind, award.recipient_id, year)
    kept = ctx.store.get("title-paid", key, _EventList)[0]
    items = list(kept.items) if kept else []
    if any(s.envelope.event_id == item.envelope.event_id for s in items):
        return  # the writer and the consumer both index an award
    ctx.store.put("title-paid", key, _EventList(items=[*items, item]), item.sequence)


def _titles_paid(ctx: Context, m: str, proposal: AwardProposed, before: int) -> list[StoredEvent]:
    """The awards the proposal's subject was issued for its year from the same fund, decided
    before log position `before` and not revoked by then. Both bounds are log positions, so a
    replay of the log reads exactly what the live service read."""
    key = _paid_key(
        ctx, m, proposal.award_code, proposal.subject_kind, proposal.subject_id, proposal.year
    )
    kept = ctx.store.get("title-paid", key, _EventList)[0]
    held = []
    for stored in kept.items if kept else []:
        # An award is decided where its cause (the signed decision, or the higher level's
        # answer) stands in the log, whenever the award itself was appended.
        decided_at = next(
            (
                i.sequence
                for i in stored.envelope.inputs or []
                if i.event_id == stored.envelope.causation_id
            ),
            stored.sequence,
        )
        revoked = ctx.store.get("revoked", stored.envelope.payload["award_id"], StoredEvent)[0]
        if decided_at < before and (revoked is None or revoked.sequence >= before):
            held.append(stored)
    return held


def _deducted(held: list[StoredEvent], issued: AwardIssued) -> list[StoredEvent]:
    """The held awards whose prizes the new one counted: inputs of its decision."""
    counted = {d.award_id for d in issued.prize_deductions}
    return [h for h in held if h.envelope.payload["award_id"] in counted]


def _number_key(movement_id: str, year: int, number: str) -> str:
    # Numbers run per issuer per calendar year (NĐ30 Điều 15).
    return f"{movement_id}/{year}/{number}"


def _candidates(
    ctx: Context, movement_id: str, proposal_ids: list[str]
) -> list[decision.Candidate]:
    found = []
    for i, proposal_id in enumerate(proposal_ids):
        view = _proposal(ctx, proposal_id, f"proposal_ids.{i}")
        subject = ctx.subject("nomination", movement_id, proposal_id)
        if view.envelope.movement_id != movement_id:
            raise Rejected(ErrorCode.UNKNOWN_PROPOSAL, f"proposal_ids.{i}", "not in this movement")
        state = NOMINATION.load(ctx.store, subject)[0]
        found.append(
            decision.Candidate(
                proposal=AwardProposed.model_validate(view.envelope.payload),
                state=state,
                already_awarded=ctx.store.get("awarded", proposal_id, AwardIssued)[0] is not None,
                quota_pending=_quota_pending(ctx, movement_id, view, state),
            )
        )
    return found


def _quota_pending(
    ctx: Context, movement_id: str, view: ProposalView, state: nomination.NominationState
) -> bool:
    """A form with a quota is ranked when its council session closes; not before."""
    rule = _pack(ctx, movement_id)[0].awards.get(view.envelope.payload["award_code"])
    if rule is None or rule.quota is None or state.outcome is None:
        return False
    key = f"{movement_id}/{state.outcome.session_id}"
    session = ctx.store.get("session", key, _Session)[0]
    return session is None or session.closed_on is None

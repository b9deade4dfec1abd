"""The public notice of nominees, objections to it and their resolution."""

from __future__ import annotations

from thidua_contracts.commands import PostNotice, RecordObjection, ResolveObjection
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import EventPayload, NoticePosted, ObjectionRecorded, ObjectionResolved
from thidua_kit.envelopes import computed_event
from thidua_kit.host import Context, parse_payload
from thidua_kit.log import StoredEvent

from ..domain import notice
from .movement import _calendar, _movement_pack, _pack
from .views import NOMINATION, ProposalView, _append_human, _Key, _Notice, _proposal


def _index_notice(ctx: Context, item: StoredEvent, payload: EventPayload) -> None:
    m = item.envelope.movement_id
    if isinstance(payload, NoticePosted):
        key = f"{m}/{payload.notice_id}"
        if ctx.store.get("notice", key, _Notice)[0] is None:
            ctx.store.put("notice", key, _Notice(notice=payload), item.sequence)
        for proposal_id in payload.proposal_ids:
            ctx.store.put("notice-of", proposal_id, _Key(key=key), item.sequence)
        return
    assert isinstance(payload, ObjectionRecorded | ObjectionResolved)
    key = f"{m}/{payload.notice_id}"
    held = ctx.store.get("notice", key, _Notice)[0]
    if held is None:
        raise LookupError(f"objection to unknown notice {payload.notice_id}")
    if isinstance(payload, ObjectionRecorded):
        changed = held.model_copy(
            update={"objections": {**held.objections, payload.objection_id: payload}}
        )
    else:
        changed = held.model_copy(
            update={"resolved": {**held.resolved, payload.objection_id: payload}}
        )
    ctx.store.put("notice", key, changed, item.sequence)


async def _exclude_on_objection(
    item: StoredEvent, resolved: ObjectionResolved, ctx: Context
) -> None:
    m = item.envelope.movement_id
    subject = ctx.subject("nomination", m, resolved.proposal_id)
    state, _ = NOMINATION.load(ctx.store, subject)
    view = ctx.store.get("proposal", resolved.proposal_id, ProposalView)[0]
    if state.excluded is not None or view is None:
        return
    _, ref = _pack(ctx, m)
    excluded = notice.exclusion(resolved, view.envelope.payload["award_code"])
    event = computed_event(item.envelope, 0, subject, excluded, [item], ref, resolved.proposal_id)
    await NOMINATION.append(ctx.store, ctx.log, subject, [event], parse_payload)


async def post_notice(command: PostNotice, ctx: Context) -> list[StoredEvent]:
    pack = _movement_pack(ctx, command.movement_id)
    states = []
    for i, proposal_id in enumerate(command.proposal_ids):
        view = _proposal(ctx, proposal_id, f"proposal_ids.{i}")
        if view.envelope.movement_id != command.movement_id:
            raise Rejected(ErrorCode.UNKNOWN_PROPOSAL, f"proposal_ids.{i}", "not in this movement")
        states.append(
            NOMINATION.load(ctx.store, ctx.subject("nomination", command.movement_id, proposal_id))[
                0
            ]
        )
    noticed = {
        p for p in command.proposal_ids if ctx.store.get("notice-of", p, _Key)[0] is not None
    }
    exists = (
        ctx.store.get("notice", f"{command.movement_id}/{command.notice_id}", _Notice)[0]
        is not None
    )
    payload = notice.decide_post(
        command, states, noticed, exists, _calendar(command.posted_on.year), pack
    )
    subject = ctx.subject("notice", command.movement_id, command.notice_id)
    stored = await _append_human(ctx, command, subject, payload)
    _index_notice(ctx, stored[0], payload)
    return stored


async def record_objection(command: RecordObjection, ctx: Context) -> list[StoredEvent]:
    held = ctx.store.get("notice", f"{command.movement_id}/{command.notice_id}", _Notice)[0]
    payload = notice.decide_objection(command, held.status() if held else None)
    subject = ctx.subject("notice", command.movement_id, command.notice_id)
    stored = await _append_human(ctx, command, subject, payload, command.proposal_id)
    _index_notice(ctx, stored[0], payload)
    return stored


async def resolve_objection(command: ResolveObjection, ctx: Context) -> list[StoredEvent]:
    held = ctx.store.get("notice", f"{command.movement_id}/{command.notice_id}", _Notice)[0]
    payload = notice.decide_resolution(command, held.status() if held else None)
    subject = ctx.subject("notice", command.movement_id, command.notice_id)
    stored = await _append_human(ctx, command, subject, payload, payload.proposal_id)
    _index_notice(ctx, stored[0], payload)
    return stored

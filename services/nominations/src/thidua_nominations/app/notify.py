"""Notifying each nominee of the result, once it is settled."""

from __future__ import annotations

from datetime import date

from thidua_contracts.commands import NotifyResult
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import AwardIssued
from thidua_kit.db import Store
from thidua_kit.envelopes import human_event
from thidua_kit.host import Context, parse_payload
from thidua_kit.log import StoredEvent
from thidua_kit.settings import Settings

from ..domain import notify
from .movement import _calendar, _movement_pack
from .views import NOMINATION, ProposalView, _nomination_subject, _proposal


async def notify_result(command: NotifyResult, ctx: Context) -> list[StoredEvent]:
    pack = _movement_pack(ctx, command.movement_id)
    view = _proposal(ctx, command.proposal_id, "proposal_id")
    if view.envelope.movement_id != command.movement_id:
        raise Rejected(ErrorCode.UNKNOWN_PROPOSAL, "proposal_id", "not in this movement")
    settled = _settled(ctx.store, ctx.settings, view)
    already = ctx.store.get("notified", command.proposal_id, StoredEvent)[0] is not None
    year = settled.on.year if settled else command.notified_on.year
    payload = notify.decide_notify(command, settled, already, _calendar(year), pack)
    subject = ctx.subject("nomination", command.movement_id, command.proposal_id)
    event = human_event(command, subject, payload, ctx.now, command.proposal_id)
    stored = await NOMINATION.append(ctx.store, ctx.log, subject, [event], parse_payload)
    ctx.store.put("notified", command.proposal_id, stored[0], stored[0].sequence)
    return stored


def _settled(store: Store, settings: Settings, view: ProposalView) -> notify.Settled | None:
    pid = view.envelope.payload["proposal_id"]
    award = store.get("awarded", pid, AwardIssued)[0]
    if award is not None:
        return notify.Settled("result", award.signed_on, "", "decision")
    answer = store.get("answer", pid, StoredEvent)[0]
    if answer is not None and answer.envelope.payload["outcome"] == "rejected":
        p = answer.envelope.payload
        return notify.Settled(
            "rejection", date.fromisoformat(p["decided_on"]), p["reason"], "higher_rejected"
        )
    state, _ = NOMINATION.load(store, _nomination_subject(settings, view.envelope.movement_id, pid))
    if state.eligibility is not None and not state.eligibility.eligible and state.eligibility_on:
        reasons = "; ".join(c.detail_vi for c in state.eligibility.checks if not c.passed)
        return notify.Settled("rejection", state.eligibility_on, reasons, "appraisal")
    if state.excluded is not None and state.excluded.reason_code != "quota_tie":
        ex = state.excluded
        return notify.Settled("rejection", ex.decided_on, ex.detail_vi, ex.reason_code)
    if state.outcome is not None and not state.outcome.passed and state.tally_on:
        return notify.Settled("rejection", state.tally_on, state.outcome.reason_vi, "council")
    return None

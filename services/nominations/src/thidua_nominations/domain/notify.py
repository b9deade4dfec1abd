"""Notifying results, and rejections with their reasons, within the working-day limit of
DOMAIN §5.4 (10 working days from the decision, a local parameter of the pack)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from thidua_contracts.commands import NotifyResult
from thidua_contracts.envelope import Role
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import ResultNotified
from thidua_contracts.workdays import WorkCalendar

from .rule_pack import RulePack


@dataclass(frozen=True)
class Settled:
    """Where a nomination ended: awarded (a result to send) or rejected (with the reason)."""

    kind: Literal["result", "rejection"]
    on: date
    reason: str
    step: str


def decide_notify(
    command: NotifyResult,
    settled: Settled | None,
    already: bool,
    calendar: WorkCalendar,
    pack: RulePack,
) -> ResultNotified:
    if command.actor.role not in (Role.PHONG_NOI_VU, Role.CHAIRMAN_OFFICE):
        raise Rejected(ErrorCode.FORBIDDEN, "actor.role", command.actor.role.value)
    if settled is None:
        raise Rejected(ErrorCode.WRONG_STATE, "proposal_id", "nothing decided to notify yet")
    if already:
        raise Rejected(ErrorCode.WRONG_STATE, "proposal_id", "already notified")
    if command.kind != settled.kind:
        raise Rejected(ErrorCode.INVALID_FIELD, "kind", f"the nomination ended in a {settled.kind}")
    if command.kind == "rejection" and len(command.reason.strip()) < 10:
        raise Rejected(ErrorCode.INVALID_FIELD, "reason", "a rejection states its reason")
    if command.notified_on < settled.on:
        raise Rejected(ErrorCode.VALUE_OUT_OF_RANGE, "notified_on", "before the decision")
    due = calendar.add_working_days(settled.on, pack.notify_working_days)
    return ResultNotified(
        proposal_id=command.proposal_id,
        kind=command.kind,
        notified_on=command.notified_on,
        reason=command.reason,
        step_on=settled.on,
        due_on=due,
        working_days_late=calendar.working_days_late(due, command.notified_on),
    )


def overdue(
    waiting: dict[str, Settled], calendar: WorkCalendar, pack: RulePack, as_of: date
) -> list[dict[str, object]]:
    """Nominations whose notification is past its limit on `as_of` and not yet sent."""
    rows: list[dict[str, object]] = []
    for proposal_id, s in sorted(waiting.items(), key=lambda kv: (kv[1].on, kv[0])):
        due = calendar.add_working_days(s.on, pack.notify_working_days)
        over = calendar.working_days_late(due, as_of)
        if over > 0:
            rows.append(
                {
                    "proposal_id": proposal_id,
                    "step": f"notify_{s.kind}",
                    "after": s.step,
                    "since": s.on.isoformat(),
                    "due_on": due.isoformat(),
                    "working_days_over": over,
                }
            )
    return rows

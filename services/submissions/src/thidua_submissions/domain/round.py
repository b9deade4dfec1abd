"""Reporting rounds (sơ kết, tổng kết) open and close by events, never by reading a clock:
the deadline is fixed when the round opens, and its passing is itself recorded."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from thidua_contracts.commands import CloseRound, OpenRound
from thidua_contracts.envelope import Envelope, Role
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import EventPayload, RoundClosed, RoundOpened
from thidua_contracts.movement import MovementDefinition
from thidua_contracts.workdays import WorkCalendar

from .access import require_role


class RoundState(BaseModel):
    model_config = ConfigDict(frozen=True)

    opened_on: date | None = None
    due_on: date | None = None
    closed_on: date | None = None

    @property
    def open(self) -> bool:
        return self.opened_on is not None


def initial() -> RoundState:
    return RoundState()


def decide_open(
    command: OpenRound, definition: MovementDefinition, state: RoundState, calendar: WorkCalendar
) -> list[EventPayload]:
    require_role(command.actor, Role.PHONG_NOI_VU, Role.SYSTEM)
    planned = definition.round_of(command.round)
    if planned is None:
        raise Rejected(ErrorCode.ROUND_NOT_OPEN, "round", f"{command.round.value} not planned")
    if state.open:
        raise Rejected(ErrorCode.ROUND_ALREADY_OPEN, "round", command.round.value)
    if planned.due_working_days is not None:
        due = calendar.add_working_days(command.opened_on, planned.due_working_days)
    else:
        due = calendar.effective_deadline(planned.due_on)
    if due < command.opened_on:
        raise Rejected(ErrorCode.VALUE_OUT_OF_RANGE, "opened_on", f"after the deadline {due}")
    return [RoundOpened(round=command.round, opened_on=command.opened_on, due_on=due)]


def decide_close(
    command: CloseRound, state: RoundState, registered: list[str], reported: set[str]
) -> list[EventPayload]:
    require_role(command.actor, Role.PHONG_NOI_VU, Role.SYSTEM)
    if not state.open or state.closed_on is not None:
        raise Rejected(ErrorCode.ROUND_NOT_OPEN, "round", command.round.value)
    assert state.due_on is not None
    if command.closed_on <= state.due_on:
        raise Rejected(ErrorCode.VALUE_OUT_OF_RANGE, "closed_on", f"≤ deadline {state.due_on}")
    missing = sorted(u for u in registered if u not in reported)
    return [RoundClosed(round=command.round, closed_on=command.closed_on, missing_unit_ids=missing)]


def evolve(state: RoundState, envelope: Envelope, payload: EventPayload) -> RoundState:
    if isinstance(payload, RoundOpened):
        return RoundState(opened_on=payload.opened_on, due_on=payload.due_on)
    if isinstance(payload, RoundClosed):
        return state.model_copy(update={"closed_on": payload.closed_on})
    return state

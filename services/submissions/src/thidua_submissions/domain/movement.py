"""The movement aggregate: defined once from its plan (amendments come with the plan import)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from thidua_contracts.commands import DefineMovement
from thidua_contracts.envelope import Envelope, Role
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import EventPayload, MovementDefined
from thidua_contracts.movement import MovementDefinition

from .access import require_role


class MovementState(BaseModel):
    model_config = ConfigDict(frozen=True)

    definition: MovementDefinition | None = None
    defined_event_id: str | None = None


def initial() -> MovementState:
    return MovementState()


def decide_define(command: DefineMovement, state: MovementState) -> list[EventPayload]:
    require_role(command.actor, Role.PHONG_NOI_VU, Role.SYSTEM)
    if command.definition.movement_id != command.movement_id:
        raise Rejected(ErrorCode.INVALID_FIELD, "definition.movement_id", "≠ movement_id")
    if state.definition is not None:
        raise Rejected(ErrorCode.MOVEMENT_EXISTS, "movement_id", command.movement_id)
    return [MovementDefined(definition=command.definition)]


def evolve(state: MovementState, envelope: Envelope, payload: EventPayload) -> MovementState:
    if isinstance(payload, MovementDefined):
        return MovementState(definition=payload.definition, defined_event_id=envelope.event_id)
    return state


def require_defined(state: MovementState, movement_id: str) -> MovementDefinition:
    if state.definition is None:
        raise Rejected(ErrorCode.UNKNOWN_MOVEMENT, "movement_id", movement_id)
    return state.definition


def require_unit(definition: MovementDefinition, unit_id: str) -> None:
    if definition.unit(unit_id) is None:
        raise Rejected(ErrorCode.UNKNOWN_UNIT, "unit_id", unit_id)

"""The movement aggregate: its definition and versions, the issued plan, and the participants'
reorganisations (transfers, renames, mergers) — identities never change, history is kept."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from thidua_contracts.commands import (
    AmendMovement,
    DefineMovement,
    MergeUnits,
    PublishMovement,
    RenameUnit,
    TransferPerson,
)
from thidua_contracts.envelope import Envelope, Role
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import (
    EventPayload,
    MovementAmended,
    MovementDefined,
    MovementPublished,
    PersonTransferred,
    UnitRenamed,
    UnitsMerged,
)
from thidua_contracts.movement import MovementDefinition

from .access import require_role


class MovementState(BaseModel):
    model_config = ConfigDict(frozen=True)

    definition: MovementDefinition | None = None
    defined_event_id: str | None = None
    published: MovementPublished | None = None
    person_unit: dict[str, str] = {}  # after transfers
    unit_names: dict[str, str] = {}  # after renames
    merged_into: dict[str, str] = {}  # unit → the unit that continues it

    def unit_of(self, person_id: str) -> str | None:
        if person_id in self.person_unit:
            return self.person_unit[person_id]
        person = self.definition.person(person_id) if self.definition else None
        return person.unit_id if person else None

    def unit_name(self, unit_id: str) -> str | None:
        unit = self.definition.unit(unit_id) if self.definition else None
        return self.unit_names.get(unit_id, unit.name if unit else None)

    def active(self, unit_id: str) -> bool:
        return self.unit_name(unit_id) is not None and unit_id not in self.merged_into


def initial() -> MovementState:
    return MovementState()


def decide_define(command: DefineMovement, state: MovementState) -> list[EventPayload]:
    require_role(command.actor, Role.PHONG_NOI_VU, Role.SYSTEM)
    if command.definition.movement_id != command.movement_id:
        raise Rejected(ErrorCode.INVALID_FIELD, "definition.movement_id", "≠ movement_id")
    if state.definition is not None:
        raise Rejected(ErrorCode.MOVEMENT_EXISTS, "movement_id", command.movement_id)
    return [MovementDefined(definition=command.definition)]


def decide_amend(command: AmendMovement, state: MovementState) -> list[EventPayload]:
    """The only way to change a movement: a new version, with its reason, recorded."""
    require_role(command.actor, Role.PHONG_NOI_VU, Role.SYSTEM)
    current = require_defined(state, command.movement_id)
    if command.definition.movement_id != command.movement_id:
        raise Rejected(ErrorCode.INVALID_FIELD, "definition.movement_id", "≠ movement_id")
    if command.definition.version != current.version + 1:
        raise Rejected(ErrorCode.WRONG_VERSION, "definition.version", str(current.version + 1))
    return [
        MovementAmended(
            definition=command.definition, reason=command.reason, effective_on=command.effective_on
        )
    ]


def decide_publish(command: PublishMovement, state: MovementState) -> list[EventPayload]:
    require_role(command.actor, Role.PHONG_NOI_VU, Role.CHAIRMAN_OFFICE)
    require_defined(state, command.movement_id)
    if state.published is not None:
        raise Rejected(ErrorCode.ALREADY_PUBLISHED, "number", state.published.number)
    return [
        MovementPublished(
            number=command.number,
            signed_on=command.signed_on,
            signer_name=command.signer_name,
            signer_position=command.signer_position,
        )
    ]


def decide_transfer(command: TransferPerson, state: MovementState) -> list[EventPayload]:
    require_role(command.actor, Role.PHONG_NOI_VU, Role.SYSTEM)
    require_defined(state, command.movement_id)
    current = state.unit_of(command.person_id)
    if current is None:
        raise Rejected(ErrorCode.UNKNOWN_PERSON, "person_id", command.person_id)
    if not state.active(command.to_unit_id):
        raise Rejected(ErrorCode.UNKNOWN_UNIT, "to_unit_id", command.to_unit_id)
    if current == command.to_unit_id:
        raise Rejected(ErrorCode.INVALID_FIELD, "to_unit_id", "already in this unit")
    return [
        PersonTransferred(
            person_id=command.person_id,
            from_unit_id=current,
            to_unit_id=command.to_unit_id,
            position=command.position,
            effective_on=command.effective_on,
        )
    ]


def decide_rename(command: RenameUnit, state: MovementState) -> list[EventPayload]:
    require_role(command.actor, Role.PHONG_NOI_VU, Role.SYSTEM)
    require_defined(state, command.movement_id)
    old = state.unit_name(command.unit_id)
    if old is None or not state.active(command.unit_id):
        raise Rejected(ErrorCode.UNKNOWN_UNIT, "unit_id", command.unit_id)
    return [
        UnitRenamed(
            unit_id=command.unit_id,
            old_name=old,
            new_name=command.new_name,
            effective_on=command.effective_on,
            decision_ref=command.decision_ref,
        )
    ]


def decide_merge(command: MergeUnits, state: MovementState) -> list[EventPayload]:
    require_role(command.actor, Role.PHONG_NOI_VU, Role.SYSTEM)
    require_defined(state, command.movement_id)
    for i, unit_id in enumerate([*command.merged_unit_ids, command.into_unit_id]):
        if not state.active(unit_id):
            field = "into_unit_id" if i == len(command.merged_unit_ids) else f"merged_unit_ids.{i}"
            raise Rejected(ErrorCode.UNKNOWN_UNIT, field, unit_id)
    if command.into_unit_id in command.merged_unit_ids:
        raise Rejected(ErrorCode.INVALID_FIELD, "into_unit_id", "cannot merge into itself")
    return [
        UnitsMerged(
            merged_unit_ids=list(command.merged_unit_ids),
            into_unit_id=command.into_unit_id,
            effective_on=command.effective_on,
            decision_ref=command.decision_ref,
        )
    ]


def evolve(state: MovementState, envelope: Envelope, payload: EventPayload) -> MovementState:
    if isinstance(payload, MovementDefined):
        return MovementState(definition=payload.definition, defined_event_id=envelope.event_id)
    if isinstance(payload, MovementAmended):
        return state.model_copy(update={"definition": payload.definition})
    if isinstance(payload, MovementPublished):
        return state.model_copy(update={"published": payload})
    if isinstance(payload, PersonTransferred):
        return state.model_copy(
            update={"person_unit": {**state.person_unit, payload.person_id: payload.to_unit_id}}
        )
    if isinstance(payload, UnitRenamed):
        return state.model_copy(
            update={"unit_names": {**state.unit_names, payload.unit_id: payload.new_name}}
        )
    if isinstance(payload, UnitsMerged):
        merged = dict.fromkeys(payload.merged_unit_ids, payload.into_unit_id)
        # People of a merged unit now belong to the unit that continues it.
        moved = {
            p.person_id: payload.into_unit_id
            for p in (state.definition.persons if state.definition else [])
            if state.unit_of(p.person_id) in merged
        }
        return state.model_copy(
            update={
                "merged_into": {**state.merged_into, **merged},
                "person_unit": {**state.person_unit, **moved},
            }
        )
    return state


def require_defined(state: MovementState, movement_id: str) -> MovementDefinition:
    if state.definition is None:
        raise Rejected(ErrorCode.UNKNOWN_MOVEMENT, "movement_id", movement_id)
    return state.definition


def require_unit(definition: MovementDefinition, unit_id: str) -> None:
    if definition.unit(unit_id) is None:
        raise Rejected(ErrorCode.UNKNOWN_UNIT, "unit_id", unit_id)

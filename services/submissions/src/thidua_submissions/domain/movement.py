"""The movement aggregate: its definition and versions, the issued plan, and the participants'
reorganisations (transfers, renames, mergers) — identities never change, history is kept."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from thidua_contracts.commands import (
    AmendMovement,
    AssignBlockLeadership,
    DefineMovement,
    MergeUnits,
    MoveUnitToBlock,
    PublishMovement,
    RenameUnit,
    SplitUnit,
    TransferPerson,
)
from thidua_contracts.envelope import Envelope, Role
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import (
    BlockLeadershipAssigned,
    BlockMembershipChanged,
    EventPayload,
    MovementAmended,
    MovementDefined,
    MovementPublished,
    PersonTransferred,
    UnitRenamed,
    UnitsMerged,
    UnitSplit,
)
from thidua_contracts.movement import MovementDefinition, Unit

from .access import require_role


class MovementState(BaseModel):
    model_config = ConfigDict(frozen=True)

    definition: MovementDefinition | None = None
    defined_event_id: str | None = None
    published: MovementPublished | None = None
    person_unit: dict[str, str] = {}  # after transfers
    unit_names: dict[str, str] = {}  # after renames
    unit_block: dict[str, str] = {}  # after moves between blocks
    ended: dict[str, date] = {}  # merged or split units, with the date they ended
    predecessors: dict[str, list[str]] = {}  # continuing unit → the units it continues
    added_units: list[Unit] = []  # units a split created
    leadership: dict[str, tuple[str, str | None]] = {}  # block → (head, deputy) now

    def effective(self) -> MovementDefinition:
        """The definition as reorganisations left it: same ids, current names and places."""
        # Memoised per state object (states are immutable; a changed state is a new object):
        # a definition of thousands of people is rebuilt once, not on every command.
        hit = _EFFECTIVE.get(id(self))
        if hit is not None and hit[0] is self:
            return hit[1]
        found = self._effective()
        if len(_EFFECTIVE) >= 16:
            _EFFECTIVE.pop(next(iter(_EFFECTIVE)))
        _EFFECTIVE[id(self)] = (self, found)
        return found

    def _effective(self) -> MovementDefinition:
        assert self.definition is not None
        d = self.definition
        units = [
            u.model_copy(
                update={
                    "name": self.unit_names.get(u.unit_id, u.name),
                    "block_id": self.unit_block.get(u.unit_id, u.block_id),
                    "ended_on": self.ended.get(u.unit_id, u.ended_on),
                    "predecessor_ids": [*u.predecessor_ids, *self.predecessors.get(u.unit_id, [])],
                }
            )
            for u in [*d.units, *self.added_units]
        ]
        persons = [
            p.model_copy(update={"unit_id": self.person_unit.get(p.person_id, p.unit_id)})
            for p in d.persons
        ]
        blocks = [
            b.model_copy(
                update={
                    "head_unit_id": self.leadership[b.block_id][0],
                    "deputy_unit_id": self.leadership[b.block_id][1],
                }
            )
            if b.block_id in self.leadership
            else b
            for b in d.blocks
        ]
        return d.model_copy(update={"units": units, "persons": persons, "blocks": blocks})

    def unit_of(self, person_id: str) -> str | None:
        person = self.effective().person(person_id) if self.definition else None
        return person.unit_id if person else None

    def unit_name(self, unit_id: str) -> str | None:
        unit = self.effective().unit(unit_id) if self.definition else None
        return unit.name if unit else None

    def active(self, unit_id: str) -> bool:
        return self.definition is not None and self.effective().active_unit(unit_id) is not None


# id(state) → (state, its effective definition); the state is held so its id stays its own.
_EFFECTIVE: dict[int, tuple[MovementState, MovementDefinition]] = {}


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
        merged = set(payload.merged_unit_ids)
        into = payload.into_unit_id
        # People of a merged unit now belong to the unit that continues it.
        moved = {
            p.person_id: into
            for p in (state.effective().persons if state.definition else [])
            if p.unit_id in merged
        }
        return state.model_copy(
            update={
                "ended": {
                    **state.ended,
                    **dict.fromkeys(payload.merged_unit_ids, payload.effective_on),
                },
                "predecessors": {
                    **state.predecessors,
                    into: [*state.predecessors.get(into, []), *payload.merged_unit_ids],
                },
                "person_unit": {**state.person_unit, **moved},
            }
        )
    if isinstance(payload, UnitSplit):
        added = [u.model_copy(update={"predecessor_ids": [payload.unit_id]}) for u in payload.into]
        return state.model_copy(
            update={
                "ended": {**state.ended, payload.unit_id: payload.effective_on},
                "added_units": [*state.added_units, *added],
            }
        )
    if isinstance(payload, BlockMembershipChanged):
        return state.model_copy(
            update={"unit_block": {**state.unit_block, payload.unit_id: payload.to_block_id}}
        )
    if isinstance(payload, BlockLeadershipAssigned):
        return state.model_copy(
            update={
                "leadership": {
                    **state.leadership,
                    payload.block_id: (payload.head_unit_id, payload.deputy_unit_id),
                }
            }
        )
    return state


def decide_split(command: SplitUnit, state: MovementState) -> list[EventPayload]:
    require_role(command.actor, Role.PHONG_NOI_VU, Role.SYSTEM)
    definition = require_defined(state, command.movement_id).model_copy()
    effective = state.effective()
    if effective.active_unit(command.unit_id) is None:
        raise Rejected(ErrorCode.UNKNOWN_UNIT, "unit_id", command.unit_id)
    blocks = {b.block_id for b in definition.blocks}
    for i, unit in enumerate(command.into):
        if effective.unit(unit.unit_id) is not None:
            raise Rejected(ErrorCode.INVALID_FIELD, f"into.{i}.unit_id", "id already in use")
        if unit.block_id not in blocks:
            raise Rejected(ErrorCode.UNKNOWN_BLOCK, f"into.{i}.block_id", unit.block_id)
    return [
        UnitSplit(
            unit_id=command.unit_id,
            into=list(command.into),
            effective_on=command.effective_on,
            decision_ref=command.decision_ref,
        )
    ]


def decide_move_to_block(command: MoveUnitToBlock, state: MovementState) -> list[EventPayload]:
    require_role(command.actor, Role.PHONG_NOI_VU, Role.SYSTEM)
    require_defined(state, command.movement_id)
    effective = state.effective()
    unit = effective.active_unit(command.unit_id)
    if unit is None:
        raise Rejected(ErrorCode.UNKNOWN_UNIT, "unit_id", command.unit_id)
    if command.to_block_id not in {b.block_id for b in effective.blocks}:
        raise Rejected(ErrorCode.UNKNOWN_BLOCK, "to_block_id", command.to_block_id)
    if unit.block_id == command.to_block_id:
        raise Rejected(ErrorCode.INVALID_FIELD, "to_block_id", "already in this block")
    return [
        BlockMembershipChanged(
            unit_id=unit.unit_id,
            from_block_id=unit.block_id,
            to_block_id=command.to_block_id,
            effective_on=command.effective_on,
        )
    ]


def decide_leadership(command: AssignBlockLeadership, state: MovementState) -> list[EventPayload]:
    """Heads and deputies rotate; both must be active members of the block."""
    require_role(command.actor, Role.PHONG_NOI_VU, Role.SYSTEM)
    require_defined(state, command.movement_id)
    effective = state.effective()
    if command.block_id not in {b.block_id for b in effective.blocks}:
        raise Rejected(ErrorCode.UNKNOWN_BLOCK, "block_id", command.block_id)
    for field, unit_id in (
        ("head_unit_id", command.head_unit_id),
        ("deputy_unit_id", command.deputy_unit_id),
    ):
        if unit_id is None:
            continue
        unit = effective.active_unit(unit_id)
        if unit is None or unit.block_id != command.block_id:
            raise Rejected(ErrorCode.UNKNOWN_UNIT, field, f"{unit_id} ∉ {command.block_id}")
    if command.period_to < command.period_from:
        raise Rejected(ErrorCode.VALUE_OUT_OF_RANGE, "period_to", "before period_from")
    return [
        BlockLeadershipAssigned(
            block_id=command.block_id,
            head_unit_id=command.head_unit_id,
            deputy_unit_id=command.deputy_unit_id,
            period_from=command.period_from,
            period_to=command.period_to,
        )
    ]


def require_defined(state: MovementState, movement_id: str) -> MovementDefinition:
    if state.definition is None:
        raise Rejected(ErrorCode.UNKNOWN_MOVEMENT, "movement_id", movement_id)
    return state.definition


def require_unit(definition: MovementDefinition, unit_id: str) -> None:
    """New acts need a unit that still exists; an ended one keeps only its history."""
    if definition.active_unit(unit_id) is None:
        ended = definition.unit(unit_id) is not None
        raise Rejected(ErrorCode.UNKNOWN_UNIT, "unit_id", f"{unit_id}{' (ended)' if ended else ''}")

"""The movement a step belongs to: its definition, its rule pack and its work calendar."""

from __future__ import annotations

from functools import cache

from thidua_contracts.envelope import RulesRef
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import MovementDefined
from thidua_contracts.movement import MovementDefinition
from thidua_contracts.workdays import WorkCalendar
from thidua_kit.calendar import state_calendar
from thidua_kit.host import Context
from thidua_kit.log import StoredEvent

from ..domain.rule_pack import RulePack
from .views import _seen


def _pack(ctx: Context, movement_id: str) -> tuple[RulePack, RulesRef]:
    """The rule pack the movement names; decisions record its id, version and hash."""
    packs: dict[str, tuple[RulePack, RulesRef]] = ctx.extra["rule_packs"]
    movement = _seen(ctx, "movement", movement_id)
    if movement is None:
        raise LookupError(f"unknown movement {movement_id}")
    wanted = _defined(movement).rule_pack.id
    if wanted not in packs:
        raise LookupError(f"movement {movement_id} names rule pack {wanted}, not installed")
    return packs[wanted]


# The movement's stored event → its definition, parsed once: a definition of thousands of people
# is read by every appraisal and award. Keyed by the object (held, so its id stays its own),
# which the store hands out again while the row is unchanged.
_DEFINITIONS: dict[int, tuple[StoredEvent, MovementDefinition]] = {}


def _defined(movement: StoredEvent) -> MovementDefinition:
    hit = _DEFINITIONS.get(id(movement))
    if hit is not None and hit[0] is movement:
        return hit[1]
    found = MovementDefined.model_validate(movement.envelope.payload).definition
    if len(_DEFINITIONS) >= 64:
        _DEFINITIONS.pop(next(iter(_DEFINITIONS)))
    _DEFINITIONS[id(movement)] = (movement, found)
    return found


def _movement_pack(ctx: Context, movement_id: str) -> RulePack:
    if _seen(ctx, "movement", movement_id) is None:
        raise Rejected(ErrorCode.UNKNOWN_MOVEMENT, "movement_id", movement_id)
    return _pack(ctx, movement_id)[0]


@cache
def _calendar(year: int) -> WorkCalendar:
    return state_calendar(range(year, year + 2))

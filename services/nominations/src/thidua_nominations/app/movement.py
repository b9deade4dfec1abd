"""The movement a step belongs to: its definition, its rule pack and its work calendar."""

from __future__ import annotations

from functools import cache

from thidua_contracts.envelope import RulesRef
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.workdays import WorkCalendar
from thidua_kit.calendar import state_calendar
from thidua_kit.definitions import definition_of
from thidua_kit.host import Context

from ..domain.rule_pack import RulePack
from .views import _seen


def _pack(ctx: Context, movement_id: str) -> tuple[RulePack, RulesRef]:
    """The rule pack the movement names; decisions record its id, version and hash."""
    packs: dict[str, tuple[RulePack, RulesRef]] = ctx.extra["rule_packs"]
    movement = _seen(ctx, "movement", movement_id)
    if movement is None:
        raise LookupError(f"unknown movement {movement_id}")
    wanted = definition_of(movement).rule_pack.id
    if wanted not in packs:
        raise LookupError(f"movement {movement_id} names rule pack {wanted}, not installed")
    return packs[wanted]


def _movement_pack(ctx: Context, movement_id: str) -> RulePack:
    if _seen(ctx, "movement", movement_id) is None:
        raise Rejected(ErrorCode.UNKNOWN_MOVEMENT, "movement_id", movement_id)
    return _pack(ctx, movement_id)[0]


@cache
def _calendar(year: int) -> WorkCalendar:
    return state_calendar(range(year, year + 2))

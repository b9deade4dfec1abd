"""Who may act (DOMAIN §1.1): a unit's clerk only for that unit; the Phòng Nội vụ for the city."""

from __future__ import annotations

from thidua_contracts.envelope import Actor, Role
from thidua_contracts.errors import ErrorCode, Rejected


def require_unit_clerk(actor: Actor, unit_id: str) -> None:
    if actor.role != Role.UNIT_CLERK or actor.unit != unit_id:
        raise Rejected(ErrorCode.FORBIDDEN, "actor", f"{actor.role.value}/{actor.unit} → {unit_id}")


def require_role(actor: Actor, *roles: Role) -> None:
    if actor.role not in roles:
        raise Rejected(ErrorCode.FORBIDDEN, "actor.role", actor.role.value)

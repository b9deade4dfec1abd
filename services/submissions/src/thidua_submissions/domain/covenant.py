"""A block's covenant (giao ước thi đua), signed by all its members at the start of the year."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from thidua_contracts.canonical import canonical_bytes, sha256_hex
from thidua_contracts.commands import SignCovenant
from thidua_contracts.envelope import Envelope, Role
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import CovenantSigned, EventPayload
from thidua_contracts.movement import MovementDefinition


class CovenantState(BaseModel):
    model_config = ConfigDict(frozen=True)

    signed: bool = False


def initial() -> CovenantState:
    return CovenantState()


def decide_sign(
    command: SignCovenant, definition: MovementDefinition, state: CovenantState
) -> list[EventPayload]:
    block = next((b for b in definition.blocks if b.block_id == command.block_id), None)
    if block is None:
        raise Rejected(ErrorCode.UNKNOWN_BLOCK, "block_id", command.block_id)
    actor = command.actor
    heads_it = actor.role == Role.BLOCK_HEAD and actor.unit == block.head_unit_id
    if not (heads_it or actor.role == Role.PHONG_NOI_VU):
        raise Rejected(ErrorCode.FORBIDDEN, "actor", f"{actor.role.value}/{actor.unit}")
    if state.signed:
        raise Rejected(ErrorCode.WRONG_STATE, "block_id", "covenant already signed")
    members = {
        u.unit_id for u in definition.units if u.block_id == block.block_id and u.ended_on is None
    }
    signed = set(command.signatory_unit_ids)
    if strangers := sorted(signed - members):
        raise Rejected(ErrorCode.UNKNOWN_UNIT, "signatory_unit_ids", ", ".join(strangers))
    if missing := sorted(members - signed):
        raise Rejected(ErrorCode.COVENANT_INCOMPLETE, "signatory_unit_ids", ", ".join(missing))
    targets = {t.code for t in definition.targets}
    for i, code in enumerate(command.target_codes):
        if code not in targets:
            raise Rejected(ErrorCode.UNKNOWN_TARGET, f"target_codes.{i}", code)
    table = [c.model_dump(mode="json") for c in definition.scoring_table]
    return [
        CovenantSigned(
            block_id=block.block_id,
            signed_on=command.signed_on,
            signatory_unit_ids=sorted(signed),
            target_codes=list(command.target_codes),
            scoring_table_sha256=sha256_hex(canonical_bytes(table)),
        )
    ]


def evolve(state: CovenantState, envelope: Envelope, payload: EventPayload) -> CovenantState:
    return CovenantState(signed=True) if isinstance(payload, CovenantSigned) else state

"""The award fund (quỹ thi đua, khen thưởng) of each deciding level (DOMAIN §3.5): credited by
recorded allocations, drawn by the prizes of issued awards; a decision that would overdraw it
is flagged, not refused — the signed decision stands, the shortfall must be found."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from thidua_contracts.commands import CreditFund
from thidua_contracts.envelope import Role
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import FundCredited, FundOverdrawFlagged


class FundState(BaseModel):
    model_config = ConfigDict(frozen=True)

    credited_vnd: int = 0
    paid_vnd: int = 0
    tracked: bool = False  # the level keeps its fund here once money is first recorded

    @property
    def balance_vnd(self) -> int:
        return self.credited_vnd - self.paid_vnd


def decide_credit(command: CreditFund) -> FundCredited:
    if command.actor.role not in (Role.CHAIRMAN_OFFICE, Role.PHONG_NOI_VU):
        raise Rejected(ErrorCode.FORBIDDEN, "actor.role", command.actor.role.value)
    return FundCredited(
        level=command.level,
        amount_vnd=command.amount_vnd,
        credited_on=command.credited_on,
        source_ref=command.source_ref,
    )


def credit(state: FundState, event: FundCredited) -> FundState:
    return state.model_copy(
        update={"credited_vnd": state.credited_vnd + event.amount_vnd, "tracked": True}
    )


def pay(state: FundState, prize_vnd: int) -> FundState:
    return state.model_copy(update={"paid_vnd": state.paid_vnd + prize_vnd})


def _vi(amount: int) -> str:
    """An amount as Vietnamese writes it, thousands grouped by periods: 1.500.000."""
    return f"{amount:,}".replace(",", ".")


def overdraw(
    decision_id: str, level: str, state: FundState, needed_vnd: int
) -> FundOverdrawFlagged | None:
    if not state.tracked or needed_vnd <= state.balance_vnd:
        return None
    short = needed_vnd - state.balance_vnd
    return FundOverdrawFlagged(
        decision_id=decision_id,
        level=level,  # type: ignore[arg-type]
        balance_vnd=state.balance_vnd,
        needed_vnd=needed_vnd,
        shortfall_vnd=short,
        reason_vi=f"Quỹ thi đua, khen thưởng còn {_vi(state.balance_vnd)} đ, quyết định cần "
        f"{_vi(needed_vnd)} đ: thiếu {_vi(short)} đ",
        reason_en=f"The award fund holds {state.balance_vnd:,} đ, the decision needs "
        f"{needed_vnd:,} đ: {short:,} đ short",
    )

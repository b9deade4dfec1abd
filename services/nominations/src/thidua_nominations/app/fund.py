"""The award fund: credits recorded by hand, payments as awards are issued."""

from __future__ import annotations

from thidua_contracts.commands import CreditFund
from thidua_kit.host import Context
from thidua_kit.log import StoredEvent

from ..domain import fund
from .movement import _movement_pack
from .views import _append_human


def _pay(ctx: Context, item: StoredEvent, level: str, amount: int) -> None:
    key = f"{item.envelope.movement_id}/{level}"
    state = ctx.store.get("fund", key, fund.FundState)[0] or fund.FundState()
    ctx.store.put("fund", key, fund.pay(state, amount), item.sequence)


async def credit_fund(command: CreditFund, ctx: Context) -> list[StoredEvent]:
    _movement_pack(ctx, command.movement_id)
    payload = fund.decide_credit(command)
    subject = ctx.subject("fund", command.movement_id, command.level.replace("_", "-"))
    return await _append_human(ctx, command, subject, payload)

"""Revoked awards, and the review flags on the awards that rest on them."""

from __future__ import annotations

from thidua_contracts.commands import RevokeAward
from thidua_contracts.events import AwardIssued, AwardReviewFlagged, AwardRevoked
from thidua_kit.envelopes import computed_event, human_event
from thidua_kit.host import Context
from thidua_kit.log import StoredEvent

from ..domain import revocation
from .movement import _pack
from .views import _Title


async def revoke_award(command: RevokeAward, ctx: Context) -> list[StoredEvent]:
    pack, _ = _pack(ctx, command.movement_id)
    award = next(
        (
            a
            for _k, a, _s in ctx.store.all("awarded", AwardIssued)
            if a.award_id == command.award_id
        ),
        None,
    )
    revoked = ctx.store.get("revoked", command.award_id, StoredEvent)[0] is not None
    payload = revocation.decide_revoke(command, award, revoked, pack)
    subject = ctx.subject("award", command.movement_id, command.award_id)
    stored = await ctx.log.append(
        [human_event(command, subject, payload, ctx.now)],
        await ctx.log.last_subject_sequence(subject),
    )
    ctx.store.put("revoked", command.award_id, stored[0], stored[0].sequence)
    return stored


async def _flag_dependents(item: StoredEvent, revoked: AwardRevoked, ctx: Context) -> None:
    m = item.envelope.movement_id
    pack, ref = _pack(ctx, m)
    titles = {key: t for key, t, _s in ctx.store.all("title", _Title)}
    gone = titles.get(revoked.award_id)
    if gone is None:
        return
    ctx.store.put(
        "title", revoked.award_id, gone.model_copy(update={"revoked": True}), item.sequence
    )
    held = [
        revocation.Held(k, t.subject_id, t.year, t.award_code)
        for k, t in titles.items()
        if not t.revoked
    ]
    target = revocation.Held(revoked.award_id, gone.subject_id, gone.year, gone.award_code)
    for index, other in enumerate(revocation.dependents(target, held, pack)):
        flag = AwardReviewFlagged(
            award_id=other.award_id,
            revoked_award_id=revoked.award_id,
            reason_vi=f"Dựa trên danh hiệu {gone.award_code} năm {gone.year} đã bị hủy bỏ",
            reason_en=f"Rests on the {gone.award_code} of {gone.year}, now revoked",
        )
        subject = ctx.subject("award", m, other.award_id)
        event = computed_event(item.envelope, index, subject, flag, [item], ref)
        await ctx.log.append([event], await ctx.log.last_subject_sequence(subject))

"""Revoked awards, and the review flags on the awards that rest on them."""

from __future__ import annotations

from thidua_contracts.commands import RevokeAward
from thidua_contracts.events import AwardIssued, AwardProposed, AwardReviewFlagged, AwardRevoked
from thidua_kit.envelopes import computed_event, human_event
from thidua_kit.host import Context
from thidua_kit.log import StoredEvent

from ..domain import eligibility, revocation
from .appraisal import _records_about
from .movement import _pack
from .views import ProposalView, _Title


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
        revocation.Held(k, t.subject_id, t.year, t.award_code, t.unit_id)
        for k, t in titles.items()
        if not t.revoked and k != revoked.award_id
    ]
    target = revocation.Held(
        revoked.award_id, gone.subject_id, gone.year, gone.award_code, gone.unit_id
    )
    # The unit's collective titles of that year are judged again on the facts appraisal read,
    # as they stand now; the records read are the flag's inputs.
    collectives: dict[str, eligibility.Facts] = {}
    read: dict[str, list[StoredEvent]] = {}
    for other in held:
        if other.subject_id == gone.unit_id and other.year == gone.year:
            found = _member_facts(ctx, m, other.award_id)
            if found is not None:
                collectives[other.award_id], read[other.award_id] = found
    for index, review in enumerate(revocation.dependents(target, held, pack, collectives)):
        flag = AwardReviewFlagged(
            award_id=review.award_id,
            revoked_award_id=revoked.award_id,
            reason_vi=review.reason_vi,
            reason_en=review.reason_en,
        )
        subject = ctx.subject("award", m, review.award_id)
        inputs = [item, *read.get(review.award_id, [])]
        event = computed_event(item.envelope, index, subject, flag, inputs, ref)
        await ctx.log.append_at_end([event])


def _member_facts(
    ctx: Context, m: str, award_id: str
) -> tuple[eligibility.Facts, list[StoredEvent]] | None:
    """A collective award's members, headcount and titles now, read as its appraisal read
    them; only the member criteria are judged on them."""
    award = next(
        (a for _k, a, _s in ctx.store.all("awarded", AwardIssued) if a.award_id == award_id),
        None,
    )
    view = ctx.store.get("proposal", award.proposal_id, ProposalView)[0] if award else None
    if view is None:
        return None
    proposal = AwardProposed.model_validate(view.envelope.payload)
    records, relevant = _records_about(ctx, m, proposal)
    facts = eligibility.Facts(
        registered=True,
        report_submitted=True,
        report_late=False,
        score_total=None,
        score_max=None,
        **records,
    )
    return facts, relevant

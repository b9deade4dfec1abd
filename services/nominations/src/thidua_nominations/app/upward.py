"""Proposals forwarded to a higher level, its answers, and the awards it decides."""

from __future__ import annotations

from thidua_contracts.commands import ForwardProposals, RecordHigherAnswer
from thidua_contracts.events import AwardIssued, AwardProposed, HigherAnswerRecorded
from thidua_contracts.ids import derived_id
from thidua_kit.definitions import definition_of
from thidua_kit.envelopes import computed_event, human_event
from thidua_kit.host import Context, parse_payload
from thidua_kit.log import StoredEvent

from ..domain import decision, upward
from .decisions import _candidates, _deducted, _index_decision, _titles_paid
from .fund import _pay
from .movement import _pack
from .views import NOMINATION, ProposalView, _nomination_events, _seen


async def forward_upward(command: ForwardProposals, ctx: Context) -> list[StoredEvent]:
    pack, _ = _pack(ctx, command.movement_id)
    candidates = _candidates(ctx, command.movement_id, list(command.proposal_ids))
    forwarded = {key for key, _v, _s in ctx.store.all("forwarded", StoredEvent)}
    movement = _seen(ctx, "movement", command.movement_id)
    definition = None if movement is None else definition_of(movement)
    province = (
        None
        if definition is None
        else upward.province_of(
            (a.authority for a in definition.award_forms), definition.issuer.name_lines
        )
    )
    payload = upward.decide_forward(command, candidates, forwarded, pack, province)
    subject = ctx.subject("upward", command.movement_id, command.submission_id)
    stored = await ctx.log.append(
        [human_event(command, subject, payload, ctx.now)],
        await ctx.log.last_subject_sequence(subject),
    )
    for proposal_id in payload.proposal_ids:
        ctx.store.put("forwarded", proposal_id, stored[0], stored[0].sequence)
    ctx.store.put("submission", command.submission_id, stored[0], stored[0].sequence)
    return stored


async def record_higher_answer(command: RecordHigherAnswer, ctx: Context) -> list[StoredEvent]:
    submission = ctx.store.get("submission", command.submission_id, StoredEvent)[0]
    submitted = submission.envelope.payload["proposal_ids"] if submission else None
    answered = ctx.store.get("answer", command.proposal_id, StoredEvent)[0] is not None
    payload = upward.decide_answer(command, submitted, answered)
    subject = ctx.subject("upward", command.movement_id, command.submission_id)
    stored = await ctx.log.append(
        [human_event(command, subject, payload, ctx.now, command.proposal_id)],
        await ctx.log.last_subject_sequence(subject),
    )
    ctx.store.put("answer", command.proposal_id, stored[0], stored[0].sequence)
    return stored


async def _higher_award(item: StoredEvent, answer: HigherAnswerRecorded, ctx: Context) -> None:
    """A form decided above the city is issued as the higher level decided it."""
    if (
        answer.outcome != "decided"
        or ctx.store.get("awarded", answer.proposal_id, AwardIssued)[0] is not None
    ):
        return
    m = item.envelope.movement_id
    movement = _seen(ctx, "movement", m)
    view = ctx.store.get("proposal", answer.proposal_id, ProposalView)[0]
    if movement is None or view is None:
        raise LookupError(f"answer for unknown proposal {answer.proposal_id}")
    definition = definition_of(movement)
    pack, ref = _pack(ctx, m)
    proposal = AwardProposed.model_validate(view.envelope.payload)
    held = _titles_paid(ctx, m, proposal, item.sequence)
    issued = decision.award_for(
        derived_id(item.envelope.event_id, 1),
        answer.submission_id,
        answer.decision_ref[:60],
        answer.decided_on,
        proposal,
        definition,
        pack,
        [AwardIssued.model_validate(h.envelope.payload) for h in held],
    )
    subject = ctx.subject("nomination", m, answer.proposal_id)
    _pay(ctx, item, pack.awards[proposal.award_code].fund_level, issued.prize_vnd)
    event = computed_event(
        item.envelope,
        1,
        subject,
        issued,
        [item, view.event, *_nomination_events(ctx, subject), *_deducted(held, issued)],
        ref,
        correlation_id=answer.proposal_id,
    )
    for stored in await NOMINATION.append(ctx.store, ctx.log, subject, [event], parse_payload):
        _index_decision(ctx, stored, parse_payload(stored.envelope))

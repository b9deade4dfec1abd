"""The event fold: what the service keeps, and what it decides, as the log brings events."""

from __future__ import annotations

from thidua_contracts.events import (
    AwardIssued,
    AwardProposed,
    AwardRevoked,
    BallotOutcomeDecided,
    BallotTallied,
    BlockHonoured,
    CouncilSessionClosed,
    CouncilSessionOpened,
    DecisionSigned,
    DossierSupplemented,
    EligibilityAssessed,
    EventPayload,
    FundCredited,
    HigherAnswerRecorded,
    MovementDefined,
    NominationExcluded,
    NoticePosted,
    ObjectionRecorded,
    ObjectionResolved,
    ProposalsForwarded,
    ReportSubmitted,
    ResultNotified,
    ScoreSheetRecorded,
    SupplementRequested,
    UnitRegistered,
)
from thidua_kit.host import Context
from thidua_kit.log import StoredEvent

from ..domain import fund
from .appraisal import (
    RECORD_TYPES,
    _after_appraisal,
    _appraise,
    _appraise_pending,
    _keep_record,
    _sheet_key,
)
from .council import _apply_quotas, _index_session
from .decisions import _decide_outcome, _index_decision, _issue_awards
from .fund import _pay
from .notice import _exclude_on_objection, _index_notice
from .revocation import _flag_dependents
from .upward import _higher_award
from .views import DECISION, NOMINATION, ProposalView, _add_proposal, _note, _remember, _seen


async def on_event(item: StoredEvent, payload: EventPayload, ctx: Context) -> None:
    m = item.envelope.movement_id
    if isinstance(payload, MovementDefined):
        _remember(ctx, "movement", m, item)
    elif isinstance(payload, UnitRegistered):
        _remember(ctx, "registration", f"{m}/{payload.unit_id}", item)
    elif isinstance(payload, ReportSubmitted):
        _remember(ctx, "report", f"{m}/{payload.unit_id}/{payload.round.value}", item)
    elif isinstance(payload, ScoreSheetRecorded):
        _remember(ctx, "sheet", f"{m}/{payload.unit_id}/{payload.round.value}", item)
        await _appraise_pending(item, payload.unit_id, ctx)
    elif isinstance(payload, ProposalsForwarded):
        for proposal_id in payload.proposal_ids:
            ctx.store.put("forwarded", proposal_id, item, item.sequence)
        ctx.store.put("submission", payload.submission_id, item, item.sequence)
    elif isinstance(payload, HigherAnswerRecorded):
        ctx.store.put("answer", payload.proposal_id, item, item.sequence)
        await _higher_award(item, payload, ctx)
    elif isinstance(payload, AwardRevoked):
        ctx.store.put("revoked", payload.award_id, item, item.sequence)
        await _flag_dependents(item, payload, ctx)
    elif isinstance(payload, BlockHonoured) and payload.leader_unit_id:
        ctx.store.put("honoured", f"{m}/{payload.leader_unit_id}", item, item.sequence)
    elif isinstance(payload, RECORD_TYPES):
        _keep_record(ctx, m, item, payload)
    elif isinstance(payload, PROCEDURE_TYPES):
        await _on_procedure_event(item, payload, ctx)
    elif isinstance(payload, AwardProposed):
        view = ProposalView(event=item)
        _add_proposal(ctx, item, view)
        if _seen(ctx, "sheet", f"{m}/{payload.unit_id}/tong-ket") is not None:
            await _appraise(item, 0, view, ctx)
    elif isinstance(payload, EligibilityAssessed | BallotTallied | BallotOutcomeDecided):
        NOMINATION.fold(ctx.store, item, payload)
        _note(ctx, [item])
        if isinstance(payload, EligibilityAssessed):
            _after_appraisal(ctx, item, payload)
        if isinstance(payload, BallotTallied):
            await _decide_outcome(item, payload, ctx)
    elif isinstance(payload, DecisionSigned | AwardIssued):
        # The city's awards live on their decision; a higher level's on the nomination.
        on_decision = item.envelope.subject.split(".")[3] == "decision"
        (DECISION if on_decision else NOMINATION).fold(ctx.store, item, payload)
        _index_decision(ctx, item, payload)
        if isinstance(payload, DecisionSigned):
            needed = await _issue_awards(item, payload, ctx)
            _pay(ctx, item, "cap_huyen", needed)


PROCEDURE_TYPES = (
    SupplementRequested,
    NominationExcluded,
    DossierSupplemented,
    NoticePosted,
    ObjectionRecorded,
    ObjectionResolved,
    CouncilSessionOpened,
    CouncilSessionClosed,
    FundCredited,
    ResultNotified,
)


async def _on_procedure_event(item: StoredEvent, payload: EventPayload, ctx: Context) -> None:
    """Dossier, notice, sessions, fund and notifications, as the log brings them."""
    m = item.envelope.movement_id
    if isinstance(payload, SupplementRequested | NominationExcluded):
        NOMINATION.fold(ctx.store, item, payload)
    elif isinstance(payload, DossierSupplemented):
        NOMINATION.fold(ctx.store, item, payload)
        view = ctx.store.get("proposal", payload.proposal_id, ProposalView)[0]
        if view is not None and _seen(ctx, "sheet", _sheet_key(view)) is not None:
            await _appraise(item, 0, view, ctx)
    elif isinstance(payload, NoticePosted | ObjectionRecorded | ObjectionResolved):
        _index_notice(ctx, item, payload)
        if isinstance(payload, ObjectionResolved) and payload.upheld:
            await _exclude_on_objection(item, payload, ctx)
    elif isinstance(payload, CouncilSessionOpened | CouncilSessionClosed):
        _index_session(ctx, item, payload)
        if isinstance(payload, CouncilSessionClosed):
            await _apply_quotas(item, payload, ctx)
    elif isinstance(payload, FundCredited):
        key = f"{m}/{payload.level}"
        state = ctx.store.get("fund", key, fund.FundState)[0] or fund.FundState()
        ctx.store.put("fund", key, fund.credit(state, payload), item.sequence)
    elif isinstance(payload, ResultNotified):
        NOMINATION.fold(ctx.store, item, payload)
        ctx.store.put("notified", payload.proposal_id, item, item.sequence)

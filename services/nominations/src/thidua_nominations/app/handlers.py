"""Nominations: appraise proposals as the log brings them; record tallies and decisions."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict

from thidua_contracts import subjects
from thidua_contracts.commands import (
    CloseSession,
    CreditFund,
    ForwardProposals,
    ListAwards,
    ListNominations,
    ListOverdue,
    NotifyResult,
    OpenSession,
    PostNotice,
    RecordHigherAnswer,
    RecordObjection,
    RecordTally,
    ResolveObjection,
    RevokeAward,
    ShowFund,
    ShowNomination,
    SignDecision,
    SupplementDossier,
)
from thidua_contracts.envelope import Envelope, Role, RulesRef
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import (
    AwardIssued,
    AwardProposed,
    AwardReviewFlagged,
    AwardRevoked,
    BallotOutcomeDecided,
    BallotTallied,
    BlockHonoured,
    CouncilSessionClosed,
    CouncilSessionOpened,
    DecisionSigned,
    DisciplineRecorded,
    DossierSupplemented,
    EligibilityAssessed,
    EventPayload,
    FundCredited,
    HeadcountRecorded,
    HigherAnswerRecorded,
    InitiativeRecognised,
    MovementDefined,
    NominationExcluded,
    NoticePosted,
    ObjectionRecorded,
    ObjectionResolved,
    PriorAwardRecorded,
    ProposalsForwarded,
    RatingRecorded,
    ReportSubmitted,
    ResultNotified,
    ScoreSheetRecorded,
    SupplementRequested,
    UnitRegistered,
)
from thidua_contracts.ids import derived_id
from thidua_contracts.movement import MovementDefinition
from thidua_contracts.workdays import WorkCalendar
from thidua_kit.aggregate import Aggregate
from thidua_kit.calendar import state_calendar
from thidua_kit.db import Store
from thidua_kit.envelopes import computed_event, human_event
from thidua_kit.host import Context, parse_payload
from thidua_kit.log import StoredEvent
from thidua_kit.settings import Settings

from ..adapters import rule_packs
from ..domain import (
    ballot,
    council,
    decision,
    dossier,
    eligibility,
    fund,
    nomination,
    notice,
    notify,
    quota,
    revocation,
    upward,
)
from ..domain.notice import NoticeStatus
from ..domain.rule_pack import RulePack


class ProposalView(BaseModel):
    """A proposal as recorded, and whether it still waits for its unit's final score."""

    model_config = ConfigDict(frozen=True)

    event: StoredEvent
    pending: bool = True

    @property
    def envelope(self) -> Envelope:
        return self.event.envelope


class DecisionState(BaseModel):
    model_config = ConfigDict(frozen=True)

    decision: DecisionSigned | None = None
    awards: list[AwardIssued] = []


def _decision_evolve(state: DecisionState, _e: Envelope, payload: EventPayload) -> DecisionState:
    if isinstance(payload, DecisionSigned):
        return DecisionState(decision=payload, awards=[])
    if isinstance(payload, AwardIssued):
        return state.model_copy(update={"awards": [*state.awards, payload]})
    return state


NOMINATION = Aggregate(
    "nomination", nomination.NominationState, nomination.initial, nomination.evolve
)
DECISION = Aggregate("decision", DecisionState, DecisionState, _decision_evolve)


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


def _seen(ctx: Context, kind: str, key: str) -> StoredEvent | None:
    return ctx.store.get(kind, key, StoredEvent)[0]


def _remember(ctx: Context, kind: str, key: str, item: StoredEvent) -> None:
    ctx.store.put(kind, key, item, item.sequence)


# ---- events ---------------------------------------------------------------------------


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
        ctx.store.put("proposal", payload.proposal_id, view, item.sequence)
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


def _index_decision(ctx: Context, item: StoredEvent, payload: EventPayload) -> None:
    """Look-ups the writer and the consumer both keep: numbers used, proposals awarded."""
    if isinstance(payload, DecisionSigned):
        key = _number_key(item.envelope.movement_id, payload.signed_on.year, payload.number)
        ctx.store.put(
            "decision-number",
            key,
            item,
            item.sequence,
        )
    elif isinstance(payload, AwardIssued):
        ctx.store.put("awarded", payload.proposal_id, payload, item.sequence)
        view = ctx.store.get("proposal", payload.proposal_id, ProposalView)[0]
        if view is not None:
            title = _Title(
                subject_id=payload.recipient_id,
                year=view.envelope.payload["year"],
                award_code=payload.award_code,
            )
            ctx.store.put("title", payload.award_id, title, item.sequence)


def _number_key(movement_id: str, year: int, number: str) -> str:
    # Numbers run per issuer per calendar year (NĐ30 Điều 15).
    return f"{movement_id}/{year}/{number}"


async def _appraise_pending(cause: StoredEvent, unit_id: str, ctx: Context) -> None:
    """Proposals waiting for their unit's final score sheet are appraised in id order."""
    pending = [
        view
        for _key, view, _seq in ctx.store.all("proposal", ProposalView)
        if view.pending
        and view.envelope.movement_id == cause.envelope.movement_id
        and view.envelope.payload["unit_id"] == unit_id
    ]
    for index, view in enumerate(pending):
        await _appraise(cause, index, view, ctx)


def _sheet_key(view: ProposalView) -> str:
    return f"{view.envelope.movement_id}/{view.envelope.payload['unit_id']}/tong-ket"


async def _appraise(cause: StoredEvent, index: int, view: ProposalView, ctx: Context) -> None:
    """The dossier first (one request to supplement, listing every defect), then the criteria;
    a dossier still incomplete after the supplement fails with reason incomplete_dossier."""
    proposal = AwardProposed.model_validate(view.envelope.payload)
    m = view.envelope.movement_id
    pack, ref = _pack(ctx, m)
    subject = ctx.subject("nomination", m, proposal.proposal_id)
    state, _ = NOMINATION.load(ctx.store, subject)
    if state.eligibility is not None:
        return  # appraised already (a redelivery, or a second trigger)
    rule = pack.awards.get(proposal.award_code)
    items = [*proposal.dossier, *(state.supplemented or [])]
    defects = dossier.defects(items, rule) if rule else []
    if defects and state.supplement is None:
        request = dossier.request(proposal, defects, rule)  # type: ignore[arg-type]
        event = computed_event(
            cause.envelope, index, subject, request, [view.event], ref, proposal.proposal_id
        )
        await NOMINATION.append(ctx.store, ctx.log, subject, [event], parse_payload)
        _done(ctx, view)
        return
    if defects and state.supplemented is None:
        return  # waits for the supplement
    registration = _seen(ctx, "registration", f"{m}/{proposal.unit_id}")
    report = _seen(ctx, "report", f"{m}/{proposal.unit_id}/tong-ket")
    sheet = _seen(ctx, "sheet", f"{m}/{proposal.unit_id}/tong-ket")
    records, relevant = _records_about(ctx, m, proposal)
    facts = eligibility.Facts(
        registered=registration is not None,
        report_submitted=report is not None,
        report_late=bool(report and report.envelope.payload.get("late")),
        score_total=sheet.envelope.payload["total"] if sheet else None,
        score_max=sheet.envelope.payload["max_total"] if sheet else None,
        **records,
    )
    assessed = eligibility.assess(proposal, facts, pack)
    if rule is not None and rule.dossier:
        check = dossier.check(defects, rule)
        assessed = assessed.model_copy(
            update={
                "checks": [check, *assessed.checks],
                "eligible": assessed.eligible and check.passed,
                "reason_code": None if check.passed else "incomplete_dossier",
            }
        )
    inputs = [view.event] + [s for s in (registration, report, sheet) if s] + relevant
    event = computed_event(
        cause.envelope, index, subject, assessed, inputs, ref, correlation_id=proposal.proposal_id
    )
    _note(ctx, await NOMINATION.append(ctx.store, ctx.log, subject, [event], parse_payload))
    _done(ctx, view)


def _done(ctx: Context, view: ProposalView) -> None:
    ctx.store.put(
        "proposal",
        view.envelope.payload["proposal_id"],
        ProposalView(event=view.event, pending=False),
        view.event.sequence,
    )


RECORD_TYPES = (
    RatingRecorded,
    DisciplineRecorded,
    InitiativeRecognised,
    PriorAwardRecorded,
    HeadcountRecorded,
)


def _records_about(
    ctx: Context, m: str, proposal: AwardProposed
) -> tuple[dict[str, Any], list[StoredEvent]]:
    """The facts the criteria read, from the records and awards the log holds so far, and the
    events among them that concern this subject (the decision's inputs)."""
    movement = _seen(ctx, "movement", m)
    definition = _defined(movement) if (movement) else None
    members = (
        [p.person_id for p in definition.persons if p.unit_id == proposal.unit_id]
        if (definition and proposal.subject_kind == "tap_the")
        else []
    )
    concerned = {proposal.subject_id, *members}
    kept = _records_of(ctx, m, {*concerned, proposal.unit_id})
    ratings: dict[tuple[str, int], str] = {}
    discipline: dict[tuple[str, int], list[str]] = {}
    initiatives: list[eligibility.Initiative] = []
    titles: set[tuple[str, int, str]] = set()
    headcount: int | None = None
    relevant: list[StoredEvent] = []
    for item in kept:
        data = item.envelope.payload
        subject = data.get("subject_id") or data.get("person_id") or data.get("unit_id")
        kind = item.envelope.type
        if kind == RatingRecorded.TYPE and data["kind"] == "nhiem_vu":
            ratings[(data["subject_id"], data["year"])] = data["value"]
        elif kind == DisciplineRecorded.TYPE:
            discipline.setdefault((data["subject_id"], data["year"]), []).append(data["level"])
        elif kind == InitiativeRecognised.TYPE:
            initiatives.append(
                eligibility.Initiative(
                    data["initiative_id"],
                    data["person_id"],
                    data["level"],
                    int(data["recognised_on"][:4]),
                )
            )
        elif kind == PriorAwardRecorded.TYPE:
            titles.add((data["subject_id"], data["year"], data["award_code"]))
        elif (
            kind == HeadcountRecorded.TYPE
            and data["unit_id"] == proposal.unit_id
            and (data["year"] == proposal.year)
        ):
            headcount = data["headcount"]
            subject = proposal.subject_id
        if subject in concerned:
            relevant.append(item)
    for _key, award, _seq in ctx.store.all("title", _Title):
        if not award.revoked:  # a revoked title no longer counts in any chain
            titles.add((award.subject_id, award.year, award.award_code))
    honour = ctx.store.get("honoured", f"{m}/{proposal.subject_id}", StoredEvent)[0]
    if honour is not None:
        relevant.append(honour)
    used = ctx.store.get("initiative-used", m, _Ids)[0]
    forms = ctx.store.get("eligible-forms", f"{m}/{proposal.subject_id}/{proposal.year}", _Ids)[0]
    return {
        "ratings": ratings,
        "discipline": discipline,
        "initiatives": initiatives,
        "used_initiatives": frozenset(used.ids if used else []),
        "titles": frozenset(titles),
        "other_forms": [f for f in (forms.ids if forms else []) if f != proposal.award_code],
        "members": members,
        "headcount": headcount,
        "honoured_units": frozenset({proposal.subject_id} if honour is not None else set()),
    }, relevant


def _keep_record(ctx: Context, m: str, item: StoredEvent, payload: EventPayload) -> None:
    """Kept per subject: one movement's records run to tens of thousands, and one list for all
    of them made every record (and every appraisal) read and write the whole list."""
    key = f"{m}/{_record_subject(item)}"
    kept = ctx.store.get("records-of", key, _EventList)[0]
    items = list(kept.items) if kept else []
    if any(i.envelope.event_id == item.envelope.event_id for i in items):
        return
    ctx.store.put("records-of", key, _EventList(items=[*items, item]), item.sequence)
    # Quotas read every unit's headcount and everyone's prior titles: a list per movement too.
    for kind, wanted in (
        ("headcounts-of", HeadcountRecorded),
        ("prior-awards-of", PriorAwardRecorded),
    ):
        if isinstance(payload, wanted):
            listed = ctx.store.get(kind, m, _EventList)[0]
            kept_list = [*(listed.items if listed else []), item]
            ctx.store.put(kind, m, _EventList(items=kept_list), item.sequence)


def _record_subject(item: StoredEvent) -> str:
    data = item.envelope.payload
    return str(data.get("subject_id") or data.get("person_id") or data.get("unit_id"))


def _records_of(ctx: Context, m: str, subjects: set[str]) -> list[StoredEvent]:
    """The records about these subjects, in log order (a database folded before records were
    kept per subject holds them in one list per movement: read that too)."""
    found: dict[str, StoredEvent] = {}
    legacy = ctx.store.get("records", m, _EventList)[0]
    for item in legacy.items if legacy else []:
        if _record_subject(item) in subjects:
            found.setdefault(item.envelope.event_id, item)
    for subject in sorted(subjects):
        kept = ctx.store.get("records-of", f"{m}/{subject}", _EventList)[0]
        for item in kept.items if kept else []:
            found.setdefault(item.envelope.event_id, item)
    return sorted(found.values(), key=lambda i: i.sequence)


class _Ids(BaseModel):
    model_config = ConfigDict(frozen=True)

    ids: list[str] = []


class _Title(BaseModel):
    model_config = ConfigDict(frozen=True)

    subject_id: str
    year: int
    award_code: str
    revoked: bool = False


def _after_appraisal(ctx: Context, item: StoredEvent, assessed: EligibilityAssessed) -> None:
    """An eligible proposal claims its achievement (one form) and its initiatives (no reuse)."""
    if not assessed.eligible:
        return
    m = item.envelope.movement_id
    view = ctx.store.get("proposal", assessed.proposal_id, ProposalView)[0]
    year = view.envelope.payload["year"] if view else 0
    key = f"{m}/{assessed.subject_id}/{year}"
    forms = ctx.store.get("eligible-forms", key, _Ids)[0] or _Ids()
    if assessed.award_code not in forms.ids:
        ctx.store.put(
            "eligible-forms", key, _Ids(ids=[*forms.ids, assessed.award_code]), item.sequence
        )
    claimed = [
        i
        for c in assessed.checks
        if c.code == "initiatives" and c.passed
        for i in _claimable(ctx, m, assessed, year)
    ]
    if claimed:
        used = ctx.store.get("initiative-used", m, _Ids)[0] or _Ids()
        ctx.store.put("initiative-used", m, _Ids(ids=sorted({*used.ids, *claimed})), item.sequence)


def _claimable(ctx: Context, m: str, assessed: EligibilityAssessed, year: int) -> list[str]:
    pack, _ = _pack(ctx, m)
    rule = pack.awards.get(assessed.award_code)
    criterion = next((c for c in rule.criteria if c.check == "initiatives"), None) if rule else None
    if criterion is None:
        return []
    kept = _records_of(ctx, m, {assessed.subject_id})
    used = set((ctx.store.get("initiative-used", m, _Ids)[0] or _Ids()).ids)
    window = range(year - criterion.years + 1, year + 1)
    fresh = sorted(
        (int(i.envelope.payload["recognised_on"][:4]), i.envelope.payload["initiative_id"])
        for i in kept
        if i.envelope.type == InitiativeRecognised.TYPE
        and i.envelope.payload["person_id"] == assessed.subject_id
        and i.envelope.payload["level"] in criterion.levels
        and int(i.envelope.payload["recognised_on"][:4]) in window
        and i.envelope.payload["initiative_id"] not in used
    )
    return [initiative for _year, initiative in fresh[: criterion.count]]


# ---- commands -------------------------------------------------------------------------


def _proposal(ctx: Context, proposal_id: str, field: str) -> ProposalView:
    view = ctx.store.get("proposal", proposal_id, ProposalView)[0]
    if view is None:
        raise Rejected(ErrorCode.UNKNOWN_PROPOSAL, field, proposal_id)
    return view


async def record_tally(command: RecordTally, ctx: Context) -> list[StoredEvent]:
    view = _proposal(ctx, command.proposal_id, "proposal_id")
    if view.envelope.movement_id != command.movement_id:
        raise Rejected(ErrorCode.UNKNOWN_PROPOSAL, "proposal_id", "not in this movement")
    subject = ctx.subject("nomination", command.movement_id, command.proposal_id)
    state, _ = NOMINATION.load(ctx.store, subject)
    tally = ballot.decide_tally(command, state)
    pack, _ref = _pack(ctx, command.movement_id)
    rule = pack.awards.get(view.envelope.payload["award_code"])
    if rule is not None:
        session = ctx.store.get("session", f"{command.movement_id}/{command.session_id}", _Session)
        held = _notice_of(ctx.store, command.proposal_id)
        council.check_tally(
            command,
            council.Gate(
                rule=rule,
                session=session[0].domain() if session[0] else None,
                notice=held.status() if held else None,
                proposal_id=command.proposal_id,
                excluded=state.excluded.reason_code if state.excluded else None,
            ),
        )
    # The outcome follows from the tally on the consumer path, so a crash between the two
    # can never leave a tally without its outcome.
    return await NOMINATION.append(
        ctx.store,
        ctx.log,
        subject,
        [human_event(command, subject, tally, ctx.now, command.proposal_id)],
        parse_payload,
    )


async def _decide_outcome(item: StoredEvent, tally: BallotTallied, ctx: Context) -> None:
    subject = item.envelope.subject
    state, _ = NOMINATION.load(ctx.store, subject)
    if state.tally_event_id != item.envelope.event_id or state.outcome is not None:
        return  # a later tally superseded this one, or its outcome is already recorded
    view = ctx.store.get("proposal", tally.proposal_id, ProposalView)[0]
    if view is None:
        raise LookupError(f"tally for unknown proposal {tally.proposal_id}")
    pack, ref = _pack(ctx, item.envelope.movement_id)
    outcome = ballot.decide_outcome(tally, view.envelope.payload["award_code"], pack)
    event = computed_event(item.envelope, 0, subject, outcome, [item], ref)
    _note(ctx, await NOMINATION.append(ctx.store, ctx.log, subject, [event], parse_payload))


async def sign_decision(command: SignDecision, ctx: Context) -> list[StoredEvent]:
    if _seen(ctx, "movement", command.movement_id) is None:
        raise Rejected(ErrorCode.UNKNOWN_MOVEMENT, "movement_id", command.movement_id)
    pack, _ref = _pack(ctx, command.movement_id)
    candidates = _candidates(ctx, command.movement_id, list(command.proposal_ids))
    number_key = _number_key(command.movement_id, command.signed_on.year, command.number)
    taken = ctx.store.get("decision-number", number_key, StoredEvent)[0] is not None
    signed = decision.decide_sign(command, candidates, taken, pack)
    subject = ctx.subject("decision", command.movement_id, command.decision_id)
    stored = await DECISION.append(
        ctx.store,
        ctx.log,
        subject,
        [human_event(command, subject, signed, ctx.now)],
        parse_payload,
    )
    _index_decision(ctx, stored[0], signed)
    return stored


async def _issue_awards(item: StoredEvent, signed: DecisionSigned, ctx: Context) -> int:
    """One AwardIssued per recipient of a signed decision, each resting on its nomination, and
    a flag when the prizes would overdraw the city's award fund. Returns the prizes' total."""
    subject = item.envelope.subject
    state, _ = DECISION.load(ctx.store, subject)
    movement = _seen(ctx, "movement", item.envelope.movement_id)
    if movement is None:
        raise LookupError(f"decision in unknown movement {item.envelope.movement_id}")
    definition = _defined(movement)
    pack, ref = _pack(ctx, item.envelope.movement_id)
    awards = []
    issued_list = []
    for i, proposal_id in enumerate(signed.proposal_ids, start=1):
        view = ctx.store.get("proposal", proposal_id, ProposalView)[0]
        if view is None:
            raise LookupError(f"decision names unknown proposal {proposal_id}")
        proposal = AwardProposed.model_validate(view.envelope.payload)
        issued = decision.issue_award(
            derived_id(item.envelope.event_id, i), signed, proposal, definition, pack
        )
        issued_list.append(issued)
        nomination_subject = ctx.subject("nomination", item.envelope.movement_id, proposal_id)
        awards.append(
            computed_event(
                item.envelope,
                i,
                subject,
                issued,
                [item, view.event, *_nomination_events(ctx, nomination_subject)],
                ref,
                correlation_id=proposal_id,
            )
        )
    needed = sum(a.prize_vnd for a in issued_list)
    if state.awards:
        return needed  # issued already (this is a redelivery)
    key = f"{item.envelope.movement_id}/cap_huyen"
    held = ctx.store.get("fund", key, fund.FundState)
    flag = fund.overdraw(signed.decision_id, "cap_huyen", held[0] or fund.FundState(), needed)
    if flag is not None:
        awards.append(computed_event(item.envelope, len(awards) + 1, subject, flag, [item], ref))
    for stored in await DECISION.append(ctx.store, ctx.log, subject, awards, parse_payload):
        _index_decision(ctx, stored, parse_payload(stored.envelope))
    return needed


def _pay(ctx: Context, item: StoredEvent, level: str, amount: int) -> None:
    key = f"{item.envelope.movement_id}/{level}"
    state = ctx.store.get("fund", key, fund.FundState)[0] or fund.FundState()
    ctx.store.put("fund", key, fund.pay(state, amount), item.sequence)


class _EventList(BaseModel):
    model_config = ConfigDict(frozen=True)

    items: list[StoredEvent]


def _nomination_events(ctx: Context, subject: str) -> list[StoredEvent]:
    """The appraisal and the passing ballot outcome an award rests on, with sequences."""
    seen = ctx.store.get("nomination-events", subject, _EventList)[0]
    return [s for s in seen.items] if seen else []


def _note(ctx: Context, items: list[StoredEvent]) -> None:
    """Keep the sequences of a nomination's decisive events, for the inputs of its award."""
    for item in items:
        subject = item.envelope.subject
        current = ctx.store.get("nomination-events", subject, _EventList)[0]
        kept = list(current.items) if current else []
        if any(s.envelope.event_id == item.envelope.event_id for s in kept):
            continue
        seen = item
        if item.envelope.type == EligibilityAssessed.TYPE:
            kept = [seen]
        elif item.envelope.type == BallotOutcomeDecided.TYPE:
            kept = [*kept[:1], seen]
        else:
            continue
        ctx.store.put("nomination-events", subject, _EventList(items=kept), item.sequence)


# ---- queries --------------------------------------------------------------------------


# ---- upward and revocation ------------------------------------------------------------


def _candidates(
    ctx: Context, movement_id: str, proposal_ids: list[str]
) -> list[decision.Candidate]:
    found = []
    for i, proposal_id in enumerate(proposal_ids):
        view = _proposal(ctx, proposal_id, f"proposal_ids.{i}")
        subject = ctx.subject("nomination", movement_id, proposal_id)
        if view.envelope.movement_id != movement_id:
            raise Rejected(ErrorCode.UNKNOWN_PROPOSAL, f"proposal_ids.{i}", "not in this movement")
        state = NOMINATION.load(ctx.store, subject)[0]
        found.append(
            decision.Candidate(
                proposal=AwardProposed.model_validate(view.envelope.payload),
                state=state,
                already_awarded=ctx.store.get("awarded", proposal_id, AwardIssued)[0] is not None,
                quota_pending=_quota_pending(ctx, movement_id, view, state),
            )
        )
    return found


def _quota_pending(
    ctx: Context, movement_id: str, view: ProposalView, state: nomination.NominationState
) -> bool:
    """A form with a quota is ranked when its council session closes; not before."""
    rule = _pack(ctx, movement_id)[0].awards.get(view.envelope.payload["award_code"])
    if rule is None or rule.quota is None or state.outcome is None:
        return False
    key = f"{movement_id}/{state.outcome.session_id}"
    session = ctx.store.get("session", key, _Session)[0]
    return session is None or session.closed_on is None


async def forward_upward(command: ForwardProposals, ctx: Context) -> list[StoredEvent]:
    pack, _ = _pack(ctx, command.movement_id)
    candidates = _candidates(ctx, command.movement_id, list(command.proposal_ids))
    forwarded = {key for key, _v, _s in ctx.store.all("forwarded", StoredEvent)}
    payload = upward.decide_forward(command, candidates, forwarded, pack)
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
    definition = _defined(movement)
    pack, ref = _pack(ctx, m)
    proposal = AwardProposed.model_validate(view.envelope.payload)
    issued = decision.award_for(
        derived_id(item.envelope.event_id, 1),
        answer.submission_id,
        answer.decision_ref[:60],
        answer.decided_on,
        proposal,
        definition,
        pack,
    )
    subject = ctx.subject("nomination", m, answer.proposal_id)
    _pay(ctx, item, pack.awards[proposal.award_code].fund_level, issued.prize_vnd)
    event = computed_event(
        item.envelope,
        1,
        subject,
        issued,
        [item, view.event, *_nomination_events(ctx, subject)],
        ref,
        correlation_id=answer.proposal_id,
    )
    for stored in await NOMINATION.append(ctx.store, ctx.log, subject, [event], parse_payload):
        _index_decision(ctx, stored, parse_payload(stored.envelope))


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


def list_awards(query: ListAwards, store: Store, settings: Settings) -> Any:
    rows = []
    for _key, award, seq in store.all("awarded", AwardIssued):
        rows.append({**award.model_dump(mode="json"), "sequence": seq})
    rows.sort(key=lambda r: r["sequence"])
    return rows


# ---- dossier, public notice, council sessions, quotas --------------------------


class _Notice(BaseModel):
    model_config = ConfigDict(frozen=True)

    notice: NoticePosted
    objections: dict[str, ObjectionRecorded] = {}
    resolved: dict[str, ObjectionResolved] = {}

    def status(self) -> NoticeStatus:
        return NoticeStatus(self.notice, dict(self.objections), dict(self.resolved))


class _Session(BaseModel):
    model_config = ConfigDict(frozen=True)

    opened: CouncilSessionOpened
    closed_on: date | None = None

    def domain(self) -> council.Session:
        return council.Session(self.opened, self.closed_on)


class _Key(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str


def _index_notice(ctx: Context, item: StoredEvent, payload: EventPayload) -> None:
    m = item.envelope.movement_id
    if isinstance(payload, NoticePosted):
        key = f"{m}/{payload.notice_id}"
        if ctx.store.get("notice", key, _Notice)[0] is None:
            ctx.store.put("notice", key, _Notice(notice=payload), item.sequence)
        for proposal_id in payload.proposal_ids:
            ctx.store.put("notice-of", proposal_id, _Key(key=key), item.sequence)
        return
    assert isinstance(payload, ObjectionRecorded | ObjectionResolved)
    key = f"{m}/{payload.notice_id}"
    held = ctx.store.get("notice", key, _Notice)[0]
    if held is None:
        raise LookupError(f"objection to unknown notice {payload.notice_id}")
    if isinstance(payload, ObjectionRecorded):
        changed = held.model_copy(
            update={"objections": {**held.objections, payload.objection_id: payload}}
        )
    else:
        changed = held.model_copy(
            update={"resolved": {**held.resolved, payload.objection_id: payload}}
        )
    ctx.store.put("notice", key, changed, item.sequence)


def _notice_of(store: Store, proposal_id: str) -> _Notice | None:
    ref = store.get("notice-of", proposal_id, _Key)[0]
    return store.get("notice", ref.key, _Notice)[0] if ref else None


async def _exclude_on_objection(
    item: StoredEvent, resolved: ObjectionResolved, ctx: Context
) -> None:
    m = item.envelope.movement_id
    subject = ctx.subject("nomination", m, resolved.proposal_id)
    state, _ = NOMINATION.load(ctx.store, subject)
    view = ctx.store.get("proposal", resolved.proposal_id, ProposalView)[0]
    if state.excluded is not None or view is None:
        return
    _, ref = _pack(ctx, m)
    excluded = notice.exclusion(resolved, view.envelope.payload["award_code"])
    event = computed_event(item.envelope, 0, subject, excluded, [item], ref, resolved.proposal_id)
    await NOMINATION.append(ctx.store, ctx.log, subject, [event], parse_payload)


def _index_session(ctx: Context, item: StoredEvent, payload: EventPayload) -> None:
    m = item.envelope.movement_id
    if isinstance(payload, CouncilSessionOpened):
        key = f"{m}/{payload.session_id}"
        if ctx.store.get("session", key, _Session)[0] is None:
            ctx.store.put("session", key, _Session(opened=payload), item.sequence)
        return
    assert isinstance(payload, CouncilSessionClosed)
    key = f"{m}/{payload.session_id}"
    held = ctx.store.get("session", key, _Session)[0]
    if held is None:
        raise LookupError(f"closing unknown session {payload.session_id}")
    ctx.store.put(
        "session", key, held.model_copy(update={"closed_on": payload.closed_on}), item.sequence
    )


def _views(store: Store, m: str) -> list[ProposalView]:
    found = [v for _k, v, _s in store.all("proposal", ProposalView) if v.envelope.movement_id == m]
    return sorted(found, key=lambda v: v.event.sequence)


def _nomination_subject(settings: Settings, m: str, proposal_id: str) -> str:
    return subjects.event_subject(
        settings.subject_prefix, "nominations", "nomination", m, proposal_id
    )


async def _apply_quotas(item: StoredEvent, closed: CouncilSessionClosed, ctx: Context) -> None:
    """When the session closes, those who passed a form with a quota are ranked (votes, then
    the women's priority) and the ones beyond it excluded, each with its rank and the quota."""
    m = item.envelope.movement_id
    pack, ref = _pack(ctx, m)
    movement = _seen(ctx, "movement", m)
    if movement is None:
        return
    definition = _defined(movement)
    heads = _headcounts(ctx, m)
    by_award: dict[str, list[tuple[ProposalView, nomination.NominationState]]] = {}
    for view in _views(ctx.store, m):
        state, _ = NOMINATION.load(
            ctx.store, ctx.subject("nomination", m, view.envelope.payload["proposal_id"])
        )
        o = state.outcome
        code = view.envelope.payload["award_code"]
        rule = pack.awards.get(code)
        if (
            rule
            and rule.quota
            and o
            and o.passed
            and o.session_id == closed.session_id
            and state.excluded is None
        ):
            by_award.setdefault(code, []).append((view, state))
    index = 0
    for code, entries in sorted(by_award.items()):
        rule = pack.awards[code]
        assert rule.quota is not None
        q = rule.quota
        titles = _all_titles(ctx, m)
        passed, basis = [], {}
        for view, state in entries:
            p = AwardProposed.model_validate(view.envelope.payload)
            unit = definition.unit(p.unit_id)
            group = {
                "unit": p.unit_id,
                "block": unit.block_id if unit else p.unit_id,
                "movement": m,
            }[q.per]
            person = definition.person(p.subject_id) if p.subject_kind == "ca_nhan" else None
            hc = heads.get((p.subject_id, p.year))
            priority = quota.has_priority(
                person.sex if person else None,
                hc[1] if hc else None,
                hc[0] if hc else None,
                pack.women_priority_share,
            )
            assert state.outcome is not None
            passed.append(quota.Passed(p.proposal_id, group, state.outcome.yes_total, priority))
            if q.of == "ldtt_titles":
                units = {u.unit_id for u in definition.units if group in (u.unit_id, u.block_id, m)}
                basis[group] = sum(
                    1
                    for person_ in definition.persons
                    if person_.unit_id in units and (person_.person_id, p.year, "LDTT") in titles
                )
            elif q.of == "passed":
                basis[group] = sum(
                    1
                    for v in _views(ctx.store, m)
                    if v.envelope.payload["award_code"] == q.of_award
                    and NOMINATION.load(
                        ctx.store, ctx.subject("nomination", m, v.envelope.payload["proposal_id"])
                    )[0].passed
                )
        for excluded in quota.apply(passed, q, basis, code, closed.session_id, closed.closed_on):
            subject = ctx.subject("nomination", m, excluded.proposal_id)
            index += 1
            event = computed_event(
                item.envelope,
                index,
                subject,
                excluded,
                [item, *_nomination_events(ctx, subject)],
                ref,
                excluded.proposal_id,
            )
            await NOMINATION.append(ctx.store, ctx.log, subject, [event], parse_payload)


def _all_titles(ctx: Context, m: str) -> frozenset[tuple[str, int, str]]:
    """Everyone's titles: prior awards from the records and the awards issued, unless revoked."""
    legacy = ctx.store.get("records", m, _EventList)[0]
    kept = ctx.store.get("prior-awards-of", m, _EventList)[0]
    titles = {
        (
            i.envelope.payload["subject_id"],
            i.envelope.payload["year"],
            i.envelope.payload["award_code"],
        )
        for i in [*(legacy.items if legacy else []), *(kept.items if kept else [])]
        if i.envelope.type == PriorAwardRecorded.TYPE
    }
    for _key, award, _seq in ctx.store.all("title", _Title):
        if not award.revoked:
            titles.add((award.subject_id, award.year, award.award_code))
    return frozenset(titles)


def _headcounts(ctx: Context, m: str) -> dict[tuple[str, int], tuple[int, int]]:
    legacy = ctx.store.get("records", m, _EventList)[0]
    kept = ctx.store.get("headcounts-of", m, _EventList)[0]
    found: dict[tuple[str, int], tuple[int, int]] = {}
    items = [*(legacy.items if legacy else []), *(kept.items if kept else [])]
    for item in sorted(items, key=lambda i: i.sequence):
        if item.envelope.type == HeadcountRecorded.TYPE:
            d = item.envelope.payload
            found[(d["unit_id"], d["year"])] = (d["headcount"], d["women"])
    return found


async def _append_human(
    ctx: Context, command: Any, subject: str, payload: EventPayload, correlation: str | None = None
) -> list[StoredEvent]:
    return await ctx.log.append(
        [human_event(command, subject, payload, ctx.now, correlation)],
        await ctx.log.last_subject_sequence(subject),
    )


def _movement_pack(ctx: Context, movement_id: str) -> RulePack:
    if _seen(ctx, "movement", movement_id) is None:
        raise Rejected(ErrorCode.UNKNOWN_MOVEMENT, "movement_id", movement_id)
    return _pack(ctx, movement_id)[0]


async def supplement_dossier(command: SupplementDossier, ctx: Context) -> list[StoredEvent]:
    view = _proposal(ctx, command.proposal_id, "proposal_id")
    if view.envelope.movement_id != command.movement_id:
        raise Rejected(ErrorCode.UNKNOWN_PROPOSAL, "proposal_id", "not in this movement")
    unit = view.envelope.payload["unit_id"]
    role = command.actor.role
    if not (role == Role.PHONG_NOI_VU or (role == Role.UNIT_CLERK and command.actor.unit == unit)):
        raise Rejected(ErrorCode.FORBIDDEN, "actor", "the proposing unit or the Phòng Nội vụ")
    subject = ctx.subject("nomination", command.movement_id, command.proposal_id)
    state, _ = NOMINATION.load(ctx.store, subject)
    if state.status != "RETURNED_FOR_SUPPLEMENT":
        raise Rejected(ErrorCode.WRONG_STATE, "proposal_id", state.status)
    payload = DossierSupplemented(
        proposal_id=command.proposal_id, items=list(command.items), received_on=command.received_on
    )
    return await NOMINATION.append(
        ctx.store,
        ctx.log,
        subject,
        [human_event(command, subject, payload, ctx.now, command.proposal_id)],
        parse_payload,
    )


async def post_notice(command: PostNotice, ctx: Context) -> list[StoredEvent]:
    pack = _movement_pack(ctx, command.movement_id)
    states = []
    for i, proposal_id in enumerate(command.proposal_ids):
        view = _proposal(ctx, proposal_id, f"proposal_ids.{i}")
        if view.envelope.movement_id != command.movement_id:
            raise Rejected(ErrorCode.UNKNOWN_PROPOSAL, f"proposal_ids.{i}", "not in this movement")
        states.append(
            NOMINATION.load(ctx.store, ctx.subject("nomination", command.movement_id, proposal_id))[
                0
            ]
        )
    noticed = {
        p for p in command.proposal_ids if ctx.store.get("notice-of", p, _Key)[0] is not None
    }
    exists = (
        ctx.store.get("notice", f"{command.movement_id}/{command.notice_id}", _Notice)[0]
        is not None
    )
    payload = notice.decide_post(
        command, states, noticed, exists, _calendar(command.posted_on.year), pack
    )
    subject = ctx.subject("notice", command.movement_id, command.notice_id)
    stored = await _append_human(ctx, command, subject, payload)
    _index_notice(ctx, stored[0], payload)
    return stored


async def record_objection(command: RecordObjection, ctx: Context) -> list[StoredEvent]:
    held = ctx.store.get("notice", f"{command.movement_id}/{command.notice_id}", _Notice)[0]
    payload = notice.decide_objection(command, held.status() if held else None)
    subject = ctx.subject("notice", command.movement_id, command.notice_id)
    stored = await _append_human(ctx, command, subject, payload, command.proposal_id)
    _index_notice(ctx, stored[0], payload)
    return stored


async def resolve_objection(command: ResolveObjection, ctx: Context) -> list[StoredEvent]:
    held = ctx.store.get("notice", f"{command.movement_id}/{command.notice_id}", _Notice)[0]
    payload = notice.decide_resolution(command, held.status() if held else None)
    subject = ctx.subject("notice", command.movement_id, command.notice_id)
    stored = await _append_human(ctx, command, subject, payload, payload.proposal_id)
    _index_notice(ctx, stored[0], payload)
    return stored


async def open_session(command: OpenSession, ctx: Context) -> list[StoredEvent]:
    _movement_pack(ctx, command.movement_id)
    key = f"{command.movement_id}/{command.session_id}"
    payload = council.decide_open(command, ctx.store.get("session", key, _Session)[0] is not None)
    subject = ctx.subject("session", command.movement_id, command.session_id)
    stored = await _append_human(ctx, command, subject, payload)
    _index_session(ctx, stored[0], payload)
    return stored


async def close_session(command: CloseSession, ctx: Context) -> list[StoredEvent]:
    key = f"{command.movement_id}/{command.session_id}"
    held = ctx.store.get("session", key, _Session)[0]
    payload = council.decide_close(command, held.domain() if held else None)
    subject = ctx.subject("session", command.movement_id, command.session_id)
    # The quotas follow on the consumer path, so a crash after closing never skips them.
    stored = await _append_human(ctx, command, subject, payload)
    _index_session(ctx, stored[0], payload)
    return stored


async def credit_fund(command: CreditFund, ctx: Context) -> list[StoredEvent]:
    _movement_pack(ctx, command.movement_id)
    payload = fund.decide_credit(command)
    subject = ctx.subject("fund", command.movement_id, command.level.replace("_", "-"))
    return await _append_human(ctx, command, subject, payload)


async def notify_result(command: NotifyResult, ctx: Context) -> list[StoredEvent]:
    pack = _movement_pack(ctx, command.movement_id)
    view = _proposal(ctx, command.proposal_id, "proposal_id")
    if view.envelope.movement_id != command.movement_id:
        raise Rejected(ErrorCode.UNKNOWN_PROPOSAL, "proposal_id", "not in this movement")
    settled = _settled(ctx.store, ctx.settings, view)
    already = ctx.store.get("notified", command.proposal_id, StoredEvent)[0] is not None
    year = settled.on.year if settled else command.notified_on.year
    payload = notify.decide_notify(command, settled, already, _calendar(year), pack)
    subject = ctx.subject("nomination", command.movement_id, command.proposal_id)
    event = human_event(command, subject, payload, ctx.now, command.proposal_id)
    stored = await NOMINATION.append(ctx.store, ctx.log, subject, [event], parse_payload)
    ctx.store.put("notified", command.proposal_id, stored[0], stored[0].sequence)
    return stored


@cache
def _calendar(year: int) -> WorkCalendar:
    return state_calendar(range(year, year + 2))


def _settled(store: Store, settings: Settings, view: ProposalView) -> notify.Settled | None:
    pid = view.envelope.payload["proposal_id"]
    award = store.get("awarded", pid, AwardIssued)[0]
    if award is not None:
        return notify.Settled("result", award.signed_on, "", "decision")
    answer = store.get("answer", pid, StoredEvent)[0]
    if answer is not None and answer.envelope.payload["outcome"] == "rejected":
        p = answer.envelope.payload
        return notify.Settled(
            "rejection", date.fromisoformat(p["decided_on"]), p["reason"], "higher_rejected"
        )
    state, _ = NOMINATION.load(store, _nomination_subject(settings, view.envelope.movement_id, pid))
    if state.eligibility is not None and not state.eligibility.eligible and state.eligibility_on:
        reasons = "; ".join(c.detail_vi for c in state.eligibility.checks if not c.passed)
        return notify.Settled("rejection", state.eligibility_on, reasons, "appraisal")
    if state.excluded is not None and state.excluded.reason_code != "quota_tie":
        ex = state.excluded
        return notify.Settled("rejection", ex.decided_on, ex.detail_vi, ex.reason_code)
    if state.outcome is not None and not state.outcome.passed and state.tally_on:
        return notify.Settled("rejection", state.tally_on, state.outcome.reason_vi, "council")
    return None


# ---- queries -------------------------------------------------------------------


def _pipeline_status(store: Store, settings: Settings, view: ProposalView) -> str:
    pid = view.envelope.payload["proposal_id"]
    state, _ = NOMINATION.load(store, _nomination_subject(settings, view.envelope.movement_id, pid))
    award = store.get("awarded", pid, AwardIssued)[0]
    if award is not None:
        revoked = store.get("revoked", award.award_id, StoredEvent)[0]
        return "REVOKED" if revoked else "ISSUED"
    answer = store.get("answer", pid, StoredEvent)[0]
    if answer is not None and answer.envelope.payload["outcome"] == "rejected":
        status = "REJECTED_BY_HIGHER"
    elif store.get("forwarded", pid, StoredEvent)[0] is not None:
        return "FORWARDED_UPWARD"
    else:
        status = state.status
    if status == "APPRAISED_ELIGIBLE" and store.get("notice-of", pid, _Key)[0] is not None:
        status = "PUBLIC_NOTICE"
    if status != "COUNCIL_VOTED_PASS" and store.get("notified", pid, StoredEvent)[0] is not None:
        return "NOTIFIED_REJECTED" if _settled(store, settings, view) else status
    return status


def _row(store: Store, settings: Settings, view: ProposalView) -> dict[str, Any]:
    p = view.envelope.payload
    state, _ = NOMINATION.load(
        store, _nomination_subject(settings, view.envelope.movement_id, p["proposal_id"])
    )
    reason: str | None = None
    if state.excluded is not None:
        reason = state.excluded.reason_code
    elif state.eligibility is not None and not state.eligibility.eligible:
        reason = state.eligibility.reason_code or ",".join(
            c.code for c in state.eligibility.checks if not c.passed
        )
    elif state.outcome is not None and not state.outcome.passed:
        reason = "no_quorum" if not state.outcome.quorum_met else "below_threshold"
    return {
        "proposal_id": p["proposal_id"],
        "unit_id": p["unit_id"],
        "subject_id": p["subject_id"],
        "subject_name": p["subject_name"],
        "award_code": p["award_code"],
        "status": _pipeline_status(store, settings, view),
        "reason": reason,
        "sequence": view.event.sequence,
    }


def list_nominations(query: ListNominations, store: Store, settings: Settings) -> Any:
    rows = [_row(store, settings, v) for v in _views(store, query.movement_id)]
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    return {"rows": rows, "by_status": dict(sorted(counts.items()))}


def show_nomination(query: ShowNomination, store: Store, settings: Settings) -> Any:
    view = store.get("proposal", query.proposal_id, ProposalView)[0]
    if view is None:
        return None
    m = view.envelope.movement_id
    state, _ = NOMINATION.load(store, _nomination_subject(settings, m, query.proposal_id))
    held = _notice_of(store, query.proposal_id)
    notified = store.get("notified", query.proposal_id, StoredEvent)[0]
    award = store.get("awarded", query.proposal_id, AwardIssued)[0]
    return {
        **_row(store, settings, view),
        "proposal": view.envelope.payload,
        "supplement": state.supplement.model_dump(mode="json") if state.supplement else None,
        "supplemented": [i.model_dump(mode="json") for i in state.supplemented or []],
        "eligibility": state.eligibility.model_dump(mode="json") if state.eligibility else None,
        "outcome": state.outcome.model_dump(mode="json") if state.outcome else None,
        "excluded": state.excluded.model_dump(mode="json") if state.excluded else None,
        "notice": held.notice.model_dump(mode="json") if held else None,
        "objections": _objections(held, query.proposal_id),
        "notified": notified.envelope.payload if notified else None,
        "award": award.model_dump(mode="json") if award else None,
    }


def _objections(held: _Notice | None, proposal_id: str) -> list[dict[str, Any]]:
    if held is None:
        return []
    return [
        {
            **o.model_dump(mode="json"),
            "resolution": held.resolved[k].model_dump(mode="json") if k in held.resolved else None,
        }
        for k, o in held.objections.items()
        if o.proposal_id == proposal_id
    ]


def show_fund(query: ShowFund, store: Store, settings: Settings) -> Any:
    levels = []
    for level in ("cap_huyen", "cap_tinh"):
        state = store.get("fund", f"{query.movement_id}/{level}", fund.FundState)[0]
        if state is not None:
            levels.append({"level": level, **state.model_dump(), "balance_vnd": state.balance_vnd})
    return levels


def list_overdue(query: ListOverdue, store: Store, settings: Settings) -> Any:
    movement = store.get("movement", query.movement_id, StoredEvent)[0]
    if movement is None:
        return []
    wanted = MovementDefined.model_validate(movement.envelope.payload).definition.rule_pack.id
    pack = _installed_packs()[wanted][0]
    waiting = {}
    for view in _views(store, query.movement_id):
        pid = view.envelope.payload["proposal_id"]
        if store.get("notified", pid, StoredEvent)[0] is not None:
            continue
        settled = _settled(store, settings, view)
        if settled is not None:
            waiting[pid] = settled
    years = {s.on.year for s in waiting.values()} or {query.as_of.year}
    calendar = state_calendar(range(min(years), max(query.as_of.year, *years) + 1))
    return notify.overdue(waiting, calendar, pack, query.as_of)


@cache
def _installed_packs() -> dict[str, tuple[RulePack, RulesRef]]:
    return rule_packs.load_all()

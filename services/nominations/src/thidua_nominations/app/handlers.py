"""Nominations: appraise proposals as the log brings them; record tallies and decisions."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from thidua_contracts.commands import (
    ForwardProposals,
    ListAwards,
    RecordHigherAnswer,
    RecordTally,
    RevokeAward,
    SignDecision,
)
from thidua_contracts.envelope import Envelope, RulesRef
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import (
    AwardIssued,
    AwardProposed,
    AwardReviewFlagged,
    AwardRevoked,
    BallotOutcomeDecided,
    BallotTallied,
    BlockHonoured,
    DecisionSigned,
    DisciplineRecorded,
    EligibilityAssessed,
    EventPayload,
    HeadcountRecorded,
    HigherAnswerRecorded,
    InitiativeRecognised,
    MovementDefined,
    PriorAwardRecorded,
    ProposalsForwarded,
    RatingRecorded,
    ReportSubmitted,
    ScoreSheetRecorded,
    UnitRegistered,
)
from thidua_contracts.ids import derived_id
from thidua_contracts.movement import MovementDefinition
from thidua_kit.aggregate import Aggregate
from thidua_kit.db import Store
from thidua_kit.envelopes import computed_event, human_event
from thidua_kit.host import Context, parse_payload
from thidua_kit.log import StoredEvent
from thidua_kit.settings import Settings

from ..domain import ballot, decision, eligibility, nomination, revocation, upward
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
        # Kept per subject: one movement's records run to tens of thousands, and one list for
        # all of them made every record (and every appraisal) read and write the whole list.
        key = f"{m}/{_record_subject(item)}"
        kept = ctx.store.get("records-of", key, _EventList)[0]
        items = list(kept.items) if kept else []
        if all(i.envelope.event_id != item.envelope.event_id for i in items):
            ctx.store.put("records-of", key, _EventList(items=[*items, item]), item.sequence)
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
            await _issue_awards(item, payload, ctx)


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


async def _appraise(cause: StoredEvent, index: int, view: ProposalView, ctx: Context) -> None:
    proposal = AwardProposed.model_validate(view.envelope.payload)
    m = view.envelope.movement_id
    pack, ref = _pack(ctx, m)
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
    inputs = [view.event] + [s for s in (registration, report, sheet) if s] + relevant
    subject = ctx.subject("nomination", m, proposal.proposal_id)
    event = computed_event(
        cause.envelope, index, subject, assessed, inputs, ref, correlation_id=proposal.proposal_id
    )
    _note(ctx, await NOMINATION.append(ctx.store, ctx.log, subject, [event], parse_payload))
    ctx.store.put(
        "proposal",
        proposal.proposal_id,
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
    candidates = []
    for i, proposal_id in enumerate(command.proposal_ids):
        view = _proposal(ctx, proposal_id, f"proposal_ids.{i}")
        subject = ctx.subject("nomination", command.movement_id, proposal_id)
        candidates.append(
            decision.Candidate(
                proposal=AwardProposed.model_validate(view.envelope.payload),
                state=NOMINATION.load(ctx.store, subject)[0],
                already_awarded=ctx.store.get("awarded", proposal_id, AwardIssued)[0] is not None,
            )
        )
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


async def _issue_awards(item: StoredEvent, signed: DecisionSigned, ctx: Context) -> None:
    """One AwardIssued per recipient of a signed decision, each resting on its nomination."""
    subject = item.envelope.subject
    state, _ = DECISION.load(ctx.store, subject)
    if state.awards:
        return  # issued already (this is a redelivery)
    movement = _seen(ctx, "movement", item.envelope.movement_id)
    if movement is None:
        raise LookupError(f"decision in unknown movement {item.envelope.movement_id}")
    definition = _defined(movement)
    pack, ref = _pack(ctx, item.envelope.movement_id)
    awards = []
    for i, proposal_id in enumerate(signed.proposal_ids, start=1):
        view = ctx.store.get("proposal", proposal_id, ProposalView)[0]
        if view is None:
            raise LookupError(f"decision names unknown proposal {proposal_id}")
        proposal = AwardProposed.model_validate(view.envelope.payload)
        issued = decision.issue_award(
            derived_id(item.envelope.event_id, i), signed, proposal, definition, pack
        )
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
    for stored in await DECISION.append(ctx.store, ctx.log, subject, awards, parse_payload):
        _index_decision(ctx, stored, parse_payload(stored.envelope))


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
        found.append(
            decision.Candidate(
                proposal=AwardProposed.model_validate(view.envelope.payload),
                state=NOMINATION.load(ctx.store, subject)[0],
                already_awarded=ctx.store.get("awarded", proposal_id, AwardIssued)[0] is not None,
            )
        )
    return found


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

"""Appraisal: the dossier first (with one request to supplement), then the criteria, read
from the records the log holds."""

from __future__ import annotations

from datetime import date
from typing import Any

from thidua_contracts.commands import SupplementDossier
from thidua_contracts.envelope import Role
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import (
    AwardProposed,
    DisciplineRecorded,
    DossierSupplemented,
    EligibilityAssessed,
    EventPayload,
    HeadcountRecorded,
    InitiativeRecognised,
    PriorAwardRecorded,
    RatingRecorded,
    RecruitmentRecorded,
)
from thidua_kit.definitions import definition_of
from thidua_kit.envelopes import computed_event, human_event
from thidua_kit.host import Context, parse_payload
from thidua_kit.log import StoredEvent

from ..domain import dossier, eligibility
from .movement import _pack
from .views import (
    NOMINATION,
    ProposalView,
    _EventList,
    _Ids,
    _note,
    _proposal,
    _seen,
    _Title,
    _unit_proposals,
)


async def _appraise_pending(cause: StoredEvent, unit_id: str, ctx: Context) -> None:
    """Proposals waiting for their unit's final score sheet are appraised in id order."""
    pending = [view for view in _unit_proposals(ctx, cause, unit_id) if view.pending]
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
    RecruitmentRecorded,
)


def _records_about(
    ctx: Context, m: str, proposal: AwardProposed
) -> tuple[dict[str, Any], list[StoredEvent]]:
    """The facts the criteria read, from the records and awards the log holds so far, and the
    events among them that concern this subject (the decision's inputs)."""
    movement = _seen(ctx, "movement", m)
    definition = definition_of(movement) if (movement) else None
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
    recruited: dict[str, date] = {}
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
        elif kind == RecruitmentRecorded.TYPE:
            # A later import corrects an earlier one: the last in log order stands.
            recruited[data["person_id"]] = date.fromisoformat(data["recruited_on"])
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
    # The forms already eligible for this subject and year; the pack narrows them to those for
    # the same achievement.
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
        "recruited_on": recruited,
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


def _after_appraisal(ctx: Context, item: StoredEvent, assessed: EligibilityAssessed) -> None:
    """An eligible form claims its achievement (one form per achievement; a title claims none,
    DOMAIN §3.5) and an eligible proposal its initiatives (no reuse)."""
    if not assessed.eligible:
        return
    m = item.envelope.movement_id
    view = ctx.store.get("proposal", assessed.proposal_id, ProposalView)[0]
    year = view.envelope.payload["year"] if view else 0
    key = f"{m}/{assessed.subject_id}/{year}"
    forms = ctx.store.get("eligible-forms", key, _Ids)[0] or _Ids()
    rule = _pack(ctx, m)[0].awards.get(assessed.award_code)
    if rule is not None and rule.kind == "hinh_thuc" and assessed.award_code not in forms.ids:
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

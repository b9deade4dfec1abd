"""Event payloads (contract v1). One model per event type; the type name never changes."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from .movement import MovementDefinition, RoundKind, Unit
from .types import ECMA_SPACE, DecimalStr, LongText, Sha256Hex, Slug, Text, UuidStr, Vnd

SubjectKind = Annotated[
    Literal["ca_nhan", "tap_the"],
    Field(description="ca_nhan: an individual (cá nhân); tap_the: a collective, i.e. a unit"),
]


class EventPayload(BaseModel):
    """Base of every payload. Unknown fields are ignored on read so additions stay compatible."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    TYPE: ClassVar[str]
    VERSION: ClassVar[int] = 1
    # A computed decision is re-derivable from the log and carries inputs and rules.
    COMPUTED: ClassVar[bool] = False


class Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


# --- submissions -------------------------------------------------------------------------


class MovementDefined(EventPayload):
    TYPE = "submissions.MovementDefined"

    definition: MovementDefinition


class Commitment(Part):
    target_code: Slug
    value: DecimalStr


class MovementAmended(EventPayload):
    """A new version of the definition; once the period has begun, only this can change it."""

    TYPE = "submissions.MovementAmended"

    definition: MovementDefinition
    reason: LongText
    effective_on: date


class MovementPublished(EventPayload):
    """The plan was issued: its number and date as they stand on the signed document."""

    TYPE = "submissions.MovementPublished"

    number: str = Field(pattern=r"^[0-9]{2,}/[A-ZĐ]+-[A-ZĐ]+$")
    signed_on: date
    signer_name: Text
    signer_position: Text


class PersonTransferred(EventPayload):
    """A person moves to another unit and keeps their identity, records and award chain."""

    TYPE = "submissions.PersonTransferred"

    person_id: Slug
    from_unit_id: Slug
    to_unit_id: Slug
    position: Text | None = None
    effective_on: date


class UnitRenamed(EventPayload):
    TYPE = "submissions.UnitRenamed"

    unit_id: Slug
    old_name: Text
    new_name: Text
    effective_on: date
    decision_ref: Text


class UnitsMerged(EventPayload):
    """Units merged into one that continues (its id kept); the others' histories point to it."""

    TYPE = "submissions.UnitsMerged"

    merged_unit_ids: list[Slug] = Field(min_length=1)
    into_unit_id: Slug
    effective_on: date
    decision_ref: Text


class UnitSplit(EventPayload):
    """A unit ends and new units continue it, each naming it as predecessor."""

    TYPE = "submissions.UnitSplit"

    unit_id: Slug
    into: list[Unit] = Field(min_length=2)
    effective_on: date
    decision_ref: Text


class BlockMembershipChanged(EventPayload):
    TYPE = "submissions.BlockMembershipChanged"

    unit_id: Slug
    from_block_id: Slug
    to_block_id: Slug
    effective_on: date


class BlockLeadershipAssigned(EventPayload):
    """Block head and deputy for a period (they usually rotate yearly)."""

    TYPE = "submissions.BlockLeadershipAssigned"

    block_id: Slug
    head_unit_id: Slug
    deputy_unit_id: Slug | None = None
    period_from: date
    period_to: date


class CovenantSigned(EventPayload):
    """A block's giao ước thi đua: its members commit to the targets and the scoring table."""

    TYPE = "submissions.CovenantSigned"

    block_id: Slug
    signed_on: date
    signatory_unit_ids: list[Slug] = Field(min_length=1)
    target_codes: list[Slug] = Field(min_length=1)
    scoring_table_sha256: Sha256Hex


class IndividualRegistered(EventPayload):
    TYPE = "submissions.IndividualRegistered"

    unit_id: Slug
    person_id: Slug
    titles_sought: list[str] = Field(default_factory=list)
    commitments: list[Commitment] = Field(default_factory=list)
    registered_on: date
    late: bool


class RoundOpened(EventPayload):
    """A reporting round opens; its deadline is fixed now, on the working calendar."""

    TYPE = "submissions.RoundOpened"

    round: RoundKind
    opened_on: date
    due_on: date


class RoundClosed(EventPayload):
    """The deadline has passed: recorded, with the registered units that had not reported."""

    TYPE = "submissions.RoundClosed"

    round: RoundKind
    closed_on: date
    missing_unit_ids: list[Slug] = Field(default_factory=list)


class UnitRegistered(EventPayload):
    TYPE = "submissions.UnitRegistered"

    unit_id: Slug
    titles_sought: list[str] = Field(default_factory=list)
    commitments: list[Commitment] = Field(default_factory=list)
    registered_on: date
    late: bool


class Achievement(Part):
    target_code: Slug
    value: DecimalStr
    unit_of_measure: Text
    source: Text | None = None  # where the figure comes from (statistics office, report …)


class CriterionPoints(Part):
    criterion_code: Slug
    points: DecimalStr


class Evidence(Part):
    """A document a report relies on, identified by its SHA-256 (the file stays with the unit)."""

    name: Text
    doc_type: Text
    number: str | None = Field(default=None, max_length=60)
    issued_on: date | None = None
    sha256: Sha256Hex
    size_bytes: int = Field(ge=0)


class ReportSubmitted(EventPayload):
    TYPE = "submissions.ReportSubmitted"

    unit_id: Slug
    round: RoundKind
    report_version: int = Field(ge=1)
    achievements: list[Achievement] = Field(default_factory=list)
    self_scores: list[CriterionPoints] = Field(default_factory=list)
    narrative: LongText = ""
    evidence: list[Evidence] = Field(default_factory=list)
    submitted_on: date
    late: bool
    # Counted on the state working calendar from the round's (effective) deadline.
    working_days_late: int = Field(default=0, ge=0)


class ReportWithdrawn(EventPayload):
    """The unit takes its report back; a later submission is a new version."""

    TYPE = "submissions.ReportWithdrawn"

    unit_id: Slug
    round: RoundKind
    report_version: int = Field(ge=1)
    withdrawn_on: date
    reason: LongText = ""


DossierKind = Literal[
    "to_trinh",
    "danh_sach",
    "bao_cao_thanh_tich",
    "bien_ban_binh_xet",
    "xac_nhan_sang_kien",
    "y_kien_co_quan",
]


class DossierItem(Part):
    """One document of the dossier (hồ sơ, DOMAIN §5.2), identified by its hash."""

    kind: DossierKind
    name: Text
    number: str | None = Field(default=None, max_length=60)
    issued_on: date | None = None
    sha256: Sha256Hex | None = None


class PriorAwardLine(Part):
    year: int = Field(ge=1990, le=2100)
    award: Text
    decision_ref: Text


class AchievementReport(Part):
    """The báo cáo thành tích (DOMAIN §7.8): background, achievements, awards received."""

    background: LongText = ""
    achievements: LongText = ""
    prior_awards: list[PriorAwardLine] = Field(default_factory=list)


class AwardProposed(EventPayload):
    TYPE = "submissions.AwardProposed"

    proposal_id: UuidStr
    unit_id: Slug
    subject_kind: SubjectKind
    subject_id: Slug
    subject_name: Text
    award_code: str
    year: int
    achievement_summary: LongText
    achievement_report: AchievementReport | None = None
    dossier: list[DossierItem] = Field(default_factory=list)


# The inputs the law's criteria need, recorded by the unit that owns them (DOMAIN §2, §10).

Rating = Annotated[
    Literal["HTXS", "HTT", "HT", "KHT"],
    Field(
        description="The year's quality rating, best first: HTXS hoàn thành xuất sắc nhiệm vụ "
        "(excellent), HTT hoàn thành tốt (good), HT hoàn thành (completed), KHT không hoàn thành "
        "(not completed)"
    ),
]
RatingKind = Annotated[
    Literal["nhiem_vu", "dang", "doan_the"],
    Field(
        description="Who rated: nhiem_vu the agency, on the assigned tasks (the rating the "
        "criteria read); dang the Party organisation; doan_the a mass organisation"
    ),
]
DisciplineLevel = Annotated[
    Literal["khien_trach", "canh_cao", "ha_bac_luong", "cach_chuc", "buoc_thoi_viec"],
    Field(
        description="Disciplinary sanction, mildest first: khien_trach reprimand, canh_cao "
        "warning, ha_bac_luong salary step lowered, cach_chuc dismissal from post, "
        "buoc_thoi_viec dismissal from service"
    ),
]
InitiativeLevel = Annotated[
    Literal["co_so", "tinh", "toan_quoc"],
    Field(
        description="Scope at which the initiative was recognised: co_so the unit or the city "
        "(cơ sở), tinh the province, toan_quoc the whole country"
    ),
]


class RatingRecorded(EventPayload):
    """An annual rating (xếp loại): of duties (HTXS/HTT/HT/KHT), or of the Party or unions."""

    TYPE = "submissions.RatingRecorded"

    subject_kind: SubjectKind
    subject_id: Slug
    unit_id: Slug
    year: int = Field(ge=2000, le=2100)
    kind: RatingKind
    value: Rating
    source_ref: Text


class DisciplineRecorded(EventPayload):
    TYPE = "submissions.DisciplineRecorded"

    subject_kind: SubjectKind
    subject_id: Slug
    unit_id: Slug
    year: int = Field(ge=2000, le=2100)
    level: DisciplineLevel
    decision_ref: Text
    effective_from: date
    # The person disciplined heads the unit (người đứng đầu): the unit cannot lead its block
    # that year (DOMAIN §6.3, step 5).
    head_of_unit: bool = False


class InitiativeRecognised(EventPayload):
    """A sáng kiến recognised by a council, with the decision that recognised it."""

    TYPE = "submissions.InitiativeRecognised"

    initiative_id: Slug
    person_id: Slug
    unit_id: Slug
    title: Text
    level: InitiativeLevel
    decision_ref: Text
    recognised_on: date


class PriorAwardRecorded(EventPayload):
    """A title or award of an earlier year, so consecutive-year chains can be checked."""

    TYPE = "submissions.PriorAwardRecorded"

    subject_kind: SubjectKind
    subject_id: Slug
    unit_id: Slug
    year: int = Field(ge=1990, le=2100)
    award_code: str = Field(pattern=r"^[A-Z][A-Z0-9_]+$")
    decision_ref: Text
    issuer: Text


class HeadcountRecorded(EventPayload):
    TYPE = "submissions.HeadcountRecorded"

    unit_id: Slug
    year: int = Field(ge=2000, le=2100)
    headcount: int = Field(ge=0, le=100000)
    women: int = Field(ge=0, le=100000)


class RecruitmentRecorded(EventPayload):
    """When a person was recruited (tuyển dụng) into public service: Lao động tiên tiến is not
    considered for someone recruited less than 10 months before the year's end (NĐ91 Điều 10)."""

    TYPE = "submissions.RecruitmentRecorded"

    person_id: Slug
    unit_id: Slug
    recruited_on: date = Field(
        description="The day the recruitment took effect, as on the recruitment decision"
    )
    decision_ref: Text


# --- scoring -----------------------------------------------------------------------------


class ScoreLine(Part):
    criterion_code: Slug
    self_points: DecimalStr | None
    points: DecimalStr
    max_points: DecimalStr
    rule: Text


class PenaltyLine(Part):
    code: Slug
    points: DecimalStr
    reason: Text


class ScoreSheetRecorded(EventPayload):
    """A unit's sheet for a round; a newer sheet (amended report, appraisal) supersedes it."""

    TYPE = "scoring.ScoreSheetRecorded"
    COMPUTED = True

    unit_id: Slug
    round: RoundKind
    report_version: int
    lines: list[ScoreLine]
    total: DecimalStr
    max_total: DecimalStr
    block_id: Slug | None = None
    basis: Literal["report", "missing", "appraisal"] = Field(
        default="report",
        description="report: scored from the unit's report; missing: no report by the round's "
        "close, scored as the plan says for a missing one; appraisal: as the block appraised it",
    )
    penalties: list[PenaltyLine] = Field(default_factory=list)
    bonuses: list[PenaltyLine] = Field(default_factory=list)


class CriterionChange(Part):
    criterion_code: Slug
    points: DecimalStr
    reason: Text


class ScoreAppraised(EventPayload):
    """Thẩm định: the Phòng Nội vụ (or the block's working group) sets agreed points."""

    TYPE = "scoring.ScoreAppraised"

    unit_id: Slug
    round: RoundKind
    changes: list[CriterionChange] = Field(min_length=1)
    # Bonus points (điểm thưởng, capped by the movement) and penalties set by appraisal.
    bonuses: list[PenaltyLine] = Field(default_factory=list)
    penalties: list[PenaltyLine] = Field(default_factory=list)


class RankRow(Part):
    rank: int = Field(ge=1)
    unit_id: Slug
    total: DecimalStr
    full_score_criteria: int = Field(ge=0)
    disqualified: Text | None = None


class BlockRanked(EventPayload):
    """The block's ranking when a round closes; the leader stands only if it is alone at the
    top and not disqualified — otherwise the block's ballot decides (DOMAIN §6.3)."""

    TYPE = "scoring.BlockRanked"
    COMPUTED = True

    block_id: Slug
    round: RoundKind
    rows: list[RankRow]
    leader_unit_id: Slug | None
    needs_ballot: bool
    excellent_unit_ids: list[Slug] = Field(default_factory=list)


class CandidateVotes(Part):
    unit_id: Slug
    yes: int = Field(ge=0)


class BlockBallotTallied(EventPayload):
    """The block meeting's secret ballot (bình xét, suy tôn): one vote per member unit,
    counts only, never who voted how."""

    TYPE = "scoring.BlockBallotTallied"

    block_id: Slug
    round: RoundKind
    meeting_on: date
    members_total: int = Field(ge=1)
    issued: int = Field(ge=0)
    returned: int = Field(ge=0)
    valid: int = Field(ge=0)
    votes: list[CandidateVotes] = Field(min_length=1)


class BlockHonoured(EventPayload):
    """The ballot's outcome: the unit the block honours as leading, if any passed."""

    TYPE = "scoring.BlockHonoured"
    COMPUTED = True

    block_id: Slug
    round: RoundKind
    leader_unit_id: Slug | None
    threshold: str = Field(pattern=r"^[0-9]+/[0-9]+$")
    threshold_strict: bool
    results: list[CandidateVotes]
    reason_vi: Text
    reason_en: Text


class CrossScoresRecorded(EventPayload):
    """Chấm chéo: each member unit's scores for another unit, per criterion."""

    TYPE = "scoring.CrossScoresRecorded"

    unit_id: Slug
    round: RoundKind
    scorer_unit_id: Slug
    scores: list[CriterionPoints] = Field(min_length=1)


# --- nominations -------------------------------------------------------------------------


class Check(Part):
    code: str
    passed: bool
    detail_vi: Text
    detail_en: Text
    reference: Text


class EligibilityAssessed(EventPayload):
    TYPE = "nominations.EligibilityAssessed"
    COMPUTED = True

    proposal_id: UuidStr
    award_code: str
    subject_kind: SubjectKind
    subject_id: Slug
    eligible: bool
    checks: list[Check]
    # Set when one reason decides alone, e.g. incomplete_dossier after the one supplement.
    reason_code: str | None = None


class BallotTallied(EventPayload):
    """The vote-counting board's tally: counts only, never who voted how."""

    TYPE = "nominations.BallotTallied"

    proposal_id: UuidStr
    session_id: Slug
    session_date: date
    members_total: int = Field(ge=1)
    present: int = Field(ge=0)
    issued: int = Field(ge=0)
    returned: int = Field(ge=0)
    valid: int = Field(ge=0)
    yes: int = Field(ge=0)
    written_yes_from_absent: int = Field(default=0, ge=0)


class BallotOutcomeDecided(EventPayload):
    TYPE = "nominations.BallotOutcomeDecided"
    COMPUTED = True

    proposal_id: UuidStr
    session_id: Slug
    members_total: int
    present: int
    quorum_required: int
    quorum_met: bool
    yes_total: int
    threshold: str = Field(pattern=r"^[0-9]+/[0-9]+$")
    threshold_strict: bool
    passed: bool
    reason_vi: Text
    reason_en: Text


class DecisionSigned(EventPayload):
    TYPE = "nominations.DecisionSigned"

    decision_id: UuidStr
    number: str = Field(pattern=r"^[0-9]{2,}/[A-ZĐ]+-[A-ZĐ]+$")
    signed_on: date
    signer_name: Text
    signer_position_lines: list[Text] = Field(min_length=1, max_length=2)
    award_code: str
    proposal_ids: list[UuidStr] = Field(min_length=1)


class PrizeDeduction(Part):
    """A title the recipient already holds for the same year, paid from the same fund, whose
    prize counts against this title's (NĐ91 Điều 66 khoản 2 điểm c: several titles at the same
    time earn the highest title's prize only)."""

    award_id: UuidStr
    award_code: str
    award_name: Text
    decision_number: str
    signed_on: date
    prize_vnd: Vnd = Field(description="What that title paid")


class AwardIssued(EventPayload):
    TYPE = "nominations.AwardIssued"
    COMPUTED = True

    award_id: UuidStr
    decision_id: UuidStr = Field(
        description="The city's own award: the DecisionSigned event's decision_id. An award "
        "decided above the city (route propose): the ProposalsForwarded submission_id whose "
        "answer recorded it, since the higher level's decision has no id in this log"
    )
    decision_number: str = Field(
        description="The city's own award: the decision's number (01/QĐ-UBND). An award decided "
        "above the city: the higher level's decision as its answer cited it"
    )
    signed_on: date
    proposal_id: UuidStr
    award_code: str
    award_name: Text
    recipient_kind: SubjectKind
    recipient_id: Slug
    recipient_name: Text
    recipient_position: Text | None
    unit_id: Slug
    unit_name: Text
    base_salary_vnd: Vnd
    multiplier: DecimalStr
    prize_vnd: Vnd = Field(
        description="What this award pays: title_prize_vnd less the prizes in prize_deductions, "
        "never below 0"
    )
    title_prize_vnd: Vnd | None = Field(
        default=None,
        description="The award's own prize, multiplier × base_salary_vnd rounded up to the rule "
        "pack's unit (NĐ91 Điều 68 khoản 2). Absent from awards issued before it was recorded; "
        "there, prize_vnd is that prize",
    )
    prize_deductions: list[PrizeDeduction] = Field(
        default_factory=list,
        description="Titles of the same year from the same fund the recipient was paid for "
        "before this one, when the rule pack pays only the highest title prize at one time; "
        "empty for a form (hình thức khen thưởng), which is always paid in full",
    )


class ProposalsForwarded(EventPayload):
    """The city's Tờ trình proposing higher-level forms upward (DOMAIN §5.1 step 12b)."""

    TYPE = "nominations.ProposalsForwarded"

    submission_id: UuidStr
    number: str = Field(pattern=r"^[0-9]{2,}/[A-Za-zĐđ]+-[A-ZĐ]+$")
    signed_on: date
    addressee: Text
    proposal_ids: list[UuidStr] = Field(min_length=1)
    # Who signs the Tờ trình (command v2); absent from events recorded before it.
    signer_name: Text | None = None
    signer_position: Literal["chu_tich", "pho_chu_tich"] = "chu_tich"


class HigherAnswerRecorded(EventPayload):
    """The higher level's answer as received: its decision, or its rejection with the reason."""

    TYPE = "nominations.HigherAnswerRecorded"

    submission_id: UuidStr
    proposal_id: UuidStr
    outcome: Literal["decided", "rejected"]
    decision_ref: Text
    decided_on: date
    issuer: Text
    reason: LongText = ""


class AwardRevoked(EventPayload):
    """Annulled by the authority that decided it, on one of the four grounds (DOMAIN §5.6);
    the certificate and the prize are to be recovered."""

    TYPE = "nominations.AwardRevoked"

    award_id: UuidStr
    ground: Literal["a", "b", "c", "d"] = Field(
        description="a: fraud in declaring the achievement; b: false information or forged "
        "dossier papers; c: appraisal, review or proposal contrary to law; d: a competent "
        "authority found violations that fail the criteria for the period (DOMAIN §5.6)"
    )
    decision_number: str = Field(pattern=r"^[0-9]{2,}/[A-ZĐ]+-[A-ZĐ]+$")
    decided_on: date
    reason: LongText
    recover_prize_vnd: Vnd


class AwardReviewFlagged(EventPayload):
    """An award that rested on a revoked one (a chain) is flagged for review, not undone."""

    TYPE = "nominations.AwardReviewFlagged"
    COMPUTED = True

    award_id: UuidStr
    revoked_award_id: UuidStr
    reason_vi: Text
    reason_en: Text


# --- reporting ---------------------------------------------------------------------------


class DocumentRegistered(EventPayload):
    TYPE = "reporting.DocumentRegistered"
    COMPUTED = True

    document_id: UuidStr
    doc_type: Slug
    number: str | None
    title: Text
    file_name: Text
    sha256: Sha256Hex
    size_bytes: int = Field(ge=1)
    built_from_sequence: int = Field(ge=1)
    source_event_ids: list[UuidStr]


def _concrete(base: type[EventPayload]) -> list[type[EventPayload]]:
    found = []
    for cls in base.__subclasses__():
        if "TYPE" in cls.__dict__:
            found.append(cls)
        found.extend(_concrete(cls))
    return found


# Every payload class defined in this module, by type name (add a class, it is registered).
EVENT_TYPES: dict[str, type[EventPayload]] = {cls.TYPE: cls for cls in _concrete(EventPayload)}


class UnknownEventTypeError(KeyError):
    pass


def payload_class(type_name: str, version: int) -> type[EventPayload]:
    cls = EVENT_TYPES.get(type_name)
    if cls is None or version != cls.VERSION:
        raise UnknownEventTypeError(f"{type_name} v{version}")
    return cls


# --- audit (appended at the end to ease merging) ---------------------------------------------


class SigningKeyRotated(EventPayload):
    """The audit service signs checkpoints with a new key from this event's sequence on.

    `statement` is a C2SP signed note naming the origin, the old and the new verifier keys,
    signed by both (thidua_contracts.checkpoint.open_rotation checks it): a verifier who trusts
    the old key learns the new one, and one who trusts the new key learns what came before."""

    TYPE = "audit.SigningKeyRotated"

    origin: str = Field(min_length=1, max_length=200, pattern=rf"^[^{ECMA_SPACE}+]+$")
    old_key: str = Field(min_length=1, max_length=400)
    new_key: str = Field(min_length=1, max_length=400)
    statement: str = Field(min_length=1, max_length=4000)
    reason: LongText | None = None


EVENT_TYPES[SigningKeyRotated.TYPE] = SigningKeyRotated
# --- nominations: dossier, notice, council sessions, quotas, fund, notifications ----------
# (appended after the registry above, so they register themselves below)


class DossierDefect(Part):
    """One thing missing or wrong in a dossier (DOMAIN §5.2)."""

    kind: str
    detail_vi: Text
    detail_en: Text


class SupplementRequested(EventPayload):
    """The one request to supplement a dossier, listing every defect at once (DOMAIN §5.4:
    hướng dẫn một lần đầy đủ)."""

    TYPE = "nominations.SupplementRequested"
    COMPUTED = True

    proposal_id: UuidStr
    award_code: str
    defects: list[DossierDefect] = Field(min_length=1)
    reference: Text


class DossierSupplemented(EventPayload):
    """The documents the proposing unit sent in answer to the request."""

    TYPE = "nominations.DossierSupplemented"

    proposal_id: UuidStr
    items: list[DossierItem] = Field(min_length=1)
    received_on: date


class NoticePosted(EventPayload):
    """The list of nominees posted publicly (công khai, DOMAIN §5.5) for a working-day period."""

    TYPE = "nominations.NoticePosted"

    notice_id: Slug
    proposal_ids: list[UuidStr] = Field(min_length=1)
    channel: Text
    posted_on: date
    ends_on: date
    working_days: int = Field(ge=1)


class ObjectionRecorded(EventPayload):
    TYPE = "nominations.ObjectionRecorded"

    notice_id: Slug
    objection_id: Slug
    proposal_id: UuidStr
    received_on: date
    summary: LongText


class ObjectionResolved(EventPayload):
    """The verification of an objection; an upheld one keeps the nominee from the council."""

    TYPE = "nominations.ObjectionResolved"

    notice_id: Slug
    objection_id: Slug
    proposal_id: UuidStr
    upheld: bool
    resolution: LongText
    resolved_on: date


class CouncilMember(Part):
    member_id: Slug
    name: Text
    position: Text = "Thành viên"


class CouncilSessionOpened(EventPayload):
    """A session of the council with its membership and who attends (DOMAIN §4)."""

    TYPE = "nominations.CouncilSessionOpened"

    session_id: Slug
    session_date: date
    members: list[CouncilMember] = Field(min_length=1)
    present_ids: list[Slug]


class CouncilSessionClosed(EventPayload):
    TYPE = "nominations.CouncilSessionClosed"

    session_id: Slug
    closed_on: date


class NominationExcluded(EventPayload):
    """A nominee kept from the decision after the ballot, with its reason: beyond the quota
    (rank and quota stated), a tie at the quota's edge, or an upheld objection."""

    TYPE = "nominations.NominationExcluded"
    COMPUTED = True

    proposal_id: UuidStr
    award_code: str
    reason_code: Literal["quota_exceeded", "quota_tie", "objection_upheld"] = Field(
        description="quota_exceeded: ranked past the award's quota; quota_tie: tied at the "
        "quota's edge, left to the council; objection_upheld: a public objection was upheld"
    )
    decided_on: date
    session_id: Slug | None = None
    group: Text | None = None
    rank: int | None = Field(default=None, ge=1)
    quota: int | None = Field(default=None, ge=0)
    detail_vi: Text
    detail_en: Text


FundLevel = Annotated[
    Literal["cap_huyen", "cap_tinh"],
    Field(
        description="Whose quỹ thi đua, khen thưởng: cap_huyen the city's (district level), "
        "cap_tinh the province's"
    ),
]


class FundCredited(EventPayload):
    """Money put into a level's quỹ thi đua, khen thưởng (its yearly allocation, a transfer)."""

    TYPE = "nominations.FundCredited"

    level: FundLevel
    amount_vnd: Vnd
    credited_on: date
    source_ref: Text


class FundOverdrawFlagged(EventPayload):
    """A signed decision whose prizes exceed what the deciding level's fund holds."""

    TYPE = "nominations.FundOverdrawFlagged"
    COMPUTED = True

    decision_id: UuidStr
    level: FundLevel
    balance_vnd: int
    needed_vnd: Vnd
    shortfall_vnd: Vnd
    reason_vi: Text
    reason_en: Text


class ResultNotified(EventPayload):
    """The result (or the rejection with its reason) sent to the proposing unit, with the
    working-day limit it had (DOMAIN §5.4) and how late it went out."""

    TYPE = "nominations.ResultNotified"

    proposal_id: UuidStr
    kind: Literal["result", "rejection"]
    notified_on: date
    reason: LongText = ""
    step_on: date
    due_on: date
    working_days_late: int = Field(ge=0)


# --- reporting: the city's reports upward ------------------------


class CityReportIssued(EventPayload):
    """The city's report to the province signed: the movement's sơ kết or tổng kết (BC-UBND),
    or the year's statistics (thống kê, the Ministry of Home Affairs forms). The figures are
    not in the event: the reporting service computes them from the log at this position."""

    TYPE = "reporting.CityReportIssued"

    report_id: UuidStr
    kind: Literal["so-ket", "tong-ket", "thong-ke"]
    number: str | None = Field(default=None, pattern=r"^[0-9]{2,}/[A-ZĐ]+-[A-ZĐ]+$")
    signed_on: date
    signer_name: Text
    signer_position: Literal["chu_tich", "pho_chu_tich"]
    addressee: Text
    typical_examples: list[LongText] = Field(default_factory=list)
    shortcomings: list[LongText] = Field(default_factory=list)
    directions: list[LongText] = Field(default_factory=list)
    proposals: list[LongText] = Field(default_factory=list)


EVENT_TYPES.update({cls.TYPE: cls for cls in _concrete(EventPayload)})

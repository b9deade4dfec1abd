"""Commands (request/reply on `<prefix>.cmd.<service>.<name>`) and queries."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from .envelope import Actor
from .events import (
    Achievement,
    AchievementReport,
    CandidateVotes,
    Commitment,
    CouncilMember,
    CriterionChange,
    CriterionPoints,
    DossierItem,
    FundLevel,
    PenaltyLine,
    SubjectKind,
)
from .movement import MovementDefinition, RoundKind, Unit
from .types import LongText, Sha256Hex, Slug, Text, UuidStr

MAX_COMMAND_BYTES = 256 * 1024


class Command(BaseModel):
    """Every command names its id (a retry reuses it), its actor and its movement."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    SERVICE: ClassVar[str]
    NAME: ClassVar[str]
    # Commands are closed (an unknown field is refused), so a field added to one is a new
    # version, published beside the earlier one (`EARLIER_VERSIONS`).
    VERSION: ClassVar[int] = 1

    command_id: UuidStr
    actor: Actor
    movement_id: Slug


class DefineMovement(Command):
    SERVICE = "submissions"
    NAME = "define_movement"

    definition: MovementDefinition


class AmendMovement(Command):
    SERVICE = "submissions"
    NAME = "amend_movement"

    definition: MovementDefinition
    reason: LongText = Field(min_length=10)
    effective_on: date


class PublishMovement(Command):
    SERVICE = "submissions"
    NAME = "publish_movement"

    number: str = Field(pattern=r"^[0-9]{2,}/[A-ZĐ]+-[A-ZĐ]+$")
    signed_on: date
    signer_name: Text
    signer_position: Text


class TransferPerson(Command):
    SERVICE = "submissions"
    NAME = "transfer_person"

    person_id: Slug
    to_unit_id: Slug
    position: Text | None = None
    effective_on: date


class RenameUnit(Command):
    SERVICE = "submissions"
    NAME = "rename_unit"

    unit_id: Slug
    new_name: Text
    effective_on: date
    decision_ref: Text


class MergeUnits(Command):
    SERVICE = "submissions"
    NAME = "merge_units"

    merged_unit_ids: list[Slug] = Field(min_length=1, max_length=50)
    into_unit_id: Slug
    effective_on: date
    decision_ref: Text


class SplitUnit(Command):
    SERVICE = "submissions"
    NAME = "split_unit"

    unit_id: Slug
    into: list[Unit] = Field(min_length=2, max_length=20)
    effective_on: date
    decision_ref: Text


class MoveUnitToBlock(Command):
    SERVICE = "submissions"
    NAME = "move_unit_to_block"

    unit_id: Slug
    to_block_id: Slug
    effective_on: date


class AssignBlockLeadership(Command):
    SERVICE = "submissions"
    NAME = "assign_block_leadership"

    block_id: Slug
    head_unit_id: Slug
    deputy_unit_id: Slug | None = None
    period_from: date
    period_to: date


class SignCovenant(Command):
    SERVICE = "submissions"
    NAME = "sign_covenant"

    block_id: Slug
    signed_on: date
    signatory_unit_ids: list[Slug] = Field(min_length=1, max_length=200)
    target_codes: list[Slug] = Field(min_length=1, max_length=200)


class RegisterIndividual(Command):
    SERVICE = "submissions"
    NAME = "register_individual"

    unit_id: Slug
    person_id: Slug
    titles_sought: list[str] = Field(default_factory=list, max_length=20)
    commitments: list[Commitment] = Field(default_factory=list, max_length=200)
    registered_on: date


class RegisterUnit(Command):
    SERVICE = "submissions"
    NAME = "register"

    unit_id: Slug
    titles_sought: list[str] = Field(default_factory=list, max_length=20)
    commitments: list[Commitment] = Field(default_factory=list, max_length=200)
    registered_on: date


class EvidenceUpload(BaseModel):
    """An evidence file as sent: its declared SHA-256 is checked against the content."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Text
    doc_type: Text
    number: str | None = Field(default=None, max_length=60)
    issued_on: date | None = None
    sha256: Sha256Hex
    content_base64: str = Field(max_length=MAX_COMMAND_BYTES)


class SubmitReport(Command):
    SERVICE = "submissions"
    NAME = "submit_report"

    unit_id: Slug
    round: RoundKind
    achievements: list[Achievement] = Field(default_factory=list, max_length=200)
    self_scores: list[CriterionPoints] = Field(default_factory=list, max_length=200)
    narrative: LongText = ""
    evidence: list[EvidenceUpload] = Field(default_factory=list, max_length=50)
    submitted_on: date


class OpenRound(Command):
    SERVICE = "submissions"
    NAME = "open_round"

    round: RoundKind
    opened_on: date


class CloseRound(Command):
    SERVICE = "submissions"
    NAME = "close_round"

    round: RoundKind
    closed_on: date


class WithdrawReport(Command):
    SERVICE = "submissions"
    NAME = "withdraw_report"

    unit_id: Slug
    round: RoundKind
    withdrawn_on: date
    reason: LongText = ""


RecordKind = Literal[
    "ratings", "discipline", "initiatives", "prior_awards", "headcounts", "recruitments"
]


class ImportRecords(Command):
    """Rows of one kind (from a CSV or Excel sheet): all are recorded, or none is."""

    SERVICE = "submissions"
    NAME = "import_records"

    kind: RecordKind
    rows: list[dict[str, Any]] = Field(min_length=1, max_length=5000)


class ProposeAward(Command):
    SERVICE = "submissions"
    NAME = "propose_award"

    proposal_id: UuidStr
    unit_id: Slug
    subject_kind: SubjectKind
    subject_id: Slug
    award_code: str = Field(pattern=r"^[A-Z][A-Z0-9_]+$")
    year: int = Field(ge=2000, le=2100)
    achievement_summary: LongText
    achievement_report: AchievementReport | None = None
    dossier: list[DossierItem] = Field(default_factory=list, max_length=50)


class AppraiseScore(Command):
    SERVICE = "scoring"
    NAME = "appraise"

    unit_id: Slug
    round: RoundKind
    changes: list[CriterionChange] = Field(min_length=1, max_length=100)
    bonuses: list[PenaltyLine] = Field(default_factory=list, max_length=20)
    penalties: list[PenaltyLine] = Field(default_factory=list, max_length=20)


class RecordBlockBallot(Command):
    SERVICE = "scoring"
    NAME = "record_block_ballot"

    block_id: Slug
    round: RoundKind
    meeting_on: date
    members_total: int = Field(ge=1, le=200)
    issued: int = Field(ge=0, le=200)
    returned: int = Field(ge=0, le=200)
    valid: int = Field(ge=0, le=200)
    votes: list[CandidateVotes] = Field(min_length=1, max_length=50)


class RecordCrossScores(Command):
    SERVICE = "scoring"
    NAME = "record_cross_scores"

    unit_id: Slug
    round: RoundKind
    scorer_unit_id: Slug
    scores: list[CriterionPoints] = Field(min_length=1, max_length=100)


class RecordTally(Command):
    SERVICE = "nominations"
    NAME = "record_tally"

    proposal_id: UuidStr
    session_id: Slug
    session_date: date
    members_total: int = Field(ge=1, le=200)
    present: int = Field(ge=0, le=200)
    issued: int = Field(ge=0, le=200)
    returned: int = Field(ge=0, le=200)
    valid: int = Field(ge=0, le=200)
    yes: int = Field(ge=0, le=200)
    written_yes_from_absent: int = Field(default=0, ge=0, le=200)


class SignDecision(Command):
    SERVICE = "nominations"
    NAME = "sign_decision"

    decision_id: UuidStr
    number: str = Field(pattern=r"^[0-9]{2,}/[A-ZĐ]+-[A-ZĐ]+$")
    signed_on: date
    signer_name: Text
    signer_position: Literal["chu_tich", "pho_chu_tich"]
    proposal_ids: list[UuidStr] = Field(min_length=1, max_length=5000)


# `forward_upward` as first published, kept for its schema file: without the signer. (No
# docstring: it would change the published file's description.)
class ForwardProposalsV1(Command):
    SERVICE = "nominations"
    NAME = "forward_upward"

    submission_id: UuidStr
    number: str = Field(pattern=r"^[0-9]{2,}/[A-Za-zĐđ]+-[A-ZĐ]+$")
    signed_on: date
    addressee: Text
    proposal_ids: list[UuidStr] = Field(min_length=1, max_length=5000)


class ForwardProposals(ForwardProposalsV1):
    """The city's Tờ trình upward. v2 adds who signs it (the name printed under the signature);
    a v1 body, without the signer, is still a valid v2 command."""

    NAME = "forward_upward"
    VERSION = 2

    signer_name: Text | None = None
    signer_position: Literal["chu_tich", "pho_chu_tich"] = "chu_tich"


class RecordHigherAnswer(Command):
    SERVICE = "nominations"
    NAME = "record_higher_answer"

    submission_id: UuidStr
    proposal_id: UuidStr
    outcome: Literal["decided", "rejected"]
    decision_ref: Text
    decided_on: date
    issuer: Text
    reason: LongText = ""


class RevokeAward(Command):
    SERVICE = "nominations"
    NAME = "revoke_award"

    award_id: UuidStr
    ground: Literal["a", "b", "c", "d"]
    decision_number: str = Field(pattern=r"^[0-9]{2,}/[A-ZĐ]+-[A-ZĐ]+$")
    decided_on: date
    reason: LongText = Field(min_length=10)


class Query(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    SERVICE: ClassVar[str]
    NAME: ClassVar[str]


class ExplainAward(Query):
    SERVICE = "audit"
    NAME = "explain"

    award_id: UuidStr


class ListAwards(Query):
    SERVICE = "nominations"
    NAME = "awards"

    movement_id: Slug


class ListDocuments(Query):
    SERVICE = "reporting"
    NAME = "documents"

    movement_id: Slug


class ShowScoreSheet(Query):
    SERVICE = "scoring"
    NAME = "sheet"

    movement_id: Slug
    unit_id: Slug
    round: RoundKind


class ShowBlockRanking(Query):
    SERVICE = "scoring"
    NAME = "ranking"

    movement_id: Slug
    block_id: Slug
    round: RoundKind


class ShowMovement(Query):
    SERVICE = "submissions"
    NAME = "movement"

    movement_id: Slug


def _concrete(base: type[BaseModel]) -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []
    for cls in base.__subclasses__():
        if "NAME" in cls.__dict__:
            found.append(cls)
        found.extend(_concrete(cls))
    return found


def _by_name(base: type[BaseModel]) -> dict[tuple[str, str], type[Any]]:
    return {
        (c.SERVICE, c.NAME): c  # type: ignore[attr-defined]
        for c in _concrete(base)
        if c not in _EARLIER
    }


# Earlier versions of commands still published (a client may send them; the current model
# accepts every body they accept). Never dispatched: the current version decides.
EARLIER_VERSIONS: tuple[type[Command], ...] = (ForwardProposalsV1,)
_EARLIER: frozenset[type[BaseModel]] = frozenset(EARLIER_VERSIONS)


# Every command and query class defined in this module (add a class, it is registered).
COMMANDS: dict[tuple[str, str], type[Command]] = _by_name(Command)
QUERIES: dict[tuple[str, str], type[Query]] = _by_name(Query)


# --- reporting read models (reporting issue) ---------------------------------------------


class ShowProgress(Query):
    """Per round: submitted, amended, late and missing reports, grouped by block."""

    SERVICE = "reporting"
    NAME = "progress"

    movement_id: Slug
    round: RoundKind | None = None


class ShowPipeline(Query):
    """Every proposal with its current state (DOMAIN §5.1), counted by state and award."""

    SERVICE = "reporting"
    NAME = "pipeline"

    movement_id: Slug


class ListIssuedAwards(Query):
    SERVICE = "reporting"
    NAME = "awards"

    movement_id: Slug


class ListRegistrations(Query):
    SERVICE = "reporting"
    NAME = "registrations"

    movement_id: Slug


class ListScoreSheets(Query):
    SERVICE = "reporting"
    NAME = "score_sheets"

    movement_id: Slug
    round: RoundKind | None = None


class ListCouncilSessions(Query):
    SERVICE = "reporting"
    NAME = "sessions"

    movement_id: Slug


class ListDecisions(Query):
    SERVICE = "reporting"
    NAME = "decisions"

    movement_id: Slug


# The registry above was built before these classes existed.
QUERIES.update(_by_name(Query))


# --- audit: checkpoints and the leaf hashes they sign (audit issue) -----------------------


class AuditPublicKey(Query):
    """The key checkpoints are signed with, as a C2SP signed-note verifier key."""

    SERVICE = "audit"
    NAME = "public_key"


class AuditLeaves(Query):
    """Leaf hashes the audit service recorded, from `start` (a stream sequence), one page."""

    SERVICE = "audit"
    NAME = "leaves"

    start: int = Field(default=1, ge=1)
    limit: int = Field(default=4096, ge=1, le=8192)


QUERIES.update(_by_name(Query))


class RotateAuditKey(Command):
    """The audit service makes a new checkpoint key and records the change in the log.

    `movement_id` is `log`: the key signs the whole log, not one movement. Operators only."""

    SERVICE = "audit"
    NAME = "rotate_key"

    reason: LongText | None = None


COMMANDS.update(_by_name(Command))
# --- nominations: dossier, notice, council sessions, fund, notifications -----------


class SupplementDossier(Command):
    """The documents a unit sends after the one request to supplement its dossier."""

    SERVICE = "nominations"
    NAME = "supplement_dossier"

    proposal_id: UuidStr
    items: list[DossierItem] = Field(min_length=1, max_length=50)
    received_on: date


class PostNotice(Command):
    SERVICE = "nominations"
    NAME = "post_notice"

    notice_id: Slug
    proposal_ids: list[UuidStr] = Field(min_length=1, max_length=5000)
    channel: Text
    posted_on: date


class RecordObjection(Command):
    SERVICE = "nominations"
    NAME = "record_objection"

    notice_id: Slug
    objection_id: Slug
    proposal_id: UuidStr
    received_on: date
    summary: LongText = Field(min_length=10)


class ResolveObjection(Command):
    SERVICE = "nominations"
    NAME = "resolve_objection"

    notice_id: Slug
    objection_id: Slug
    upheld: bool
    resolution: LongText = Field(min_length=10)
    resolved_on: date


class OpenSession(Command):
    SERVICE = "nominations"
    NAME = "open_session"

    session_id: Slug
    session_date: date
    members: list[CouncilMember] = Field(min_length=1, max_length=200)
    present_ids: list[Slug] = Field(max_length=200)


class CloseSession(Command):
    SERVICE = "nominations"
    NAME = "close_session"

    session_id: Slug
    closed_on: date


class CreditFund(Command):
    SERVICE = "nominations"
    NAME = "credit_fund"

    level: FundLevel
    amount_vnd: int = Field(ge=1, le=10**13)
    credited_on: date
    source_ref: Text


class NotifyResult(Command):
    SERVICE = "nominations"
    NAME = "notify_result"

    proposal_id: UuidStr
    kind: Literal["result", "rejection"]
    notified_on: date
    reason: LongText = ""


class ShowNomination(Query):
    """One proposal: its state (DOMAIN §5.1), checks, ballot, exclusions and notices."""

    SERVICE = "nominations"
    NAME = "show"

    proposal_id: UuidStr


class ListNominations(Query):
    """Every proposal of a movement with its state, and the counts per state (the pipeline)."""

    SERVICE = "nominations"
    NAME = "list"

    movement_id: Slug


class ShowFund(Query):
    SERVICE = "nominations"
    NAME = "fund"

    movement_id: Slug


class ListOverdue(Query):
    """Steps past their working-day limit on a date (DOMAIN §5.4)."""

    SERVICE = "nominations"
    NAME = "overdue"

    movement_id: Slug
    as_of: date


# --- reporting: reports upward and look-ups ----------------------


class IssueCityReport(Command):
    """Sign the city's sơ kết / tổng kết report or its statistics; the service writes them."""

    SERVICE = "reporting"
    NAME = "issue_report"

    report_id: UuidStr
    kind: Literal["so-ket", "tong-ket", "thong-ke"]
    number: str | None = Field(default=None, pattern=r"^[0-9]{2,}/[A-ZĐ]+-[A-ZĐ]+$")
    signed_on: date
    signer_name: Text
    signer_position: Literal["chu_tich", "pho_chu_tich"]
    addressee: Text = "Ủy ban nhân dân tỉnh Bắc Ninh (qua Sở Nội vụ)"
    typical_examples: list[LongText] = Field(default_factory=list, max_length=50)
    shortcomings: list[LongText] = Field(default_factory=list, max_length=50)
    directions: list[LongText] = Field(default_factory=list, max_length=50)
    proposals: list[LongText] = Field(default_factory=list, max_length=50)


class ShowHistory(Query):
    """A person's or a unit's awards across movements, years and reorganisations."""

    SERVICE = "reporting"
    NAME = "history"

    subject_id: Slug


class ShowOverdue(Query):
    """Who is past the limit of which step (reports, appraisal, notices), in working days."""

    SERVICE = "reporting"
    NAME = "overdue"

    movement_id: Slug
    as_of: date


class DraftAchievementReport(Query):
    """A nominee's báo cáo thành tích pre-filled from the log's records (.docx, base64)."""

    SERVICE = "reporting"
    NAME = "achievement_report"

    movement_id: Slug
    proposal_id: UuidStr


COMMANDS.update(_by_name(Command))
QUERIES.update(_by_name(Query))

"""Published JSON Schemas: in step with the models, and changed only additively (DESIGN §2)."""

from __future__ import annotations

import copy
import json
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from thidua_contracts import schemas
from thidua_contracts.commands import (
    COMMANDS,
    ForwardProposals,
    ForwardProposalsV1,
    PublishMovement,
    SubmitReport,
)
from thidua_contracts.envelope import Actor, Envelope, InputRef, Role, RulesRef
from thidua_contracts.events import (
    EVENT_TYPES,
    Achievement,
    AwardIssued,
    AwardProposed,
    AwardReviewFlagged,
    AwardRevoked,
    BallotOutcomeDecided,
    BallotTallied,
    BlockBallotTallied,
    BlockHonoured,
    BlockLeadershipAssigned,
    BlockMembershipChanged,
    BlockRanked,
    CandidateVotes,
    Check,
    CityReportIssued,
    Commitment,
    CovenantSigned,
    CriterionChange,
    CriterionPoints,
    CrossScoresRecorded,
    DecisionSigned,
    DisciplineRecorded,
    DocumentRegistered,
    EligibilityAssessed,
    EventPayload,
    HeadcountRecorded,
    HigherAnswerRecorded,
    IndividualRegistered,
    InitiativeRecognised,
    MovementAmended,
    MovementDefined,
    MovementPublished,
    PersonTransferred,
    PriorAwardRecorded,
    ProposalsForwarded,
    RankRow,
    RatingRecorded,
    RecruitmentRecorded,
    ReportSubmitted,
    ReportWithdrawn,
    RoundClosed,
    RoundOpened,
    ScoreAppraised,
    ScoreLine,
    ScoreSheetRecorded,
    SigningKeyRotated,
    UnitRegistered,
    UnitRenamed,
    UnitsMerged,
    UnitSplit,
)
from thidua_contracts.movement import (
    AwardForm,
    Block,
    Criterion,
    Issuer,
    MovementDefinition,
    Person,
    Round,
    RoundKind,
    RulePackRef,
    Target,
    Unit,
    UnitKind,
)
from thidua_contracts.types import ECMA_SPACE

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schemas"
SCHEMA_FILES = sorted(p.name for p in SCHEMA_DIR.glob("*.json"))

PROPOSAL_ID = "5b0e8f1c-2d3a-4b5c-8d9e-0f1a2b3c4d5e"
DECISION_ID = "7d1f2e3c-4b5a-4968-8776-655443322110"
EVENT_ID = "0190f5a2-7c1e-7b3a-9d4e-2f6a8b0c1d2e"
CAUSE_ID = "0190f5a2-7c1e-7b3a-9d4e-2f6a8b0c1d2f"


# --- helpers ---------------------------------------------------------------------------------


def read_schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    return loaded


def git(*args: str, cwd: Path) -> str | None:
    """Output of a git command, or None when there is no git or no repository."""
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, check=True, timeout=60
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return done.stdout


def first_committed_version(path: Path) -> dict[str, Any] | None:
    """The schema file as it was first committed, or None when git has no history of it."""
    toplevel = git("rev-parse", "--show-toplevel", cwd=path.parent)
    if toplevel is None:
        return None
    root = Path(toplevel.strip())
    relative = path.resolve().relative_to(root.resolve()).as_posix()
    shas = git("log", "--diff-filter=A", "--format=%H", "--", relative, cwd=root)
    if not shas or not shas.split():
        return None
    oldest = shas.split()[-1]  # git log lists the newest first
    text = git("show", f"{oldest}:{relative}", cwd=root)
    if text is None:
        return None
    first: dict[str, Any] = json.loads(text)
    return first


def obj(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "title": "T", "properties": properties}
    if required is not None:
        schema["required"] = required
    return schema


def string(**extra: Any) -> dict[str, Any]:
    return {"type": "string", **extra}


def definition() -> MovementDefinition:
    """A small but complete movement: one block, two units, one person, one round."""
    return MovementDefinition(
        movement_id="bn-2022",
        version=1,
        name="Phong trào thi đua năm 2022",
        issuer=Issuer(
            name_lines=["ỦY BAN NHÂN DÂN", "THÀNH PHỐ BẮC NINH"],
            place="Bắc Ninh",
            abbreviation="UBND",
        ),
        plan_ref="Kế hoạch thi đua năm 2022",
        legal_basis=["Kế hoạch số 245/KH-UBND ngày 26/4/2022 của UBND tỉnh Bắc Ninh"],
        year=2022,
        period_from=date(2022, 1, 1),
        period_to=date(2022, 12, 31),
        targets=[Target(code="phong-chong-dich", name="Phòng, chống dịch")],
        award_forms=[
            AwardForm(
                code="GK_CT_UBND_TP",
                name="Giấy khen của Chủ tịch Ủy ban nhân dân thành phố",
                authority="Chủ tịch UBND thành phố Bắc Ninh",
                route="decide",
                subjects=["ca_nhan", "tap_the"],
            )
        ],
        rounds=[
            Round(
                round=RoundKind.TONG_KET,
                name="Tổng kết năm 2022",
                opens_on=date(2022, 12, 1),
                due_on=date(2022, 12, 30),
            )
        ],
        registration_due_on=date(2022, 5, 31),
        reports_to="Phòng Nội vụ thành phố",
        blocks=[
            Block(block_id="khoi-phuong", name="Khối các phường", head_unit_id="phuong-vu-ninh")
        ],
        units=[
            Unit(
                unit_id="phuong-vu-ninh",
                name="Ủy ban nhân dân phường Vũ Ninh",
                kind=UnitKind.PHUONG,
                block_id="khoi-phuong",
            ),
            Unit(
                unit_id="phuong-dap-cau",
                name="Ủy ban nhân dân phường Đáp Cầu",
                kind=UnitKind.PHUONG,
                block_id="khoi-phuong",
            ),
        ],
        persons=[
            Person(
                person_id="nguyen-thi-huong",
                full_name="Nguyễn Thị Hương",
                sex="nu",
                position="Phó Chủ tịch Ủy ban nhân dân phường",
                unit_id="phuong-vu-ninh",
            )
        ],
        scoring_table=[
            Criterion(
                code="nhiem-vu-chinh-tri", group="I", name="Nhiệm vụ chính trị", max_points="60"
            ),
            Criterion(
                code="cong-tac-thi-dua", group="III", name="Công tác thi đua", max_points="40"
            ),
        ],
        rule_pack=RulePackRef(id="vn-2017", version="1"),
    )


def minimal_payloads() -> dict[str, EventPayload]:
    """One valid payload of every event type, built by hand."""
    payloads: list[EventPayload] = [
        MovementDefined(definition=definition()),
        UnitRegistered(
            unit_id="phuong-vu-ninh",
            titles_sought=["GK_CT_UBND_TP"],
            commitments=[Commitment(target_code="phong-chong-dich", value="100")],
            registered_on=date(2022, 5, 20),
            late=False,
        ),
        ReportSubmitted(
            unit_id="phuong-vu-ninh",
            round=RoundKind.TONG_KET,
            report_version=1,
            achievements=[
                Achievement(target_code="phong-chong-dich", value="98.5", unit_of_measure="%")
            ],
            self_scores=[CriterionPoints(criterion_code="nhiem-vu-chinh-tri", points="55.5")],
            narrative="Hoàn thành xuất sắc nhiệm vụ năm 2022.",
            submitted_on=date(2022, 12, 20),
            late=False,
        ),
        ReportWithdrawn(
            unit_id="phuong-vu-ninh",
            round=RoundKind.TONG_KET,
            report_version=1,
            withdrawn_on=date(2022, 12, 21),
        ),
        RatingRecorded(
            subject_kind="ca_nhan",
            subject_id="nguyen-thi-huong",
            unit_id="phuong-vu-ninh",
            year=2022,
            kind="nhiem_vu",
            value="HTXS",
            source_ref="QĐ 15/QĐ-UBND",
        ),
        DisciplineRecorded(
            subject_kind="ca_nhan",
            subject_id="tran-van-minh",
            unit_id="phuong-vu-ninh",
            year=2022,
            level="khien_trach",
            decision_ref="QĐ 20/QĐ-UBND",
            effective_from=date(2022, 3, 1),
        ),
        InitiativeRecognised(
            initiative_id="sk-2022-01",
            person_id="nguyen-thi-huong",
            unit_id="phuong-vu-ninh",
            title="Số hóa hồ sơ một cửa",
            level="co_so",
            decision_ref="QĐ 30/QĐ-UBND",
            recognised_on=date(2022, 10, 3),
        ),
        PriorAwardRecorded(
            subject_kind="tap_the",
            subject_id="phuong-vu-ninh",
            unit_id="phuong-vu-ninh",
            year=2021,
            award_code="GK_CT_UBND_TP",
            decision_ref="QĐ 01/QĐ-UBND",
            issuer="Chủ tịch UBND thành phố Bắc Ninh",
        ),
        HeadcountRecorded(unit_id="phuong-vu-ninh", year=2022, headcount=24, women=13),
        RecruitmentRecorded(
            person_id="tran-van-minh",
            unit_id="phuong-vu-ninh",
            recruited_on=date(2022, 6, 1),
            decision_ref="QĐ 42/QĐ-UBND",
        ),
        MovementAmended(
            definition=definition().model_copy(update={"version": 2}),
            reason="Bổ sung chỉ tiêu theo chỉ đạo của tỉnh",
            effective_on=date(2022, 8, 1),
        ),
        MovementPublished(
            number="95/KH-UBND",
            signed_on=date(2022, 5, 10),
            signer_name="Nguyễn Minh Quang",
            signer_position="Chủ tịch",
        ),
        PersonTransferred(
            person_id="tran-van-minh",
            from_unit_id="phuong-vu-ninh",
            to_unit_id="phuong-kinh-bac",
            effective_on=date(2022, 9, 1),
        ),
        UnitRenamed(
            unit_id="phong-y-te",
            old_name="Phòng Y tế",
            new_name="Phòng Y tế và Dân số",
            effective_on=date(2022, 10, 1),
            decision_ref="QĐ 120/QĐ-UBND",
        ),
        UnitsMerged(
            merged_unit_ids=["phuong-suoi-hoa"],
            into_unit_id="phuong-vu-ninh",
            effective_on=date(2022, 11, 1),
            decision_ref="NQ 30/NQ-UBTVQH",
        ),
        CovenantSigned(
            block_id="khoi-phuong",
            signed_on=date(2022, 3, 25),
            signatory_unit_ids=["phuong-vu-ninh"],
            target_codes=["phong-chong-dich"],
            scoring_table_sha256="a" * 64,
        ),
        ScoreAppraised(
            unit_id="phuong-vu-ninh",
            round=RoundKind.TONG_KET,
            changes=[
                CriterionChange(
                    criterion_code="xay-dung-dang", points="12", reason="Có đơn thư được xác minh"
                )
            ],
        ),
        BlockRanked(
            block_id="khoi-phuong",
            round=RoundKind.TONG_KET,
            rows=[RankRow(rank=1, unit_id="phuong-dai-phuc", total="99.00", full_score_criteria=3)],
            leader_unit_id="phuong-dai-phuc",
            needs_ballot=False,
        ),
        BlockBallotTallied(
            block_id="khoi-phuong",
            round=RoundKind.TONG_KET,
            meeting_on=date(2022, 12, 17),
            members_total=19,
            issued=19,
            returned=19,
            valid=19,
            votes=[CandidateVotes(unit_id="phuong-dai-phuc", yes=14)],
        ),
        BlockHonoured(
            block_id="khoi-phuong",
            round=RoundKind.TONG_KET,
            leader_unit_id="phuong-dai-phuc",
            threshold="1/2",
            threshold_strict=True,
            results=[CandidateVotes(unit_id="phuong-dai-phuc", yes=14)],
            reason_vi="Suy tôn dẫn đầu",
            reason_en="Honoured as leading",
        ),
        CrossScoresRecorded(
            unit_id="phuong-vu-ninh",
            round=RoundKind.TONG_KET,
            scorer_unit_id="phuong-kinh-bac",
            scores=[CriterionPoints(criterion_code="xay-dung-dang", points="14")],
        ),
        ProposalsForwarded(
            submission_id=PROPOSAL_ID,
            number="05/TTr-UBND",
            signed_on=date(2022, 12, 5),
            addressee="UBND tỉnh Bắc Ninh (qua Sở Nội vụ)",
            proposal_ids=[PROPOSAL_ID],
        ),
        HigherAnswerRecorded(
            submission_id=PROPOSAL_ID,
            proposal_id=PROPOSAL_ID,
            outcome="decided",
            decision_ref="QĐ 2150/QĐ-UBND",
            decided_on=date(2022, 12, 28),
            issuer="Chủ tịch UBND tỉnh Bắc Ninh",
        ),
        AwardRevoked(
            award_id=PROPOSAL_ID,
            ground="b",
            decision_number="15/QĐ-UBND",
            decided_on=date(2023, 6, 1),
            reason="Hồ sơ bị làm giả",
            recover_prize_vnd=450000,
        ),
        AwardReviewFlagged(
            award_id=PROPOSAL_ID,
            revoked_award_id=PROPOSAL_ID,
            reason_vi="Dựa trên danh hiệu đã hủy",
            reason_en="Rests on a revoked title",
        ),
        RoundOpened(round=RoundKind.SO_KET, opened_on=date(2022, 7, 1), due_on=date(2022, 7, 29)),
        RoundClosed(
            round=RoundKind.SO_KET, closed_on=date(2022, 8, 1), missing_unit_ids=["phuong-vu-ninh"]
        ),
        UnitSplit(
            unit_id="phuong-vu-ninh",
            into=[
                Unit(
                    unit_id=f"phuong-vu-ninh-{x}",
                    name=f"Phường Vũ Ninh {x.upper()}",
                    kind="phuong",
                    block_id="khoi-phuong",
                )
                for x in ("a", "b")
            ],
            effective_on=date(2022, 10, 1),
            decision_ref="NQ 1/NQ-UBTVQH",
        ),
        BlockMembershipChanged(
            unit_id="phong-y-te",
            from_block_id="khoi-phong-ban",
            to_block_id="khoi-su-nghiep",
            effective_on=date(2022, 7, 1),
        ),
        BlockLeadershipAssigned(
            block_id="khoi-phuong",
            head_unit_id="phuong-kinh-bac",
            period_from=date(2023, 1, 1),
            period_to=date(2023, 12, 31),
        ),
        IndividualRegistered(
            unit_id="phuong-vu-ninh",
            person_id="nguyen-thi-huong",
            registered_on=date(2022, 5, 20),
            late=False,
        ),
        AwardProposed(
            proposal_id=PROPOSAL_ID,
            unit_id="phuong-vu-ninh",
            subject_kind="ca_nhan",
            subject_id="nguyen-thi-huong",
            subject_name="Nguyễn Thị Hương",
            award_code="GK_CT_UBND_TP",
            year=2022,
            achievement_summary="Có nhiều thành tích trong công tác phòng, chống dịch.",
        ),
        ScoreSheetRecorded(
            unit_id="phuong-vu-ninh",
            round=RoundKind.TONG_KET,
            report_version=1,
            lines=[
                ScoreLine(
                    criterion_code="nhiem-vu-chinh-tri",
                    self_points="55.50",
                    points="55.50",
                    max_points="60.00",
                    rule="Theo điểm tự chấm, tối đa 60.00 điểm",
                ),
                ScoreLine(
                    criterion_code="cong-tac-thi-dua",
                    self_points=None,
                    points="0.00",
                    max_points="40.00",
                    rule="Không tự chấm: 0 điểm",
                ),
            ],
            total="55.50",
            max_total="100.00",
        ),
        EligibilityAssessed(
            proposal_id=PROPOSAL_ID,
            award_code="GK_CT_UBND_TP",
            subject_kind="ca_nhan",
            subject_id="nguyen-thi-huong",
            eligible=True,
            checks=[
                Check(
                    code="registration",
                    passed=True,
                    detail_vi="Đơn vị đã đăng ký thi đua",
                    detail_en="The unit registered for the movement",
                    reference="DOMAIN §10.1",
                )
            ],
        ),
        BallotTallied(
            proposal_id=PROPOSAL_ID,
            session_id="hd-2022-12-25",
            session_date=date(2022, 12, 25),
            members_total=9,
            present=7,
            issued=7,
            returned=7,
            valid=7,
            yes=6,
            written_yes_from_absent=1,
        ),
        BallotOutcomeDecided(
            proposal_id=PROPOSAL_ID,
            session_id="hd-2022-12-25",
            members_total=9,
            present=7,
            quorum_required=6,
            quorum_met=True,
            yes_total=7,
            threshold="1/2",
            threshold_strict=True,
            passed=True,
            reason_vi="Đạt: 7/9 đồng ý > 1/2",
            reason_en="Passed: 7/9 yes > 1/2",
        ),
        DecisionSigned(
            decision_id=DECISION_ID,
            number="123/QĐ-UBND",
            signed_on=date(2022, 12, 28),
            signer_name="Nguyễn Văn A",
            signer_position_lines=["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"],
            award_code="GK_CT_UBND_TP",
            proposal_ids=[PROPOSAL_ID],
        ),
        AwardIssued(
            award_id="9a8b7c6d-5e4f-5a3b-8c2d-1e0f9a8b7c6d",
            decision_id=DECISION_ID,
            decision_number="123/QĐ-UBND",
            signed_on=date(2022, 12, 28),
            proposal_id=PROPOSAL_ID,
            award_code="GK_CT_UBND_TP",
            award_name="Giấy khen của Chủ tịch Ủy ban nhân dân thành phố",
            recipient_kind="ca_nhan",
            recipient_id="nguyen-thi-huong",
            recipient_name="Nguyễn Thị Hương",
            recipient_position="Phó Chủ tịch Ủy ban nhân dân phường",
            unit_id="phuong-vu-ninh",
            unit_name="Ủy ban nhân dân phường Vũ Ninh",
            base_salary_vnd=1490000,
            multiplier="0.3",
            prize_vnd=450000,
        ),
        DocumentRegistered(
            document_id="1f2e3d4c-5b6a-5798-8a7b-6c5d4e3f2a1b",
            doc_type="quyet-dinh",
            number="123/QĐ-UBND",
            title="Quyết định về việc tặng Giấy khen",
            file_name="QD-123-UBND.docx",
            sha256="ab" * 32,
            size_bytes=20480,
            built_from_sequence=120,
            source_event_ids=[EVENT_ID],
        ),
        SigningKeyRotated(
            origin="thidua/THIDUA",
            old_key="thidua/THIDUA+01234567+AQ==",
            new_key="thidua/THIDUA+89abcdef+AQ==",
            statement="thidua key rotation\n",
        ),
        CityReportIssued(
            report_id=PROPOSAL_ID,
            kind="tong-ket",
            number="15/BC-UBND",
            signed_on=date(2022, 12, 28),
            signer_name="Nguyễn Minh Quang",
            signer_position="chu_tich",
            addressee="Ủy ban nhân dân tỉnh Bắc Ninh (qua Sở Nội vụ)",
        ),
    ]
    payloads.extend(_procedure_payloads())
    return {p.TYPE: p for p in payloads}


def _procedure_payloads() -> list[EventPayload]:
    from thidua_contracts.events import (
        CouncilMember,
        CouncilSessionClosed,
        CouncilSessionOpened,
        DossierDefect,
        DossierItem,
        DossierSupplemented,
        FundCredited,
        FundOverdrawFlagged,
        NominationExcluded,
        NoticePosted,
        ObjectionRecorded,
        ObjectionResolved,
        ResultNotified,
        SupplementRequested,
    )

    return [
        SupplementRequested(
            proposal_id=PROPOSAL_ID,
            award_code="GK_CT_UBND_TP",
            defects=[
                DossierDefect(
                    kind="missing:bien_ban_binh_xet", detail_vi="Thiếu", detail_en="Missing"
                )
            ],
            reference="Luật TĐKT 2003 Điều 84",
        ),
        DossierSupplemented(
            proposal_id=PROPOSAL_ID,
            items=[DossierItem(kind="bien_ban_binh_xet", name="Biên bản", sha256="ab" * 32)],
            received_on=date(2022, 12, 8),
        ),
        NoticePosted(
            notice_id="tb-2022-12",
            proposal_ids=[PROPOSAL_ID],
            channel="Cổng thông tin điện tử thành phố",
            posted_on=date(2022, 12, 5),
            ends_on=date(2022, 12, 12),
            working_days=5,
        ),
        ObjectionRecorded(
            notice_id="tb-2022-12",
            objection_id="pa-01",
            proposal_id=PROPOSAL_ID,
            received_on=date(2022, 12, 7),
            summary="Phản ánh về thành tích",
        ),
        ObjectionResolved(
            notice_id="tb-2022-12",
            objection_id="pa-01",
            proposal_id=PROPOSAL_ID,
            upheld=False,
            resolution="Đã xác minh: không có cơ sở",
            resolved_on=date(2022, 12, 9),
        ),
        CouncilSessionOpened(
            session_id="hd-2022-12-20",
            session_date=date(2022, 12, 20),
            members=[CouncilMember(member_id="tv-1", name="Nguyễn Văn A")],
            present_ids=["tv-1"],
        ),
        CouncilSessionClosed(session_id="hd-2022-12-20", closed_on=date(2022, 12, 20)),
        NominationExcluded(
            proposal_id=PROPOSAL_ID,
            award_code="CSTDCS",
            reason_code="quota_exceeded",
            decided_on=date(2022, 12, 20),
            rank=3,
            quota=2,
            detail_vi="Xếp thứ 3, vượt chỉ tiêu 2",
            detail_en="Ranked 3, beyond the quota 2",
        ),
        FundCredited(
            level="cap_huyen",
            amount_vnd=1000000,
            credited_on=date(2022, 1, 10),
            source_ref="Dự toán 2022",
        ),
        FundOverdrawFlagged(
            decision_id=DECISION_ID,
            level="cap_huyen",
            balance_vnd=100000,
            needed_vnd=450000,
            shortfall_vnd=350000,
            reason_vi="Quỹ không đủ",
            reason_en="The fund is short",
        ),
        ResultNotified(
            proposal_id=PROPOSAL_ID,
            kind="result",
            notified_on=date(2023, 1, 10),
            step_on=date(2023, 1, 5),
            due_on=date(2023, 1, 19),
            working_days_late=0,
        ),
    ]


# Per type: a payload field and a value of the wrong JSON type.
WRONG_TYPES: dict[str, tuple[str, Any]] = {
    "submissions.MovementDefined": ("definition", "bn-2022"),
    "submissions.UnitRegistered": ("late", "no"),
    "submissions.ReportSubmitted": ("report_version", "1"),
    "submissions.ReportWithdrawn": ("withdrawn_on", 20221221),
    "submissions.RatingRecorded": ("value", 5),
    "submissions.DisciplineRecorded": ("level", ["canh_cao"]),
    "submissions.InitiativeRecognised": ("recognised_on", True),
    "submissions.PriorAwardRecorded": ("year", "hai nghìn"),
    "submissions.HeadcountRecorded": ("headcount", "24"),
    "submissions.RecruitmentRecorded": ("recruited_on", 20220601),
    "submissions.MovementAmended": ("reason", 7),
    "submissions.MovementPublished": ("number", "chín lăm"),
    "submissions.PersonTransferred": ("person_id", None),
    "submissions.UnitRenamed": ("new_name", ["Phòng"]),
    "submissions.UnitsMerged": ("merged_unit_ids", "phuong-suoi-hoa"),
    "submissions.CovenantSigned": ("scoring_table_sha256", "not-a-hash"),
    "submissions.IndividualRegistered": ("late", "không"),
    "submissions.UnitSplit": ("into", {"unit_id": "x"}),
    "submissions.RoundOpened": ("due_on", 29),
    "nominations.ProposalsForwarded": ("proposal_ids", PROPOSAL_ID),
    "nominations.HigherAnswerRecorded": ("outcome", "có"),
    "nominations.AwardRevoked": ("ground", "e"),
    "nominations.AwardReviewFlagged": ("reason_en", 1),
    "scoring.ScoreAppraised": ("changes", "nhiều"),
    "scoring.BlockRanked": ("needs_ballot", "không"),
    "scoring.BlockBallotTallied": ("votes", {"unit_id": "x"}),
    "scoring.BlockHonoured": ("threshold_strict", "có"),
    "scoring.CrossScoresRecorded": ("scorer_unit_id", 7),
    "submissions.RoundClosed": ("missing_unit_ids", "phuong-vu-ninh"),
    "submissions.BlockMembershipChanged": ("effective_on", 1),
    "submissions.BlockLeadershipAssigned": ("period_to", False),
    "submissions.AwardProposed": ("year", "2022"),
    "scoring.ScoreSheetRecorded": ("lines", {"criterion_code": "x"}),
    "nominations.EligibilityAssessed": ("eligible", 1),
    "nominations.BallotTallied": ("members_total", "nine"),
    "nominations.BallotOutcomeDecided": ("passed", "true"),
    "nominations.DecisionSigned": ("proposal_ids", PROPOSAL_ID),
    "nominations.AwardIssued": ("prize_vnd", "450000"),
    "reporting.DocumentRegistered": ("size_bytes", [20480]),
    "audit.SigningKeyRotated": ("new_key", 7),
    "nominations.SupplementRequested": ("defects", "nhiều"),
    "nominations.DossierSupplemented": ("received_on", 8),
    "nominations.NoticePosted": ("working_days", "năm"),
    "nominations.ObjectionRecorded": ("received_on", True),
    "nominations.ObjectionResolved": ("upheld", "có"),
    "nominations.CouncilSessionOpened": ("present_ids", "tv-1"),
    "nominations.CouncilSessionClosed": ("closed_on", 20),
    "nominations.NominationExcluded": ("rank", "ba"),
    "nominations.FundCredited": ("amount_vnd", "1000000"),
    "nominations.FundOverdrawFlagged": ("shortfall_vnd", "350000"),
    "nominations.ResultNotified": ("working_days_late", "0"),
    "reporting.CityReportIssued": ("signed_on", 20221228),
}


def envelope_of(payload: EventPayload) -> dict[str, Any]:
    """A whole envelope of the payload, as the JSON that travels on the log."""
    computed = payload.COMPUTED
    envelope = Envelope(
        event_id=EVENT_ID,
        type=payload.TYPE,
        version=payload.VERSION,
        subject="thidua.evt.submissions.movement.bn-2022",
        movement_id="bn-2022",
        occurred_at="2022-12-28T10:00:00+07:00",
        actor=None if computed else Actor(id="nguoi-dung", role=Role.SYSTEM),
        causation_id=CAUSE_ID if computed else None,
        correlation_id=PROPOSAL_ID,
        inputs=[InputRef(event_id=CAUSE_ID, sequence=7)] if computed else [],
        rules=RulesRef(id="vn-2017", version="1", sha256="cd" * 32) if computed else None,
        payload=payload.model_dump(mode="json"),
    )
    data: dict[str, Any] = json.loads(envelope.to_bytes())
    return data


def errors(schema: dict[str, Any], instance: Any) -> list[str]:
    validator = Draft202012Validator(schema)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]


# --- the checked-in schemas match the models -----------------------------------------------


def test_checked_in_schemas_match_the_models() -> None:
    assert schemas.differences(SCHEMA_DIR) == []


def test_every_event_command_and_reply_has_a_checked_in_schema() -> None:
    assert set(schemas.generate()) == set(SCHEMA_FILES)
    for cls in EVENT_TYPES.values():
        assert f"{cls.TYPE}.v{cls.VERSION}.json" in SCHEMA_FILES


@pytest.mark.parametrize("name", SCHEMA_FILES)
def test_checked_in_schema_is_a_valid_draft_2020_12_schema(name: str) -> None:
    schema = read_schema(name)

    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


# --- breaking_changes ------------------------------------------------------------------------

BASE = obj(
    {
        "unit_id": string(pattern="^[a-z0-9-]+$"),
        "round": {"enum": ["so-ket", "tong-ket"], "type": "string"},
        "late": {"type": "boolean", "description": "Nộp muộn"},
    },
    required=["unit_id", "round", "late"],
)


def changed(edit: Any) -> dict[str, Any]:
    new = copy.deepcopy(BASE)
    edit(new)
    return new


def test_identical_schemas_have_no_breaking_changes() -> None:
    assert schemas.breaking_changes(BASE, copy.deepcopy(BASE)) == []


def test_a_new_optional_property_is_not_breaking() -> None:
    new = changed(lambda s: s["properties"].update(narrative=string(default="")))

    assert schemas.breaking_changes(BASE, new) == []


def test_a_new_optional_property_of_a_closed_object_is_breaking() -> None:
    # The envelope, Actor, InputRef, RulesRef and the movement definition are published with
    # `additionalProperties: false`: a reader of v1 refuses any message carrying the new field.
    old = {**copy.deepcopy(BASE), "additionalProperties": False}
    new = copy.deepcopy(old)
    new["properties"]["narrative"] = string(default="")

    problems = schemas.breaking_changes(old, new)

    assert problems == [f"$.properties.narrative: {schemas.CLOSED_ADDITION}"]
    message = {"unit_id": "phuong-vu-ninh", "round": "so-ket", "late": False, "narrative": "x"}
    assert errors(new, message) == []
    assert errors(old, message) != []  # what every published reader does with it


def test_a_new_property_deep_inside_a_closed_definition_is_breaking() -> None:
    old = read_schema("submissions.MovementDefined.v1.json")
    new = copy.deepcopy(old)
    optional = {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None}
    new["$defs"]["Actor"]["properties"]["email"] = optional
    new["$defs"]["MovementDefinition"]["properties"]["note"] = optional

    assert schemas.breaking_changes(old, new) == [
        f"$.$defs.Actor.properties.email: {schemas.CLOSED_ADDITION}",
        f"$.$defs.MovementDefinition.properties.note: {schemas.CLOSED_ADDITION}",
    ]


def test_the_first_property_of_a_closed_object_is_breaking() -> None:
    old = {"type": "object", "additionalProperties": False}
    new = {**old, "properties": {"a": string()}}

    assert schemas.breaking_changes(old, new) != []


@pytest.mark.parametrize(
    ("key", "value", "breaking"),
    [
        ("additionalProperties", True, False),
        ("additionalProperties", {}, False),
        ("additionalProperties", {"type": "integer"}, True),
        ("unevaluatedProperties", False, True),
    ],
)
def test_a_new_property_is_additive_only_where_the_object_lets_unknown_ones_through(
    key: str, value: Any, breaking: bool
) -> None:
    old = {**obj({"a": string()}), key: value}
    new = copy.deepcopy(old)
    new["properties"]["b"] = string()

    assert (schemas.breaking_changes(old, new) != []) is breaking


@pytest.mark.parametrize(
    "name",
    ["envelope.v1.json", "nominations.AwardIssued.v1.json", "submissions.MovementDefined.v1.json"],
)
def test_every_object_of_the_envelope_is_closed_in_the_published_files(name: str) -> None:
    # What makes the rule above matter: these objects are where a new field needs a new version.
    schema = read_schema(name)
    closed = [schema, *(schema["$defs"][d] for d in ("Actor", "InputRef", "RulesRef"))]

    assert all(part["additionalProperties"] is False for part in closed)


def test_a_new_required_property_is_breaking() -> None:
    def edit(s: dict[str, Any]) -> None:
        s["properties"]["narrative"] = string()
        s["required"].append("narrative")

    problems = schemas.breaking_changes(BASE, changed(edit))

    assert len(problems) == 1
    assert "narrative" in problems[0]


def test_requiring_a_property_where_nothing_was_required_is_breaking() -> None:
    old = obj({"a": string()})
    new = obj({"a": string()}, required=["a"])

    assert schemas.breaking_changes(old, new) != []


def test_a_property_no_longer_required_is_not_breaking() -> None:
    new = changed(lambda s: s["required"].remove("late"))

    assert schemas.breaking_changes(BASE, new) == []


def test_a_removed_property_is_breaking() -> None:
    new = changed(lambda s: s["properties"].pop("late"))

    problems = schemas.breaking_changes(BASE, new)

    assert problems != []
    assert any("late" in p for p in problems)


def test_a_property_whose_type_changes_from_string_to_integer_is_breaking() -> None:
    new = changed(lambda s: s["properties"]["unit_id"].update(type="integer"))

    problems = schemas.breaking_changes(BASE, new)

    assert problems != []
    assert any("unit_id" in p for p in problems)


def test_a_removed_enum_value_is_breaking() -> None:
    new = changed(lambda s: s["properties"]["round"].update(enum=["tong-ket"]))

    problems = schemas.breaking_changes(BASE, new)

    assert problems != []
    assert any("so-ket" in p for p in problems)


def test_an_added_enum_value_is_not_breaking() -> None:
    new = changed(lambda s: s["properties"]["round"]["enum"].append("dot-xuat"))

    assert schemas.breaking_changes(BASE, new) == []


def test_a_changed_pattern_is_breaking() -> None:
    new = changed(lambda s: s["properties"]["unit_id"].update(pattern="^[a-z]+$"))

    problems = schemas.breaking_changes(BASE, new)

    assert problems != []
    assert any("pattern" in p for p in problems)


def test_a_pattern_added_where_there_was_none_is_breaking() -> None:
    old = obj({"a": string()})
    new = obj({"a": string(pattern="^x$")})

    assert schemas.breaking_changes(old, new) != []


@pytest.mark.parametrize(
    ("where", "key", "value"),
    [
        ("tags", "maxItems", 2),
        ("tags", "minItems", 1),
        ("tags", "uniqueItems", True),
        ("count", "exclusiveMinimum", 0),
        ("count", "exclusiveMaximum", 100),
        ("count", "multipleOf", 5),
    ],
)
def test_a_newly_added_narrowing_constraint_is_breaking(where: str, key: str, value: Any) -> None:
    # DecisionSigned.signer_position_lines already carries minItems/maxItems: tightening such a
    # bound on a published list (or adding `gt=` to an integer) rejects messages that were valid.
    old = obj({"tags": {"type": "array", "items": string()}, "count": {"type": "integer"}})
    new = copy.deepcopy(old)
    new["properties"][where][key] = value

    assert schemas.breaking_changes(old, new) != []


def test_closing_an_open_object_to_additional_properties_is_breaking() -> None:
    old = obj({"a": string()})
    new = {**copy.deepcopy(old), "additionalProperties": False}

    assert schemas.breaking_changes(old, new) != []


def test_changed_descriptions_and_titles_are_not_breaking() -> None:
    def edit(s: dict[str, Any]) -> None:
        s["title"] = "Another title"
        s["description"] = "Giải thích mới"
        s["properties"]["late"]["description"] = "Late submission"
        s["properties"]["unit_id"]["title"] = "Unit"

    assert schemas.breaking_changes(BASE, changed(edit)) == []


def test_a_change_deep_inside_a_definition_is_breaking() -> None:
    old: dict[str, Any] = {
        "$defs": {"Line": obj({"points": string(pattern=r"^\d+$")})},
        "type": "object",
    }
    new = copy.deepcopy(old)
    new["$defs"]["Line"]["properties"]["points"]["type"] = "number"

    problems = schemas.breaking_changes(old, new)

    assert problems != []
    assert any("Line" in p and "points" in p for p in problems)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (r"^-?\d{1,12}(\.\d{1,4})?$", r"^-?[0-9]{1,12}(\.[0-9]{1,4})?$"),
        (r"^\d+/\d+$", r"^[0-9]+/[0-9]+$"),
        (r"^[\d.]+$", r"^[0-9.]+$"),
        (r"^\D$", r"^[^0-9]$"),
        (r"^[^\s+]+$", f"^[^{ECMA_SPACE}+]+$"),
        (r"^\w+$", r"^[A-Za-z0-9_]+$"),
    ],
)
def test_a_shorthand_class_spelled_out_as_ecma_262_reads_it_is_not_breaking(
    old: str, new: str
) -> None:
    # JSON Schema patterns are ECMA-262: `\d` there is [0-9], so the published language is the
    # same; only pydantic (and Python's `re`) read `\d` as every Unicode digit.
    old_schema = obj({"points": string(pattern=old)})
    new_schema = obj({"points": string(pattern=new)})

    assert schemas.breaking_changes(old_schema, new_schema) == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (r"^\d+$", r"^[0-8]+$"),
        (r"^\d+$", r"^[0-9٠-٩]+$"),
        (r"^\\d+$", r"^\\[0-9]+$"),  # an escaped backslash, then a plain "d"
        (r"^[^\s+]+$", r"^[^ +]+$"),
    ],
)
def test_a_shorthand_class_replaced_by_another_set_is_breaking(old: str, new: str) -> None:
    old_schema = obj({"points": string(pattern=old)})
    new_schema = obj({"points": string(pattern=new)})

    assert schemas.breaking_changes(old_schema, new_schema) != []


def _patterns(schema: Any) -> list[str]:
    if isinstance(schema, dict):
        own = [schema["pattern"]] if isinstance(schema.get("pattern"), str) else []
        return own + [p for value in schema.values() for p in _patterns(value)]
    if isinstance(schema, list):
        return [p for value in schema for p in _patterns(value)]
    return []


@pytest.mark.parametrize("name", SCHEMA_FILES)
def test_published_patterns_use_no_shorthand_class(name: str) -> None:
    # `\d`, `\s`, `\w` mean one thing to pydantic and another to the schemas' readers.
    found = [p for p in _patterns(read_schema(name)) if schemas.ecma_pattern(p) != p]

    assert found == []


def _command(model: type[Any], **fields: Any) -> Any:
    return model.model_validate(
        {
            "command_id": EVENT_ID,
            "actor": {"id": "van-thu", "role": "unit_clerk"},
            "movement_id": "bn-2022",
            **fields,
        }
    )


REPORT = {"unit_id": "phuong-vu-ninh", "round": "tong-ket", "submitted_on": "2022-12-20"}


@pytest.mark.parametrize(
    ("model", "fields", "schema_name"),
    [
        (
            SubmitReport,
            {**REPORT, "self_scores": [{"criterion_code": "xay-dung-dang", "points": "١٤"}]},
            "cmd.submissions.submit_report.v1.json",
        ),
        (
            SubmitReport,
            {**REPORT, "self_scores": [{"criterion_code": "xay-dung-dang", "points": "1٤.5"}]},
            "cmd.submissions.submit_report.v1.json",
        ),
        (
            PublishMovement,
            {
                "number": "٩٥/KH-UBND",
                "signed_on": "2022-05-10",
                "signer_name": "Nguyễn Minh Quang",
                "signer_position": "Chủ tịch",
            },
            "cmd.submissions.publish_movement.v1.json",
        ),
    ],
)
def test_non_ascii_digits_are_refused_as_the_published_schema_refuses_them(
    model: type[Any], fields: dict[str, Any], schema_name: str
) -> None:
    ascii_fields = json.loads(
        json.dumps(fields, ensure_ascii=False).translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789"))
    )
    _command(model, **ascii_fields)  # the same command in ASCII digits is fine

    with pytest.raises(ValidationError):
        _command(model, **fields)
    instance = {
        "command_id": EVENT_ID,
        "actor": {"id": "van-thu", "role": "unit_clerk"},
        "movement_id": "bn-2022",
        **fields,
    }
    assert errors(read_schema(schema_name), instance) != []


def test_an_envelope_time_or_threshold_in_other_digits_is_refused() -> None:
    instance = envelope_of(minimal_payloads()["scoring.BlockHonoured"])
    with_time = {**instance, "occurred_at": "٢٠٢٢-12-28T10:00:00+07:00"}
    honoured = {**instance, "payload": {**instance["payload"], "threshold": "١/٢"}}

    with pytest.raises(ValidationError):
        Envelope.model_validate(with_time)
    with pytest.raises(ValidationError):
        BlockHonoured.model_validate(honoured["payload"])
    for bad in (with_time, honoured):
        assert errors(read_schema("scoring.BlockHonoured.v1.json"), bad) != []


def test_a_key_rotation_origin_refuses_what_ecma_262_calls_a_space() -> None:
    payload = minimal_payloads()["audit.SigningKeyRotated"].model_dump(mode="json")

    for origin in ("thidua/a\ufeffb", "thidua/a\u3000b", "thidua/a+b"):
        with pytest.raises(ValidationError):
            SigningKeyRotated.model_validate({**payload, "origin": origin})
    SigningKeyRotated.model_validate({**payload, "origin": "thidua/THIDUA_DEMO"})


def test_a_removed_definition_is_breaking() -> None:
    old = {"$defs": {"Line": obj({}), "Sheet": obj({})}}
    new = {"$defs": {"Sheet": obj({})}}

    assert schemas.breaking_changes(old, new) != []


# --- published schemas only change additively ----------------------------------------------


# Properties given to closed objects before the contracts' first release, while no reader of
# the earlier files existed: the only such additions accepted. Keyed by definition, or by file
# for a command's own properties. From now on a field there is a new version.
ADDED_BEFORE_RELEASE: dict[str, frozenset[str]] = {
    "Block": frozenset({"scoring_table"}),
    "Criterion": frozenset({"bands", "key", "method", "per_item", "target_code"}),
    "MovementDefinition": frozenset(
        {
            "award_provisions",
            "criteria_collective_lead",
            "criteria_individual_lead",
            "organisation",
            "participants_text",
            "scoring_rules",
            "targets_preamble",
            "timeline_text",
        }
    ),
    "Round": frozenset({"due_working_days"}),
    "Unit": frozenset({"ended_on", "predecessor_ids"}),
    "Error": frozenset({"details"}),
    "cmd.scoring.appraise.v1.json": frozenset({"bonuses", "penalties"}),
    "cmd.submissions.propose_award.v1.json": frozenset({"achievement_report", "dossier"}),
    "cmd.submissions.submit_report.v1.json": frozenset({"evidence"}),
}


def since_release(name: str, problems: list[str]) -> list[str]:
    """The problems, less the additions to closed objects accepted before the first release."""
    accepted = {
        f"$.properties.{prop}: {schemas.CLOSED_ADDITION}"
        for prop in ADDED_BEFORE_RELEASE.get(name, frozenset())
    }
    for definition, props in ADDED_BEFORE_RELEASE.items():
        accepted |= {
            f"$.$defs.{definition}.properties.{prop}: {schemas.CLOSED_ADDITION}" for prop in props
        }
    return [p for p in problems if p not in accepted]


@pytest.mark.parametrize("name", SCHEMA_FILES)
def test_schema_file_is_additive_over_its_first_committed_version(name: str) -> None:
    current = read_schema(name)
    first = first_committed_version(SCHEMA_DIR / name)
    if first is None:  # not committed yet: nothing published to compare with
        first = current

    assert since_release(name, schemas.breaking_changes(first, current)) == []


@pytest.mark.parametrize("name", sorted(schemas.generate()))
def test_schema_generated_from_the_models_is_additive_over_the_published_file(name: str) -> None:
    # Catches a non-additive model change before anyone regenerates the checked-in files.
    generated = json.loads(schemas.dump(schemas.generate()[name]))
    published = first_committed_version(SCHEMA_DIR / name)
    if published is None:
        published = read_schema(name) if (SCHEMA_DIR / name).exists() else generated

    assert since_release(name, schemas.breaking_changes(published, generated)) == []


def test_only_the_additions_made_before_release_are_let_through() -> None:
    problems = [
        f"$.$defs.Criterion.properties.bands: {schemas.CLOSED_ADDITION}",
        f"$.$defs.Criterion.properties.weight: {schemas.CLOSED_ADDITION}",
        f"$.$defs.Actor.properties.email: {schemas.CLOSED_ADDITION}",
        f"$.properties.evidence: {schemas.CLOSED_ADDITION}",
    ]

    assert since_release("cmd.submissions.submit_report.v1.json", problems) == problems[1:3]
    assert since_release("cmd.submissions.propose_award.v1.json", problems) == problems[1:]


# --- real envelopes validate against their schemas ------------------------------------------


def test_there_is_a_minimal_payload_for_every_event_type() -> None:
    assert set(minimal_payloads()) == set(EVENT_TYPES)


@pytest.mark.parametrize("type_name", sorted(EVENT_TYPES))
def test_a_real_envelope_validates_against_its_checked_in_schema(type_name: str) -> None:
    payload = minimal_payloads()[type_name]
    cls = EVENT_TYPES[type_name]
    instance = envelope_of(payload)

    assert errors(read_schema(f"{type_name}.v{cls.VERSION}.json"), instance) == []
    assert errors(read_schema("envelope.v1.json"), instance) == []
    # and the payload reads back into its own model unchanged
    assert cls.model_validate(instance["payload"]) == payload


@pytest.mark.parametrize("type_name", sorted(EVENT_TYPES))
def test_a_payload_field_of_the_wrong_type_fails_schema_validation(type_name: str) -> None:
    cls = EVENT_TYPES[type_name]
    instance = envelope_of(minimal_payloads()[type_name])
    field, wrong = WRONG_TYPES[type_name]
    assert field in instance["payload"]
    instance["payload"][field] = wrong

    problems = errors(read_schema(f"{type_name}.v{cls.VERSION}.json"), instance)

    assert problems != []
    assert any(p.startswith(f"['payload', '{field}'") for p in problems), problems


@pytest.mark.parametrize("type_name", sorted(EVENT_TYPES))
def test_an_envelope_of_another_type_fails_the_type_specific_schema(type_name: str) -> None:
    cls = EVENT_TYPES[type_name]
    instance = envelope_of(minimal_payloads()[type_name])
    other = next(t for t in sorted(EVENT_TYPES) if t != type_name)
    instance["type"] = other

    assert errors(read_schema(f"{type_name}.v{cls.VERSION}.json"), instance) != []


def test_an_envelope_with_a_utc_time_fails_schema_validation() -> None:
    instance = envelope_of(minimal_payloads()["nominations.BallotTallied"])
    instance["occurred_at"] = "2022-12-28T03:00:00Z"

    problems = errors(read_schema("nominations.BallotTallied.v1.json"), instance)

    assert any("occurred_at" in p for p in problems)


# --- a command's new version ------------------------------------------------------------------


def test_a_command_with_a_new_field_is_published_as_a_new_version_beside_the_old() -> None:
    v1 = read_schema("cmd.nominations.forward_upward.v1.json")
    v2 = read_schema("cmd.nominations.forward_upward.v2.json")
    # v2 is v1 and two optional fields; nothing v1 accepts is refused by v2.
    added = {"signer_name", "signer_position"}
    assert set(v2["properties"]) - set(v1["properties"]) == added
    assert v2["required"] == v1["required"]
    assert sorted(schemas.breaking_changes(v1, v2)) == sorted(
        f"$.properties.{p}: {schemas.CLOSED_ADDITION}" for p in added
    )
    body = {
        "command_id": "0190b3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b",
        "actor": {"id": "van-phong-ubnd", "role": "chairman_office"},
        "movement_id": "bn-2022",
        "submission_id": "0190b3c4-5d6e-7f80-9a1b-2c3d4e5f6a7c",
        "number": "05/TTr-UBND",
        "signed_on": "2022-12-23",
        "addressee": "UBND tỉnh Bắc Ninh (qua Sở Nội vụ)",
        "proposal_ids": ["0190b3c4-5d6e-7f80-9a1b-2c3d4e5f6a7d"],
    }
    assert errors(v1, body) == [] and errors(v2, body) == []
    command = ForwardProposals.model_validate(body)  # the service reads a v1 body as v2
    assert (command.signer_name, command.signer_position) == (None, "chu_tich")
    signed = {**body, "signer_name": "Nguyễn Minh Quang", "signer_position": "pho_chu_tich"}
    assert errors(v2, signed) == []
    assert errors(v1, signed) != []  # a v1 reader refuses the signer: hence a new version
    # Only the current version is dispatched.
    assert COMMANDS[("nominations", "forward_upward")] is ForwardProposals
    assert ForwardProposalsV1 not in COMMANDS.values()

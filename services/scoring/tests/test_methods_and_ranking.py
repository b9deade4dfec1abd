"""How criteria are scored, penalties, appraisal, and block ranking (DOMAIN §6.2–6.3)."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from thidua_contracts.events import (
    Achievement,
    CriterionChange,
    CriterionPoints,
    ReportSubmitted,
    ScoreSheetRecorded,
)
from thidua_contracts.movement import Band, Criterion, RoundKind, ScoringRules
from thidua_scoring.domain import ranking, score_sheet

TABLE = [
    Criterion(
        code="thu-ngan-sach",
        group="I",
        name="Thu ngân sách",
        max_points="40",
        method="prorated",
        target_code="thu-ngan-sach",
        key=True,
    ),
    Criterion(
        code="khong-dich",
        group="I",
        name="Không có ổ dịch mới",
        max_points="10",
        method="yes_no",
        target_code="phong-chong-dich",
    ),
    Criterion(
        code="mo-hinh",
        group="III",
        name="Mô hình điển hình",
        max_points="10",
        method="count",
        target_code="mo-hinh",
        per_item="2.5",
    ),
    Criterion(
        code="cai-cach",
        group="IV",
        name="Chỉ số cải cách hành chính",
        max_points="20",
        method="bands",
        target_code="par-index",
        bands=[Band(at_least="70", points="10"), Band(at_least="85", points="20")],
    ),
    Criterion(code="doan-ket", group="II", name="Đoàn kết nội bộ", max_points="20"),
]
RULES = ScoringRules()
COMMITTED = {"thu-ngan-sach": Decimal("200")}


def report(
    values: dict[str, str], own: str = "18", late: int = 0, unit: str = "a"
) -> ReportSubmitted:
    return ReportSubmitted(
        unit_id=unit,
        round=RoundKind.TONG_KET,
        report_version=1,
        achievements=[
            Achievement(target_code=k, value=v, unit_of_measure="đơn vị") for k, v in values.items()
        ],
        self_scores=[CriterionPoints(criterion_code="doan-ket", points=own)],
        submitted_on=date(2022, 12, 12),
        late=late > 0,
        working_days_late=late,
    )


FULL = {"thu-ngan-sach": "210", "phong-chong-dich": "1", "mo-hinh": "5", "par-index": "90"}


def test_each_method_scores_as_its_rule_says() -> None:
    sheet = score_sheet.score(
        report(
            {"thu-ngan-sach": "150", "phong-chong-dich": "0", "mo-hinh": "3", "par-index": "80"}
        ),
        TABLE,
        RULES,
        COMMITTED,
    )
    got = {line.criterion_code: line.points for line in sheet.lines}
    assert got == {
        "thu-ngan-sach": "30.00",
        "khong-dich": "0.00",
        "mo-hinh": "7.50",
        "cai-cach": "10.00",
        "doan-ket": "18.00",
    }
    assert sheet.total == "65.50" and sheet.max_total == "100.00"
    capped = score_sheet.score(report(FULL), TABLE, RULES, COMMITTED)
    assert capped.total == "98.00"  # 40 (capped at 100 %) + 10 + 10 (capped) + 20 + 18


def test_a_late_report_is_penalised_per_working_day_up_to_the_cap() -> None:
    on_time = score_sheet.score(report(FULL), TABLE, RULES, COMMITTED)
    late = score_sheet.score(report(FULL, late=3), TABLE, RULES, COMMITTED)
    very_late = score_sheet.score(report(FULL, late=40), TABLE, RULES, COMMITTED)
    assert Decimal(on_time.total) - Decimal(late.total) == Decimal("1.5")
    assert Decimal(on_time.total) - Decimal(very_late.total) == Decimal("5")
    assert late.penalties[0].code == "nop-muon"


def test_a_missing_report_scores_zero_with_its_penalty_and_never_below_zero() -> None:
    sheet = score_sheet.missing("b", RoundKind.TONG_KET, TABLE, RULES, "khoi-phuong")
    assert (sheet.total, sheet.basis, sheet.penalties[0].code) == (
        "0.00",
        "missing",
        "khong-bao-cao",
    )


def test_an_appraisal_replaces_the_points_it_names_with_its_reason() -> None:
    change = CriterionChange(
        criterion_code="doan-ket", points="12", reason="Có đơn thư phản ánh được xác minh"
    )
    sheet = score_sheet.score(report(FULL), TABLE, RULES, COMMITTED, [change])
    line = next(line for line in sheet.lines if line.criterion_code == "doan-ket")
    assert (line.points, line.rule, sheet.basis) == (
        "12.00",
        "Thẩm định: Có đơn thư phản ánh được xác minh",
        "appraisal",
    )


def sheet_of(unit: str, values: dict[str, str], own: str = "18") -> ScoreSheetRecorded:
    return score_sheet.score(report(values, own=own, unit=unit), TABLE, RULES, COMMITTED)


def test_ranking_breaks_ties_by_full_scores_then_leaves_a_true_tie_to_the_ballot() -> None:
    partial = {**FULL, "thu-ngan-sach": "190"}  # 38 points, one fewer full-score criterion
    sheets = {
        "a": sheet_of("a", FULL, own="16"),  # 96, four criteria at full
        "b": sheet_of("b", partial),  # 96, three at full
        "c": sheet_of("c", FULL, own="10"),
    }
    ranked = ranking.rank("k", RoundKind.TONG_KET, sheets, TABLE, RULES, {})
    assert [(r.unit_id, r.rank) for r in ranked.rows] == [("a", 1), ("b", 2), ("c", 3)]
    assert ranked.leader_unit_id == "a" and not ranked.needs_ballot
    tie = {"a": sheet_of("a", FULL), "b": sheet_of("b", FULL)}
    tied = ranking.rank("k", RoundKind.TONG_KET, tie, TABLE, RULES, {})
    assert [r.rank for r in tied.rows] == [1, 1]
    assert tied.leader_unit_id is None and tied.needs_ballot


def test_disqualified_units_cannot_lead() -> None:
    missed_key = {**FULL, "thu-ngan-sach": "100"}
    sheets = {
        "a": sheet_of("a", FULL),
        "b": sheet_of("b", FULL, own="10"),
        "c": sheet_of("c", missed_key),
    }
    ranked = ranking.rank(
        "k", RoundKind.TONG_KET, sheets, TABLE, RULES, {"a": "Tập thể bị kỷ luật trong năm"}
    )
    rows = {r.unit_id: r for r in ranked.rows}
    assert rows["a"].rank == 1 and rows["a"].disqualified == "Tập thể bị kỷ luật trong năm"
    assert rows["c"].disqualified == "Không đạt chỉ tiêu trọng tâm: Thu ngân sách"
    assert ranked.leader_unit_id is None and not ranked.needs_ballot
    assert ranked.excellent_unit_ids == ["b"]


def test_a_unit_without_a_report_at_the_close_is_unranked_for_not_reporting_on_time() -> None:
    # A report sent after the close is counted as late in the city's report; the ranking made
    # at the close must not say it was never sent.
    sheets = {
        "a": sheet_of("a", FULL),
        "b": score_sheet.missing("b", RoundKind.TONG_KET, TABLE, RULES, "k"),
    }
    rows = {
        r.unit_id: r for r in ranking.rank("k", RoundKind.TONG_KET, sheets, TABLE, RULES, {}).rows
    }
    assert rows["b"].disqualified == "Không nộp báo cáo đúng hạn"
    assert rows["a"].disqualified is None


VALUES = st.fixed_dictionaries(
    {
        "thu-ngan-sach": st.integers(0, 400).map(str),
        "phong-chong-dich": st.integers(0, 1).map(str),
        "mo-hinh": st.integers(0, 10).map(str),
        "par-index": st.integers(0, 100).map(str),
    }
)


@given(VALUES, st.sampled_from(sorted(FULL)), st.integers(1, 50))
def test_raising_any_achieved_figure_never_lowers_the_total(
    values: dict[str, str], target: str, more: int
) -> None:
    before = score_sheet.score(report(values), TABLE, RULES, COMMITTED)
    raised = {**values, target: str(int(values[target]) + more)}
    after = score_sheet.score(report(raised), TABLE, RULES, COMMITTED)
    assert Decimal(after.total) >= Decimal(before.total)
    assert Decimal("0") <= Decimal(after.total) <= Decimal(after.max_total)


@given(st.lists(VALUES, min_size=2, max_size=8), st.randoms(use_true_random=False))
def test_the_ranking_does_not_depend_on_the_order_reports_arrived_in(
    all_values: list[dict[str, str]], shuffle: random.Random
) -> None:
    sheets = [(f"u{i}", sheet_of(f"u{i}", v)) for i, v in enumerate(all_values)]
    first = ranking.rank("k", RoundKind.TONG_KET, dict(sheets), TABLE, RULES, {})
    shuffle.shuffle(sheets)
    again = ranking.rank("k", RoundKind.TONG_KET, dict(sheets), TABLE, RULES, {})
    assert first == again


def test_bonuses_are_capped_and_the_total_never_passes_the_maximum() -> None:
    from thidua_contracts.events import PenaltyLine

    bonus = [
        PenaltyLine(code="mo-hinh-moi", points="4", reason="Mô hình mới được nhân rộng"),
        PenaltyLine(code="khen-cap-tren", points="3", reason="Bằng khen của tỉnh"),
    ]
    base = score_sheet.score(report(FULL, own="10"), TABLE, RULES, COMMITTED)
    boosted = score_sheet.score(report(FULL, own="10"), TABLE, RULES, COMMITTED, bonuses=bonus)
    assert Decimal(boosted.total) - Decimal(base.total) == Decimal("5")  # 7 capped at 5
    full = score_sheet.score(report(FULL, own="20"), TABLE, RULES, COMMITTED, bonuses=bonus)
    assert full.total == full.max_total == "100.00"
    fined = score_sheet.score(
        report(FULL),
        TABLE,
        RULES,
        COMMITTED,
        extra_penalties=[PenaltyLine(code="vi-pham", points="8", reason="Vi phạm kỷ luật")],
    )
    assert Decimal(base.total) + Decimal("8") - Decimal(fined.total) == Decimal("8")
    assert fined.basis == "appraisal"

"""Score sheets: a report's self-scores against the block scoring table (DOMAIN §6)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import cache
from importlib.resources import files

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from thidua_contracts.canonical import canonical_bytes
from thidua_contracts.events import CriterionPoints, ReportSubmitted, ScoreSheetRecorded
from thidua_contracts.movement import Criterion, MovementDefinition, RoundKind
from thidua_scoring.domain.score_sheet import score, table_rules

TWO_DECIMALS = re.compile(r"^\d+\.\d{2}$")


# --- helpers ---------------------------------------------------------------------------------


@cache
def sample() -> MovementDefinition:
    text = files("thidua_kit").joinpath("demo", "bn-2022.yaml").read_text(encoding="utf-8")
    return MovementDefinition.model_validate(yaml.safe_load(text))


def table() -> list[Criterion]:
    return list(sample().scoring_table)


def report(*scores: tuple[str, str]) -> ReportSubmitted:
    return ReportSubmitted(
        unit_id="phuong-vu-ninh",
        round=RoundKind.TONG_KET,
        report_version=2,
        self_scores=[CriterionPoints(criterion_code=c, points=p) for c, p in scores],
        submitted_on=date(2022, 12, 20),
        late=False,
    )


def line(sheet: ScoreSheetRecorded, code: str) -> dict[str, object]:
    (found,) = [ln for ln in sheet.lines if ln.criterion_code == code]
    return found.model_dump()


def cents(value: int) -> str:
    return f"{Decimal(value) / 100:.2f}"


def with_max_points(definition: MovementDefinition, index: int, value: str) -> MovementDefinition:
    criteria = list(definition.scoring_table)
    criteria[index] = criteria[index].model_copy(update={"max_points": value})
    return MovementDefinition.model_validate(
        {**definition.model_dump(), "scoring_table": [c.model_dump() for c in criteria]}
    )


# --- score -----------------------------------------------------------------------------------


def test_sheet_identifies_the_report_it_scores() -> None:
    sheet = score(report(("nhiem-vu-chinh-tri", "50")), table())

    assert (sheet.unit_id, sheet.round, sheet.report_version) == (
        "phuong-vu-ninh",
        RoundKind.TONG_KET,
        2,
    )
    assert [ln.criterion_code for ln in sheet.lines] == [c.code for c in table()]


def test_self_scores_within_the_maximum_are_taken_as_given() -> None:
    sheet = score(report(("nhiem-vu-chinh-tri", "55.5"), ("xay-dung-dang", "14.25")), table())

    assert line(sheet, "nhiem-vu-chinh-tri") == {
        "criterion_code": "nhiem-vu-chinh-tri",
        "self_points": "55.50",
        "points": "55.50",
        "max_points": "60.00",
        "rule": "Theo điểm tự chấm, tối đa 60.00 điểm",
    }
    assert line(sheet, "xay-dung-dang")["points"] == "14.25"


def test_a_self_score_above_the_maximum_is_capped_and_the_rule_says_so() -> None:
    sheet = score(report(("nhiem-vu-chinh-tri", "70"), ("cai-cach-hanh-chinh", "10.01")), table())

    capped = line(sheet, "nhiem-vu-chinh-tri")
    assert capped["self_points"] == "70.00"
    assert capped["points"] == "60.00"
    assert capped["max_points"] == "60.00"
    assert "vượt mức tối đa" in str(capped["rule"])
    assert "60.00" in str(capped["rule"])
    assert line(sheet, "cai-cach-hanh-chinh")["points"] == "10.00"
    assert sheet.total == "70.00"


def test_a_self_score_equal_to_the_maximum_is_not_described_as_capped() -> None:
    sheet = score(report(("xay-dung-dang", "15")), table())

    full = line(sheet, "xay-dung-dang")
    assert full["points"] == "15.00"
    assert "vượt" not in str(full["rule"])


def test_a_criterion_not_self_scored_gets_zero() -> None:
    sheet = score(report(("nhiem-vu-chinh-tri", "50")), table())

    missing = line(sheet, "cong-tac-thi-dua")
    assert missing["self_points"] is None
    assert missing["points"] == "0.00"
    assert missing["max_points"] == "15.00"
    assert "Không tự chấm" in str(missing["rule"])


def test_a_report_without_self_scores_totals_zero() -> None:
    sheet = score(report(), table())

    assert sheet.total == "0.00"
    assert all(ln.points == "0.00" for ln in sheet.lines)


def test_total_is_the_exact_decimal_sum_of_the_lines() -> None:
    scores = [
        ("nhiem-vu-chinh-tri", "55.55"),
        ("xay-dung-dang", "14.1"),
        ("cong-tac-thi-dua", "13.35"),
        ("cai-cach-hanh-chinh", "9"),
    ]

    sheet = score(report(*scores), table())

    assert sheet.total == "92.00"  # 0.1 + 0.2-style float error would show up here
    assert sum(Decimal(ln.points) for ln in sheet.lines) == Decimal(sheet.total)


def test_totals_are_two_decimal_strings_never_floats() -> None:
    sheet = score(report(("nhiem-vu-chinh-tri", "33.3"), ("xay-dung-dang", "7")), table())

    data = sheet.model_dump(mode="json")
    for value in (data["total"], data["max_total"]):
        assert isinstance(value, str)
        assert TWO_DECIMALS.match(value)
    for ln in data["lines"]:
        assert isinstance(ln["points"], str)
        assert TWO_DECIMALS.match(ln["points"])
        assert TWO_DECIMALS.match(ln["max_points"])
    canonical_bytes(data)  # refuses any float


def test_max_total_is_the_sum_of_the_table() -> None:
    sheet = score(report(("nhiem-vu-chinh-tri", "10")), table())

    assert sheet.max_total == "100.00"


def test_max_total_follows_a_different_table() -> None:
    small = [
        Criterion(code="a", group="I", name="A", max_points="12.5"),
        Criterion(code="b", group="II", name="B", max_points="7.25"),
    ]

    sheet = score(report(("a", "20")), small)

    assert sheet.max_total == "19.75"
    assert sheet.total == "12.50"


def test_self_scores_for_criteria_outside_the_table_are_ignored() -> None:
    sheet = score(report(("tieu-chi-cu", "40"), ("xay-dung-dang", "5")), table())

    assert sheet.total == "5.00"
    assert "tieu-chi-cu" not in {ln.criterion_code for ln in sheet.lines}


CRITERIA_MAX_CENTS = [int(Decimal(c.max_points) * 100) for c in sample().scoring_table]


@st.composite
def scores_and_a_raise(draw: st.DrawFn) -> tuple[list[int | None], int, int]:
    """Self-scores in cents (None = not scored), a criterion to raise, and its raised score."""
    given_scores = [draw(st.none() | st.integers(0, top)) for top in CRITERIA_MAX_CENTS]
    index = draw(st.integers(0, len(CRITERIA_MAX_CENTS) - 1))
    low = given_scores[index] or 0
    raised = draw(st.integers(low, CRITERIA_MAX_CENTS[index]))
    return given_scores, index, raised


def sheet_of(scores_in_cents: list[int | None]) -> ScoreSheetRecorded:
    pairs = [
        (c.code, cents(value))
        for c, value in zip(sample().scoring_table, scores_in_cents, strict=True)
        if value is not None
    ]
    return score(report(*pairs), table())


@given(scores_and_a_raise())
def test_raising_a_self_score_never_lowers_the_total(
    case: tuple[list[int | None], int, int],
) -> None:
    before_scores, index, raised = case
    after_scores = list(before_scores)
    after_scores[index] = raised

    before = sheet_of(before_scores)
    after = sheet_of(after_scores)

    assert Decimal(after.total) >= Decimal(before.total)
    # Within the maximum, the total moves by exactly the raise.
    increase = Decimal(raised - (before_scores[index] or 0)) / 100
    assert Decimal(after.total) - Decimal(before.total) == increase


@given(st.lists(st.integers(0, 20000), min_size=4, max_size=4))
def test_total_never_exceeds_max_total(scores_in_cents: list[int]) -> None:
    sheet = sheet_of([*scores_in_cents])

    assert Decimal("0") <= Decimal(sheet.total) <= Decimal(sheet.max_total)


# --- table_rules -----------------------------------------------------------------------------


def test_table_rules_name_the_movement_table_and_version() -> None:
    rules = table_rules(sample())

    assert rules.id == "bn-2022/bang-cham-diem"
    assert rules.version == "1"
    assert re.fullmatch(r"[0-9a-f]{64}", rules.sha256)


def test_table_rules_hash_is_stable() -> None:
    first = table_rules(sample())
    reloaded = MovementDefinition.model_validate(sample().model_dump())

    assert table_rules(sample()) == first
    assert table_rules(reloaded) == first


def test_table_rules_hash_ignores_parts_of_the_movement_outside_the_table() -> None:
    definition = sample()
    renamed = definition.model_copy(
        update={"name": "Phong trào khác", "registration_due_on": date(2022, 6, 30)}
    )

    assert table_rules(renamed).sha256 == table_rules(definition).sha256


@pytest.mark.parametrize("index", range(4))
def test_table_rules_hash_changes_when_any_max_points_changes(index: int) -> None:
    definition = sample()
    original = definition.scoring_table[index].max_points
    changed = with_max_points(definition, index, str(Decimal(original) + 1))

    assert table_rules(changed).sha256 != table_rules(definition).sha256
    assert table_rules(changed).id == table_rules(definition).id


def test_table_rules_hash_changes_when_a_criterion_is_added() -> None:
    definition = sample()
    extra = Criterion(code="diem-thuong", group="V", name="Điểm thưởng", max_points="5")
    longer = definition.model_copy(update={"scoring_table": [*definition.scoring_table, extra]})

    assert table_rules(longer).sha256 != table_rules(definition).sha256

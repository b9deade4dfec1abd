"""Score sheets (phiếu chấm điểm): a unit's report scored against its block's table (DOMAIN §6).
Pure: the report, the unit's commitments, any appraisal and the rules in; the sheet out."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from thidua_contracts.canonical import canonical_bytes, sha256_hex
from thidua_contracts.envelope import Envelope, RulesRef
from thidua_contracts.events import (
    CriterionChange,
    EventPayload,
    PenaltyLine,
    ReportSubmitted,
    ScoreLine,
    ScoreSheetRecorded,
)
from thidua_contracts.movement import Criterion, MovementDefinition, RoundKind, ScoringRules

CENT = Decimal("0.01")
ZERO = Decimal(0)


def points(value: Decimal) -> str:
    return str(value.quantize(CENT))


def table_rules(definition: MovementDefinition, block_id: str | None = None) -> RulesRef:
    """The table and local rules are part of the movement; their hash pins what a sheet used."""
    table = [c.model_dump(mode="json") for c in definition.table_for(block_id or "")]
    content = {"table": table, "rules": definition.scoring_rules.model_dump(mode="json")}
    return RulesRef(
        id=f"{definition.movement_id}/bang-cham-diem" + (f"/{block_id}" if block_id else ""),
        version=str(definition.version),
        sha256=sha256_hex(canonical_bytes(content)),
    )


def _criterion(
    criterion: Criterion,
    own: Decimal | None,
    achieved: dict[str, Decimal],
    committed: dict[str, Decimal],
) -> tuple[Decimal, str]:
    maximum = Decimal(criterion.max_points)
    target = criterion.target_code
    value = achieved.get(target) if target else None
    if criterion.method == "self":
        if own is None:
            return ZERO, "Không tự chấm: 0 điểm"
        if own > maximum:
            return maximum, f"Tự chấm vượt mức tối đa, tính {points(maximum)} điểm"
        return own, f"Theo điểm tự chấm, tối đa {points(maximum)} điểm"
    if value is None:
        return ZERO, f"Không có số liệu chỉ tiêu {target}: 0 điểm"
    if criterion.method == "prorated":
        goal = committed.get(target or "")
        if goal is None or goal <= 0:
            return ZERO, f"Chưa đăng ký chỉ tiêu {target}: 0 điểm"
        ratio = min(value / goal, Decimal(1))
        return maximum * ratio, f"Đạt {points(ratio * 100)} % chỉ tiêu đăng ký × {points(maximum)}"
    if criterion.method == "yes_no":
        got = maximum if value > 0 else ZERO
        return got, "Đạt" if value > 0 else "Không đạt"
    if criterion.method == "count":
        per_item = Decimal(criterion.per_item or "0")
        return min(
            maximum, value * per_item
        ), f"{value} × {points(per_item)}, tối đa {points(maximum)}"
    band = max(
        (b for b in criterion.bands if value >= Decimal(b.at_least)),
        key=lambda b: Decimal(b.at_least),
        default=None,
    )
    got = min(maximum, Decimal(band.points)) if band else ZERO
    return got, f"Mức ≥ {band.at_least}" if band else "Dưới mức thấp nhất"


def score(
    report: ReportSubmitted,
    table: list[Criterion],
    rules: ScoringRules | None = None,
    committed: dict[str, Decimal] | None = None,
    appraisal: list[CriterionChange] | None = None,
    block_id: str | None = None,
    bonuses: list[PenaltyLine] | None = None,
    extra_penalties: list[PenaltyLine] | None = None,
) -> ScoreSheetRecorded:
    """The computed sheet; an appraisal's agreed points replace the computed ones it names, and
    its bonuses (capped) and penalties are added."""
    own_scores = {s.criterion_code: Decimal(s.points) for s in report.self_scores}
    achieved = {a.target_code: Decimal(a.value) for a in report.achievements}
    agreed = {c.criterion_code: c for c in appraisal or []}
    lines = []
    for criterion in table:
        maximum = Decimal(criterion.max_points)
        own = own_scores.get(criterion.code)
        value, rule = _criterion(criterion, own, achieved, committed or {})
        if criterion.code in agreed:
            change = agreed[criterion.code]
            value = min(maximum, max(ZERO, Decimal(change.points)))
            rule = f"Thẩm định: {change.reason}"
        lines.append(
            ScoreLine(
                criterion_code=criterion.code,
                self_points=None if own is None else points(own),
                points=points(value),
                max_points=points(maximum),
                rule=rule,
            )
        )
    rules = rules or ScoringRules()
    penalties = []
    if report.working_days_late > 0:
        per_day = Decimal(rules.late_penalty_per_working_day)
        amount = min(Decimal(rules.late_penalty_cap), per_day * report.working_days_late)
        penalties.append(
            PenaltyLine(
                code="nop-muon",
                points=points(amount),
                reason=f"Nộp báo cáo muộn {report.working_days_late} ngày làm việc",
            )
        )
    penalties.extend(extra_penalties or [])
    agreed_any = bool(appraisal or bonuses or extra_penalties)
    return _sheet(
        report.unit_id,
        report.round,
        report.report_version,
        lines,
        table,
        penalties,
        "appraisal" if agreed_any else "report",
        block_id,
        bonuses or [],
        Decimal(rules.bonus_cap),
    )


def missing(
    unit_id: str,
    round_: RoundKind,
    table: list[Criterion],
    rules: ScoringRules,
    block_id: str | None,
) -> ScoreSheetRecorded:
    """A registered unit with no report when the round closed: zero, and the penalty."""
    lines = [
        ScoreLine(
            criterion_code=c.code,
            self_points=None,
            points=points(ZERO),
            max_points=points(Decimal(c.max_points)),
            rule="Không có báo cáo",
        )
        for c in table
    ]
    penalty = PenaltyLine(
        code="khong-bao-cao",
        points=points(Decimal(rules.missing_report_penalty)),
        reason="Không nộp báo cáo khi hết hạn",
    )
    return _sheet(unit_id, round_, 0, lines, table, [penalty], "missing", block_id)


def _sheet(
    unit_id: str,
    round_: RoundKind,
    version: int,
    lines: list[ScoreLine],
    table: list[Criterion],
    penalties: list[PenaltyLine],
    basis: str,
    block_id: str | None,
    bonuses: list[PenaltyLine] | None = None,
    bonus_cap: Decimal = ZERO,
) -> ScoreSheetRecorded:
    earned = sum((Decimal(line.points) for line in lines), ZERO)
    bonus = min(bonus_cap, sum((Decimal(b.points) for b in bonuses or []), ZERO))
    deducted = sum((Decimal(p.points) for p in penalties), ZERO)
    maximum = sum((Decimal(c.max_points) for c in table), ZERO)
    return ScoreSheetRecorded.model_validate(
        {
            "unit_id": unit_id,
            "round": round_,
            "report_version": version,
            "lines": lines,
            # The table's maximum stays the ceiling even with bonuses; nobody goes below zero.
            "total": points(min(maximum, max(ZERO, earned + bonus - deducted))),
            "max_total": points(maximum),
            "block_id": block_id,
            "basis": basis,
            "penalties": penalties,
            "bonuses": bonuses or [],
        }
    )


class SheetState(BaseModel):
    model_config = ConfigDict(frozen=True)

    sheet: ScoreSheetRecorded | None = None
    event_id: str | None = None
    appraisal: list[CriterionChange] = []


def initial() -> SheetState:
    return SheetState()


def evolve(state: SheetState, envelope: Envelope, payload: EventPayload) -> SheetState:
    if isinstance(payload, ScoreSheetRecorded):
        return state.model_copy(update={"sheet": payload, "event_id": envelope.event_id})
    return state

"""Score sheets (phiếu chấm điểm): a unit's report scored against its block's table (DOMAIN §6)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from thidua_contracts.canonical import canonical_bytes, sha256_hex
from thidua_contracts.envelope import Envelope, RulesRef
from thidua_contracts.events import EventPayload, ReportSubmitted, ScoreLine, ScoreSheetRecorded
from thidua_contracts.movement import Criterion, MovementDefinition

CENT = Decimal("0.01")


def points(value: Decimal) -> str:
    return str(value.quantize(CENT))


def table_rules(definition: MovementDefinition) -> RulesRef:
    """The scoring table is part of the movement; its hash pins the version a sheet used."""
    table = [c.model_dump(mode="json") for c in definition.scoring_table]
    return RulesRef(
        id=f"{definition.movement_id}/bang-cham-diem",
        version=str(definition.version),
        sha256=sha256_hex(canonical_bytes(table)),
    )


def score(report: ReportSubmitted, table: list[Criterion]) -> ScoreSheetRecorded:
    """Self-scores capped at each criterion's maximum; a criterion not self-scored gets 0.

    Appraisal (thẩm định) by the Phòng Nội vụ replaces these with agreed scores later; this is
    the computed sheet the appraisal starts from.
    """
    given = {s.criterion_code: Decimal(s.points) for s in report.self_scores}
    lines = []
    for criterion in table:
        maximum = Decimal(criterion.max_points)
        own = given.get(criterion.code)
        if own is None:
            value, rule = Decimal(0), "Không tự chấm: 0 điểm"
        elif own > maximum:
            value, rule = maximum, f"Tự chấm vượt mức tối đa, tính {points(maximum)} điểm"
        else:
            value, rule = own, f"Theo điểm tự chấm, tối đa {points(maximum)} điểm"
        lines.append(
            ScoreLine(
                criterion_code=criterion.code,
                self_points=None if own is None else points(own),
                points=points(value),
                max_points=points(maximum),
                rule=rule,
            )
        )
    return ScoreSheetRecorded(
        unit_id=report.unit_id,
        round=report.round,
        report_version=report.report_version,
        lines=lines,
        total=points(sum((Decimal(line.points) for line in lines), Decimal(0))),
        max_total=points(sum((Decimal(c.max_points) for c in table), Decimal(0))),
    )


class SheetState(BaseModel):
    model_config = ConfigDict(frozen=True)

    sheet: ScoreSheetRecorded | None = None
    event_id: str | None = None


def initial() -> SheetState:
    return SheetState()


def evolve(state: SheetState, envelope: Envelope, payload: EventPayload) -> SheetState:
    if isinstance(payload, ScoreSheetRecorded):
        return SheetState(sheet=payload, event_id=envelope.event_id)
    return state

"""Block ranking when a round closes (DOMAIN §6.3): totals, ranks, tie-breaks, the leading unit
and the excellent units. The result depends only on the sheets, never on their arrival order."""

from __future__ import annotations

from decimal import Decimal

from thidua_contracts.events import BlockRanked, RankRow, ScoreSheetRecorded
from thidua_contracts.movement import Criterion, RoundKind, ScoringRules


def full_score_count(sheet: ScoreSheetRecorded) -> int:
    return sum(1 for line in sheet.lines if Decimal(line.points) >= Decimal(line.max_points))


def key_target_missed(sheet: ScoreSheetRecorded, table: list[Criterion]) -> str | None:
    keys = {c.code: c.name for c in table if c.key}
    for line in sheet.lines:
        if line.criterion_code in keys and Decimal(line.points) < Decimal(line.max_points):
            return f"Không đạt chỉ tiêu trọng tâm: {keys[line.criterion_code]}"
    return None


def rank(
    block_id: str,
    round_: RoundKind,
    sheets: dict[str, ScoreSheetRecorded],
    table: list[Criterion],
    rules: ScoringRules,
    disciplined: dict[str, str],
) -> BlockRanked:
    """Order by total, then by criteria at full score; units equal on both share a rank."""
    ordered = sorted(
        sheets.items(),
        key=lambda item: (-Decimal(item[1].total), -full_score_count(item[1]), item[0]),
    )
    rows: list[RankRow] = []
    previous: tuple[Decimal, int] | None = None
    for position, (unit_id, sheet) in enumerate(ordered, start=1):
        standing = (Decimal(sheet.total), full_score_count(sheet))
        rank_number = rows[-1].rank if previous == standing else position
        previous = standing
        # A unit with no report at the close misses every target; the report is the reason,
        # and one sent later is late, not absent.
        missing = "Không nộp báo cáo đúng hạn" if sheet.basis == "missing" else None
        reason = disciplined.get(unit_id) or missing or key_target_missed(sheet, table)
        rows.append(
            RankRow(
                rank=rank_number,
                unit_id=unit_id,
                total=sheet.total,
                full_score_criteria=standing[1],
                disqualified=reason,
            )
        )
    top = [r for r in rows if r.rank == 1]
    leader = top[0].unit_id if len(top) == 1 and top[0].disqualified is None else None
    eligible = [r.unit_id for r in rows if r.disqualified is None and r.unit_id != leader]
    return BlockRanked(
        block_id=block_id,
        round=round_,
        rows=rows,
        leader_unit_id=leader,
        needs_ballot=leader is None and any(r.disqualified is None for r in top),
        excellent_unit_ids=eligible[: rules.excellent_units],
    )

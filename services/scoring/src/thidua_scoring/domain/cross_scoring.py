"""Cross-scoring (chấm chéo) by the block's members: per criterion, drop the highest and the
lowest score, then take the mean (DOMAIN §6.3 step 2, a local option)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from thidua_contracts.events import CriterionChange, CrossScoresRecorded


def trimmed_mean(scores: list[Decimal]) -> Decimal:
    """Mean after dropping one highest and one lowest; with fewer than three, the plain mean."""
    ordered = sorted(scores)
    kept = ordered[1:-1] if len(ordered) >= 3 else ordered
    return (sum(kept, Decimal(0)) / len(kept)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def agreed(cross: list[CrossScoresRecorded]) -> list[CriterionChange]:
    """The agreed points per criterion from every member's cross scores."""
    by_criterion: dict[str, list[Decimal]] = {}
    for record in cross:
        for score in record.scores:
            by_criterion.setdefault(score.criterion_code, []).append(Decimal(score.points))
    return [
        CriterionChange(
            criterion_code=code,
            points=str(trimmed_mean(values)),
            reason=f"Chấm chéo: trung bình của {len(values)} đơn vị, bỏ điểm cao nhất và thấp nhất"
            if len(values) >= 3
            else f"Chấm chéo: trung bình của {len(values)} đơn vị",
        )
        for code, values in sorted(by_criterion.items())
    ]

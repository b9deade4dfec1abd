"""Quotas applied after the ballot (DOMAIN §3.2 B, §3.3 G–H, §10.6), with the tie-break of §3.1.

Those who passed are ranked by their votes; among equal votes a woman, or a collective with at
least the pack's share of women, comes first (NĐ91; NĐ152 Điều 4 k6). The law gives no further
tie-break, so a tie that still straddles the quota's edge is not settled by the software: the
tied nominees are held back with reason quota_tie for the council to vote again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from thidua_contracts.events import NominationExcluded

from .rule_pack import Quota


@dataclass(frozen=True)
class Passed:
    proposal_id: str
    group: str  # the unit, block or movement the quota counts in
    yes_total: int
    priority: bool  # a woman, or a collective with enough women
    group_name: str  # the unit's or block's name, as the reason names the group


ROUNDING_NAMES = {
    "floor": ("làm tròn xuống", "rounded down"),
    "ceil": ("làm tròn lên", "rounded up"),
}


def has_priority(sex: str | None, women: int | None, headcount: int | None, share: str) -> bool:
    if sex is not None:
        return sex == "nu"
    if women is None or not headcount:
        return False
    return Fraction(women, headcount) >= Fraction(share)


def apply(
    passed: list[Passed],
    rule: Quota,
    basis: dict[str, int],
    award_code: str,
    session_id: str,
    decided_on: date,
) -> list[NominationExcluded]:
    excluded: list[NominationExcluded] = []
    for group in sorted({p.group for p in passed}):
        size = rule.size(basis.get(group, 0))
        ranked = sorted(
            (p for p in passed if p.group == group),
            key=lambda p: (-p.yes_total, not p.priority, p.proposal_id),
        )
        kept, position = 0, 0
        while position < len(ranked):
            head = ranked[position]
            tied = [
                p for p in ranked if (p.yes_total, p.priority) == (head.yes_total, head.priority)
            ]
            rank = position + 1
            if kept + len(tied) <= size:
                kept += len(tied)
            else:
                reason = "quota_exceeded" if kept >= size else "quota_tie"
                excluded.extend(
                    _excluded(
                        p,
                        reason,
                        rank,
                        size,
                        len(ranked),
                        rule,
                        award_code,
                        session_id,
                        decided_on,
                        basis.get(group, 0),
                    )
                    for p in tied
                )
                if reason == "quota_tie":
                    kept = size
            position += len(tied)
    return excluded


def _percent(ratio: str) -> str:
    """3/20 → "15%", 1/3 → "33,33%" (Vietnamese decimal comma)."""
    share = Fraction(ratio) * 100
    if share.denominator == 1:
        return f"{share.numerator}%"
    return f"{float(share):.2f}".replace(".", ",") + "%"


def _excluded(
    p: Passed,
    reason: str,
    rank: int,
    size: int,
    of: int,
    rule: Quota,
    award_code: str,
    session_id: str,
    decided_on: date,
    basis: int,
) -> NominationExcluded:
    # Said as a clerk writes it in the Biên bản: the number allowed, then how it was reached.
    rounded_vi, rounded_en = ROUNDING_NAMES[rule.rounding]
    how_vi, how_en = f"số lượng được khen là {size}", f"quota of {size}"
    if rule.max is None:
        share = _percent(rule.ratio or "0")
        floor_vi = f", tối thiểu {rule.minimum}" if rule.minimum else ""
        floor_en = f", at least {rule.minimum}" if rule.minimum else ""
        how_vi += f" ({share} của {basis}, {rounded_vi}{floor_vi})"
        how_en += f" ({share} of {basis}, {rounded_en}{floor_en})"
    votes = f"{p.yes_total} phiếu" + (", ưu tiên nữ" if p.priority else "")
    votes_en = f"{p.yes_total} votes" + (", women's priority" if p.priority else "")
    where_vi, where_en = (
        ("trong toàn phong trào", "across the movement")
        if rule.per == "movement"
        else (f"tại {p.group_name}", f"in {p.group_name}")
    )
    if reason == "quota_exceeded":
        vi = f"Xếp thứ {rank}/{of} ({votes}) {where_vi}, ngoài {how_vi} theo {rule.reference}"
        en = f"Ranked {rank} of {of} ({votes_en}) {where_en}, beyond the {how_en}"
    else:
        vi = (
            f"Đồng hạng {rank}/{of} ({votes}) {where_vi} ở ngưỡng {how_vi} theo "
            f"{rule.reference}; Hội đồng bỏ phiếu lại"
        )
        en = (
            f"Tied at rank {rank} of {of} ({votes_en}) {where_en} at the edge of the {how_en}: "
            "the council votes again"
        )
    return NominationExcluded(
        proposal_id=p.proposal_id,
        award_code=award_code,
        reason_code=reason,  # type: ignore[arg-type]
        decided_on=decided_on,
        session_id=session_id,
        group=p.group,
        rank=rank,
        quota=size,
        # The reference closes the sentence, so a paper that quotes it in brackets does not
        # end on "))".
        detail_vi=vi,
        detail_en=f"{en} ({rule.reference})",
    )

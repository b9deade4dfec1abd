"""Plain-text rendering of `audit explain` for people."""

from __future__ import annotations

from datetime import date
from typing import Any


def vietnamese_date(iso: str) -> str:
    """2023-01-05 → "ngày 05 tháng 01 năm 2023" (months after February are not padded)."""
    day = date.fromisoformat(iso)
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def prize_words(award: dict[str, Any], unit: str) -> str:
    """ "1.040.000 đ (phần chênh lệch, đã nhận 450.000 đ của danh hiệu …)": a title paid only
    what lifts the year's titles to the highest prize (NĐ91 Điều 66 k2 c) says so."""

    def amount(vnd: int) -> str:
        return f"{vnd:,}".replace(",", ".") + f" {unit}"

    paid = [
        f"{amount(d['prize_vnd'])} của danh hiệu {d['award_name']} "
        f"(Quyết định số {d['decision_number']})"
        for d in award.get("prize_deductions") or []
    ]
    note = f" (phần chênh lệch, đã nhận {' và '.join(paid)})" if paid else ""
    return amount(award["prize_vnd"]) + note


def render_chain(result: dict[str, Any]) -> str:
    award = result["award"]
    prize = prize_words(award, "đ")
    lines = [
        f"{award['award_name']} — {award['recipient_name']} ({award['unit_name']})",
        f"Quyết định số {award['decision_number']} {vietnamese_date(award['signed_on'])}, "
        f"tiền thưởng {prize}",
        "",
    ]
    for step in [*result["steps"], *result.get("after", [])]:
        who = (
            f"{step['actor']['role']}:{step['actor']['id']}"
            if "actor" in step
            else f"rules {step['rules']['id']}@{step['rules']['version']}"
            f" sha256:{step['rules']['sha256'][:12]}"
            if "rules" in step
            else "computed"
        )
        cause = step.get("caused_by")
        because = f"  ← #{cause['sequence']}" if cause else ""
        inputs = ", ".join(f"#{i['sequence']}" for i in step.get("inputs", []))
        read = f"  reads {inputs}" if inputs else ""
        lines.append(
            f"#{step['sequence']:<6} {step['occurred_at']}  {step['type']:<34} {who}{because}{read}"
        )
    for doc in result.get("documents", []):
        lines.append(f"document #{doc['sequence']}: {doc['file_name']} sha256:{doc['sha256']}")
    return "\n".join(lines)

"""Reading a Kế hoạch thi đua into a draft movement definition (pure: paragraphs in, draft out).

Plans follow Decree 30/2020's numbering — Roman parts, Arabic items, "-" and "+" bullets — but
real ones are irregular (the 2022 Bắc Ninh plan's part V skips item 4), so the reader keys on
the headings' words, keeps what it cannot place, and never invents numbering.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict

PART = re.compile(r"^(?P<num>[IVX]+)\.\s*(?P<title>.+)$")
ITEM = re.compile(r"^(?P<num>\d+)\.\s*(?P<title>.+)$")
MONTH = re.compile(r"tháng (\d{1,2})(?: năm (\d{4}))?")
YEAR = re.compile(r"năm (\d{4})")

# Award forms a city plan names, matched against the regime's catalog by their wording.
AWARD_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("CO_CHINH_PHU", re.compile(r"Cờ thi đua của Chính phủ")),
    (
        "CO_UBND_TINH",
        re.compile(r"UBND tỉnh tặng Cờ thi đua|Cờ thi đua của (UBND|Ủy ban nhân dân) tỉnh"),
    ),
    ("BK_CT_UBND_TINH", re.compile(r"Chủ tịch UBND tỉnh tặng Bằng khen|Bằng khen của Chủ tịch")),
    ("GK_CT_UBND_TP", re.compile(r"Chủ tịch UBND thành phố tặng Giấy khen|Giấy khen của Chủ tịch")),
]


def clean(text: str) -> str:
    """NFC, no-break spaces and runs of spaces folded — the plan's own text, tidied."""
    text = unicodedata.normalize("NFC", text).replace("\xa0", " ")
    return re.sub(r"\s+", " ", text).strip()


def bullet(text: str) -> str:
    return re.sub(r"^[-+•]\s*", "", text)


class PlanDraft(BaseModel):
    """What a plan says, mapped onto the movement definition's sections."""

    model_config = ConfigDict(frozen=True)

    title: str = ""
    legal_basis: list[str] = []
    preamble: list[str] = []
    purposes: list[str] = []
    requirements: list[str] = []
    participants: list[str] = []
    contents: list[str] = []
    targets_preamble: str = ""
    targets: list[str] = []
    criteria_collective_lead: str = ""
    criteria_collective: list[str] = []
    criteria_individual_lead: str = ""
    criteria_individual: list[str] = []
    award_provisions: list[str] = []
    award_forms: list[str] = []
    period_text: list[str] = []
    year: int | None = None
    period_months: tuple[int, int] | None = None
    so_ket_month: int | None = None
    tong_ket_month: int | None = None
    organisation: list[str] = []
    reports_to: str | None = None
    report_months: list[int] = []
    unmapped: list[str] = []


@dataclass
class _Cursor:
    part: str = ""
    item: str = ""
    sub: str = ""
    out: dict[str, list[str]] = field(default_factory=dict)

    def add(self, key: str, text: str) -> None:
        self.out.setdefault(key, []).append(text)


def read_plan(paragraphs: list[str]) -> PlanDraft:
    lines = [clean(p) for p in paragraphs if clean(p)]
    cur = _Cursor()
    title = ""
    for index, line in enumerate(lines):
        if line.upper() == "KẾ HOẠCH" and not title and index + 1 < len(lines):
            title = lines[index + 1]
            continue
        if line == title:
            continue
        part = PART.match(line)
        if part and part.group("title").isupper():
            cur.part, cur.item, cur.sub = part.group("title").rstrip(":").upper(), "", ""
            continue
        item = ITEM.match(line)
        if item and cur.part != "TỔ CHỨC THỰC HIỆN" and len(line) < 60:
            cur.item, cur.sub = item.group("title").rstrip(":").lower(), ""
            continue
        _place(cur, line)
    return _draft(title, cur.out)


def _place(cur: _Cursor, line: str) -> None:
    part, item = cur.part, cur.item
    if not part:
        key = "legal_basis" if line.startswith("Thực hiện") else "preamble"
        cur.add(key, line)
    elif part.startswith("MỤC ĐÍCH"):
        cur.add("purposes" if item.startswith("mục đích") else "requirements", bullet(line))
    elif part.startswith("ĐỐI TƯỢNG"):
        if item.startswith("đối tượng"):
            cur.add("participants", bullet(line))
        elif item.startswith("nội dung"):
            cur.add("contents", bullet(line))
        elif item.startswith("chỉ tiêu"):
            cur.add("targets" if line.startswith("-") else "targets_preamble", bullet(line))
        else:
            cur.add("unmapped", line)
    elif part.startswith("TIÊU CHUẨN"):
        if item.startswith("tiêu chuẩn"):
            if line.startswith("- Đối với tập thể"):
                cur.sub = "criteria_collective"
            elif line.startswith("- Đối với cá nhân"):
                cur.sub = "criteria_individual"
            elif line.startswith("+") and cur.sub:
                cur.add(cur.sub, bullet(line))
            elif cur.sub:
                cur.add(f"{cur.sub}_lead", line)
            else:
                cur.add("unmapped", line)
        else:
            cur.add("award_provisions", bullet(line))
    elif part.startswith("THỜI GIAN"):
        cur.add("period_text", bullet(line))
    elif part.startswith("TỔ CHỨC THỰC HIỆN"):
        cur.add("organisation", line)
    else:
        cur.add("unmapped", line)


def _draft(title: str, out: dict[str, list[str]]) -> PlanDraft:
    period = out.get("period_text", [])
    year, months, so_ket, tong_ket = _timeline(period)
    organisation = out.get("organisation", [])
    reporting = next((o for o in organisation if "báo cáo" in o and "Nội vụ" in o), "")
    report_months = [int(m) for m in re.findall(r"tháng (\d{1,2})", reporting)]
    provisions = out.get("award_provisions", [])
    forms = [code for code, pattern in AWARD_PATTERNS if any(pattern.search(p) for p in provisions)]
    return PlanDraft(
        title=title,
        legal_basis=out.get("legal_basis", []),
        preamble=out.get("preamble", []),
        purposes=out.get("purposes", []),
        requirements=out.get("requirements", []),
        participants=out.get("participants", []),
        contents=out.get("contents", []),
        targets_preamble=" ".join(out.get("targets_preamble", [])),
        targets=out.get("targets", []),
        criteria_collective_lead=" ".join(out.get("criteria_collective_lead", [])),
        criteria_collective=out.get("criteria_collective", []),
        criteria_individual_lead=" ".join(out.get("criteria_individual_lead", [])),
        criteria_individual=out.get("criteria_individual", []),
        award_provisions=provisions,
        award_forms=forms,
        period_text=period,
        year=year,
        period_months=months,
        so_ket_month=so_ket,
        tong_ket_month=tong_ket,
        organisation=organisation,
        reports_to="Phòng Nội vụ" if reporting else None,
        report_months=report_months,
        unmapped=out.get("unmapped", []),
    )


def _timeline(
    lines: list[str],
) -> tuple[int | None, tuple[int, int] | None, int | None, int | None]:
    year = None
    months = None
    so_ket = tong_ket = None
    for line in lines:
        if found := YEAR.search(line):
            year = int(found.group(1))
        numbers = [int(m.group(1)) for m in MONTH.finditer(line)]
        if "sơ kết" in line and numbers:
            so_ket = numbers[0]
        elif "tổng kết" in line and numbers:
            tong_ket = numbers[0]
        elif len(numbers) >= 2:
            months = (numbers[0], numbers[-1])
    return year, months, so_ket, tong_ket

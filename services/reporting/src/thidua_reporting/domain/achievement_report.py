"""A nominee's báo cáo thành tích, pre-filled from what the log records (DOMAIN §7.8, after the
NĐ91 templates for an individual and for a collective; §7.6 signature blocks).

What the log knows is filled in: name, position, unit, headcount, the ratings, the initiatives
with the decisions that recognised them, the unit's figures against its commitments, the block
ranking, the proposal's own account, and Part III's earlier awards with their decisions. What it
cannot know (date of birth, home town, functions, facilities …) is left as a dotted line for the
nominee to complete before signing. Pure: no I/O, no clock.
"""

from __future__ import annotations

import datetime
from typing import Literal

from pydantic import Field

from .admin_document import (
    AdminDocumentView,
    Frozen,
    Paragraph,
    Signature,
    TableBlock,
    TableRow,
    clean,
    strip_end,
)
from .vn_format import format_place_date

BLANK = "……………………………………"
AWARD_HEADERS = (
    "Năm",
    "Danh hiệu thi đua / Hình thức khen thưởng",
    "Số, ngày, tháng, năm của quyết định; cơ quan ban hành",
)
AWARD_WIDTHS_MM = (18, 62, 85)
FIGURE_HEADERS = ("STT", "Chỉ tiêu", "Đăng ký", "Kết quả")
FIGURE_WIDTHS_MM = (13, 92, 30, 30)
RATING_WORDS = {
    "HTXS": "Hoàn thành xuất sắc nhiệm vụ",
    "HTT": "Hoàn thành tốt nhiệm vụ",
    "HT": "Hoàn thành nhiệm vụ",
    "KHT": "Không hoàn thành nhiệm vụ",
}
INITIATIVE_LEVELS = {"co_so": "cấp cơ sở", "tinh": "cấp tỉnh", "toan_quoc": "toàn quốc"}


class AwardLine(Frozen):
    year: int
    award: str
    decision: str  # "Quyết định số 01/QĐ-UBND", or as the nominee's own account cites it
    signed_on: datetime.date | None = None


class RatingLine(Frozen):
    year: int
    value: str
    source: str


class InitiativeLine(Frozen):
    title: str
    level: str
    decision: str


class FigureLine(Frozen):
    target: str
    committed: str | None
    achieved: str


class AchievementFacts(Frozen):
    kind: Literal["ca_nhan", "tap_the"]
    parent_line: str | None = None  # the unit's parent body ("UBND THÀNH PHỐ BẮC NINH")
    unit_header_lines: list[str] = Field(min_length=1)  # the proposing unit
    place: str
    dated: datetime.date
    award_name: str
    subject_name: str
    sex: str | None = None
    position: str | None = None
    unit_name: str
    headcount: int | None = None
    women: int | None = None
    summary: str = ""
    background: str = ""
    achievements: str = ""
    ratings: list[RatingLine] = Field(default_factory=list)
    initiatives: list[InitiativeLine] = Field(default_factory=list)
    figures: list[FigureLine] = Field(default_factory=list)
    ranking: str | None = None  # "xếp thứ 1/4 Khối các phường (tổng kết)"
    awards: list[AwardLine] = Field(default_factory=list)


def _line(lead: str, value: str | None) -> Paragraph:
    text = strip_end(value or "")
    if not text:
        return Paragraph(kind="field", lead=lead, text=BLANK)
    return Paragraph(lead=lead, text=f"{text}.")


def _decision_cell(award: AwardLine) -> str:
    decision = clean(award.decision)
    return f"{decision} ngày {award.signed_on:%d/%m/%Y}" if award.signed_on else decision


def build_achievement_view(facts: AchievementFacts) -> AdminDocumentView:
    individual = facts.kind == "ca_nhan"
    award = strip_end(facts.award_name)
    body: list[Paragraph | TableBlock] = [
        Paragraph(kind="heading", text=clean(facts.subject_name)),
    ]
    if individual:
        body += [
            Paragraph(kind="section", text="I. SƠ LƯỢC LÝ LỊCH"),
            _line("Họ và tên:", facts.subject_name),
            _line("Giới tính:", {"nam": "Nam", "nu": "Nữ"}.get(facts.sex or "")),
            _line("Ngày, tháng, năm sinh:", None),
            _line("Quê quán, nơi thường trú:", None),
            _line("Chức vụ (Đảng, chính quyền, đoàn thể):", facts.position),
            _line("Đơn vị công tác:", facts.unit_name),
            _line("Trình độ chuyên môn, lý luận chính trị:", None),
        ]
    else:
        staff = (
            f"{facts.headcount} người (nữ: {facts.women})" if facts.headcount is not None else None
        )
        body += [
            Paragraph(kind="section", text="I. SƠ LƯỢC ĐẶC ĐIỂM, TÌNH HÌNH"),
            _line("Tên đơn vị:", facts.unit_name),
            _line("Địa chỉ, điện thoại:", None),
            _line("Tổng số cán bộ, công chức, người lao động:", staff),
            _line("Chức năng, nhiệm vụ được giao:", facts.background or None),
        ]
    body.append(Paragraph(kind="section", text="II. THÀNH TÍCH ĐẠT ĐƯỢC"))
    for text in (facts.summary, facts.achievements):
        if strip_end(text):
            body.append(Paragraph(text=f"{strip_end(text)}."))
    if facts.figures:
        body.append(Paragraph(text="Kết quả thực hiện các chỉ tiêu thi đua đã đăng ký:"))
        body.append(
            TableBlock(
                headers=FIGURE_HEADERS,
                widths_mm=FIGURE_WIDTHS_MM,
                rows=tuple(
                    TableRow(cells=(str(i), clean(f.target), f.committed or "-", f.achieved))
                    for i, f in enumerate(facts.figures, start=1)
                ),
            )
        )
    if facts.ranking:
        body.append(Paragraph(text=f"Kết quả chấm điểm thi đua: {strip_end(facts.ranking)}."))
    for r in facts.ratings:
        words = RATING_WORDS.get(r.value, r.value)
        body.append(Paragraph(text=f"Năm {r.year}: {words} ({strip_end(r.source)})."))
    for i in facts.initiatives:
        level = INITIATIVE_LEVELS.get(i.level, i.level)
        body.append(
            Paragraph(
                text=f"Sáng kiến “{strip_end(i.title)}” được công nhận {level} "
                f"({strip_end(i.decision)})."
            )
        )
    body.append(
        Paragraph(
            kind="section",
            text="III. CÁC HÌNH THỨC ĐÃ ĐƯỢC KHEN THƯỞNG"
            if individual
            else "III. CÁC HÌNH THỨC KHEN THƯỞNG ĐÃ ĐƯỢC GHI NHẬN",
        )
    )
    if facts.awards:
        body.append(
            TableBlock(
                headers=AWARD_HEADERS,
                widths_mm=AWARD_WIDTHS_MM,
                rows=tuple(
                    TableRow(cells=(str(a.year), clean(a.award), _decision_cell(a)))
                    for a in sorted(facts.awards, key=lambda a: (a.year, a.award))
                ),
            )
        )
    else:
        body.append(Paragraph(text="Chưa có hình thức khen thưởng được ghi nhận."))
    if individual:
        left = Signature(lines=("THỦ TRƯỞNG ĐƠN VỊ", "XÁC NHẬN, ĐỀ NGHỊ"), name="")
        right = Signature(lines=("NGƯỜI BÁO CÁO THÀNH TÍCH",), name=clean(facts.subject_name))
    else:
        left = Signature(lines=("XÁC NHẬN CỦA CẤP", "TRÌNH KHEN THƯỞNG"), name="")
        right = Signature(lines=("THỦ TRƯỞNG ĐƠN VỊ",), name="")
    return AdminDocumentView(
        doc_type="bao-cao-thanh-tich",
        parent_line=clean(facts.parent_line).upper() if facts.parent_line else None,
        issuer_lines=tuple(clean(x).upper() for x in facts.unit_header_lines),
        number_line=None,
        place_date_line=format_place_date(clean(facts.place), facts.dated),
        document_type="BÁO CÁO THÀNH TÍCH",
        summary=clean(f"Đề nghị tặng {award}"),
        body=tuple(
            b.model_copy(update={"text": clean(b.text)}) if isinstance(b, Paragraph) else b
            for b in body
        ),
        copies_lines=(),
        left_signature=left,
        right_signature=right,
        author=clean(facts.unit_name),
        title=clean(f"Báo cáo thành tích đề nghị tặng {award}: {facts.subject_name}"),
        issued_on=facts.dated,
    )

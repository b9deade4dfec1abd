"""The Biên bản of a council session with its ballot table (NĐ30 Mẫu 1.9, DOMAIN §4, §7.7).

Percentages are counted on the council's total membership, never on those present (NĐ91 Điều 45
k8); they are shown rounded, while the verdict itself was decided on exact fractions.
"""

from __future__ import annotations

import datetime
from typing import Literal

from pydantic import Field

from .admin_document import (
    COUNCIL_NAME,
    AdminDocumentView,
    Frozen,
    Paragraph,
    Signature,
    TableBlock,
    TableRow,
    body_name,
    clean,
    parent_body_line,
    place_name,
    strip_end,
)
from .vn_format import ROMAN, as_clause, format_date_words, format_percent, number_line

BALLOT_HEADERS = (
    "STT",
    "Tập thể, cá nhân được đề nghị",
    "Số phiếu phát ra",
    "Số phiếu thu về",
    "Số phiếu hợp lệ",
    "Số phiếu đồng ý",
    "Tỷ lệ % trên tổng số thành viên",
    "Kết quả",
)
BALLOT_WIDTHS_MM = (13, 48, 17, 17, 17, 17, 20, 16)  # 165 mm: the text width of an A4 page


class Nominee(Frozen):
    kind: Literal["ca_nhan", "tap_the"]
    name: str = Field(min_length=1)
    position: str | None = None
    unit_name: str | None = None
    award_name: str
    issued: int = Field(ge=0)
    returned: int = Field(ge=0)
    valid: int = Field(ge=0)
    yes_total: int = Field(ge=0)
    passed: bool | None  # None while the outcome is not recorded
    # The share of all members the form needs, as the outcome recorded it ("1/2", strict: more
    # than half; "7/10", not strict: at least 70 %).
    threshold: str | None = None
    threshold_strict: bool = False
    # Passed the ballot, then left out (a quota, an upheld objection): the recorded reason.
    excluded: str | None = None


class MinutesFacts(Frozen):
    issuer_lines: list[str] = Field(min_length=1)  # the People's Committee the council serves
    number: str  # "01/BB-HĐTĐKT"
    session_date: datetime.date
    movement_year: int
    members_total: int = Field(ge=1)
    present: int = Field(ge=0)
    chair_name: str | None = None
    chair_position: str | None = None  # "Chủ tịch UBND thành phố, Chủ tịch Hội đồng"
    secretary_name: str | None = None
    nominees: list[Nominee] = Field(min_length=1)


def nominee_text(nominee: Nominee) -> str:
    parts = [nominee.name, nominee.position, nominee.unit_name]
    return ", ".join(strip_end(p) for p in parts if p and strip_end(p))


def threshold_words(nominee: Nominee) -> str | None:
    """ "trên 50%" / "từ 70% trở lên" / "từ 2/3 trở lên" of all members, as the law and the
    plan say it: a share that is no whole per cent keeps its fraction, never a rounded one."""
    if nominee.threshold is None:
        return None
    top, _, bottom = nominee.threshold.partition("/")
    share = int(top) * 100, int(bottom or 1)
    words = f"{share[0] // share[1]}%" if share[0] % share[1] == 0 else nominee.threshold
    return f"trên {words}" if nominee.threshold_strict else f"từ {words} trở lên"


def ballot_rows(nominees: list[Nominee], members_total: int) -> tuple[TableRow, ...]:
    """Grouped by award form (DOMAIN §7.7: one ballot table per award type), each heading with
    the share of all members the form needs."""
    rows: list[TableRow] = []
    forms = list(dict.fromkeys(n.award_name for n in nominees))
    for group_no, form in enumerate(forms):
        members = [n for n in nominees if n.award_name == form]
        needs = next((w for w in map(threshold_words, members) if w), None)
        heading = f"{ROMAN[group_no % 10]}. {clean(form)}"
        if needs:
            heading += f" (cần {needs} tổng số thành viên Hội đồng đồng ý)"
        rows.append(TableRow(cells=(heading,), group=True))
        for stt, n in enumerate(members, start=1):
            verdict = {True: "Đạt", False: "Không đạt", None: "Chưa có kết quả"}[n.passed]
            rows.append(
                TableRow(
                    cells=(
                        str(stt),
                        clean(nominee_text(n)),
                        str(n.issued),
                        str(n.returned),
                        str(n.valid),
                        str(n.yes_total),
                        format_percent(n.yes_total, members_total),
                        verdict,
                    )
                )
            )
    return tuple(rows)


_BLANK = "…" * 12


def left_out_entry(n: Nominee) -> str:
    """ "Trần Văn Minh, … (xếp thứ 2/2 …)": who passed the ballot and was left out, and why."""
    return f"{strip_end(nominee_text(n))} ({as_clause(strip_end(n.excluded or ''))})"


def _conclusion(passed: int, left_out: list[Nominee], failed: int) -> str:
    proposed = passed - len(left_out)
    text = f"3. Kết luận: {passed} tập thể, cá nhân đạt tỷ lệ phiếu đồng ý theo quy định"
    if left_out:
        reasons = "; ".join(left_out_entry(n) for n in left_out)
        text += f", trong đó {len(left_out)} không được đề nghị khen thưởng: {reasons}"
    if proposed:
        text += (
            f". Hội đồng thống nhất đề nghị cấp có thẩm quyền khen thưởng {proposed} tập thể, "
            "cá nhân"
        )
    # "0 tập thể, cá nhân không đạt" says nothing a clerk would write: the clause is left out.
    return f"{text}; {failed} tập thể, cá nhân không đạt." if failed else f"{text}."


def build_minutes_view(facts: MinutesFacts) -> AdminDocumentView:
    date_words = format_date_words(facts.session_date)
    council = f"{COUNCIL_NAME} {place_name(facts.issuer_lines)}"
    passed = [n for n in facts.nominees if n.passed]
    failed = [n for n in facts.nominees if n.passed is False]
    left_out = [n for n in passed if n.excluded]
    absent = max(facts.members_total - facts.present, 0)
    chair = strip_end(facts.chair_name or "")
    chair_text = (
        f"{chair}, {strip_end(facts.chair_position)}" if chair and facts.chair_position else chair
    )
    body: list[Paragraph | TableBlock] = [
        Paragraph(lead="Thời gian:", text=f"{date_words}."),
        Paragraph(lead="Địa điểm:", text=f"Trụ sở {body_name(facts.issuer_lines)}."),
        Paragraph(
            lead="Thành phần tham dự:",
            text=f"tổng số thành viên Hội đồng: {facts.members_total}; có mặt: {facts.present}; "
            f"vắng mặt: {absent}.",
        ),
        Paragraph(lead="Chủ trì (chủ tọa):", text=f"{chair_text or 'Chủ tịch Hội đồng'}."),
        # No name recorded: a line to write it on, not "Thư ký: Thư ký Hội đồng".
        Paragraph(lead="Thư ký:", text=f"{strip_end(facts.secretary_name or '') or _BLANK}."),
        Paragraph(kind="heading", text="NỘI DUNG"),
        Paragraph(
            text=f"1. Cơ quan Thường trực Hội đồng (Phòng Nội vụ) báo cáo kết quả thẩm định hồ sơ "
            f"đề nghị khen thưởng của {len(facts.nominees)} tập thể, cá nhân đủ điều kiện trình "
            f"Hội đồng xét trong phong trào thi đua năm {facts.movement_year}."
        ),
        Paragraph(
            text="2. Hội đồng thảo luận, bỏ phiếu kín. Ban kiểm phiếu báo cáo kết quả kiểm phiếu "
            "(tỷ lệ phiếu đồng ý tính trên tổng số thành viên Hội đồng) như sau:"
        ),
        TableBlock(
            headers=BALLOT_HEADERS,
            widths_mm=BALLOT_WIDTHS_MM,
            rows=ballot_rows(facts.nominees, facts.members_total),
        ),
        Paragraph(text=_conclusion(len(passed), left_out, len(failed))),
        Paragraph(text=f"Cuộc họp kết thúc {date_words}./."),
    ]
    number = clean(facts.number)
    summary = f"Họp {council} xét khen thưởng tổng kết phong trào thi đua năm {facts.movement_year}"
    return AdminDocumentView(
        doc_type="bien-ban",
        parent_line=parent_body_line(facts.issuer_lines),
        issuer_lines=(COUNCIL_NAME.upper(),),
        number_line=number_line(number),
        place_date_line=None,
        document_type="BIÊN BẢN",
        summary=clean(summary),
        body=tuple(
            b.model_copy(update={"text": clean(b.text)}) if isinstance(b, Paragraph) else b
            for b in body
        ),
        copies_lines=(
            f"- Chủ tịch {body_name(facts.issuer_lines)};",
            "- Phòng Nội vụ (Thường trực Hội đồng);",
            "- Lưu: VT, Hồ sơ.",
        ),
        left_signature=Signature(lines=("THƯ KÝ",), name=clean(facts.secretary_name or "")),
        right_signature=Signature(lines=("CHỦ TỌA",), name=clean(facts.chair_name or "")),
        author=clean(council),
        title=clean(f"Biên bản số {number} {summary[:1].lower()}{summary[1:]}"),
        issued_on=facts.session_date,
    )

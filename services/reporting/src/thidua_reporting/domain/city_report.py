"""The city's báo cáo sơ kết / tổng kết of the movement to the province (NĐ30 Mẫu 1.4; DOMAIN
§7.7 "Báo cáo sơ kết / tổng kết", §7.6 signature "TM. ỦY BAN NHÂN DÂN").

Sections: I. the movement's launch and the reports received; II. results against the plan's
targets (each unit's reported figure against its registered commitment); III. the blocks'
scores and rankings; IV. typical examples (the units the blocks honoured, the awards, and what
the signer adds); V. shortcomings (late and missing reports, and what the signer adds); VI.
directions; VII. proposals (what went upward, and what the signer adds). Pure: every figure
comes in with the facts.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Literal

from pydantic import Field

from .admin_document import (
    AdminDocumentView,
    Frozen,
    Paragraph,
    Signature,
    TableBlock,
    TableRow,
    body_name,
    clean,
    place_name,
    strip_end,
)
from .vn_format import ROMAN, format_date_words, format_percent, format_place_date, number_line

TARGET_HEADERS = (
    "STT",
    "Chỉ tiêu thi đua",
    "Số đơn vị báo cáo",
    "Số đơn vị đạt, vượt mức đăng ký",
    "Tỷ lệ đạt (%)",
)
TARGET_WIDTHS_MM = (13, 74, 25, 30, 23)
RANKING_HEADERS = ("STT", "Đơn vị", "Tổng điểm", "Xếp hạng")
RANKING_WIDTHS_MM = (13, 97, 30, 25)


class TargetResult(Frozen):
    name: str
    reported: int = Field(ge=0)  # units that reported a figure for it
    committed: int = Field(ge=0)  # of those, units that had registered a commitment
    met: int = Field(ge=0)  # of those, units whose figure reached the commitment


class RankedUnit(Frozen):
    """A unit's line in its block's table; `rank` is None for a unit the block's ranking
    disqualified, and `unranked_reason` then says why (e.g. "Không nộp báo cáo đúng hạn")."""

    name: str
    total: str
    rank: int | None = Field(default=None, ge=1)
    unranked_reason: str | None = None


class BlockResult(Frozen):
    name: str
    rows: list[RankedUnit]
    leader_name: str | None = None
    honoured_on: datetime.date | None = None


class AwardCount(Frozen):
    award_name: str
    collectives: int = Field(ge=0)
    individuals: int = Field(ge=0)


class Forwarded(Frozen):
    number: str
    signed_on: datetime.date
    count: int = Field(ge=1)


class CityReportFacts(Frozen):
    kind: Literal["so-ket", "tong-ket"]
    issuer_lines: list[str] = Field(min_length=1)
    place: str
    number: str
    signed_on: datetime.date
    movement_year: int
    plan_ref: str
    addressee: str
    units_total: int = Field(ge=0)
    units_registered: int = Field(ge=0)
    individuals_registered: int = Field(ge=0)
    reports_expected: int = Field(ge=0)
    reports_submitted: int = Field(ge=0)
    late_units: list[str] = Field(default_factory=list)
    missing_units: list[str] = Field(default_factory=list)
    targets: list[TargetResult] = Field(default_factory=list)
    blocks: list[BlockResult] = Field(default_factory=list)
    awards: list[AwardCount] = Field(default_factory=list)
    forwarded: list[Forwarded] = Field(default_factory=list)
    typical_examples: list[str] = Field(default_factory=list)
    shortcomings: list[str] = Field(default_factory=list)
    directions: list[str] = Field(default_factory=list)
    proposals: list[str] = Field(default_factory=list)
    signer_position: Literal["chu_tich", "pho_chu_tich"]
    signer_name: str


def signature_lines(position: str) -> tuple[str, ...]:
    """A document of the People's Committee as a collective body (DOMAIN §7.6)."""
    if position == "pho_chu_tich":
        return ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")
    return ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")


def met(value: str, commitment: str) -> bool:
    """A reported figure reaches the unit's commitment (decimal strings, never floats)."""
    try:
        return Decimal(value) >= Decimal(commitment)
    except InvalidOperation:
        return False


def _names(names: list[str]) -> str:
    return ", ".join(strip_end(n) for n in names)


def _sentences(items: list[str]) -> list[Paragraph]:
    return [Paragraph(text=f"- {strip_end(item)}.") for item in items if strip_end(item)]


def build_city_report_view(facts: CityReportFacts) -> AdminDocumentView:
    year = facts.movement_year
    mid = facts.kind == "so-ket"
    period = f"6 tháng đầu năm {year}" if mid else f"năm {year}"
    summary = (
        f"Sơ kết 6 tháng đầu năm phong trào thi đua năm {year}"
        if mid
        else f"Tổng kết phong trào thi đua năm {year}"
    )
    city = body_name(facts.issuer_lines)
    body: list[Paragraph | TableBlock] = []

    def section(title: str) -> None:
        body.append(Paragraph(kind="section", text=f"{ROMAN[len(sections)]}. {title}"))
        sections.append(title)

    sections: list[str] = []
    section("KẾT QUẢ TRIỂN KHAI PHONG TRÀO THI ĐUA")
    plan = strip_end(facts.plan_ref)
    body.append(
        Paragraph(
            # A cited document keeps its capital ("Kế hoạch số …").
            text=f"Thực hiện {plan}, Ủy ban nhân dân {place_name(facts.issuer_lines)} đã phát động "
            f"phong trào thi đua đến {facts.units_total} cơ quan, đơn vị. Đã có "
            f"{facts.units_registered} tập thể và {facts.individuals_registered} cá nhân đăng ký "
            "thi đua. Kỳ báo cáo "
            f"{period}: {facts.reports_submitted}/{facts.reports_expected} đơn vị đã gửi báo "
            f"cáo, {len(facts.late_units)} đơn vị gửi muộn, {len(facts.missing_units)} đơn vị "
            "chưa gửi."
        )
    )
    section("KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU THI ĐUA")
    if facts.targets:
        body.append(
            Paragraph(
                text="Kết quả thực hiện các chỉ tiêu thi đua theo số liệu các đơn vị báo cáo, "
                "so với mức đã đăng ký:"
            )
        )
        body.append(
            TableBlock(
                headers=TARGET_HEADERS,
                widths_mm=TARGET_WIDTHS_MM,
                rows=tuple(
                    TableRow(
                        cells=(
                            str(i),
                            clean(t.name),
                            str(t.reported),
                            # "0/0" reads as a failure; no commitment means nothing to meet.
                            f"{t.met}/{t.committed}" if t.committed else "-",
                            format_percent(t.met, t.committed) if t.committed else "-",
                        )
                    )
                    for i, t in enumerate(facts.targets, start=1)
                ),
            )
        )
    else:
        body.append(Paragraph(text="Chưa có đơn vị báo cáo số liệu các chỉ tiêu thi đua."))
    section("KẾT QUẢ CHẤM ĐIỂM, XẾP HẠNG CÁC KHỐI THI ĐUA")
    ranked = [b for b in facts.blocks if b.rows]
    if not ranked:
        body.append(Paragraph(text="Chưa có kết quả chấm điểm của các khối thi đua."))
    for block in ranked:
        body.append(Paragraph(text=f"{clean(block.name)}:"))
        body.append(
            TableBlock(
                headers=RANKING_HEADERS,
                widths_mm=RANKING_WIDTHS_MM,
                rows=tuple(
                    TableRow(cells=(str(i), clean(r.name), r.total.replace(".", ","), _rank(r)))
                    for i, r in enumerate(_ranking_order(block.rows), start=1)
                ),
            )
        )
    section("ĐIỂN HÌNH TIÊN TIẾN")
    body += _examples(facts)
    section("TỒN TẠI, HẠN CHẾ")
    body += _limits(facts)
    section("PHƯƠNG HƯỚNG, NHIỆM VỤ")
    directions = _sentences(facts.directions)
    default = (
        f"- Tiếp tục đẩy mạnh phong trào thi đua 6 tháng cuối năm {year}, phấn đấu hoàn thành "
        "các chỉ tiêu đã đăng ký."
        if mid
        else f"- Phát động phong trào thi đua năm {year + 1}; tổ chức ký giao ước thi đua "
        "theo khối."
    )
    body += directions or [Paragraph(text=default)]
    section("ĐỀ XUẤT, KIẾN NGHỊ")
    proposals = [
        Paragraph(
            text=f"- {city[:1].upper()}{city[1:]} đã trình Tờ trình số {f.number} "
            f"{format_date_words(f.signed_on)} đề nghị khen thưởng {f.count} tập thể, cá nhân "
            "thuộc thẩm quyền cấp trên."
        )
        for f in facts.forwarded
    ]
    proposals += _sentences(facts.proposals)
    body += proposals or [Paragraph(text="Không có.")]
    return _view(facts, summary, city, body)


def _ranking_order(rows: list[RankedUnit]) -> list[RankedUnit]:
    """Ranked units by rank, in the order given among equals; unranked ones last."""
    ranked = sorted((r for r in rows if r.rank is not None), key=lambda r: r.rank or 0)
    return ranked + [r for r in rows if r.rank is None]


def _rank(row: RankedUnit) -> str:
    if row.rank is not None:
        return str(row.rank)
    reason = strip_end(row.unranked_reason or "")
    return f"Không xếp hạng ({reason})" if reason else "Không xếp hạng"


def _examples(facts: CityReportFacts) -> list[Paragraph]:
    examples: list[Paragraph] = []
    for block in facts.blocks:
        if block.leader_name:
            how = (
                f"được Khối bình xét, suy tôn {format_date_words(block.honoured_on)}"
                if block.honoured_on
                # Ties at the top are broken by the rules, so "highest total" may be untrue.
                else "xếp thứ nhất khối"
            )
            examples.append(
                Paragraph(
                    text=f"- {strip_end(block.leader_name)} dẫn đầu {clean(block.name)} ({how})."
                )
            )
    for award in facts.awards:
        who = [f"{award.collectives} tập thể"] if award.collectives else []
        who += [f"{award.individuals} cá nhân"] if award.individuals else []
        examples.append(
            Paragraph(text=f"- {' và '.join(who)} được tặng {strip_end(award.award_name)}.")
        )
    examples += _sentences(facts.typical_examples)
    return examples or [Paragraph(text="Các đơn vị đang tiếp tục phát hiện, bồi dưỡng.")]


def _limits(facts: CityReportFacts) -> list[Paragraph]:
    limits: list[Paragraph] = []
    if facts.late_units:
        limits.append(Paragraph(text=f"- Đơn vị gửi báo cáo muộn: {_names(facts.late_units)}."))
    if facts.missing_units:
        limits.append(Paragraph(text=f"- Đơn vị chưa gửi báo cáo: {_names(facts.missing_units)}."))
    limits += _sentences(facts.shortcomings)
    return limits or [Paragraph(text="Không có.")]


def _view(
    facts: CityReportFacts, summary: str, city: str, body: list[Paragraph | TableBlock]
) -> AdminDocumentView:
    # The closing mark goes on the body's last paragraph (NĐ30: "./." ends the content).
    last = body[-1]
    assert isinstance(last, Paragraph)
    body[-1] = last.model_copy(update={"text": f"{last.text.rstrip('.')}./."})
    number = clean(facts.number)
    return AdminDocumentView(
        doc_type="bao-cao",
        parent_line=None,
        issuer_lines=tuple(clean(x).upper() for x in facts.issuer_lines),
        number_line=number_line(number),
        place_date_line=format_place_date(clean(facts.place), facts.signed_on),
        document_type="BÁO CÁO",
        summary=clean(summary),
        addressee_line=clean(f"Kính gửi: {strip_end(facts.addressee)}."),
        body=tuple(
            b.model_copy(update={"text": clean(b.text)}) if isinstance(b, Paragraph) else b
            for b in body
        ),
        copies_lines=(
            "- Như trên;",
            "- Thường trực Thành ủy (b/c);",
            "- Thường trực HĐND thành phố (b/c);",
            "- Chủ tịch, các PCT UBND thành phố;",
            "- Lưu: VT, NV.",
        ),
        right_signature=Signature(
            lines=signature_lines(facts.signer_position), name=clean(facts.signer_name)
        ),
        author=city,
        title=clean(f"Báo cáo số {number} {summary[:1].lower()}{summary[1:]}"),
        issued_on=facts.signed_on,
    )

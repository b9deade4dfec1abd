"""The city's Tờ trình to the provincial People's Committee, through its Department of Home
Affairs, for forms the province (or, through it, the centre) decides (DOMAIN §5.1 step 12b, §5.3:
"Tờ trình of UBND TP (signed TM. UBND), to 'UBND tỉnh Bắc Ninh (qua Sở Nội vụ)'").

The number, date and addressee are the ones recorded when the city forwarded the proposals
(ProposalsForwarded); the list attached names each nominee with the form proposed and the
council's vote. Pure: no I/O, no clock.
"""

from __future__ import annotations

import datetime

from pydantic import Field

from .admin_document import (
    COUNCIL_NAME,
    AdminDocumentView,
    Attachment,
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
from .city_report import signature_lines
from .council_minutes import Nominee, nominee_text
from .vn_format import format_date_words, format_percent, format_place_date, number_line

LIST_HEADERS = (
    "STT",
    "Tên tập thể / Họ và tên, chức vụ, đơn vị công tác",
    "Hình thức đề nghị",
    "Tỷ lệ phiếu đồng ý",
)
LIST_WIDTHS_MM = (13, 82, 40, 30)


class UpwardNominee(Frozen):
    nominee: Nominee
    members_total: int = Field(ge=1)
    session_date: datetime.date | None = None
    # Forms the province passes on to the centre (Thủ tướng, Chủ tịch nước): "trình … tặng".
    via_province: bool = False


class ProvinceSubmissionFacts(Frozen):
    issuer_lines: list[str] = Field(min_length=1)
    place: str
    number: str  # "05/TTr-UBND"
    signed_on: datetime.date
    addressee: str  # "UBND tỉnh Bắc Ninh (qua Sở Nội vụ)"
    movement_year: int
    plan_ref: str
    minutes: list[str] = Field(default_factory=list)  # "Biên bản số … ngày …" or by date
    nominees: list[UpwardNominee] = Field(min_length=1)
    signer_position: str = "chu_tich"
    signer_name: str = ""


def _counted(nominees: list[UpwardNominee]) -> str:
    collectives = sum(n.nominee.kind == "tap_the" for n in nominees)
    individuals = len(nominees) - collectives
    parts = [f"{collectives} tập thể"] if collectives else []
    parts += [f"{individuals} cá nhân"] if individuals else []
    return " và ".join(parts)


def build_province_submission_view(facts: ProvinceSubmissionFacts) -> AdminDocumentView:
    city = body_name(facts.issuer_lines)
    council = f"{COUNCIL_NAME} {place_name(facts.issuer_lines)}"
    number = clean(facts.number)
    date_words = format_date_words(facts.signed_on)
    addressee = strip_end(facts.addressee)
    province = addressee.split(" (", 1)[0]
    forms = list(dict.fromkeys(strip_end(n.nominee.award_name) for n in facts.nominees))
    plan = strip_end(facts.plan_ref)
    body: list[Paragraph] = [
        Paragraph(kind="basis", text=f"Căn cứ {plan.removeprefix('Căn cứ ')};"),
        *[Paragraph(kind="basis", text=f"Căn cứ {strip_end(m)};") for m in facts.minutes],
    ]
    last_basis = body[-1]
    body[-1] = last_basis.model_copy(update={"text": f"{last_basis.text[:-1]}."})
    body.append(
        Paragraph(
            text=f"{council} đã họp, xét và bỏ phiếu kín đề nghị khen thưởng các tập thể, cá "
            f"nhân có thành tích xuất sắc trong phong trào thi đua năm {facts.movement_year}; "
            f"{_counted(facts.nominees)} đạt tỷ lệ phiếu đồng ý theo quy định, tính trên tổng số "
            "thành viên Hội đồng."
        )
    )
    for form in forms:
        group = [n for n in facts.nominees if strip_end(n.nominee.award_name) == form]
        verb = (
            "xem xét, trình cấp có thẩm quyền tặng"
            if any(n.via_province for n in group)
            else "xem xét, quyết định tặng"
        )
        body.append(
            Paragraph(
                text=f"{city[:1].upper()}{city[1:]} kính trình {province} {verb} {form} cho "
                f"{_counted(group)} (có danh sách và hồ sơ kèm theo)."
            )
        )
    closing = body[-1]
    body[-1] = closing.model_copy(update={"text": f"{closing.text[:-1]}./."})
    rows = tuple(
        TableRow(
            cells=(
                str(i),
                clean(nominee_text(n.nominee)),
                clean(strip_end(n.nominee.award_name).split(" của ", 1)[0]),
                f"{n.nominee.yes_total}/{n.members_total} "
                f"({format_percent(n.nominee.yes_total, n.members_total)}%)",
            )
        )
        for i, n in enumerate(facts.nominees, start=1)
    )
    counted = _counted(facts.nominees)
    summary = (
        f"Về việc đề nghị khen thưởng cho các tập thể, cá nhân có thành tích xuất sắc trong "
        f"phong trào thi đua năm {facts.movement_year}"
    )
    return AdminDocumentView(
        doc_type="to-trinh-tinh",
        parent_line=None,
        issuer_lines=tuple(clean(x).upper() for x in facts.issuer_lines),
        number_line=number_line(number),
        place_date_line=format_place_date(clean(facts.place), facts.signed_on),
        document_type="TỜ TRÌNH",
        summary=clean(summary),
        addressee_line=clean(f"Kính gửi: {addressee}."),
        body=tuple(p.model_copy(update={"text": clean(p.text)}) for p in body),
        copies_lines=("- Như trên;", "- Chủ tịch, các PCT UBND thành phố;", "- Lưu: VT, NV."),
        right_signature=Signature(
            lines=signature_lines(facts.signer_position), name=clean(facts.signer_name)
        ),
        attachment=Attachment(
            title="DANH SÁCH TẬP THỂ, CÁ NHÂN ĐỀ NGHỊ KHEN THƯỞNG",
            reference_line=clean(f"(Kèm theo Tờ trình số {number} {date_words} của {city})"),
            table=TableBlock(headers=LIST_HEADERS, widths_mm=LIST_WIDTHS_MM, rows=rows),
            closing_line=clean(f"(Danh sách có {counted})./."),
        ),
        author=city,
        title=clean(f"Tờ trình số {number} {summary[:1].lower()}{summary[1:]}"),
        issued_on=facts.signed_on,
    )

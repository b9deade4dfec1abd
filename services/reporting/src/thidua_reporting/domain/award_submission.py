"""The Phòng Nội vụ's Tờ trình to the Chairman proposing the award for the nominees that passed
the council (NĐ30 Mẫu 1.4; DOMAIN §7.5–§7.7): "Kính gửi:", căn cứ, the review, the request,
"./.", Nơi nhận "- Như trên; - Lưu: VT, NV.", signed by the head of the office."""

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
    parent_body_line,
    place_name,
    strip_end,
)
from .council_minutes import Nominee, left_out_entry, nominee_text
from .vn_format import (
    ROMAN,
    format_date_words,
    format_percent,
    format_place_date,
    granting,
    number_line,
)

LIST_HEADERS = ("STT", "Tên tập thể / Họ và tên, chức vụ, đơn vị công tác", "Tỷ lệ phiếu đồng ý")
LIST_WIDTHS_MM = (15, 115, 35)


class SubmissionFacts(Frozen):
    issuer_lines: list[str] = Field(min_length=1)  # the People's Committee
    place: str
    number: str  # "01/TTr-NV"
    submitted_on: datetime.date
    movement_year: int
    plan_ref: str
    minutes_number: str  # the council's Biên bản this submission rests on
    session_date: datetime.date
    members_total: int = Field(ge=1)
    reviewed: int = Field(ge=1)
    # Those proposed: passed the ballot and not left out since; each with the form voted on.
    nominees: list[Nominee] = Field(min_length=1)
    left_out: list[Nominee] = Field(default_factory=list)  # passed, then excluded
    head_name: str | None = None


def _counted(nominees: list[Nominee]) -> str:
    collectives = sum(n.kind == "tap_the" for n in nominees)
    individuals = len(nominees) - collectives
    parts = [f"{collectives} tập thể"] if collectives else []
    parts += [f"{individuals} cá nhân"] if individuals else []
    return " và ".join(parts)


def _left_out(nominees: list[Nominee]) -> str:
    if not nominees:
        return ""
    reasons = "; ".join(left_out_entry(n) for n in nominees)
    return f"; trong đó {len(nominees)} không được đề nghị khen thưởng: {reasons}"


def build_submission_view(facts: SubmissionFacts) -> AdminDocumentView:
    chairman = f"Chủ tịch {body_name(facts.issuer_lines)}"
    council = f"{COUNCIL_NAME} {place_name(facts.issuer_lines)}"
    forms = list(dict.fromkeys(n.award_name for n in facts.nominees))
    by_form = {f: [n for n in facts.nominees if n.award_name == f] for f in forms}
    requests = "; ".join(f"{granting(f)} cho {_counted(by_form[f])}" for f in forms)
    # One form: named in the summary and the list's title; several: "khen thưởng".
    short_award = granting(forms[0]).split(" của ", 1)[0] if len(forms) == 1 else "khen thưởng"
    number = clean(facts.number)
    date_words = format_date_words(facts.submitted_on)
    plan = strip_end(facts.plan_ref)
    body = (
        # A cited document keeps its capital: "Căn cứ Kế hoạch số …".
        Paragraph(kind="basis", text=f"Căn cứ {plan.removeprefix('Căn cứ ')};"),
        Paragraph(
            kind="basis",
            text=f"Căn cứ Biên bản số {clean(facts.minutes_number)} họp {council} "
            f"{format_date_words(facts.session_date)}.",
        ),
        Paragraph(
            text=f"Phòng Nội vụ (Cơ quan Thường trực Hội đồng) đã tiếp nhận, thẩm định hồ sơ đề "
            f"nghị khen thưởng của {facts.reviewed} tập thể, cá nhân. {council} đã họp, bỏ "
            f"phiếu kín; {len(facts.nominees) + len(facts.left_out)} tập thể, cá nhân đạt tỷ lệ "
            "phiếu đồng ý theo quy định, tính trên tổng số thành viên Hội đồng"
            + _left_out(facts.left_out)
            + "."
        ),
        Paragraph(
            text=f"Phòng Nội vụ kính trình {chairman} xem xét, quyết định {requests}"
            f"{'' if len(forms) == 1 else ', là các tập thể, cá nhân'} đã có thành tích xuất "
            f"sắc trong phong trào thi đua năm "
            f"{facts.movement_year} (có danh sách và hồ sơ kèm theo)./."
        ),
    )
    rows: list[TableRow] = []
    for group_no, form in enumerate(forms):
        if len(forms) > 1:
            rows.append(TableRow(cells=(f"{ROMAN[group_no % 10]}. {clean(form)}",), group=True))
        rows += [
            TableRow(
                cells=(
                    str(i),
                    clean(nominee_text(n)),
                    f"{n.yes_total}/{facts.members_total} "
                    f"({format_percent(n.yes_total, facts.members_total)}%)",
                )
            )
            for i, n in enumerate(by_form[form], start=1)
        ]
    attachment = Attachment(
        title=f"DANH SÁCH TẬP THỂ, CÁ NHÂN ĐỀ NGHỊ {short_award.upper()}",
        reference_line=f"(Kèm theo Tờ trình số {number} {date_words} của Phòng Nội vụ)",
        table=TableBlock(headers=LIST_HEADERS, widths_mm=LIST_WIDTHS_MM, rows=tuple(rows)),
        closing_line=f"(Danh sách có {_counted(facts.nominees)})./.",
    )
    summary = (
        f"Về việc đề nghị {short_award} cho các tập thể, cá nhân có thành tích xuất sắc "
        f"trong phong trào thi đua năm {facts.movement_year}"
    )
    return AdminDocumentView(
        doc_type="to-trinh",
        parent_line=parent_body_line(facts.issuer_lines),
        issuer_lines=("PHÒNG NỘI VỤ",),
        number_line=number_line(number),
        place_date_line=format_place_date(clean(facts.place), facts.submitted_on),
        document_type="TỜ TRÌNH",
        summary=clean(summary),
        # One addressee: on the same line as "Kính gửi:" (NĐ30 Phụ lục I II.9.b).
        addressee_line=clean(f"Kính gửi: {chairman}."),
        body=tuple(p.model_copy(update={"text": clean(p.text)}) for p in body),
        copies_lines=("- Như trên;", "- Lưu: VT, NV."),
        right_signature=Signature(lines=("TRƯỞNG PHÒNG",), name=clean(facts.head_name or "")),
        attachment=attachment.model_copy(
            update={
                "title": clean(attachment.title),
                "reference_line": clean(attachment.reference_line),
                "closing_line": clean(attachment.closing_line),
            }
        ),
        author="Phòng Nội vụ",
        title=clean(f"Tờ trình số {number} {summary[:1].lower()}{summary[1:]}"),
        issued_on=facts.submitted_on,
    )

"""The council's Biên bản and the Phòng Nội vụ's Tờ trình: wording from the facts, percentages on
the council's total membership, and the rendered files conforming to their NĐ30 format."""

from __future__ import annotations

import datetime
import io
import unicodedata
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn

from thidua_reporting.adapters.docx_admin import render_admin_document
from thidua_reporting.adapters.docx_check import check_document, docx_text
from thidua_reporting.domain.admin_document import (
    AdminDocumentView,
    Paragraph,
    TableBlock,
    body_name,
    parent_body_line,
)
from thidua_reporting.domain.award_submission import SubmissionFacts, build_submission_view
from thidua_reporting.domain.council_minutes import MinutesFacts, Nominee, build_minutes_view

GIAY_KHEN = "Giấy khen của Chủ tịch Ủy ban nhân dân thành phố"
ISSUER = ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ BẮC NINH"]


def nominee(name: str, yes: int, passed: bool | None, **extra: Any) -> Nominee:
    return Nominee(
        kind=extra.pop("kind", "ca_nhan"),
        name=name,
        award_name=extra.pop("award_name", GIAY_KHEN),
        issued=9,
        returned=9,
        valid=9,
        yes_total=yes,
        passed=passed,
        **extra,
    )


NOMINEES = [
    nominee(
        "Nguyễn Thị Hương",
        8,
        True,
        position="Phó Chủ tịch Ủy ban nhân dân phường",
        unit_name="Ủy ban nhân dân phường Vũ Ninh",
    ),
    nominee("Ủy ban nhân dân phường Đại Phúc", 9, True, kind="tap_the"),
    nominee("Đỗ Thị Lan", 4, False),
]


def minutes_facts(**overrides: Any) -> MinutesFacts:
    fields: dict[str, Any] = {
        "issuer_lines": ISSUER,
        "number": "01/BB-HĐTĐKT",
        "session_date": datetime.date(2022, 12, 20),
        "movement_year": 2022,
        "members_total": 9,
        "present": 8,
        "chair_name": "Nguyễn Minh Quang",
        "chair_position": "Chủ tịch UBND thành phố Bắc Ninh, Chủ tịch Hội đồng",
        "nominees": NOMINEES,
    }
    return MinutesFacts.model_validate({**fields, **overrides})


def submission_facts(**overrides: Any) -> SubmissionFacts:
    fields: dict[str, Any] = {
        "issuer_lines": ISSUER,
        "place": "Bắc Ninh",
        "number": "03/TTr-NV",
        "submitted_on": datetime.date(2023, 1, 5),
        "movement_year": 2022,
        "plan_ref": "Kế hoạch số 95/KH-UBND ngày 10 tháng 5 năm 2022 của UBND thành phố Bắc Ninh",
        "minutes_number": "01/BB-HĐTĐKT",
        "session_date": datetime.date(2022, 12, 20),
        "members_total": 9,
        "reviewed": 3,
        "nominees": [n for n in NOMINEES if n.passed],
    }
    return SubmissionFacts.model_validate({**fields, **overrides})


def _table(view: AdminDocumentView) -> TableBlock:
    return next(b for b in view.body if isinstance(b, TableBlock))


def docx_cells_text(table: Any) -> str:
    return "\n".join(cell.text for row in table.rows for cell in row.cells)


def _texts(view: AdminDocumentView) -> list[str]:
    return [b.text for b in view.body if isinstance(b, Paragraph)]


def test_names_of_the_issuing_bodies() -> None:
    assert parent_body_line(ISSUER) == "UBND THÀNH PHỐ BẮC NINH"
    assert body_name(ISSUER) == "UBND thành phố Bắc Ninh"


def test_minutes_header_has_a_number_and_no_place_date_line() -> None:
    view = build_minutes_view(minutes_facts())
    assert view.number_line == "Số: 01/BB-HĐTĐKT"
    assert view.place_date_line is None
    assert view.parent_line == "UBND THÀNH PHỐ BẮC NINH"
    assert view.issuer_lines == ("HỘI ĐỒNG THI ĐUA – KHEN THƯỞNG",)
    assert view.document_type == "BIÊN BẢN"
    assert view.summary == (
        "Họp Hội đồng Thi đua – Khen thưởng thành phố Bắc Ninh xét khen thưởng tổng kết "
        "phong trào thi đua năm 2022"
    )


def test_minutes_body_states_time_attendance_and_closing() -> None:
    texts = _texts(build_minutes_view(minutes_facts()))
    assert texts[0] == "ngày 20 tháng 12 năm 2022."
    assert "tổng số thành viên Hội đồng: 9; có mặt: 8; vắng mặt: 1." in texts
    assert texts[-1] == "Cuộc họp kết thúc ngày 20 tháng 12 năm 2022./."


def test_ballot_percentages_are_on_all_members_not_on_those_present() -> None:
    rows = _table(build_minutes_view(minutes_facts())).rows
    assert rows[0].group and rows[0].cells == (f"I. {GIAY_KHEN}",)
    cells = [r.cells for r in rows[1:]]
    # 8 of 9 members is 88,89 % — not 8 of the 8 present (100 %).
    assert [(c[5], c[6], c[7]) for c in cells] == [
        ("8", "88,89", "Đạt"),
        ("9", "100,00", "Đạt"),
        ("4", "44,44", "Không đạt"),
    ]
    assert cells[0][1] == (
        "Nguyễn Thị Hương, Phó Chủ tịch Ủy ban nhân dân phường, Ủy ban nhân dân phường Vũ Ninh"
    )


def test_a_tally_without_its_outcome_says_so() -> None:
    view = build_minutes_view(minutes_facts(nominees=[nominee("Lê Thị Thu Hà", 7, None)]))
    assert _table(view).rows[1].cells[-1] == "Chưa có kết quả"


def test_minutes_signatures_and_copies() -> None:
    view = build_minutes_view(minutes_facts())
    assert view.left_signature is not None
    assert (view.left_signature.lines, view.left_signature.name) == (("THƯ KÝ",), "")
    assert (view.right_signature.lines, view.right_signature.name) == (
        ("CHỦ TỌA",),
        "Nguyễn Minh Quang",
    )
    assert view.copies_lines[-1] == "- Lưu: VT, Hồ sơ."


def test_submission_wording() -> None:
    view = build_submission_view(submission_facts())
    assert view.number_line == "Số: 03/TTr-NV"
    assert view.place_date_line == "Bắc Ninh, ngày 05 tháng 01 năm 2023"
    assert view.addressee_line == "Kính gửi: Chủ tịch UBND thành phố Bắc Ninh."
    texts = _texts(view)
    assert texts[0].startswith("Căn cứ Kế hoạch số 95/KH-UBND") and texts[0].endswith(";")
    assert texts[1] == (
        "Căn cứ Biên bản số 01/BB-HĐTĐKT họp Hội đồng Thi đua – Khen thưởng thành phố Bắc Ninh "
        "ngày 20 tháng 12 năm 2022."
    )
    assert texts[-1].endswith(
        "cho 1 tập thể và 1 cá nhân đã có thành tích xuất sắc trong "
        "phong trào thi đua năm 2022 (có danh sách và hồ sơ kèm theo)./."
    )
    assert view.copies_lines == ("- Như trên;", "- Lưu: VT, NV.")
    assert view.right_signature.lines == ("TRƯỞNG PHÒNG",)
    assert view.left_signature is None


def test_submission_list_names_only_those_that_passed() -> None:
    attachment = build_submission_view(submission_facts()).attachment
    assert attachment is not None
    assert attachment.title == "DANH SÁCH TẬP THỂ, CÁ NHÂN ĐỀ NGHỊ TẶNG GIẤY KHEN"
    assert attachment.reference_line == (
        "(Kèm theo Tờ trình số 03/TTr-NV ngày 05 tháng 01 năm 2023 của Phòng Nội vụ)"
    )
    assert [r.cells[2] for r in attachment.table.rows] == ["8/9 (88,89%)", "9/9 (100,00%)"]
    assert attachment.closing_line == "(Danh sách có 1 tập thể và 1 cá nhân)./."


def test_decomposed_names_come_out_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Đỗ Thị Lan")
    view = build_minutes_view(minutes_facts(nominees=[nominee(decomposed, 5, True)]))
    assert _table(view).rows[1].cells[1] == "Đỗ Thị Lan"
    assert unicodedata.is_normalized("NFC", _table(view).rows[1].cells[1])


CSTDCS = "Chiến sĩ thi đua cơ sở"
QUOTA = "Vượt chỉ tiêu 15% số cá nhân đạt Lao động tiên tiến của đơn vị: xếp thứ 2, chỉ tiêu 1"
# As the sentence quotes it, inside brackets: a clause, not a sentence of its own.
QUOTED = "vượt chỉ tiêu 15% số cá nhân đạt Lao động tiên tiến của đơn vị: xếp thứ 2, chỉ tiêu 1"


def _after_a_quota() -> list[Nominee]:
    """A Giấy khen group (more than half) and a CSTĐCS group (70 % or more) where the second
    CSTĐCS nominee passed the ballot and fell outside the quota at the session's close."""
    giay_khen = {"threshold": "1/2", "threshold_strict": True}
    cstdcs = {"award_name": CSTDCS, "threshold": "7/10", "threshold_strict": False}
    return [
        nominee("Nguyễn Thị Hương", 8, True, **giay_khen),
        nominee("Ủy ban nhân dân phường Đại Phúc", 9, True, kind="tap_the", **giay_khen),
        nominee("Phạm Văn Đức", 9, True, **cstdcs),
        nominee("Trần Văn Minh", 7, True, excluded=QUOTA, **cstdcs),
        nominee("Đỗ Thị Lan", 4, False, **giay_khen),
    ]


def test_each_ballot_group_states_the_share_of_all_members_it_needs() -> None:
    rows = _table(build_minutes_view(minutes_facts(nominees=_after_a_quota()))).rows
    headings = [r.cells[0] for r in rows if r.group]
    assert headings == [
        f"I. {GIAY_KHEN} (cần trên 50% tổng số thành viên Hội đồng đồng ý)",
        f"II. {CSTDCS} (cần từ 70% trở lên tổng số thành viên Hội đồng đồng ý)",
    ]


def test_a_share_that_is_no_whole_per_cent_keeps_its_fraction() -> None:
    two_thirds = nominee("Lê Thị Mai", 6, True, threshold="2/3", threshold_strict=False)
    heading = _table(build_minutes_view(minutes_facts(nominees=[two_thirds]))).rows[0].cells[0]
    assert heading.endswith("(cần từ 2/3 trở lên tổng số thành viên Hội đồng đồng ý)")


def test_the_minutes_conclusion_names_who_passed_but_was_left_out_and_why() -> None:
    texts = _texts(build_minutes_view(minutes_facts(nominees=_after_a_quota())))
    conclusion = next(t for t in texts if t.startswith("3. Kết luận"))
    assert conclusion == (
        "3. Kết luận: 4 tập thể, cá nhân đạt tỷ lệ phiếu đồng ý theo quy định, trong đó 1 không "
        f"được đề nghị khen thưởng: Trần Văn Minh ({QUOTED}). Hội đồng thống nhất đề nghị cấp có "
        "thẩm quyền khen thưởng 3 tập thể, cá nhân; 1 tập thể, cá nhân không đạt."
    )


def test_a_session_where_nobody_failed_says_nothing_of_those_who_failed() -> None:
    passed = [n for n in _after_a_quota() if n.passed and not n.excluded]
    texts = _texts(build_minutes_view(minutes_facts(nominees=passed)))
    conclusion = next(t for t in texts if t.startswith("3. Kết luận"))
    assert conclusion == (
        "3. Kết luận: 3 tập thể, cá nhân đạt tỷ lệ phiếu đồng ý theo quy định. Hội đồng thống "
        "nhất đề nghị cấp có thẩm quyền khen thưởng 3 tập thể, cá nhân."
    )


def test_the_submission_proposes_each_nominee_for_the_form_voted_on_and_not_the_left_out() -> None:
    nominees = _after_a_quota()
    view = build_submission_view(
        submission_facts(
            nominees=[n for n in nominees if n.passed and not n.excluded],
            left_out=[n for n in nominees if n.excluded],
            reviewed=5,
        )
    )
    texts = _texts(view)
    assert texts[2].endswith(
        "4 tập thể, cá nhân đạt tỷ lệ phiếu đồng ý theo quy định, tính trên tổng số thành viên "
        f"Hội đồng; trong đó 1 không được đề nghị khen thưởng: Trần Văn Minh ({QUOTED})."
    )
    assert texts[3].startswith(
        "Phòng Nội vụ kính trình Chủ tịch UBND thành phố Bắc Ninh xem xét, quyết định tặng "
        f"{GIAY_KHEN} cho 1 tập thể và 1 cá nhân; công nhận danh hiệu {CSTDCS} cho 1 cá nhân, "
        "là các tập thể, cá nhân đã có thành tích xuất sắc"
    )
    assert view.summary.startswith("Về việc đề nghị khen thưởng cho các tập thể, cá nhân")
    attachment = view.attachment
    assert attachment is not None
    assert attachment.title == "DANH SÁCH TẬP THỂ, CÁ NHÂN ĐỀ NGHỊ KHEN THƯỞNG"
    listed = [r.cells for r in attachment.table.rows]
    assert listed[0] == (f"I. {GIAY_KHEN}",) and listed[3] == (f"II. {CSTDCS}",)
    assert [c[1] for c in listed if len(c) > 1] == [
        "Nguyễn Thị Hương",
        "Ủy ban nhân dân phường Đại Phúc",
        "Phạm Văn Đức",
    ]


def test_a_title_alone_is_recognised_not_given() -> None:
    cstdcs = nominee("Phạm Văn Đức", 9, True, award_name=CSTDCS)
    view = build_submission_view(submission_facts(nominees=[cstdcs]))
    assert view.summary.startswith(f"Về việc đề nghị công nhận danh hiệu {CSTDCS} cho")
    assert f"quyết định công nhận danh hiệu {CSTDCS} cho 1 cá nhân đã có" in _texts(view)[3]


def test_a_secretary_with_no_recorded_name_gets_a_line_to_write_it_on() -> None:
    texts = _texts(build_minutes_view(minutes_facts()))
    assert "Thư ký Hội đồng." not in texts
    assert "…" * 12 + "." in texts
    named = _texts(build_minutes_view(minutes_facts(secretary_name="Đỗ Thị Lan")))
    assert "Đỗ Thị Lan." in named


@pytest.fixture(scope="module")
def minutes_docx() -> bytes:
    return render_admin_document(build_minutes_view(minutes_facts()))


@pytest.fixture(scope="module")
def submission_docx() -> bytes:
    return render_admin_document(build_submission_view(submission_facts()))


def test_rendered_minutes_pass_their_check(minutes_docx: bytes) -> None:
    assert check_document(minutes_docx, "bien-ban") == []
    text = docx_text(minutes_docx)
    for needle in ("Số: 01/BB-HĐTĐKT", "Số phiếu phát ra", "88,89", "THƯ KÝ", "CHỦ TỌA"):
        assert needle in text


def test_rendered_submission_passes_its_check(submission_docx: bytes) -> None:
    assert check_document(submission_docx, "to-trinh") == []
    assert "Kính gửi: Chủ tịch UBND thành phố Bắc Ninh." in docx_text(submission_docx)


def test_the_national_title_fits_on_one_line_in_both_papers(
    minutes_docx: bytes, submission_docx: bytes
) -> None:
    """The Quốc hiệu at 13 pt bold (≈ 271.2 pt of Times New Roman Bold) must fit its cell less
    the cell's side margins (Word's 108 twips each unless the table sets its own)."""
    for rendered in (minutes_docx, submission_docx):
        table = Document(io.BytesIO(rendered)).tables[0]
        cell = table.rows[0].cells[1]
        assert cell.paragraphs[0].text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
        assert cell.paragraphs[0].runs[0].font.size.pt == 13
        margins = table._tbl.tblPr.find(qn("w:tblCellMar"))
        sides = 0
        for side in ("left", "right"):
            edge = margins.find(qn(f"w:{side}")) if margins is not None else None
            sides += int(edge.get(qn("w:w"))) if edge is not None else 108
        assert (cell.width.twips - sides) / 20 > 1.02 * 271.2


def test_the_closing_paragraph_keeps_with_the_signatures(
    minutes_docx: bytes, submission_docx: bytes
) -> None:
    for rendered in (minutes_docx, submission_docx):
        doc = Document(io.BytesIO(rendered))
        signature = next(t for t in doc.tables if "Nơi nhận:" in docx_cells_text(t))
        before = signature._tbl.getprevious()
        closing = next(p for p in doc.paragraphs if p._p is before)
        assert closing.text.strip() and closing.paragraph_format.keep_with_next, closing.text
    minutes = Document(io.BytesIO(minutes_docx))
    signatures = minutes.tables[-1].rows[0]
    assert all(p.paragraph_format.keep_with_next for c in signatures.cells for p in c.paragraphs)


def test_a_minutes_file_is_not_a_submission(minutes_docx: bytes) -> None:
    problems = check_document(minutes_docx, "to-trinh")
    assert "a Tờ trình must carry 'Kính gửi:' and its addressee" in problems
    assert any("TRƯỞNG PHÒNG" in p for p in problems)
    assert any("place/date line not found" in p for p in problems)


def test_a_submission_file_is_not_minutes(submission_docx: bytes) -> None:
    problems = check_document(submission_docx, "bien-ban")
    assert "a Biên bản has no place/date line in its header (Mẫu 1.9)" in problems
    assert any(p.startswith("ballot table") for p in problems)


def test_minutes_with_a_percentage_on_those_present_fail(minutes_docx: bytes) -> None:
    doc = Document(io.BytesIO(minutes_docx))
    ballot = next(t for t in doc.tables if len(t.columns) == 8)
    ballot.rows[2].cells[6].paragraphs[0].runs[0].text = "100,00"  # 8 of the 8 present
    out = io.BytesIO()
    doc.save(out)
    problems = check_document(out.getvalue(), "bien-ban")
    assert any("is not 8/9 of all members" in p for p in problems)


def test_same_view_same_bytes(minutes_docx: bytes, submission_docx: bytes) -> None:
    assert render_admin_document(build_minutes_view(minutes_facts())) == minutes_docx
    assert render_admin_document(build_submission_view(submission_facts())) == submission_docx
    other = render_admin_document(build_minutes_view(minutes_facts(number="02/BB-HĐTĐKT")))
    assert other != minutes_docx


def test_the_check_catches_a_column_too_narrow_for_its_header_word(minutes_docx: bytes) -> None:
    """Eleven millimetres leave 20 pt inside Word's cell padding; "STT" in 12 pt bold needs 23,
    so an editor prints "ST" over "T"."""
    view = build_minutes_view(minutes_facts())
    table = _table(view)
    narrow = table.model_copy(update={"widths_mm": (11, 50, *table.widths_mm[2:])})
    body = [narrow if block is table else block for block in view.body]
    problems = check_document(
        render_admin_document(view.model_copy(update={"body": body})), "bien-ban"
    )
    assert any("broken mid-word" in p and "'STT'" in p for p in problems), problems
    assert not any("broken mid-word" in p for p in check_document(minutes_docx, "bien-ban"))

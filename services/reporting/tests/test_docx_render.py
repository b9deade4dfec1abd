"""python-docx rendering of the award decision and the NĐ30 format checker."""

from __future__ import annotations

import datetime
import io
import random
import unicodedata
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm
from hypothesis import given, settings
from hypothesis import strategies as st

from thidua_reporting.adapters.docx_check import check_decree30, docx_text
from thidua_reporting.adapters.docx_render import render_decision
from thidua_reporting.domain.decision_document import (
    DecisionArticle,
    DecisionFacts,
    DecisionView,
    Recipient,
    build_decision_view,
)


def make_facts(n_collectives: int = 2, n_individuals: int = 3, **overrides: Any) -> DecisionFacts:
    recipients = [
        Recipient(kind="tap_the", name=f"Tập thể Trường Mầm non số {i + 1}", position=None,
                  unit_name=None)
        for i in range(n_collectives)
    ] + [
        Recipient(kind="ca_nhan", name=f"Nguyễn Thị Hường {i + 1}", position="Giáo viên",
                  unit_name="Trường Tiểu học Vũ Ninh")
        for i in range(n_individuals)
    ]  # fmt: skip
    fields: dict[str, Any] = {
        "issuer_lines": ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ BẮC NINH"],
        "parent_line": None,
        "number": "01/QĐ-UBND",
        "place": "Bắc Ninh",
        "signed_on": datetime.date(2023, 1, 5),
        "award_name": "Giấy khen của Chủ tịch Ủy ban nhân dân thành phố",
        "movement_name": "phong trào thi đua",
        "year": 2022,
        "authority_line": "CHỦ TỊCH ỦY BAN NHÂN DÂN THÀNH PHỐ BẮC NINH",
        "legal_bases": [
            "Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015",
            "Nghị định số 91/2017/NĐ-CP ngày 31 tháng 7 năm 2017 của Chính phủ",
        ],
        "proposer": "Trưởng phòng Nội vụ thành phố tại Tờ trình số 05/TTr-NV "
        "ngày 26 tháng 12 năm 2022",
        "recipients": recipients,
        "prize_individual_vnd": 450_000,
        "prize_collective_vnd": 900_000,
        "fund": "Quỹ thi đua, khen thưởng thành phố năm 2022",
        "signer_position_lines": ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"],
        "signer_name": "Trần Văn Bình",
        "recipients_of_copies": ["Chủ tịch, các PCT UBND thành phố"],
    }
    fields.update(overrides)
    return DecisionFacts(**fields)


@pytest.fixture(scope="module")
def view() -> DecisionView:
    return build_decision_view(make_facts())


@pytest.fixture(scope="module")
def rendered(view: DecisionView) -> bytes:
    return render_decision(view)


# "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in Times New Roman Bold 13 pt, summed from the font's
# advance widths (C 722, O 778, N 722, G 778, space 250, …).
TIMES_BOLD_TITLE_13PT = 271.2


def header_title_room_pt(table: Any) -> float:
    """Width left for text in the header's right cell: its width less both cell margins (Word's
    108 twips each unless the table sets its own)."""
    cell = table.rows[0].cells[1]
    margins = table._tbl.tblPr.find(qn("w:tblCellMar"))
    sides = 0
    for side in ("left", "right"):
        edge = margins.find(qn(f"w:{side}")) if margins is not None else None
        sides += int(edge.get(qn("w:w"))) if edge is not None else 108
    return (cell.width.twips - sides) / 20


def _edit(docx_bytes: bytes, change: Callable[[Any], None]) -> bytes:
    doc = Document(io.BytesIO(docx_bytes))
    change(doc)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _paragraph_with(doc: Any, text: str) -> Any:
    for paragraph in doc.paragraphs:
        if paragraph.text.strip() == text:
            return paragraph
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    if paragraph.text.strip() == text:
                        return paragraph
    raise AssertionError(f"{text!r} not in document")


# -- the rendered document conforms -----------------------------------------------------------


def test_rendered_decision_passes_the_checker(rendered: bytes) -> None:
    assert check_decree30(rendered) == []


def test_same_view_renders_identical_bytes(view: DecisionView, rendered: bytes) -> None:
    again = render_decision(build_decision_view(make_facts()))
    assert again == rendered
    assert render_decision(view) == rendered


def test_zip_entries_are_normalised(rendered: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(rendered)) as archive:
        infos = archive.infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {info.compress_type for info in infos} == {zipfile.ZIP_DEFLATED}


def test_different_views_render_different_bytes(rendered: bytes) -> None:
    other = render_decision(build_decision_view(make_facts(number="02/QĐ-UBND")))
    assert other != rendered


def test_core_properties_are_fixed_from_the_decision(rendered: bytes) -> None:
    props = Document(io.BytesIO(rendered)).core_properties
    assert props.author == "UBND thành phố Bắc Ninh"
    assert props.revision == 1
    stamp = datetime.datetime(2023, 1, 5)
    for value in (props.created, props.modified, props.last_printed):
        assert value is not None
        assert value.replace(tzinfo=None) == stamp


def test_page_setup(rendered: bytes) -> None:
    doc = Document(io.BytesIO(rendered))
    assert len(doc.sections) == 2  # decision, then the attached list on a new page
    for section in doc.sections:
        sizes = (section.page_width, section.page_height)
        margins = (
            section.top_margin,
            section.bottom_margin,
            section.left_margin,
            section.right_margin,
        )
        assert [round(v.mm) for v in sizes if v is not None] == [210, 297]
        assert [round(v.mm) for v in margins if v is not None] == [20, 20, 30, 15]
        assert section.different_first_page_header_footer
    restart = doc.sections[1]._sectPr.find(qn("w:pgNumType"))
    assert restart is not None and restart.get(qn("w:start")) == "1"


def test_page_number_is_a_field_in_the_header_not_on_page_one(rendered: bytes) -> None:
    section = Document(io.BytesIO(rendered)).sections[0]
    header_xml = section.header._element.xml
    assert "PAGE" in header_xml and "fldChar" in header_xml
    assert "PAGE" not in section.first_page_header._element.xml


def test_every_run_names_times_new_roman_for_all_scripts(rendered: bytes) -> None:
    doc = Document(io.BytesIO(rendered))
    runs = doc.element.body.iter(qn("w:r"))
    count = 0
    for run in runs:
        fonts = run.find(qn("w:rPr")).find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == "Times New Roman"
        assert fonts.get(qn("w:hAnsi")) == "Times New Roman"
        count += 1
    assert count > 20
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    default_fonts = defaults.find(qn("w:rPr")).find(qn("w:rFonts"))
    assert default_fonts.get(qn("w:eastAsia")) == "Times New Roman"
    assert default_fonts.get(qn("w:eastAsiaTheme")) is None


def test_header_table_layout(rendered: bytes, view: DecisionView) -> None:
    doc = Document(io.BytesIO(rendered))
    header = doc.tables[0]
    first, second = header.rows
    assert [c.text.splitlines()[:2] for c in first.cells] == [
        ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ BẮC NINH"],
        ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"],
    ]
    assert [c.text for c in second.cells] == [view.number_line, view.place_date_line]
    assert all(run.italic for run in second.cells[1].paragraphs[0].runs)
    left, right = (column.width for column in header.columns)
    assert 0.35 < left / (left + right) < 0.45
    borders = header._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders is not None and len(borders) == 6
    assert {edge.get(qn("w:val")) for edge in borders} == {"nil"}


def test_the_national_title_fits_its_header_cell_on_one_line(rendered: bytes) -> None:
    """13 pt bold caps need about 271 pt; the cell, less its side margins, must hold that with
    room to spare, whatever the split between issuer and title columns."""
    doc = Document(io.BytesIO(rendered))
    title_cell = doc.tables[0].rows[0].cells[1]
    assert title_cell.paragraphs[0].runs[0].font.size.pt == 13
    assert header_title_room_pt(doc.tables[0]) > 1.02 * TIMES_BOLD_TITLE_13PT


def test_the_last_article_keeps_with_the_signature(rendered: bytes, view: DecisionView) -> None:
    doc = Document(io.BytesIO(rendered))
    articles = [p for p in doc.paragraphs if p.text.startswith("Điều ")]
    assert len(articles) == len(view.articles)
    assert articles[-1].paragraph_format.keep_with_next
    assert not any(p.paragraph_format.keep_with_next for p in articles[:-1])
    signature_row = doc.tables[1].rows[0]
    assert signature_row._tr.trPr.find(qn("w:cantSplit")) is not None


def test_body_formatting(rendered: bytes, view: DecisionView) -> None:
    doc = Document(io.BytesIO(rendered))
    basis = _paragraph_with(doc, view.legal_basis_lines[0])
    assert all(run.italic for run in basis.runs)
    assert basis.paragraph_format.first_line_indent == Mm(12.7)
    article = _paragraph_with(doc, f"Điều 1. {view.articles[0].text}")
    heading_run, text_run = article.runs
    assert heading_run.text == "Điều 1." and heading_run.bold
    assert not text_run.bold
    assert article.paragraph_format.space_after.pt >= 6
    assert article.alignment == 3  # justified
    assert _paragraph_with(doc, "QUYẾT ĐỊNH:").runs[0].bold


def test_attached_list_table(rendered: bytes, view: DecisionView) -> None:
    doc = Document(io.BytesIO(rendered))
    table = doc.tables[-1]
    assert table.style is not None and table.style.name == "Table Grid"
    texts = [tuple(c.text for c in row.cells) for row in table.rows]
    assert texts[0] == ("STT", "Tên tập thể / Họ và tên, chức vụ, đơn vị công tác")
    assert texts[1] == ("I. TẬP THỂ (2)", "I. TẬP THỂ (2)")  # one merged cell
    assert texts[2] == ("1", "Tập thể Trường Mầm non số 1")
    assert texts[4][0] == "II. CÁ NHÂN (3)"
    assert texts[5] == ("1", "Nguyễn Thị Hường 1, Giáo viên, Trường Tiểu học Vũ Ninh")
    group_cell = table.rows[1].cells[0]
    assert all(run.bold for run in group_cell.paragraphs[0].runs)
    # The list begins on a new page: its title follows a section break.
    body = list(doc.element.body)
    title_index = next(
        i for i, el in enumerate(body) if el.xpath("string(.)") == view.attached_list.title
    )
    assert any(el.find(qn("w:pPr") + "/" + qn("w:sectPr")) is not None for el in body[:title_index])


def test_text_survives_in_reading_order(rendered: bytes, view: DecisionView) -> None:
    text = docx_text(rendered)
    expected = [
        *view.issuer_lines,
        view.national_title,
        view.national_motto,
        view.number_line,
        view.place_date_line,
        view.document_type,
        view.summary,
        view.authority_line,
        *view.legal_basis_lines,
        view.proposal_line,
        view.decides_line,
        *(f"{a.heading} {a.text}" for a in view.articles),
        view.copies_heading,
        *view.copies_lines,
        *view.signer_position_lines,
        view.signer_name,
        view.attached_list.title,
        view.attached_list.reference_line,
        *(g.heading for g in view.attached_list.groups),
        view.attached_list.closing_line,
    ]
    lines = text.splitlines()
    positions = [lines.index(line) for line in expected]
    assert positions == sorted(positions)


def test_one_group_only_renders_and_conforms() -> None:
    only_people = render_decision(build_decision_view(make_facts(n_collectives=0)))
    assert check_decree30(only_people) == []
    text = docx_text(only_people)
    assert "I. CÁ NHÂN (3)" in text
    assert "TẬP THỂ (" not in text


def test_decomposed_input_renders_as_nfc() -> None:
    def nfd(value: Any) -> Any:
        return unicodedata.normalize("NFD", value) if isinstance(value, str) else value

    facts = make_facts(
        signer_name=nfd("Trần Văn Bình"), place=nfd("Bắc Ninh"), fund=nfd("Quỹ thi đua")
    )
    rendered = render_decision(build_decision_view(facts))
    assert unicodedata.is_normalized("NFC", docx_text(rendered))
    assert check_decree30(rendered) == []


def test_a_thousand_recipients() -> None:
    facts = make_facts(n_collectives=200, n_individuals=800)
    rendered = render_decision(build_decision_view(facts))
    assert check_decree30(rendered) == []
    lines = set(docx_text(rendered).splitlines())
    for recipient in facts.recipients:
        expected = recipient.name
        if recipient.kind == "ca_nhan":
            expected += ", Giáo viên, Trường Tiểu học Vũ Ninh"
        assert expected in lines
    table = Document(io.BytesIO(rendered)).tables[-1]
    assert len(table.rows) == 1 + 2 + 1000


# -- the checker can fail ---------------------------------------------------------------------


def _date_not_italic(doc: Any) -> None:
    for run in _paragraph_with(doc, "Bắc Ninh, ngày 05 tháng 01 năm 2023").runs:
        run.italic = False


def _date_unpadded(doc: Any) -> None:
    run = _paragraph_with(doc, "Bắc Ninh, ngày 05 tháng 01 năm 2023").runs[0]
    run.text = "Bắc Ninh, ngày 5 tháng 1 năm 2023"


def _number_unpadded(doc: Any) -> None:
    _paragraph_with(doc, "Số: 01/QĐ-UBND").runs[0].text = "Số: 1/QĐ-UBND"


def _date_moved_to_another_row(doc: Any) -> None:
    header = doc.tables[0]
    number_cell = header.rows[1].cells[0]
    date_paragraph = header.rows[1].cells[1].paragraphs[0]
    header.rows[0].cells[1]._tc.append(date_paragraph._p)
    header.rows[1].cells[1].add_paragraph("")
    assert number_cell.text == "Số: 01/QĐ-UBND"


def _left_margin_25(doc: Any) -> None:
    doc.sections[0].left_margin = Mm(25)


def _letter_paper(doc: Any) -> None:
    doc.sections[0].page_width = Mm(216)
    doc.sections[0].page_height = Mm(279)


def _arial_run(doc: Any) -> None:
    _paragraph_with(doc, "QUYẾT ĐỊNH:").runs[0].font.name = "Arial"


def _copies_heading_not_italic(doc: Any) -> None:
    _paragraph_with(doc, "Nơi nhận:").runs[0].italic = False


def _archive_line_12pt(doc: Any) -> None:
    from docx.shared import Pt

    _paragraph_with(doc, "- Lưu: VT, NV.").runs[0].font.size = Pt(12)


def _no_archive_line(doc: Any) -> None:
    _paragraph_with(doc, "- Lưu: VT, NV.").runs[0].text = "- Chủ tịch UBND thành phố."


def _page_one_numbered(doc: Any) -> None:
    for section in doc.sections:
        section.different_first_page_header_footer = False


def _no_motto(doc: Any) -> None:
    _paragraph_with(doc, "Độc lập - Tự do - Hạnh phúc").runs[0].text = "Độc lập – Tự do – Hạnh phúc"


def _header_with_default_cell_padding(doc: Any) -> None:
    tbl_pr = doc.tables[0]._tbl.tblPr
    tbl_pr.remove(tbl_pr.find(qn("w:tblCellMar")))


def _decomposed_text(doc: Any) -> None:
    run = _paragraph_with(doc, "QUYẾT ĐỊNH:").runs[0]
    run.text = unicodedata.normalize("NFD", run.text)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_date_not_italic, "place/date line must be italic"),
        (_date_unpadded, "zero-padded"),
        (_number_unpadded, "number line"),
        (_date_moved_to_another_row, "same header row"),
        (_left_margin_25, "left margin is 25.0 mm"),
        (_letter_paper, "not A4"),
        (_arial_run, "Times New Roman"),
        (_copies_heading_not_italic, "'Nơi nhận:' must be bold italic"),
        (_archive_line_12pt, "11 pt"),
        (_no_archive_line, "- Lưu: VT, NV."),
        (_page_one_numbered, "different first page"),
        (_no_motto, "Độc lập - Tự do - Hạnh phúc"),
        (_decomposed_text, "NFC"),
        (_header_with_default_cell_padding, "would wrap onto two lines"),
    ],
)
def test_checker_reports_a_broken_document(
    rendered: bytes, change: Callable[[Any], None], expected: str
) -> None:
    problems = check_decree30(_edit(rendered, change))
    assert any(expected in p for p in problems), problems


def test_checker_reports_a_decision_without_the_end_mark(view: DecisionView) -> None:
    last = view.articles[-1]
    unfinished = view.model_copy(
        update={
            "articles": (
                *view.articles[:-1],
                DecisionArticle(heading=last.heading, text=last.text.removesuffix("./.") + "."),
            )
        }
    )
    problems = check_decree30(render_decision(unfinished))
    assert any("./." in p for p in problems), problems


def test_checker_rejects_what_is_not_a_docx() -> None:
    assert check_decree30(b"not a zip") != []
    with pytest.raises(ValueError):
        docx_text(b"not a zip")


def test_checker_finds_a_plain_document_wanting() -> None:
    doc = Document()
    doc.add_paragraph("Xin chào")
    out = io.BytesIO()
    doc.save(out)
    problems = check_decree30(out.getvalue())
    assert any("not A4" in p for p in problems)
    assert any("header table" in p for p in problems)
    assert any("PAGE field" in p for p in problems)


@pytest.mark.parametrize("bold,italic", [(b, i) for b in (False, True) for i in (False, True)])
@pytest.mark.parametrize("size", [11, 13, 14])
def test_a_run_gets_the_properties_python_docx_would_write(
    size: float, bold: bool, italic: bool
) -> None:
    """Runs copy properties built once through python-docx: the XML must be what setting them
    run by run writes, or documents rendered before and after would differ."""
    from docx.shared import Pt
    from lxml import etree

    from thidua_reporting.adapters.docx_render import _run, _set_fonts

    doc = Document()
    fast = _run(doc.add_paragraph(), "Nguyễn Thị Hương", size, bold=bold, italic=italic)
    slow = doc.add_paragraph().add_run("Nguyễn Thị Hương")
    _set_fonts(slow._element.get_or_add_rPr())
    slow.font.size = Pt(size)
    slow.bold = True if bold else None
    slow.italic = True if italic else None
    assert etree.tostring(fast._element) == etree.tostring(slow._element)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"before": 6, "after": 6, "keep_with_next": True},
        {"first_line_indent": Mm(12.7), "after": 6},
        {"before": 3, "after": 3},
    ],
)
def test_a_paragraph_gets_the_format_python_docx_would_write(options: dict[str, Any]) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from lxml import etree

    from thidua_reporting.adapters.docx_render import _format, _set_paragraph_format

    doc = Document()
    for align in (WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY):
        fast = doc.add_paragraph()
        _format(fast, align=align, **options)
        slow = doc.add_paragraph()
        _set_paragraph_format(
            slow,
            align,
            options.get("first_line_indent"),
            options.get("before", 0),
            options.get("after", 0),
            options.get("keep_with_next", False),
        )
        assert etree.tostring(fast._p) == etree.tostring(slow._p)
        # A paragraph already formatted (a style's) is changed in place, not given a second pPr.
        _format(fast, align=WD_ALIGN_PARAGRAPH.LEFT, **options)
        assert len(fast._p.findall(qn("w:pPr"))) == 1
        assert fast.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.LEFT


def _zipped_by_zipfile(members: dict[str, bytes]) -> bytes:
    from thidua_reporting.adapters.docx_render import ZIP_EPOCH, ZIP_LEVEL, _member_order

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for name in _member_order(members):
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            target.writestr(info, members[name], compresslevel=ZIP_LEVEL)
    return out.getvalue()


@settings(max_examples=25, deadline=None)
@given(
    small=st.binary(max_size=2000),
    seed=st.integers(min_value=0, max_value=2**32),
    words=st.lists(st.sampled_from(["<w:style/>", "Bắc Ninh", "\n"]), min_size=1, max_size=50),
)
def test_members_deflated_once_are_zipped_as_zipfile_zips_them(
    small: bytes, seed: int, words: list[str]
) -> None:
    """A large member's deflated bytes are reused from the last document that had them: the
    package must still be what zipfile writes, byte for byte, first time and every time."""
    from thidua_reporting.adapters.docx_render import _zip_members

    large = random.Random(seed).randbytes(70_000)
    styles = ("".join(words) * (70_000 // len("".join(words)) + 1)).encode()
    members = {
        "[Content_Types].xml": small,
        "word/styles.xml": styles,
        "word/media/image1.bin": large,
    }
    expected = _zipped_by_zipfile(members)
    assert _zip_members(members) == expected
    assert _zip_members({k: bytes(v) for k, v in members.items()}) == expected

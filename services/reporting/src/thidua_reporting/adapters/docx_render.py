"""Render a `DecisionView` to a .docx laid out per Nghị định 30/2020/NĐ-CP (Phụ lục I).

The wording is decided by the view model; this module only lays it out. The output is
byte-for-byte deterministic for a given view so that an issued decision can be hashed, signed and
re-rendered for audit without spurious differences.
"""

from __future__ import annotations

import copy
import datetime
import functools
import io
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.pkgwriter import PackageWriter
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips

from thidua_reporting.adapters.font_metrics import width_pt
from thidua_reporting.domain.decision_document import DecisionView

__all__ = ["render_decision"]

FONT = "Times New Roman"

# NĐ30 Phụ lục I §I: A4 portrait with margins 20–25 / 20–25 / 30–35 / 15–20 mm; the suggested
# minimums leave the widest text block (165 mm) for the long Vietnamese titles.
PAGE_WIDTH = Twips(11906)
PAGE_HEIGHT = Twips(16838)
MARGIN_TOP = Twips(1134)
MARGIN_BOTTOM = Twips(1134)
MARGIN_LEFT = Twips(1701)
MARGIN_RIGHT = Twips(851)
HEADER_DISTANCE = Twips(567)
TEXT_WIDTH = int(PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT)  # EMU

FIRST_LINE_INDENT = Mm(12.7)
BODY_SIZE = 14
HEADER_SIZE = 13
COPIES_HEADING_SIZE = 12
COPIES_SIZE = 11
LIST_SIZE = 13
PAGE_NUMBER_SIZE = 14
SIGNATURE_GAP_LINES = 4


# Slack over the estimated width of a header line that must not wrap: the estimate ignores
# kerning and hinting, and an editor's line breaking rounds widths differently.
HEADER_FIT_SLACK = 1.03

# Fixed timestamp for every zip entry: python-docx stamps the wall clock, which would make two
# renderings of the same decision differ.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)

# OOXML is order-sensitive (Word reports "unreadable content" otherwise); python-docx has no
# accessors for these elements, so they are inserted before their schema successors.
_P_PR_AFTER_BORDER = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip
_TBL_PR_AFTER_BORDERS = (
    "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription",
    "w:tblPrChange",
)  # fmt: skip
_SECT_PR_AFTER_PG_NUM = (
    "w:cols", "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection", "w:bidi",
    "w:rtlGutter", "w:docGrid", "w:printerSettings", "w:sectPrChange",
)  # fmt: skip


def _bold_text_width(text: str, size_pt: float) -> int:
    """Estimated printed width in EMU of `text` set in Times New Roman Bold."""
    return int(Pt(width_pt(text, size_pt)))


# -- low-level OOXML helpers -------------------------------------------------------------------


def _set_fonts(rpr: Any) -> None:
    """Name Times New Roman for every script slot.

    Word picks the East-Asian slot for some Vietnamese letters (and for all text when the
    language or hint says so); leaving it on the theme font shows those letters in another face.
    """
    rfonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), FONT)


def _run(
    paragraph: Any, text: str, size: float, *, bold: bool = False, italic: bool = False
) -> Any:
    run = paragraph.add_run(text)
    # rPr is the run's first child (OOXML order): a copy of the same properties set once.
    run._element.insert(0, copy.deepcopy(_run_properties(size, bold, italic)))
    return run


@functools.cache
def _run_properties(size: float, bold: bool, italic: bool) -> Any:
    """The w:rPr python-docx writes for these fonts, size and emphasis: built once through its
    API, then copied into every run (setting it run by run was a third of a rendering)."""
    run = Document().add_paragraph().add_run()
    _set_fonts(run._element.get_or_add_rPr())
    run.font.size = Pt(size)
    run.bold = True if bold else None
    run.italic = True if italic else None
    return run._element.rPr


def _format(
    paragraph: Any,
    *,
    align: Any = WD_ALIGN_PARAGRAPH.CENTER,
    first_line_indent: Any = None,
    before: float = 0,
    after: float = 0,
    keep_with_next: bool = False,
) -> None:
    key = (align, first_line_indent, before, after, keep_with_next)
    if paragraph._p.pPr is None:
        # pPr is the paragraph's first child (OOXML order); the same properties, copied.
        paragraph._p.insert(0, copy.deepcopy(_paragraph_properties(*key)))
    else:
        _set_paragraph_format(paragraph, *key)


@functools.cache
def _paragraph_properties(
    align: Any, first_line_indent: Any, before: float, after: float, keep_with_next: bool
) -> Any:
    paragraph = Document().add_paragraph()
    _set_paragraph_format(paragraph, align, first_line_indent, before, after, keep_with_next)
    return paragraph._p.pPr


def _set_paragraph_format(
    paragraph: Any,
    align: Any,
    first_line_indent: Any,
    before: float,
    after: float,
    keep_with_next: bool,
) -> None:
    fmt = paragraph.paragraph_format
    fmt.alignment = align
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    if first_line_indent is not None:
        fmt.first_line_indent = first_line_indent
    if keep_with_next:
        fmt.keep_with_next = True


def _next_paragraph(container: Any, used: list[bool]) -> Any:
    """A cell starts with one empty paragraph; fill it first so that no blank line leads."""
    if not used[0]:
        used[0] = True
        return container.paragraphs[0]
    return container.add_paragraph()


def _rule(container: Any, used: list[bool], *, line_width: int, box_width: int) -> None:
    """Draw a centred horizontal line `line_width` EMU long under the previous paragraph.

    NĐ30 draws these as solid lines; a bottom border on an empty paragraph indented from both sides
    survives editing in Word and LibreOffice, unlike a floating shape.
    """
    paragraph = _next_paragraph(container, used)
    ppr = paragraph._element.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for attr, value in (
        ("w:val", "single"),
        ("w:sz", "6"),
        ("w:space", "1"),
        ("w:color", "000000"),
    ):
        bottom.set(qn(attr), value)
    border.append(bottom)
    ppr.insert_element_before(border, *_P_PR_AFTER_BORDER)
    side = max(0, (box_width - line_width) // 2)
    fmt = paragraph.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt.left_indent = side
    fmt.right_indent = side
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    # A hairline-high paragraph keeps the line tight under the text it underlines.
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(2)


def _layout_table(table: Any, widths: Sequence[int], *, borders: bool) -> None:
    """Fixed column widths (Word otherwise autofits to content) and explicit borders."""
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    tbl_pr = table._tbl.tblPr
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        tbl_pr.append(tbl_w)
    tbl_w.set(qn("w:w"), str(sum(widths) // 635))
    tbl_w.set(qn("w:type"), "dxa")
    if not borders:
        # Explicit "none" rather than relying on the default table style, which a template may
        # give borders.
        tbl_borders = OxmlElement("w:tblBorders")
        for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
            element = OxmlElement(f"w:{edge}")
            element.set(qn("w:val"), "nil")
            tbl_borders.append(element)
        tbl_pr.insert_element_before(tbl_borders, *_TBL_PR_AFTER_BORDERS)


def _set_row_widths(row: Any, widths: Sequence[int]) -> None:
    for cell, width in zip(row.cells, widths, strict=False):
        cell.width = width


def _keep_row_on_one_page(row: Any, *, repeat_as_header: bool = False) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    if repeat_as_header:
        tr_pr.append(OxmlElement("w:tblHeader"))


def _page_number_field(paragraph: Any) -> None:
    """PAGE field as begin/instr/separate/result/end runs — the form every editor understands."""
    parts: list[tuple[str, str | None]] = [
        ("begin", None),
        ("instr", " PAGE "),
        ("separate", None),
        ("result", "2"),
        ("end", None),
    ]
    for kind, text in parts:
        run = _run(paragraph, text if kind == "result" and text else "", PAGE_NUMBER_SIZE)
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._element.append(instr)
        elif kind != "result":
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._element.append(char)


# -- document setup ----------------------------------------------------------------------------


def _setup_styles(doc: Any) -> None:
    styles_root = doc.styles.element
    defaults = styles_root.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr_default)
    rpr_default.sz_val = Pt(BODY_SIZE)
    lang = rpr_default.find(qn("w:lang"))
    if lang is not None:
        # Vietnamese proofing; also keeps Word from treating text as East Asian by language.
        lang.set(qn("w:val"), "vi-VN")
    normal = doc.styles["Normal"]
    _set_fonts(normal.element.get_or_add_rPr())
    normal.font.size = Pt(BODY_SIZE)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE


def _setup_page(section: Any) -> None:
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = PAGE_WIDTH
    section.page_height = PAGE_HEIGHT
    section.top_margin = MARGIN_TOP
    section.bottom_margin = MARGIN_BOTTOM
    section.left_margin = MARGIN_LEFT
    section.right_margin = MARGIN_RIGHT
    section.header_distance = HEADER_DISTANCE
    section.footer_distance = HEADER_DISTANCE
    section.gutter = Twips(0)
    # NĐ30: page numbers centred at the top, but never on the first page.
    section.different_first_page_header_footer = True
    section.first_page_header.is_linked_to_previous = False
    header_paragraph = section.header.paragraphs[0]
    _format(header_paragraph)
    _page_number_field(header_paragraph)


def _set_core_properties(doc: Any, view: DecisionView) -> None:
    stamp_properties(doc, view.author, view.title, view.summary, view.signed_on)


def stamp_properties(doc: Any, author: str, title: str, summary: str, on: datetime.date) -> None:
    # Stamped from the document's own date, never the clock, so the bytes are reproducible.
    stamp = datetime.datetime.combine(on, datetime.time(0, 0))
    props = doc.core_properties
    props.author = author
    props.last_modified_by = author
    props.title = title
    props.subject = summary
    props.comments = ""
    props.keywords = ""
    props.category = ""
    props.language = "vi-VN"
    props.created = stamp
    props.modified = stamp
    props.last_printed = stamp
    props.revision = 1


def _drop_thumbnail(doc: Any) -> None:
    """The template carries a thumbnail of an empty page; it would misrepresent the decision.

    It also carries `stylesWithEffects.xml`, Word 2010's second copy of the styles (438 kB),
    which later Word and LibreOffice ignore: packing it was half the cost of every document.
    """
    package = doc.part.package
    for r_id, rel in list(package.rels.items()):
        if rel.reltype.endswith("/metadata/thumbnail"):
            package.rels.pop(r_id)
    for r_id, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            doc.part.rels.pop(r_id)


# -- decision sections -------------------------------------------------------------------------


def header_widths(national_title: str, left_share: int) -> tuple[int, int]:
    """Column widths of the borderless header table, whose cells carry no side padding.

    NĐ30 sets the Quốc hiệu on one line in 12–13 pt bold caps; at 13 pt it needs about 271 pt,
    more than 60 % of the text block less Word's default cell padding. The right column is
    therefore at least the title's width with slack, and the issuer keeps the rest.
    """
    needed = int(_bold_text_width(national_title, HEADER_SIZE) * HEADER_FIT_SLACK)
    right = max(TEXT_WIDTH - TEXT_WIDTH * left_share // 100, needed)
    return TEXT_WIDTH - right, right


def no_side_padding(table: Any) -> None:
    """Zero left/right cell margins: a borderless header needs no gap between its columns, and
    the default 2 × 5.4 pt would push the Quốc hiệu onto a second line."""
    side_padding(table, 0)


def side_padding(table: Any, twips: int) -> None:
    """Left and right cell margins of every cell of `table` (Word's default is 108 twips)."""
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:w"), str(twips))
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    table._tbl.tblPr.insert_element_before(margins, *_TBL_PR_AFTER_BORDERS[3:])


def _header_table(doc: Any, view: DecisionView) -> None:
    widths = header_widths(view.national_title, 40)
    table = doc.add_table(rows=2, cols=2)
    _layout_table(table, widths, borders=False)
    no_side_padding(table)
    top, bottom = table.rows
    _set_row_widths(top, widths)
    _set_row_widths(bottom, widths)

    left, right = top.cells
    used = [False]
    if view.parent_line:
        _format(paragraph := _next_paragraph(left, used))
        _run(paragraph, view.parent_line, HEADER_SIZE)
    for line in view.issuer_lines:
        _format(paragraph := _next_paragraph(left, used))
        _run(paragraph, line, HEADER_SIZE, bold=True)
    issuer_width = max(_bold_text_width(line, HEADER_SIZE) for line in view.issuer_lines)
    # NĐ30: the line under the issuer is 1/3–1/2 of the name's length.
    _rule(left, used, line_width=issuer_width * 2 // 5, box_width=widths[0])

    used = [False]
    _format(paragraph := _next_paragraph(right, used))
    _run(paragraph, view.national_title, HEADER_SIZE, bold=True)
    _format(paragraph := _next_paragraph(right, used))
    _run(paragraph, view.national_motto, BODY_SIZE, bold=True)
    # NĐ30: the line under the motto is exactly as long as the motto.
    motto_width = _bold_text_width(view.national_motto, BODY_SIZE)
    _rule(right, used, line_width=motto_width, box_width=widths[1])

    number_cell, date_cell = bottom.cells
    _format(number_cell.paragraphs[0], before=6)
    _run(number_cell.paragraphs[0], view.number_line, HEADER_SIZE)
    _format(date_cell.paragraphs[0], before=6)
    _run(date_cell.paragraphs[0], view.place_date_line, BODY_SIZE, italic=True)


def _title_block(doc: Any, view: DecisionView) -> None:
    _format(paragraph := doc.add_paragraph(), before=18, keep_with_next=True)
    _run(paragraph, view.document_type, BODY_SIZE, bold=True)
    _format(paragraph := doc.add_paragraph(), keep_with_next=True)
    _run(paragraph, view.summary, BODY_SIZE, bold=True)
    summary_width = min(_bold_text_width(view.summary, BODY_SIZE), TEXT_WIDTH)
    _rule(doc, [True], line_width=summary_width * 2 // 5, box_width=TEXT_WIDTH)
    _format(paragraph := doc.add_paragraph(), before=12, after=6, keep_with_next=True)
    _run(paragraph, view.authority_line, BODY_SIZE, bold=True)


def _body_paragraph(doc: Any, *, keep_with_next: bool = False) -> Any:
    paragraph = doc.add_paragraph()
    _format(
        paragraph,
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        first_line_indent=FIRST_LINE_INDENT,
        after=6,
        keep_with_next=keep_with_next,
    )
    return paragraph


def _body(doc: Any, view: DecisionView) -> None:
    for line in (*view.legal_basis_lines, view.proposal_line):
        _run(_body_paragraph(doc), line, BODY_SIZE, italic=True)
    _format(paragraph := doc.add_paragraph(), before=6, after=6, keep_with_next=True)
    _run(paragraph, view.decides_line, BODY_SIZE, bold=True)
    for index, article in enumerate(view.articles, start=1):
        # The last article travels with the signature: a page holding only "Nơi nhận" and the
        # signature is one a clerk will not sign.
        paragraph = _body_paragraph(doc, keep_with_next=index == len(view.articles))
        _run(paragraph, article.heading, BODY_SIZE, bold=True)
        _run(paragraph, f" {article.text}", BODY_SIZE)


def _signature_table(doc: Any, view: DecisionView) -> None:
    left_w = TEXT_WIDTH * 45 // 100
    widths = (left_w, TEXT_WIDTH - left_w)
    table = doc.add_table(rows=1, cols=2)
    _layout_table(table, widths, borders=False)
    (row,) = table.rows
    _set_row_widths(row, widths)
    _keep_row_on_one_page(row)
    left, right = row.cells

    used = [False]
    _format(paragraph := _next_paragraph(left, used), align=WD_ALIGN_PARAGRAPH.LEFT)
    _run(paragraph, view.copies_heading, COPIES_HEADING_SIZE, bold=True, italic=True)
    for line in view.copies_lines:
        _format(paragraph := _next_paragraph(left, used), align=WD_ALIGN_PARAGRAPH.LEFT)
        _run(paragraph, line, COPIES_SIZE)

    used = [False]
    for line in view.signer_position_lines:
        _format(paragraph := _next_paragraph(right, used))
        _run(paragraph, line, BODY_SIZE, bold=True)
    # Room for the signature and the seal (≈ 25–30 mm).
    for _ in range(SIGNATURE_GAP_LINES):
        _format(paragraph := _next_paragraph(right, used))
        _run(paragraph, "", BODY_SIZE)
    _format(paragraph := _next_paragraph(right, used))
    _run(paragraph, view.signer_name, BODY_SIZE, bold=True)


def _list_rows(view: DecisionView) -> list[tuple[str, str, bool]]:
    """(STT, text, is_group_heading) for every table row after the column header."""
    rows: list[tuple[str, str, bool]] = []
    for group in view.attached_list.groups:
        rows.append(("", group.heading, True))
        rows.extend((row.stt, row.text, False) for row in group.rows)
    return rows


def _attached_list(doc: Any, view: DecisionView) -> None:
    attached = view.attached_list
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    # NĐ30 Phụ lục I §III: an attachment numbers its pages on its own, from 1.
    pg_num = OxmlElement("w:pgNumType")
    pg_num.set(qn("w:start"), "1")
    section._sectPr.insert_element_before(pg_num, *_SECT_PR_AFTER_PG_NUM)

    _format(paragraph := doc.add_paragraph(), keep_with_next=True)
    _run(paragraph, attached.title, BODY_SIZE, bold=True)
    _format(paragraph := doc.add_paragraph(), keep_with_next=True)
    _run(paragraph, attached.reference_line, BODY_SIZE, italic=True)
    title_width = min(_bold_text_width(attached.title, BODY_SIZE), TEXT_WIDTH)
    _rule(doc, [True], line_width=title_width * 2 // 5, box_width=TEXT_WIDTH)
    _format(doc.add_paragraph(), after=6)

    stt_w = int(Mm(15))
    widths = (stt_w, TEXT_WIDTH - stt_w)
    items = _list_rows(view)
    # Presized and filled row by row: python-docx's table.cell(r, c) rescans the whole table on
    # every call, which is quadratic on lists of hundreds of names.
    table = doc.add_table(rows=len(items) + 1, cols=2, style="Table Grid")
    _layout_table(table, widths, borders=True)
    rows = iter(table.rows)
    header = next(rows)
    _set_row_widths(header, widths)
    _keep_row_on_one_page(header, repeat_as_header=True)
    for cell, text in zip(header.cells, attached.column_headers, strict=True):
        _format(cell.paragraphs[0], before=3, after=3)
        _run(cell.paragraphs[0], text, LIST_SIZE, bold=True)

    for row, (stt, text, is_group) in zip(rows, items, strict=True):
        _set_row_widths(row, widths)
        _keep_row_on_one_page(row)
        if is_group:
            first, second = row.cells
            cell = first.merge(second)
            _format(cell.paragraphs[0], align=WD_ALIGN_PARAGRAPH.LEFT, before=3, after=3)
            _run(cell.paragraphs[0], text, LIST_SIZE, bold=True)
            continue
        stt_cell, name_cell = row.cells
        _format(stt_cell.paragraphs[0], before=3, after=3)
        _run(stt_cell.paragraphs[0], stt, LIST_SIZE)
        _format(name_cell.paragraphs[0], align=WD_ALIGN_PARAGRAPH.LEFT, before=3, after=3)
        _run(name_cell.paragraphs[0], text, LIST_SIZE)

    _format(paragraph := doc.add_paragraph(), before=6)
    _run(paragraph, attached.closing_line, BODY_SIZE, italic=True)


# -- packaging ---------------------------------------------------------------------------------


def _member_order(names: Iterable[str]) -> list[str]:
    # [Content_Types].xml and the package relationships first, as Word writes them: some readers
    # sniff the first entries.
    first = ("[Content_Types].xml", "_rels/.rels")
    return [n for n in first if n in names] + sorted(n for n in names if n not in first)


def _deterministic_zip(raw: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(raw)) as source:
        return _zip_members({name: source.read(name) for name in source.namelist()})


def _zip_members(members: dict[str, bytes]) -> bytes:
    """The members in a fixed order with fixed dates and attributes: same content, same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for name in _member_order(members):
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            data = members[name]
            if len(data) < _DEFLATED_KEPT_FROM:
                target.writestr(info, data, compresslevel=ZIP_LEVEL)
                continue
            # What writestr does, with the member's deflated bytes computed once: every
            # document carries the same 350 KB of styles, and deflating them was most of a
            # Giấy khen's rendering.
            info.file_size = len(data)
            with target.open(info, mode="w") as dest:
                dest._compressor = _Deflated(_deflated(data))  # type: ignore[attr-defined]
                dest.write(data)
    return out.getvalue()


ZIP_LEVEL = 6
_DEFLATED_KEPT_FROM = 64 * 1024


@functools.lru_cache(maxsize=8)
def _deflated(data: bytes) -> bytes:
    """Raw deflate at ZIP_LEVEL, as zipfile's own compressor writes it."""
    compressor = zlib.compressobj(ZIP_LEVEL, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


class _Deflated:
    """Stands in for zipfile's compressor of one member, with its output computed before."""

    def __init__(self, deflated: bytes) -> None:
        self._pending = deflated

    def compress(self, _data: bytes) -> bytes:
        pending, self._pending = self._pending, b""
        return pending

    def flush(self) -> bytes:
        return b""


class _Members:
    """Takes the parts python-docx would zip, so that they are compressed once, by us."""

    def __init__(self) -> None:
        self.members: dict[str, bytes] = {}

    def write(self, uri: Any, blob: bytes) -> None:
        self.members[uri.membername] = blob


def package_docx(doc: Any) -> bytes:
    """The document as deterministic .docx bytes (what `doc.save` writes, in our packaging)."""
    return _zip_members(docx_members(doc))


def docx_members(doc: Any) -> dict[str, bytes]:
    """The package's members by name, as `doc.save` would write them."""
    package = doc.part.package
    parts = list(package.parts)
    for part in parts:  # as `doc.save` does (python-docx's OpcPackage.save)
        part.before_marshal()
    collected = _Members()
    # python-docx's own writer steps, given our collector in place of its zip writer.
    writer: Any = PackageWriter
    writer._write_content_types_stream(collected, parts)
    writer._write_pkg_rels(collected, package.rels)
    writer._write_parts(collected, parts)
    return collected.members


def render_decision(view: DecisionView) -> bytes:
    """Lay out the decision and its attached list per NĐ30; the same view gives the same bytes."""
    doc = Document()
    _setup_styles(doc)
    # Section 1 must be complete before the attached list's section is cloned from it.
    _setup_page(doc.sections[0])
    _header_table(doc, view)
    _title_block(doc, view)
    _body(doc, view)
    _signature_table(doc, view)
    _attached_list(doc, view)
    _set_core_properties(doc, view)
    _drop_thumbnail(doc)
    return package_docx(doc)

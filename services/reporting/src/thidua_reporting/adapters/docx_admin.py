"""Render an `AdminDocumentView` (Biên bản, Tờ trình) to a .docx laid out per NĐ30/2020.

Same page, fonts, header, rules, page numbers and deterministic packaging as the decision
(`docx_render`); what differs per document is said by the view: an absent place/date line, a
"Kính gửi:" line, a ballot table, two signatures or one, an attached list.
"""

from __future__ import annotations

from typing import Any

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm

from thidua_reporting.domain.admin_document import (
    AdminDocumentView,
    Paragraph,
    Signature,
    TableBlock,
)

from .docx_render import (
    _SECT_PR_AFTER_PG_NUM,
    BODY_SIZE,
    COPIES_HEADING_SIZE,
    COPIES_SIZE,
    FIRST_LINE_INDENT,
    HEADER_SIZE,
    LIST_SIZE,
    SIGNATURE_GAP_LINES,
    TEXT_WIDTH,
    _bold_text_width,
    _drop_thumbnail,
    _format,
    _keep_row_on_one_page,
    _layout_table,
    _next_paragraph,
    _rule,
    _run,
    _set_row_widths,
    _setup_page,
    _setup_styles,
    header_widths,
    no_side_padding,
    package_docx,
    stamp_properties,
)

__all__ = ["render_admin_document"]

TABLE_SIZE = 12  # the ballot table has eight columns on a portrait page


def _header(doc: Any, view: AdminDocumentView) -> None:
    widths = header_widths(view.national_title, 42)
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
    box = widths[0]
    issuer_width = min(max(_bold_text_width(x, HEADER_SIZE) for x in view.issuer_lines), box)
    _rule(left, used, line_width=issuer_width * 2 // 5, box_width=box)

    used = [False]
    _format(paragraph := _next_paragraph(right, used))
    _run(paragraph, view.national_title, HEADER_SIZE, bold=True)
    _format(paragraph := _next_paragraph(right, used))
    _run(paragraph, view.national_motto, BODY_SIZE, bold=True)
    motto_width = _bold_text_width(view.national_motto, BODY_SIZE)
    _rule(right, used, line_width=motto_width, box_width=widths[1])

    number_cell, date_cell = bottom.cells
    if view.number_line:
        _format(number_cell.paragraphs[0], before=6)
        _run(number_cell.paragraphs[0], view.number_line, HEADER_SIZE)
    if view.place_date_line:
        _format(date_cell.paragraphs[0], before=6)
        _run(date_cell.paragraphs[0], view.place_date_line, BODY_SIZE, italic=True)


def _title(doc: Any, view: AdminDocumentView) -> None:
    _format(paragraph := doc.add_paragraph(), before=18, keep_with_next=True)
    _run(paragraph, view.document_type, BODY_SIZE, bold=True)
    _format(paragraph := doc.add_paragraph(), keep_with_next=True)
    _run(paragraph, view.summary, BODY_SIZE, bold=True)
    width = min(_bold_text_width(view.summary, BODY_SIZE), TEXT_WIDTH)
    _rule(doc, [True], line_width=width * 2 // 5, box_width=TEXT_WIDTH)
    if view.addressee_line:
        _format(paragraph := doc.add_paragraph(), before=12, after=6)
        _run(paragraph, view.addressee_line, BODY_SIZE)
    else:
        _format(doc.add_paragraph(), after=6)


def _paragraph(doc: Any, block: Paragraph, *, keep_with_next: bool = False) -> None:
    if block.kind in {"heading", "centered"}:
        _format(paragraph := doc.add_paragraph(), before=6, after=6, keep_with_next=True)
        _run(paragraph, block.text, BODY_SIZE, bold=block.kind == "heading")
        return
    paragraph = doc.add_paragraph()
    _format(
        paragraph,
        align=WD_ALIGN_PARAGRAPH.LEFT if block.kind == "field" else WD_ALIGN_PARAGRAPH.JUSTIFY,
        first_line_indent=FIRST_LINE_INDENT,
        after=6,
        keep_with_next=keep_with_next or block.kind == "section",
    )
    if block.kind == "section":
        _run(paragraph, block.text, BODY_SIZE, bold=True)
        return
    if block.lead:
        _run(paragraph, f"{block.lead} ", BODY_SIZE, bold=True)
    _run(paragraph, block.text, BODY_SIZE, italic=block.kind == "basis")


def _table(doc: Any, block: TableBlock, size: float) -> None:
    widths = tuple(int(Mm(w)) for w in block.widths_mm)
    # Presized and filled row by row: python-docx's table.cell(r, c) is quadratic.
    table = doc.add_table(rows=len(block.rows) + 1, cols=len(widths), style="Table Grid")
    _layout_table(table, widths, borders=True)
    rows = iter(table.rows)
    header = next(rows)
    _set_row_widths(header, widths)
    _keep_row_on_one_page(header, repeat_as_header=True)
    for cell, text in zip(header.cells, block.headers, strict=True):
        _format(cell.paragraphs[0], before=3, after=3)
        _run(cell.paragraphs[0], text, size, bold=True)
    for row, item in zip(rows, block.rows, strict=True):
        _set_row_widths(row, widths)
        _keep_row_on_one_page(row)
        if item.group:
            cell = row.cells[0].merge(row.cells[-1])
            _format(cell.paragraphs[0], align=WD_ALIGN_PARAGRAPH.LEFT, before=3, after=3)
            _run(cell.paragraphs[0], item.cells[0], size, bold=True)
            continue
        for index, (cell, text) in enumerate(zip(row.cells, item.cells, strict=True)):
            align = WD_ALIGN_PARAGRAPH.LEFT if index == 1 else WD_ALIGN_PARAGRAPH.CENTER
            _format(cell.paragraphs[0], align=align, before=3, after=3)
            _run(cell.paragraphs[0], text, size)
    _format(doc.add_paragraph(), after=6)


def _signature(cell: Any, signature: Signature, *, keep_with_next: bool = False) -> None:
    used = [False]
    for line in signature.lines:
        _format(paragraph := _next_paragraph(cell, used), keep_with_next=keep_with_next)
        _run(paragraph, line, BODY_SIZE, bold=True)
    # Room for the signature and the seal (≈ 25–30 mm).
    for _ in range(SIGNATURE_GAP_LINES):
        _format(paragraph := _next_paragraph(cell, used), keep_with_next=keep_with_next)
        _run(paragraph, "", BODY_SIZE)
    _format(paragraph := _next_paragraph(cell, used), keep_with_next=keep_with_next)
    _run(paragraph, signature.name, BODY_SIZE, bold=True)


def _copies(cell: Any, view: AdminDocumentView, used: list[bool]) -> None:
    _format(paragraph := _next_paragraph(cell, used), align=WD_ALIGN_PARAGRAPH.LEFT)
    _run(paragraph, view.copies_heading, COPIES_HEADING_SIZE, bold=True, italic=True)
    for line in view.copies_lines:
        _format(paragraph := _next_paragraph(cell, used), align=WD_ALIGN_PARAGRAPH.LEFT)
        _run(paragraph, line, COPIES_SIZE)


def _signatures(doc: Any, view: AdminDocumentView) -> None:
    left_w = TEXT_WIDTH * 45 // 100
    widths = (left_w, TEXT_WIDTH - left_w)
    if not view.copies_lines and view.left_signature is not None:
        # A báo cáo thành tích: the certifying head on the left, the author on the right.
        table = doc.add_table(rows=1, cols=2)
        _layout_table(table, widths, borders=False)
        (row,) = table.rows
        _set_row_widths(row, widths)
        _keep_row_on_one_page(row)
        _signature(row.cells[0], view.left_signature)
        _signature(row.cells[1], view.right_signature)
        return
    if view.left_signature is None:
        # Nơi nhận on the left, level with the authority line (NĐ30 Phụ lục I §II.9).
        table = doc.add_table(rows=1, cols=2)
        _layout_table(table, widths, borders=False)
        (row,) = table.rows
        _set_row_widths(row, widths)
        _keep_row_on_one_page(row)
        _copies(row.cells[0], view, [False])
        _signature(row.cells[1], view.right_signature)
        return
    # Biên bản (Mẫu 1.9): THƯ KÝ left, CHỦ TỌA right, Nơi nhận below on the left.
    table = doc.add_table(rows=2, cols=2)
    _layout_table(table, widths, borders=False)
    signatures, copies = table.rows
    for row in (signatures, copies):
        _set_row_widths(row, widths)
        _keep_row_on_one_page(row)
    # The two signatures keep their Nơi nhận on the same page.
    _signature(signatures.cells[0], view.left_signature, keep_with_next=True)
    _signature(signatures.cells[1], view.right_signature, keep_with_next=True)
    _copies(copies.cells[0], view, [False])


def _attachment(doc: Any, view: AdminDocumentView) -> None:
    attachment = view.attachment
    if attachment is None:
        return
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    # NĐ30 Phụ lục I §III: an attachment numbers its pages on its own, from 1.
    pg_num = OxmlElement("w:pgNumType")
    pg_num.set(qn("w:start"), "1")
    section._sectPr.insert_element_before(pg_num, *_SECT_PR_AFTER_PG_NUM)
    _format(paragraph := doc.add_paragraph(), keep_with_next=True)
    _run(paragraph, attachment.title, BODY_SIZE, bold=True)
    _format(paragraph := doc.add_paragraph(), keep_with_next=True)
    _run(paragraph, attachment.reference_line, BODY_SIZE, italic=True)
    width = min(_bold_text_width(attachment.title, BODY_SIZE), TEXT_WIDTH)
    _rule(doc, [True], line_width=width * 2 // 5, box_width=TEXT_WIDTH)
    _format(doc.add_paragraph(), after=6)
    _table(doc, attachment.table, LIST_SIZE)
    _format(paragraph := doc.add_paragraph(), before=6)
    _run(paragraph, attachment.closing_line, BODY_SIZE, italic=True)


def _properties(doc: Any, view: AdminDocumentView) -> None:
    stamp_properties(doc, view.author, view.title, view.summary, view.issued_on)


def render_admin_document(view: AdminDocumentView) -> bytes:
    """Lay out a Biên bản or Tờ trình per NĐ30; the same view gives the same bytes."""
    doc = Document()
    _setup_styles(doc)
    _setup_page(doc.sections[0])
    _header(doc, view)
    _title(doc, view)
    for index, block in enumerate(view.body, start=1):
        if isinstance(block, TableBlock):
            _table(doc, block, TABLE_SIZE)
        else:
            # The closing paragraph travels with the signatures, never leaving them alone on a
            # page.
            _paragraph(doc, block, keep_with_next=index == len(view.body))
    _signatures(doc, view)
    _attachment(doc, view)
    _properties(doc, view)
    _drop_thumbnail(doc)
    return package_docx(doc)

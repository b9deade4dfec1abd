"""Render a `CertificateView` (Giấy khen) to a one-page A4 landscape .docx with a double frame.

No page numbers (a single page), no Nơi nhận; Times New Roman throughout, the Quốc hiệu and
Tiêu ngữ as in NĐ30, and the same deterministic packaging as every other document.
"""

from __future__ import annotations

from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Twips

from thidua_reporting.domain.certificate import CertificateView

from .docx_render import (
    BODY_SIZE,
    HEADER_SIZE,
    _bold_text_width,
    _drop_thumbnail,
    _format,
    _layout_table,
    _next_paragraph,
    _rule,
    _run,
    _set_row_widths,
    _setup_styles,
    package_docx,
    stamp_properties,
)

__all__ = ["render_certificate"]

PAGE_WIDTH = Twips(16838)  # A4 landscape
PAGE_HEIGHT = Twips(11906)
MARGIN = Twips(1134)  # 20 mm on every side, inside the frame
TEXT_WIDTH = int(PAGE_WIDTH - 2 * MARGIN)
TITLE_SIZE = 40
NAME_SIZE = 22
SIGNATURE_GAP_LINES = 3

# CT_SectPr order: pgBorders comes right after pgMar/paperSrc.
_SECT_PR_AFTER_PG_BORDERS = (
    "w:lnNumType", "w:pgNumType", "w:cols", "w:formProt", "w:vAlign", "w:noEndnote",
    "w:titlePg", "w:textDirection", "w:bidi", "w:rtlGutter", "w:docGrid", "w:printerSettings",
    "w:sectPrChange",
)  # fmt: skip


def _setup_page(section: Any) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width = PAGE_WIDTH
    section.page_height = PAGE_HEIGHT
    for side in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
        setattr(section, side, MARGIN)
    section.header_distance = Twips(567)
    section.footer_distance = Twips(567)
    section.gutter = Twips(0)
    borders = OxmlElement("w:pgBorders")
    borders.set(qn("w:offsetFrom"), "page")
    for edge in ("top", "left", "bottom", "right"):
        line = OxmlElement(f"w:{edge}")
        for attr, value in (("w:val", "double"), ("w:sz", "12"), ("w:space", "24")):
            line.set(qn(attr), value)
        line.set(qn("w:color"), "000000")
        borders.append(line)
    section._sectPr.insert_element_before(borders, *_SECT_PR_AFTER_PG_BORDERS)


def _centred(doc: Any, text: str, size: float, **style: Any) -> Any:
    paragraph = doc.add_paragraph()
    _format(paragraph, before=style.pop("before", 0), after=style.pop("after", 0))
    _run(paragraph, text, size, **style)
    return paragraph


def _properties(doc: Any, view: CertificateView) -> None:
    stamp_properties(doc, view.author, view.document_title, view.achievement_line, view.signed_on)


def render_certificate(view: CertificateView) -> bytes:
    doc = Document()
    _setup_styles(doc)
    _setup_page(doc.sections[0])
    _centred(doc, view.national_title, HEADER_SIZE, bold=True)
    _centred(doc, view.national_motto, BODY_SIZE, bold=True)
    motto = _bold_text_width(view.national_motto, BODY_SIZE)
    _rule(doc, [True], line_width=motto, box_width=TEXT_WIDTH)
    _centred(doc, view.authority_line, BODY_SIZE, bold=True, before=18)
    _centred(doc, view.confers_line, BODY_SIZE, bold=True, before=6)
    _centred(doc, view.title, TITLE_SIZE, bold=True, before=6, after=6)
    _centred(doc, view.recipient_line, NAME_SIZE, bold=True, after=6)
    for line in view.detail_lines:
        _centred(doc, line, BODY_SIZE)
    _centred(doc, view.achievement_line, BODY_SIZE, italic=True, before=6, after=12)

    widths = (TEXT_WIDTH * 45 // 100, TEXT_WIDTH - TEXT_WIDTH * 45 // 100)
    table = doc.add_table(rows=1, cols=2)
    _layout_table(table, widths, borders=False)
    (row,) = table.rows
    _set_row_widths(row, widths)
    left, right = row.cells
    used = [False]
    for _ in range(SIGNATURE_GAP_LINES + 2):  # level with the signer's name
        _format(paragraph := _next_paragraph(left, used))
        _run(paragraph, "", BODY_SIZE)
    _format(paragraph := _next_paragraph(left, used))
    _run(paragraph, view.decision_line, HEADER_SIZE)
    used = [False]
    _format(paragraph := _next_paragraph(right, used))
    _run(paragraph, view.place_date_line, BODY_SIZE, italic=True)
    for line in view.signer_position_lines:
        _format(paragraph := _next_paragraph(right, used))
        _run(paragraph, line, BODY_SIZE, bold=True)
    for _ in range(SIGNATURE_GAP_LINES):
        _format(paragraph := _next_paragraph(right, used))
        _run(paragraph, "", BODY_SIZE)
    _format(paragraph := _next_paragraph(right, used))
    _run(paragraph, view.signer_name, BODY_SIZE, bold=True)
    _properties(doc, view)
    _drop_thumbnail(doc)
    return package_docx(doc)

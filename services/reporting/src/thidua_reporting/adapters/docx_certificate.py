"""Render a `CertificateView` (Giấy khen) to a one-page A4 landscape .docx with a double frame.

No page numbers (a single page), no Nơi nhận; Times New Roman throughout, the Quốc hiệu and
Tiêu ngữ as in NĐ30, and the same deterministic packaging as every other document.
"""

from __future__ import annotations

import datetime
import functools
import re
from typing import Any
from xml.sax.saxutils import escape as xml_escape

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
    _zip_members,
    docx_members,
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
    """The certificate's .docx bytes: filled into a template of its shape when every text can be
    written verbatim (the common case, several times faster), else laid out from scratch. Both
    give the same bytes, which the tests check."""
    texts = _texts(view)
    if not all(_verbatim(text) for text in texts.values()):
        return package_docx(_layout(view))
    template = _template(
        view.national_motto, len(view.detail_lines), len(view.signer_position_lines), view.signed_on
    )
    members = dict(template)
    for name in _FILLED:
        members[name] = _TOKEN.sub(
            lambda found: xml_escape(texts[found.group(0)]), template[name].decode()
        ).encode()
    return _zip_members(members)


# -- the template of a shape ----------------------------------------------------------------------
#
# Every text of the view becomes a token of private-use characters; the laid-out document is kept
# as its package members, and each certificate replaces the tokens with its texts, escaped as
# lxml escapes text. The motto is laid out, not filled: the rule under it is as wide as the text.

_TOKEN = re.compile("\ue000[0-9]+\ue001")
_FILLED = ("word/document.xml", "docProps/core.xml")
_TEXT_FIELDS = (
    "national_title", "authority_line", "confers_line", "title", "recipient_line",
    "achievement_line", "place_date_line", "signer_name", "decision_line", "author",
    "document_title",
)  # fmt: skip


def _token(n: int) -> str:
    return f"\ue000{n}\ue001"


def _texts(view: CertificateView) -> dict[str, str]:
    """Token → text, in a fixed order of the view's texts."""
    values = [getattr(view, name) for name in _TEXT_FIELDS]
    values += [*view.detail_lines, *view.signer_position_lines]
    return {_token(n): value for n, value in enumerate(values)}


def _verbatim(text: str) -> bool:
    """Written by python-docx as one escaped text node: no tab or line break (those become
    elements), no edge spaces (xml:space), not empty (no node at all), no XML-illegal or token
    characters."""
    return (
        bool(text)
        and text == text.strip()
        and all(ch >= " " and ch not in "\ue000\ue001" for ch in text)
    )


@functools.lru_cache(maxsize=16)
def _template(
    motto: str, details: int, signer_lines: int, signed_on: datetime.date
) -> dict[str, bytes]:
    tokens = iter(_token(n) for n in range(len(_TEXT_FIELDS) + details + signer_lines))
    fields: dict[str, Any] = {name: next(tokens) for name in _TEXT_FIELDS}
    fields["detail_lines"] = tuple(next(tokens) for _ in range(details))
    fields["signer_position_lines"] = tuple(next(tokens) for _ in range(signer_lines))
    shape = CertificateView(national_motto=motto, signed_on=signed_on, **fields)
    return docx_members(_layout(shape))


def _layout(view: CertificateView) -> Any:
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
    return doc

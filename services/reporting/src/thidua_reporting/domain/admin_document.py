"""The printed shape shared by the council's minutes and the Phòng Nội vụ's submission.

A view holds every string exactly as printed, in reading order, and says which NĐ30 element it
is (header, type name, trích yếu, body, table, Nơi nhận, signatures); the renderer only lays it
out. Pure: no I/O, no clock.
"""

from __future__ import annotations

import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from .vn_format import nfc

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
NATIONAL_MOTTO = "Độc lập - Tự do - Hạnh phúc"
COPIES_HEADING = "Nơi nhận:"
COUNCIL_NAME = "Hội đồng Thi đua – Khen thưởng"


def clean(text: str) -> str:
    """NFC and single spaces: input typed by hand often carries doubled or trailing blanks."""
    return nfc(" ".join(text.split()))


def strip_end(text: str) -> str:
    """Drop the caller's closing punctuation so the view applies NĐ30's own (";", ".")."""
    return clean(text).rstrip(" \t;.,")


def parent_body_line(issuer_lines: list[str]) -> str:
    """The People's Committee as the parent body of one of its offices: "UBND THÀNH PHỐ BẮC
    NINH" (NĐ30 Phụ lục I II.2.a allows the usual abbreviation)."""
    words = clean(" ".join(issuer_lines)).upper()
    for long_form in ("ỦY BAN NHÂN DÂN", "UỶ BAN NHÂN DÂN"):
        words = words.replace(long_form, "UBND")
    return words


def body_name(issuer_lines: list[str]) -> str:
    """In running text: "ỦY BAN NHÂN DÂN" / "THÀNH PHỐ BẮC NINH" → "UBND thành phố Bắc Ninh"."""
    words = parent_body_line(issuer_lines).split()
    out: list[str] = []
    place = False
    for word in words:
        if word == "UBND":
            out.append(word)
        elif place:
            out.append(word[:1] + word[1:].lower())
        else:
            out.append(word.lower())
            place = word in {"TỈNH", "PHỐ", "HUYỆN", "QUẬN", "XÃ", "PHƯỜNG", "TRẤN"}
    return " ".join(out)


def place_name(issuer_lines: list[str]) -> str:
    """ "UBND thành phố Bắc Ninh" → "thành phố Bắc Ninh" (the unit word and its name)."""
    return body_name(issuer_lines).removeprefix("UBND ").strip()


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Paragraph(Frozen):
    """A body paragraph. `lead` is printed bold before the text ("Thời gian:", "Điều 1.")."""

    # "section": a numbered part of a report ("I. KẾT QUẢ …"), bold, in the text's indent.
    # "field": a form line left for the signer to fill in; set flush left, since justifying it
    # would stretch the words before a dotted line that cannot break.
    kind: Literal["basis", "text", "heading", "centered", "section", "field"] = "text"
    lead: str | None = None
    text: str


class TableRow(Frozen):
    cells: tuple[str, ...]
    group: bool = False  # a group heading spanning the whole row ("I. CÁ NHÂN")


class TableBlock(Frozen):
    kind: Literal["table"] = "table"
    headers: tuple[str, ...]
    widths_mm: tuple[int, ...]
    rows: tuple[TableRow, ...]


class Signature(Frozen):
    """Authority and position lines (UPPER, bold), then the signer's name; an empty name leaves
    the line for the hand-written name."""

    lines: tuple[str, ...]
    name: str


class Attachment(Frozen):
    """A list printed on its own pages after the signature (NĐ30 Phụ lục I §III)."""

    title: str
    reference_line: str
    table: TableBlock
    closing_line: str


class AdminDocumentView(Frozen):
    doc_type: Literal["bien-ban", "to-trinh", "to-trinh-tinh", "bao-cao", "bao-cao-thanh-tich"]
    parent_line: str | None
    issuer_lines: tuple[str, ...]
    national_title: str = NATIONAL_TITLE
    national_motto: str = NATIONAL_MOTTO
    number_line: str | None  # a báo cáo thành tích carries no number
    # The Biên bản (Mẫu 1.9) has no place/date line: its time is stated in the body.
    place_date_line: str | None
    document_type: str
    summary: str
    addressee_line: str | None = None
    body: tuple[Paragraph | TableBlock, ...]
    copies_heading: str = COPIES_HEADING
    copies_lines: tuple[str, ...]  # empty: no Nơi nhận (a báo cáo thành tích)
    left_signature: Signature | None = None
    right_signature: Signature
    attachment: Attachment | None = None
    # Document metadata, stamped from the facts instead of a clock: same view, same bytes.
    author: str
    title: str
    issued_on: datetime.date

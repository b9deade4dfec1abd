"""Read a .docx back and list where it departs from the NĐ30/2020 format of a decision.

Independent of the renderer on purpose: it parses the OOXML with the standard library and
resolves formatting through styles the way Word does, so a document edited by hand (or produced
by another tool) is judged by what it would print, not by how our renderer happens to write it.
"""

from __future__ import annotations

import datetime
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from thidua_reporting.adapters.font_metrics import width_pt

__all__ = ["DOC_TYPES", "check_decree30", "check_document", "check_totals", "docx_text"]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"

FONT = "Times New Roman"
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
NATIONAL_MOTTO = "Độc lập - Tự do - Hạnh phúc"
COPIES_HEADING = "Nơi nhận:"

# Type codes are upper case except where NĐ30 Phụ lục III spells them otherwise ("TTr").
NUMBER_RE = re.compile(r"^Số: \d{2,}/[A-ZĐ][A-Za-zĐ]*-[A-ZĐ]+")
PLACE_DATE_RE = re.compile(
    r"^(?P<place>[^\W\d_][^,]*), "
    r"ngày (?P<day>\d{1,2}) tháng (?P<month>\d{1,2}) năm (?P<year>\d{4})$"
)
# Finds the place/date line even when malformed, so that it is reported rather than "missing".
DATE_HINT_RE = re.compile(r"ngày\s*\S+\s*tháng\s*\S+\s*năm", re.IGNORECASE)
ARCHIVE_RE = re.compile(r"^- Lưu: VT, \S.*\.$")
FORM_CODE_RE = re.compile(r"^Biểu số: 0[67]0\d\.N/BNV-TĐKT$")
REPORT_PARTS = ("I.", "II.", "III.", "IV.", "V.", "VI.", "VII.")

A4_TWIPS = (11906, 16838)
A4_TOLERANCE_TWIPS = 20  # ≈ 0.35 mm: Word and LibreOffice round A4 differently
MARGIN_RANGES_MM = {"top": (20, 25), "bottom": (20, 25), "left": (30, 35), "right": (15, 20)}
MARGIN_TOLERANCE_MM = 0.1  # 30 mm is 1700.8 twips; either rounding must pass
MAX_PART_BYTES = 64 * 1024 * 1024  # refuse zip bombs rather than inflate them
MAX_EXAMPLES = 3

# The estimate leaves out kerning and each editor's rounding: a line must fit with this margin.
FIT_SLACK = 1.02
# Word's Normal Table style pads each cell side by 108 twips unless the table or cell says so.
DEFAULT_CELL_MARGIN_TWIPS = 108


# -- package and style resolution --------------------------------------------------------------


class _NotADocxError(Exception):
    pass


def _on(element: ET.Element | None) -> bool | None:
    """Value of an OOXML on/off property: absent → None, bare or "1"/"true"/"on" → True."""
    if element is None:
        return None
    return element.get(f"{_W}val", "true").lower() not in {"0", "false", "off", "none"}


def _read_zip(docx_bytes: bytes) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(docx_bytes))
    except zipfile.BadZipFile as exc:
        raise _NotADocxError(f"not a .docx (zip) file: {exc}") from exc
    with archive:
        parts = {}
        for info in archive.infolist():
            if info.file_size > MAX_PART_BYTES:
                raise _NotADocxError(f"part {info.filename} is implausibly large")
            if info.filename.endswith((".xml", ".rels")):
                parts[info.filename] = archive.read(info)
    if "word/document.xml" not in parts:
        raise _NotADocxError("not a Word document: word/document.xml is missing")
    return parts


def _parse(parts: dict[str, bytes], name: str) -> ET.Element | None:
    if name not in parts:
        return None
    try:
        return ET.fromstring(parts[name])
    except ET.ParseError as exc:
        raise _NotADocxError(f"{name} is not well-formed XML: {exc}") from exc


def _theme_fonts(theme: ET.Element | None) -> dict[str, str]:
    """Theme slot name ("minorHAnsi", "majorEastAsia", …) → typeface."""
    fonts: dict[str, str] = {}
    if theme is None:
        return fonts
    for scheme, prefix in (("majorFont", "major"), ("minorFont", "minor")):
        font = theme.find(f".//{_A}{scheme}")
        if font is None:
            continue
        latin, east_asian = font.find(f"{_A}latin"), font.find(f"{_A}ea")
        if latin is not None:
            fonts[f"{prefix}HAnsi"] = fonts[f"{prefix}Ascii"] = latin.get("typeface", "")
        if east_asian is not None:
            fonts[f"{prefix}EastAsia"] = east_asian.get("typeface", "")
    return fonts


@dataclass
class _Styles:
    by_id: dict[str, ET.Element]
    default_rpr: ET.Element | None
    default_style: dict[str, str]  # style type → id of the type's default style
    theme: dict[str, str]
    _chains: dict[tuple[str | None, str | None, str | None], list[ET.Element]] = field(
        default_factory=dict
    )

    @classmethod
    def load(cls, styles: ET.Element | None, theme: ET.Element | None) -> _Styles:
        by_id: dict[str, ET.Element] = {}
        default_style: dict[str, str] = {}
        default_rpr = None
        if styles is not None:
            for style in styles.iter(f"{_W}style"):
                style_id = style.get(f"{_W}styleId")
                if style_id is None:
                    continue
                by_id[style_id] = style
                if style.get(f"{_W}default") in {"1", "true", "on"}:
                    default_style.setdefault(style.get(f"{_W}type", "paragraph"), style_id)
            default_rpr = styles.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr")
        return cls(by_id, default_rpr, default_style, _theme_fonts(theme))

    def _style_rprs(self, style_id: str | None) -> list[ET.Element]:
        rprs: list[ET.Element] = []
        seen: set[str] = set()
        while style_id and style_id not in seen and style_id in self.by_id:
            seen.add(style_id)
            style = self.by_id[style_id]
            rpr = style.find(f"{_W}rPr")
            if rpr is not None:
                rprs.append(rpr)
            based_on = style.find(f"{_W}basedOn")
            style_id = based_on.get(f"{_W}val") if based_on is not None else None
        return rprs

    def rpr_chain(
        self, run: ET.Element, paragraph: ET.Element, table_style: str | None
    ) -> list[ET.Element]:
        """Run properties from strongest to weakest, in Word's order of precedence."""
        rpr = run.find(f"{_W}rPr")
        r_style = rpr.find(f"{_W}rStyle") if rpr is not None else None
        p_style = paragraph.find(f"{_W}pPr/{_W}pStyle")
        key = (
            r_style.get(f"{_W}val") if r_style is not None else None,
            p_style.get(f"{_W}val") if p_style is not None else self.default_style.get("paragraph"),
            table_style,
        )
        if key not in self._chains:
            chain = self._style_rprs(key[0]) + self._style_rprs(key[1])
            chain += self._style_rprs(key[2])
            if self.default_rpr is not None:
                chain.append(self.default_rpr)
            self._chains[key] = chain
        return ([rpr] if rpr is not None else []) + self._chains[key]


@dataclass(frozen=True)
class _Para:
    element: ET.Element
    table_style: str | None

    @property
    def text(self) -> str:
        return _paragraph_text(self.element)


def _paragraph_text(paragraph: ET.Element) -> str:
    pieces = []
    for node in paragraph.iter():
        if node.tag == f"{_W}t" and node.text:
            pieces.append(node.text)
        elif node.tag == f"{_W}tab":
            pieces.append("\t")
        elif node.tag in {f"{_W}br", f"{_W}cr"}:
            pieces.append("\n")
    return "".join(pieces)


def _run_text(run: ET.Element) -> str:
    return "".join(t.text or "" for t in run.iter(f"{_W}t"))


def _table_style(table: ET.Element, styles: _Styles) -> str | None:
    style = table.find(f"{_W}tblPr/{_W}tblStyle")
    if style is not None:
        return style.get(f"{_W}val")
    return styles.default_style.get("table")


def _cells(table: ET.Element) -> Iterator[tuple[int, ET.Element]]:
    """(row index, cell) for every cell; a merged cell is one w:tc, so it is seen once."""
    for index, row in enumerate(table.findall(f"{_W}tr")):
        for cell in row.findall(f"{_W}tc"):
            yield index, cell


def _paragraphs(
    container: ET.Element, styles: _Styles, table_style: str | None = None
) -> Iterator[_Para]:
    """Paragraphs in reading order, descending into tables and content controls."""
    for child in container:
        if child.tag == f"{_W}p":
            yield _Para(child, table_style)
        elif child.tag == f"{_W}tbl":
            inner = _table_style(child, styles)
            for _, cell in _cells(child):
                yield from _paragraphs(cell, styles, inner)
        elif child.tag not in {f"{_W}sectPr", f"{_W}tblPr", f"{_W}tblGrid"}:
            yield from _paragraphs(child, styles, table_style)


@dataclass
class _Doc:
    parts: dict[str, bytes]
    body: ET.Element
    styles: _Styles
    rels: dict[str, str]  # relationship id → part name

    @classmethod
    def load(cls, docx_bytes: bytes) -> _Doc:
        parts = _read_zip(docx_bytes)
        document = _parse(parts, "word/document.xml")
        body = document.find(f"{_W}body") if document is not None else None
        if body is None:
            raise _NotADocxError("word/document.xml has no body")
        styles = _Styles.load(
            _parse(parts, "word/styles.xml"), _parse(parts, "word/theme/theme1.xml")
        )
        rels: dict[str, str] = {}
        rel_root = _parse(parts, "word/_rels/document.xml.rels")
        if rel_root is not None:
            for rel in rel_root.iter(f"{_PKG_REL}Relationship"):
                target = rel.get("Target", "")
                name = target.lstrip("/") if target.startswith("/") else f"word/{target}"
                rels[rel.get("Id", "")] = name
        return cls(parts, body, styles, rels)

    def part(self, r_id: str | None) -> ET.Element | None:
        return _parse(self.parts, self.rels.get(r_id or "", ""))

    def resolve(
        self, run: ET.Element, para: _Para, read: Callable[[ET.Element], object | None]
    ) -> object | None:
        for rpr in self.styles.rpr_chain(run, para.element, para.table_style):
            value = read(rpr)
            if value is not None:
                return value
        return None

    def font(self, run: ET.Element, para: _Para, slot: str) -> str | None:
        def read(rpr: ET.Element) -> str | None:
            fonts = rpr.find(f"{_W}rFonts")
            if fonts is None:
                return None
            # A theme reference wins over an explicit name in the same element (ECMA-376 17.3.2.26).
            theme_attr = {"ascii": "asciiTheme", "hAnsi": "hAnsiTheme", "eastAsia": "eastAsiaTheme"}
            theme = fonts.get(f"{_W}{theme_attr[slot]}")
            if theme is not None:
                return self.styles.theme.get(theme, f"theme font {theme}")
            return fonts.get(f"{_W}{slot}")

        value = self.resolve(run, para, read)
        return value if isinstance(value, str) else None

    def bold(self, run: ET.Element, para: _Para) -> bool:
        return bool(self.resolve(run, para, lambda rpr: _on(rpr.find(f"{_W}b"))))

    def italic(self, run: ET.Element, para: _Para) -> bool:
        return bool(self.resolve(run, para, lambda rpr: _on(rpr.find(f"{_W}i"))))

    def size_pt(self, run: ET.Element, para: _Para) -> float:
        def read(rpr: ET.Element) -> float | None:
            size = rpr.find(f"{_W}sz")
            value = size.get(f"{_W}val") if size is not None else None
            return int(value) / 2 if value and value.isdigit() else None

        value = self.resolve(run, para, read)
        # Word's built-in default when nothing says otherwise.
        return value if isinstance(value, float) else 10.0


def _text_runs(para: _Para) -> list[ET.Element]:
    return [run for run in para.element.iter(f"{_W}r") if _run_text(run).strip()]


# -- individual checks -------------------------------------------------------------------------


def _mm(twips: int) -> float:
    return twips * 25.4 / 1440


def _int_attr(element: ET.Element | None, name: str) -> int | None:
    value = element.get(f"{_W}{name}") if element is not None else None
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _check_pages(doc: _Doc) -> list[str]:
    problems: list[str] = []
    sections = list(doc.body.iter(f"{_W}sectPr"))
    if not sections:
        return ["no section properties: page size and margins are unspecified (not A4)"]
    for number, sect in enumerate(sections, start=1):
        where = f"section {number}"
        size = sect.find(f"{_W}pgSz")
        width, height = _int_attr(size, "w"), _int_attr(size, "h")
        if width is None or height is None:
            problems.append(f"{where}: page size not set (A4 210 × 297 mm required)")
        elif (
            abs(width - A4_TWIPS[0]) > A4_TOLERANCE_TWIPS
            or abs(height - A4_TWIPS[1]) > A4_TOLERANCE_TWIPS
        ):
            problems.append(
                f"{where}: page is {_mm(width):.1f} × {_mm(height):.1f} mm, not A4 portrait "
                "210 × 297 mm"
            )
        margins = sect.find(f"{_W}pgMar")
        for side, (low, high) in MARGIN_RANGES_MM.items():
            twips = _int_attr(margins, side)
            if twips is None:
                problems.append(f"{where}: {side} margin not set ({low}–{high} mm required)")
                continue
            # A negative top/bottom margin means "fixed, text may not push it"; the size counts.
            value = _mm(abs(twips))
            if not low - MARGIN_TOLERANCE_MM <= value <= high + MARGIN_TOLERANCE_MM:
                problems.append(
                    f"{where}: {side} margin is {value:.1f} mm, outside {low}–{high} mm"
                )
    return problems


def _limited(problem: str, examples: list[str], count: int) -> str:
    shown = "; ".join(repr(e[:40]) for e in examples[:MAX_EXAMPLES])
    more = f" and {count - MAX_EXAMPLES} more" if count > MAX_EXAMPLES else ""
    return f"{problem} ({count}): {shown}{more}"


def _header_parts(doc: _Doc) -> list[ET.Element]:
    parts = []
    for sect in doc.body.iter(f"{_W}sectPr"):
        for ref in sect:
            if ref.tag in {f"{_W}headerReference", f"{_W}footerReference"}:
                part = doc.part(ref.get(f"{_R}id"))
                if part is not None:
                    parts.append(part)
    return parts


def _all_paragraphs(doc: _Doc) -> list[_Para]:
    paragraphs = list(_paragraphs(doc.body, doc.styles))
    for part in _header_parts(doc):
        paragraphs.extend(_paragraphs(part, doc.styles))
    return paragraphs


def _check_fonts(doc: _Doc, paragraphs: list[_Para]) -> list[str]:
    bad: list[str] = []
    for para in paragraphs:
        for run in _text_runs(para):
            fonts = {doc.font(run, para, slot) for slot in ("ascii", "hAnsi", "eastAsia")}
            if fonts != {FONT}:
                names = ", ".join(sorted(f or "unset" for f in fonts))
                bad.append(f"{_run_text(run)} [{names}]")
    return [_limited(f"runs not in {FONT}", bad, len(bad))] if bad else []


def _check_nfc(paragraphs: list[_Para]) -> list[str]:
    bad = [p.text for p in paragraphs if not unicodedata.is_normalized("NFC", p.text)]
    return [_limited("text not in Unicode NFC", bad, len(bad))] if bad else []


def _is_calendar_date(year: str, month: str, day: str) -> bool:
    try:
        datetime.date(int(year), int(month), int(day))
    except ValueError:
        return False
    return True


def _place_date_problem(text: str) -> str | None:
    match = PLACE_DATE_RE.match(text)
    if match is None:
        return "does not read '<Địa danh>, ngày dd tháng m năm yyyy'"
    day, month, year = match["day"], match["month"], match["year"]
    rules = (
        (match["place"][:1].isupper(), "place name must start with a capital letter"),
        (len(day) == 2, f"day {day} must be zero-padded"),
        (int(month) > 2 or len(month) == 2, f"month {month} must be zero-padded (tháng 01, 02)"),
        (int(month) <= 2 or not month.startswith("0"), f"month {month} must not be zero-padded"),
        (_is_calendar_date(year, month, day), "is not a calendar date"),
    )
    return next((message for ok, message in rules if not ok), None)


def _find_table(body: ET.Element, needle: str) -> ET.Element | None:
    for table in body.iter(f"{_W}tbl"):
        if any(needle in _paragraph_text(p) for p in table.iter(f"{_W}p")):
            return table
    return None


def _has_rule_below(cell: ET.Element, paragraph: ET.Element) -> bool:
    """A line under `paragraph`: its own or the next paragraph's border, or a drawn shape."""
    blocks = cell.findall(f"{_W}p")
    index = blocks.index(paragraph)
    if paragraph.find(f"{_W}pPr/{_W}pBdr/{_W}bottom") is not None:
        return True
    following = blocks[index + 1] if index + 1 < len(blocks) else None
    if following is not None and following.find(f"{_W}pPr/{_W}pBdr") is not None:
        return True
    return any(True for _ in cell.iter(f"{_W}drawing")) or any(True for _ in cell.iter(f"{_W}pict"))


_Found = dict[str, tuple[int, _Para, ET.Element]]


def _locate_header_lines(table: ET.Element, style: str | None) -> _Found:
    """Where (row, paragraph, cell) the national title, motto, number and date lines are."""
    found: _Found = {}
    for row, cell in _cells(table):
        for paragraph in cell.findall(f"{_W}p"):
            para = _Para(paragraph, style)
            text = para.text.strip()
            if text == NATIONAL_TITLE:
                key = "title"
            elif text == NATIONAL_MOTTO:
                key = "motto"
            elif NUMBER_RE.match(text):
                key = "number"
            elif DATE_HINT_RE.search(text):
                key = "date"
            else:
                continue
            found.setdefault(key, (row, para, cell))
    return found


def _cell_margin(cell: ET.Element, table: ET.Element, side: str) -> int:
    """A cell's left or right margin in twips: the cell's own, else the table's, else Word's."""
    aliases = (side, "start" if side == "left" else "end")
    for holder in (cell.find(f"{_W}tcPr/{_W}tcMar"), table.find(f"{_W}tblPr/{_W}tblCellMar")):
        for name in aliases:
            value = _int_attr(holder.find(f"{_W}{name}") if holder is not None else None, "w")
            if value is not None:
                return value
    return DEFAULT_CELL_MARGIN_TWIPS


def _title_fit_problem(doc: _Doc, table: ET.Element, para: _Para, cell: ET.Element) -> str | None:
    """NĐ30 sets the Quốc hiệu on one line; a cell too narrow for it wraps "NAM" alone."""
    width = _int_attr(cell.find(f"{_W}tcPr/{_W}tcW"), "w")
    if width is None:
        return None  # an auto-sized cell grows to its content
    ppr = para.element.find(f"{_W}pPr/{_W}ind")
    indents = sum(
        _int_attr(ppr, name) or 0 for name in ("left", "right", "start", "end")
    ) if ppr is not None else 0  # fmt: skip
    room = width - _cell_margin(cell, table, "left") - _cell_margin(cell, table, "right") - indents
    size = max(doc.size_pt(run, para) for run in _text_runs(para))
    needed = width_pt(NATIONAL_TITLE, size) * 20 * FIT_SLACK
    if room >= needed:
        return None
    return (
        f"'{NATIONAL_TITLE}' needs about {needed / 20:.0f} pt at {size:g} pt bold but its cell "
        f"leaves {room / 20:.0f} pt: it would wrap onto two lines"
    )


def _check_table_words(doc: _Doc) -> list[str]:
    """A word wider than its column is broken mid-word by every editor ("ST" over "T")."""
    broken: list[str] = []
    for table in doc.body.iter(f"{_W}tbl"):
        style = _table_style(table, doc.styles)
        for _, cell in _cells(table):
            cell_width = cell.find(f"{_W}tcPr/{_W}tcW")
            width = _int_attr(cell_width, "w")
            if width is None or cell_width is None or cell_width.get(f"{_W}type") != "dxa":
                continue  # an auto-sized cell grows to its content
            room = width - _cell_margin(cell, table, "left") - _cell_margin(cell, table, "right")
            for paragraph in cell.findall(f"{_W}p"):
                para = _Para(paragraph, style)
                for run in _text_runs(para):
                    size, bold = doc.size_pt(run, para), doc.bold(run, para)
                    for word in _run_text(run).split():
                        needed = width_pt(word, size, bold=bold) * 20 * FIT_SLACK
                        if needed > room:
                            broken.append(f"'{word}' ({needed / 20:.0f} pt > {room / 20:.0f} pt)")
    if not broken:
        return []
    return [_limited("table words wider than their column, broken mid-word", broken, len(broken))]


def _check_national_lines(doc: _Doc, found: _Found, table: ET.Element) -> list[str]:
    problems: list[str] = []
    for key, label, (low, high) in (
        ("title", NATIONAL_TITLE, (12, 13)),
        ("motto", NATIONAL_MOTTO, (13, 14)),
    ):
        if key not in found:
            problems.append(f"'{label}' missing from the header table (exactly this text)")
            continue
        _, para, cell = found[key]
        runs = _text_runs(para)
        if not all(doc.bold(run, para) for run in runs):
            problems.append(f"'{label}' must be bold")
        if not all(low <= doc.size_pt(run, para) <= high for run in runs):
            problems.append(f"'{label}' must be {low}–{high} pt")
        if key == "motto" and not _has_rule_below(cell, para.element):
            problems.append(f"no solid line under '{NATIONAL_MOTTO}'")
        if key == "title" and (problem := _title_fit_problem(doc, table, para, cell)):
            problems.append(problem)
    return problems


def _check_number_and_date(doc: _Doc, found: _Found) -> list[str]:
    problems: list[str] = []
    if "number" not in found:
        problems.append("number line 'Số: NN/TYPE-ISSUER' not found in the header table")
    if "date" not in found:
        return [*problems, "place/date line not found in the header table"]
    _, para, _ = found["date"]
    text = para.text.strip()
    problem = _place_date_problem(text)
    if problem:
        problems.append(f"place/date line {text!r} {problem}")
    if not all(doc.italic(run, para) for run in _text_runs(para)):
        problems.append("place/date line must be italic")
    if "number" in found and found["number"][0] != found["date"][0]:
        problems.append("number line and place/date line must be on the same header row")
    return problems


def _check_header(doc: _Doc, *, with_date: bool = True) -> list[str]:
    table = _find_table(doc.body, NATIONAL_TITLE)
    if table is None:
        return [f"header table with '{NATIONAL_TITLE}' not found"]
    found = _locate_header_lines(table, _table_style(table, doc.styles))
    if with_date:
        return [*_check_national_lines(doc, found, table), *_check_number_and_date(doc, found)]
    # Mẫu 1.9: a Biên bản records its time in the body, never as a header place/date line.
    problems = _check_national_lines(doc, found, table)
    if "number" not in found:
        problems.append("number line 'Số: NN/TYPE-ISSUER' not found in the header table")
    if "date" in found:
        problems.append("a Biên bản has no place/date line in its header (Mẫu 1.9)")
    return problems


def _body_blocks(doc: _Doc) -> list[ET.Element]:
    return [child for child in doc.body if child.tag in {f"{_W}p", f"{_W}tbl"}]


def _check_body_and_copies(doc: _Doc) -> list[str]:
    problems: list[str] = []
    blocks = _body_blocks(doc)
    signature = next(
        (
            index
            for index, block in enumerate(blocks)
            if block.tag == f"{_W}tbl"
            and any(_paragraph_text(p).strip() == COPIES_HEADING for p in block.iter(f"{_W}p"))
        ),
        None,
    )
    before = blocks if signature is None else blocks[:signature]
    texts = [_paragraph_text(b).strip() for b in before if b.tag == f"{_W}p"]
    last = next((t for t in reversed(texts) if t), "")
    if not last.endswith("./."):
        problems.append(f"decision body must end with './.' (last paragraph: {last[-40:]!r})")
    if signature is None:
        return [*problems, f"signature table with '{COPIES_HEADING}' not found"]

    table = blocks[signature]
    style = _table_style(table, doc.styles)
    for _, cell in _cells(table):
        paragraphs = cell.findall(f"{_W}p")
        heading = next(
            (p for p in paragraphs if _paragraph_text(p).strip() == COPIES_HEADING), None
        )
        if heading is None:
            continue
        para = _Para(heading, style)
        runs = _text_runs(para)
        if not all(doc.bold(r, para) and doc.italic(r, para) for r in runs):
            problems.append(f"'{COPIES_HEADING}' must be bold italic")
        if not all(doc.size_pt(r, para) == 12 for r in runs):
            problems.append(f"'{COPIES_HEADING}' must be 12 pt")
        items = [
            _Para(p, style)
            for p in paragraphs[paragraphs.index(heading) + 1 :]
            if _paragraph_text(p).strip()
        ]
        if not items:
            problems.append(f"'{COPIES_HEADING}' has no recipients")
            break
        for item in items[:-1]:
            if not (item.text.startswith("- ") and item.text.rstrip().endswith(";")):
                problems.append(f"recipient line {item.text!r} must read '- …;'")
        if not ARCHIVE_RE.match(items[-1].text.strip()):
            problems.append(
                f"recipient list must end with '- Lưu: VT, NV.' (got {items[-1].text!r})"
            )
        wrong = [i.text for i in items if any(doc.size_pt(r, i) != 11 for r in _text_runs(i))]
        if wrong:
            problems.append(_limited("recipient lines not in 11 pt", wrong, len(wrong)))
        break
    return problems


def _has_page_field(part: ET.Element) -> bool:
    for simple in part.iter(f"{_W}fldSimple"):
        if "PAGE" in simple.get(f"{_W}instr", "").upper().split():
            return True
    return any("PAGE" in (i.text or "").upper().split() for i in part.iter(f"{_W}instrText"))


def _alignment(doc: _Doc, paragraph: ET.Element) -> str | None:
    """The paragraph's own justification, else its style's (through `basedOn`)."""
    jc = paragraph.find(f"{_W}pPr/{_W}jc")
    if jc is not None:
        return jc.get(f"{_W}val")
    p_style = paragraph.find(f"{_W}pPr/{_W}pStyle")
    style_id = p_style.get(f"{_W}val") if p_style is not None else None
    style_id = style_id or doc.styles.default_style.get("paragraph")
    seen: set[str] = set()
    while style_id and style_id not in seen and style_id in doc.styles.by_id:
        seen.add(style_id)
        style = doc.styles.by_id[style_id]
        jc = style.find(f"{_W}pPr/{_W}jc")
        if jc is not None:
            return jc.get(f"{_W}val")
        based_on = style.find(f"{_W}basedOn")
        style_id = based_on.get(f"{_W}val") if based_on is not None else None
    return None


def _check_page_numbers(doc: _Doc) -> list[str]:
    sections = list(doc.body.iter(f"{_W}sectPr"))
    if not sections:
        return []
    problems: list[str] = []
    inherited: dict[str, str | None] = {"default": None, "first": None}
    for number, sect in enumerate(sections, start=1):
        for ref in sect.findall(f"{_W}headerReference"):
            inherited[ref.get(f"{_W}type", "default")] = ref.get(f"{_R}id")
        where = "" if number == 1 else f" (section {number})"
        if not _on(sect.find(f"{_W}titlePg")):
            problems.append(
                f"page 1 must not show a page number: 'different first page' off{where}"
            )
        default = doc.part(inherited["default"])
        if default is None or not _has_page_field(default):
            problems.append(f"no PAGE field in the page header{where}")
        else:
            paragraphs = [p for p in _paragraphs(default, doc.styles) if _has_page_field(p.element)]
            for para in paragraphs:
                sizes = {doc.size_pt(run, para) for run in para.element.iter(f"{_W}r")}
                if not all(13 <= s <= 14 for s in sizes):
                    problems.append(f"page number must be 13–14 pt{where}")
                if _alignment(doc, para.element) != "center":
                    problems.append(f"page number must be centred at the top{where}")
        first = doc.part(inherited["first"])
        if first is not None and _has_page_field(first):
            problems.append(f"the first-page header shows a page number{where}")
    return problems


def check_decree30(docx_bytes: bytes) -> list[str]:
    """Human-readable departures of a decision .docx from NĐ30/2020; empty when it conforms."""
    try:
        doc = _Doc.load(docx_bytes)
    except _NotADocxError as exc:
        return [str(exc)]
    paragraphs = _all_paragraphs(doc)
    return [
        *_check_pages(doc),
        *_check_fonts(doc, paragraphs),
        *_check_header(doc),
        *_check_body_and_copies(doc),
        *_check_page_numbers(doc),
        *_check_nfc(paragraphs),
        *_check_table_words(doc),
    ]


def docx_text(docx_bytes: bytes) -> str:
    """Text of every non-empty paragraph and table cell of the body, one per line, in order."""
    try:
        doc = _Doc.load(docx_bytes)
    except _NotADocxError as exc:
        raise ValueError(str(exc)) from exc
    lines = (para.text for para in _paragraphs(doc.body, doc.styles))
    return "\n".join(line for line in lines if line.strip())


# -- per document type -------------------------------------------------------------------------

LANDSCAPE_A4_TWIPS = (A4_TWIPS[1], A4_TWIPS[0])
CERTIFICATE_MARGIN_MM = (15, 25)
MEMBERS_RE = re.compile(r"tổng số thành viên Hội đồng: (\d+)")
DECISION_REF_RE = re.compile(
    r"^Quyết định số \d{2,}/[A-ZĐ]+-[A-ZĐ]+ ngày \d{2} tháng \d{1,2} năm \d{4}$"
)
BALLOT_HEADER_WORDS = ("phát ra", "thu về", "hợp lệ", "đồng ý", "trên tổng số thành viên")


def _texts(doc: _Doc) -> list[str]:
    return [p.text.strip() for p in _paragraphs(doc.body, doc.styles) if p.text.strip()]


def _body_paragraph(doc: _Doc, text: str) -> _Para | None:
    """A paragraph directly in the body (not in a table) whose text is exactly `text`."""
    for child in doc.body:
        if child.tag == f"{_W}p" and _paragraph_text(child).strip() == text:
            return _Para(child, None)
    return None


def _all_bold(doc: _Doc, para: _Para) -> bool:
    runs = _text_runs(para)
    return bool(runs) and all(doc.bold(run, para) for run in runs)


def _check_type_name(doc: _Doc, name: str) -> list[str]:
    para = _body_paragraph(doc, name)
    if para is None:
        return [f"document type name '{name}' missing (own line, upper case)"]
    return [] if _all_bold(doc, para) else [f"document type name '{name}' must be bold"]


def _signature_table(doc: _Doc) -> ET.Element | None:
    tables = [b for b in _body_blocks(doc) if b.tag == f"{_W}tbl"]
    for table in tables:
        if any(_paragraph_text(p).strip() == COPIES_HEADING for p in table.iter(f"{_W}p")):
            return table
    return None


def _block_lines(cell: ET.Element) -> list[ET.Element]:
    return [p for p in cell.findall(f"{_W}p") if _paragraph_text(p).strip()]


def _check_signature(
    doc: _Doc, cell: ET.Element | None, allowed: tuple[str, ...], where: str, skip: int = 0
) -> list[str]:
    """The first line of a signature block (after `skip` lines) is one of `allowed`, bold."""
    if cell is None:
        return [f"{where} signature block missing"]
    lines = _block_lines(cell)[skip:]
    if not lines or _paragraph_text(lines[0]).strip() not in allowed:
        got = _paragraph_text(lines[0]).strip() if lines else ""
        return [f"{where} signature block must start with {' or '.join(allowed)} (got {got!r})"]
    if not _all_bold(doc, _Para(lines[0], None)):
        return [f"'{_paragraph_text(lines[0]).strip()}' must be bold"]
    return []


def _row_cells(table: ET.Element, row: int) -> list[ET.Element]:
    rows = table.findall(f"{_W}tr")
    return rows[row].findall(f"{_W}tc") if row < len(rows) else []


def _copies_items(table: ET.Element) -> list[str]:
    for _, cell in _cells(table):
        texts = [_paragraph_text(p).strip() for p in _block_lines(cell)]
        if COPIES_HEADING in texts:
            return texts[texts.index(COPIES_HEADING) + 1 :]
    return []


def _check_nd30_common(doc: _Doc) -> list[str]:
    paragraphs = _all_paragraphs(doc)
    return [
        *_check_pages(doc),
        *_check_fonts(doc, paragraphs),
        *_check_body_and_copies(doc),
        *_check_page_numbers(doc),
        *_check_nfc(paragraphs),
        *_check_table_words(doc),
    ]


def _check_decision(doc: _Doc) -> list[str]:
    table = _signature_table(doc)
    right = _row_cells(table, 0)[1:2] if table is not None else []
    return [
        *_check_nd30_common(doc),
        *_check_header(doc),
        *_check_type_name(doc, "QUYẾT ĐỊNH"),
        # The Chairman decides personally: no "TM." (DOMAIN §7.6).
        *_check_signature(doc, right[0] if right else None, ("CHỦ TỊCH", "KT. CHỦ TỊCH"), "right"),
    ]


def _check_submission(doc: _Doc) -> list[str]:
    problems = [*_check_nd30_common(doc), *_check_header(doc), *_check_type_name(doc, "TỜ TRÌNH")]
    if not any(t.startswith("Kính gửi:") for t in _texts(doc)):
        problems.append("a Tờ trình must carry 'Kính gửi:' and its addressee")
    table = _signature_table(doc)
    if table is None:
        return problems
    items = _copies_items(table)
    if not items or items[0] != "- Như trên;":
        problems.append("the Nơi nhận of a Tờ trình must begin with '- Như trên;'")
    if not items or items[-1] != "- Lưu: VT, NV.":
        problems.append("the Nơi nhận of a Tờ trình must end with '- Lưu: VT, NV.'")
    right = _row_cells(table, 0)[1:2]
    allowed = ("TRƯỞNG PHÒNG", "KT. TRƯỞNG PHÒNG")
    problems += _check_signature(doc, right[0] if right else None, allowed, "right")
    return problems


def _check_ballot_table(doc: _Doc) -> list[str]:
    table = _find_table(doc.body, "Số phiếu phát ra")
    if table is None:
        return ["ballot table (số phiếu phát ra / thu về / hợp lệ / đồng ý / tỷ lệ %) not found"]
    header = [" ".join(_paragraph_text(c).split()) for c in _row_cells(table, 0)]
    joined = " | ".join(header).lower()
    problems = [f"ballot table lacks '{w}'" for w in BALLOT_HEADER_WORDS if w not in joined]
    members = next((int(m[1]) for t in _texts(doc) if (m := MEMBERS_RE.search(t))), None)
    if members is None:
        return [*problems, "the minutes do not state the council's total members"]
    for row in table.findall(f"{_W}tr")[1:]:
        cells = [_paragraph_text(c).strip() for c in row.findall(f"{_W}tc")]
        if len(cells) < 7 or not cells[5].isdigit():
            continue  # a group heading
        yes = int(cells[5])
        # Per cent of all members (NĐ91 Điều 45 k8), two decimals rounded half up.
        hundredths = (yes * 20000 + members) // (members * 2)
        expected = f"{hundredths // 100},{hundredths % 100:02d}"
        if cells[6] != expected:
            problems.append(
                f"{cells[1][:30]!r}: {cells[6]} % is not {yes}/{members} of all members "
                f"({expected})"
            )
    return problems


def _check_minutes(doc: _Doc) -> list[str]:
    problems = [
        *_check_nd30_common(doc),
        *_check_header(doc, with_date=False),
        *_check_type_name(doc, "BIÊN BẢN"),
        *_check_ballot_table(doc),
    ]
    table = _signature_table(doc)
    if table is None:
        return problems
    cells = _row_cells(table, 0)
    problems += _check_signature(doc, cells[0] if cells else None, ("THƯ KÝ",), "left")
    problems += _check_signature(doc, cells[1] if len(cells) > 1 else None, ("CHỦ TỌA",), "right")
    items = _copies_items(table)
    if not items or items[-1] != "- Lưu: VT, Hồ sơ.":
        problems.append("the Nơi nhận of a Biên bản must end with '- Lưu: VT, Hồ sơ.'")
    return problems


def _check_certificate(doc: _Doc, title: str = "GIẤY KHEN") -> list[str]:
    problems: list[str] = []
    sections = list(doc.body.iter(f"{_W}sectPr"))
    if len(sections) != 1:
        problems.append(f"a certificate is one page in one section (found {len(sections)})")
    for sect in sections[:1]:
        size = sect.find(f"{_W}pgSz")
        width, height = _int_attr(size, "w"), _int_attr(size, "h")
        if (
            width is None
            or height is None
            or abs(width - LANDSCAPE_A4_TWIPS[0]) > A4_TOLERANCE_TWIPS
            or abs(height - LANDSCAPE_A4_TWIPS[1]) > A4_TOLERANCE_TWIPS
        ):
            problems.append("a certificate is printed on A4 landscape (297 × 210 mm)")
        margins = sect.find(f"{_W}pgMar")
        low, high = CERTIFICATE_MARGIN_MM
        for side in ("top", "bottom", "left", "right"):
            twips = _int_attr(margins, side)
            if twips is None or not low <= _mm(abs(twips)) <= high + MARGIN_TOLERANCE_MM:
                problems.append(f"certificate {side} margin must be {low}–{high} mm")
    if any(br.get(f"{_W}type") == "page" for br in doc.body.iter(f"{_W}br")) or any(
        True for _ in doc.body.iter(f"{_W}pageBreakBefore")
    ):
        problems.append("a certificate is a single page: no page breaks")
    if any(_has_page_field(part) for part in _header_parts(doc)):
        problems.append("a single-page certificate shows no page number")
    paragraphs = _all_paragraphs(doc)
    problems += _check_fonts(doc, paragraphs) + _check_nfc(paragraphs)
    for text in (NATIONAL_TITLE, NATIONAL_MOTTO, title):
        para = _body_paragraph(doc, text)
        if para is None:
            problems.append(f"'{text}' missing (own line)")
        elif not _all_bold(doc, para):
            problems.append(f"'{text}' must be bold")
    texts = _texts(doc)
    if not any(DECISION_REF_RE.match(t) for t in texts):
        problems.append(
            "the certificate must cite 'Quyết định số NN/QĐ-… ngày dd tháng m năm yyyy'"
        )
    table = next((b for b in _body_blocks(doc) if b.tag == f"{_W}tbl"), None)
    cells = _row_cells(table, 0) if table is not None else []
    if len(cells) < 2:
        return [*problems, "signature block (place/date, CHỦ TỊCH, name) missing"]
    lines = _block_lines(cells[1])
    date_para = _Para(lines[0], None) if lines else None
    if date_para is None or (problem := _place_date_problem(date_para.text.strip())):
        problems.append(f"certificate place/date line {problem if date_para else 'missing'}")
    elif not all(doc.italic(run, date_para) for run in _text_runs(date_para)):
        problems.append("place/date line must be italic")
    # The place/date line sits above the authority on a certificate.
    problems += _check_signature(doc, cells[1], ("CHỦ TỊCH", "KT. CHỦ TỊCH"), "right", skip=1)
    if len(lines) < 3 or not _all_bold(doc, _Para(lines[-1], None)):
        problems.append("the signer's name must close the signature block, in bold")
    return problems


def _check_upward(doc: _Doc, type_name: str) -> list[str]:
    """A document of the People's Committee sent upward: "Kính gửi:", "- Như trên;", TM."""
    problems = [*_check_nd30_common(doc), *_check_header(doc), *_check_type_name(doc, type_name)]
    if not any(t.startswith("Kính gửi:") for t in _texts(doc)):
        problems.append(f"a {type_name.capitalize()} sent upward must carry 'Kính gửi:'")
    table = _signature_table(doc)
    if table is None:
        return problems
    items = _copies_items(table)
    if not items or items[0] != "- Như trên;":
        problems.append("the Nơi nhận of a document sent upward must begin with '- Như trên;'")
    if not items or items[-1] != "- Lưu: VT, NV.":
        problems.append("the Nơi nhận must end with '- Lưu: VT, NV.'")
    right = _row_cells(table, 0)[1:2]
    # The People's Committee as a collective body signs "TM." (DOMAIN §7.6).
    problems += _check_signature(
        doc, right[0] if right else None, ("TM. ỦY BAN NHÂN DÂN",), "right"
    )
    return problems


def _check_city_report(doc: _Doc) -> list[str]:
    problems = _check_upward(doc, "BÁO CÁO")
    texts = _texts(doc)
    for part in REPORT_PARTS:
        if not any(t.startswith(part) for t in texts):
            problems.append(f"the report lacks its part '{part} …'")
    return problems


def _check_province_submission(doc: _Doc) -> list[str]:
    problems = _check_upward(doc, "TỜ TRÌNH")
    if not any(t.startswith("(Kèm theo Tờ trình số") for t in _texts(doc)):
        problems.append("the Tờ trình upward must attach its list '(Kèm theo Tờ trình số …)'")
    return problems


def _check_achievement_report(doc: _Doc) -> list[str]:
    paragraphs = _all_paragraphs(doc)
    problems = [
        *_check_pages(doc),
        *_check_fonts(doc, paragraphs),
        *_check_page_numbers(doc),
        *_check_nfc(paragraphs),
        *_check_type_name(doc, "BÁO CÁO THÀNH TÍCH"),
    ]
    table = _find_table(doc.body, NATIONAL_TITLE)
    if table is None:
        return [*problems, f"header table with '{NATIONAL_TITLE}' not found"]
    found = _locate_header_lines(table, _table_style(table, doc.styles))
    problems += _check_national_lines(doc, found, table)
    if "date" not in found:
        problems.append("place/date line not found in the header table")
    elif problem := _place_date_problem(found["date"][1].text.strip()):
        problems.append(f"place/date line {problem}")
    texts = _texts(doc)
    for part in ("I. SƠ LƯỢC", "II. THÀNH TÍCH ĐẠT ĐƯỢC", "III. CÁC HÌNH THỨC"):
        if not any(t.startswith(part) for t in texts):
            problems.append(f"the báo cáo thành tích lacks its part '{part} …'")
    tables = [b for b in _body_blocks(doc) if b.tag == f"{_W}tbl"]
    cells = _row_cells(tables[-1], 0) if tables else []
    if len(cells) != 2:
        return [*problems, "signature blocks (left certifying, right reporting) missing"]
    problems += _check_signature(
        doc, cells[1], ("NGƯỜI BÁO CÁO THÀNH TÍCH", "THỦ TRƯỞNG ĐƠN VỊ"), "right"
    )
    problems += _check_signature(doc, cells[0], ("THỦ TRƯỞNG ĐƠN VỊ", "XÁC NHẬN CỦA CẤP"), "left")
    return problems


def _check_statistics(doc: _Doc) -> list[str]:
    """A Ministry statistics form: A4 landscape, its form code, and totals that add up."""
    problems: list[str] = []
    for sect in doc.body.iter(f"{_W}sectPr"):
        size = sect.find(f"{_W}pgSz")
        width, height = _int_attr(size, "w"), _int_attr(size, "h")
        if (
            width is None
            or height is None
            or abs(width - A4_TWIPS[1]) > A4_TOLERANCE_TWIPS
            or abs(height - A4_TWIPS[0]) > A4_TOLERANCE_TWIPS
        ):
            problems.append("a statistics form is printed on A4 landscape (297 × 210 mm)")
    paragraphs = _all_paragraphs(doc)
    problems += _check_fonts(doc, paragraphs) + _check_nfc(paragraphs) + _check_table_words(doc)
    texts = _texts(doc)
    if not any(FORM_CODE_RE.match(t) for t in texts):
        problems.append("form code line 'Biểu số: 0NNN.N/BNV-TĐKT' missing")
    if not any(t.startswith("Ban hành theo Thông tư số") for t in texts):
        problems.append("the circular that issued the form is not named")
    table = _find_table(doc.body, "Mã số")
    if table is None:
        return [*problems, "the form's table (with 'Mã số') not found"]
    problems += check_totals(
        [
            [_paragraph_text(c).strip() for c in r.findall(f"{_W}tc")]
            for r in table.findall(f"{_W}tr")
        ]
    )
    return problems


def check_totals(rows: list[list[str]]) -> list[str]:
    """Each row's "Tổng số" equals the sum of the columns after it (forms with columns).

    `rows` are the table's rows as text; the third row holds the column letters and numbers,
    the body starts after it."""
    problems: list[str] = []
    if len(rows) < 3:
        return ["the form's table has no heading rows"]
    letters = rows[2]
    total_at = next((i for i, x in enumerate(letters) if x and x[0].isdigit()), None)
    if total_at is None:
        return ["the form's column numbers (A, B, 1, 2 …) are missing"]
    for cells in rows[3:]:
        values = cells[total_at:]
        if len(values) < 2 or not all(v.isdigit() for v in values):
            continue
        if int(values[0]) != sum(int(v) for v in values[1:]):
            problems.append(f"{cells[0][:40]!r}: Tổng số {values[0]} is not the sum of its parts")
    return problems


DOC_TYPES: dict[str, Callable[[_Doc], list[str]]] = {
    "quyet-dinh": _check_decision,
    "to-trinh": _check_submission,
    "bien-ban": _check_minutes,
    "giay-khen": _check_certificate,
    "giay-chung-nhan": lambda doc: _check_certificate(doc, "GIẤY CHỨNG NHẬN"),
    "bao-cao": _check_city_report,
    "to-trinh-tinh": _check_province_submission,
    "bao-cao-thanh-tich": _check_achievement_report,
    **{
        f"thong-ke-{code}": _check_statistics
        for code in ("0601", "0602", "0603", "0604", "0605", "0701", "0702", "0703")
    },
}


def check_document(docx_bytes: bytes, doc_type: str) -> list[str]:
    """Departures of a document of `doc_type` from its format; empty when it conforms.

    Quyết định, Tờ trình and Biên bản follow NĐ30/2020 (each with its own header, signature
    block and Nơi nhận); the Giấy khen is a one-page A4 landscape award object.
    """
    check = DOC_TYPES.get(doc_type)
    if check is None:
        raise ValueError(f"no format check for document type {doc_type!r}")
    try:
        doc = _Doc.load(docx_bytes)
    except _NotADocxError as exc:
        return [str(exc)]
    return check(doc)

"""Render a statistics form (`StatForm`) as .xlsx (openpyxl) and as .docx (python-docx).

Both give the same grid: the label column A, "Mã số" B, "Đơn vị tính" C where the form has it,
"Tổng số", then the form's columns; a row of column letters and numbers under the headings, as
the Ministry's forms print them. The workbook's core properties and the zip entries carry fixed
stamps, so the same form always gives the same bytes.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt, Twips
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.writer.excel import ExcelWriter

from thidua_reporting.domain.statistics import StatForm
from thidua_reporting.domain.vn_format import format_place_date

from .docx_render import (
    FONT,
    _deterministic_zip,
    _drop_thumbnail,
    _format,
    _keep_row_on_one_page,
    _layout_table,
    _run,
    _set_row_widths,
    _setup_styles,
    package_docx,
    side_padding,
    stamp_properties,
)
from .font_metrics import width_pt

__all__ = ["column_pt", "form_grid", "render_stats_docx", "render_stats_xlsx", "wrapped_lines"]

SIZE = 11
LABEL_MM = 80  # the label column's width when the number columns need no more room
PADDING_TWIPS = 57  # 1 mm each side of a cell: number columns are narrow on a 13-column form
WORD_SLACK = 1.05  # metrics leave out kerning and each editor's rounding
LABEL_CHARS = 48  # the .xlsx label column, in character widths
NUMBER_CHARS = 14
LINE_PT = SIZE * 1.3  # a wrapped line's height as spreadsheet programs print it
CELL_PADDING_PT = 4  # both sides together
MM_PER_INCH = 25.4
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def form_grid(form: StatForm) -> tuple[list[str], list[str], list[str], list[list[str]]]:
    """(first heading row, second heading row, letters row, body rows) as printed text."""
    fixed = ["", "Mã số", *(["Đơn vị tính"] if form.has_unit_column else [])]
    letters = ["A", "B", *(["C"] if form.has_unit_column else [])]
    if form.columns:
        top = [*fixed, "Tổng số", *(["Chia ra"] + [""] * (len(form.columns) - 1))]
        second = [""] * (len(fixed) + 1) + list(form.columns)
        numbers = [form.total_label, *(str(i) for i in range(2, len(form.columns) + 2))]
    else:
        top = [*fixed, "Số lượng"]
        second = [""] * len(top)
        numbers = ["1"]
    body = []
    for row in form.rows:
        cells = [row.label, row.code or "", *([row.unit] if form.has_unit_column else [])]
        width = 1 + len(form.columns)
        values = list(row.values) + [None] * (width - len(row.values))
        cells += ["" if row.code is None or v is None else str(v) for v in values[:width]]
        body.append(cells)
    return top, second, [*letters, *numbers], body


def _date_line(form: StatForm) -> str:
    return format_place_date(form.place, form.signed_on)


def render_stats_xlsx(form: StatForm) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = form.code.split(".", 1)[0]
    width = len(form_grid(form)[0])
    last = get_column_letter(width)
    regular = Font(name=FONT, size=SIZE)
    bold = Font(name=FONT, size=SIZE, bold=True)
    italic = Font(name=FONT, size=SIZE, italic=True)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)

    def line(row: int, text: str, font: Font, align: Alignment) -> None:
        ws.merge_cells(f"A{row}:{last}{row}")
        cell = ws[f"A{row}"]
        cell.value = text
        cell.font = font
        cell.alignment = align

    head = [
        (f"Biểu số: {form.code}", bold, left),
        (form.circular, italic, left),
        *([(form.receipt, italic, left)] if form.receipt else []),
        (f"Đơn vị báo cáo: {form.reporter}", bold, left),
        (f"Đơn vị nhận báo cáo: {form.receiver}", regular, left),
        (form.title, Font(name=FONT, size=13, bold=True), center),
        (form.period, italic, center),
        *([(form.unit_note, italic, Alignment(horizontal="right"))] if form.unit_note else []),
    ]
    row = 1
    for text, font, align in head:
        line(row, text, font, align)
        row += 1
    table = row + 1
    row = _xlsx_table(ws, form, table, (regular, bold, center, left))
    for note in form.notes:
        line(row, note, italic, left)
        row += 1
    _xlsx_signatures(ws, form, row + 1, width, (bold, italic))
    ws.column_dimensions["A"].width = LABEL_CHARS
    for col in range(2, width + 1):
        ws.column_dimensions[get_column_letter(col)].width = NUMBER_CHARS
    _fit_row_heights(ws)
    _print_setup(ws, table)
    stamp = datetime.datetime.combine(form.signed_on, datetime.time(0, 0))
    wb.properties.creator = form.reporter
    wb.properties.lastModifiedBy = form.reporter
    wb.properties.title = f"{form.code} {form.title}"
    wb.properties.created = stamp
    wb.properties.modified = stamp
    buffer = io.BytesIO()
    # Workbook.save stamps "modified" with the clock; the writer itself keeps our stamp.
    ExcelWriter(wb, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    return _deterministic_zip(buffer.getvalue())


def _print_setup(ws: Any, table_row: int) -> None:
    """A4 landscape, every column on one page wide and as many pages tall as the rows need, the
    three heading rows of the table again on each page, margins as NĐ30 sets them for a page
    (top and bottom 20 mm, left 30 mm, right 15 mm). Without this a 13-column form printed its
    right-hand columns on pages of their own, away from the labels they count."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = f"{table_row}:{table_row + 2}"
    ws.page_margins = PageMargins(
        left=30 / MM_PER_INCH,
        right=15 / MM_PER_INCH,
        top=20 / MM_PER_INCH,
        bottom=20 / MM_PER_INCH,
        header=0,
        footer=0,
    )


def column_pt(chars: float) -> float:
    """A column's printed width: `chars` widths of the default font's digit (7 px) + 5 px."""
    return (int(chars * 7) + 5) * 0.75


def wrapped_lines(text: str, room_pt: float, *, bold: bool) -> int:
    """How many lines `text` takes when wrapped word by word into `room_pt`."""
    count, used = 1, 0.0
    space = width_pt(" ", SIZE, bold=bold)
    for word in text.split():
        wide = width_pt(word, SIZE, bold=bold) * WORD_SLACK
        if used and used + space + wide > room_pt:
            count, used = count + 1, wide
        else:
            used += (space if used else 0.0) + wide
    return count


def _fit_row_heights(ws: Any) -> None:
    """Row heights for the wrapped cells: spreadsheet programs keep a row one line high when it
    is written without a height, and a two-line label then overprints the row below."""
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    for merged in ws.merged_cells.ranges:
        spans[(merged.min_row, merged.min_col)] = (
            merged.max_col - merged.min_col + 1,
            merged.max_row - merged.min_row + 1,
        )
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                spans.setdefault((r, c), (0, 0))
    for row in ws.iter_rows():
        needed = 1
        for cell in row:
            if not isinstance(cell.value, str) or not cell.alignment.wrap_text:
                continue
            across, down = spans.get((cell.row, cell.column), (1, 1))
            if across == 0:
                continue  # covered by a merged cell
            room = sum(
                column_pt(ws.column_dimensions[get_column_letter(c)].width)
                for c in range(cell.column, cell.column + across)
            )
            lines = wrapped_lines(cell.value, room - CELL_PADDING_PT, bold=bool(cell.font.b))
            needed = max(needed, -(-lines // down))
        if needed > 1:
            ws.row_dimensions[row[0].row].height = round(needed * LINE_PT + 2, 1)


def _xlsx_table(ws: Any, form: StatForm, row: int, styles: tuple[Any, ...]) -> int:
    regular, bold, center, left = styles
    top, second, letters, body = form_grid(form)
    width = len(top)
    start = row
    for values, font in ((top, bold), (second, bold), (letters, bold)):
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col, value=value or None)
            cell.font = font
            cell.alignment = center
            cell.border = BOX
        row += 1
    fixed = len(top) - (len(form.columns) + 1 if form.columns else 1)
    for col in range(1, fixed + 2):
        ws.merge_cells(start_row=start, start_column=col, end_row=start + 1, end_column=col)
    if form.columns:
        ws.merge_cells(start_row=start, start_column=fixed + 2, end_row=start, end_column=width)
    for source, cells in zip(form.rows, body, strict=True):
        for col, value in enumerate(cells, start=1):
            numeric = col > fixed and value != ""
            cell = ws.cell(row=row, column=col, value=int(value) if numeric else (value or None))
            cell.font = bold if source.bold or source.code is None else regular
            cell.alignment = left if col == 1 else center
            cell.border = BOX
        row += 1
    return row


def _xlsx_signatures(
    ws: Any, form: StatForm, row: int, width: int, styles: tuple[Any, ...]
) -> None:
    bold, italic = styles
    half = max(width // 2, 1)
    ws.cell(row=row, column=half + 1, value=_date_line(form)).font = italic
    row += 1
    ws.cell(row=row, column=1, value="Người lập biểu").font = bold
    ws.cell(row=row, column=half + 1, value="Thủ trưởng đơn vị").font = bold
    row += 1
    ws.cell(row=row, column=1, value="(Ký, họ tên)").font = italic
    ws.cell(row=row, column=half + 1, value="(Ký, họ tên, đóng dấu)").font = italic
    row += 4
    ws.cell(row=row, column=half + 1, value=form.signer_name).font = bold


def _cell_text(cell: Any, text: str, *, bold: bool = False, align: Any = None) -> None:
    paragraph = cell.paragraphs[0]
    _format(paragraph, align=align if align is not None else WD_ALIGN_PARAGRAPH.CENTER)
    _run(paragraph, text, SIZE, bold=bold)


def _column_widths(text_width: int, grid: list[list[str]]) -> tuple[int, ...]:
    """The label column and equal number columns, each wide enough for its longest word: a
    heading such as "thưởng" in a narrow column would print broken ("thưởn" over "g")."""
    n = len(grid[0])
    longest = max(
        (width_pt(word, SIZE) for row in grid for text in row[1:] for word in text.split()),
        default=0.0,
    )
    needed = int(Pt(longest * WORD_SLACK)) + 2 * int(Twips(PADDING_TWIPS))
    other = max((text_width - int(Mm(LABEL_MM))) // (n - 1), needed)
    return (text_width - other * (n - 1), *([other] * (n - 1)))


def render_stats_docx(form: StatForm) -> bytes:
    doc = Document()
    _setup_styles(doc)
    section = doc.sections[0]
    # A statistics form is a wide table: A4 landscape (NĐ30 allows it for tables).
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Twips(16838), Twips(11906)
    section.top_margin = section.bottom_margin = Twips(1134)
    section.left_margin, section.right_margin = Twips(1134), Twips(851)
    text_width = int(Twips(16838 - 1134 - 851))
    for text, bold, italic in (
        (f"Biểu số: {form.code}", True, False),
        (form.circular, False, True),
        *([(form.receipt, False, True)] if form.receipt else []),
        (f"Đơn vị báo cáo: {form.reporter}", True, False),
        (f"Đơn vị nhận báo cáo: {form.receiver}", False, False),
    ):
        _format(paragraph := doc.add_paragraph(), align=WD_ALIGN_PARAGRAPH.LEFT)
        _run(paragraph, text, 12, bold=bold, italic=italic)
    _format(paragraph := doc.add_paragraph(), before=12)
    _run(paragraph, form.title, 14, bold=True)
    _format(paragraph := doc.add_paragraph(), after=6)
    _run(paragraph, form.period, 13, italic=True)
    if form.unit_note:
        _format(paragraph := doc.add_paragraph(), align=WD_ALIGN_PARAGRAPH.RIGHT)
        _run(paragraph, form.unit_note, 12, italic=True)
    top, second, letters, body = form_grid(form)
    n = len(top)
    widths = _column_widths(text_width, [top, second, letters, *body])
    table = doc.add_table(rows=3 + len(body), cols=n, style="Table Grid")
    _layout_table(table, widths, borders=True)
    side_padding(table, PADDING_TWIPS)
    rows = list(table.rows)
    for row, values in zip(rows[:3], (top, second, letters), strict=True):
        _set_row_widths(row, widths)
        _keep_row_on_one_page(row, repeat_as_header=True)
        for cell, value in zip(row.cells, values, strict=True):
            _cell_text(cell, value, bold=True)
    for row, source, cells in zip(rows[3:], form.rows, body, strict=True):
        _set_row_widths(row, widths)
        _keep_row_on_one_page(row)
        for index, (cell, value) in enumerate(zip(row.cells, cells, strict=True)):
            align = WD_ALIGN_PARAGRAPH.LEFT if index == 0 else WD_ALIGN_PARAGRAPH.CENTER
            _cell_text(cell, value, bold=source.bold or source.code is None, align=align)
    # The heading cells as the forms print them: fixed columns over two rows, "Chia ra" across.
    fixed = n - (len(form.columns) + 1 if form.columns else 1)
    for col in range(fixed + 1):
        table.cell(0, col).merge(table.cell(1, col))
    if len(form.columns) > 1:
        table.cell(0, fixed + 1).merge(table.cell(0, n - 1))
    for note in form.notes:
        _format(paragraph := doc.add_paragraph(), align=WD_ALIGN_PARAGRAPH.LEFT, before=6)
        _run(paragraph, note, 12, italic=True)
    _docx_signatures(doc, form, text_width)
    stamp_properties(doc, form.reporter, f"{form.code} {form.title}", form.title, form.signed_on)
    _drop_thumbnail(doc)
    return package_docx(doc)


def _docx_signatures(doc: Any, form: StatForm, text_width: int) -> None:
    signatures = doc.add_table(rows=1, cols=2)
    half = (text_width // 2, text_width - text_width // 2)
    _layout_table(signatures, half, borders=False)
    (row,) = signatures.rows
    _set_row_widths(row, half)
    _keep_row_on_one_page(row)
    left, right = row.cells
    for cell, lines in (
        (
            left,
            [("", False, False), ("Người lập biểu", True, False), ("(Ký, họ tên)", False, True)],
        ),
        (
            right,
            [
                (_date_line(form), False, True),
                ("Thủ trưởng đơn vị", True, False),
                ("(Ký, họ tên, đóng dấu)", False, True),
                *[("", False, False)] * 3,
                (form.signer_name, True, False),
            ],
        ),
    ):
        first = True
        for text, bold, italic in lines:
            paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
            first = False
            _format(paragraph)
            _run(paragraph, text, 13, bold=bold, italic=italic)

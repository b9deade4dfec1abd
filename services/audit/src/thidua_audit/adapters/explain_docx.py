"""An award's causal chain as a .docx for the file: the same content as `audit explain`,
laid out as a table an inspector can print and annotate (Times New Roman, A4 landscape)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from thidua_kit.explain_text import prize_words

COLUMNS = ("Số thứ tự trong sổ", "Thời điểm", "Sự kiện", "Người thực hiện / quy tắc", "Căn cứ")


def vietnamese_date(iso: str) -> str:
    day = date.fromisoformat(iso[:10])
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def _who(step: dict[str, Any]) -> str:
    if "actor" in step:
        actor = step["actor"]
        return f"{actor['role']}: {actor['id']}"
    if "rules" in step:
        rules = step["rules"]
        return f"quy tắc {rules['id']} phiên bản {rules['version']}\nSHA-256 {rules['sha256']}"
    return "tính toán"


def _grounds(step: dict[str, Any]) -> str:
    parts = []
    cause = step.get("caused_by")
    if cause:
        parts.append(f"do #{cause['sequence']}")
    inputs = step.get("inputs") or []
    if inputs:
        parts.append("đọc " + ", ".join(f"#{i['sequence']}" for i in inputs))
    return "; ".join(parts)


def render_explanation(result: dict[str, Any], path: Path) -> Path:
    award = result["award"]
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(20))
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run("CHUỖI CĂN CỨ CỦA KHEN THƯỞNG")
    run.bold = True
    run.font.size = Pt(14)
    prize = prize_words(award, "đồng")
    doc.add_paragraph(
        f"{award['award_name']} tặng {award['recipient_name']} ({award['unit_name']}), "
        f"Quyết định số {award['decision_number']} {vietnamese_date(award['signed_on'])}, "
        f"tiền thưởng {prize}. Mã khen thưởng: {award['award_id']}."
    )
    doc.add_paragraph(
        "Mỗi dòng là một sự kiện trong sổ sự kiện, theo số thứ tự: hành vi của người có thẩm "
        "quyền, hoặc quyết định tính theo quy tắc (với mã băm của bộ quy tắc đã áp dụng)."
    )
    steps = [*result["steps"], *result.get("after", [])]
    table = doc.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, COLUMNS, strict=True):
        cell.text = text
        for paragraph in cell.paragraphs:
            for r in paragraph.runs:
                r.bold = True
    for step in steps:
        cells = table.add_row().cells
        values = (
            f"#{step['sequence']}",
            step["occurred_at"],
            step["type"],
            _who(step),
            _grounds(step),
        )
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    documents = result.get("documents", [])
    if documents:
        doc.add_paragraph("Văn bản đã đăng ký trong sổ (kiểm tra bằng mã băm SHA-256):")
        for item in documents:
            doc.add_paragraph(
                f"#{item['sequence']}: {item['file_name']} — SHA-256 {item['sha256']}",
                style="List Bullet",
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path

"""The city's reports upward, the Tờ trình to the province, the báo cáo thành tích and the
statistics forms: each view states what the facts say, renders to the same bytes twice, and
passes its format check when read back."""

from __future__ import annotations

import datetime
import io

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from openpyxl import load_workbook

from thidua_reporting.adapters.docx_admin import render_admin_document
from thidua_reporting.adapters.docx_check import check_document, check_totals, docx_text
from thidua_reporting.adapters.stats_render import (
    column_pt,
    form_grid,
    render_stats_docx,
    render_stats_xlsx,
    wrapped_lines,
)
from thidua_reporting.domain.achievement_report import (
    AchievementFacts,
    AwardLine,
    FigureLine,
    InitiativeLine,
    RatingLine,
    build_achievement_view,
)
from thidua_reporting.domain.city_report import (
    RANKING_HEADERS,
    AwardCount,
    BlockResult,
    CityReportFacts,
    Forwarded,
    RankedUnit,
    TargetResult,
    build_city_report_view,
)
from thidua_reporting.domain.council_minutes import Nominee
from thidua_reporting.domain.province_submission import (
    ProvinceSubmissionFacts,
    UpwardNominee,
    build_province_submission_view,
)
from thidua_reporting.domain.statistics import (
    AwardFact,
    MovementFact,
    StatsFacts,
    build_statistics,
)

ISSUER = ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ BẮC NINH"]
PLAN = "Kế hoạch số 95/KH-UBND ngày 10 tháng 5 năm 2022 của UBND thành phố Bắc Ninh"


def report_facts(**changes: object) -> CityReportFacts:
    facts = CityReportFacts(
        kind="tong-ket",
        issuer_lines=ISSUER,
        place="Bắc Ninh",
        number="15/BC-UBND",
        signed_on=datetime.date(2022, 12, 28),
        movement_year=2022,
        plan_ref=PLAN,
        addressee="Ủy ban nhân dân tỉnh Bắc Ninh (qua Sở Nội vụ)",
        units_total=8,
        units_registered=6,
        individuals_registered=3,
        reports_expected=6,
        reports_submitted=5,
        late_units=["Ủy ban nhân dân phường Suối Hoa"],
        missing_units=["Phòng Văn hóa và Thông tin"],
        targets=[TargetResult(name="Thu ngân sách", reported=5, committed=4, met=3)],
        blocks=[
            BlockResult(
                name="Khối các phường",
                rows=[
                    RankedUnit(name="Ủy ban nhân dân phường Đại Phúc", total="96.5", rank=1),
                    RankedUnit(name="Ủy ban nhân dân phường Vũ Ninh", total="90", rank=2),
                ],
                leader_name="Ủy ban nhân dân phường Đại Phúc",
                honoured_on=datetime.date(2022, 12, 17),
            )
        ],
        awards=[
            AwardCount(
                award_name="Giấy khen của Chủ tịch UBND thành phố", collectives=1, individuals=2
            )
        ],
        forwarded=[Forwarded(number="05/TTr-UBND", signed_on=datetime.date(2022, 12, 5), count=1)],
        typical_examples=["Mô hình “Phường văn minh đô thị” của phường Đại Phúc"],
        signer_position="chu_tich",
        signer_name="Nguyễn Minh Quang",
    )
    return facts.model_copy(update=changes)


def test_the_tong_ket_report_states_targets_rankings_examples_and_proposals() -> None:
    view = build_city_report_view(report_facts())
    assert view.number_line == "Số: 15/BC-UBND"
    assert view.summary == "Tổng kết phong trào thi đua năm 2022"
    assert view.addressee_line == "Kính gửi: Ủy ban nhân dân tỉnh Bắc Ninh (qua Sở Nội vụ)."
    assert view.right_signature.lines == ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")
    data = render_admin_document(view)
    assert data == render_admin_document(build_city_report_view(report_facts()))
    assert check_document(data, "bao-cao") == []
    text = docx_text(data)
    for expected in (
        "3/4",  # units meeting their commitment out of those with one
        "75,00",
        "96,5",
        "phường Đại Phúc dẫn đầu Khối các phường (được Khối bình xét, suy tôn ngày 17 tháng 12",
        "1 tập thể và 2 cá nhân được tặng Giấy khen",
        "Tờ trình số 05/TTr-UBND ngày 05 tháng 12 năm 2022",
        "Đơn vị chưa gửi báo cáo: Phòng Văn hóa và Thông tin.",
        "Phường văn minh đô thị",
    ):
        assert expected in text, expected
    assert text.rstrip().count("./.") >= 1


def test_a_target_no_unit_committed_to_shows_a_dash_not_zero_of_zero() -> None:
    facts = report_facts(
        targets=[
            TargetResult(name="Thu ngân sách", reported=5, committed=4, met=3),
            TargetResult(name="Trồng cây xanh", reported=2, committed=0, met=0),
        ]
    )
    tables = Document(io.BytesIO(render_admin_document(build_city_report_view(facts)))).tables
    rows = [[c.text for c in r.cells] for t in tables for r in t.rows if len(r.cells) == 5]
    assert ["2", "Trồng cây xanh", "2", "-", "-"] in rows
    assert ["1", "Thu ngân sách", "5", "3/4", "75,00"] in rows


def test_the_ranking_table_shows_the_decided_rank_and_puts_the_disqualified_last() -> None:
    """The block's ranking broke a tie on 93 points (Vũ Ninh 1, Kinh Bắc 2) and disqualified
    two offices that sent no report: the table shows that, never "1" for all of them."""
    block = BlockResult(
        name="Khối các phường",
        rows=[
            RankedUnit(name="Phòng Tư pháp", total="0", unranked_reason="Không nộp báo cáo"),
            RankedUnit(name="Ủy ban nhân dân phường Kinh Bắc", total="93.00", rank=2),
            RankedUnit(name="Ủy ban nhân dân phường Vũ Ninh", total="93.00", rank=1),
            RankedUnit(name="Phòng Y tế", total="0", unranked_reason="Không nộp báo cáo."),
        ],
        leader_name="Ủy ban nhân dân phường Vũ Ninh",
    )
    view = build_city_report_view(report_facts(kind="so-ket", blocks=[block]))
    table = next(b for b in view.body if getattr(b, "headers", None) == RANKING_HEADERS)
    assert [row.cells for row in table.rows] == [
        ("1", "Ủy ban nhân dân phường Vũ Ninh", "93,00", "1"),
        ("2", "Ủy ban nhân dân phường Kinh Bắc", "93,00", "2"),
        ("3", "Phòng Tư pháp", "0", "Không xếp hạng (Không nộp báo cáo)"),
        ("4", "Phòng Y tế", "0", "Không xếp hạng (Không nộp báo cáo)"),
    ]
    text = docx_text(render_admin_document(view))
    assert "Vũ Ninh dẫn đầu Khối các phường (xếp thứ nhất khối)" in text
    assert "cao nhất" not in text


def test_the_so_ket_report_and_a_deputy_signing() -> None:
    view = build_city_report_view(
        report_facts(kind="so-ket", signer_position="pho_chu_tich", targets=[], blocks=[])
    )
    assert view.summary == "Sơ kết 6 tháng đầu năm phong trào thi đua năm 2022"
    assert view.right_signature.lines[1:] == ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")
    data = render_admin_document(view)
    assert check_document(data, "bao-cao") == []
    assert "6 tháng cuối năm 2022" in docx_text(data)


def test_the_format_check_catches_a_report_without_its_addressee() -> None:
    view = build_city_report_view(report_facts()).model_copy(update={"addressee_line": None})
    problems = check_document(render_admin_document(view), "bao-cao")
    assert any("Kính gửi" in p for p in problems)


def test_the_submission_to_the_province() -> None:
    nominee = Nominee(
        kind="ca_nhan",
        name="Phạm Quốc Dũng",
        position="Chủ tịch Ủy ban nhân dân phường",
        unit_name="Ủy ban nhân dân phường Đại Phúc",
        award_name="Bằng khen của Chủ tịch UBND tỉnh",
        issued=9,
        returned=9,
        valid=9,
        yes_total=8,
        passed=True,
    )
    facts = ProvinceSubmissionFacts(
        issuer_lines=ISSUER,
        place="Bắc Ninh",
        number="05/TTr-UBND",
        signed_on=datetime.date(2022, 12, 5),
        addressee="UBND tỉnh Bắc Ninh (qua Sở Nội vụ)",
        movement_year=2022,
        plan_ref=PLAN,
        minutes=["Biên bản họp Hội đồng Thi đua – Khen thưởng thành phố ngày 01 tháng 12 năm 2022"],
        nominees=[UpwardNominee(nominee=nominee, members_total=9)],
    )
    view = build_province_submission_view(facts)
    assert view.addressee_line == "Kính gửi: UBND tỉnh Bắc Ninh (qua Sở Nội vụ)."
    assert view.attachment is not None
    assert view.attachment.table.rows[0].cells[2:] == ("Bằng khen", "8/9 (88,89%)")
    data = render_admin_document(view)
    assert data == render_admin_document(build_province_submission_view(facts))
    assert check_document(data, "to-trinh-tinh") == []
    text = docx_text(data)
    assert "kính trình UBND tỉnh Bắc Ninh xem xét, quyết định tặng Bằng khen" in text
    # A Tờ trình of the Phòng Nội vụ's shape (TRƯỞNG PHÒNG) is not the city's.
    assert check_document(data, "to-trinh") != []
    # Recorded before the signer was (command v1): the Chairman's block with no name under it.
    assert view.right_signature is not None
    assert view.right_signature.name == ""
    signed = build_province_submission_view(
        facts.model_copy(
            update={"signer_name": "Nguyễn Văn Bình", "signer_position": "pho_chu_tich"}
        )
    )
    assert signed.right_signature is not None
    assert signed.right_signature.name == "Nguyễn Văn Bình"
    assert "PHÓ CHỦ TỊCH" in signed.right_signature.lines
    assert check_document(render_admin_document(signed), "to-trinh-tinh") == []


def achievement(kind: str) -> AchievementFacts:
    return AchievementFacts(
        kind=kind,  # type: ignore[arg-type]
        parent_line="UBND THÀNH PHỐ BẮC NINH",
        unit_header_lines=["ỦY BAN NHÂN DÂN PHƯỜNG VŨ NINH"],
        place="Vũ Ninh",
        dated=datetime.date(2022, 12, 18),
        award_name="Giấy khen của Chủ tịch UBND thành phố",
        subject_name="Nguyễn Thị Hương" if kind == "ca_nhan" else "Ủy ban nhân dân phường Vũ Ninh",
        sex="nu",
        position="Phó Chủ tịch Ủy ban nhân dân phường",
        unit_name="Ủy ban nhân dân phường Vũ Ninh",
        headcount=42,
        women=20,
        summary="Hoàn thành xuất sắc nhiệm vụ năm 2022",
        ratings=[RatingLine(year=2022, value="HTXS", source="Tổng hợp xếp loại năm 2022")],
        initiatives=[
            InitiativeLine(title="Số hóa hồ sơ hộ tịch", level="co_so", decision="QĐ 12/QĐ-UBND")
        ],
        figures=[FigureLine(target="Thu ngân sách", committed="100", achieved="104")],
        awards=[AwardLine(year=2021, award="Lao động tiên tiến", decision="QĐ 30/QĐ-UBND")],
    )


@pytest.mark.parametrize("kind", ["ca_nhan", "tap_the"])
def test_the_achievement_report_is_prefilled_from_the_records(kind: str) -> None:
    view = build_achievement_view(achievement(kind))
    assert view.number_line is None and view.copies_lines == ()
    data = render_admin_document(view)
    assert data == render_admin_document(build_achievement_view(achievement(kind)))
    assert check_document(data, "bao-cao-thanh-tich") == []
    text = docx_text(data)
    for expected in (
        "Hoàn thành xuất sắc nhiệm vụ (Tổng hợp xếp loại năm 2022)",
        "Số hóa hồ sơ hộ tịch",
        "QĐ 30/QĐ-UBND",
        "104",
        "Vũ Ninh, ngày 18 tháng 12 năm 2022",
    ):
        assert expected in text, expected
    signer = "NGƯỜI BÁO CÁO THÀNH TÍCH" if kind == "ca_nhan" else "XÁC NHẬN CỦA CẤP"
    assert signer in text
    # What the log cannot know stays a dotted line for the nominee to complete, set flush left
    # so that justifying does not stretch the words before it.
    assert "……" in text
    blanks = [p for p in Document(io.BytesIO(data)).paragraphs if p.text.endswith("……")]
    assert blanks and all(p.alignment == WD_ALIGN_PARAGRAPH.LEFT for p in blanks)


def test_an_award_from_the_log_is_cited_with_its_decision_date() -> None:
    held = AwardLine(
        year=2022,
        award="Giấy khen của Chủ tịch UBND thành phố",
        decision="Quyết định số 01/QĐ-UBND",
        signed_on=datetime.date(2023, 1, 5),
    )
    facts = achievement("ca_nhan").model_copy(update={"awards": [held]})
    text = docx_text(render_admin_document(build_achievement_view(facts)))
    assert "Quyết định số 01/QĐ-UBND ngày 05/01/2023" in text
    assert "2023-01-05" not in text


def stats(year: int) -> StatsFacts:
    return StatsFacts(
        year=year,
        reporter="UBND thành phố Bắc Ninh",
        receiver="Sở Nội vụ tỉnh Bắc Ninh",
        place="Bắc Ninh",
        signed_on=datetime.date(year, 12, 30),
        signer_name="Nguyễn Minh Quang",
        movements=[
            MovementFact(
                period_from=datetime.date(year, 1, 1), period_to=datetime.date(year, 12, 31)
            )
        ],
        awards=[
            AwardFact(
                award_code="BK_CT_UBND_TINH",
                recipient_kind="ca_nhan",
                unit_kind="phuong",
                position="Chủ tịch Ủy ban nhân dân phường",
            ),
            AwardFact(
                award_code="BK_CT_UBND_TINH", recipient_kind="tap_the", unit_kind="doanh_nghiep"
            ),
            AwardFact(
                award_code="CSTD_TINH",
                recipient_kind="ca_nhan",
                unit_kind="truong",
                position="Giáo viên",
            ),
            AwardFact(award_code="CO_CHINH_PHU", recipient_kind="tap_the", unit_kind="phuong"),
            # The city's own forms have no column in the Ministry's forms.
            AwardFact(award_code="GK_CT_UBND_TP", recipient_kind="ca_nhan", unit_kind="phuong"),
        ],
    )


def rows_of(form: object) -> dict[str, list[str]]:
    body = form_grid(form)[3]  # type: ignore[arg-type]
    return {cells[1]: cells for cells in body if cells[1]}


def test_2022_uses_circular_03_2018_forms_0701_to_0703() -> None:
    forms = build_statistics(stats(2022))
    assert [f.code for f in forms] == ["0701.N/BNV-TĐKT", "0702.N/BNV-TĐKT", "0703.N/BNV-TĐKT"]
    movements, state, province = forms
    assert rows_of(movements)["01"][2:] == ["1", "0", "1"]
    assert rows_of(movements)["07"][2:] == ["1", "0", "1"]  # one year
    assert rows_of(movements)["11"][2:] == ["1", "0", "1"]  # regular, yearly
    assert rows_of(state)["01"][3:] == ["1", "0", "0", "0", "0", "1", "0", "0", "0"]
    assert rows_of(state)["03"][3] == "1"  # through the province's Tờ trình
    provincial = rows_of(province)
    # Bằng khen 2, CSTĐ cấp tỉnh 1; the city's Giấy khen is not counted here.
    assert provincial["01"][3:] == ["3", "2", "1", "0", "0"]
    assert provincial["02"][3:5] == ["1", "1"] and provincial["03"][3] == "1"  # enterprise
    assert provincial["09"][3] == "1" and provincial["10"][3] == "1"  # leader, teacher
    assert provincial["11"][3] == "3"  # thường xuyên


def test_later_years_use_circular_02_2023_forms_0601_to_0605() -> None:
    forms = build_statistics(stats(2024))
    assert [f.code[:4] for f in forms] == ["0601", "0602", "0603", "0604", "0605"]
    assert rows_of(forms[0])["01"][2:] == ["1", "0", "0", "1"]
    assert forms[0].receipt is not None
    assert rows_of(forms[3])["01"][3] == ""  # staff counts are not in the award events


@pytest.mark.parametrize("year", [2022, 2024])
def test_each_form_renders_as_xlsx_and_docx_that_read_back(year: int) -> None:
    for form in build_statistics(stats(year)):
        xlsx = render_stats_xlsx(form)
        assert xlsx == render_stats_xlsx(form)
        sheet = load_workbook(io.BytesIO(xlsx)).active
        assert sheet is not None
        values = [
            [("" if c is None else str(c)) for c in row]
            for row in sheet.iter_rows(values_only=True)
        ]
        assert values[0][0] == f"Biểu số: {form.code}"
        start = next(i for i, r in enumerate(values) if r[1] == "Mã số")
        table = values[start : start + 3 + len(form.rows)]
        assert [r[1] for r in table[3:]] == [r.code or "" for r in form.rows]
        assert check_totals(table) == []
        docx = render_stats_docx(form)
        assert docx == render_stats_docx(form)
        assert check_document(docx, form.slug) == [], form.code
        assert form.title in docx_text(docx)


@pytest.mark.parametrize("year", [2022, 2024])
def test_each_form_prints_one_page_wide_with_its_headings_on_every_page(year: int) -> None:
    for form in build_statistics(stats(year)):
        sheet = load_workbook(io.BytesIO(render_stats_xlsx(form))).active
        assert sheet is not None
        setup = sheet.page_setup
        assert (setup.orientation, setup.paperSize) == ("landscape", 9)  # 9: A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, form.code
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), form.code
        headings = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 2).value == "Mã số")
        assert sheet.print_title_rows == f"${headings}:${headings + 2}", form.code
        assert round(sheet.page_margins.left * 25.4) == 30, form.code


def test_a_label_that_wraps_gets_a_row_tall_enough_for_its_lines() -> None:
    state = build_statistics(stats(2022))[1]
    sheet = load_workbook(io.BytesIO(render_stats_xlsx(state))).active
    assert sheet is not None
    heights = {
        str(sheet.cell(r, 1).value): sheet.row_dimensions[r].height
        for r in range(1, sheet.max_row + 1)
    }
    long_label = "1. Chia theo đơn vị ban hành tờ trình Thủ tướng Chính phủ về khen thưởng"
    assert wrapped_lines(long_label, column_pt(48) - 4, bold=True) == 2
    assert heights[long_label] is not None and heights[long_label] >= 2 * 11 * 1.2
    assert heights["- Tập thể"] is None  # one line: the program's own height


def test_the_totals_check_catches_a_wrong_sum() -> None:
    rows = [["", "Mã số", "Tổng số", "Chia ra"], ["", "", "", "x"], ["A", "B", "1", "2"]]
    assert check_totals([*rows, ["Tổng số", "01", "3", "2"]]) != []
    assert check_totals([*rows, ["Tổng số", "01", "2", "2"]]) == []

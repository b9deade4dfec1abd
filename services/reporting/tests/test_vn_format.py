"""NĐ30/2020 number, date and money formats."""

from __future__ import annotations

import datetime
import unicodedata

import pytest

from thidua_reporting.domain.vn_format import (
    as_clause,
    format_date_words,
    format_place_date,
    format_vnd,
    nfc,
    number_line,
    spell_dates,
)


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_place_date_matches_the_decree_example() -> None:
    assert format_place_date("Bắc Ninh", datetime.date(2022, 4, 26)) == (
        "Bắc Ninh, ngày 26 tháng 4 năm 2022"
    )


def test_day_and_january_are_zero_padded() -> None:
    assert format_place_date("Bắc Ninh", datetime.date(2023, 1, 5)) == (
        "Bắc Ninh, ngày 05 tháng 01 năm 2023"
    )


@pytest.mark.parametrize(
    ("month", "expected"),
    [
        (1, "tháng 01"),
        (2, "tháng 02"),
        (3, "tháng 3"),
        (4, "tháng 4"),
        (9, "tháng 9"),
        (10, "tháng 10"),
        (12, "tháng 12"),
    ],
)
def test_only_january_and_february_are_padded(month: int, expected: str) -> None:
    words = format_date_words(datetime.date(2022, month, 15))
    assert words == f"ngày 15 {expected} năm 2022"


@pytest.mark.parametrize(("day", "expected"), [(1, "01"), (9, "09"), (10, "10"), (31, "31")])
def test_days_below_ten_are_padded(day: int, expected: str) -> None:
    assert format_date_words(datetime.date(2022, 3, day)).startswith(f"ngày {expected} tháng 3")


def test_place_date_output_is_nfc_even_from_decomposed_input() -> None:
    text = format_place_date(_nfd("Bắc Ninh"), datetime.date(2022, 6, 29))
    assert text == "Bắc Ninh, ngày 29 tháng 6 năm 2022"
    assert unicodedata.is_normalized("NFC", text)
    assert _nfd("Bắc Ninh") != "Bắc Ninh"  # the input really was decomposed


def test_place_whitespace_is_collapsed_and_empty_place_rejected() -> None:
    assert format_place_date("  Vũ   Ninh ", datetime.date(2022, 7, 1)).startswith("Vũ Ninh, ")
    with pytest.raises(ValueError, match="địa danh"):
        format_place_date("   ", datetime.date(2022, 7, 1))


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (0, "0"),
        (999, "999"),
        (1_000, "1.000"),
        (450_000, "450.000"),
        (900_000, "900.000"),
        (1_490_000, "1.490.000"),
        (1_234_567_890, "1.234.567.890"),
        (-12_000, "-12.000"),
    ],
)
def test_vnd_uses_dot_thousands_separator(amount: int, expected: str) -> None:
    assert format_vnd(amount) == expected


def test_vnd_rejects_non_integers() -> None:
    with pytest.raises(TypeError):
        format_vnd(True)
    with pytest.raises(TypeError):
        format_vnd(450000.0)  # type: ignore[arg-type]


def test_number_line() -> None:
    assert number_line("01/QĐ-UBND") == "Số: 01/QĐ-UBND"
    assert number_line("125/QĐ-UBND") == "Số: 125/QĐ-UBND"


def test_number_line_removes_spaces_inside_the_symbol() -> None:
    assert number_line(" 05 / TTr-NV ") == "Số: 05/TTr-NV"
    with pytest.raises(ValueError):
        number_line("  ")


def test_number_line_is_nfc() -> None:
    line = number_line(_nfd("01/QĐ-UBND"))
    assert line == "Số: 01/QĐ-UBND"
    assert unicodedata.is_normalized("NFC", line)


def test_nfc_composes_vietnamese() -> None:
    decomposed = _nfd("Hạnh phúc")
    assert len(nfc(decomposed)) < len(decomposed)
    assert nfc(decomposed) == "Hạnh phúc"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Kế hoạch số 245/KH-UBND ngày 26/4/2022 của UBND tỉnh Bắc Ninh",
            "Kế hoạch số 245/KH-UBND ngày 26 tháng 4 năm 2022 của UBND tỉnh Bắc Ninh",
        ),
        ("Công văn ngày 5/1/2023", "Công văn ngày 05 tháng 01 năm 2023"),
        ("Quyết định ngày 03.02.2022", "Quyết định ngày 03 tháng 02 năm 2022"),
        # Not a date after "ngày", or not a calendar date: left as typed.
        ("Nghị định số 91/2017/NĐ-CP", "Nghị định số 91/2017/NĐ-CP"),
        ("ngày 31/2/2022", "ngày 31/2/2022"),
        ("ngày 26 tháng 4 năm 2022", "ngày 26 tháng 4 năm 2022"),
    ],
)
def test_short_dates_are_spelled_in_words(text: str, expected: str) -> None:
    assert spell_dates(text) == expected


@pytest.mark.parametrize(
    ("reason", "clause"),
    [
        ("Xếp thứ 2/2 (7 phiếu) tại UBND phường", "xếp thứ 2/2 (7 phiếu) tại UBND phường"),
        ("Đồng hạng 1/2 ở ngưỡng", "đồng hạng 1/2 ở ngưỡng"),
        ("Ý kiến phản ánh pa-01 đúng", "ý kiến phản ánh pa-01 đúng"),
        ("UBND phường rút đề nghị", "UBND phường rút đề nghị"),  # an abbreviation keeps it
        ("NĐ91 Điều 9 khoản 3", "NĐ91 Điều 9 khoản 3"),
        (_nfd("Hồ sơ chưa đủ"), "hồ sơ chưa đủ"),
        ("", ""),
    ],
)
def test_a_reason_quoted_inside_a_sentence_starts_in_lower_case(reason: str, clause: str) -> None:
    assert as_clause(reason) == clause

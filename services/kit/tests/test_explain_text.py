"""The award line of `audit explain` as people read it."""

from __future__ import annotations

from thidua_kit.explain_text import prize_words


def test_a_prize_in_full_is_the_amount_alone() -> None:
    assert prize_words({"prize_vnd": 450000, "prize_deductions": []}, "đ") == "450.000 đ"
    # An award recorded before deductions were recorded has no such field.
    assert prize_words({"prize_vnd": 1490000}, "đồng") == "1.490.000 đồng"


def test_a_title_paid_the_difference_names_what_was_paid_before() -> None:
    award = {
        "prize_vnd": 1040000,
        "prize_deductions": [
            {
                "award_name": "Lao động tiên tiến",
                "decision_number": "01/QĐ-UBND",
                "prize_vnd": 450000,
            }
        ],
    }
    assert prize_words(award, "đ") == (
        "1.040.000 đ (phần chênh lệch, đã nhận 450.000 đ của danh hiệu Lao động tiên tiến "
        "(Quyết định số 01/QĐ-UBND))"
    )

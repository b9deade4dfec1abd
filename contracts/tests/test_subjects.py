"""Subjects: one per aggregate instance, keys are slugs made from Vietnamese names."""

from __future__ import annotations

import unicodedata

import pytest

from thidua_contracts.subjects import (
    CONTEXTS,
    InvalidSubjectError,
    event_subject,
    is_slug,
    slugify,
)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Phường Vũ Ninh", "phuong-vu-ninh"),
        ("Đáp Cầu", "dap-cau"),
        ("Hòa Long", "hoa-long"),
        ("Hoà Long", "hoa-long"),  # old-style tone placement
        ("Phòng Tài chính – Kế hoạch", "phong-tai-chinh-ke-hoach"),
        ("ĐẠI PHÚC", "dai-phuc"),
        ("Trường THCS Nguyễn Đăng Đạo", "truong-thcs-nguyen-dang-dao"),
        ("  Khối các phường  ", "khoi-cac-phuong"),
        ("Tổng kết năm 2022", "tong-ket-nam-2022"),
        ("Ủy ban Mặt trận Tổ quốc", "uy-ban-mat-tran-to-quoc"),
    ],
)
def test_vietnamese_names_become_ascii_slugs(name: str, slug: str) -> None:
    assert slugify(name) == slug
    assert is_slug(slugify(name))


@pytest.mark.parametrize(
    "name", ["Phường Vũ Ninh", "Đáp Cầu", "Hòa Long", "Phòng Tài chính – Kế hoạch", "Lê Thị Thu Hà"]
)
def test_nfc_and_nfd_input_give_the_same_slug(name: str) -> None:
    composed = unicodedata.normalize("NFC", name)
    decomposed = nfd(name)
    assert composed != decomposed  # the test really feeds combining marks

    assert slugify(decomposed) == slugify(composed)


def test_event_subject_joins_prefix_context_aggregate_and_keys() -> None:
    subject = event_subject(
        "thidua", "submissions", "report", "bn-2022", "phuong-vu-ninh", "tong-ket"
    )

    assert subject == "thidua.evt.submissions.report.bn-2022.phuong-vu-ninh.tong-ket"


def test_event_subject_accepts_a_slugified_name_as_key() -> None:
    subject = event_subject("thidua", "submissions", "registration", "bn-2022", slugify("Đáp Cầu"))

    assert subject == "thidua.evt.submissions.registration.bn-2022.dap-cau"


def test_event_subject_uses_the_given_prefix() -> None:
    subject = event_subject("demo20221230", "scoring", "sheet", "bn-2022")

    assert subject == "demo20221230.evt.scoring.sheet.bn-2022"


@pytest.mark.parametrize(
    "key",
    ["Vũ Ninh", "a.b", "", "A", "phuong_vu_ninh", "-abc", "abc-", "a--b", "*", ">", "vũ-ninh"],
)
def test_keys_that_are_not_slugs_are_rejected(key: str) -> None:
    with pytest.raises(InvalidSubjectError):
        event_subject("thidua", "submissions", "report", "bn-2022", key)


@pytest.mark.parametrize("aggregate", ["Report", "re.port", ""])
def test_an_aggregate_that_is_not_a_slug_is_rejected(aggregate: str) -> None:
    with pytest.raises(InvalidSubjectError):
        event_subject("thidua", "submissions", aggregate, "bn-2022")


@pytest.mark.parametrize("context", ["payments", "Submissions", "", "submissions.report", "evt"])
def test_unknown_contexts_are_rejected(context: str) -> None:
    with pytest.raises(InvalidSubjectError):
        event_subject("thidua", context, "report", "bn-2022")


@pytest.mark.parametrize("context", CONTEXTS)
def test_every_known_context_builds_a_subject(context: str) -> None:
    assert event_subject("thidua", context, "x", "bn-2022") == f"thidua.evt.{context}.x.bn-2022"


def test_invalid_subject_error_is_a_value_error() -> None:
    assert issubclass(InvalidSubjectError, ValueError)

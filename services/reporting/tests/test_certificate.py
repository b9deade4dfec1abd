"""The Giấy khen certificate: wording from the award, a one-page A4 landscape file that passes
its check, and a broken one that does not."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Mm
from hypothesis import given, settings
from hypothesis import strategies as st

from thidua_reporting.adapters.docx_certificate import _layout, render_certificate
from thidua_reporting.adapters.docx_check import check_document, docx_text
from thidua_reporting.adapters.docx_render import package_docx
from thidua_reporting.domain.certificate import (
    CertificateFacts,
    build_certificate_view,
    certificate_for,
)


def facts(**overrides: Any) -> CertificateFacts:
    fields: dict[str, Any] = {
        "issuer_lines": ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ BẮC NINH"],
        "place": "Bắc Ninh",
        "award_name": "Giấy khen của Chủ tịch Ủy ban nhân dân thành phố",
        "recipient_kind": "ca_nhan",
        "recipient_name": "Nguyễn Thị Hương",
        "recipient_position": "Phó Chủ tịch Ủy ban nhân dân phường",
        "unit_name": "Ủy ban nhân dân phường Vũ Ninh",
        "movement_year": 2022,
        "decision_number": "01/QĐ-UBND",
        "signed_on": datetime.date(2023, 1, 5),
        "signer_position_lines": ["CHỦ TỊCH"],
        "signer_name": "Nguyễn Minh Quang",
    }
    return CertificateFacts.model_validate({**fields, **overrides})


def test_wording_of_an_individual_certificate() -> None:
    view = build_certificate_view(facts())
    assert view.authority_line == "CHỦ TỊCH ỦY BAN NHÂN DÂN THÀNH PHỐ BẮC NINH"
    assert (view.confers_line, view.title) == ("TẶNG", "GIẤY KHEN")
    assert view.recipient_line == "Nguyễn Thị Hương"
    assert view.detail_lines == (
        "Phó Chủ tịch Ủy ban nhân dân phường",
        "Ủy ban nhân dân phường Vũ Ninh",
    )
    assert view.place_date_line == "Bắc Ninh, ngày 05 tháng 01 năm 2023"
    assert view.decision_line == "Quyết định số 01/QĐ-UBND ngày 05 tháng 01 năm 2023"
    assert view.achievement_line == "Đã có thành tích xuất sắc trong phong trào thi đua năm 2022."


def test_a_collective_certificate_names_only_the_collective() -> None:
    view = build_certificate_view(
        facts(
            recipient_kind="tap_the",
            recipient_name="Ủy ban nhân dân phường Đại Phúc",
            recipient_position=None,
        )
    )
    assert view.recipient_line == "Ủy ban nhân dân phường Đại Phúc"
    assert view.detail_lines == ()


@pytest.mark.parametrize(
    ("award_name", "kind"),
    [
        ("Giấy khen của Chủ tịch Ủy ban nhân dân thành phố", "giay_khen"),
        ("Chiến sĩ thi đua cơ sở", "giay_chung_nhan"),
        # NĐ91 Điều 69: paid in money only, recorded by the decision.
        ("Lao động tiên tiến", None),
        ("Tập thể lao động tiên tiến", None),
    ],
)
def test_each_award_gets_its_own_object_or_none(award_name: str, kind: str | None) -> None:
    assert certificate_for(award_name) == kind


def test_a_title_s_certificate_is_a_giay_chung_nhan_of_the_title_and_year() -> None:
    view = build_certificate_view(
        facts(award_name="Chiến sĩ thi đua cơ sở", kind="giay_chung_nhan")
    )

    assert (view.confers_line, view.title) == ("TẶNG", "GIẤY CHỨNG NHẬN")
    assert view.achievement_line == "Đạt danh hiệu “Chiến sĩ thi đua cơ sở” năm 2022."
    assert view.document_title == (
        "Giấy chứng nhận danh hiệu Chiến sĩ thi đua cơ sở tặng Nguyễn Thị Hương"
    )
    data = render_certificate(view)
    assert check_document(data, "giay-chung-nhan") == []
    # Checked as a Giấy khen, its title is missing: the two are told apart.
    assert "'GIẤY KHEN' missing (own line)" in check_document(data, "giay-khen")


@pytest.fixture(scope="module")
def rendered() -> bytes:
    return render_certificate(build_certificate_view(facts()))


def test_rendered_certificate_passes_its_check(rendered: bytes) -> None:
    assert check_document(rendered, "giay-khen") == []
    text = docx_text(rendered)
    for needle in ("GIẤY KHEN", "Nguyễn Thị Hương", "CHỦ TỊCH", "Nguyễn Minh Quang"):
        assert needle in text


def test_same_view_same_bytes(rendered: bytes) -> None:
    assert render_certificate(build_certificate_view(facts())) == rendered
    assert render_certificate(build_certificate_view(facts(recipient_name="Lê Thị Thu Hà"))) != (
        rendered
    )


def _portrait(doc: Any) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)


def _second_page(doc: Any) -> None:
    doc.add_page_break()
    doc.add_paragraph("Trang 2")


def _no_title(doc: Any) -> None:
    for paragraph in doc.paragraphs:
        if paragraph.text == "GIẤY KHEN":
            paragraph.runs[0].text = "GIẤY CHỨNG NHẬN"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_portrait, "a certificate is printed on A4 landscape (297 × 210 mm)"),
        (_second_page, "a certificate is a single page: no page breaks"),
        (_no_title, "'GIẤY KHEN' missing (own line)"),
    ],
)
def test_a_broken_certificate_fails(rendered: bytes, change: Any, expected: str) -> None:
    doc = Document(io.BytesIO(rendered))
    change(doc)
    out = io.BytesIO()
    doc.save(out)
    assert expected in check_document(out.getvalue(), "giay-khen")


def test_a_decision_is_not_a_certificate(rendered: bytes) -> None:
    assert check_document(rendered, "quyet-dinh") != []
    with pytest.raises(ValueError, match="no format check"):
        check_document(rendered, "cong-van")


# -- filled from a template, or laid out: the same bytes ---------------------------------------

# Mostly texts a template can take verbatim (Vietnamese, XML's special characters, inner spaces);
# sometimes ones it cannot (edge spaces, tabs, line breaks, control or token characters, empty).
_PLAIN = st.text(alphabet=list("aăâđêôơư ÁỆỮ&<>\"'/Z0"), min_size=1, max_size=12).map(
    lambda t: t.strip() or "A"
)
_TEXT = _PLAIN | st.text(
    alphabet=st.sampled_from(list(" \t\n\ue000\x01a")) | st.characters(), max_size=6
)


@settings(max_examples=60, deadline=None)
@given(
    name=_TEXT,
    details=st.lists(_PLAIN, max_size=3) | st.lists(_TEXT, max_size=3),
    signers=st.lists(_PLAIN, min_size=1, max_size=2),
    signed_on=st.dates(datetime.date(2020, 1, 1), datetime.date(2030, 12, 31)),
)
def test_a_certificate_filled_from_its_template_equals_one_laid_out(
    name: str, details: list[str], signers: list[str], signed_on: datetime.date
) -> None:
    view = build_certificate_view(facts()).model_copy(
        update={
            "recipient_line": name,
            "detail_lines": tuple(details),
            "signer_position_lines": tuple(signers),
            "signed_on": signed_on,
        }
    )
    try:
        expected = package_docx(_layout(view))
    except ValueError:  # a text XML cannot hold (a control character): no document either way
        with pytest.raises(ValueError):
            render_certificate(view)
        return
    assert render_certificate(view) == expected


def test_two_certificates_of_one_shape_differ_only_in_their_texts() -> None:
    first = render_certificate(build_certificate_view(facts()))
    second = render_certificate(build_certificate_view(facts(recipient_name="Trần Văn Minh")))
    assert first != second
    assert "Trần Văn Minh" in docx_text(second) and "Trần Văn Minh" not in docx_text(first)

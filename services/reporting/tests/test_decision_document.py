"""View model of the Chairman's award decision (Quyết định khen thưởng)."""

from __future__ import annotations

import ast
import datetime
import importlib.util
import unicodedata
import uuid
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from thidua_contracts.events import AwardIssued, DecisionSigned, PrizeDeduction
from thidua_contracts.movement import MovementDefinition
from thidua_reporting.domain.decision_document import (
    DecisionFacts,
    DecisionView,
    Recipient,
    build_decision_view,
)
from thidua_reporting.domain.decision_facts import decision_facts

COLLECTIVES = ["Phòng Nội vụ thành phố", "Trường Tiểu học Vũ Ninh"]
INDIVIDUALS = [
    ("Nguyễn Văn An", "Chuyên viên", "Phòng Nội vụ thành phố"),
    ("Trần Thị Bích", "Hiệu trưởng", "Trường Tiểu học Vũ Ninh"),
    ("Lê Hoàng Cường", None, "UBND phường Đại Phúc"),
]


def _recipients(n_collectives: int, n_individuals: int) -> list[Recipient]:
    collectives = [
        Recipient(kind="tap_the", name=name, position=None, unit_name=None)
        for name in COLLECTIVES[:n_collectives]
    ]
    individuals = [
        Recipient(kind="ca_nhan", name=name, position=position, unit_name=unit)
        for name, position, unit in INDIVIDUALS[:n_individuals]
    ]
    return collectives + individuals


def make_facts(n_collectives: int = 2, n_individuals: int = 3, **overrides: Any) -> DecisionFacts:
    fields: dict[str, Any] = {
        "issuer_lines": ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ BẮC NINH"],
        "parent_line": None,
        "number": "01/QĐ-UBND",
        "place": "Bắc Ninh",
        "signed_on": datetime.date(2023, 1, 5),
        "award_name": "Giấy khen của Chủ tịch Ủy ban nhân dân thành phố",
        "movement_name": "phong trào thi đua",
        "year": 2022,
        "authority_line": "CHỦ TỊCH ỦY BAN NHÂN DÂN THÀNH PHỐ BẮC NINH",
        "legal_bases": [
            "Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015",
            "Căn cứ Luật Thi đua, Khen thưởng ngày 26 tháng 11 năm 2003;",
            "Nghị định số 91/2017/NĐ-CP ngày 31 tháng 7 năm 2017 của Chính phủ.",
        ],
        "proposer": "Trưởng phòng Nội vụ thành phố tại Tờ trình số 05/TTr-NV "
        "ngày 26 tháng 12 năm 2022",
        "recipients": _recipients(n_collectives, n_individuals),
        "prize_individual_vnd": 450_000,
        "prize_collective_vnd": 900_000,
        "fund": "Quỹ thi đua, khen thưởng thành phố năm 2022",
        "signer_position_lines": ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"],
        "signer_name": "Trần Văn Bình",
        "recipients_of_copies": ["Như Điều 3;", "Chủ tịch, các PCT UBND thành phố", "Lưu: VT, NV"],
    }
    fields.update(overrides)
    return DecisionFacts(**fields)


@pytest.fixture
def view() -> DecisionView:
    return build_decision_view(make_facts())


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


def test_header_strings(view: DecisionView) -> None:
    assert view.issuer_lines == ("ỦY BAN NHÂN DÂN", "THÀNH PHỐ BẮC NINH")
    assert view.parent_line is None
    assert view.national_title == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert view.national_motto == "Độc lập - Tự do - Hạnh phúc"
    assert view.number_line == "Số: 01/QĐ-UBND"
    assert view.place_date_line == "Bắc Ninh, ngày 05 tháng 01 năm 2023"


def test_date_line_for_a_month_after_february() -> None:
    view = build_decision_view(make_facts(signed_on=datetime.date(2022, 12, 9)))
    assert view.place_date_line == "Bắc Ninh, ngày 09 tháng 12 năm 2022"
    assert "ngày 09 tháng 12 năm 2022" in view.attached_list.reference_line


def test_title_block(view: DecisionView) -> None:
    assert view.document_type == "QUYẾT ĐỊNH"
    assert view.summary == (
        "Về việc tặng Giấy khen cho các tập thể, cá nhân có thành tích xuất sắc "
        "trong phong trào thi đua năm 2022"
    )
    assert view.authority_line == "CHỦ TỊCH ỦY BAN NHÂN DÂN THÀNH PHỐ BẮC NINH"
    assert view.decides_line == "QUYẾT ĐỊNH:"


def test_legal_bases_end_with_semicolon_and_proposal_closes_with_period(
    view: DecisionView,
) -> None:
    assert view.legal_basis_lines == (
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
        "Căn cứ Luật Thi đua, Khen thưởng ngày 26 tháng 11 năm 2003;",
        "Căn cứ Nghị định số 91/2017/NĐ-CP ngày 31 tháng 7 năm 2017 của Chính phủ;",
    )
    assert view.proposal_line == (
        "Theo đề nghị của Trưởng phòng Nội vụ thành phố tại Tờ trình số 05/TTr-NV "
        "ngày 26 tháng 12 năm 2022."
    )


def test_a_short_date_in_a_legal_basis_is_spelled_in_words() -> None:
    view = build_decision_view(
        make_facts(legal_bases=["Kế hoạch số 245/KH-UBND ngày 26/4/2022 của UBND tỉnh Bắc Ninh"])
    )
    assert view.legal_basis_lines == (
        "Căn cứ Kế hoạch số 245/KH-UBND ngày 26 tháng 4 năm 2022 của UBND tỉnh Bắc Ninh;",
    )


def test_articles_follow_the_skeleton(view: DecisionView) -> None:
    assert [a.heading for a in view.articles] == ["Điều 1.", "Điều 2.", "Điều 3."]
    first, second, third = (a.text for a in view.articles)
    assert first == (
        "Tặng Giấy khen của Chủ tịch Ủy ban nhân dân thành phố cho 2 tập thể và 3 cá nhân "
        "(có danh sách kèm theo) đã có thành tích xuất sắc trong phong trào thi đua năm 2022."
    )
    assert second == (
        "Mỗi tập thể được thưởng 900.000 đồng, mỗi cá nhân được thưởng 450.000 đồng "
        "từ nguồn Quỹ thi đua, khen thưởng thành phố năm 2022."
    )
    assert third.startswith("Chánh Văn phòng HĐND và UBND thành phố, Trưởng phòng Nội vụ")
    assert third.endswith("và các tập thể, cá nhân có tên tại Điều 1 căn cứ Quyết định thi hành./.")
    assert not first.endswith("./.") and not second.endswith("./.")


def test_prize_amounts_come_from_the_facts() -> None:
    view = build_decision_view(
        make_facts(prize_individual_vnd=540_000, prize_collective_vnd=1_080_000)
    )
    assert "Mỗi tập thể được thưởng 1.080.000 đồng" in view.articles[1].text
    assert "mỗi cá nhân được thưởng 540.000 đồng" in view.articles[1].text


def test_copies_list(view: DecisionView) -> None:
    assert view.copies_heading == "Nơi nhận:"
    # The caller's own "Như Điều 3" and "Lưu" entries are not duplicated.
    assert view.copies_lines == (
        "- Như Điều 3;",
        "- Chủ tịch, các PCT UBND thành phố;",
        "- Lưu: VT, NV.",
    )


def test_signature(view: DecisionView) -> None:
    assert view.signer_position_lines == ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")
    assert view.signer_name == "Trần Văn Bình"
    sole = build_decision_view(make_facts(signer_position_lines=["Chủ tịch"]))
    assert sole.signer_position_lines == ("CHỦ TỊCH",)


def test_attached_list(view: DecisionView) -> None:
    attached = view.attached_list
    assert attached.title == "DANH SÁCH TẬP THỂ, CÁ NHÂN ĐƯỢC TẶNG GIẤY KHEN"
    assert attached.reference_line == (
        "(Kèm theo Quyết định số 01/QĐ-UBND ngày 05 tháng 01 năm 2023 "
        "của Chủ tịch UBND thành phố Bắc Ninh)"
    )
    assert attached.column_headers == (
        "STT",
        "Tên tập thể / Họ và tên, chức vụ, đơn vị công tác",
    )
    assert [g.heading for g in attached.groups] == ["I. TẬP THỂ (2)", "II. CÁ NHÂN (3)"]
    collectives, individuals = attached.groups
    assert [(r.stt, r.text) for r in collectives.rows] == [
        ("1", "Phòng Nội vụ thành phố"),
        ("2", "Trường Tiểu học Vũ Ninh"),
    ]
    assert [(r.stt, r.text) for r in individuals.rows] == [
        ("1", "Nguyễn Văn An, Chuyên viên, Phòng Nội vụ thành phố"),
        ("2", "Trần Thị Bích, Hiệu trưởng, Trường Tiểu học Vũ Ninh"),
        ("3", "Lê Hoàng Cường, UBND phường Đại Phúc"),
    ]
    assert attached.closing_line == "(Danh sách có 2 tập thể và 3 cá nhân)./."


def test_no_honorific_is_added(view: DecisionView) -> None:
    texts = [row.text for group in view.attached_list.groups for row in group.rows]
    assert not any(t.startswith(("Ông", "Bà", "Ông/Bà")) for t in texts)


def test_only_individuals() -> None:
    view = build_decision_view(make_facts(n_collectives=0, n_individuals=3))
    assert [g.heading for g in view.attached_list.groups] == ["I. CÁ NHÂN (3)"]
    assert "cho 3 cá nhân (có danh sách kèm theo)" in view.articles[0].text
    assert "tập thể" not in view.articles[0].text
    assert view.articles[1].text == (
        "Mỗi cá nhân được thưởng 450.000 đồng từ nguồn Quỹ thi đua, khen thưởng thành phố năm 2022."
    )
    assert view.articles[2].text.endswith(
        "và các cá nhân có tên tại Điều 1 căn cứ Quyết định thi hành./."
    )
    assert view.summary.startswith("Về việc tặng Giấy khen cho các cá nhân có thành tích")
    assert view.attached_list.title == "DANH SÁCH CÁ NHÂN ĐƯỢC TẶNG GIẤY KHEN"
    assert view.attached_list.closing_line == "(Danh sách có 3 cá nhân)./."


def test_only_collectives() -> None:
    view = build_decision_view(make_facts(n_collectives=2, n_individuals=0))
    assert [g.heading for g in view.attached_list.groups] == ["I. TẬP THỂ (2)"]
    assert "cho 2 tập thể (có danh sách kèm theo)" in view.articles[0].text
    assert "cá nhân" not in view.articles[0].text
    assert "cá nhân" not in view.articles[1].text
    assert view.articles[1].text.startswith("Mỗi tập thể được thưởng 900.000 đồng từ nguồn")
    assert view.attached_list.closing_line == "(Danh sách có 2 tập thể)./."


def test_without_prize_money_the_executing_article_is_dieu_2() -> None:
    view = build_decision_view(make_facts(prize_individual_vnd=None, prize_collective_vnd=None))
    assert [a.heading for a in view.articles] == ["Điều 1.", "Điều 2."]
    assert view.articles[-1].text.endswith("căn cứ Quyết định thi hành./.")
    assert view.copies_lines[0] == "- Như Điều 2;"
    assert not any("được thưởng" in a.text for a in view.articles)


def test_parent_line_and_ward_issuer() -> None:
    view = build_decision_view(
        make_facts(
            issuer_lines=["Ủy ban nhân dân", "phường Vũ Ninh"],
            parent_line="UBND thành phố Bắc Ninh",
            authority_line="CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG VŨ NINH",
            place="Vũ Ninh",
        )
    )
    assert view.issuer_lines == ("ỦY BAN NHÂN DÂN", "PHƯỜNG VŨ NINH")
    assert view.parent_line == "UBND THÀNH PHỐ BẮC NINH"
    assert view.attached_list.reference_line.endswith("của Chủ tịch UBND phường Vũ Ninh)")
    assert view.author == "UBND phường Vũ Ninh"
    assert view.place_date_line.startswith("Vũ Ninh, ngày ")


def test_metadata_for_the_renderer(view: DecisionView) -> None:
    assert view.author == "UBND thành phố Bắc Ninh"
    assert view.signed_on == datetime.date(2023, 1, 5)
    assert view.title.startswith("Quyết định số 01/QĐ-UBND về việc tặng Giấy khen")


def test_all_text_is_nfc_even_from_decomposed_facts() -> None:
    def nfd(value: Any) -> Any:
        if isinstance(value, str):
            return unicodedata.normalize("NFD", value)
        if isinstance(value, list):
            return [nfd(v) for v in value]
        if isinstance(value, Recipient):
            return Recipient(**{k: nfd(v) for k, v in value.model_dump().items()})
        return value

    reference = make_facts()
    decomposed = DecisionFacts(**{k: nfd(v) for k, v in dict(reference).items()})
    assert decomposed.signer_name != reference.signer_name  # really decomposed
    view = build_decision_view(decomposed)
    strings = _strings(view.model_dump())
    assert strings
    assert all(unicodedata.is_normalized("NFC", s) for s in strings)
    assert view == build_decision_view(reference)


@pytest.mark.parametrize(
    "overrides",
    [
        {"number": "1/QĐ-UBND"},  # numbers below 10 must be zero-padded
        {"number": "01 /QĐ-UBND x"},
        {"recipients": []},
        {"prize_individual_vnd": -1},
        {"year": 2024},  # a movement cannot postdate its decision
    ],
)
def test_invalid_facts_are_rejected(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        make_facts(**overrides)


def test_models_are_frozen(view: DecisionView) -> None:
    with pytest.raises(ValidationError):
        view.number_line = "Số: 02/QĐ-UBND"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        make_facts().number = "02/QĐ-UBND"  # type: ignore[misc]


def test_module_is_pure() -> None:
    spec = importlib.util.find_spec("thidua_reporting.domain.decision_document")
    assert spec is not None and spec.origin is not None
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    allowed = {
        "__future__",
        "datetime",
        "re",
        "typing",
        "pydantic",
        "thidua_reporting.domain.vn_format",
    }
    assert imported <= allowed, imported - allowed


# --- titles, and prizes already paid for another title of the year ---------------------------


def _award(code: str, award_name: str, prize: int, title_prize: int, **extra: Any) -> AwardIssued:
    return AwardIssued(
        award_id=str(uuid.uuid4()),
        decision_id=str(uuid.uuid4()),
        decision_number="02/QĐ-UBND",
        signed_on=datetime.date(2023, 1, 6),
        proposal_id=str(uuid.uuid4()),
        award_code=code,
        award_name=award_name,
        recipient_kind="ca_nhan",
        recipient_id=extra.pop("who", "nguyen-van-an"),
        recipient_name=extra.pop("name", "Nguyễn Văn An"),
        recipient_position="Chuyên viên",
        unit_id="phong-noi-vu",
        unit_name="Phòng Nội vụ thành phố",
        base_salary_vnd=1_490_000,
        multiplier="1.0",
        prize_vnd=prize,
        title_prize_vnd=title_prize,
        **extra,
    )


LDTT_PAID = PrizeDeduction(
    award_id=str(uuid.uuid4()),
    award_code="LDTT",
    award_name="Lao động tiên tiến",
    decision_number="01/QĐ-UBND",
    signed_on=datetime.date(2023, 1, 5),
    prize_vnd=450_000,
)


def _title_decision(awards: list[AwardIssued]) -> DecisionView:
    text = files("thidua_kit").joinpath("demo", "bn-2022.yaml").read_text(encoding="utf-8")
    definition = MovementDefinition.model_validate(yaml.safe_load(text))
    signed = DecisionSigned(
        decision_id=awards[0].decision_id,
        number="02/QĐ-UBND",
        signed_on=datetime.date(2023, 1, 6),
        signer_name="Nguyễn Minh Quang",
        signer_position_lines=["CHỦ TỊCH"],
        award_code=awards[0].award_code,
        proposal_ids=[a.proposal_id for a in awards],
    )
    return build_decision_view(decision_facts(definition, signed, awards))


def test_a_title_is_recognised_for_the_year_not_given_for_achievements() -> None:
    view = _title_decision([_award("CSTDCS", "Chiến sĩ thi đua cơ sở", 1_490_000, 1_490_000)])

    assert view.summary == "Về việc công nhận danh hiệu “Chiến sĩ thi đua cơ sở” năm 2022"
    assert view.articles[0].text == (
        "Công nhận danh hiệu “Chiến sĩ thi đua cơ sở” năm 2022 cho 1 cá nhân "
        "(có danh sách kèm theo)."
    )
    assert view.attached_list.title == (
        "DANH SÁCH CÁ NHÂN ĐƯỢC CÔNG NHẬN DANH HIỆU “CHIẾN SĨ THI ĐUA CƠ SỞ” NĂM 2022"
    )


def test_a_recipient_paid_for_a_lower_title_of_the_year_is_listed_with_the_difference() -> None:
    full = _award("CSTDCS", "Chiến sĩ thi đua cơ sở", 1_490_000, 1_490_000)
    topped = _award(
        "CSTDCS",
        "Chiến sĩ thi đua cơ sở",
        1_040_000,
        1_490_000,
        who="tran-thi-bich",
        name="Trần Thị Bích",
        prize_deductions=[LDTT_PAID],
    )

    view = _title_decision([full, topped])

    # Điều 2 states the title's own prize, and sends the exception to the list.
    assert view.articles[1].text == (
        "Mỗi cá nhân được thưởng 1.490.000 đồng từ nguồn Quỹ thi đua, khen thưởng thành phố năm "
        "2023. Cá nhân đã nhận tiền thưởng danh hiệu thi đua khác của năm 2022 chỉ được thưởng "
        "phần chênh lệch ghi tại danh sách kèm theo, theo điểm c khoản 2 Điều 66 Nghị định số "
        "91/2017/NĐ-CP."
    )
    rows = [(r.stt, r.text) for r in view.attached_list.groups[0].rows]
    assert rows == [
        ("1", "Nguyễn Văn An, Chuyên viên, Phòng Nội vụ thành phố"),
        (
            "2",
            "Trần Thị Bích, Chuyên viên, Phòng Nội vụ thành phố (đã nhận tiền thưởng danh hiệu "
            "“Lao động tiên tiến” theo Quyết định số 01/QĐ-UBND ngày 05 tháng 01 năm 2023; được "
            "thưởng phần chênh lệch 1.040.000 đồng)",
        ),
    ]


def test_a_lower_title_after_a_higher_one_says_no_further_prize() -> None:
    higher = LDTT_PAID.model_copy(
        update={
            "award_code": "CSTDCS",
            "award_name": "Chiến sĩ thi đua cơ sở",
            "prize_vnd": 1_490_000,
        }
    )
    ldtt = _award("LDTT", "Lao động tiên tiến", 0, 450_000, prize_deductions=[higher])

    view = _title_decision([ldtt])

    assert "Mỗi cá nhân được thưởng 450.000 đồng" in view.articles[1].text
    (row,) = view.attached_list.groups[0].rows
    assert row.text.endswith(
        "(đã nhận tiền thưởng danh hiệu “Chiến sĩ thi đua cơ sở” theo Quyết định số 01/QĐ-UBND "
        "ngày 05 tháng 01 năm 2023, mức thưởng không thấp hơn; không nhận thêm tiền thưởng)"
    )


def test_a_form_is_still_given_for_achievements() -> None:
    view = _title_decision(
        [
            _award(
                "GK_CT_UBND_TP",
                "Giấy khen của Chủ tịch Ủy ban nhân dân thành phố",
                450_000,
                450_000,
            )
        ]
    )
    assert view.articles[0].text.startswith(
        "Tặng Giấy khen của Chủ tịch Ủy ban nhân dân thành phố cho 1 cá nhân"
    )
    assert view.attached_list.title == "DANH SÁCH CÁ NHÂN ĐƯỢC TẶNG GIẤY KHEN"

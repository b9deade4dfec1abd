"""Plan import on the real 2022 plan, and the bundled definition covering everything it says."""

from __future__ import annotations

import re
from pathlib import Path

from thidua_kit.demo import load_definition
from thidua_submissions.adapters.plan_docx import paragraphs
from thidua_submissions.domain.plan_import import clean, read_plan

# The 2022 plan's text as received, and a .docx rebuilt from it with the standard header (its
# number and date blank: the text does not give them). Kept here so a checkout is self-contained.
SEED = Path(__file__).resolve().parent / "data"
PLAN_DOCX = SEED / "ke-hoach-thi-dua-2022-tp-bac-ninh.docx"
PLAN_TXT = SEED / "ke-hoach-thi-dua-2022-tp-bac-ninh.txt"


def test_the_2022_plan_is_read_section_by_section() -> None:
    draft = read_plan(paragraphs(PLAN_DOCX))
    assert (len(draft.purposes), len(draft.requirements)) == (3, 3)
    assert len(draft.participants) == 2
    assert len(draft.contents) == 9
    assert len(draft.targets) == 5
    assert (len(draft.criteria_collective), len(draft.criteria_individual)) == (3, 3)
    assert draft.award_forms == ["CO_CHINH_PHU", "CO_UBND_TINH", "BK_CT_UBND_TINH", "GK_CT_UBND_TP"]
    assert (draft.year, draft.period_months) == (2022, (1, 12))
    assert (draft.so_ket_month, draft.tong_ket_month) == (7, 12)
    assert draft.reports_to == "Phòng Nội vụ" and draft.report_months == [7, 12]
    assert draft.legal_basis[0].startswith("Thực hiện Kế hoạch số 245/KH-UBND ngày 26/4/2022")
    assert draft.unmapped == []


def test_the_plan_s_own_irregular_numbering_is_kept_not_repaired() -> None:
    draft = read_plan(paragraphs(PLAN_DOCX))
    # Part V has items 1, 2, 3, 5, 6: item 4 is missing in the original, and stays missing.
    assert [o.split(".", 1)[0] for o in draft.organisation] == ["1", "2", "3", "5", "6"]


def test_text_is_tidied_without_changing_words() -> None:
    draft = read_plan(paragraphs(PLAN_DOCX))
    target = draft.targets[1]
    assert "của Thủ tướng" in target  # the original has a run of spaces here
    assert "\xa0" not in " ".join(draft.organisation)  # and a no-break space there
    assert clean("Phường  Vũ\xa0Ninh ") == "Phường Vũ Ninh"


def test_what_cannot_be_placed_is_listed() -> None:
    draft = read_plan(
        [
            "KẾ HOẠCH",
            "Thi đua năm 2023",
            "I. MỤC ĐÍCH, YÊU CẦU",
            "1. Mục đích:",
            "- Một mục đích.",
            "VII. PHỤ LỤC KHÁC",
            "- Một đoạn không thuộc mục nào.",
        ]
    )
    assert draft.purposes == ["Một mục đích."]
    assert draft.unmapped == ["- Một đoạn không thuộc mục nào."]


def _plan_items() -> list[str]:
    """Every bullet and numbered provision of the plan as received (the .txt)."""
    items = []
    for raw in PLAN_TXT.read_text(encoding="utf-8").splitlines():
        line = clean(re.sub(r"\[bookmark: [^\]]*\]", "", raw))
        if re.match(r"^[-+] ", line):
            items.append(line[2:])
        elif re.match(r"^\d+\. ", line) and len(line) > 60:
            items.append(line)
    return items


def test_the_bundled_definition_says_everything_the_plan_says() -> None:
    definition = load_definition()
    said = " ".join(
        [
            *definition.purposes,
            *definition.requirements,
            *definition.participants_text,
            *definition.contents,
            *(t.name for t in definition.targets),
            *definition.criteria_collective,
            *definition.criteria_individual,
            *definition.award_provisions,
            *definition.timeline_text,
            *definition.organisation,
            definition.criteria_collective_lead,
            definition.criteria_individual_lead,
            definition.targets_preamble,
            definition.name,
            definition.plan_ref,
        ]
    )
    items = _plan_items()
    assert len(items) >= 40
    missing = [item for item in items if clean(item).rstrip(":") not in said]
    # The two sub-headings "Đối với tập thể/cá nhân" are structure, kept as the two lists.
    assert missing == ["Đối với tập thể:", "Đối với cá nhân:"]
    forms = {f.code for f in definition.award_forms}
    assert {"GK_CT_UBND_TP", "BK_CT_UBND_TINH", "CO_UBND_TINH", "CO_CHINH_PHU"} <= forms
    rounds = {r.round.value: r for r in definition.rounds}
    assert (rounds["so-ket"].opens_on.month, rounds["tong-ket"].opens_on.month) == (7, 12)
    assert (definition.period_from.isoformat(), definition.period_to.isoformat()) == (
        "2022-01-01",
        "2022-12-31",
    )
    assert "Phòng Nội vụ" in definition.reports_to

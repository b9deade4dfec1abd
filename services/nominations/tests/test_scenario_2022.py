"""A 2022 scenario whose outcomes are written from DOMAIN.md §3–4 by hand, not by the code:
each case names the law's criterion it passes or fails on."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from thidua_contracts.events import AwardProposed, BallotTallied
from thidua_nominations.adapters.rule_packs import load
from thidua_nominations.domain import ballot, eligibility

PACK, _ = load("vn-2017")
Y = 2022


def proposal(
    subject: str, award: str, kind: str = "ca_nhan", unit: str = "phuong-vu-ninh"
) -> AwardProposed:
    return AwardProposed(
        proposal_id=str(uuid.uuid4()),
        unit_id=unit,
        subject_kind=kind,  # type: ignore[arg-type]
        subject_id=subject,
        subject_name=subject,
        award_code=award,
        year=Y,
        achievement_summary="Thành tích năm 2022.",
    )


def facts(**extra: Any) -> eligibility.Facts:
    base: dict[str, Any] = {
        "registered": True,
        "report_submitted": True,
        "report_late": False,
        "score_total": "95.00",
        "score_max": "100.00",
    }
    return eligibility.Facts(**{**base, **extra})


def failing(result: Any) -> list[str]:
    return [c.code for c in result.checks if not c.passed]


def initiative(iid: str, person: str, level: str, year: int) -> eligibility.Initiative:
    return eligibility.Initiative(iid, person, level, year)


CASES: list[tuple[str, AwardProposed, eligibility.Facts, list[str]]] = [
    # LĐTT: at least HTT, no discipline from khiển trách (Luật TĐKT 2003 Điều 24).
    ("LĐTT with HTT", proposal("a", "LDTT"), facts(ratings={("a", Y): "HTT"}), []),
    ("LĐTT without a rating", proposal("a", "LDTT"), facts(), ["rating"]),
    (
        "LĐTT, reprimanded",
        proposal("a", "LDTT"),
        facts(ratings={("a", Y): "HTXS"}, discipline={("a", Y): ["khien_trach"]}),
        ["no_discipline"],
    ),
    # CSTĐCS: LĐTT the same year and an initiative recognised in the year (Điều 23).
    (
        "CSTĐCS",
        proposal("b", "CSTDCS"),
        facts(
            titles=frozenset({("b", Y, "LDTT")}), initiatives=[initiative("sk1", "b", "co_so", Y)]
        ),
        [],
    ),
    (
        "CSTĐCS, initiative of 2021",
        proposal("b", "CSTDCS"),
        facts(
            titles=frozenset({("b", Y, "LDTT")}),
            initiatives=[initiative("sk0", "b", "co_so", Y - 1)],
        ),
        ["initiatives"],
    ),
    (
        "CSTĐCS, initiative already used",
        proposal("b", "CSTDCS"),
        facts(
            titles=frozenset({("b", Y, "LDTT")}),
            initiatives=[initiative("sk1", "b", "co_so", Y)],
            used_initiatives=frozenset({"sk1"}),
        ),
        ["initiatives"],
    ),
    # CSTĐ tỉnh: 3 consecutive CSTĐCS and a provincial-scope initiative (Điều 22).
    (
        "CSTĐ tỉnh, chain whole",
        proposal("c", "CSTD_TINH"),
        facts(
            titles=frozenset({("c", y, "CSTDCS") for y in (2020, 2021, 2022)}),
            initiatives=[initiative("skt", "c", "tinh", 2021)],
        ),
        [],
    ),
    (
        "CSTĐ tỉnh, chain broken in 2021",
        proposal("c", "CSTD_TINH"),
        facts(
            titles=frozenset({("c", y, "CSTDCS") for y in (2020, 2022)}),
            initiatives=[initiative("skt", "c", "tinh", 2021)],
        ),
        ["chain"],
    ),
    # Bằng khen tỉnh (individual): 2 years HTXS and 2 initiatives in those years.
    (
        "Bằng khen tỉnh",
        proposal("d", "BK_CT_UBND_TINH"),
        facts(
            ratings={("d", 2021): "HTXS", ("d", Y): "HTXS"},
            initiatives=[initiative("s1", "d", "co_so", 2021), initiative("s2", "d", "co_so", Y)],
        ),
        [],
    ),
    (
        "Bằng khen tỉnh, 2021 only HTT",
        proposal("d", "BK_CT_UBND_TINH"),
        facts(
            ratings={("d", 2021): "HTT", ("d", Y): "HTXS"},
            initiatives=[initiative("s1", "d", "co_so", 2021), initiative("s2", "d", "co_so", Y)],
        ),
        ["ratings_consecutive"],
    ),
    # TTLĐTT: more than 50 % of members LĐTT, no member disciplined from cảnh cáo (Điều 28).
    (
        "TTLĐTT 3 of 5",
        proposal("phuong-vu-ninh", "TTLDTT", "tap_the"),
        facts(
            members=["p1", "p2", "p3", "p4", "p5"],
            headcount=5,
            titles=frozenset({("p1", Y, "LDTT"), ("p2", Y, "LDTT"), ("p3", Y, "LDTT")}),
        ),
        [],
    ),
    (
        "TTLĐTT exactly half",
        proposal("phuong-vu-ninh", "TTLDTT", "tap_the"),
        facts(
            members=["p1", "p2", "p3", "p4"],
            headcount=4,
            titles=frozenset({("p1", Y, "LDTT"), ("p2", Y, "LDTT")}),
        ),
        ["ldtt_ratio"],
    ),
    (
        "TTLĐTT, a member warned",
        proposal("phuong-vu-ninh", "TTLDTT", "tap_the"),
        facts(
            members=["p1", "p2", "p3"],
            headcount=3,
            titles=frozenset({("p1", Y, "LDTT"), ("p2", Y, "LDTT"), ("p3", Y, "LDTT")}),
            discipline={("p2", Y): ["canh_cao"]},
        ),
        ["no_discipline"],
    ),
    # Giấy khen: the plan's "hoàn thành xuất sắc" and one achievement, one form.
    ("Giấy khen", proposal("e", "GK_CT_UBND_TP"), facts(ratings={("e", Y): "HTXS"}), []),
    (
        "Giấy khen, same achievement already proposed",
        proposal("e", "GK_CT_UBND_TP"),
        facts(ratings={("e", Y): "HTXS"}, other_forms=["BK_CT_UBND_TINH"]),
        ["one_form"],
    ),
    (
        "Giấy khen, unit did not register",
        proposal("e", "GK_CT_UBND_TP"),
        facts(ratings={("e", Y): "HTXS"}, registered=False),
        ["registration"],
    ),
]


@pytest.mark.parametrize(("case", "proposed", "known", "fails"), CASES, ids=[c[0] for c in CASES])
def test_each_case_passes_or_fails_for_its_stated_reason(
    case: str, proposed: AwardProposed, known: eligibility.Facts, fails: list[str]
) -> None:
    result = eligibility.assess(proposed, known, PACK)
    assert failing(result) == fails
    assert result.eligible is (fails == [])
    for check in result.checks:  # every reason is stated in the recorded event
        assert check.detail_vi and check.detail_en and check.reference


def tally(award_proposal: AwardProposed, present: int, yes: int, members: int = 9) -> BallotTallied:
    return BallotTallied(
        proposal_id=award_proposal.proposal_id,
        session_id="hd-2022",
        session_date=date(2022, 12, 20),
        members_total=members,
        present=present,
        issued=present,
        returned=present,
        valid=present,
        yes=yes,
    )


def test_the_council_needs_90_percent_of_all_members_for_the_provincial_title() -> None:
    p = proposal("c", "CSTD_TINH")
    assert ballot.decide_outcome(tally(p, 10, 9, members=10), "CSTD_TINH", PACK).passed
    assert not ballot.decide_outcome(tally(p, 9, 8), "CSTD_TINH", PACK).passed  # 8/9 < 90 %


def test_without_quorum_nothing_passes() -> None:
    p = proposal("e", "GK_CT_UBND_TP")
    outcome = ballot.decide_outcome(tally(p, 5, 5), "GK_CT_UBND_TP", PACK)  # 5 of 9 < 2/3
    assert not outcome.passed and not outcome.quorum_met


def test_the_same_cases_under_the_2022_law_show_what_changed() -> None:
    """vn-2024 (Luật 2022, NĐ98): the same criteria decide the same cases; the prize follows the
    new base salary (2,340,000 đ: 0.3 × → 702,000 đ, rounded up to 710,000 đ)."""
    later, ref = load("vn-2024")
    for _case, proposed, known, fails in CASES:
        assert failing(eligibility.assess(proposed, known, later)) == fails
    assert later.prize("GK_CT_UBND_TP", "ca_nhan") == ("0.3", 710000)
    assert PACK.prize("GK_CT_UBND_TP", "ca_nhan") == ("0.3", 450000)
    assert ref.id == "vn-2024"
    cited = {c.reference for a in later.awards.values() for c in a.criteria}
    assert all("2003" not in reference for reference in cited)


def test_a_collective_needs_its_block_s_ballot_for_the_giay_khen() -> None:
    unit = "phuong-dai-phuc"
    p = proposal(unit, "GK_CT_UBND_TP", kind="tap_the", unit=unit)
    rated = {(unit, Y): "HTXS"}
    assert failing(eligibility.assess(p, facts(ratings=rated), PACK)) == ["block_honoured"]
    honoured = facts(ratings=rated, honoured_units=frozenset({unit}))
    assert eligibility.assess(p, honoured, PACK).eligible

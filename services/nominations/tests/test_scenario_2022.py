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
    # TTLĐTT: the collective did its duties well, more than 50 % of members LĐTT, no member
    # disciplined from cảnh cáo (Điều 28).
    (
        "TTLĐTT 3 of 5",
        proposal("phuong-vu-ninh", "TTLDTT", "tap_the"),
        facts(
            ratings={("phuong-vu-ninh", Y): "HTT"},
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
            ratings={("phuong-vu-ninh", Y): "HTT"},
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
            ratings={("phuong-vu-ninh", Y): "HTT"},
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


def _details(result: Any) -> dict[str, tuple[str, str]]:
    return {c.code: (c.detail_vi, c.detail_en) for c in result.checks}


def test_the_reasons_name_rounds_and_discipline_in_words_not_codes() -> None:
    clean = eligibility.assess(
        proposal("a", "LDTT"), facts(ratings={("a", Y): "HTT"}, report_late=True), PACK
    )
    warned = eligibility.assess(
        proposal("a", "LDTT"),
        facts(ratings={("a", Y): "HTT"}, discipline={("a", Y): ["canh_cao", "khien_trach"]}),
        PACK,
    )

    assert _details(clean)["report"] == (
        "Đã nộp báo cáo tổng kết (nộp muộn)",
        "The year-end report was submitted",
    )
    assert _details(clean)["no_discipline"] == (
        f"Không bị kỷ luật từ mức khiển trách trở lên trong năm {Y}",
        f"No discipline at reprimand or above in {Y}",
    )
    assert _details(warned)["no_discipline"] == (
        f"Có kỷ luật trong năm {Y}: cảnh cáo, khiển trách",
        f"Disciplined in {Y}: warning, reprimand",
    )
    texts = " ".join(vi for vi, _ in [*_details(clean).values(), *_details(warned).values()])
    assert "tong-ket" not in texts and "khien_trach" not in texts and "canh_cao" not in texts


def test_a_broken_chain_lists_the_missing_years_as_words_do() -> None:
    held = frozenset({("c", Y, "CSTDCS")})
    result = eligibility.assess(proposal("c", "CSTD_TINH"), facts(titles=held), PACK)

    vi, en = _details(result)["chain"]
    assert vi.endswith(f"thiếu năm {Y - 2}, {Y - 1}") and "[" not in vi
    assert en.endswith(f"missing {Y - 2}, {Y - 1}")


# --- a title and a form; a sudden or thematic act is an achievement of its own --------------
# "Không khen nhiều hình thức cho một thành tích" binds forms of commendation (Giấy khen, Bằng
# khen) for one achievement (DOMAIN §3.1); titles (danh hiệu thi đua, Luật TĐKT 2003 Điều 20)
# are another category, and a title with a form in the same year earns both (DOMAIN §3.5).

UNIT = "phuong-vu-ninh"
TWO_YEARS_HTXS: dict[str, Any] = {
    "ratings": {("d", 2021): "HTXS", ("d", Y): "HTXS"},
    "initiatives": [initiative("s1", "d", "co_so", 2021), initiative("s2", "d", "co_so", Y)],
}
LEADING_UNIT: dict[str, Any] = {
    "ratings": {(UNIT, Y): "HTXS"},
    "honoured_units": frozenset({UNIT}),
}

ONE_ACHIEVEMENT: list[tuple[str, AwardProposed, dict[str, Any], list[str], list[str]]] = [
    # (case, proposal, what else it needs, eligible already for the subject and year, fails)
    (
        "LĐTT after a Giấy khen",
        proposal("e", "LDTT"),
        {"ratings": {("e", Y): "HTXS"}},
        ["GK_CT_UBND_TP"],
        [],
    ),
    (
        "Giấy khen after an LĐTT",
        proposal("e", "GK_CT_UBND_TP"),
        {"ratings": {("e", Y): "HTXS"}},
        ["LDTT", "CSTDCS"],
        [],
    ),
    (
        "Bằng khen tỉnh after an LĐTT",
        proposal("d", "BK_CT_UBND_TINH"),
        TWO_YEARS_HTXS,
        ["LDTT"],
        [],
    ),
    (
        "Cờ tỉnh after a TTLĐTT",
        proposal(UNIT, "CO_UBND_TINH", "tap_the"),
        LEADING_UNIT,
        ["TTLDTT"],
        [],
    ),
    (
        "Cờ tỉnh after a TTLĐXS",
        proposal(UNIT, "CO_UBND_TINH", "tap_the"),
        LEADING_UNIT,
        ["TTLDXS", "GK_CT_UBND_TP"],
        [],
    ),
    (
        "Giấy khen đột xuất after the annual one",
        proposal("e", "GK_CT_UBND_TP_DOT_XUAT"),
        {},
        ["GK_CT_UBND_TP"],
        [],
    ),
    (
        "Giấy khen theo đợt after the annual one",
        proposal("e", "GK_CT_UBND_TP_THEO_DOT"),
        {},
        ["GK_CT_UBND_TP"],
        [],
    ),
    (
        "annual Giấy khen after a sudden one",
        proposal("e", "GK_CT_UBND_TP"),
        {"ratings": {("e", Y): "HTXS"}},
        ["GK_CT_UBND_TP_DOT_XUAT", "GK_CT_UBND_TP_THEO_DOT"],
        [],
    ),
    (
        "Giấy khen while Bằng khen tỉnh claims the year",
        proposal("e", "GK_CT_UBND_TP"),
        {"ratings": {("e", Y): "HTXS"}},
        ["LDTT", "BK_CT_UBND_TINH"],
        ["one_form"],
    ),
    (
        "Bằng khen tỉnh while a Giấy khen claims the year",
        proposal("d", "BK_CT_UBND_TINH"),
        TWO_YEARS_HTXS,
        ["GK_CT_UBND_TP"],
        ["one_form"],
    ),
]


@pytest.mark.parametrize(
    ("case", "proposed", "needs", "already", "fails"),
    ONE_ACHIEVEMENT,
    ids=[c[0] for c in ONE_ACHIEVEMENT],
)
@pytest.mark.parametrize("pack_id", ["vn-2017", "vn-2024"])
def test_only_another_form_for_the_same_achievement_bars_a_form(
    case: str,
    proposed: AwardProposed,
    needs: dict[str, Any],
    already: list[str],
    fails: list[str],
    pack_id: str,
) -> None:
    # Given the subject meets the award's own criteria, and other awards of the same year
    # were found eligible first
    known = facts(**needs, other_forms=already)
    # When the proposal is appraised
    result = eligibility.assess(proposed, known, load(pack_id)[0])
    # Then only a form rewarding the same achievement bars it
    assert failing(result) == fails


def test_the_one_form_reason_names_the_other_form_in_vietnamese() -> None:
    # Given a Bằng khen tỉnh claims the 2022 achievement
    known = facts(ratings={("e", Y): "HTXS"}, other_forms=["BK_CT_UBND_TINH"])
    # When a Giấy khen for the same year is appraised
    result = eligibility.assess(proposal("e", "GK_CT_UBND_TP"), known, PACK)
    # Then the reason names the form as the law does, not by its code
    check = next(c for c in result.checks if c.code == "one_form")
    assert check.detail_vi == (
        "Thành tích năm 2022 đã được đề nghị hình thức khen thưởng khác: "
        "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh"
    )


@pytest.mark.parametrize("pack_id", ["vn-2017", "vn-2024", "vn-2025"])
def test_no_title_carries_the_one_form_rule_and_every_award_is_a_title_or_a_form(
    pack_id: str,
) -> None:
    loaded = load(pack_id)[0]
    titles = {code for code, rule in loaded.awards.items() if rule.kind == "danh_hieu"}
    assert {"LDTT", "CSTDCS", "TTLDTT", "TTLDXS", "CO_UBND_TINH"} <= titles
    for code in titles:
        assert all(c.check != "one_form" for c in loaded.awards[code].criteria), code


def test_a_pack_that_gives_a_title_the_one_form_rule_is_refused() -> None:
    from pydantic import ValidationError

    ldtt = PACK.awards["LDTT"].model_dump()
    ldtt["criteria"].append({"check": "one_form", "reference": "Luật TĐKT"})
    with pytest.raises(ValidationError, match="danh hiệu"):
        type(PACK.awards["LDTT"]).model_validate(ldtt)


# --- TTLĐTT: the collective's own rating (Luật TĐKT 2003 Điều 28 khoản 1 a) ----------------
# "Hoàn thành tốt nhiệm vụ và kế hoạch được giao": read, as for a person, as the collective's
# annual rating HTT or better; 6 of 9 members LĐTT meets point c in every case below.


@pytest.mark.parametrize("pack_id", ["vn-2017", "vn-2024", "vn-2025"])
@pytest.mark.parametrize(
    ("collective_rating", "fails"),
    [("HTXS", []), ("HTT", []), ("HT", ["rating"]), ("KHT", ["rating"]), (None, ["rating"])],
)
def test_ttldtt_needs_the_collective_to_have_done_its_duties_well(
    collective_rating: str | None, fails: list[str], pack_id: str
) -> None:
    # Given a ward of 9 with 6 members LĐTT, rated as given (or not rated)
    people = [f"m{i}" for i in range(9)]
    rated = {(UNIT, Y): collective_rating} if collective_rating else {}
    known = facts(
        ratings=rated,
        members=people,
        headcount=9,
        titles=frozenset((p, Y, "LDTT") for p in people[:6]),
    )
    # When its TTLĐTT is appraised
    result = eligibility.assess(proposal(UNIT, "TTLDTT", "tap_the"), known, load(pack_id)[0])
    # Then it fails on the collective's rating alone, citing Điều 28 khoản 1 a
    assert failing(result) == fails
    check = next(c for c in result.checks if c.code == "rating")
    assert "Điều 28" in check.reference and "khoản 1 a" in check.reference


# --- LĐTT: recruited less than 10 months before the year's end (NĐ91 Điều 10) ---------------
# Counted from the recruitment to 31/12/2022; leave, maternity leave among it, is working time
# (Điều 10 khoản 4), so nothing is deducted. 01/03/2022 gives 10 whole months, 02/03 does not.


@pytest.mark.parametrize(
    ("recruited", "fails", "says"),
    [
        (date(2015, 9, 1), [], "Tuyển dụng ngày 01/09/2015: tính đến 31/12/2022 đủ 10 tháng"),
        (date(2022, 3, 1), [], "Tuyển dụng ngày 01/03/2022: tính đến 31/12/2022 đủ 10 tháng"),
        (
            date(2022, 3, 2),
            ["min_service"],
            "Tuyển dụng ngày 02/03/2022: tính đến 31/12/2022 chưa đủ 10 tháng",
        ),
        (
            date(2022, 6, 1),
            ["min_service"],
            "Tuyển dụng ngày 01/06/2022: tính đến 31/12/2022 chưa đủ 10 tháng",
        ),
        (None, [], "Chưa ghi nhận ngày tuyển dụng"),
    ],
)
def test_ldtt_is_not_considered_for_someone_recruited_less_than_10_months_before_the_year_end(
    recruited: date | None, fails: list[str], says: str
) -> None:
    # Given a person rated HTT in 2022, recruited on the given day (or with no date recorded)
    known = facts(
        ratings={("a", Y): "HTT"},
        recruited_on={"a": recruited} if recruited else {},
    )
    # When their LĐTT is appraised
    result = eligibility.assess(proposal("a", "LDTT"), known, PACK)
    # Then only a recruitment less than 10 months before 31/12/2022 bars it, and the reason
    # says which case it was
    assert failing(result) == fails
    check = next(c for c in result.checks if c.code == "min_service")
    assert check.detail_vi.startswith(says)
    assert "NĐ91 Điều 10" in check.reference


def test_maternity_leave_is_not_deducted_from_the_10_months() -> None:
    # Given a person recruited on 01/02/2022 who then took six months of maternity leave
    # (nothing about the leave reaches the criteria: it counts as working time)
    known = facts(ratings={("a", Y): "HTT"}, recruited_on={"a": date(2022, 2, 1)})
    # When their LĐTT is appraised
    result = eligibility.assess(proposal("a", "LDTT"), known, PACK)
    # Then the 11 months from recruitment count whole
    assert result.eligible


def test_cstdcs_inherits_the_10_month_rule_through_the_ldtt_it_requires() -> None:
    # Given the person recruited in June was refused LĐTT, so holds no LĐTT title in 2022
    known = facts(
        ratings={("a", Y): "HTT"},
        recruited_on={"a": date(2022, 6, 1)},
        initiatives=[initiative("sk1", "a", "co_so", Y)],
    )
    # When a CSTĐCS is asked for the same person
    result = eligibility.assess(proposal("a", "CSTDCS"), known, PACK)
    # Then it fails on the LĐTT it requires (Luật TĐKT 2003 Điều 23)
    assert failing(result) == ["title_same_year"]


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


# --- the cases the procedure adds: quota exceeded, incomplete dossier, and the 2024 law ------
# Worked out by hand from DOMAIN.md: §3.2 B (CSTĐCS ≤ 15 % of LĐTT, NĐ91 Điều 9 k3, rounded
# down as the local rule says), §3.1 (women first on equal merit), §5.2 (dossier components),
# §3.3 F (TTLĐXS: the 2022 law drops "no member warned").

# Three units, 32 officials: Vũ Ninh 14 holding LĐTT, Kinh Bắc 8, Phòng Nội vụ 10.
ROSTER = {
    "phuong-vu-ninh": [f"vn-{i:02d}" for i in range(1, 15)],
    "phuong-kinh-bac": [f"kb-{i:02d}" for i in range(1, 9)],
    "phong-noi-vu": [f"nv-{i:02d}" for i in range(1, 11)],
}
WOMEN = {"vn-03", "kb-02", "nv-05"}


def test_cstdcs_nominees_beyond_each_unit_s_quota_are_excluded_with_rank_and_quota() -> None:
    from thidua_nominations.domain import quota

    rule = PACK.awards["CSTDCS"].quota
    assert rule is not None
    basis = {unit: len(people) for unit, people in ROSTER.items()}  # all hold LĐTT
    # Expected by hand: ⌊0.15 × 14⌋ = 2, ⌊0.15 × 8⌋ = 1, ⌊0.15 × 10⌋ = 1.
    assert {u: rule.size(n) for u, n in basis.items()} == {
        "phuong-vu-ninh": 2,
        "phuong-kinh-bac": 1,
        "phong-noi-vu": 1,
    }
    ballots = [  # (person, unit, yes of 9): all ≥ 7/9, so all passed the council
        ("vn-01", "phuong-vu-ninh", 9),
        ("vn-02", "phuong-vu-ninh", 7),
        ("vn-03", "phuong-vu-ninh", 7),  # a woman: ahead of vn-02 on equal votes
        ("kb-01", "phuong-kinh-bac", 8),
        ("kb-02", "phuong-kinh-bac", 8),  # a woman: ahead of kb-01
        ("nv-01", "phong-noi-vu", 9),
    ]
    ids = {person: str(uuid.uuid5(uuid.NAMESPACE_URL, person)) for person, _u, _y in ballots}
    passed = [quota.Passed(ids[p], unit, yes, p in WOMEN, unit) for p, unit, yes in ballots]
    out = quota.apply(passed, rule, basis, "CSTDCS", "hd-2022-12-20", date(2022, 12, 20))
    named = {v: k for k, v in ids.items()}
    assert sorted((named[e.proposal_id], e.reason_code, e.rank, e.quota) for e in out) == [
        ("kb-01", "quota_exceeded", 2, 1),
        ("vn-02", "quota_exceeded", 3, 2),
    ]
    for excluded in out:  # the reason is in the recorded event, with the article
        assert "NĐ91 Điều 9 khoản 3" in excluded.detail_vi


def test_an_incomplete_dossier_is_returned_once_and_then_fails() -> None:
    from thidua_contracts.events import DossierItem
    from thidua_nominations.domain import dossier

    rule = PACK.awards["GK_CT_UBND_TP"]
    sent = [
        DossierItem(kind="to_trinh", name="Tờ trình", sha256="ab" * 32),  # no number, no date
        DossierItem(kind="bao_cao_thanh_tich", name="Báo cáo thành tích", sha256="cd" * 32),
    ]
    found = dossier.defects(sent, rule)
    # By hand from §5.2: the minutes are missing, and a Tờ trình carries its number and date.
    assert [d.kind for d in found] == ["missing:bien_ban_binh_xet", "to_trinh:number"]
    request = dossier.request(proposal("e", "GK_CT_UBND_TP"), found, rule)
    assert len(request.defects) == 2  # one request listing every defect
    still = dossier.defects(
        [*sent, DossierItem(kind="bien_ban_binh_xet", name="Biên bản", sha256="ef" * 32)], rule
    )
    check = dossier.check(still, rule)
    assert (check.code, check.passed) == ("dossier", False)
    assert "chưa ghi số, ngày văn bản" in check.detail_vi


def test_the_same_scenario_under_vn_2024_shows_what_the_2022_law_changed() -> None:
    from thidua_contracts.events import DossierItem
    from thidua_nominations.domain import dossier

    later, _ = load("vn-2024")
    members = ROSTER["phong-noi-vu"]
    warned = facts(
        ratings={("phong-noi-vu", Y): "HTXS", **{(p, Y): "HTT" for p in members}},
        members=members,
        headcount=len(members),
        titles=frozenset({*((p, Y, "LDTT") for p in members), ("nv-01", Y, "CSTDCS")}),
        discipline={("nv-07", Y): ["canh_cao"]},
    )
    unit = proposal("phong-noi-vu", "TTLDXS", kind="tap_the", unit="phong-noi-vu")
    # Luật 2003 Điều 27 k1 d: a member warned bars TTLĐXS; Luật 2022 Điều 27 has no such item.
    assert failing(eligibility.assess(unit, warned, PACK)) == ["no_discipline"]
    assert failing(eligibility.assess(unit, warned, later)) == []
    # A sudden achievement: the 2022 law's simplified procedure needs no minutes.
    two = [
        DossierItem(
            kind="to_trinh",
            name="Tờ trình",
            number="5/TTr-UBND",
            issued_on=date(2024, 3, 1),
            sha256="ab" * 32,
        ),
        DossierItem(kind="bao_cao_thanh_tich", name="Tóm tắt thành tích", sha256="cd" * 32),
    ]
    assert dossier.defects(two, later.awards["GK_CT_UBND_TP_DOT_XUAT"]) == []
    assert dossier.defects(two, PACK.awards["GK_CT_UBND_TP_DOT_XUAT"]) != []
    # Prizes follow the base salary: CSTĐCS 1.0 × 1,490,000 = 1,490,000 đ in 2022, and
    # 1.0 × 2,340,000 = 2,340,000 đ under vn-2024; the quota rule itself did not change.
    assert PACK.prize("CSTDCS", "ca_nhan")[1] == 1490000
    assert later.prize("CSTDCS", "ca_nhan")[1] == 2340000
    assert later.awards["CSTDCS"].quota == PACK.awards["CSTDCS"].quota.model_copy(  # type: ignore[union-attr]
        update={"reference": later.awards["CSTDCS"].quota.reference}  # type: ignore[union-attr]
    )

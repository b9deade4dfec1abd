"""Rule pack vn-2017: prize money (DOMAIN §3.5) and council arithmetic (DOMAIN §4)."""

from __future__ import annotations

import hashlib
from importlib.resources import files

import pytest
from pydantic import ValidationError

from thidua_nominations.adapters.rule_packs import load
from thidua_nominations.domain.rule_pack import AwardRule, Council, RulePack, Vote

# --- helpers ---------------------------------------------------------------------------------


def pack() -> RulePack:
    return load("vn-2017")[0]


def pack_with(base_salary_vnd: int, multiplier: str) -> RulePack:
    rule = AwardRule(
        name="Thử",
        reference="NĐ91 Điều 68",
        kind="hinh_thuc",
        route="decide",
        multiplier={"ca_nhan": multiplier, "tap_the": multiplier},
        vote=Vote(threshold="1/2", strict=True),
    )
    return pack().model_copy(update={"base_salary_vnd": base_salary_vnd, "awards": {"X": rule}})


# --- the shipped pack ------------------------------------------------------------------------


def test_the_shipped_pack_is_the_2017_regime_with_the_2022_base_salary() -> None:
    loaded = pack()

    assert loaded.id == "vn-2017"
    assert loaded.version == "8"
    assert loaded.base_salary_vnd == 1_490_000
    assert loaded.prize_rounding_vnd == 10_000
    assert loaded.council.quorum == "2/3"
    assert loaded.awards["GK_CT_UBND_TP"].route == "decide"


def test_rules_ref_hash_is_the_sha256_of_the_file_bytes() -> None:
    data = files("thidua_nominations").joinpath("rules", "vn-2017.yaml").read_bytes()

    _, ref = load("vn-2017")

    assert ref.sha256 == hashlib.sha256(data).hexdigest()
    assert (ref.id, ref.version) == ("vn-2017", "8")


def test_loading_an_unknown_pack_fails() -> None:
    with pytest.raises(FileNotFoundError):
        load("vn-1999")


# --- prize money -----------------------------------------------------------------------------


def test_giay_khen_prize_for_an_individual_is_447000_rounded_up_to_450000() -> None:
    assert pack().prize("GK_CT_UBND_TP", "ca_nhan") == ("0.3", 450_000)


def test_giay_khen_prize_for_a_collective_is_894000_rounded_up_to_900000() -> None:
    assert pack().prize("GK_CT_UBND_TP", "tap_the") == ("0.6", 900_000)


@pytest.mark.parametrize(
    ("base", "multiplier", "prize"),
    [
        (1_112_000, "1.0", 1_120_000),  # the central board's example (DOMAIN §3.5)
        (1_500_000, "0.3", 450_000),  # already a multiple of 10,000: unchanged
        (1_490_001, "1.0", 1_500_000),  # one đồng over still rounds up
        (1_800_000, "0.3", 540_000),
        (2_340_000, "0.6", 1_410_000),  # 1,404,000 → 1,410,000
        (1_490_000, "1.5", 2_240_000),  # 2,235,000 → 2,240,000
    ],
)
def test_prize_is_rounded_up_to_the_next_10000_dong(base: int, multiplier: str, prize: int) -> None:
    assert pack_with(base, multiplier).prize("X", "ca_nhan") == (multiplier, prize)


def test_prize_is_an_int_not_a_float() -> None:
    _, amount = pack().prize("GK_CT_UBND_TP", "ca_nhan")

    assert type(amount) is int


# --- votes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("yes", "members", "passes"),
    [
        (9, 10, True),  # 90 % ≥ 90 %
        (8, 9, False),  # 88.9 % < 90 %
        (10, 10, True),
        (18, 20, True),
        (17, 20, False),
        (27, 30, True),
        (26, 29, False),  # 89.66 %
    ],
)
def test_ninety_percent_threshold_is_compared_exactly(yes: int, members: int, passes: bool) -> None:
    assert Vote(threshold="9/10", strict=False).passes(yes, members) is passes


@pytest.mark.parametrize(
    ("yes", "members", "passes"),
    [
        (5, 10, False),  # exactly half is not more than half
        (6, 10, True),
        (5, 9, True),
        (4, 9, False),
        (1, 1, True),
        (0, 1, False),
    ],
)
def test_more_than_half_is_strict(yes: int, members: int, passes: bool) -> None:
    assert Vote(threshold="1/2", strict=True).passes(yes, members) is passes


def test_seventy_percent_non_strict_passes_at_exactly_seventy() -> None:
    vote = Vote(threshold="7/10", strict=False)

    assert vote.passes(7, 10) is True
    assert vote.passes(6, 9) is False  # 66.7 %
    assert vote.passes(13, 18) is True  # 72.2 %


def test_the_shipped_giay_khen_vote_is_more_than_half_of_all_members() -> None:
    vote = pack().awards["GK_CT_UBND_TP"].vote

    assert (vote.threshold, vote.strict) == ("1/2", True)


def test_a_threshold_that_is_not_a_fraction_is_refused() -> None:
    with pytest.raises(ValidationError):
        Vote(threshold="0.9", strict=False)


def test_a_threshold_or_multiplier_in_other_than_ascii_digits_is_refused() -> None:
    # Both are copied into decisions, whose published patterns accept 0-9 only.
    with pytest.raises(ValidationError):
        Vote(threshold="١/٢", strict=True)
    with pytest.raises(ValidationError):
        Council(quorum="٢/٣")
    with pytest.raises(ValidationError):
        pack_with(1_490_000, "٠.٣")


# --- quorum ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("members", "required"),
    [(9, 6), (10, 7), (12, 8), (3, 2), (1, 1), (7, 5), (15, 10), (16, 11)],
)
def test_quorum_of_two_thirds_rounds_up(members: int, required: int) -> None:
    assert Council(quorum="2/3").quorum_required(members) == required


def test_the_shipped_council_needs_two_thirds() -> None:
    council = pack().council

    assert council.quorum_required(9) == 6
    assert council.quorum_required(10) == 7
    assert council.quorum_required(12) == 8

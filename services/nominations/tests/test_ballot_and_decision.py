"""Council tallies and outcomes, the Chairman's decision, issued awards and eligibility."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from datetime import date
from functools import cache
from importlib.resources import files
from typing import Any

import pytest
import yaml

from thidua_contracts.commands import RecordTally, SignDecision
from thidua_contracts.envelope import Actor, Envelope, Role
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import (
    AwardIssued,
    AwardProposed,
    BallotOutcomeDecided,
    BallotTallied,
    Check,
    EligibilityAssessed,
    EventPayload,
)
from thidua_contracts.movement import MovementDefinition
from thidua_nominations.adapters.rule_packs import load
from thidua_nominations.domain import ballot, decision, eligibility, nomination
from thidua_nominations.domain.nomination import NominationState
from thidua_nominations.domain.rule_pack import RulePack, Vote

MOVEMENT = "bn-2022"
UNIT = "phuong-vu-ninh"
PROPOSAL_ID = "5b0e8f1c-2d3a-4b5c-8d9e-0f1a2b3c4d5e"
DECISION_ID = "7d1f2e3c-4b5a-4968-8776-655443322110"
AWARD_ID = "9a8b7c6d-5e4f-5a3b-8c2d-1e0f9a8b7c6d"
GK = "GK_CT_UBND_TP"
_ids = itertools.count(1)


# --- helpers ---------------------------------------------------------------------------------


@cache
def sample() -> MovementDefinition:
    text = files("thidua_kit").joinpath("demo", "bn-2022.yaml").read_text(encoding="utf-8")
    return MovementDefinition.model_validate(yaml.safe_load(text))


def pack() -> RulePack:
    return load("vn-2017")[0]


def pack_with_vote(threshold: str, strict: bool) -> RulePack:
    loaded = pack()
    rule = loaded.awards[GK].model_copy(update={"vote": Vote(threshold=threshold, strict=strict)})
    return loaded.model_copy(update={"awards": {GK: rule}})


def new_id() -> str:
    return str(uuid.UUID(int=next(_ids), version=4))


def secretary() -> Actor:
    return Actor(id="thu-ky-hoi-dong", role=Role.COUNCIL_SECRETARY, unit="phong-noi-vu")


def chairman_office() -> Actor:
    return Actor(id="van-phong-ubnd", role=Role.CHAIRMAN_OFFICE, unit="van-phong-hdnd-ubnd")


def envelope(payload: EventPayload) -> Envelope:
    return Envelope(
        event_id=new_id(),
        type=payload.TYPE,
        version=payload.VERSION,
        subject=f"thidua.evt.nominations.nomination.{MOVEMENT}.{PROPOSAL_ID}",
        movement_id=MOVEMENT,
        occurred_at="2022-12-25T09:00:00+07:00",
        actor=None,
        causation_id=None,
        correlation_id=PROPOSAL_ID,
        payload=payload.model_dump(mode="json"),
    )


def given(*events: EventPayload) -> NominationState:
    state = nomination.initial()
    for event in events:
        state = nomination.evolve(state, envelope(event), event)
    return state


def rejected(call: Callable[[], Any]) -> Rejected:
    with pytest.raises(Rejected) as info:
        call()
    return info.value


def assessed(eligible: bool = True, proposal_id: str = PROPOSAL_ID) -> EligibilityAssessed:
    return EligibilityAssessed(
        proposal_id=proposal_id,
        award_code=GK,
        subject_kind="ca_nhan",
        subject_id="nguyen-thi-huong",
        eligible=eligible,
        checks=[
            Check(
                code="registration",
                passed=eligible,
                detail_vi="…",
                detail_en="…",
                reference="DOMAIN §10.1",
            )
        ],
    )


def tally_command(**counts: Any) -> RecordTally:
    values: dict[str, Any] = {
        "members_total": 9,
        "present": 9,
        "issued": 9,
        "returned": 9,
        "valid": 9,
        "yes": 7,
        "written_yes_from_absent": 0,
        "actor": secretary(),
    }
    values.update(counts)
    return RecordTally(
        command_id=new_id(),
        movement_id=MOVEMENT,
        proposal_id=PROPOSAL_ID,
        session_id="hd-2022-12-25",
        session_date=date(2022, 12, 25),
        **values,
    )


def tally(
    members_total: int, present: int, yes: int, written_yes_from_absent: int = 0
) -> BallotTallied:
    return BallotTallied(
        proposal_id=PROPOSAL_ID,
        session_id="hd-2022-12-25",
        session_date=date(2022, 12, 25),
        members_total=members_total,
        present=present,
        issued=present,
        returned=present,
        valid=present,
        yes=yes,
        written_yes_from_absent=written_yes_from_absent,
    )


def outcome(passed: bool, proposal_id: str = PROPOSAL_ID) -> BallotOutcomeDecided:
    return ballot.decide_outcome(
        tally(9, 9, 7 if passed else 3).model_copy(update={"proposal_id": proposal_id}), GK, pack()
    )


def proposed(
    subject_id: str = "nguyen-thi-huong",
    kind: str = "ca_nhan",
    award: str = GK,
    proposal_id: str = PROPOSAL_ID,
    unit: str = UNIT,
) -> AwardProposed:
    name = {
        "nguyen-thi-huong": "Nguyễn Thị Hương",
        "tran-van-minh": "Trần Văn Minh",
        UNIT: "Ủy ban nhân dân phường Vũ Ninh",
    }[subject_id]
    return AwardProposed.model_validate(
        {
            "proposal_id": proposal_id,
            "unit_id": unit,
            "subject_kind": kind,
            "subject_id": subject_id,
            "subject_name": name,
            "award_code": award,
            "year": 2022,
            "achievement_summary": "Hoàn thành xuất sắc nhiệm vụ năm 2022.",
        }
    )


def candidate(
    passed: bool | None = True, already_awarded: bool = False, award: str = GK, **kwargs: Any
) -> decision.Candidate:
    proposal = proposed(award=award, **kwargs)
    events: list[EventPayload] = [assessed(proposal_id=proposal.proposal_id)]
    if passed is not None:
        events += [tally(9, 9, 7), outcome(passed, proposal.proposal_id)]
    return decision.Candidate(
        proposal=proposal, state=given(*events), already_awarded=already_awarded
    )


def sign_command(
    proposal_ids: list[str], position: str = "chu_tich", actor: Actor | None = None
) -> SignDecision:
    return SignDecision.model_validate(
        {
            "command_id": new_id(),
            "actor": actor or chairman_office(),
            "movement_id": MOVEMENT,
            "decision_id": DECISION_ID,
            "number": "123/QĐ-UBND",
            "signed_on": "2022-12-28",
            "signer_name": "Nguyễn Văn Phong",
            "signer_position": position,
            "proposal_ids": proposal_ids,
        }
    )


def sign(candidates: list[decision.Candidate], **kwargs: Any) -> EventPayload:
    command = sign_command([c.proposal.proposal_id for c in candidates], **kwargs)
    return decision.decide_sign(command, candidates, number_taken=False, pack=pack())


def facts(registered: bool = True, report: bool = True, sheet: bool = True) -> eligibility.Facts:
    return eligibility.Facts(
        registered=registered,
        report_submitted=report,
        report_late=False,
        score_total="92.50" if sheet else None,
        score_max="100.00" if sheet else None,
        # The plan's criterion for the Giấy khen: tasks completed excellently in the year.
        ratings={("nguyen-thi-huong", 2022): "HTXS", (UNIT, 2022): "HTXS"},
    )


# --- tally -----------------------------------------------------------------------------------


def test_a_tally_for_an_eligible_proposal_is_recorded_as_given() -> None:
    command = tally_command(
        present=8, issued=8, returned=8, valid=7, yes=6, written_yes_from_absent=1
    )

    event = ballot.decide_tally(command, given(assessed()))

    assert event == BallotTallied(
        proposal_id=PROPOSAL_ID,
        session_id="hd-2022-12-25",
        session_date=date(2022, 12, 25),
        members_total=9,
        present=8,
        issued=8,
        returned=8,
        valid=7,
        yes=6,
        written_yes_from_absent=1,
    )


def test_a_tally_before_appraisal_is_rejected() -> None:
    error = rejected(lambda: ballot.decide_tally(tally_command(), given()))

    assert error.code == ErrorCode.WRONG_STATE
    assert error.field == "proposal_id"


def test_a_tally_for_a_proposal_appraised_ineligible_is_rejected() -> None:
    error = rejected(lambda: ballot.decide_tally(tally_command(), given(assessed(eligible=False))))

    assert error.code == ErrorCode.WRONG_STATE
    assert error.field == "proposal_id"


def test_a_tally_for_a_proposal_that_already_passed_is_rejected() -> None:
    state = given(assessed(), tally(9, 9, 7), outcome(passed=True))
    assert state.status == "COUNCIL_VOTED_PASS"

    error = rejected(lambda: ballot.decide_tally(tally_command(), state))

    assert error.code == ErrorCode.WRONG_STATE
    assert error.field == "proposal_id"


def test_a_proposal_that_failed_may_be_voted_on_again() -> None:
    state = given(assessed(), tally(9, 9, 3), outcome(passed=False))
    assert state.status == "COUNCIL_VOTED_FAIL"

    event = ballot.decide_tally(tally_command(yes=8), state)

    assert event.yes == 8


@pytest.mark.parametrize(
    "role", [Role.UNIT_CLERK, Role.PHONG_NOI_VU, Role.CHAIRMAN_OFFICE, Role.SYSTEM]
)
def test_only_the_council_secretary_records_a_tally(role: Role) -> None:
    command = tally_command(actor=Actor(id="nguoi-dung", role=role))

    error = rejected(lambda: ballot.decide_tally(command, given(assessed())))

    assert error.code == ErrorCode.FORBIDDEN
    assert error.field == "actor.role"


@pytest.mark.parametrize(
    ("counts", "field"),
    [
        ({"members_total": 9, "present": 10, "issued": 9}, "present"),
        ({"present": 8, "issued": 9}, "issued"),
        ({"issued": 8, "returned": 9, "valid": 8, "yes": 7}, "returned"),
        ({"returned": 8, "valid": 9}, "valid"),
        ({"valid": 6, "yes": 7}, "yes"),
        (
            {
                "present": 7,
                "issued": 7,
                "returned": 7,
                "valid": 7,
                "yes": 5,
                "written_yes_from_absent": 3,
            },
            "written_yes_from_absent",
        ),
    ],
    ids=[
        "present>members",
        "issued>present",
        "returned>issued",
        "valid>returned",
        "yes>valid",
        "written>absent",
    ],
)
def test_inconsistent_counts_are_rejected_naming_the_field(
    counts: dict[str, int], field: str
) -> None:
    command = tally_command(**counts)

    error = rejected(lambda: ballot.decide_tally(command, given(assessed())))

    assert error.code == ErrorCode.INCONSISTENT_TALLY
    assert error.field == field


def test_counts_at_their_limits_are_consistent() -> None:
    command = tally_command(
        present=6, issued=6, returned=6, valid=6, yes=6, written_yes_from_absent=3
    )

    assert ballot.decide_tally(command, given(assessed())).written_yes_from_absent == 3


# --- outcome ---------------------------------------------------------------------------------


def test_without_quorum_the_ballot_fails_even_if_everyone_present_votes_yes() -> None:
    result = ballot.decide_outcome(tally(9, present=5, yes=5), GK, pack())

    assert result.quorum_required == 6
    assert result.quorum_met is False
    assert result.passed is False
    assert "quorum" in result.reason_en.lower()
    assert "5/9" in result.reason_en
    assert "6" in result.reason_en
    assert "Không đủ" in result.reason_vi


def test_without_quorum_written_votes_do_not_rescue_the_ballot() -> None:
    result = ballot.decide_outcome(
        tally(9, present=5, yes=5, written_yes_from_absent=4), GK, pack()
    )

    assert result.yes_total == 9
    assert result.quorum_met is False
    assert result.passed is False
    assert "quorum" in result.reason_en.lower()


def test_five_of_nine_passes_more_than_half() -> None:
    result = ballot.decide_outcome(tally(9, present=6, yes=5), GK, pack())

    assert result.quorum_met is True
    assert result.yes_total == 5
    assert result.passed is True
    assert (result.threshold, result.threshold_strict) == ("1/2", True)
    assert result.reason_en.startswith("Passed")
    assert result.reason_vi.startswith("Đạt")


def test_four_of_nine_fails_more_than_half() -> None:
    result = ballot.decide_outcome(tally(9, present=9, yes=4), GK, pack())

    assert result.quorum_met is True
    assert result.passed is False
    assert result.reason_en.startswith("Failed")
    assert result.reason_vi.startswith("Không đạt")


def test_exactly_half_fails_a_strict_majority() -> None:
    result = ballot.decide_outcome(tally(10, present=10, yes=5), GK, pack())

    assert result.passed is False


def test_the_share_is_counted_on_all_members_not_on_those_present() -> None:
    # 4 of the 6 present say yes (67 % of those present) but 4/9 of all members is not > 1/2.
    result = ballot.decide_outcome(tally(9, present=6, yes=4), GK, pack())

    assert result.quorum_met is True
    assert result.passed is False


def test_written_votes_of_absent_members_count_toward_yes() -> None:
    result = ballot.decide_outcome(
        tally(9, present=6, yes=3, written_yes_from_absent=2), GK, pack()
    )

    assert result.yes_total == 5
    assert result.passed is True


def test_outcome_copies_the_session_and_counts() -> None:
    result = ballot.decide_outcome(tally(12, present=8, yes=7), GK, pack())

    assert result.proposal_id == PROPOSAL_ID
    assert result.session_id == "hd-2022-12-25"
    assert (result.members_total, result.present, result.quorum_required) == (12, 8, 8)
    assert result.quorum_met is True


@pytest.mark.parametrize(
    ("members", "present", "yes", "passed"),
    [(10, 10, 9, True), (9, 9, 8, False), (10, 7, 9, True)],
)
def test_ninety_percent_rule_is_applied_exactly(
    members: int, present: int, yes: int, passed: bool
) -> None:
    absent_yes = max(0, yes - present)
    result = ballot.decide_outcome(
        tally(members, present=present, yes=yes - absent_yes, written_yes_from_absent=absent_yes),
        GK,
        pack_with_vote("9/10", strict=False),
    )

    assert result.passed is passed
    assert result.threshold == "9/10"
    assert result.threshold_strict is False


# --- decision --------------------------------------------------------------------------------


def test_the_chairman_signs_a_decision_for_passed_proposals() -> None:
    first = candidate(proposal_id="11111111-1111-4111-8111-111111111111")
    second = candidate(
        proposal_id="22222222-2222-4222-8222-222222222222", subject_id="tran-van-minh"
    )

    event = sign([first, second])

    assert event.model_dump() == {
        "decision_id": DECISION_ID,
        "number": "123/QĐ-UBND",
        "signed_on": date(2022, 12, 28),
        "signer_name": "Nguyễn Văn Phong",
        "signer_position_lines": ["CHỦ TỊCH"],
        "award_code": GK,
        "proposal_ids": [
            "11111111-1111-4111-8111-111111111111",
            "22222222-2222-4222-8222-222222222222",
        ],
    }


@pytest.mark.parametrize(
    ("position", "lines"),
    [("chu_tich", ["CHỦ TỊCH"]), ("pho_chu_tich", ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"])],
)
def test_signer_position_lines_follow_who_signs(position: str, lines: list[str]) -> None:
    event = sign([candidate()], position=position)

    assert event.model_dump()["signer_position_lines"] == lines


def test_a_decision_number_already_used_is_rejected() -> None:
    command = sign_command([PROPOSAL_ID])

    error = rejected(
        lambda: decision.decide_sign(command, [candidate()], number_taken=True, pack=pack())
    )

    assert error.code == ErrorCode.DECISION_NUMBER_TAKEN
    assert error.field == "number"


@pytest.mark.parametrize("passed", [False, None], ids=["failed-the-vote", "not-voted-yet"])
def test_a_proposal_that_has_not_passed_the_council_cannot_be_decided(passed: bool | None) -> None:
    ok = candidate(proposal_id="11111111-1111-4111-8111-111111111111")
    not_passed = candidate(
        passed=passed,
        proposal_id="22222222-2222-4222-8222-222222222222",
        subject_id="tran-van-minh",
    )

    error = rejected(lambda: sign([ok, not_passed]))

    assert error.code == ErrorCode.WRONG_STATE
    assert error.field == "proposal_ids.1"


def test_one_decision_covers_one_award_form() -> None:
    giay_khen = candidate(proposal_id="11111111-1111-4111-8111-111111111111")
    bang_khen = candidate(
        award="BK_CT_UBND_TINH",
        proposal_id="22222222-2222-4222-8222-222222222222",
        subject_id="tran-van-minh",
    )

    error = rejected(lambda: sign([giay_khen, bang_khen]))

    assert error.code == ErrorCode.INVALID_FIELD
    assert error.field == "proposal_ids"


def test_an_award_decided_by_a_higher_level_cannot_be_signed_by_the_city() -> None:
    error = rejected(lambda: sign([candidate(award="BK_CT_UBND_TINH")]))

    assert error.code == ErrorCode.WRONG_STATE
    assert error.field == "proposal_ids"


def test_an_already_awarded_proposal_cannot_be_decided_again() -> None:
    error = rejected(lambda: sign([candidate(already_awarded=True)]))

    assert error.code == ErrorCode.WRONG_STATE
    assert error.field == "proposal_ids.0"


def test_a_proposal_listed_twice_is_rejected() -> None:
    command = sign_command([PROPOSAL_ID, PROPOSAL_ID])

    error = rejected(
        lambda: decision.decide_sign(command, [candidate()], number_taken=False, pack=pack())
    )

    assert error.code == ErrorCode.INVALID_FIELD
    assert error.field == "proposal_ids"


@pytest.mark.parametrize("role", [Role.COUNCIL_SECRETARY, Role.PHONG_NOI_VU, Role.UNIT_CLERK])
def test_only_the_chairmans_office_signs_decisions(role: Role) -> None:
    error = rejected(lambda: sign([candidate()], actor=Actor(id="nguoi-dung", role=role)))

    assert error.code == ErrorCode.FORBIDDEN
    assert error.field == "actor.role"


# --- issued awards ---------------------------------------------------------------------------


def signed(proposal_ids: list[str]) -> Any:
    candidates = [candidate(proposal_id=p) for p in proposal_ids]
    return decision.decide_sign(
        sign_command(proposal_ids, position="pho_chu_tich"),
        candidates,
        number_taken=False,
        pack=pack(),
    )


def test_an_award_to_a_person_carries_450000_dong_and_the_persons_details() -> None:
    decided = signed([PROPOSAL_ID])

    award = decision.issue_award(AWARD_ID, decided, proposed(), sample(), pack())

    assert award.model_dump() == {
        "award_id": AWARD_ID,
        "decision_id": DECISION_ID,
        "decision_number": "123/QĐ-UBND",
        "signed_on": date(2022, 12, 28),
        "proposal_id": PROPOSAL_ID,
        "award_code": GK,
        "award_name": "Giấy khen của Chủ tịch Ủy ban nhân dân thành phố",
        "recipient_kind": "ca_nhan",
        "recipient_id": "nguyen-thi-huong",
        "recipient_name": "Nguyễn Thị Hương",
        "recipient_position": "Phó Chủ tịch Ủy ban nhân dân phường",
        "unit_id": UNIT,
        "unit_name": "Ủy ban nhân dân phường Vũ Ninh",
        "base_salary_vnd": 1_490_000,
        "multiplier": "0.3",
        "prize_vnd": 450_000,
        "title_prize_vnd": 450_000,
        "prize_deductions": [],
    }


def test_an_award_to_a_collective_carries_900000_dong_and_no_position() -> None:
    decided = signed([PROPOSAL_ID])
    collective = proposed(subject_id=UNIT, kind="tap_the")

    award = decision.issue_award(AWARD_ID, decided, collective, sample(), pack())

    assert award.prize_vnd == 900_000
    assert award.multiplier == "0.6"
    assert award.recipient_kind == "tap_the"
    assert award.recipient_id == UNIT
    assert award.recipient_name == "Ủy ban nhân dân phường Vũ Ninh"
    assert award.recipient_position is None
    assert (award.unit_id, award.unit_name) == (UNIT, "Ủy ban nhân dân phường Vũ Ninh")


def held_award(award: str, prize: int, number: str = "01/QĐ-UBND") -> AwardIssued:
    """An award the same person was issued earlier, as the log recorded it."""
    return decision.award_for(
        new_id(), new_id(), number, date(2022, 12, 28), proposed(award=award), sample(), pack()
    ).model_copy(update={"prize_vnd": prize})


def test_cstdcs_after_a_paid_ldtt_of_the_same_year_pays_only_the_difference() -> None:
    # NĐ91 Điều 66 k2 c: several titles at one time earn the highest title prize only.
    # CSTĐCS 1.0 × 1,490,000 = 1,490,000 đ; LĐTT 0.3 × 1,490,000 = 447,000 → 450,000 đ paid.
    ldtt = held_award("LDTT", 450_000)

    award = decision.issue_award(
        AWARD_ID, signed([PROPOSAL_ID]), proposed(award="CSTDCS"), sample(), pack(), [ldtt]
    )

    assert (award.title_prize_vnd, award.prize_vnd) == (1_490_000, 1_040_000)
    assert [
        (d.award_id, d.award_code, d.decision_number, d.prize_vnd) for d in award.prize_deductions
    ] == [(ldtt.award_id, "LDTT", "01/QĐ-UBND", 450_000)]
    assert award.prize_deductions[0].award_name == "Lao động tiên tiến"


def test_a_lower_title_after_a_higher_one_of_the_same_year_pays_nothing() -> None:
    cstdcs = held_award("CSTDCS", 1_490_000)

    award = decision.issue_award(
        AWARD_ID, signed([PROPOSAL_ID]), proposed(award="LDTT"), sample(), pack(), [cstdcs]
    )

    assert (award.title_prize_vnd, award.prize_vnd) == (450_000, 0)
    assert [d.award_code for d in award.prize_deductions] == ["CSTDCS"]


def test_a_form_and_a_title_of_the_same_year_are_both_paid_in_full() -> None:
    ldtt, form = held_award("LDTT", 450_000), held_award(GK, 450_000, "02/QĐ-UBND")

    giay_khen = decision.issue_award(
        AWARD_ID, signed([PROPOSAL_ID]), proposed(), sample(), pack(), [ldtt]
    )
    cstdcs = decision.issue_award(
        AWARD_ID, signed([PROPOSAL_ID]), proposed(award="CSTDCS"), sample(), pack(), [form]
    )

    assert (giay_khen.prize_vnd, giay_khen.prize_deductions) == (450_000, [])
    assert (cstdcs.prize_vnd, cstdcs.prize_deductions) == (1_490_000, [])


def test_a_regime_without_the_highest_title_rule_pays_every_title() -> None:
    ldtt = held_award("LDTT", 450_000)
    without = pack().model_copy(update={"highest_title_prize_only": None})

    award = decision.issue_award(
        AWARD_ID, signed([PROPOSAL_ID]), proposed(award="CSTDCS"), sample(), without, [ldtt]
    )

    assert (award.prize_vnd, award.prize_deductions) == (1_490_000, [])


# --- eligibility -----------------------------------------------------------------------------


def checks_of(result: EligibilityAssessed) -> dict[str, bool]:
    return {c.code: c.passed for c in result.checks}


def test_a_proposal_from_a_registered_reported_and_scored_unit_is_eligible() -> None:
    result = eligibility.assess(proposed(), facts(), pack())

    assert result.eligible is True
    assert checks_of(result) == {
        "authority": True,
        "registration": True,
        "report": True,
        "score-sheet": True,
        "rating": True,
        "no_discipline": True,
        "one_form": True,
    }
    assert (result.proposal_id, result.award_code) == (PROPOSAL_ID, GK)
    assert (result.subject_kind, result.subject_id) == ("ca_nhan", "nguyen-thi-huong")
    sheet = next(c for c in result.checks if c.code == "score-sheet")
    assert "92.50/100.00" in sheet.detail_vi


@pytest.mark.parametrize(
    ("missing", "code"),
    [
        ({"registered": False}, "registration"),
        ({"report": False}, "report"),
        ({"sheet": False}, "score-sheet"),
    ],
)
def test_a_missing_prerequisite_makes_the_proposal_ineligible(
    missing: dict[str, bool], code: str
) -> None:
    result = eligibility.assess(proposed(), facts(**missing), pack())

    assert result.eligible is False
    checks = checks_of(result)
    assert checks[code] is False
    assert [c for c, ok in checks.items() if not ok] == [code]


def test_every_check_cites_a_reference_and_explains_itself_in_both_languages() -> None:
    result = eligibility.assess(proposed(), facts(registered=False, sheet=False), pack())

    for check in result.checks:
        assert check.reference
        assert check.detail_vi
        assert check.detail_en


def test_an_award_form_outside_the_rule_pack_is_ineligible() -> None:
    result = eligibility.assess(proposed(award="HUAN_CHUONG_LAO_DONG"), facts(), pack())

    assert result.eligible is False
    assert checks_of(result) == {"award-in-pack": False}

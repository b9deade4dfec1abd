"""Proposals upward and the answers that come back; revocation and the chains it breaks."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from thidua_contracts.commands import ForwardProposals, RecordHigherAnswer, RevokeAward
from thidua_contracts.envelope import Actor, Role
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import (
    AwardIssued,
    AwardProposed,
    BallotOutcomeDecided,
    EligibilityAssessed,
)
from thidua_nominations.adapters.rule_packs import load
from thidua_nominations.domain import decision, eligibility, nomination, revocation, upward

PACK, _ = load("vn-2017")
OFFICE = Actor(id="vp", role=Role.CHAIRMAN_OFFICE)


def cmd(cls: type[Any], actor: Actor = OFFICE, **fields: Any) -> Any:
    return cls(command_id=str(uuid.uuid4()), actor=actor, movement_id="bn-2022", **fields)


def candidate(award: str, passed: bool = True) -> decision.Candidate:
    pid = str(uuid.uuid4())
    proposal = AwardProposed(
        proposal_id=pid,
        unit_id="phuong-vu-ninh",
        subject_kind="ca_nhan",
        subject_id="nguyen-thi-huong",
        subject_name="Nguyễn Thị Hương",
        award_code=award,
        year=2022,
        achievement_summary="x",
    )
    eligible = EligibilityAssessed(
        proposal_id=pid,
        award_code=award,
        subject_kind="ca_nhan",
        subject_id="nguyen-thi-huong",
        eligible=True,
        checks=[],
    )
    outcome = BallotOutcomeDecided(
        proposal_id=pid,
        session_id="hd",
        members_total=9,
        present=9,
        quorum_required=6,
        quorum_met=True,
        yes_total=9 if passed else 3,
        threshold="1/2",
        threshold_strict=True,
        passed=passed,
        reason_vi="x",
        reason_en="x",
    )
    state = nomination.NominationState(eligibility=eligible, outcome=outcome)
    return decision.Candidate(proposal=proposal, state=state, already_awarded=False)


def rejected(call: Any) -> Rejected:
    with pytest.raises(Rejected) as caught:
        call()
    return caught.value


def forward(
    *candidates: decision.Candidate,
    forwarded: frozenset[str] = frozenset(),
    addressee: str = "UBND tỉnh Bắc Ninh (qua Sở Nội vụ)",
    province: str | None = "tỉnh Bắc Ninh",
    **signer: Any,
) -> Any:
    command = cmd(
        ForwardProposals,
        submission_id=str(uuid.uuid4()),
        number="05/TTr-UBND",
        signed_on=date(2022, 12, 5),
        addressee=addressee,
        proposal_ids=[c.proposal.proposal_id for c in candidates],
        **signer,
    )
    return upward.decide_forward(command, list(candidates), set(forwarded), PACK, province)


CITY = ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ BẮC NINH"]
AUTHORITIES = [
    "Chủ tịch UBND thành phố Bắc Ninh",
    "Thủ tướng Chính phủ",
    "Chủ tịch UBND tỉnh Bắc Ninh",
    "UBND tỉnh Bắc Ninh",
]


def test_the_province_a_city_proposes_to_is_read_from_the_provincial_forms() -> None:
    assert upward.province_of(AUTHORITIES, CITY) == "tỉnh Bắc Ninh"
    # The province's own movement: its proposals go to the centre, not to itself.
    assert upward.province_of(AUTHORITIES, ["ỦY BAN NHÂN DÂN", "TỈNH BẮC NINH"]) is None
    assert upward.province_of(AUTHORITIES[:2], CITY) is None  # no provincial form named
    qualified = [
        "UBND tỉnh Bắc Ninh (qua Sở Nội vụ)",
        "Chủ tịch UBND tỉnh Bà Rịa - Vũng Tàu, năm 2022",
    ]
    assert upward.province_of(qualified[:1], CITY) == "tỉnh Bắc Ninh"
    assert upward.province_of(qualified[1:], CITY) == "tỉnh Bà Rịa - Vũng Tàu"


def test_the_to_trinh_upward_goes_to_the_province_and_nowhere_else() -> None:
    bk = candidate("BK_CT_UBND_TINH")
    for fine in (
        "UBND tỉnh Bắc Ninh (qua Sở Nội vụ)",
        "Ủy ban nhân dân Tỉnh Bắc Ninh",
        "Chủ tịch UBND  tỉnh Bắc Ninh",
    ):
        assert forward(bk, addressee=fine).addressee == fine
    for wrong in ("Thủ tướng Chính phủ", "UBND tỉnh Bắc Giang", "Sở Nội vụ"):
        refused = rejected(lambda wrong=wrong: forward(bk, addressee=wrong))
        assert (refused.code, refused.field) == (ErrorCode.INVALID_FIELD, "addressee"), wrong
        assert "UBND tỉnh Bắc Ninh" in (refused.detail or "")
    # A movement naming no province leaves the addressee to the clerk.
    assert forward(bk, addressee="Thủ tướng Chính phủ", province=None).addressee


def test_the_to_trinh_upward_records_who_signs_it_and_a_v1_command_still_goes() -> None:
    bk = candidate("BK_CT_UBND_TINH")
    signed = forward(bk, signer_name="Nguyễn Minh Quang", signer_position="pho_chu_tich")
    assert (signed.signer_name, signed.signer_position) == ("Nguyễn Minh Quang", "pho_chu_tich")
    unsigned = forward(bk)  # a v1 command: no signer, the Chairman's block, no name printed
    assert (unsigned.signer_name, unsigned.signer_position) == (None, "chu_tich")


def test_only_higher_forms_that_passed_the_council_go_upward_once() -> None:
    bk = candidate("BK_CT_UBND_TINH")
    sent = forward(bk)
    assert sent.proposal_ids == [bk.proposal.proposal_id]
    assert rejected(lambda: forward(candidate("GK_CT_UBND_TP"))).code == ErrorCode.WRONG_STATE
    assert rejected(lambda: forward(candidate("BK_CT_UBND_TINH", passed=False))).code == (
        ErrorCode.WRONG_STATE
    )
    again = rejected(lambda: forward(bk, forwarded=frozenset({bk.proposal.proposal_id})))
    assert (again.code, again.detail) == (ErrorCode.WRONG_STATE, "already forwarded")


def test_the_answer_is_recorded_once_and_a_rejection_states_its_reason() -> None:
    sid, pid = str(uuid.uuid4()), str(uuid.uuid4())

    def answer(outcome: str, reason: str = "", answered: bool = False, ids: Any = (pid,)) -> Any:
        command = cmd(
            RecordHigherAnswer,
            submission_id=sid,
            proposal_id=pid,
            outcome=outcome,
            decision_ref="QĐ 2150/QĐ-UBND ngày 28/12/2022",
            decided_on=date(2022, 12, 28),
            issuer="Chủ tịch UBND tỉnh Bắc Ninh",
            reason=reason,
        )
        return upward.decide_answer(command, list(ids) if ids is not None else None, answered)

    assert answer("decided").outcome == "decided"
    assert rejected(lambda: answer("rejected")).field == "reason"
    assert rejected(lambda: answer("decided", answered=True)).code == ErrorCode.WRONG_STATE
    assert rejected(lambda: answer("decided", ids=None)).field == "submission_id"


def issued(code: str, award_id: str | None = None) -> AwardIssued:
    return AwardIssued(
        award_id=award_id or str(uuid.uuid4()),
        decision_id=str(uuid.uuid4()),
        decision_number="01/QĐ-UBND",
        signed_on=date(2023, 1, 5),
        proposal_id=str(uuid.uuid4()),
        award_code=code,
        award_name="x",
        recipient_kind="ca_nhan",
        recipient_id="nguyen-thi-huong",
        recipient_name="Nguyễn Thị Hương",
        recipient_position=None,
        unit_id="phuong-vu-ninh",
        unit_name="Phường Vũ Ninh",
        base_salary_vnd=1490000,
        multiplier="1.0",
        prize_vnd=1490000,
    )


def test_the_deciding_authority_revokes_and_the_prize_is_to_be_recovered() -> None:
    award = issued("CSTDCS")
    revoke = cmd(
        RevokeAward,
        award_id=award.award_id,
        ground="b",
        decision_number="15/QĐ-UBND",
        decided_on=date(2023, 6, 1),
        reason="Hồ sơ sáng kiến bị làm giả",
    )
    done = revocation.decide_revoke(revoke, award, False, PACK)
    assert (done.ground, done.recover_prize_vnd) == ("b", 1490000)
    assert rejected(lambda: revocation.decide_revoke(revoke, award, True, PACK)).code == (
        ErrorCode.ALREADY_REVOKED
    )
    clerk = revoke.model_copy(update={"actor": Actor(id="x", role=Role.PHONG_NOI_VU)})
    assert rejected(lambda: revocation.decide_revoke(clerk, award, False, PACK)).code == (
        ErrorCode.FORBIDDEN
    )
    provincial = issued("BK_CT_UBND_TINH")
    assert rejected(lambda: revocation.decide_revoke(revoke, provincial, False, PACK)).code == (
        ErrorCode.FORBIDDEN
    )  # the province decided it: only the province annuls it


def test_a_revoked_title_flags_the_awards_whose_chain_counted_it() -> None:
    person = "nguyen-thi-huong"
    revoked = revocation.Held("r", person, 2021, "CSTDCS")
    held = [
        revocation.Held("t", person, 2022, "CSTD_TINH"),  # 3-year CSTĐCS chain 2020–2022
        revocation.Held("u", person, 2025, "CSTD_TINH"),  # its chain is 2023–2025
        revocation.Held("v", "le-thi-thu-ha", 2022, "CSTD_TINH"),  # someone else
        revocation.Held("w", person, 2022, "GK_CT_UBND_TP"),  # does not rest on titles
    ]
    assert [h.award_id for h in revocation.dependents(revoked, held, PACK)] == ["t"]


# --- a member's revoked title and the collective titles that counted it -----------------------
# Luật TĐKT 2003 Điều 28 khoản 1 c (TTLĐTT: more than 50 % LĐTT) and Điều 27 khoản 1 c–d
# (TTLĐXS: at least 70 % LĐTT and a CSTĐCS) rest on the members' titles (DOMAIN §5.6).

WARD = "phuong-vu-ninh"
NINE = [f"m{i}" for i in range(1, 10)]


def ward_facts(ldtt: int, cstdcs: int = 0) -> eligibility.Facts:
    """The ward's nine members, the first `ldtt` holding LĐTT 2022, the first `cstdcs` CSTĐCS."""
    return eligibility.Facts(
        registered=True,
        report_submitted=True,
        report_late=False,
        score_total=None,
        score_max=None,
        members=NINE,
        headcount=9,
        titles=frozenset(
            {
                *((p, 2022, "LDTT") for p in NINE[:ldtt]),
                *((p, 2022, "CSTDCS") for p in NINE[:cstdcs]),
            }
        ),
    )


def member_title(code: str, year: int = 2022) -> revocation.Held:
    return revocation.Held("r", "m1", year, code, WARD)


def test_a_member_s_revoked_ldtt_flags_the_ward_s_ttldtt_that_now_falls_to_4_of_9() -> None:
    # Given the ward's TTLĐTT 2022 rested on 5 of 9 members holding LĐTT, m1 among them
    held = [revocation.Held("tt", WARD, 2022, "TTLDTT", WARD)]
    # When m1's LĐTT 2022 is revoked
    flagged = revocation.dependents(member_title("LDTT"), held, PACK, {"tt": ward_facts(5)})
    # Then the TTLĐTT is flagged, with the share recomputed without m1
    assert [f.award_id for f in flagged] == ["tt"]
    assert flagged[0].reason_vi == (
        "Tập thể lao động tiên tiến năm 2022 đã tính danh hiệu Lao động tiên tiến năm 2022 của "
        "một thành viên, nay đã bị hủy bỏ; tính lại: 4/9 cá nhân đạt Lao động tiên tiến "
        "(cần > 1/2)"
    )


def test_a_collective_still_above_the_share_without_the_revoked_title_is_not_flagged() -> None:
    # Given 6 of 9 held LĐTT: 5 of 9 is still more than half
    held = [revocation.Held("tt", WARD, 2022, "TTLDTT", WARD)]
    # When one member's LĐTT is revoked
    flagged = revocation.dependents(member_title("LDTT"), held, PACK, {"tt": ward_facts(6)})
    # Then nothing is flagged
    assert flagged == []


def test_without_the_collective_s_facts_its_title_is_flagged_for_the_council_to_judge() -> None:
    # Given the ward's TTLĐTT and TTLĐXS of 2022, with no member facts at hand
    held = [
        revocation.Held("tt", WARD, 2022, "TTLDTT", WARD),
        revocation.Held("xs", WARD, 2022, "TTLDXS", WARD),
    ]
    # When a member's LĐTT 2022 is revoked
    flagged = revocation.dependents(member_title("LDTT"), held, PACK)
    # Then both are flagged, to be reviewed
    assert [f.award_id for f in flagged] == ["tt", "xs"]
    assert all(f.reason_vi.endswith("cần xem xét lại tỷ lệ cá nhân đạt danh hiệu") for f in flagged)


def test_a_revoked_cstdcs_flags_the_ttldxs_left_without_one_and_nothing_else() -> None:
    # Given the ward's TTLĐXS 2022 (its only CSTĐCS is m1) and TTLĐTT 2022, another ward's
    # TTLĐXS 2022, and the ward's TTLĐXS of 2021
    held = [
        revocation.Held("xs", WARD, 2022, "TTLDXS", WARD),
        revocation.Held("tt", WARD, 2022, "TTLDTT", WARD),
        revocation.Held("kb", "phuong-kinh-bac", 2022, "TTLDXS", "phuong-kinh-bac"),
        revocation.Held("xs21", WARD, 2021, "TTLDXS", WARD),
    ]
    facts = {"xs": ward_facts(9, cstdcs=1), "tt": ward_facts(9, cstdcs=1)}
    # When m1's CSTĐCS 2022 is revoked
    flagged = revocation.dependents(member_title("CSTDCS"), held, PACK, facts)
    # Then only the ward's TTLĐXS 2022 is flagged: it now has no CSTĐCS (Điều 27 khoản 1 d)
    assert [f.award_id for f in flagged] == ["xs"]
    assert flagged[0].reason_vi.endswith(
        "tính lại: 0 cá nhân đạt Chiến sĩ thi đua cơ sở năm 2022 (cần ≥ 1)"
    )


def test_a_chain_flag_names_the_revoked_title_in_vietnamese() -> None:
    revoked = revocation.Held("r", "nguyen-thi-huong", 2022, "LDTT", WARD)
    held = [revocation.Held("c", "nguyen-thi-huong", 2022, "CSTDCS", WARD)]
    (flag,) = revocation.dependents(revoked, held, PACK)
    assert flag.reason_vi == "Dựa trên danh hiệu Lao động tiên tiến năm 2022 đã bị hủy bỏ"

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
from thidua_nominations.domain import decision, nomination, revocation, upward

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


def forward(*candidates: decision.Candidate, forwarded: frozenset[str] = frozenset()) -> Any:
    command = cmd(
        ForwardProposals,
        submission_id=str(uuid.uuid4()),
        number="05/TTr-UBND",
        signed_on=date(2022, 12, 5),
        addressee="UBND tỉnh Bắc Ninh (qua Sở Nội vụ)",
        proposal_ids=[c.proposal.proposal_id for c in candidates],
    )
    return upward.decide_forward(command, list(candidates), set(forwarded), PACK)


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

"""Council ballots: the tally (a human act) and its outcome (computed), DOMAIN §4."""

from __future__ import annotations

from thidua_contracts.commands import RecordTally
from thidua_contracts.envelope import Role
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import BallotOutcomeDecided, BallotTallied

from .nomination import NominationState
from .rule_pack import RulePack


def decide_tally(command: RecordTally, state: NominationState) -> BallotTallied:
    if command.actor.role != Role.COUNCIL_SECRETARY:
        raise Rejected(ErrorCode.FORBIDDEN, "actor.role", command.actor.role.value)
    if state.eligibility is None:
        raise Rejected(ErrorCode.WRONG_STATE, "proposal_id", "not appraised yet")
    if not state.eligibility.eligible:
        raise Rejected(ErrorCode.WRONG_STATE, "proposal_id", "appraised ineligible")
    if state.outcome is not None and state.outcome.passed and state.status != "QUOTA_TIE":
        raise Rejected(ErrorCode.WRONG_STATE, "proposal_id", "already passed the council")
    c = command
    for field, value, limit in (
        ("present", c.present, c.members_total),
        ("issued", c.issued, c.present),
        ("returned", c.returned, c.issued),
        ("valid", c.valid, c.returned),
        ("yes", c.yes, c.valid),
        ("written_yes_from_absent", c.written_yes_from_absent, c.members_total - c.present),
    ):
        if value > limit:
            raise Rejected(ErrorCode.INCONSISTENT_TALLY, field, f"{value} > {limit}")
    return BallotTallied(
        proposal_id=c.proposal_id,
        session_id=c.session_id,
        session_date=c.session_date,
        members_total=c.members_total,
        present=c.present,
        issued=c.issued,
        returned=c.returned,
        valid=c.valid,
        yes=c.yes,
        written_yes_from_absent=c.written_yes_from_absent,
    )


def decide_outcome(tally: BallotTallied, award_code: str, pack: RulePack) -> BallotOutcomeDecided:
    vote = pack.awards[award_code].vote
    quorum = pack.council.quorum_required(tally.members_total)
    quorum_met = tally.present >= quorum
    yes_total = tally.yes + tally.written_yes_from_absent
    share_ok = vote.passes(yes_total, tally.members_total)
    passed = quorum_met and share_ok
    relation = ">" if vote.strict else "≥"
    if not quorum_met:
        reason_vi = (
            f"Không đủ số thành viên dự họp: {tally.present}/{tally.members_total}, cần {quorum}"
        )
        reason_en = f"No quorum: {tally.present}/{tally.members_total} present, {quorum} needed"
    elif share_ok:
        reason_vi = f"Đạt: {yes_total}/{tally.members_total} đồng ý {relation} {vote.threshold}"
        reason_en = f"Passed: {yes_total}/{tally.members_total} yes {relation} {vote.threshold}"
    else:
        reason_vi = (
            f"Không đạt: {yes_total}/{tally.members_total} đồng ý, cần {relation} {vote.threshold}"
        )
        reason_en = (
            f"Failed: {yes_total}/{tally.members_total} yes, needs {relation} {vote.threshold}"
        )
    return BallotOutcomeDecided(
        proposal_id=tally.proposal_id,
        session_id=tally.session_id,
        members_total=tally.members_total,
        present=tally.present,
        quorum_required=quorum,
        quorum_met=quorum_met,
        yes_total=yes_total,
        threshold=vote.threshold,
        threshold_strict=vote.strict,
        passed=passed,
        reason_vi=reason_vi,
        reason_en=reason_en,
    )

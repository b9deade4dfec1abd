"""The Chairman's decision and the awards it issues (DOMAIN §5.1 step 12a, §3.5)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from thidua_contracts.commands import SignDecision
from thidua_contracts.envelope import Role
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import AwardIssued, AwardProposed, DecisionSigned, PrizeDeduction
from thidua_contracts.movement import MovementDefinition

from .nomination import NominationState
from .rule_pack import RulePack

POSITIONS = {"chu_tich": ["CHỦ TỊCH"], "pho_chu_tich": ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]}


@dataclass(frozen=True)
class Candidate:
    proposal: AwardProposed
    state: NominationState
    already_awarded: bool
    # Its form has a quota and its council session is not closed: not yet ranked.
    quota_pending: bool = False


def decide_sign(
    command: SignDecision, candidates: list[Candidate], number_taken: bool, pack: RulePack
) -> DecisionSigned:
    if command.actor.role != Role.CHAIRMAN_OFFICE:
        raise Rejected(ErrorCode.FORBIDDEN, "actor.role", command.actor.role.value)
    if number_taken:
        raise Rejected(ErrorCode.DECISION_NUMBER_TAKEN, "number", command.number)
    if len(set(command.proposal_ids)) != len(command.proposal_ids):
        raise Rejected(ErrorCode.INVALID_FIELD, "proposal_ids", "a proposal is listed twice")
    codes = {c.proposal.award_code for c in candidates}
    if len(codes) != 1:
        raise Rejected(ErrorCode.INVALID_FIELD, "proposal_ids", "one award form per decision")
    code = codes.pop()
    if code not in pack.awards or pack.awards[code].route != "decide":
        raise Rejected(ErrorCode.WRONG_STATE, "proposal_ids", f"{code} is not decided by the city")
    for i, c in enumerate(candidates):
        if c.already_awarded:
            raise Rejected(ErrorCode.WRONG_STATE, f"proposal_ids.{i}", "already decided")
        if c.state.excluded is not None:
            raise Rejected(
                ErrorCode.WRONG_STATE,
                f"proposal_ids.{i}",
                f"excluded: {c.state.excluded.reason_code}",
            )
        if not c.state.passed:
            raise Rejected(ErrorCode.WRONG_STATE, f"proposal_ids.{i}", "has not passed the council")
        if c.quota_pending:
            raise Rejected(
                ErrorCode.WRONG_STATE,
                f"proposal_ids.{i}",
                "the quota is applied when the council session closes",
            )
    return DecisionSigned(
        decision_id=command.decision_id,
        number=command.number,
        signed_on=command.signed_on,
        signer_name=command.signer_name,
        signer_position_lines=POSITIONS[command.signer_position],
        award_code=code,
        proposal_ids=list(command.proposal_ids),
    )


def issue_award(
    award_id: str,
    decision: DecisionSigned,
    proposal: AwardProposed,
    definition: MovementDefinition,
    pack: RulePack,
    held: Sequence[AwardIssued] = (),
) -> AwardIssued:
    return award_for(
        award_id,
        decision.decision_id,
        decision.number,
        decision.signed_on,
        proposal,
        definition,
        pack,
        held,
    )


def prize_deductions(
    award_code: str, held: Sequence[AwardIssued], pack: RulePack
) -> list[PrizeDeduction]:
    """The titles whose prizes count against a new title's, under a regime that pays one
    subject only the highest of its titles at one time. `held`: the recipient's other titles
    of the same year from the same fund, still standing, in the order they were issued."""
    rule = pack.awards[award_code]
    if pack.highest_title_prize_only is None or rule.kind != "danh_hieu":
        return []
    return [
        PrizeDeduction(
            award_id=a.award_id,
            award_code=a.award_code,
            award_name=a.award_name,
            decision_number=a.decision_number,
            signed_on=a.signed_on,
            prize_vnd=a.prize_vnd,
        )
        for a in held
        if a.award_code in pack.awards and pack.awards[a.award_code].kind == "danh_hieu"
    ]


def award_for(
    award_id: str,
    decision_id: str,
    decision_number: str,
    signed_on: date,
    proposal: AwardProposed,
    definition: MovementDefinition,
    pack: RulePack,
    held: Sequence[AwardIssued] = (),
) -> AwardIssued:
    """The award as issued by a decision — the city's own, or a higher level's answer.

    A title reached at the same time as titles already paid pays what lifts the recipient's
    total to the highest title prize, and nothing when it is not higher."""
    code = proposal.award_code
    multiplier, prize = pack.prize(code, proposal.subject_kind)
    deductions = prize_deductions(code, held, pack)
    unit = definition.unit(proposal.unit_id)
    person = definition.person(proposal.subject_id) if proposal.subject_kind == "ca_nhan" else None
    assert unit is not None
    return AwardIssued(
        award_id=award_id,
        decision_id=decision_id,
        decision_number=decision_number,
        signed_on=signed_on,
        proposal_id=proposal.proposal_id,
        award_code=code,
        award_name=pack.awards[code].name,
        recipient_kind=proposal.subject_kind,
        recipient_id=proposal.subject_id,
        recipient_name=proposal.subject_name,
        recipient_position=person.position if person else None,
        unit_id=unit.unit_id,
        unit_name=unit.name,
        base_salary_vnd=pack.base_salary_vnd,
        multiplier=multiplier,
        prize_vnd=max(0, prize - sum(d.prize_vnd for d in deductions)),
        title_prize_vnd=prize,
        prize_deductions=deductions,
    )

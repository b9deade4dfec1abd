"""Revocation (DOMAIN §5.6): annulled by the authority that decided, on one of four grounds,
with the prize to recover; awards that rested on it (a chain) are flagged for review."""

from __future__ import annotations

from dataclasses import dataclass

from thidua_contracts.commands import RevokeAward
from thidua_contracts.envelope import Role
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import AwardIssued, AwardRevoked

from .rule_pack import RulePack


@dataclass(frozen=True)
class Held:
    """An award someone holds: enough to tell whether it rested on another."""

    award_id: str
    subject_id: str
    year: int
    award_code: str


def decide_revoke(
    command: RevokeAward, award: AwardIssued | None, revoked: bool, pack: RulePack
) -> AwardRevoked:
    if award is None:
        raise Rejected(ErrorCode.UNKNOWN_AWARD, "award_id", command.award_id)
    if revoked:
        raise Rejected(ErrorCode.ALREADY_REVOKED, "award_id", command.award_id)
    rule = pack.awards.get(award.award_code)
    # Cấp nào quyết định thì cấp đó hủy bỏ: the city annuls only what the city decided.
    if command.actor.role != Role.CHAIRMAN_OFFICE or rule is None or rule.route != "decide":
        raise Rejected(ErrorCode.FORBIDDEN, "actor", "only the authority that decided revokes")
    return AwardRevoked(
        award_id=award.award_id,
        ground=command.ground,
        decision_number=command.decision_number,
        decided_on=command.decided_on,
        reason=command.reason,
        recover_prize_vnd=award.prize_vnd,
    )


def dependents(revoked: Held, held: list[Held], pack: RulePack) -> list[Held]:
    """Awards of the same subject whose criteria count the revoked title in their years."""
    found = []
    for other in held:
        if other.award_id == revoked.award_id or other.subject_id != revoked.subject_id:
            continue
        rule = pack.awards.get(other.award_code)
        for criterion in rule.criteria if rule else []:
            span = range(other.year - criterion.years + 1, other.year + 1)
            if (
                criterion.check in ("chain", "title_same_year")
                and criterion.title == revoked.award_code
                and revoked.year in span
            ):
                found.append(other)
                break
    return found

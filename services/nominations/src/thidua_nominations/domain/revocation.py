"""Revocation (DOMAIN §5.6): annulled by the authority that decided, on one of four grounds,
with the prize to recover; awards that rested on it are flagged for review: the holder's own
chains, and the collective titles of the holder's unit that counted its members' titles."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from thidua_contracts.commands import RevokeAward
from thidua_contracts.envelope import Role
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import AwardIssued, AwardRevoked

from .eligibility import Facts, judge
from .rule_pack import AwardRule, RulePack


@dataclass(frozen=True)
class Held:
    """An award someone holds: enough to tell whether it rested on another."""

    award_id: str
    subject_id: str
    year: int
    award_code: str
    unit_id: str | None = None  # the recipient's unit (a collective's is itself)


@dataclass(frozen=True)
class Review:
    """An award flagged for review, and why."""

    held: Held
    reason_vi: str
    reason_en: str

    @property
    def award_id(self) -> str:
        return self.held.award_id


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


def dependents(
    revoked: Held,
    held: list[Held],
    pack: RulePack,
    collectives: Mapping[str, Facts] | None = None,
) -> list[Review]:
    """Awards whose criteria counted the revoked title: the same subject's chains and
    same-year requirements, then the collective titles of the subject's unit for that year whose
    member criteria counted it (Luật TĐKT 2003 Điều 27–28).

    `collectives` holds, by award id, a collective's member facts as they stand now: with them
    the criteria are judged again without the revoked title, and a collective still meeting
    them is not flagged; without them it is flagged for the council to judge."""
    found: list[Review] = []
    name = _name(pack, revoked.award_code)
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
                found.append(
                    Review(
                        other,
                        f"Dựa trên danh hiệu {name} năm {revoked.year} đã bị hủy bỏ",
                        f"Rests on the {revoked.award_code} of {revoked.year}, now revoked",
                    )
                )
                break
    for other in held:
        rule = pack.awards.get(other.award_code)
        if (
            rule is None
            or revoked.unit_id is None
            or other.subject_id != revoked.unit_id
            or other.subject_id == revoked.subject_id
            or other.year != revoked.year
        ):
            continue
        review = _collective(revoked, other, rule, pack, (collectives or {}).get(other.award_id))
        if review is not None:
            found.append(review)
    return found


def _collective(
    revoked: Held, other: Held, rule: AwardRule, pack: RulePack, facts: Facts | None
) -> Review | None:
    counted = [
        c
        for c in rule.criteria
        if (c.check == "ldtt_ratio" and revoked.award_code == "LDTT")
        or (c.check == "members_title_count" and c.title == revoked.award_code)
    ]
    if not counted:
        return None
    name = _name(pack, revoked.award_code)
    head_vi = (
        f"{rule.name} năm {other.year} đã tính danh hiệu {name} năm {revoked.year} "
        f"của một thành viên, nay đã bị hủy bỏ"
    )
    head_en = (
        f"The {other.award_code} of {other.year} counted a member's {revoked.award_code} "
        f"of {revoked.year}, now revoked"
    )
    if facts is None or not facts.members:
        return Review(
            other,
            f"{head_vi}: cần xem xét lại tỷ lệ cá nhân đạt danh hiệu",
            f"{head_en}: the members' share is to be reviewed",
        )
    gone = (revoked.subject_id, revoked.year, revoked.award_code)
    now = replace(facts, titles=facts.titles - {gone})
    short = []
    for criterion in counted:
        met, vi, en = judge(criterion, other.subject_id, other.year, now)
        if criterion.check == "members_title_count":
            holders = sum(1 for p in now.members if (p, other.year, criterion.title) in now.titles)
            vi = f"{holders} cá nhân đạt {name} năm {other.year} (cần ≥ {criterion.count})"
        if not met:
            short.append((vi, en))
    if not short:
        return None  # the collective still meets the criteria without the revoked title
    return Review(
        other,
        f"{head_vi}; tính lại: {'; '.join(vi for vi, _en in short)}",
        f"{head_en}; now: {'; '.join(en for _vi, en in short)}",
    )


def _name(pack: RulePack, code: str) -> str:
    rule = pack.awards.get(code)
    return rule.name if rule else code

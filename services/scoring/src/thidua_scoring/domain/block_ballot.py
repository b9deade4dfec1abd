"""The block's secret ballot to honour its leading unit (bình xét, suy tôn — DOMAIN §6.3 step 4):
one vote per member unit, counted on all members in exact fractions. The plan's criterion
"được Khối thi đua bình xét, suy tôn" is met only by a passing ballot."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from thidua_contracts.commands import RecordBlockBallot
from thidua_contracts.envelope import Role
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import BlockBallotTallied, BlockHonoured, CandidateVotes
from thidua_contracts.movement import MovementDefinition, ScoringRules


def decide_ballot(command: RecordBlockBallot, definition: MovementDefinition) -> BlockBallotTallied:
    block = next((b for b in definition.blocks if b.block_id == command.block_id), None)
    if block is None:
        raise Rejected(ErrorCode.UNKNOWN_BLOCK, "block_id", command.block_id)
    actor = command.actor
    if not (
        actor.role == Role.PHONG_NOI_VU
        or (actor.role == Role.BLOCK_HEAD and actor.unit == block.head_unit_id)
    ):
        raise Rejected(ErrorCode.FORBIDDEN, "actor", f"{actor.role.value}/{actor.unit}")
    members = {
        u.unit_id for u in definition.units if u.block_id == block.block_id and u.ended_on is None
    }
    if command.members_total != len(members):
        raise Rejected(
            ErrorCode.INCONSISTENT_TALLY,
            "members_total",
            f"the block has {len(members)} member units",
        )
    for field, value, limit in (
        ("issued", command.issued, command.members_total),
        ("returned", command.returned, command.issued),
        ("valid", command.valid, command.returned),
    ):
        if value > limit:
            raise Rejected(ErrorCode.INCONSISTENT_TALLY, field, f"{value} > {limit}")
    seen: set[str] = set()
    for i, vote in enumerate(command.votes):
        if vote.unit_id not in members:
            raise Rejected(ErrorCode.UNKNOWN_UNIT, f"votes.{i}.unit_id", vote.unit_id)
        if vote.unit_id in seen:
            raise Rejected(ErrorCode.INVALID_FIELD, f"votes.{i}.unit_id", "listed twice")
        seen.add(vote.unit_id)
        if vote.yes > command.valid:
            raise Rejected(
                ErrorCode.INCONSISTENT_TALLY, f"votes.{i}.yes", f"{vote.yes} > {command.valid}"
            )
    return BlockBallotTallied(
        block_id=command.block_id,
        round=command.round,
        meeting_on=command.meeting_on,
        members_total=command.members_total,
        issued=command.issued,
        returned=command.returned,
        valid=command.valid,
        votes=list(command.votes),
    )


def decide_honour(
    tally: BlockBallotTallied, rules: ScoringRules, unit_names: Mapping[str, str]
) -> BlockHonoured:
    """`unit_names` (unit id → name) name the leader in the reason, which people read."""
    limit = Fraction(rules.leader_ballot_threshold)
    strict = rules.leader_ballot_strict

    def passes(yes: int) -> bool:
        share = Fraction(yes, tally.members_total)
        return share > limit if strict else share >= limit

    passing = sorted((v for v in tally.votes if passes(v.yes)), key=lambda v: -v.yes)
    relation = ">" if strict else "≥"
    if not passing:
        leader = None
        vi = f"Không đơn vị nào đạt {relation} {rules.leader_ballot_threshold} số đơn vị thành viên"
        en = f"No unit reached {relation} {rules.leader_ballot_threshold} of the member units"
    elif len(passing) > 1 and passing[0].yes == passing[1].yes:
        leader = None
        vi, en = "Hai đơn vị bằng phiếu: cần bỏ phiếu lại", "A tie at the top: vote again"
    else:
        leader = passing[0].unit_id
        name = unit_names.get(leader, leader)
        vi = (
            f"Suy tôn dẫn đầu: {name} với {passing[0].yes}/{tally.members_total} phiếu "
            f"({relation} {rules.leader_ballot_threshold})"
        )
        en = (
            f"Honoured as leading: {name} with {passing[0].yes}/{tally.members_total} "
            f"votes ({relation} {rules.leader_ballot_threshold})"
        )
    return BlockHonoured(
        block_id=tally.block_id,
        round=tally.round,
        leader_unit_id=leader,
        threshold=rules.leader_ballot_threshold,
        threshold_strict=strict,
        results=[CandidateVotes(unit_id=v.unit_id, yes=v.yes) for v in tally.votes],
        reason_vi=vi,
        reason_en=en,
    )

"""Public notice (công khai, DOMAIN §5.5): the list is posted for the pack's working days;
objections are recorded and verified before the council votes; an upheld one excludes."""

from __future__ import annotations

from dataclasses import dataclass, field

from thidua_contracts.commands import PostNotice, RecordObjection, ResolveObjection
from thidua_contracts.envelope import Role
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import (
    NominationExcluded,
    NoticePosted,
    ObjectionRecorded,
    ObjectionResolved,
)
from thidua_contracts.workdays import WorkCalendar

from .nomination import NominationState
from .rule_pack import RulePack


@dataclass(frozen=True)
class NoticeStatus:
    notice: NoticePosted
    objections: dict[str, ObjectionRecorded] = field(default_factory=dict)
    resolved: dict[str, ObjectionResolved] = field(default_factory=dict)

    def pending(self, proposal_id: str) -> list[str]:
        return sorted(
            k
            for k, o in self.objections.items()
            if o.proposal_id == proposal_id and k not in self.resolved
        )


def _office(role: Role) -> None:
    if role != Role.PHONG_NOI_VU:
        raise Rejected(ErrorCode.FORBIDDEN, "actor.role", role.value)


def decide_post(
    command: PostNotice,
    states: list[NominationState],
    noticed: set[str],
    exists: bool,
    calendar: WorkCalendar,
    pack: RulePack,
) -> NoticePosted:
    _office(command.actor.role)
    if exists:
        raise Rejected(ErrorCode.WRONG_STATE, "notice_id", "this notice is already posted")
    if len(set(command.proposal_ids)) != len(command.proposal_ids):
        raise Rejected(ErrorCode.INVALID_FIELD, "proposal_ids", "a proposal is listed twice")
    for i, (proposal_id, state) in enumerate(zip(command.proposal_ids, states, strict=True)):
        if state.status != "APPRAISED_ELIGIBLE":
            raise Rejected(ErrorCode.WRONG_STATE, f"proposal_ids.{i}", state.status)
        if proposal_id in noticed:
            raise Rejected(ErrorCode.WRONG_STATE, f"proposal_ids.{i}", "already posted")
    days = pack.notice_working_days
    return NoticePosted(
        notice_id=command.notice_id,
        proposal_ids=list(command.proposal_ids),
        channel=command.channel,
        posted_on=command.posted_on,
        ends_on=calendar.add_working_days(command.posted_on, days),
        working_days=days,
    )


def decide_objection(command: RecordObjection, status: NoticeStatus | None) -> ObjectionRecorded:
    _office(command.actor.role)
    if status is None:
        raise Rejected(ErrorCode.INVALID_FIELD, "notice_id", "no such notice")
    if command.proposal_id not in status.notice.proposal_ids:
        raise Rejected(ErrorCode.UNKNOWN_PROPOSAL, "proposal_id", "not on this notice")
    if command.objection_id in status.objections:
        raise Rejected(ErrorCode.WRONG_STATE, "objection_id", "already recorded")
    n = status.notice
    if not n.posted_on <= command.received_on <= n.ends_on:
        raise Rejected(
            ErrorCode.VALUE_OUT_OF_RANGE,
            "received_on",
            f"outside the notice period {n.posted_on.isoformat()}–{n.ends_on.isoformat()}",
        )
    return ObjectionRecorded(
        notice_id=command.notice_id,
        objection_id=command.objection_id,
        proposal_id=command.proposal_id,
        received_on=command.received_on,
        summary=command.summary,
    )


def decide_resolution(command: ResolveObjection, status: NoticeStatus | None) -> ObjectionResolved:
    _office(command.actor.role)
    objection = status.objections.get(command.objection_id) if status else None
    if status is None or objection is None:
        raise Rejected(ErrorCode.INVALID_FIELD, "objection_id", "no such objection")
    if command.objection_id in status.resolved:
        raise Rejected(ErrorCode.WRONG_STATE, "objection_id", "already resolved")
    if command.resolved_on < objection.received_on:
        raise Rejected(ErrorCode.VALUE_OUT_OF_RANGE, "resolved_on", "before it was received")
    return ObjectionResolved(
        notice_id=command.notice_id,
        objection_id=command.objection_id,
        proposal_id=objection.proposal_id,
        upheld=command.upheld,
        resolution=command.resolution,
        resolved_on=command.resolved_on,
    )


def exclusion(resolved: ObjectionResolved, award_code: str) -> NominationExcluded:
    return NominationExcluded(
        proposal_id=resolved.proposal_id,
        award_code=award_code,
        reason_code="objection_upheld",
        decided_on=resolved.resolved_on,
        detail_vi=f"Ý kiến phản ánh {resolved.objection_id} đúng: {resolved.resolution}"[:2000],
        detail_en=f"Objection {resolved.objection_id} upheld: {resolved.resolution}"[:2000],
    )

"""Council sessions (DOMAIN §4): membership and attendance recorded when the session opens,
quorum counted from those present, and what must hold before a nominee's ballot is taken —
the public notice over and its objections settled (§5.5), written votes only where allowed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from thidua_contracts.commands import CloseSession, OpenSession, RecordTally
from thidua_contracts.envelope import Role
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import CouncilSessionClosed, CouncilSessionOpened

from .notice import NoticeStatus
from .rule_pack import AwardRule


@dataclass(frozen=True)
class Session:
    opened: CouncilSessionOpened
    closed_on: date | None = None


def decide_open(command: OpenSession, exists: bool) -> CouncilSessionOpened:
    if command.actor.role != Role.COUNCIL_SECRETARY:
        raise Rejected(ErrorCode.FORBIDDEN, "actor.role", command.actor.role.value)
    if exists:
        raise Rejected(ErrorCode.WRONG_STATE, "session_id", "the session is already open")
    ids = [m.member_id for m in command.members]
    if len(set(ids)) != len(ids):
        raise Rejected(ErrorCode.INVALID_FIELD, "members", "a member is listed twice")
    if len(set(command.present_ids)) != len(command.present_ids):
        raise Rejected(ErrorCode.INVALID_FIELD, "present_ids", "a member is listed twice")
    for i, present in enumerate(command.present_ids):
        if present not in ids:
            raise Rejected(ErrorCode.INVALID_FIELD, f"present_ids.{i}", f"{present} is no member")
    return CouncilSessionOpened(
        session_id=command.session_id,
        session_date=command.session_date,
        members=list(command.members),
        present_ids=list(command.present_ids),
    )


def decide_close(command: CloseSession, session: Session | None) -> CouncilSessionClosed:
    if command.actor.role != Role.COUNCIL_SECRETARY:
        raise Rejected(ErrorCode.FORBIDDEN, "actor.role", command.actor.role.value)
    if session is None:
        raise Rejected(ErrorCode.INVALID_FIELD, "session_id", "no such session")
    if session.closed_on is not None:
        raise Rejected(ErrorCode.WRONG_STATE, "session_id", "the session is already closed")
    if command.closed_on < session.opened.session_date:
        raise Rejected(ErrorCode.VALUE_OUT_OF_RANGE, "closed_on", "before the session")
    return CouncilSessionClosed(session_id=command.session_id, closed_on=command.closed_on)


@dataclass(frozen=True)
class Gate:
    """What the tally of one nominee depends on besides the nomination itself."""

    rule: AwardRule
    session: Session | None = None
    notice: NoticeStatus | None = None
    proposal_id: str = ""
    excluded: str | None = None
    pending: list[str] = field(default_factory=list)


def check_tally(command: RecordTally, gate: Gate) -> None:
    s = gate.session
    if s is not None:
        if s.closed_on is not None:
            raise Rejected(ErrorCode.WRONG_STATE, "session_id", "the session is closed")
        o = s.opened
        for name, given, recorded in (
            ("members_total", command.members_total, len(o.members)),
            ("present", command.present, len(o.present_ids)),
        ):
            if given != recorded:
                raise Rejected(
                    ErrorCode.INCONSISTENT_TALLY, name, f"{given} ≠ {recorded} at the session"
                )
        if command.session_date != o.session_date:
            raise Rejected(ErrorCode.INCONSISTENT_TALLY, "session_date", str(o.session_date))
    if command.written_yes_from_absent and not gate.rule.vote.written_votes:
        raise Rejected(
            ErrorCode.INVALID_FIELD,
            "written_yes_from_absent",
            "this form takes no written votes from absent members",
        )
    if gate.excluded is not None and gate.excluded != "quota_tie":
        raise Rejected(ErrorCode.WRONG_STATE, "proposal_id", f"excluded: {gate.excluded}")
    upheld = [
        k
        for k, r in (gate.notice.resolved.items() if gate.notice else [])
        if r.upheld and r.proposal_id == gate.proposal_id
    ]
    if upheld:
        raise Rejected(ErrorCode.WRONG_STATE, "proposal_id", f"objection upheld: {upheld[0]}")
    if gate.rule.notice:
        n = gate.notice
        if n is None:
            raise Rejected(ErrorCode.WRONG_STATE, "proposal_id", "not yet posted publicly")
        if command.session_date <= n.notice.ends_on:
            raise Rejected(
                ErrorCode.WRONG_STATE,
                "session_date",
                f"the public notice runs until {n.notice.ends_on.isoformat()}",
            )
        waiting = n.pending(gate.proposal_id)
        if waiting:
            raise Rejected(
                ErrorCode.WRONG_STATE, "proposal_id", f"objections unresolved: {', '.join(waiting)}"
            )

"""Periodic reports (sơ kết, tổng kết): figures per target and self-scores per criterion."""

from __future__ import annotations

import base64
import binascii
import hashlib
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from thidua_contracts.commands import EvidenceUpload, SubmitReport, WithdrawReport
from thidua_contracts.envelope import Envelope
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import EventPayload, Evidence, ReportSubmitted, ReportWithdrawn
from thidua_contracts.movement import MovementDefinition
from thidua_contracts.workdays import WorkCalendar

from .access import require_unit_clerk
from .movement import require_unit
from .round import RoundState


class ReportState(BaseModel):
    model_config = ConfigDict(frozen=True)

    versions: int = 0
    latest_event_id: str | None = None
    withdrawn: bool = False

    @property
    def standing(self) -> bool:
        """A submitted report that counts (the latest version, not withdrawn)."""
        return self.versions > 0 and not self.withdrawn


def initial() -> ReportState:
    return ReportState()


def decide_submit(
    command: SubmitReport,
    definition: MovementDefinition,
    registered: bool,
    state: ReportState,
    round_state: RoundState,
    calendar: WorkCalendar,
) -> list[EventPayload]:
    """Submit, or amend until the deadline; a first submission after it is accepted as late."""
    require_unit(definition, command.unit_id)
    require_unit_clerk(command.actor, command.unit_id)
    if not registered:
        raise Rejected(ErrorCode.NOT_REGISTERED, "unit_id", command.unit_id)
    opened, due = round_state.opened_on, round_state.due_on
    if opened is None or due is None or command.submitted_on < opened:
        raise Rejected(ErrorCode.ROUND_NOT_OPEN, "round", command.round.value)
    late_by = calendar.working_days_late(due, command.submitted_on)
    if state.standing and late_by > 0:
        raise Rejected(ErrorCode.ROUND_CLOSED, "submitted_on", due.isoformat())
    targets = {t.code for t in definition.targets}
    for i, achievement in enumerate(command.achievements):
        if achievement.target_code not in targets:
            raise Rejected(
                ErrorCode.UNKNOWN_TARGET, f"achievements.{i}.target_code", achievement.target_code
            )
    maxima = {c.code: Decimal(c.max_points) for c in definition.scoring_table}
    seen: set[str] = set()
    for i, score in enumerate(command.self_scores):
        where = f"self_scores.{i}"
        if score.criterion_code not in maxima:
            raise Rejected(
                ErrorCode.UNKNOWN_CRITERION, f"{where}.criterion_code", score.criterion_code
            )
        if score.criterion_code in seen:
            raise Rejected(ErrorCode.INVALID_FIELD, f"{where}.criterion_code", "given twice")
        seen.add(score.criterion_code)
        if not Decimal(0) <= Decimal(score.points) <= maxima[score.criterion_code]:
            raise Rejected(
                ErrorCode.VALUE_OUT_OF_RANGE,
                f"{where}.points",
                f"0..{maxima[score.criterion_code]}",
            )
    evidence = [_checked(i, upload) for i, upload in enumerate(command.evidence)]
    return [
        ReportSubmitted(
            unit_id=command.unit_id,
            round=command.round,
            report_version=state.versions + 1,
            achievements=list(command.achievements),
            self_scores=list(command.self_scores),
            narrative=command.narrative,
            evidence=evidence,
            submitted_on=command.submitted_on,
            late=late_by > 0,
            working_days_late=late_by,
        )
    ]


def _checked(index: int, upload: EvidenceUpload) -> Evidence:
    """The log keeps what identifies a file, never the file; the hash must be the content's."""
    try:
        content = base64.b64decode(upload.content_base64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Rejected(
            ErrorCode.INVALID_FIELD, f"evidence.{index}.content_base64", "not base64"
        ) from exc
    if hashlib.sha256(content).hexdigest() != upload.sha256:
        raise Rejected(ErrorCode.HASH_MISMATCH, f"evidence.{index}.sha256", upload.name)
    return Evidence(
        name=upload.name,
        doc_type=upload.doc_type,
        number=upload.number,
        issued_on=upload.issued_on,
        sha256=upload.sha256,
        size_bytes=len(content),
    )


def decide_withdraw(command: WithdrawReport, state: ReportState) -> list[EventPayload]:
    require_unit_clerk(command.actor, command.unit_id)
    if not state.standing:
        raise Rejected(ErrorCode.NOTHING_TO_WITHDRAW, "round", command.round.value)
    return [
        ReportWithdrawn(
            unit_id=command.unit_id,
            round=command.round,
            report_version=state.versions,
            withdrawn_on=command.withdrawn_on,
            reason=command.reason,
        )
    ]


def evolve(state: ReportState, envelope: Envelope, payload: EventPayload) -> ReportState:
    if isinstance(payload, ReportSubmitted):
        return ReportState(versions=payload.report_version, latest_event_id=envelope.event_id)
    if isinstance(payload, ReportWithdrawn):
        return state.model_copy(update={"withdrawn": True})
    return state

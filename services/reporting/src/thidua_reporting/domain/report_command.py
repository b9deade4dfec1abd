"""Deciding the city's report command: a sơ kết or tổng kết report needs its own number in the
city's BC-UBND series for the year; the statistics carry none (the form code identifies them)."""

from __future__ import annotations

from thidua_contracts.commands import IssueCityReport
from thidua_contracts.envelope import Role
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import CityReportIssued


def decide_issue(
    command: IssueCityReport, movement_known: bool, numbers_taken: set[tuple[str, int]]
) -> CityReportIssued:
    # Drafted by the Phòng Nội vụ, signed for the People's Committee by its Chairman's office.
    if command.actor.role not in {Role.PHONG_NOI_VU, Role.CHAIRMAN_OFFICE}:
        raise Rejected(ErrorCode.FORBIDDEN, "actor.role", command.actor.role.value)
    if not movement_known:
        raise Rejected(ErrorCode.UNKNOWN_MOVEMENT, "movement_id", command.movement_id)
    if command.kind == "thong-ke":
        if command.number is not None:
            raise Rejected(
                ErrorCode.INVALID_FIELD, "number", "the statistics forms carry no number"
            )
    elif command.number is None:
        raise Rejected(ErrorCode.INVALID_FIELD, "number", "a report needs its number (…/BC-UBND)")
    elif (command.number, command.signed_on.year) in numbers_taken:
        raise Rejected(ErrorCode.DECISION_NUMBER_TAKEN, "number", command.number)
    data = command.model_dump(exclude={"command_id", "actor", "movement_id"})
    return CityReportIssued.model_validate(data)

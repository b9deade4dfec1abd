"""Bulk records (ratings, discipline, initiatives, prior awards, headcounts, recruitments):
every row is checked, every bad row reported, and nothing is recorded unless all rows are good."""

from __future__ import annotations

from pydantic import BaseModel, ValidationError

from thidua_contracts.commands import ImportRecords
from thidua_contracts.envelope import Role
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import (
    DisciplineRecorded,
    EventPayload,
    HeadcountRecorded,
    InitiativeRecognised,
    PriorAwardRecorded,
    RatingRecorded,
    RecruitmentRecorded,
)
from thidua_contracts.movement import MovementDefinition

ROW_MODELS: dict[str, type[EventPayload]] = {
    "ratings": RatingRecorded,
    "discipline": DisciplineRecorded,
    "initiatives": InitiativeRecognised,
    "prior_awards": PriorAwardRecorded,
    "headcounts": HeadcountRecorded,
    "recruitments": RecruitmentRecorded,
}


def decide_import(command: ImportRecords, definition: MovementDefinition) -> list[EventPayload]:
    actor = command.actor
    if actor.role not in (Role.UNIT_CLERK, Role.PHONG_NOI_VU, Role.SYSTEM):
        raise Rejected(ErrorCode.FORBIDDEN, "actor.role", actor.role.value)
    model = ROW_MODELS[command.kind]
    rows: list[EventPayload] = []
    problems: list[Rejected] = []
    for index, raw in enumerate(command.rows):
        where = f"rows.{index}"
        try:
            row = model.model_validate(raw, strict=False)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"])
            problems.append(Rejected(ErrorCode.INVALID_FIELD, f"{where}.{field}", first["msg"]))
            continue
        problem = _check(row, definition, actor.role, actor.unit)
        if problem is not None:
            code, field, detail = problem
            problems.append(Rejected(code, f"{where}.{field}", detail))
            continue
        rows.append(row)
    if problems:
        raise Rejected(
            ErrorCode.ROWS_INVALID, "rows", f"{len(problems)}/{len(command.rows)}", details=problems
        )
    return rows


def _check(
    row: BaseModel,
    definition: MovementDefinition,
    role: Role,
    actor_unit: str | None,
) -> tuple[ErrorCode, str, str] | None:
    data = row.model_dump()
    unit_id = str(data["unit_id"])
    if definition.unit(unit_id) is None:
        return ErrorCode.UNKNOWN_UNIT, "unit_id", unit_id
    if role == Role.UNIT_CLERK and unit_id != actor_unit:
        return ErrorCode.FORBIDDEN, "unit_id", f"{actor_unit} → {unit_id}"
    person_field = "person_id" if "person_id" in data else "subject_id"
    person = data.get("person_id")
    if data.get("subject_kind") == "ca_nhan":
        person = data["subject_id"]
    elif data.get("subject_kind") == "tap_the" and data["subject_id"] != unit_id:
        return ErrorCode.INVALID_FIELD, "subject_id", "a collective record names its own unit"
    if data.get("head_of_unit") and data.get("subject_kind") != "ca_nhan":
        return ErrorCode.INVALID_FIELD, "head_of_unit", "only a person can head a unit"
    if person is not None:
        found = definition.person(str(person))
        if found is None:
            return ErrorCode.UNKNOWN_PERSON, person_field, str(person)
        if found.unit_id != unit_id:
            return ErrorCode.PERSON_NOT_IN_UNIT, person_field, str(person)
    if isinstance(row, HeadcountRecorded) and row.women > row.headcount:
        return ErrorCode.VALUE_OUT_OF_RANGE, "women", f"> {row.headcount}"
    # Someone recruited after the movement's year has no service in it: a mistyped year.
    if isinstance(row, RecruitmentRecorded) and row.recruited_on.year > definition.year:
        return ErrorCode.VALUE_OUT_OF_RANGE, "recruited_on", f"> {definition.year}"
    return None

"""Registration (đăng ký thi đua) of a unit: commitments against targets, titles sought."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from thidua_contracts.commands import RegisterIndividual, RegisterUnit
from thidua_contracts.envelope import Envelope
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import Commitment, EventPayload, IndividualRegistered, UnitRegistered
from thidua_contracts.movement import MovementDefinition

from .access import require_unit_clerk
from .movement import require_unit


class RegistrationState(BaseModel):
    model_config = ConfigDict(frozen=True)

    registered: bool = False
    event_id: str | None = None


def initial() -> RegistrationState:
    return RegistrationState()


def decide_register(
    command: RegisterUnit, definition: MovementDefinition, state: RegistrationState
) -> list[EventPayload]:
    require_unit(definition, command.unit_id)
    require_unit_clerk(command.actor, command.unit_id)
    if state.registered:
        raise Rejected(ErrorCode.DUPLICATE_REGISTRATION, "unit_id", command.unit_id)
    _check_commitments(command.commitments, command.titles_sought, definition)
    if not definition.period_from <= command.registered_on <= definition.period_to:
        raise Rejected(ErrorCode.VALUE_OUT_OF_RANGE, "registered_on", "outside the period")
    return [
        UnitRegistered(
            unit_id=command.unit_id,
            titles_sought=list(command.titles_sought),
            commitments=list(command.commitments),
            registered_on=command.registered_on,
            late=command.registered_on > definition.registration_due_on,
        )
    ]


def evolve(
    state: RegistrationState, envelope: Envelope, payload: EventPayload
) -> RegistrationState:
    if isinstance(payload, UnitRegistered | IndividualRegistered):
        return RegistrationState(registered=True, event_id=envelope.event_id)
    return state


def decide_register_individual(
    command: RegisterIndividual,
    definition: MovementDefinition,
    unit_of_person: str | None,
    state: RegistrationState,
) -> list[EventPayload]:
    """An individual registers through their unit's clerk (đăng ký thi đua cá nhân)."""
    require_unit(definition, command.unit_id)
    require_unit_clerk(command.actor, command.unit_id)
    if unit_of_person is None:
        raise Rejected(ErrorCode.UNKNOWN_PERSON, "person_id", command.person_id)
    if unit_of_person != command.unit_id:
        raise Rejected(ErrorCode.PERSON_NOT_IN_UNIT, "person_id", command.person_id)
    if state.registered:
        raise Rejected(ErrorCode.DUPLICATE_REGISTRATION, "person_id", command.person_id)
    _check_commitments(command.commitments, command.titles_sought, definition)
    if not definition.period_from <= command.registered_on <= definition.period_to:
        raise Rejected(ErrorCode.VALUE_OUT_OF_RANGE, "registered_on", "outside the period")
    return [
        IndividualRegistered(
            unit_id=command.unit_id,
            person_id=command.person_id,
            titles_sought=list(command.titles_sought),
            commitments=list(command.commitments),
            registered_on=command.registered_on,
            late=command.registered_on > definition.registration_due_on,
        )
    ]


def _check_commitments(
    commitments: list[Commitment], titles: list[str], definition: MovementDefinition
) -> None:
    targets = {t.code for t in definition.targets}
    for i, commitment in enumerate(commitments):
        if commitment.target_code not in targets:
            raise Rejected(
                ErrorCode.UNKNOWN_TARGET, f"commitments.{i}.target_code", commitment.target_code
            )
    for i, code in enumerate(titles):
        if definition.award_form(code) is None:
            raise Rejected(ErrorCode.UNKNOWN_AWARD_FORM, f"titles_sought.{i}", code)

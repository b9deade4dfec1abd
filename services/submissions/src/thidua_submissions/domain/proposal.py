"""A unit's proposal (đề nghị khen thưởng) of one of its people, or itself, for an award form."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from thidua_contracts.commands import ProposeAward
from thidua_contracts.envelope import Envelope
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import AwardProposed, EventPayload
from thidua_contracts.movement import MovementDefinition

from .access import require_unit_clerk
from .movement import require_unit


class ProposalState(BaseModel):
    model_config = ConfigDict(frozen=True)

    proposed: bool = False


def initial() -> ProposalState:
    return ProposalState()


def decide_propose(
    command: ProposeAward,
    definition: MovementDefinition,
    registered: bool,
    state: ProposalState,
    unit_of_person: str | None = None,
) -> list[EventPayload]:
    require_unit(definition, command.unit_id)
    require_unit_clerk(command.actor, command.unit_id)
    if state.proposed:
        raise Rejected(ErrorCode.DUPLICATE_PROPOSAL, "proposal_id", command.proposal_id)
    if not registered:
        raise Rejected(ErrorCode.NOT_REGISTERED, "unit_id", command.unit_id)
    form = definition.award_form(command.award_code)
    if form is None:
        raise Rejected(ErrorCode.UNKNOWN_AWARD_FORM, "award_code", command.award_code)
    if command.subject_kind not in form.subjects:
        raise Rejected(
            ErrorCode.INVALID_FIELD, "subject_kind", f"{form.code} ≠ {command.subject_kind}"
        )
    if command.year != definition.year:
        raise Rejected(ErrorCode.VALUE_OUT_OF_RANGE, "year", str(definition.year))
    if command.subject_kind == "ca_nhan":
        person = definition.person(command.subject_id)
        if person is None:
            raise Rejected(ErrorCode.UNKNOWN_PERSON, "subject_id", command.subject_id)
        # Where the person works now (after any transfer), not where the plan first listed them.
        if (unit_of_person or person.unit_id) != command.unit_id:
            raise Rejected(ErrorCode.PERSON_NOT_IN_UNIT, "subject_id", command.subject_id)
        name = person.full_name
    else:
        if command.subject_id != command.unit_id:
            raise Rejected(ErrorCode.INVALID_FIELD, "subject_id", "a unit proposes only itself")
        unit = definition.unit(command.unit_id)
        assert unit is not None
        name = unit.name
    return [
        AwardProposed(
            proposal_id=command.proposal_id,
            unit_id=command.unit_id,
            subject_kind=command.subject_kind,
            subject_id=command.subject_id,
            subject_name=name,
            award_code=command.award_code,
            year=command.year,
            achievement_summary=command.achievement_summary,
            achievement_report=command.achievement_report,
            dossier=list(command.dossier),
        )
    ]


def evolve(state: ProposalState, envelope: Envelope, payload: EventPayload) -> ProposalState:
    if isinstance(payload, AwardProposed):
        return ProposalState(proposed=True)
    return state

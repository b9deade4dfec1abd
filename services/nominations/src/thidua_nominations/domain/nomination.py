"""The nomination aggregate: one proposal from appraisal to the council's vote (DOMAIN §5.1)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from thidua_contracts.envelope import Envelope
from thidua_contracts.events import (
    BallotOutcomeDecided,
    BallotTallied,
    EligibilityAssessed,
    EventPayload,
)


class NominationState(BaseModel):
    model_config = ConfigDict(frozen=True)

    eligibility: EligibilityAssessed | None = None
    eligibility_event_id: str | None = None
    tally_event_id: str | None = None
    outcome: BallotOutcomeDecided | None = None
    outcome_event_id: str | None = None

    @property
    def status(self) -> str:
        if self.eligibility is None:
            return "RECEIVED"
        if not self.eligibility.eligible:
            return "APPRAISED_INELIGIBLE"
        if self.outcome is None:
            return "APPRAISED_ELIGIBLE"
        return "COUNCIL_VOTED_PASS" if self.outcome.passed else "COUNCIL_VOTED_FAIL"


def initial() -> NominationState:
    return NominationState()


def evolve(state: NominationState, envelope: Envelope, payload: EventPayload) -> NominationState:
    if isinstance(payload, EligibilityAssessed):
        return state.model_copy(
            update={"eligibility": payload, "eligibility_event_id": envelope.event_id}
        )
    if isinstance(payload, BallotTallied):
        return state.model_copy(
            update={"tally_event_id": envelope.event_id, "outcome": None, "outcome_event_id": None}
        )
    if isinstance(payload, BallotOutcomeDecided):
        return state.model_copy(update={"outcome": payload, "outcome_event_id": envelope.event_id})
    return state

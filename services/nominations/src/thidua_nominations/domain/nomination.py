"""The nomination aggregate: one proposal from receipt to the council's vote (DOMAIN §5.1)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from thidua_contracts.envelope import Envelope
from thidua_contracts.events import (
    BallotOutcomeDecided,
    BallotTallied,
    DossierItem,
    DossierSupplemented,
    EligibilityAssessed,
    EventPayload,
    NominationExcluded,
    SupplementRequested,
)


class NominationState(BaseModel):
    model_config = ConfigDict(frozen=True)

    eligibility: EligibilityAssessed | None = None
    eligibility_event_id: str | None = None
    eligibility_on: date | None = None
    tally_event_id: str | None = None
    tally_on: date | None = None
    outcome: BallotOutcomeDecided | None = None
    outcome_event_id: str | None = None
    supplement: SupplementRequested | None = None
    supplemented: list[DossierItem] | None = None
    excluded: NominationExcluded | None = None

    @property
    def status(self) -> str:
        if self.eligibility is None:
            if self.supplement is not None and self.supplemented is None:
                return "RETURNED_FOR_SUPPLEMENT"
            return "RECEIVED"
        if not self.eligibility.eligible:
            return "APPRAISED_INELIGIBLE"
        if self.excluded is not None and self.excluded.reason_code == "objection_upheld":
            return "EXCLUDED_BY_OBJECTION"
        if self.outcome is None:
            return "APPRAISED_ELIGIBLE"
        if not self.outcome.passed:
            return "COUNCIL_VOTED_FAIL"
        if self.excluded is not None:
            return "QUOTA_TIE" if self.excluded.reason_code == "quota_tie" else "EXCLUDED_BY_QUOTA"
        return "COUNCIL_VOTED_PASS"

    @property
    def passed(self) -> bool:
        """Passed the council and kept within the quota: may be decided or proposed upward."""
        return self.status == "COUNCIL_VOTED_PASS"


def initial() -> NominationState:
    return NominationState()


def evolve(state: NominationState, envelope: Envelope, payload: EventPayload) -> NominationState:
    if isinstance(payload, EligibilityAssessed):
        return state.model_copy(
            update={
                "eligibility": payload,
                "eligibility_event_id": envelope.event_id,
                "eligibility_on": date.fromisoformat(envelope.occurred_at[:10]),
            }
        )
    if isinstance(payload, BallotTallied):
        # A new ballot (a re-vote after a tie at the quota's edge) replaces the last verdict.
        excluded = state.excluded
        if excluded is not None and excluded.reason_code == "quota_tie":
            excluded = None
        return state.model_copy(
            update={
                "tally_event_id": envelope.event_id,
                "tally_on": payload.session_date,
                "outcome": None,
                "outcome_event_id": None,
                "excluded": excluded,
            }
        )
    if isinstance(payload, BallotOutcomeDecided):
        return state.model_copy(update={"outcome": payload, "outcome_event_id": envelope.event_id})
    if isinstance(payload, SupplementRequested):
        return state.model_copy(update={"supplement": payload})
    if isinstance(payload, DossierSupplemented):
        return state.model_copy(update={"supplemented": list(payload.items)})
    if isinstance(payload, NominationExcluded):
        return state.model_copy(update={"excluded": payload})
    return state

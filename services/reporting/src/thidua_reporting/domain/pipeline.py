"""Where a proposal stands on its way to an award: DOMAIN §5.1's state names (pure).

The log does not record DRAFT or SUBMITTED: a proposal enters it when the Phòng Nội vụ receives
it. EXCLUDED is not in §5.1's diagram: a nominee who passed the ballot but fell outside the
quota (§3.1), or whose public notice drew an objection that was upheld.
"""

from __future__ import annotations

RECEIVED = "RECEIVED"
RETURNED_FOR_SUPPLEMENT = "RETURNED_FOR_SUPPLEMENT"
PUBLIC_NOTICE = "PUBLIC_NOTICE"
EXCLUDED = "EXCLUDED"
NOTIFIED_REJECTED = "NOTIFIED_REJECTED"
REVOKED = "REVOKED"
APPRAISED_ELIGIBLE = "APPRAISED_ELIGIBLE"
APPRAISED_INELIGIBLE = "APPRAISED_INELIGIBLE"
COUNCIL_VOTED_PASS = "COUNCIL_VOTED_PASS"
COUNCIL_VOTED_FAIL = "COUNCIL_VOTED_FAIL"
DECIDED = "DECIDED"
ISSUED = "ISSUED"
FORWARDED_UPWARD = "FORWARDED_UPWARD"
DECIDED_BY_HIGHER = "DECIDED_BY_HIGHER"
REJECTED_BY_HIGHER = "REJECTED_BY_HIGHER"

# In workflow order, for tables that list states the way staff read the procedure.
STATES = (
    RECEIVED,
    RETURNED_FOR_SUPPLEMENT,
    APPRAISED_ELIGIBLE,
    APPRAISED_INELIGIBLE,
    PUBLIC_NOTICE,
    COUNCIL_VOTED_PASS,
    COUNCIL_VOTED_FAIL,
    EXCLUDED,
    NOTIFIED_REJECTED,
    FORWARDED_UPWARD,
    DECIDED_BY_HIGHER,
    REJECTED_BY_HIGHER,
    DECIDED,
    ISSUED,
    REVOKED,
)

# Rejections the Phòng Nội vụ must notify, with reasons, within its working-day limit (§5.4).
TO_NOTIFY = (APPRAISED_INELIGIBLE, COUNCIL_VOTED_FAIL, EXCLUDED)


def after_appraisal(eligible: bool) -> str:
    return APPRAISED_ELIGIBLE if eligible else APPRAISED_INELIGIBLE


def after_tally() -> str:
    # A new tally (a re-vote) reopens the council's verdict until its outcome is recorded.
    return APPRAISED_ELIGIBLE


def after_outcome(passed: bool) -> str:
    return COUNCIL_VOTED_PASS if passed else COUNCIL_VOTED_FAIL


def state_order(state: str) -> int:
    return STATES.index(state) if state in STATES else len(STATES)


def after_higher_answer(decided: bool) -> str:
    return DECIDED_BY_HIGHER if decided else REJECTED_BY_HIGHER

"""Nominations: the handlers the composition root wires to events, commands and queries.

Each lives in the module named after its part of the procedure; this table only gathers them.
"""

from __future__ import annotations

from .appraisal import supplement_dossier
from .council import close_session, open_session
from .decisions import record_tally, sign_decision
from .fold import on_event
from .fund import credit_fund
from .notice import post_notice, record_objection, resolve_objection
from .notify import notify_result
from .queries import list_awards, list_nominations, list_overdue, show_fund, show_nomination
from .revocation import revoke_award
from .upward import forward_upward, record_higher_answer

__all__ = [
    "close_session",
    "credit_fund",
    "forward_upward",
    "list_awards",
    "list_nominations",
    "list_overdue",
    "notify_result",
    "on_event",
    "open_session",
    "post_notice",
    "record_higher_answer",
    "record_objection",
    "record_tally",
    "resolve_objection",
    "revoke_award",
    "show_fund",
    "show_nomination",
    "sign_decision",
    "supplement_dossier",
]

"""Reporting: fold every event into the read models, then issue the documents it calls for."""

from __future__ import annotations

from thidua_contracts.events import (
    AwardIssued,
    CityReportIssued,
    DecisionSigned,
    EventPayload,
    ProposalsForwarded,
)
from thidua_kit.host import Context
from thidua_kit.log import StoredEvent

from . import documents, reports
from .fold import fold_event


async def on_event(item: StoredEvent, payload: EventPayload, ctx: Context) -> None:
    fold_event(item, payload, ctx.store)
    # Documents follow from events on this consumer path, so a crash between a decision and its
    # papers can never strand them (DESIGN §4); ids and numbers are derived in log order.
    if isinstance(payload, DecisionSigned):
        await documents.on_decision_signed(item, payload, ctx)
    elif isinstance(payload, AwardIssued):
        await documents.on_award_issued(item, payload, ctx)
    elif isinstance(payload, ProposalsForwarded):
        await reports.on_forwarded(item, payload, ctx)
    elif isinstance(payload, CityReportIssued):
        await reports.on_city_report(item, payload, ctx)

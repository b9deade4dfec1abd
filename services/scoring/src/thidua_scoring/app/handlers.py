"""Scoring reacts to reports: each submitted version gets its computed score sheet."""

from __future__ import annotations

from typing import Any

from thidua_contracts import subjects
from thidua_contracts.commands import ShowScoreSheet
from thidua_contracts.events import (
    EventPayload,
    MovementDefined,
    ReportSubmitted,
    ScoreSheetRecorded,
)
from thidua_kit.aggregate import Aggregate
from thidua_kit.db import Store
from thidua_kit.envelopes import computed_event
from thidua_kit.host import Context, parse_payload
from thidua_kit.log import StoredEvent
from thidua_kit.settings import Settings

from ..domain import score_sheet

SHEET = Aggregate("sheet", score_sheet.SheetState, score_sheet.initial, score_sheet.evolve)


async def on_event(item: StoredEvent, payload: EventPayload, ctx: Context) -> None:
    if isinstance(payload, MovementDefined):
        ctx.store.put("movement", payload.definition.movement_id, item, item.sequence)
    elif isinstance(payload, ReportSubmitted):
        await _score(item, payload, ctx)
    elif isinstance(payload, ScoreSheetRecorded):
        SHEET.fold(ctx.store, item, payload)


async def _score(item: StoredEvent, report: ReportSubmitted, ctx: Context) -> None:
    movement_id = item.envelope.movement_id
    movement, _ = ctx.store.get("movement", movement_id, StoredEvent)
    if movement is None:
        raise LookupError(f"report for unknown movement {movement_id}")
    definition = MovementDefined.model_validate(movement.envelope.payload).definition
    subject = ctx.subject("sheet", movement_id, report.unit_id, report.round.value)
    state, _ = SHEET.load(ctx.store, subject)
    if state.sheet is not None and state.sheet.report_version >= report.report_version:
        return  # already scored (a redelivery after a crash)
    sheet = score_sheet.score(report, definition.scoring_table)
    event = computed_event(
        cause=item.envelope,
        index=0,
        subject=subject,
        payload=sheet,
        inputs=[item, movement],
        rules=score_sheet.table_rules(definition),
    )
    await SHEET.append(ctx.store, ctx.log, subject, [event], parse_payload)


def show_sheet(query: ShowScoreSheet, store: Store, settings: Settings) -> Any:
    subject = subjects.event_subject(
        settings.subject_prefix,
        "scoring",
        "sheet",
        query.movement_id,
        query.unit_id,
        query.round.value,
    )
    state, last_seq = SHEET.load(store, subject)
    if state.sheet is None:
        return None
    return {
        "sequence": last_seq,
        "event_id": state.event_id,
        "sheet": state.sheet.model_dump(mode="json"),
    }

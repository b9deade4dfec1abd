"""Scoring reacts to the log: each report version gets its sheet, an appraisal a new sheet, and
a closing round the missing units' sheets and every block's ranking."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict

from thidua_contracts import subjects
from thidua_contracts.commands import (
    AppraiseScore,
    RecordBlockBallot,
    RecordCrossScores,
    ShowBlockRanking,
    ShowScoreSheet,
)
from thidua_contracts.envelope import Role
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import (
    BlockBallotTallied,
    BlockRanked,
    CriterionChange,
    CrossScoresRecorded,
    DisciplineRecorded,
    EventPayload,
    MovementAmended,
    MovementDefined,
    PenaltyLine,
    ReportSubmitted,
    RoundClosed,
    ScoreAppraised,
    ScoreSheetRecorded,
    UnitRegistered,
)
from thidua_contracts.movement import MovementDefinition
from thidua_kit.aggregate import Aggregate
from thidua_kit.db import Store
from thidua_kit.definitions import definition_of
from thidua_kit.envelopes import computed_event, human_event
from thidua_kit.host import Context, parse_payload
from thidua_kit.log import StoredEvent
from thidua_kit.settings import Settings

from ..domain import block_ballot, cross_scoring, ranking, score_sheet

SHEET = Aggregate("sheet", score_sheet.SheetState, score_sheet.initial, score_sheet.evolve)
# Index offsets keep the ids of decisions caused by one RoundClosed apart.
RANKING_INDEX = 100_000


def _movement(ctx: Context, movement_id: str) -> tuple[MovementDefinition, StoredEvent]:
    seen, _ = ctx.store.get("movement", movement_id, StoredEvent)
    if seen is None:
        raise LookupError(f"unknown movement {movement_id}")
    return definition_of(seen), seen


def _block_of(definition: MovementDefinition, unit_id: str) -> str | None:
    unit = definition.unit(unit_id)
    return unit.block_id if unit else None


async def on_event(item: StoredEvent, payload: EventPayload, ctx: Context) -> None:
    m = item.envelope.movement_id
    if isinstance(payload, MovementDefined | MovementAmended):
        ctx.store.put("movement", m, item, item.sequence)
    elif isinstance(payload, UnitRegistered):
        ctx.store.put("registration", f"{m}/{payload.unit_id}", item, item.sequence)
    elif isinstance(payload, DisciplineRecorded) and payload.subject_kind == "tap_the":
        ctx.store.put("discipline", f"{m}/{payload.unit_id}/{payload.year}", item, item.sequence)
    elif isinstance(payload, DisciplineRecorded) and payload.head_of_unit:
        key = f"{m}/{payload.unit_id}/{payload.year}"
        ctx.store.put("head-discipline", key, item, item.sequence)
    elif isinstance(payload, ReportSubmitted):
        ctx.store.put("report", f"{m}/{payload.unit_id}/{payload.round.value}", item, item.sequence)
        await _score(item, payload, None, ctx)
    elif isinstance(payload, ScoreAppraised | CrossScoresRecorded):
        SHEET.fold(ctx.store, item, payload)
        key = f"{m}/{payload.unit_id}/{payload.round.value}"
        kind = "appraisal" if isinstance(payload, ScoreAppraised) else "cross"
        kept = ctx.store.get(kind, key, _Acts)[0] or _Acts()
        if all(a.envelope.event_id != item.envelope.event_id for a in kept.items):
            ctx.store.put(kind, key, _Acts(items=[*kept.items, item]), item.sequence)
        report, _ = ctx.store.get("report", key, StoredEvent)
        if report is None:
            raise LookupError(f"{kind} for a unit without a report: {payload.unit_id}")
        await _score(
            item, ReportSubmitted.model_validate(report.envelope.payload), report, ctx, agreed=True
        )
    elif isinstance(payload, BlockBallotTallied):
        await _honour(item, payload, ctx)
    elif isinstance(payload, ScoreSheetRecorded):
        SHEET.fold(ctx.store, item, payload)
        _latest_sheet(ctx, item)
    elif isinstance(payload, BlockRanked):
        ctx.store.put("ranking", item.envelope.subject, item, item.sequence)
    elif isinstance(payload, RoundClosed):
        await _close(item, payload, ctx)


def _latest_sheet(ctx: Context, item: StoredEvent) -> None:
    """The newest sheet of a unit and round, for the rankings' inputs. A sheet this service
    appended for an amended report is newer than the first report's sheet folded after it: when
    both reports came before either was scored, the log holds the first sheet after the second
    report, and folding it must not make it the newest again (a round closed in between was
    then ranked on the superseded sheet, depending on when the sheets were appended)."""
    held, _ = ctx.store.get("sheet-event", item.envelope.subject, StoredEvent)
    if held is None or held.sequence < item.sequence:
        ctx.store.put("sheet-event", item.envelope.subject, item, item.sequence)


class _Acts(BaseModel):
    """Human acts on one sheet (cross scores, appraisals), in log order."""

    model_config = ConfigDict(frozen=True)

    items: list[StoredEvent] = []


def _agreed_changes(
    ctx: Context, key: str
) -> tuple[list[CriterionChange], list[PenaltyLine], list[PenaltyLine], list[StoredEvent]]:
    """Cross scores agree the points first; an appraisal then overrides what it names."""
    cross_acts = (ctx.store.get("cross", key, _Acts)[0] or _Acts()).items
    appraisals = (ctx.store.get("appraisal", key, _Acts)[0] or _Acts()).items
    changes = {
        c.criterion_code: c
        for c in cross_scoring.agreed(
            [CrossScoresRecorded.model_validate(a.envelope.payload) for a in cross_acts]
        )
    }
    bonuses: list[PenaltyLine] = []
    penalties: list[PenaltyLine] = []
    for act in appraisals:
        appraisal = ScoreAppraised.model_validate(act.envelope.payload)
        for change in appraisal.changes:
            changes[change.criterion_code] = change
        if appraisal.bonuses or appraisal.penalties:  # the latest appraisal's stand
            bonuses, penalties = list(appraisal.bonuses), list(appraisal.penalties)
    return list(changes.values()), bonuses, penalties, [*cross_acts, *appraisals]


async def _score(
    cause: StoredEvent,
    report: ReportSubmitted,
    report_event: StoredEvent | None,
    ctx: Context,
    agreed: bool = False,
) -> None:
    m = cause.envelope.movement_id
    definition, movement = _movement(ctx, m)
    subject = ctx.subject("sheet", m, report.unit_id, report.round.value)
    state, _ = SHEET.load(ctx.store, subject)
    if (
        not agreed
        and state.sheet is not None
        and state.sheet.basis != "missing"
        and state.sheet.report_version >= report.report_version
    ):
        return  # this version is scored already (a redelivery)
    changes, bonuses, penalties, acts = _agreed_changes(
        ctx, f"{m}/{report.unit_id}/{report.round.value}"
    )
    registration, _ = ctx.store.get("registration", f"{m}/{report.unit_id}", StoredEvent)
    committed = {
        c["target_code"]: Decimal(c["value"])
        for c in (registration.envelope.payload.get("commitments", []) if registration else [])
    }
    block = _block_of(definition, report.unit_id)
    sheet = score_sheet.score(
        report,
        definition.table_for(block or ""),
        definition.scoring_rules,
        committed,
        changes or None,
        block,
        bonuses,
        penalties,
    )
    inputs = [cause, movement, *(a for a in acts if a.sequence != cause.sequence)]
    if report_event is not None:
        inputs.insert(1, report_event)
    if registration is not None:
        inputs.append(registration)
    event = computed_event(
        cause.envelope, 0, subject, sheet, inputs, score_sheet.table_rules(definition, block)
    )
    for stored in await SHEET.append(ctx.store, ctx.log, subject, [event], parse_payload):
        _latest_sheet(ctx, stored)


async def _close(item: StoredEvent, closed: RoundClosed, ctx: Context) -> None:
    m = item.envelope.movement_id
    definition, movement = _movement(ctx, m)
    rules = definition.scoring_rules
    for index, unit_id in enumerate(closed.missing_unit_ids):
        unit_block = _block_of(definition, unit_id)
        subject = ctx.subject("sheet", m, unit_id, closed.round.value)
        if SHEET.load(ctx.store, subject)[0].sheet is not None:
            continue
        sheet = score_sheet.missing(
            unit_id, closed.round, definition.table_for(unit_block or ""), rules, unit_block
        )
        event = computed_event(
            item.envelope,
            index,
            subject,
            sheet,
            [item, movement],
            score_sheet.table_rules(definition, unit_block),
        )
        for stored in await SHEET.append(ctx.store, ctx.log, subject, [event], parse_payload):
            _latest_sheet(ctx, stored)
    year = definition.year
    for index, block in enumerate(definition.blocks):
        members = [
            u.unit_id
            for u in definition.units
            if u.block_id == block.block_id and u.ended_on is None
        ]
        sheets: dict[str, ScoreSheetRecorded] = {}
        inputs = [item, movement]
        for unit_id in members:
            latest, _ = ctx.store.get(
                "sheet-event", ctx.subject("sheet", m, unit_id, closed.round.value), StoredEvent
            )
            if latest is not None:
                sheets[unit_id] = ScoreSheetRecorded.model_validate(latest.envelope.payload)
                inputs.append(latest)
        if not sheets:
            continue
        disciplined = {}
        for unit_id in members:
            record, _ = ctx.store.get("discipline", f"{m}/{unit_id}/{year}", StoredEvent)
            head, _ = ctx.store.get("head-discipline", f"{m}/{unit_id}/{year}", StoredEvent)
            if record is not None:
                disciplined[unit_id] = "Tập thể bị kỷ luật trong năm"
                inputs.append(record)
            elif head is not None:
                disciplined[unit_id] = "Người đứng đầu bị kỷ luật trong năm"
                inputs.append(head)
        table = definition.table_for(block.block_id)
        ranked = ranking.rank(block.block_id, closed.round, sheets, table, rules, disciplined)
        subject = ctx.subject("ranking", m, block.block_id, closed.round.value)
        event = computed_event(
            item.envelope,
            RANKING_INDEX + index,
            subject,
            ranked,
            inputs,
            score_sheet.table_rules(definition, block.block_id),
        )
        if ctx.log.in_log(event) or await ctx.log.last_subject_sequence(subject):
            continue  # ranked already (a redelivery after the append, or a rebuild)
        for stored in await ctx.log.append([event], 0):
            ctx.store.put("ranking", subject, stored, stored.sequence)


async def _honour(item: StoredEvent, tally: BlockBallotTallied, ctx: Context) -> None:
    if ctx.store.get("honoured", item.envelope.event_id, StoredEvent)[0] is not None:
        return  # decided already (a redelivery)
    definition, movement = _movement(ctx, item.envelope.movement_id)
    names = {u.unit_id: u.name for u in definition.units}
    honoured = block_ballot.decide_honour(tally, definition.scoring_rules, names)
    event = computed_event(
        item.envelope,
        0,
        item.envelope.subject,
        honoured,
        [item, movement],
        score_sheet.table_rules(definition, tally.block_id),
    )
    for stored in await ctx.log.append_at_end([event]):
        ctx.store.put("honoured", item.envelope.event_id, stored, stored.sequence)
        ctx.store.put("honour", item.envelope.subject, stored, stored.sequence)


async def record_block_ballot(command: RecordBlockBallot, ctx: Context) -> list[StoredEvent]:
    definition, _ = _movement(ctx, command.movement_id)
    tally = block_ballot.decide_ballot(command, definition)
    subject = ctx.subject("ballot", command.movement_id, command.block_id, command.round.value)
    last = await ctx.log.last_subject_sequence(subject)
    return await ctx.log.append([human_event(command, subject, tally, ctx.now)], last)


async def record_cross_scores(command: RecordCrossScores, ctx: Context) -> list[StoredEvent]:
    """A member unit's clerk scores another unit of the same block."""
    definition, _ = _movement(ctx, command.movement_id)
    unit, scorer = (
        definition.active_unit(command.unit_id),
        definition.active_unit(command.scorer_unit_id),
    )
    if unit is None:
        raise Rejected(ErrorCode.UNKNOWN_UNIT, "unit_id", command.unit_id)
    if scorer is None or scorer.block_id != unit.block_id or scorer.unit_id == unit.unit_id:
        raise Rejected(ErrorCode.INVALID_FIELD, "scorer_unit_id", "another unit of the block")
    actor = command.actor
    if actor.role != Role.UNIT_CLERK or actor.unit != scorer.unit_id:
        raise Rejected(ErrorCode.FORBIDDEN, "actor", f"{actor.role.value}/{actor.unit}")
    maxima = {c.code: Decimal(c.max_points) for c in definition.table_for(unit.block_id)}
    for i, score in enumerate(command.scores):
        if score.criterion_code not in maxima:
            raise Rejected(
                ErrorCode.UNKNOWN_CRITERION, f"scores.{i}.criterion_code", score.criterion_code
            )
        if not Decimal(0) <= Decimal(score.points) <= maxima[score.criterion_code]:
            raise Rejected(
                ErrorCode.VALUE_OUT_OF_RANGE,
                f"scores.{i}.points",
                f"0..{maxima[score.criterion_code]}",
            )
    subject = ctx.subject("sheet", command.movement_id, command.unit_id, command.round.value)
    if SHEET.load(ctx.store, subject)[0].sheet is None:
        raise Rejected(ErrorCode.WRONG_STATE, "unit_id", "no scored report yet")
    recorded = CrossScoresRecorded(
        unit_id=command.unit_id,
        round=command.round,
        scorer_unit_id=command.scorer_unit_id,
        scores=list(command.scores),
    )
    return await SHEET.append(
        ctx.store,
        ctx.log,
        subject,
        [human_event(command, subject, recorded, ctx.now)],
        parse_payload,
    )


async def appraise(command: AppraiseScore, ctx: Context) -> list[StoredEvent]:
    """Thẩm định by the Phòng Nội vụ; the new sheet follows on the consumer path."""
    if command.actor.role != Role.PHONG_NOI_VU:
        raise Rejected(ErrorCode.FORBIDDEN, "actor.role", command.actor.role.value)
    subject = ctx.subject("sheet", command.movement_id, command.unit_id, command.round.value)
    state, _ = SHEET.load(ctx.store, subject)
    if state.sheet is None or state.sheet.basis == "missing":
        raise Rejected(ErrorCode.WRONG_STATE, "unit_id", "no scored report to appraise")
    maxima = {line.criterion_code: Decimal(line.max_points) for line in state.sheet.lines}
    for i, change in enumerate(command.changes):
        if change.criterion_code not in maxima:
            raise Rejected(
                ErrorCode.UNKNOWN_CRITERION, f"changes.{i}.criterion_code", change.criterion_code
            )
        if not Decimal(0) <= Decimal(change.points) <= maxima[change.criterion_code]:
            raise Rejected(
                ErrorCode.VALUE_OUT_OF_RANGE,
                f"changes.{i}.points",
                f"0..{maxima[change.criterion_code]}",
            )
    appraised = ScoreAppraised(
        unit_id=command.unit_id,
        round=command.round,
        changes=list(command.changes),
        bonuses=list(command.bonuses),
        penalties=list(command.penalties),
    )
    return await SHEET.append(
        ctx.store,
        ctx.log,
        subject,
        [human_event(command, subject, appraised, ctx.now)],
        parse_payload,
    )


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


def show_ranking(query: ShowBlockRanking, store: Store, settings: Settings) -> Any:
    keys = (settings.subject_prefix, "scoring")
    where = (query.movement_id, query.block_id, query.round.value)
    seen, _ = store.get("ranking", subjects.event_subject(*keys, "ranking", *where), StoredEvent)
    if seen is None:
        return None
    honour, _ = store.get("honour", subjects.event_subject(*keys, "ballot", *where), StoredEvent)
    return {
        "sequence": seen.sequence,
        **seen.envelope.payload,
        "ballot": honour.envelope.payload if honour else None,
    }

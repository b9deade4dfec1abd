"""Command handlers: load state, decide, append with the expected sequence, store."""

from __future__ import annotations

from typing import Any

from thidua_contracts.commands import (
    AmendMovement,
    AssignBlockLeadership,
    CloseRound,
    DefineMovement,
    ImportRecords,
    MergeUnits,
    MoveUnitToBlock,
    OpenRound,
    ProposeAward,
    PublishMovement,
    RegisterIndividual,
    RegisterUnit,
    RenameUnit,
    ShowMovement,
    SignCovenant,
    SplitUnit,
    SubmitReport,
    TransferPerson,
    WithdrawReport,
)
from thidua_contracts.events import (
    AwardProposed,
    BlockLeadershipAssigned,
    BlockMembershipChanged,
    CovenantSigned,
    EventPayload,
    IndividualRegistered,
    MovementAmended,
    MovementDefined,
    MovementPublished,
    PersonTransferred,
    ReportSubmitted,
    ReportWithdrawn,
    RoundClosed,
    RoundOpened,
    UnitRegistered,
    UnitRenamed,
    UnitsMerged,
    UnitSplit,
)
from thidua_contracts.movement import MovementDefinition
from thidua_kit.aggregate import Aggregate
from thidua_kit.db import Store
from thidua_kit.envelopes import human_event
from thidua_kit.host import Context, parse_payload
from thidua_kit.log import StoredEvent
from thidua_kit.settings import Settings

from ..domain import covenant, movement, proposal, records, registration, report
from ..domain import round as round_

MOVEMENT = Aggregate("movement", movement.MovementState, movement.initial, movement.evolve)
REGISTRATION = Aggregate(
    "registration", registration.RegistrationState, registration.initial, registration.evolve
)
REPORT = Aggregate("report", report.ReportState, report.initial, report.evolve)
PROPOSAL = Aggregate("proposal", proposal.ProposalState, proposal.initial, proposal.evolve)
COVENANT = Aggregate("covenant", covenant.CovenantState, covenant.initial, covenant.evolve)
ROUND = Aggregate("round", round_.RoundState, round_.initial, round_.evolve)

OWN: dict[type[EventPayload], Aggregate[Any]] = {
    MovementDefined: MOVEMENT,
    MovementAmended: MOVEMENT,
    MovementPublished: MOVEMENT,
    PersonTransferred: MOVEMENT,
    UnitRenamed: MOVEMENT,
    UnitsMerged: MOVEMENT,
    UnitSplit: MOVEMENT,
    BlockMembershipChanged: MOVEMENT,
    BlockLeadershipAssigned: MOVEMENT,
    CovenantSigned: COVENANT,
    RoundOpened: ROUND,
    RoundClosed: ROUND,
    IndividualRegistered: REGISTRATION,
    UnitRegistered: REGISTRATION,
    ReportSubmitted: REPORT,
    ReportWithdrawn: REPORT,
    AwardProposed: PROPOSAL,
}


def _definition(ctx: Context, movement_id: str) -> MovementDefinition:
    state, _ = MOVEMENT.load(ctx.store, ctx.subject("movement", movement_id))
    movement.require_defined(state, movement_id)
    return state.effective()


def _registered(ctx: Context, movement_id: str, unit_id: str) -> bool:
    state, _ = REGISTRATION.load(ctx.store, ctx.subject("registration", movement_id, unit_id))
    return state.registered


async def _append(
    ctx: Context,
    aggregate: Aggregate[Any],
    subject: str,
    command: Any,
    payloads: list[EventPayload],
    correlation_id: str | None = None,
) -> list[StoredEvent]:
    events = [human_event(command, subject, p, ctx.now, correlation_id) for p in payloads]
    return await aggregate.append(ctx.store, ctx.log, subject, events, parse_payload)


async def define_movement(command: DefineMovement, ctx: Context) -> list[StoredEvent]:
    subject = ctx.subject("movement", command.movement_id)
    state, _ = MOVEMENT.load(ctx.store, subject)
    return await _append(ctx, MOVEMENT, subject, command, movement.decide_define(command, state))


async def _change_movement(command: Any, ctx: Context, decide: Any) -> list[StoredEvent]:
    subject = ctx.subject("movement", command.movement_id)
    state, _ = MOVEMENT.load(ctx.store, subject)
    return await _append(ctx, MOVEMENT, subject, command, decide(command, state))


async def amend_movement(command: AmendMovement, ctx: Context) -> list[StoredEvent]:
    return await _change_movement(command, ctx, movement.decide_amend)


async def publish_movement(command: PublishMovement, ctx: Context) -> list[StoredEvent]:
    return await _change_movement(command, ctx, movement.decide_publish)


async def transfer_person(command: TransferPerson, ctx: Context) -> list[StoredEvent]:
    return await _change_movement(command, ctx, movement.decide_transfer)


async def rename_unit(command: RenameUnit, ctx: Context) -> list[StoredEvent]:
    return await _change_movement(command, ctx, movement.decide_rename)


async def merge_units(command: MergeUnits, ctx: Context) -> list[StoredEvent]:
    return await _change_movement(command, ctx, movement.decide_merge)


async def split_unit(command: SplitUnit, ctx: Context) -> list[StoredEvent]:
    return await _change_movement(command, ctx, movement.decide_split)


async def move_unit_to_block(command: MoveUnitToBlock, ctx: Context) -> list[StoredEvent]:
    return await _change_movement(command, ctx, movement.decide_move_to_block)


async def assign_block_leadership(
    command: AssignBlockLeadership, ctx: Context
) -> list[StoredEvent]:
    return await _change_movement(command, ctx, movement.decide_leadership)


async def sign_covenant(command: SignCovenant, ctx: Context) -> list[StoredEvent]:
    definition = _definition(ctx, command.movement_id)
    subject = ctx.subject("covenant", command.movement_id, command.block_id)
    state, _ = COVENANT.load(ctx.store, subject)
    return await _append(
        ctx, COVENANT, subject, command, covenant.decide_sign(command, definition, state)
    )


async def register_individual(command: RegisterIndividual, ctx: Context) -> list[StoredEvent]:
    movement_state, _ = MOVEMENT.load(ctx.store, ctx.subject("movement", command.movement_id))
    movement.require_defined(movement_state, command.movement_id)
    definition = movement_state.effective()
    subject = ctx.subject("registration", command.movement_id, command.unit_id, command.person_id)
    state, _ = REGISTRATION.load(ctx.store, subject)
    payloads = registration.decide_register_individual(
        command, definition, movement_state.unit_of(command.person_id), state
    )
    return await _append(ctx, REGISTRATION, subject, command, payloads)


async def register(command: RegisterUnit, ctx: Context) -> list[StoredEvent]:
    definition = _definition(ctx, command.movement_id)
    subject = ctx.subject("registration", command.movement_id, command.unit_id)
    state, _ = REGISTRATION.load(ctx.store, subject)
    payloads = registration.decide_register(command, definition, state)
    return await _append(ctx, REGISTRATION, subject, command, payloads)


async def submit_report(command: SubmitReport, ctx: Context) -> list[StoredEvent]:
    definition = _definition(ctx, command.movement_id)
    subject = ctx.subject("report", command.movement_id, command.unit_id, command.round.value)
    state, _ = REPORT.load(ctx.store, subject)
    registered = _registered(ctx, command.movement_id, command.unit_id)
    round_state, _ = ROUND.load(
        ctx.store, ctx.subject("round", command.movement_id, command.round.value)
    )
    payloads = report.decide_submit(
        command, definition, registered, state, round_state, ctx.extra["calendar"]
    )
    return await _append(ctx, REPORT, subject, command, payloads)


async def open_round(command: OpenRound, ctx: Context) -> list[StoredEvent]:
    definition = _definition(ctx, command.movement_id)
    subject = ctx.subject("round", command.movement_id, command.round.value)
    state, _ = ROUND.load(ctx.store, subject)
    payloads = round_.decide_open(command, definition, state, ctx.extra["calendar"])
    return await _append(ctx, ROUND, subject, command, payloads)


async def close_round(command: CloseRound, ctx: Context) -> list[StoredEvent]:
    definition = _definition(ctx, command.movement_id)
    subject = ctx.subject("round", command.movement_id, command.round.value)
    state, _ = ROUND.load(ctx.store, subject)
    registered = [
        u.unit_id for u in definition.units if _registered(ctx, command.movement_id, u.unit_id)
    ]
    reported = {
        unit_id
        for unit_id in registered
        if REPORT.load(
            ctx.store, ctx.subject("report", command.movement_id, unit_id, command.round.value)
        )[0].standing
    }
    payloads = round_.decide_close(command, state, registered, reported)
    return await _append(ctx, ROUND, subject, command, payloads)


async def withdraw_report(command: WithdrawReport, ctx: Context) -> list[StoredEvent]:
    definition = _definition(ctx, command.movement_id)
    movement.require_unit(definition, command.unit_id)
    subject = ctx.subject("report", command.movement_id, command.unit_id, command.round.value)
    state, _ = REPORT.load(ctx.store, subject)
    return await _append(ctx, REPORT, subject, command, report.decide_withdraw(command, state))


async def propose_award(command: ProposeAward, ctx: Context) -> list[StoredEvent]:
    movement_state, _ = MOVEMENT.load(ctx.store, ctx.subject("movement", command.movement_id))
    movement.require_defined(movement_state, command.movement_id)
    definition = movement_state.effective()
    subject = ctx.subject("proposal", command.movement_id, command.proposal_id)
    state, _ = PROPOSAL.load(ctx.store, subject)
    registered = _registered(ctx, command.movement_id, command.unit_id)
    payloads = proposal.decide_propose(
        command, definition, registered, state, movement_state.unit_of(command.subject_id)
    )
    # The proposal starts a workflow that runs to the award: its id correlates every step.
    return await _append(ctx, PROPOSAL, subject, command, payloads, command.proposal_id)


async def import_records(command: ImportRecords, ctx: Context) -> list[StoredEvent]:
    definition = _definition(ctx, command.movement_id)
    rows = records.decide_import(command, definition)
    # One subject per import: its rows are appended in order, each expecting the one before.
    subject = ctx.subject("records", command.movement_id, command.command_id)
    events = [human_event(command, subject, row, ctx.now, index=i) for i, row in enumerate(rows)]
    return await ctx.log.append(events, await ctx.log.last_subject_sequence(subject))


async def on_event(item: StoredEvent, payload: EventPayload, ctx: Context) -> None:
    """Fold our own events that a writer appended but did not record (a crash, another replica)."""
    aggregate = OWN.get(type(payload))
    if aggregate is not None and item.envelope.subject.split(".")[2] == ctx.service:
        aggregate.fold(ctx.store, item, payload)


def show_movement(query: ShowMovement, store: Store, settings: Settings) -> Any:
    from thidua_contracts import subjects

    subject = subjects.event_subject(
        settings.subject_prefix, "submissions", "movement", query.movement_id
    )
    state, last_seq = MOVEMENT.load(store, subject)
    if state.definition is None:
        return None
    d = state.definition
    return {
        "movement_id": d.movement_id,
        "name": d.name,
        "units": len(d.units),
        "blocks": len(d.blocks),
        "persons": len(d.persons),
        "last_seq": last_seq,
    }

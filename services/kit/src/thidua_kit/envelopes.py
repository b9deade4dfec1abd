"""Wrapping decided payloads into envelopes: ids, time, actor, causation, inputs, rules."""

from __future__ import annotations

from collections.abc import Sequence

from thidua_contracts.commands import Command
from thidua_contracts.envelope import Envelope, InputRef, RulesRef
from thidua_contracts.events import EventPayload
from thidua_contracts.ids import derived_id

from .log import StoredEvent


def human_event(
    command: Command,
    subject: str,
    payload: EventPayload,
    occurred_at: str,
    correlation_id: str | None = None,
    index: int = 0,
) -> Envelope:
    """A human act. Its id is the command id, a UUIDv7 minted by the client when the person
    acted, so a retried command can never append twice (Nats-Msg-Id dedup); the further events
    of one act (rows of an import) take ids derived from it."""
    return Envelope(
        event_id=command.command_id if index == 0 else derived_id(command.command_id, index),
        type=payload.TYPE,
        version=payload.VERSION,
        subject=subject,
        movement_id=command.movement_id,
        occurred_at=occurred_at,
        actor=command.actor,
        causation_id=None,
        correlation_id=correlation_id or command.command_id,
        inputs=[],
        rules=None,
        payload=payload.model_dump(mode="json"),
    )


def computed_event(
    cause: Envelope,
    index: int,
    subject: str,
    payload: EventPayload,
    inputs: Sequence[StoredEvent],
    rules: RulesRef | None,
    correlation_id: str | None = None,
) -> Envelope:
    """A computed decision: deterministic id and time, so deciding again yields the same bytes."""
    return Envelope(
        event_id=derived_id(cause.event_id, index),
        type=payload.TYPE,
        version=payload.VERSION,
        subject=subject,
        movement_id=cause.movement_id,
        occurred_at=cause.occurred_at,
        actor=None,
        causation_id=cause.event_id,
        correlation_id=correlation_id or cause.correlation_id,
        inputs=[InputRef(event_id=i.envelope.event_id, sequence=i.sequence) for i in inputs],
        rules=rules,
        payload=payload.model_dump(mode="json"),
    )

"""Audit follows the whole log and answers auditors' questions from its own index."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from thidua_contracts.commands import ExplainAward
from thidua_contracts.envelope import Envelope
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import (
    AwardIssued,
    EventPayload,
    SigningKeyRotated,
)
from thidua_kit.db import Store
from thidua_kit.host import Context
from thidua_kit.log import StoredEvent
from thidua_kit.settings import Settings

from ..adapters.tables import events
from ..domain.chain import DOCUMENT, FLAGGED, REVOKED
from ..domain.chain import explain as explain_chain
from .tree import apply_rotation, batch_of, done_with, follow


async def on_event(item: StoredEvent, payload: EventPayload, ctx: Context) -> None:
    if isinstance(payload, SigningKeyRotated):
        # Before the tree grows to this sequence: its checkpoint is the new key's first.
        apply_rotation(item, payload, ctx)
    batch = batch_of(ctx)
    await follow(item.sequence, ctx, batch)
    env = item.envelope
    batch.events.append(
        {
            "sequence": item.sequence,
            "event_id": env.event_id,
            "type": env.type,
            "subject": env.subject,
            "occurred_at": env.occurred_at,
            "causation_id": env.causation_id,
            "correlation_id": env.correlation_id,
            "award_id": payload.award_id if isinstance(payload, AwardIssued) else None,
            "envelope": env.model_dump_json(),
        }
    )
    done_with(batch, ctx)


def explain(query: ExplainAward, store: Store, settings: Settings) -> Any:
    session = store.session
    row = session.execute(
        select(events.c.sequence, events.c.envelope).where(events.c.award_id == query.award_id)
    ).first()
    if row is None:
        raise Rejected(ErrorCode.UNKNOWN_AWARD, "award_id", query.award_id)

    def lookup(event_id: str) -> tuple[int, Envelope] | None:
        hit = session.execute(
            select(events.c.sequence, events.c.envelope).where(events.c.event_id == event_id)
        ).first()
        return (
            None if hit is None else (int(hit.sequence), Envelope.model_validate_json(hit.envelope))
        )

    award = (int(row.sequence), Envelope.model_validate_json(row.envelope))
    later = session.execute(
        select(events.c.sequence, events.c.envelope)
        .where(events.c.type.in_([DOCUMENT, REVOKED, FLAGGED]))
        .where(events.c.sequence > award[0])
        .order_by(events.c.sequence)
    )
    return explain_chain(
        award,
        lookup,
        ((int(r.sequence), Envelope.model_validate_json(r.envelope)) for r in later),
    )

"""Reporting: when a decision's awards are all issued, render its document and register it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from thidua_contracts.canonical import sha256_hex
from thidua_contracts.commands import ListDocuments
from thidua_contracts.events import (
    AwardIssued,
    DecisionSigned,
    DocumentRegistered,
    EventPayload,
    MovementDefined,
)
from thidua_contracts.ids import derived_id
from thidua_contracts.subjects import slugify
from thidua_kit.db import Store
from thidua_kit.envelopes import computed_event
from thidua_kit.host import Context, parse_payload
from thidua_kit.log import StoredEvent
from thidua_kit.settings import Settings

from ..adapters.docx_render import render_decision
from ..domain.decision_document import build_decision_view
from ..domain.decision_facts import decision_facts


class PendingDecision(BaseModel):
    model_config = ConfigDict(frozen=True)

    decision: StoredEvent
    awards: list[StoredEvent] = []


async def on_event(item: StoredEvent, payload: EventPayload, ctx: Context) -> None:
    seen = item
    if isinstance(payload, MovementDefined):
        ctx.store.put("movement", item.envelope.movement_id, seen, item.sequence)
    elif isinstance(payload, DecisionSigned):
        ctx.store.put(
            "decision", payload.decision_id, PendingDecision(decision=seen), item.sequence
        )
    elif isinstance(payload, AwardIssued):
        pending = ctx.store.get("decision", payload.decision_id, PendingDecision)[0]
        if pending is None:
            raise LookupError(f"award {payload.award_id} of unknown decision")
        if any(a.envelope.event_id == item.envelope.event_id for a in pending.awards):
            return
        pending = pending.model_copy(update={"awards": [*pending.awards, seen]})
        ctx.store.put("decision", payload.decision_id, pending, item.sequence)
        signed = DecisionSigned.model_validate(pending.decision.envelope.payload)
        if len(pending.awards) == len(signed.proposal_ids):
            await _issue_document(item, signed, pending, ctx)
    elif isinstance(payload, DocumentRegistered):
        ctx.store.put("document", payload.document_id, seen, item.sequence)


async def _issue_document(
    last: StoredEvent, signed: DecisionSigned, pending: PendingDecision, ctx: Context
) -> None:
    movement_id = last.envelope.movement_id
    movement = ctx.store.get("movement", movement_id, StoredEvent)[0]
    if movement is None:
        raise LookupError(f"decision in unknown movement {movement_id}")
    definition = MovementDefined.model_validate(movement.envelope.payload).definition
    awards = [AwardIssued.model_validate(a.envelope.payload) for a in pending.awards]
    data = render_decision(build_decision_view(decision_facts(definition, signed, awards)))
    name = f"quyet-dinh-{slugify(signed.number)}-{signed.signed_on.year}.docx"
    folder = ctx.settings.out_dir / movement_id
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)  # same inputs, same bytes: rewriting is harmless
    registered = DocumentRegistered(
        document_id=derived_id(last.envelope.event_id, 0),
        doc_type="quyet-dinh",
        number=signed.number,
        title=f"Quyết định số {signed.number} về việc tặng {awards[0].award_name}",
        file_name=name,
        sha256=sha256_hex(data),
        size_bytes=len(data),
        built_from_sequence=last.sequence,
        source_event_ids=[
            pending.decision.envelope.event_id,
            *[a.envelope.event_id for a in pending.awards],
        ],
    )
    subject = ctx.subject("document", movement_id, registered.document_id)
    event = computed_event(
        last.envelope,
        0,
        subject,
        registered,
        [pending.decision, *[a for a in pending.awards], movement],
        None,
    )
    existing = await ctx.log.last_subject_sequence(subject)
    # Registered already (we crashed before committing): keep what the log holds.
    stored_events = [await ctx.log.get(existing)] if existing else await ctx.log.append([event], 0)
    for stored in stored_events:
        ctx.store.put(
            "document",
            registered.document_id,
            stored,
            stored.sequence,
        )


def list_documents(query: ListDocuments, store: Store, settings: Settings) -> Any:
    rows = []
    for _key, seen, seq in store.all("document", StoredEvent):
        if seen.envelope.movement_id == query.movement_id:
            doc = parse_payload(seen.envelope)
            rows.append(
                {
                    **doc.model_dump(mode="json"),
                    "sequence": seq,
                    "path": str(
                        settings.out_dir / query.movement_id / seen.envelope.payload["file_name"]
                    ),
                }
            )
    return sorted(rows, key=lambda r: r["sequence"])

"""Issuing documents: render, write under out/<movement>/, register in the log with the SHA-256.

Each document's event id is derived from its cause and an index reserved for its kind, so that
deciding again after a crash (or a rebuild of this service's database) registers nothing twice:

- Quyết định: cause = the decision's last AwardIssued, index 0;
- Giấy khen: cause = its AwardIssued, index 1;
- Biên bản / Tờ trình: cause = DecisionSigned, index 1_000_000 / 2_000_000 + the session's place
  among the decision's sessions — far above the AwardIssued ids nominations derives from the
  same DecisionSigned (index 1…n, n ≤ 5,000 proposals per decision).
"""

from __future__ import annotations

from sqlalchemy import select

from thidua_contracts.canonical import sha256_hex
from thidua_contracts.envelope import Envelope
from thidua_contracts.events import AwardIssued, DecisionSigned, DocumentRegistered
from thidua_contracts.ids import derived_id
from thidua_contracts.subjects import slugify
from thidua_kit.envelopes import computed_event
from thidua_kit.host import Context
from thidua_kit.log import StoredEvent

from ..adapters import tables as t
from ..adapters.docx_render import render_decision
from ..domain.decision_document import build_decision_view
from ..domain.decision_facts import decision_facts
from .fold import upsert
from .queries import definition

QUYET_DINH_INDEX = 0
GIAY_KHEN_INDEX = 1
BIEN_BAN_INDEX = 1_000_000
TO_TRINH_INDEX = 2_000_000


def _stored(event_json: str, sequence: int) -> StoredEvent:
    return StoredEvent(int(sequence), Envelope.model_validate_json(event_json))


def _movement_event(ctx: Context, movement_id: str) -> StoredEvent:
    row = ctx.store.session.execute(
        select(t.movements.c.event, t.movements.c.sequence).where(
            t.movements.c.movement_id == movement_id
        )
    ).first()
    if row is None:
        raise LookupError(f"document in unknown movement {movement_id}")
    return _stored(row.event, row.sequence)


def next_number(ctx: Context, series: str, year: int) -> int:
    """The next number of a series (e.g. "BB-HĐTĐKT") in a calendar year, from 1 (NĐ30 Điều 15).

    Assigned while folding, in log order, in the same transaction as the position: a replay
    assigns the same numbers.
    """
    session = ctx.store.session
    last = session.execute(
        select(t.counters.c.last).where(t.counters.c.series == series, t.counters.c.year == year)
    ).scalar()
    number = int(last or 0) + 1
    upsert(session, t.counters, {"series": series, "year": year}, {"last": number})
    return number


async def register(
    ctx: Context,
    cause: StoredEvent,
    index: int,
    data: bytes,
    *,
    doc_type: str,
    number: str | None,
    title: str,
    file_name: str,
    inputs: list[StoredEvent],
    built_from: StoredEvent,
) -> None:
    """Write the file and append its DocumentRegistered (once; a re-decision finds it)."""
    movement_id = cause.envelope.movement_id
    folder = ctx.settings.out_dir / movement_id
    folder.mkdir(parents=True, exist_ok=True)
    (folder / file_name).write_bytes(data)  # same inputs, same bytes: rewriting is harmless
    registered = DocumentRegistered(
        document_id=derived_id(cause.envelope.event_id, index),
        doc_type=doc_type,
        number=number,
        title=title,
        file_name=file_name,
        sha256=sha256_hex(data),
        size_bytes=len(data),
        built_from_sequence=built_from.sequence,
        source_event_ids=[i.envelope.event_id for i in inputs],
    )
    subject = ctx.subject("document", movement_id, registered.document_id)
    event = computed_event(cause.envelope, index, subject, registered, inputs, None)
    existing = await ctx.log.last_subject_sequence(subject)
    # Registered already (we crashed before committing): keep what the log holds.
    if not existing:
        await ctx.log.append([event], 0)


async def on_decision_signed(item: StoredEvent, payload: DecisionSigned, ctx: Context) -> None:
    """Nothing yet beyond the read models; the council's papers are issued here (see below)."""


async def on_award_issued(item: StoredEvent, payload: AwardIssued, ctx: Context) -> None:
    session = ctx.store.session
    row = session.execute(
        select(t.decisions.c.event, t.decisions.c.sequence).where(
            t.decisions.c.decision_id == payload.decision_id
        )
    ).first()
    if row is None:
        raise LookupError(f"award {payload.award_id} of unknown decision")
    decision = _stored(row.event, row.sequence)
    signed = DecisionSigned.model_validate(decision.envelope.payload)
    award_rows = session.execute(
        select(t.awards.c.event, t.awards.c.sequence)
        .where(t.awards.c.decision_id == payload.decision_id)
        .order_by(t.awards.c.sequence)
    ).all()
    if len(award_rows) != len(signed.proposal_ids) or award_rows[-1].sequence != item.sequence:
        return  # the decision's document waits for its last award
    awards = [_stored(r.event, r.sequence) for r in award_rows]
    await _issue_decision(item, decision, signed, awards, ctx)


async def _issue_decision(
    last: StoredEvent,
    decision: StoredEvent,
    signed: DecisionSigned,
    awards: list[StoredEvent],
    ctx: Context,
) -> None:
    movement_id = last.envelope.movement_id
    movement = _movement_event(ctx, movement_id)
    found = definition(ctx.store, movement_id)
    assert found is not None
    issued = [AwardIssued.model_validate(a.envelope.payload) for a in awards]
    data = render_decision(build_decision_view(decision_facts(found, signed, issued)))
    await register(
        ctx,
        last,
        QUYET_DINH_INDEX,
        data,
        doc_type="quyet-dinh",
        number=signed.number,
        title=f"Quyết định số {signed.number} về việc tặng {issued[0].award_name}",
        file_name=f"quyet-dinh-{slugify(signed.number)}-{signed.signed_on.year}.docx",
        inputs=[decision, *awards, movement],
        built_from=last,
    )

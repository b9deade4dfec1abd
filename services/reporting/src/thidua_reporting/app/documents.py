"""Issuing documents: render, write under out/<movement>/, register in the log with the SHA-256.

Each document's event id is derived from its cause and an index reserved for its kind, so that
deciding again after a crash (or a rebuild of this service's database) registers nothing twice:

- Quyết định: cause = the decision's last AwardIssued, index 0;
- Giấy khen or Giấy chứng nhận: cause = its AwardIssued, index 1;
- Biên bản / Tờ trình: cause = DecisionSigned, index 1_000_000 / 2_000_000 + the session's place
  among the decision's sessions — far above the AwardIssued ids nominations derives from the
  same DecisionSigned (index 1…n, n ≤ 5,000 proposals per decision).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from thidua_contracts.canonical import sha256_hex
from thidua_contracts.envelope import Envelope
from thidua_contracts.events import (
    AwardIssued,
    AwardProposed,
    DecisionSigned,
    DocumentRegistered,
)
from thidua_contracts.ids import derived_id
from thidua_contracts.movement import MovementDefinition
from thidua_contracts.subjects import slugify
from thidua_kit.envelopes import computed_event
from thidua_kit.host import Context
from thidua_kit.log import StoredEvent

from ..adapters import tables as t
from ..adapters.docx_admin import render_admin_document
from ..adapters.docx_certificate import render_certificate
from ..adapters.docx_render import render_decision
from ..domain.admin_document import body_name
from ..domain.award_submission import SubmissionFacts, build_submission_view
from ..domain.certificate import CertificateFacts, build_certificate_view, certificate_for
from ..domain.council_minutes import MinutesFacts, Nominee, build_minutes_view
from ..domain.decision_document import build_decision_view
from ..domain.decision_facts import decision_facts
from ..domain.vn_format import format_date_words, granting
from .fold import upsert
from .queries import definition

QUYET_DINH_INDEX = 0
GIAY_KHEN_INDEX = 1
BIEN_BAN_INDEX = 1_000_000
TO_TRINH_INDEX = 2_000_000
# Numbering series (NĐ30 Điều 15): the council keeps its own; the office its own.
MINUTES_SERIES = "BB-HĐTĐKT"
SUBMISSION_SERIES = "TTr-NV"


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


def plan_ref(ctx: Context, m: str, found: MovementDefinition) -> str:
    """The city's plan as every document cites it: with its number and date once published."""
    row = ctx.store.session.execute(
        select(t.movements.c.plan_number, t.movements.c.plan_signed_on).where(
            t.movements.c.movement_id == m
        )
    ).first()
    if row is None or not row.plan_number or not row.plan_signed_on:
        return found.plan_ref
    return (
        f"Kế hoạch số {row.plan_number} {format_date_words(row.plan_signed_on)} của "
        f"{body_name(list(found.issuer.name_lines))} về việc tổ chức phong trào thi đua năm "
        f"{found.year}"
    )


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
    # Registered already (we crashed before committing, or this is a rebuild): keep what the
    # log holds.
    if ctx.log.in_log(event) is None and not await ctx.log.last_subject_sequence(subject):
        await ctx.log.append([event], 0)


async def on_decision_signed(item: StoredEvent, payload: DecisionSigned, ctx: Context) -> None:
    """The council's minutes and the Phòng Nội vụ's submission, once per council session.

    A session's record is complete when the Chairman signs the first decision resting on it:
    the log has no "session closed" event, and a decision can only follow the session's
    outcomes. Its minutes list every nominee tallied in the session (passed or not); the
    submission, dated the session's day, the nominees that passed.
    """
    m = item.envelope.movement_id
    # The council is chaired by the Chairman (DOMAIN §4): named when he signs himself.
    chair = payload.signer_name if payload.signer_position_lines == ["CHỦ TỊCH"] else None
    for place, session_id in enumerate(sessions_of(ctx.store.session, m, payload.proposal_ids)):
        await issue_session_papers(item, session_id, place, ctx, chair, payload.decision_id)


def sessions_of(session: Session, movement_id: str, proposal_ids: list[str]) -> list[str]:
    """The council sessions the nominees were tallied in, by date, then id.

    Sorted here, not by the database: a session's place decides its papers' ids and numbers,
    and PostgreSQL orders text by its collation (en_US, the postgres image's default, skips
    hyphens), where SQLite and the auditor's replay compare code points.
    """
    rows = session.execute(
        select(t.tallies.c.session_date, t.tallies.c.session_id).where(
            t.tallies.c.movement_id == movement_id, t.tallies.c.proposal_id.in_(proposal_ids)
        )
    )
    return list(dict.fromkeys(session_id for _, session_id in sorted(set(rows.tuples()))))


def _nominees(ctx: Context, m: str, session_id: str) -> list[tuple[Nominee, list[StoredEvent]]]:
    """Every nominee tallied in the session, in tally order, with the events it rests on."""
    found = definition(ctx.store, m)
    assert found is not None
    session = ctx.store.session
    units = dict(
        session.execute(select(t.units.c.unit_id, t.units.c.name).where(t.units.c.movement_id == m))
        .tuples()
        .all()
    )
    out = []
    for r in session.execute(
        select(
            t.tallies,
            t.nominations.c.event.label("proposal_event"),
            t.exclusions.c.detail_vi.label("excluded"),
            t.exclusions.c.event.label("exclusion_event"),
            t.exclusions.c.sequence.label("exclusion_sequence"),
        )
        .join(t.nominations, t.nominations.c.proposal_id == t.tallies.c.proposal_id)
        .outerjoin(t.exclusions, t.exclusions.c.proposal_id == t.tallies.c.proposal_id)
        .where(t.tallies.c.movement_id == m, t.tallies.c.session_id == session_id)
        .order_by(t.tallies.c.sequence)
    ):
        proposal = AwardProposed.model_validate(
            Envelope.model_validate_json(r.proposal_event).payload
        )
        person = found.person(proposal.subject_id) if proposal.subject_kind == "ca_nhan" else None
        form = found.award_form(proposal.award_code)
        nominee = Nominee(
            kind=proposal.subject_kind,
            name=proposal.subject_name,
            position=person.position if person else None,
            unit_name=units.get(proposal.unit_id) if person else None,
            award_name=form.name if form else proposal.award_code,
            issued=r.issued,
            returned=r.returned,
            valid=r.valid,
            yes_total=r.yes + r.written_yes,
            passed=r.passed,
            threshold=r.threshold,
            threshold_strict=bool(r.threshold_strict),
            excluded=r.excluded,
        )
        events = [_stored(r.event, r.sequence)]
        if r.outcome_event is not None:
            events.append(_stored(r.outcome_event, r.outcome_sequence))
        if r.exclusion_event is not None:
            events.append(_stored(r.exclusion_event, r.exclusion_sequence))
        out.append((nominee, events))
    return out


async def issue_session_papers(
    item: StoredEvent, session_id: str, place: int, ctx: Context, chair: str | None, by: str
) -> None:
    """The session's minutes, once; and once, the Phòng Nội vụ's Tờ trình asking the Chairman
    for the forms the city decides itself, as soon as a step needs them: the first decision
    resting on the session, or the city's Tờ trình upward, which cites the minutes (a session
    whose nominees all go to the province has minutes and no Tờ trình to the Chairman). `by` is
    the decision or the submission upward that called for them."""
    m = item.envelope.movement_id
    session = ctx.store.session
    kept = session.execute(
        select(t.session_papers).where(
            t.session_papers.c.movement_id == m, t.session_papers.c.session_id == session_id
        )
    ).first()
    if kept is not None and kept.submission_number is not None:
        return
    found = definition(ctx.store, m)
    assert found is not None
    latest = session.execute(
        select(t.tallies)
        .where(t.tallies.c.movement_id == m, t.tallies.c.session_id == session_id)
        .order_by(t.tallies.c.sequence.desc())
    ).first()
    assert latest is not None
    nominees = _nominees(ctx, m, session_id)
    movement = _movement_event(ctx, m)
    issuer = list(found.issuer.name_lines)
    year = latest.session_date.year
    if kept is None:
        minutes_no = await _issue_minutes(item, session_id, place, ctx, chair, by)
    else:
        minutes_no = kept.minutes_number

    decided_here = {form.name for form in found.award_forms if form.route == "decide"}
    passed = [
        (n, events)
        for n, events in nominees
        if n.passed and not n.excluded and n.award_name in decided_here
    ]
    left_out = [(n, events) for n, events in nominees if n.passed and n.excluded]
    if not passed:
        return  # nothing for the Chairman to decide: no Tờ trình, and no number spent on it
    submission_no = f"{next_number(ctx, SUBMISSION_SERIES, year):02d}/{SUBMISSION_SERIES}"
    upsert(
        session,
        t.session_papers,
        {"movement_id": m, "session_id": session_id},
        {"submission_number": submission_no},
    )
    view = build_submission_view(
        SubmissionFacts(
            issuer_lines=issuer,
            place=found.issuer.place,
            number=submission_no,
            submitted_on=latest.session_date,
            movement_year=found.year,
            plan_ref=plan_ref(ctx, m, found),
            minutes_number=minutes_no,
            session_date=latest.session_date,
            members_total=latest.members_total,
            reviewed=len(nominees),
            nominees=[n for n, _ in passed],
            left_out=[n for n, _ in left_out],
        )
    )
    await register(
        ctx,
        item,
        TO_TRINH_INDEX + place,
        render_admin_document(view),
        doc_type="to-trinh",
        number=submission_no,
        title=view.title,
        file_name=f"to-trinh-{slugify(submission_no)}-{year}.docx",
        inputs=[*[e for _, events in passed + left_out for e in events], movement],
        built_from=item,
    )


async def _issue_minutes(
    item: StoredEvent, session_id: str, place: int, ctx: Context, chair: str | None, by: str
) -> str:
    m = item.envelope.movement_id
    found = definition(ctx.store, m)
    assert found is not None
    session = ctx.store.session
    latest = session.execute(
        select(t.tallies)
        .where(t.tallies.c.movement_id == m, t.tallies.c.session_id == session_id)
        .order_by(t.tallies.c.sequence.desc())
    ).first()
    assert latest is not None
    nominees = _nominees(ctx, m, session_id)
    movement = _movement_event(ctx, m)
    tally_events = [e for _, events in nominees for e in events]
    secretary = Envelope.model_validate_json(latest.event).actor
    issuer = list(found.issuer.name_lines)
    year = latest.session_date.year

    minutes_no = f"{next_number(ctx, MINUTES_SERIES, year):02d}/{MINUTES_SERIES}"
    minutes = build_minutes_view(
        MinutesFacts(
            issuer_lines=issuer,
            number=minutes_no,
            session_date=latest.session_date,
            movement_year=found.year,
            members_total=latest.members_total,
            present=latest.present,
            chair_name=chair,
            chair_position=f"Chủ tịch {body_name(issuer)}, Chủ tịch Hội đồng" if chair else None,
            secretary_name=secretary.name if secretary else None,
            nominees=[n for n, _ in nominees],
        )
    )
    await register(
        ctx,
        item,
        BIEN_BAN_INDEX + place,
        render_admin_document(minutes),
        doc_type="bien-ban",
        number=minutes_no,
        title=minutes.title,
        file_name=f"bien-ban-{slugify(minutes_no)}-{year}.docx",
        inputs=[*tally_events, movement],
        built_from=item,
    )

    upsert(
        session,
        t.session_papers,
        {"movement_id": m, "session_id": session_id},
        {
            "minutes_number": minutes_no,
            "submission_number": None,
            "submission_date": latest.session_date,
            "decision_id": by,
        },
    )
    return minutes_no


async def on_award_issued(item: StoredEvent, payload: AwardIssued, ctx: Context) -> None:
    session = ctx.store.session
    row = session.execute(
        select(t.decisions.c.event, t.decisions.c.sequence).where(
            t.decisions.c.decision_id == payload.decision_id
        )
    ).first()
    if row is None:
        forwarded = session.execute(
            select(t.forwarded.c.number).where(t.forwarded.c.submission_id == payload.decision_id)
        ).first()
        if forwarded is not None:
            return  # decided above the city: the higher level issues its own papers
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
    facts = decision_facts(found, signed, issued, plan_ref(ctx, movement_id, found))
    cited = _submission_cited(ctx, movement_id, signed)
    if cited:
        facts = facts.model_copy(update={"proposer": f"{facts.proposer} tại {cited}"})
    data = render_decision(build_decision_view(facts))
    await register(
        ctx,
        last,
        QUYET_DINH_INDEX,
        data,
        doc_type="quyet-dinh",
        number=signed.number,
        title=f"Quyết định số {signed.number} về việc {granting(issued[0].award_name)}",
        file_name=f"quyet-dinh-{slugify(signed.number)}-{signed.signed_on.year}.docx",
        inputs=[decision, *awards, movement],
        built_from=last,
    )
    # The certificates are printed from the decision, after it (DOMAIN §5.1 step 13).
    for stt, (award_event, award) in enumerate(zip(awards, issued, strict=True), start=1):
        kind = certificate_for(award.award_name)
        if kind is None:
            continue
        view = build_certificate_view(
            CertificateFacts(
                issuer_lines=list(found.issuer.name_lines),
                place=found.issuer.place,
                award_name=award.award_name,
                recipient_kind=award.recipient_kind,
                recipient_name=award.recipient_name,
                recipient_position=award.recipient_position,
                unit_name=award.unit_name,
                movement_year=found.year,
                decision_number=signed.number,
                signed_on=signed.signed_on,
                signer_position_lines=list(signed.signer_position_lines),
                signer_name=signed.signer_name,
                kind=kind,
            )
        )
        doc_type = kind.replace("_", "-")
        await register(
            ctx,
            award_event,
            GIAY_KHEN_INDEX,
            render_certificate(view),
            doc_type=doc_type,
            number=None,
            title=view.document_title,
            file_name=(
                f"{doc_type}-{slugify(signed.number)}-{signed.signed_on.year}-{stt:02d}-"
                f"{award.recipient_id}.docx"
            ),
            inputs=[decision, award_event, movement],
            built_from=last,
        )


def _submission_cited(ctx: Context, movement_id: str, signed: DecisionSigned) -> str | None:
    """ "Tờ trình số 01/TTr-NV ngày …" of the session(s) the decision's nominees passed in."""
    rows = ctx.store.session.execute(
        select(t.session_papers.c.submission_number, t.session_papers.c.submission_date)
        .join(
            t.tallies,
            (t.tallies.c.movement_id == t.session_papers.c.movement_id)
            & (t.tallies.c.session_id == t.session_papers.c.session_id),
        )
        .where(
            t.session_papers.c.movement_id == movement_id,
            t.tallies.c.proposal_id.in_(signed.proposal_ids),
            t.session_papers.c.submission_number.is_not(None),
        )
    ).all()
    # By date, then number, in code-point order whatever the database's collation.
    ordered = sorted((r.submission_date, r.submission_number) for r in rows)
    cited = list(dict.fromkeys((number, on) for on, number in ordered))
    if not cited:
        return None
    return "; ".join(f"Tờ trình số {number} {format_date_words(on)}" for number, on in cited)

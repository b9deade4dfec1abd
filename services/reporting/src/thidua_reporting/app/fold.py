"""Folding the log into the read models. The live service and `thidua report rebuild` both call
`fold_event`, so a rebuild from the log into fresh tables must give the same content.

Only tables are written here — never the log, never files — which is what lets a rebuild run
against a scratch database without side effects. Each write is keyed, so folding an event twice
leaves the same rows.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Delete, Insert, Table, TextClause, Update, bindparam, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from thidua_contracts.events import (
    AwardIssued,
    AwardProposed,
    AwardRevoked,
    BallotOutcomeDecided,
    BallotTallied,
    BlockBallotTallied,
    BlockHonoured,
    BlockMembershipChanged,
    BlockRanked,
    CityReportIssued,
    DecisionSigned,
    DisciplineRecorded,
    DocumentRegistered,
    DossierSupplemented,
    EligibilityAssessed,
    EventPayload,
    HeadcountRecorded,
    HigherAnswerRecorded,
    IndividualRegistered,
    InitiativeRecognised,
    MovementAmended,
    MovementDefined,
    MovementPublished,
    NominationExcluded,
    NoticePosted,
    PersonTransferred,
    PriorAwardRecorded,
    ProposalsForwarded,
    RatingRecorded,
    ReportSubmitted,
    ReportWithdrawn,
    ResultNotified,
    RoundClosed,
    RoundOpened,
    ScoreSheetRecorded,
    SupplementRequested,
    UnitRegistered,
    UnitRenamed,
    UnitsMerged,
    UnitSplit,
)
from thidua_contracts.movement import MovementDefinition, Unit
from thidua_kit.db import Store, execute_on_driver
from thidua_kit.log import StoredEvent

from ..adapters import tables as t
from ..domain import pipeline


def upsert(session: Session, table: Table, keys: dict[str, Any], values: dict[str, Any]) -> None:
    """Update the keyed row, or insert it."""
    params = {**{f"k_{k}": v for k, v in keys.items()}, **{f"v_{k}": v for k, v in values.items()}}
    merge = _merge_statement(table, tuple(keys), tuple(values))
    if merge is not None:
        execute_on_driver(session, merge, params)
        return
    update, insert = _upsert_statements(table, tuple(keys), tuple(values))
    if execute_on_driver(session, update, params).rowcount == 0:
        execute_on_driver(session, insert, params)


def _update(session: Session, table: Table, keys: dict[str, Any], values: dict[str, Any]) -> None:
    update, _ = _upsert_statements(table, tuple(keys), tuple(values))
    params = {**{f"k_{k}": v for k, v in keys.items()}, **{f"v_{k}": v for k, v in values.items()}}
    execute_on_driver(session, update, params)


def _delete(session: Session, table: Table, keys: dict[str, Any]) -> None:
    execute_on_driver(
        session, _delete_statement(table, tuple(keys)), {f"k_{k}": v for k, v in keys.items()}
    )


@functools.cache
def _delete_statement(table: Table, keys: tuple[str, ...]) -> Delete:
    return table.delete().where(*[table.c[name] == bindparam(f"k_{name}") for name in keys])


@functools.cache
def _upsert_statements(
    table: Table, keys: tuple[str, ...], values: tuple[str, ...]
) -> tuple[Update, Insert]:
    """Built once per shape: SQLAlchemy then reuses each statement's compiled form (building
    and keying a statement per row cost more than the row's write)."""
    where = [table.c[name] == bindparam(f"k_{name}") for name in keys]
    update = table.update().where(*where).values({n: bindparam(f"v_{n}") for n in values})
    insert = table.insert().values(
        {**{n: bindparam(f"k_{n}") for n in keys}, **{n: bindparam(f"v_{n}") for n in values}}
    )
    return update, insert


@functools.cache
def _merge_statement(
    table: Table, keys: tuple[str, ...], values: tuple[str, ...]
) -> TextClause | None:
    """INSERT … ON CONFLICT (primary key) DO UPDATE, where the keys are the table's primary key
    and the values hold every required column: one statement instead of an UPDATE and then an
    INSERT for every new row, which is every row of a rebuild. Written out, in the syntax SQLite
    (≥ 3.24) and PostgreSQL share: SQLAlchemy compiles its own dialect-specific form again for
    every row (no cache key), which cost five times the two statements it replaces."""
    if set(keys) != {c.name for c in table.primary_key.columns}:
        return None
    # The row offered for insertion is checked before the conflict: a write that names only
    # some of the required columns must stay an UPDATE of the row that has them. Nor does a
    # written-out statement get the values SQLAlchemy would fill in (default, onupdate).
    required = {
        c.name
        for c in table.columns
        if (not c.nullable and c.server_default is None)
        or c.default is not None
        or c.onupdate is not None
    }
    if not required <= {*keys, *values}:
        return None
    names = {**{n: f"k_{n}" for n in keys}, **{n: f"v_{n}" for n in values}}
    columns = ", ".join(f'"{n}"' for n in names)
    params = ", ".join(f":{p}" for p in names.values())
    index = ", ".join(f'"{n}"' for n in keys)
    action = (
        "DO UPDATE SET " + ", ".join(f'"{n}" = excluded."{n}"' for n in values)
        if values
        else "DO NOTHING"
    )
    statement = sql_text(
        f'INSERT INTO "{table.name}" ({columns}) VALUES ({params}) ON CONFLICT ({index}) {action}'
    )
    # Typed, so that SQLAlchemy converts values (dates on SQLite) as for its own statements.
    return statement.bindparams(*(bindparam(p, type_=table.c[n].type) for n, p in names.items()))


def fold_event(item: StoredEvent, payload: EventPayload, store: Store) -> None:
    session = store.session
    env = item.envelope
    m = env.movement_id
    seq = item.sequence
    event_json = env.model_dump_json()
    # Reorganisations and criteria records also feed the look-ups (history, báo cáo thành tích).
    _identity(session, item, payload)
    _record(session, item, payload)
    if isinstance(payload, MovementDefined | MovementAmended):
        _movement(session, m, payload.definition, event_json, seq)
    elif isinstance(payload, MovementPublished):
        _update(
            session,
            t.movements,
            {"movement_id": m},
            {"plan_number": payload.number, "plan_signed_on": payload.signed_on},
        )
    elif isinstance(payload, UnitRenamed):
        _update(
            session,
            t.units,
            {"movement_id": m, "unit_id": payload.unit_id},
            {"name": payload.new_name},
        )
    elif isinstance(payload, BlockMembershipChanged):
        _update(
            session,
            t.units,
            {"movement_id": m, "unit_id": payload.unit_id},
            {"block_id": payload.to_block_id},
        )
    elif isinstance(payload, UnitsMerged):
        for unit_id in payload.merged_unit_ids:
            if unit_id != payload.into_unit_id:
                _update(
                    session,
                    t.units,
                    {"movement_id": m, "unit_id": unit_id},
                    {"ended_on": payload.effective_on},
                )
    elif isinstance(payload, UnitSplit):
        _update(
            session,
            t.units,
            {"movement_id": m, "unit_id": payload.unit_id},
            {"ended_on": payload.effective_on},
        )
        for unit in payload.into:
            _unit(session, m, unit)
    elif isinstance(payload, BlockRanked):
        upsert(
            session,
            t.block_leaders,
            {"movement_id": m, "block_id": payload.block_id, "round": payload.round.value},
            {"leader_unit_id": payload.leader_unit_id, "honoured_on": None, "sequence": seq},
        )
        _block_ranks(session, m, payload)
    elif isinstance(payload, BlockBallotTallied):
        _update(
            session,
            t.block_leaders,
            {"movement_id": m, "block_id": payload.block_id, "round": payload.round.value},
            {"honoured_on": payload.meeting_on},
        )
    elif isinstance(payload, BlockHonoured):
        _update(
            session,
            t.block_leaders,
            {"movement_id": m, "block_id": payload.block_id, "round": payload.round.value},
            {"leader_unit_id": payload.leader_unit_id, "sequence": seq},
        )
    elif isinstance(payload, UnitRegistered | IndividualRegistered):
        if isinstance(payload, UnitRegistered):
            _figures(
                session,
                m,
                payload.unit_id,
                "",
                [(c.target_code, c.value, "") for c in payload.commitments],
            )
        kind, subject = (
            ("tap_the", payload.unit_id)
            if isinstance(payload, UnitRegistered)
            else ("ca_nhan", payload.person_id)
        )
        upsert(
            session,
            t.registrations,
            {"movement_id": m, "subject_kind": kind, "subject_id": subject},
            {
                "unit_id": payload.unit_id,
                "registered_on": payload.registered_on,
                "late": payload.late,
                "titles": ",".join(payload.titles_sought),
                "commitments": len(payload.commitments),
                "sequence": seq,
            },
        )
    elif isinstance(payload, RoundOpened):
        upsert(
            session,
            t.rounds,
            {"movement_id": m, "round": payload.round.value},
            {"opened_on": payload.opened_on, "due_on": payload.due_on},
        )
    elif isinstance(payload, RoundClosed):
        upsert(
            session,
            t.rounds,
            {"movement_id": m, "round": payload.round.value},
            {
                "closed_on": payload.closed_on,
                "missing_at_close": ",".join(payload.missing_unit_ids),
            },
        )
    elif isinstance(payload, ReportSubmitted):
        _report(session, m, payload, seq)
        _figures(
            session,
            m,
            payload.unit_id,
            payload.round.value,
            [(a.target_code, a.value, a.unit_of_measure) for a in payload.achievements],
        )
    elif isinstance(payload, ReportWithdrawn):
        _update(
            session,
            t.reports,
            {"movement_id": m, "unit_id": payload.unit_id, "round": payload.round.value},
            {"withdrawn": True, "sequence": seq},
        )
    elif isinstance(payload, ScoreSheetRecorded):
        upsert(
            session,
            t.score_sheets,
            {"movement_id": m, "unit_id": payload.unit_id, "round": payload.round.value},
            {
                "report_version": payload.report_version,
                "total": payload.total,
                "max_total": payload.max_total,
                "sequence": seq,
            },
        )
    else:
        _nomination_events(session, item, payload, event_json)


def _state(session: Session, proposal_id: str, state: str, seq: int) -> None:
    _update(session, t.nominations, {"proposal_id": proposal_id}, {"state": state, "sequence": seq})


def _nomination_events(
    session: Session, item: StoredEvent, payload: EventPayload, event_json: str
) -> None:
    m = item.envelope.movement_id
    seq = item.sequence
    if isinstance(payload, AwardProposed):
        upsert(
            session,
            t.nominations,
            {"proposal_id": payload.proposal_id},
            {
                "movement_id": m,
                "unit_id": payload.unit_id,
                "subject_kind": payload.subject_kind,
                "subject_id": payload.subject_id,
                "subject_name": payload.subject_name,
                "award_code": payload.award_code,
                "year": payload.year,
                "state": pipeline.RECEIVED,
                "proposed_sequence": seq,
                "sequence": seq,
                "event": event_json,
            },
        )
    elif isinstance(payload, SupplementRequested):
        _state(session, payload.proposal_id, pipeline.RETURNED_FOR_SUPPLEMENT, seq)
    elif isinstance(payload, DossierSupplemented):
        _state(session, payload.proposal_id, pipeline.RECEIVED, seq)
    elif isinstance(payload, NoticePosted):
        for proposal_id in payload.proposal_ids:
            _state(session, proposal_id, pipeline.PUBLIC_NOTICE, seq)
    elif isinstance(payload, NominationExcluded):
        _state(session, payload.proposal_id, pipeline.EXCLUDED, seq)
        upsert(
            session,
            t.exclusions,
            {"proposal_id": payload.proposal_id},
            {
                "movement_id": m,
                "detail_vi": payload.detail_vi,
                "sequence": seq,
                "event": event_json,
            },
        )
    elif isinstance(payload, ResultNotified):
        if payload.kind == "rejection":
            _state(session, payload.proposal_id, pipeline.NOTIFIED_REJECTED, seq)
    elif isinstance(payload, EligibilityAssessed):
        _update(
            session,
            t.nominations,
            {"proposal_id": payload.proposal_id},
            {"state": pipeline.after_appraisal(payload.eligible), "sequence": seq},
        )
    elif isinstance(payload, BallotTallied):
        upsert(
            session,
            t.tallies,
            {
                "movement_id": m,
                "session_id": payload.session_id,
                "proposal_id": payload.proposal_id,
            },
            {
                "session_date": payload.session_date,
                "members_total": payload.members_total,
                "present": payload.present,
                "issued": payload.issued,
                "returned": payload.returned,
                "valid": payload.valid,
                "yes": payload.yes,
                "written_yes": payload.written_yes_from_absent,
                "passed": None,
                "quorum_met": None,
                "threshold": None,
                "threshold_strict": None,
                "sequence": seq,
                "event": event_json,
                "outcome_event": None,
                "outcome_sequence": None,
            },
        )
        _update(
            session,
            t.nominations,
            {"proposal_id": payload.proposal_id},
            {
                "state": pipeline.after_tally(),
                "session_id": payload.session_id,
                "yes_total": None,
                "members_total": payload.members_total,
                "sequence": seq,
            },
        )
    elif isinstance(payload, BallotOutcomeDecided):
        keys = {"movement_id": m, "session_id": payload.session_id}
        _update(
            session,
            t.tallies,
            {**keys, "proposal_id": payload.proposal_id},
            {
                "passed": payload.passed,
                "quorum_met": payload.quorum_met,
                "threshold": payload.threshold,
                "threshold_strict": payload.threshold_strict,
                "outcome_event": event_json,
                "outcome_sequence": seq,
            },
        )
        _update(
            session,
            t.nominations,
            {"proposal_id": payload.proposal_id},
            {
                "state": pipeline.after_outcome(payload.passed),
                "yes_total": payload.yes_total,
                "sequence": seq,
            },
        )
    elif isinstance(payload, DecisionSigned):
        upsert(
            session,
            t.decisions,
            {"decision_id": payload.decision_id},
            {
                "movement_id": m,
                "number": payload.number,
                "signed_on": payload.signed_on,
                "signer_name": payload.signer_name,
                "award_code": payload.award_code,
                "proposals": len(payload.proposal_ids),
                "sequence": seq,
                "event": event_json,
            },
        )
        for proposal_id in payload.proposal_ids:
            _update(
                session,
                t.nominations,
                {"proposal_id": proposal_id},
                {
                    "state": pipeline.DECIDED,
                    "decision_id": payload.decision_id,
                    "decision_number": payload.number,
                    "sequence": seq,
                },
            )
    elif isinstance(payload, AwardIssued):
        upsert(
            session,
            t.awards,
            {"award_id": payload.award_id},
            {
                "movement_id": m,
                "decision_id": payload.decision_id,
                "proposal_id": payload.proposal_id,
                "sequence": seq,
                "payload": payload.model_dump_json(),
                "event": event_json,
            },
        )
        _update(
            session,
            t.nominations,
            {"proposal_id": payload.proposal_id},
            {
                "state": pipeline.ISSUED,
                "award_id": payload.award_id,
                "prize_vnd": payload.prize_vnd,
                "sequence": seq,
            },
        )
    elif isinstance(payload, ProposalsForwarded):
        for proposal_id in payload.proposal_ids:
            upsert(
                session,
                t.forwarded,
                {"submission_id": payload.submission_id, "proposal_id": proposal_id},
                {
                    "movement_id": m,
                    "number": payload.number,
                    "signed_on": payload.signed_on,
                    "sequence": seq,
                },
            )
            _update(
                session,
                t.nominations,
                {"proposal_id": proposal_id},
                {"state": pipeline.FORWARDED_UPWARD, "sequence": seq},
            )
    elif isinstance(payload, HigherAnswerRecorded):
        _update(
            session,
            t.forwarded,
            {"submission_id": payload.submission_id, "proposal_id": payload.proposal_id},
            {
                "answer": payload.outcome,
                "answered_on": payload.decided_on,
                "answer_ref": payload.decision_ref,
            },
        )
        _update(
            session,
            t.nominations,
            {"proposal_id": payload.proposal_id},
            {
                "state": pipeline.after_higher_answer(payload.outcome == "decided"),
                "decision_number": payload.decision_ref[:40],
                "sequence": seq,
            },
        )
    elif isinstance(payload, AwardRevoked):
        upsert(
            session,
            t.revocations,
            {"award_id": payload.award_id},
            {
                "movement_id": m,
                "decision_number": payload.decision_number,
                "decided_on": payload.decided_on,
                "sequence": seq,
            },
        )
        _update(
            session,
            t.nominations,
            {"award_id": payload.award_id},
            {"state": pipeline.REVOKED, "sequence": seq},
        )
    elif isinstance(payload, CityReportIssued):
        upsert(
            session,
            t.city_reports,
            {"report_id": payload.report_id},
            {
                "movement_id": m,
                "kind": payload.kind,
                "number": payload.number,
                "signed_on": payload.signed_on,
                "sequence": seq,
            },
        )
    elif isinstance(payload, DocumentRegistered):
        upsert(
            session,
            t.documents,
            {"document_id": payload.document_id},
            {
                "movement_id": m,
                "doc_type": payload.doc_type,
                "sequence": seq,
                "payload": payload.model_dump_json(),
            },
        )


def _movement(
    session: Session, m: str, definition: MovementDefinition, event_json: str, seq: int
) -> None:
    upsert(
        session,
        t.movements,
        {"movement_id": m},
        {
            "name": definition.name,
            "year": definition.year,
            "definition": definition.model_dump_json(),
            "event": event_json,
            "sequence": seq,
        },
    )
    for unit in definition.units:
        _unit(session, m, unit)


def _unit(session: Session, m: str, unit: Unit) -> None:
    upsert(
        session,
        t.units,
        {"movement_id": m, "unit_id": unit.unit_id},
        {
            "name": unit.name,
            "kind": unit.kind.value,
            "block_id": unit.block_id,
            "ended_on": unit.ended_on,
        },
    )


def _report(session: Session, m: str, payload: ReportSubmitted, seq: int) -> None:
    keys = {"movement_id": m, "unit_id": payload.unit_id, "round": payload.round.value}
    first = session.execute(
        select(t.reports.c.first_submitted_on).where(
            *[t.reports.c[name] == value for name, value in keys.items()]
        )
    ).scalar()
    upsert(
        session,
        t.reports,
        keys,
        {
            # The latest version is the report; the first date shows when the unit first met
            # (or missed) the deadline.
            "versions": payload.report_version,
            "first_submitted_on": first or payload.submitted_on,
            "submitted_on": payload.submitted_on,
            "late": payload.late,
            "working_days_late": payload.working_days_late,
            "withdrawn": False,
            "sequence": seq,
        },
    )


_RECORDS: dict[type[EventPayload], str] = {
    RatingRecorded: "rating",
    DisciplineRecorded: "discipline",
    InitiativeRecognised: "initiative",
    PriorAwardRecorded: "prior_award",
    HeadcountRecorded: "headcount",
}


def _record(session: Session, item: StoredEvent, payload: EventPayload) -> None:
    kind = _RECORDS.get(type(payload))
    if kind is None:
        return
    data = payload.model_dump(mode="json")
    subject = data.get("subject_id") or data.get("person_id") or data["unit_id"]
    upsert(
        session,
        t.records,
        {"sequence": item.sequence},
        {
            "movement_id": item.envelope.movement_id,
            "kind": kind,
            "subject_id": subject,
            "unit_id": data["unit_id"],
            "year": data.get("year") or int(str(data.get("recognised_on", "0"))[:4]) or None,
            "payload": payload.model_dump_json(),
        },
    )


def _identity(session: Session, item: StoredEvent, payload: EventPayload) -> None:
    """One row per subject a reorganisation touches; `related_id` is where it continues."""
    rows: list[tuple[str, str, str | None, Any, str]] = []
    if isinstance(payload, PersonTransferred):
        rows.append(
            (
                payload.person_id,
                "transfer",
                payload.to_unit_id,
                payload.effective_on,
                f"chuyển từ {payload.from_unit_id} sang {payload.to_unit_id}",
            )
        )
    elif isinstance(payload, UnitRenamed):
        rows.append(
            (
                payload.unit_id,
                "rename",
                None,
                payload.effective_on,
                f"đổi tên từ {payload.old_name} thành {payload.new_name} ({payload.decision_ref})",
            )
        )
    elif isinstance(payload, UnitsMerged):
        for unit_id in payload.merged_unit_ids:
            if unit_id != payload.into_unit_id:
                rows.append(
                    (
                        unit_id,
                        "merge",
                        payload.into_unit_id,
                        payload.effective_on,
                        f"sáp nhập vào {payload.into_unit_id} ({payload.decision_ref})",
                    )
                )
    elif isinstance(payload, UnitSplit):
        into = ", ".join(u.unit_id for u in payload.into)
        for unit in payload.into:
            rows.append(
                (
                    payload.unit_id,
                    "split",
                    unit.unit_id,
                    payload.effective_on,
                    f"chia tách thành {into} ({payload.decision_ref})",
                )
            )
    for subject, kind, related, on, text in rows:
        upsert(
            session,
            t.identities,
            {"sequence": item.sequence, "subject_id": subject},
            {
                "movement_id": item.envelope.movement_id,
                "kind": kind,
                "related_id": related,
                "effective_on": on,
                "text": text,
            },
        )


def _block_ranks(session: Session, m: str, payload: BlockRanked) -> None:
    """Replace the block's ranking for the round: a round closed again ranks it anew."""
    table = t.block_ranks
    round_ = payload.round.value
    _delete(session, table, {"movement_id": m, "block_id": payload.block_id, "round": round_})
    for row in payload.rows:
        upsert(
            session,
            table,
            {
                "movement_id": m,
                "block_id": payload.block_id,
                "round": round_,
                "unit_id": row.unit_id,
            },
            {"rank": row.rank, "disqualified": row.disqualified},
        )


def _figures(
    session: Session, m: str, unit_id: str, round_: str, rows: list[tuple[str, str, str]]
) -> None:
    """Replace the unit's figures for the round: a new report version supersedes the last."""
    table = t.figures
    _delete(session, table, {"movement_id": m, "unit_id": unit_id, "round": round_})
    for code, value, measure in rows:
        upsert(
            session,
            table,
            {"movement_id": m, "unit_id": unit_id, "round": round_, "target_code": code},
            {"value": value, "unit_of_measure": measure},
        )

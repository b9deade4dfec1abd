"""Answers to staff's everyday questions, read from the reporting tables only.

Every answer is plain JSON data in a stable order (log order or the plan's order), so the live
service and a rebuild from the log can be compared answer by answer.
"""

from __future__ import annotations

import json
import weakref
from collections import Counter
from decimal import Decimal
from itertools import groupby
from typing import Any

from sqlalchemy import Engine, select

from thidua_contracts.commands import (
    ListCouncilSessions,
    ListDecisions,
    ListDocuments,
    ListIssuedAwards,
    ListRegistrations,
    ListScoreSheets,
    Query,
    ShowPipeline,
    ShowProgress,
)
from thidua_contracts.movement import MovementDefinition
from thidua_kit.db import Store
from thidua_kit.settings import Settings

from ..adapters import tables as t
from ..domain import pipeline
from ..domain.progress import ReportFact, UnitFact, round_progress
from ..domain.vn_format import format_percent

# Parsed definitions by database and (movement, sequence of the event that set it): read for
# nearly every event folded, a definition of thousands of people took a tenth of a rebuild to
# parse again each time. A stream sequence names one immutable event, so the key cannot go stale.
_PARSED: weakref.WeakKeyDictionary[Engine, dict[tuple[str, int], MovementDefinition]] = (
    weakref.WeakKeyDictionary()
)
_MAX_ENTRIES = 64


def definition(store: Store, movement_id: str) -> MovementDefinition | None:
    session = store.session
    sequence = session.execute(
        select(t.movements.c.sequence).where(t.movements.c.movement_id == movement_id)
    ).scalar()
    if sequence is None:
        return None
    parsed = _PARSED.setdefault(session.get_bind().engine, {})
    key = (movement_id, int(sequence))
    found = parsed.get(key)
    if found is None:
        raw = session.execute(
            select(t.movements.c.definition).where(t.movements.c.movement_id == movement_id)
        ).scalar_one()
        found = MovementDefinition.model_validate_json(raw)
        if len(parsed) >= _MAX_ENTRIES:
            parsed.pop(next(iter(parsed)))
        parsed[key] = found
    return found


def _unit_names(store: Store, movement_id: str) -> dict[str, str]:
    rows = store.session.execute(
        select(t.units.c.unit_id, t.units.c.name).where(t.units.c.movement_id == movement_id)
    )
    return {r.unit_id: r.name for r in rows}


def progress(query: ShowProgress, store: Store, settings: Settings) -> Any:
    found = definition(store, query.movement_id)
    if found is None:
        return {"movement_id": query.movement_id, "rounds": []}
    session = store.session
    m = query.movement_id
    registered = {
        r.unit_id
        for r in session.execute(
            select(t.registrations.c.unit_id).where(
                t.registrations.c.movement_id == m, t.registrations.c.subject_kind == "tap_the"
            )
        )
    }
    units = [
        UnitFact(r.unit_id, r.name, r.block_id, r.ended_on is None, r.unit_id in registered)
        for r in session.execute(
            select(t.units).where(t.units.c.movement_id == m).order_by(t.units.c.unit_id)
        )
    ]
    # The plan's order of units, then units that came later (splits) by id.
    order = {u.unit_id: i for i, u in enumerate(found.units)}
    units.sort(key=lambda u: (order.get(u.unit_id, len(order)), u.unit_id))
    rounds_seen = {
        r.round: r for r in session.execute(select(t.rounds).where(t.rounds.c.movement_id == m))
    }
    out = []
    for planned in found.rounds:
        kind = planned.round.value
        if query.round is not None and query.round.value != kind:
            continue
        reports = [
            ReportFact(r.unit_id, r.versions, r.late, r.withdrawn)
            for r in session.execute(
                select(t.reports).where(t.reports.c.movement_id == m, t.reports.c.round == kind)
            )
        ]
        total, blocks = round_progress([(b.block_id, b.name) for b in found.blocks], units, reports)
        seen = rounds_seen.get(kind)
        out.append(
            {
                "round": kind,
                "name": planned.name,
                "opened_on": _iso(seen.opened_on) if seen else None,
                "due_on": _iso(seen.due_on) if seen and seen.due_on else planned.due_on.isoformat(),
                "closed_on": _iso(seen.closed_on) if seen else None,
                **total.as_dict(),
                "blocks": [
                    {"block_id": block_id, "name": name, **tally.as_dict()}
                    for block_id, name, tally in blocks
                    if tally.expected or tally.submitted
                ],
            }
        )
    return {"movement_id": m, "rounds": out}


def _iso(value: Any) -> str | None:
    return None if value is None else str(value.isoformat())


def pipeline_view(query: ShowPipeline, store: Store, settings: Settings) -> Any:
    rows = [
        {
            "proposal_id": r.proposal_id,
            "unit_id": r.unit_id,
            "subject_kind": r.subject_kind,
            "subject_id": r.subject_id,
            "subject_name": r.subject_name,
            "award_code": r.award_code,
            "year": r.year,
            "state": r.state,
            "session_id": r.session_id,
            "yes_total": r.yes_total,
            "members_total": r.members_total,
            "decision_number": r.decision_number,
            "award_id": r.award_id,
            "prize_vnd": r.prize_vnd,
            "sequence": int(r.sequence),
        }
        for r in store.session.execute(
            select(t.nominations)
            .where(t.nominations.c.movement_id == query.movement_id)
            .order_by(t.nominations.c.proposed_sequence)
        )
    ]
    counts = Counter((r["state"], r["award_code"]) for r in rows)
    by_state = Counter(r["state"] for r in rows)
    return {
        "movement_id": query.movement_id,
        "total": len(rows),
        "by_state": {s: by_state[s] for s in sorted(by_state, key=pipeline.state_order)},
        "counts": [
            {"state": state, "award_code": award, "count": n}
            for (state, award), n in sorted(
                counts.items(), key=lambda kv: (pipeline.state_order(kv[0][0]), kv[0][1])
            )
        ],
        "rows": rows,
    }


def awards_view(query: ListIssuedAwards, store: Store, settings: Settings) -> Any:
    return [
        {**json.loads(r.payload), "sequence": int(r.sequence)}
        for r in store.session.execute(
            select(t.awards.c.payload, t.awards.c.sequence)
            .where(t.awards.c.movement_id == query.movement_id)
            .order_by(t.awards.c.sequence)
        )
    ]


def registrations_view(query: ListRegistrations, store: Store, settings: Settings) -> Any:
    names = _unit_names(store, query.movement_id)
    return [
        {
            "subject_kind": r.subject_kind,
            "subject_id": r.subject_id,
            "unit_id": r.unit_id,
            "unit_name": names.get(r.unit_id, r.unit_id),
            "registered_on": r.registered_on.isoformat(),
            "late": r.late,
            "titles": [x for x in r.titles.split(",") if x],
            "commitments": r.commitments,
            "sequence": int(r.sequence),
        }
        for r in store.session.execute(
            select(t.registrations)
            .where(t.registrations.c.movement_id == query.movement_id)
            .order_by(t.registrations.c.sequence)
        )
    ]


def score_sheets_view(query: ListScoreSheets, store: Store, settings: Settings) -> Any:
    """Score sheets ranked within each block and round (ties share a rank)."""
    session = store.session
    m = query.movement_id
    blocks = {
        r.unit_id: (r.block_id, r.name)
        for r in session.execute(select(t.units).where(t.units.c.movement_id == m))
    }
    conditions = [t.score_sheets.c.movement_id == m]
    if query.round is not None:
        conditions.append(t.score_sheets.c.round == query.round.value)
    rows = []
    for r in session.execute(select(t.score_sheets).where(*conditions)):
        block_id, name = blocks.get(r.unit_id, ("", r.unit_id))
        rows.append(
            {
                "round": r.round,
                "block_id": block_id,
                "unit_id": r.unit_id,
                "unit_name": name,
                "report_version": r.report_version,
                "total": r.total,
                "max_total": r.max_total,
                "sequence": int(r.sequence),
            }
        )
    rows.sort(key=lambda r: (r["round"], r["block_id"], -Decimal(r["total"]), r["unit_id"]))
    for _group, members in groupby(rows, key=lambda r: (r["round"], r["block_id"])):
        rank, last = 0, None
        for place, row in enumerate(members, start=1):
            total = Decimal(row["total"])
            if total != last:
                rank, last = place, total
            row["rank"] = rank
    return rows


def sessions_view(query: ListCouncilSessions, store: Store, settings: Settings) -> Any:
    session = store.session
    names = {
        r.proposal_id: (r.subject_name, r.award_code)
        for r in session.execute(
            select(
                t.nominations.c.proposal_id,
                t.nominations.c.subject_name,
                t.nominations.c.award_code,
            ).where(t.nominations.c.movement_id == query.movement_id)
        )
    }
    sessions: dict[str, dict[str, Any]] = {}
    for r in session.execute(
        select(t.tallies)
        .where(t.tallies.c.movement_id == query.movement_id)
        .order_by(t.tallies.c.session_date, t.tallies.c.session_id, t.tallies.c.sequence)
    ):
        entry = sessions.setdefault(
            r.session_id,
            {"session_id": r.session_id, "session_date": r.session_date.isoformat(), "tallies": []},
        )
        # The latest tally states the attendance of the session.
        entry["members_total"], entry["present"] = r.members_total, r.present
        name, award = names.get(r.proposal_id, (r.proposal_id, ""))
        yes_total = r.yes + r.written_yes
        entry["tallies"].append(
            {
                "proposal_id": r.proposal_id,
                "subject_name": name,
                "award_code": award,
                "issued": r.issued,
                "returned": r.returned,
                "valid": r.valid,
                "yes": r.yes,
                "yes_total": yes_total,
                # On the council's total membership, never on those present (DOMAIN §4).
                "percent_of_members": format_percent(yes_total, r.members_total),
                "passed": r.passed,
            }
        )
    return list(sessions.values())


def decisions_view(query: ListDecisions, store: Store, settings: Settings) -> Any:
    issued = Counter(
        r.decision_id
        for r in store.session.execute(
            select(t.awards.c.decision_id).where(t.awards.c.movement_id == query.movement_id)
        )
    )
    return [
        {
            "decision_id": r.decision_id,
            "number": r.number,
            "signed_on": r.signed_on.isoformat(),
            "signer_name": r.signer_name,
            "award_code": r.award_code,
            "proposals": r.proposals,
            "awards_issued": issued[r.decision_id],
            "sequence": int(r.sequence),
        }
        for r in store.session.execute(
            select(t.decisions)
            .where(t.decisions.c.movement_id == query.movement_id)
            .order_by(t.decisions.c.sequence)
        )
    ]


def documents_view(query: ListDocuments, store: Store, settings: Settings) -> Any:
    rows = []
    for r in store.session.execute(
        select(t.documents.c.payload, t.documents.c.sequence)
        .where(t.documents.c.movement_id == query.movement_id)
        .order_by(t.documents.c.sequence)
    ):
        doc = json.loads(r.payload)
        rows.append(
            {
                **doc,
                "sequence": int(r.sequence),
                "path": str(settings.out_dir / query.movement_id / doc["file_name"]),
            }
        )
    return rows


QUERIES: dict[str, tuple[type[Query], Any]] = {
    ShowProgress.NAME: (ShowProgress, progress),
    ShowPipeline.NAME: (ShowPipeline, pipeline_view),
    ListIssuedAwards.NAME: (ListIssuedAwards, awards_view),
    ListRegistrations.NAME: (ListRegistrations, registrations_view),
    ListScoreSheets.NAME: (ListScoreSheets, score_sheets_view),
    ListCouncilSessions.NAME: (ListCouncilSessions, sessions_view),
    ListDecisions.NAME: (ListDecisions, decisions_view),
    ListDocuments.NAME: (ListDocuments, documents_view),
}

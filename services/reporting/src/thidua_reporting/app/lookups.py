"""Look-ups staff need beyond one movement's tables: a person's or a unit's award history across
years and reorganisations, who is overdue on which step, and a nominee's báo cáo thành tích
pre-filled from the log (returned, not registered: it is a draft the nominee completes and
signs; the signed one enters the dossier by its SHA-256)."""

from __future__ import annotations

import base64
import datetime
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from thidua_contracts.canonical import sha256_hex
from thidua_contracts.commands import DraftAchievementReport, ShowHistory, ShowOverdue
from thidua_contracts.envelope import Envelope
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import AwardIssued, AwardProposed
from thidua_kit.calendar import state_calendar
from thidua_kit.db import Store
from thidua_kit.settings import Settings

from ..adapters import tables as t
from ..adapters.docx_admin import render_admin_document
from ..domain import pipeline
from ..domain.achievement_report import (
    AchievementFacts,
    AwardLine,
    FigureLine,
    InitiativeLine,
    RatingLine,
    build_achievement_view,
)
from ..domain.admin_document import parent_body_line
from ..domain.overdue import Step, overdue_steps
from .queries import definition

# Limits in working days (DOMAIN §5.4): the Phòng Nội vụ appraises and submits within 10 (NĐ91
# Điều 48 k2); results are notified and rejected dossiers returned within 10 of the decision;
# the province answers within 20 (provincial appraisal, a parameter).
APPRAISAL_DAYS = 10
NOTICE_DAYS = 10
HIGHER_ANSWER_DAYS = 20


def _lineage(store: Store, subject_id: str) -> list[str]:
    """The subject and every unit it continues (merged into it, or split from)."""
    found = [subject_id]
    queue = [subject_id]
    while queue:
        current = queue.pop()
        for r in store.session.execute(
            select(t.identities.c.subject_id, t.identities.c.kind).where(
                t.identities.c.related_id == current, t.identities.c.kind.in_(("merge", "split"))
            )
        ):
            if r.subject_id not in found:
                found.append(r.subject_id)
                queue.append(r.subject_id)
    return found


@dataclass(frozen=True)
class _Held:
    """An award the log issued to one of a lineage's subjects, with its movement's year."""

    award: AwardIssued
    movement_id: str
    year: int
    sequence: int


def _awards_of(store: Store, ids: list[str]) -> list[_Held]:
    session = store.session
    years = dict(
        session.execute(select(t.movements.c.movement_id, t.movements.c.year)).tuples().all()
    )
    held = []
    for r in session.execute(select(t.awards).order_by(t.awards.c.sequence)):
        award = AwardIssued.model_validate_json(r.payload)
        if award.recipient_id in ids:
            year = years.get(r.movement_id, award.signed_on.year)
            held.append(_Held(award, r.movement_id, year, int(r.sequence)))
    return held


def history(query: ShowHistory, store: Store, settings: Settings) -> Any:
    session = store.session
    ids = _lineage(store, query.subject_id)
    revoked = {r.award_id: r for r in session.execute(select(t.revocations))}
    rows: list[dict[str, Any]] = []
    name = None
    for held in _awards_of(store, ids):
        award = held.award
        name = award.recipient_name if award.recipient_id == query.subject_id else name
        gone = revoked.get(award.award_id)
        rows.append(
            {
                "year": held.year,
                "award": award.award_name,
                "recipient_id": award.recipient_id,
                "recipient_name": award.recipient_name,
                "unit_name": award.unit_name,
                "decision": f"{award.decision_number} ({award.signed_on.isoformat()})",
                "movement_id": held.movement_id,
                "source": "log",
                "revoked": f"{gone.decision_number} ({gone.decided_on.isoformat()})"
                if gone
                else None,
                "sequence": held.sequence,
            }
        )
    for r in session.execute(
        select(t.records).where(t.records.c.kind == "prior_award", t.records.c.subject_id.in_(ids))
    ):
        data = json.loads(r.payload)
        rows.append(
            {
                "year": data["year"],
                "award": data["award_code"],
                "recipient_id": r.subject_id,
                "recipient_name": None,
                "unit_name": data["unit_id"],
                "decision": f"{data['decision_ref']} ({data['issuer']})",
                "movement_id": r.movement_id,
                "source": "record",
                "revoked": None,
                "sequence": int(r.sequence),
            }
        )
    changes = [
        {
            "effective_on": r.effective_on.isoformat(),
            "kind": r.kind,
            "subject_id": r.subject_id,
            "related_id": r.related_id,
            "text": r.text,
            "sequence": int(r.sequence),
        }
        for r in session.execute(
            select(t.identities)
            .where(t.identities.c.subject_id.in_(ids) | t.identities.c.related_id.in_(ids))
            .order_by(t.identities.c.sequence)
        )
    ]
    # The name in the last movement by id, compared here: not by the database's collation.
    named = session.execute(
        select(t.units.c.movement_id, t.units.c.name).where(t.units.c.unit_id == query.subject_id)
    ).all()
    unit_name = max(named)[1] if named else None
    rows.sort(key=lambda x: (x["year"], x["sequence"]))
    return {
        "subject_id": query.subject_id,
        "name": unit_name or name or query.subject_id,
        "lineage": ids,
        "awards": rows,
        "reorganisations": changes,
    }


def _proposed_on(event_json: str) -> datetime.date:
    return datetime.date.fromisoformat(Envelope.model_validate_json(event_json).occurred_at[:10])


def overdue(query: ShowOverdue, store: Store, settings: Settings) -> Any:
    session = store.session
    m = query.movement_id
    found = definition(store, m)
    if found is None:
        raise Rejected(ErrorCode.UNKNOWN_MOVEMENT, "movement_id", m)
    calendar = state_calendar(range(found.year - 1, query.as_of.year + 2))
    names = dict(
        session.execute(select(t.units.c.unit_id, t.units.c.name).where(t.units.c.movement_id == m))
        .tuples()
        .all()
    )
    ended = {
        r.unit_id
        for r in session.execute(
            select(t.units.c.unit_id).where(
                t.units.c.movement_id == m, t.units.c.ended_on.is_not(None)
            )
        )
    }
    registered = [
        r.unit_id
        for r in session.execute(
            select(t.registrations.c.unit_id).where(
                t.registrations.c.movement_id == m, t.registrations.c.subject_kind == "tap_the"
            )
        )
        if r.unit_id not in ended
    ]
    steps: list[Step] = []
    for rnd in session.execute(select(t.rounds).where(t.rounds.c.movement_id == m)):
        if rnd.due_on is None:
            continue
        reported = {
            r.unit_id
            for r in session.execute(
                select(t.reports.c.unit_id).where(
                    t.reports.c.movement_id == m,
                    t.reports.c.round == rnd.round,
                    t.reports.c.withdrawn.is_(False),
                )
            )
        }
        for unit_id in registered:
            if unit_id not in reported:
                steps.append(
                    Step("report", rnd.round, names.get(unit_id, unit_id), "unit", rnd.due_on)
                )
    decisions = sorted(
        r.signed_on
        for r in session.execute(
            select(t.decisions.c.signed_on).where(t.decisions.c.movement_id == m)
        )
    )
    for r in session.execute(
        select(t.nominations)
        .where(t.nominations.c.movement_id == m)
        .order_by(t.nominations.c.proposed_sequence)
    ):
        received = _proposed_on(r.event)
        who = r.subject_name
        if r.state in (pipeline.RECEIVED, pipeline.APPRAISED_ELIGIBLE):
            steps.append(
                Step(
                    "appraisal",
                    r.award_code,
                    who,
                    "Phòng Nội vụ",
                    calendar.add_working_days(received, APPRAISAL_DAYS),
                )
            )
        elif r.state in pipeline.TO_NOTIFY:
            # The result is notified and the dossier returned within 10 working days of the
            # decision that closed the nominee's round: the first signed on or after its ballot.
            # A recorded notification (ResultNotified) moves the nominee out of these states.
            voted = (
                r.session_id
                and session.execute(
                    select(t.tallies.c.session_date).where(
                        t.tallies.c.proposal_id == r.proposal_id,
                        t.tallies.c.session_id == r.session_id,
                    )
                ).scalar()
            )
            after = [d for d in decisions if voted and d >= voted]
            if after:
                steps.append(
                    Step(
                        "notice",
                        r.award_code,
                        who,
                        "Phòng Nội vụ",
                        calendar.add_working_days(after[0], NOTICE_DAYS),
                    )
                )
    for r in session.execute(
        select(t.forwarded)
        .where(t.forwarded.c.movement_id == m, t.forwarded.c.answer.is_(None))
        .order_by(t.forwarded.c.sequence)
    ):
        name = session.execute(
            select(t.nominations.c.subject_name).where(t.nominations.c.proposal_id == r.proposal_id)
        ).scalar()
        steps.append(
            Step(
                "higher_answer",
                r.number,
                name or r.proposal_id,
                "UBND tỉnh",
                calendar.add_working_days(r.signed_on, HIGHER_ANSWER_DAYS),
            )
        )
    return {
        "movement_id": m,
        "as_of": query.as_of.isoformat(),
        "rows": overdue_steps(steps, query.as_of, calendar),
    }


def achievement_report(query: DraftAchievementReport, store: Store, settings: Settings) -> Any:
    session = store.session
    m = query.movement_id
    found = definition(store, m)
    row = session.execute(
        select(t.nominations.c.event, t.nominations.c.proposed_sequence).where(
            t.nominations.c.proposal_id == query.proposal_id, t.nominations.c.movement_id == m
        )
    ).first()
    if found is None or row is None:
        raise Rejected(ErrorCode.UNKNOWN_PROPOSAL, "proposal_id", query.proposal_id)
    proposal = AwardProposed.model_validate(Envelope.model_validate_json(row.event).payload)
    unit = session.execute(
        select(t.units).where(t.units.c.movement_id == m, t.units.c.unit_id == proposal.unit_id)
    ).first()
    unit_name = unit.name if unit else proposal.unit_id
    person = found.person(proposal.subject_id) if proposal.subject_kind == "ca_nhan" else None
    ids = _lineage(store, proposal.subject_id)
    records = [
        (r.kind, json.loads(r.payload), r.sequence)
        for r in session.execute(
            select(t.records).where(t.records.c.subject_id.in_(ids)).order_by(t.records.c.sequence)
        )
    ]
    heads = [(d["headcount"], d["women"], d["year"]) for k, d, _ in records if k == "headcount"]
    heads.sort(key=lambda x: x[2])
    # Part III lists what the nominee had when proposed: not the award this proposal led to,
    # nor one revoked since.
    before = row.proposed_sequence
    revoked = set(session.execute(select(t.revocations.c.award_id)).scalars())
    awards = [
        AwardLine(
            year=a.year,
            award=a.award.award_name,
            decision=f"Quyết định số {a.award.decision_number}",
            signed_on=a.award.signed_on,
        )
        for a in _awards_of(store, ids)
        if a.sequence < before and a.award.award_id not in revoked
    ]
    for kind, d, sequence in records:
        if kind == "prior_award" and sequence < before:
            form_named = found.award_form(d["award_code"])
            awards.append(
                AwardLine(
                    year=d["year"],
                    award=form_named.name if form_named else d["award_code"],
                    decision=d["decision_ref"]
                    if " của " in d["decision_ref"]
                    else f"{d['decision_ref']} của {d['issuer']}",
                )
            )
    report = proposal.achievement_report
    if report is not None:
        awards += [
            AwardLine(year=p.year, award=p.award, decision=p.decision_ref)
            for p in report.prior_awards
        ]
    awards = list(dict.fromkeys(awards))
    figures: list[FigureLine] = []
    if proposal.subject_kind == "tap_the":
        rows = session.execute(
            select(t.figures).where(
                t.figures.c.movement_id == m, t.figures.c.unit_id == proposal.unit_id
            )
        ).all()
        committed = {r.target_code: r.value for r in rows if r.round == ""}
        achieved = {
            r.target_code: f"{r.value} {r.unit_of_measure}".strip()
            for r in rows
            if r.round == "tong-ket"
        }
        targets = {x.code: x.name for x in found.targets}
        figures = [
            FigureLine(target=targets.get(c, c), committed=committed.get(c), achieved=v)
            for c, v in achieved.items()
        ]
    form = found.award_form(proposal.award_code)
    is_ward = unit is not None and unit.kind == "phuong"
    place = unit_name.rsplit("phường ", 1)[-1] if is_ward else found.issuer.place
    facts = AchievementFacts(
        kind=proposal.subject_kind,
        parent_line=parent_body_line(list(found.issuer.name_lines)),
        unit_header_lines=[unit_name],
        place=place,
        dated=_proposed_on(row.event),
        award_name=form.name if form else proposal.award_code,
        subject_name=proposal.subject_name,
        sex=person.sex if person else None,
        position=person.position if person else None,
        unit_name=unit_name,
        headcount=heads[-1][0] if heads else None,
        women=heads[-1][1] if heads else None,
        summary=proposal.achievement_summary,
        background=report.background if report else "",
        achievements=report.achievements if report else "",
        ratings=[
            RatingLine(year=d["year"], value=d["value"], source=d["source_ref"])
            for k, d, _ in records
            if k == "rating" and d["kind"] == "nhiem_vu"
        ],
        initiatives=[
            InitiativeLine(title=d["title"], level=d["level"], decision=d["decision_ref"])
            for k, d, _ in records
            if k == "initiative"
        ],
        figures=figures,
        awards=awards,
    )
    data = render_admin_document(build_achievement_view(facts))
    return {
        "proposal_id": query.proposal_id,
        "file_name": f"bao-cao-thanh-tich-{proposal.subject_id}-{proposal.year}.docx",
        "sha256": sha256_hex(data),
        "content_base64": base64.b64encode(data).decode("ascii"),
    }


LOOKUPS: dict[str, tuple[Any, Any]] = {
    ShowHistory.NAME: (ShowHistory, history),
    ShowOverdue.NAME: (ShowOverdue, overdue),
    DraftAchievementReport.NAME: (DraftAchievementReport, achievement_report),
}

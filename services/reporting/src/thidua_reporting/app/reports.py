"""The city's papers upward: its sơ kết / tổng kết report and statistics (on CityReportIssued)
and its Tờ trình to the province (on ProposalsForwarded), each gathered from the read models at
the position of the event that calls for it, rendered, written and registered in the log.

Document ids are derived from the causing event with indexes of their own: the report 0, each
statistics form 10 + 2k (.xlsx) and 11 + 2k (.docx), the Tờ trình upward 3,000,000 (nominations
derives nothing from ProposalsForwarded).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select

from thidua_contracts.commands import IssueCityReport, ListScoreSheets, ShowProgress
from thidua_contracts.envelope import Envelope
from thidua_contracts.events import AwardIssued, AwardProposed, CityReportIssued, ProposalsForwarded
from thidua_contracts.movement import MovementDefinition, RoundKind
from thidua_contracts.subjects import slugify
from thidua_kit.envelopes import human_event
from thidua_kit.host import Context
from thidua_kit.log import StoredEvent

from ..adapters import tables as t
from ..adapters.docx_admin import render_admin_document
from ..adapters.stats_render import render_stats_docx, render_stats_xlsx
from ..domain.admin_document import COUNCIL_NAME, body_name, place_name
from ..domain.city_report import (
    AwardCount,
    BlockResult,
    CityReportFacts,
    Forwarded,
    RankedUnit,
    TargetResult,
    build_city_report_view,
    met,
)
from ..domain.council_minutes import Nominee
from ..domain.province_submission import (
    ProvinceSubmissionFacts,
    UpwardNominee,
    build_province_submission_view,
)
from ..domain.report_command import decide_issue
from ..domain.statistics import AwardFact, MovementFact, StatsFacts, build_statistics
from ..domain.vn_format import format_date_words
from .documents import (
    _movement_event,
    _stored,
    issue_session_papers,
    plan_ref,
    register,
    sessions_of,
)
from .queries import definition, progress, score_sheets_view

REPORT_INDEX = 0
STATS_INDEX = 10
UPWARD_INDEX = 3_000_000
RECEIVER = "Sở Nội vụ tỉnh Bắc Ninh"


async def issue_report(command: IssueCityReport, ctx: Context) -> list[StoredEvent]:
    session = ctx.store.session
    known = definition(ctx.store, command.movement_id) is not None
    taken = {
        (r.number, r.signed_on.year)
        for r in session.execute(select(t.city_reports.c.number, t.city_reports.c.signed_on))
        if r.number
    }
    payload = decide_issue(command, known, taken)
    subject = ctx.subject("report", command.movement_id, command.report_id)
    return await ctx.log.append(
        [human_event(command, subject, payload, ctx.now)],
        await ctx.log.last_subject_sequence(subject),
    )


def issued_awards(ctx: Context, m: str) -> list[AwardIssued]:
    """The movement's awards in log order, without those revoked since."""
    revoked = {
        r.award_id
        for r in ctx.store.session.execute(
            select(t.revocations.c.award_id).where(t.revocations.c.movement_id == m)
        )
    }
    awards = [
        AwardIssued.model_validate_json(r.payload)
        for r in ctx.store.session.execute(
            select(t.awards.c.payload)
            .where(t.awards.c.movement_id == m)
            .order_by(t.awards.c.sequence)
        )
    ]
    return [a for a in awards if a.award_id not in revoked]


def _targets(ctx: Context, m: str, found: MovementDefinition, round_: str) -> list[TargetResult]:
    rows = ctx.store.session.execute(select(t.figures).where(t.figures.c.movement_id == m)).all()
    committed = {(r.unit_id, r.target_code): r.value for r in rows if r.round == ""}
    reported = [r for r in rows if r.round == round_]
    out = []
    for target in found.targets:
        figures = [r for r in reported if r.target_code == target.code]
        with_commitment = [r for r in figures if (r.unit_id, target.code) in committed]
        out.append(
            TargetResult(
                name=target.name,
                reported=len(figures),
                committed=len(with_commitment),
                met=sum(met(r.value, committed[(r.unit_id, target.code)]) for r in with_commitment),
            )
        )
    return [x for x in out if x.reported]


def _blocks(
    ctx: Context, m: str, found: MovementDefinition, round_: RoundKind
) -> list[BlockResult]:
    sheets = score_sheets_view(
        ListScoreSheets(movement_id=m, round=round_), ctx.store, ctx.settings
    )
    leaders = {
        r.block_id: r
        for r in ctx.store.session.execute(
            select(t.block_leaders).where(
                t.block_leaders.c.movement_id == m, t.block_leaders.c.round == round_.value
            )
        )
    }
    names = dict(
        ctx.store.session.execute(
            select(t.units.c.unit_id, t.units.c.name).where(t.units.c.movement_id == m)
        )
        .tuples()
        .all()
    )
    # The ranking scoring decided when the round closed wins over the sheets' own order: it
    # breaks ties by the rules and disqualifies a unit that sent no report.
    decided = {
        (r.block_id, r.unit_id): (r.rank, r.disqualified)
        for r in ctx.store.session.execute(
            select(t.block_ranks).where(
                t.block_ranks.c.movement_id == m, t.block_ranks.c.round == round_.value
            )
        )
    }
    out = []
    for block in found.blocks:
        rows = []
        for s in sheets:
            if s["block_id"] != block.block_id:
                continue
            rank, disqualified = decided.get((block.block_id, s["unit_id"]), (s["rank"], None))
            rows.append(
                RankedUnit(
                    name=s["unit_name"],
                    total=s["total"],
                    rank=None if disqualified else rank,
                    unranked_reason=disqualified,
                )
            )
        leader = leaders.get(block.block_id)
        out.append(
            BlockResult(
                name=block.name,
                rows=rows,
                leader_name=names.get(leader.leader_unit_id)
                if leader and leader.leader_unit_id
                else None,
                honoured_on=leader.honoured_on if leader else None,
            )
        )
    return out


def _forwarded(ctx: Context, m: str) -> list[Forwarded]:
    grouped: dict[str, list[Any]] = defaultdict(list)
    for r in ctx.store.session.execute(
        select(t.forwarded).where(t.forwarded.c.movement_id == m).order_by(t.forwarded.c.sequence)
    ):
        grouped[r.submission_id].append(r)
    return [
        Forwarded(number=rows[0].number, signed_on=rows[0].signed_on, count=len(rows))
        for rows in grouped.values()
    ]


def city_report_facts(ctx: Context, m: str, payload: CityReportIssued) -> CityReportFacts:
    found = definition(ctx.store, m)
    assert found is not None
    session = ctx.store.session
    kind = RoundKind(payload.kind)
    answer = progress(ShowProgress(movement_id=m, round=kind), ctx.store, ctx.settings)
    rounds = answer["rounds"]
    tally: dict[str, Any] = rounds[0] if rounds else {}
    registrations = [
        r.subject_kind
        for r in session.execute(
            select(t.registrations.c.subject_kind).where(t.registrations.c.movement_id == m)
        )
    ]
    units_total = sum(
        1
        for _ in session.execute(
            select(t.units.c.unit_id).where(
                t.units.c.movement_id == m, t.units.c.ended_on.is_(None)
            )
        )
    )
    counts: dict[str, list[int]] = {}
    # A paper cites nothing dated after itself, whenever it was issued: a sơ kết report written
    # up late must not name a December Tờ trình.
    if kind == RoundKind.TONG_KET:
        for award in (a for a in issued_awards(ctx, m) if a.signed_on <= payload.signed_on):
            pair = counts.setdefault(award.award_name, [0, 0])
            pair[0 if award.recipient_kind == "tap_the" else 1] += 1
    assert payload.number is not None
    return CityReportFacts(
        kind=payload.kind,  # type: ignore[arg-type]
        issuer_lines=list(found.issuer.name_lines),
        place=found.issuer.place,
        number=payload.number,
        signed_on=payload.signed_on,
        movement_year=found.year,
        plan_ref=plan_ref(ctx, m, found),
        addressee=payload.addressee,
        units_total=units_total,
        units_registered=registrations.count("tap_the"),
        individuals_registered=registrations.count("ca_nhan"),
        reports_expected=int(tally.get("expected", 0)),
        reports_submitted=int(tally.get("submitted", 0)),
        late_units=list(tally.get("late_units", [])),
        missing_units=list(tally.get("missing_units", [])),
        targets=_targets(ctx, m, found, kind.value),
        blocks=_blocks(ctx, m, found, kind),
        awards=[
            AwardCount(award_name=k, collectives=v[0], individuals=v[1]) for k, v in counts.items()
        ],
        forwarded=[f for f in _forwarded(ctx, m) if f.signed_on <= payload.signed_on],
        typical_examples=list(payload.typical_examples),
        shortcomings=list(payload.shortcomings),
        directions=list(payload.directions),
        proposals=list(payload.proposals),
        signer_position=payload.signer_position,
        signer_name=payload.signer_name,
    )


def statistics_facts(ctx: Context, m: str, payload: CityReportIssued) -> StatsFacts:
    found = definition(ctx.store, m)
    assert found is not None
    kinds = dict(
        ctx.store.session.execute(
            select(t.units.c.unit_id, t.units.c.kind).where(t.units.c.movement_id == m)
        )
        .tuples()
        .all()
    )
    return StatsFacts(
        year=found.year,
        reporter=body_name(list(found.issuer.name_lines)),
        receiver=RECEIVER,
        place=found.issuer.place,
        signed_on=payload.signed_on,
        signer_name=payload.signer_name,
        movements=[MovementFact(period_from=found.period_from, period_to=found.period_to)],
        awards=[
            AwardFact(
                award_code=a.award_code,
                recipient_kind=a.recipient_kind,
                unit_kind=kinds.get(a.unit_id, ""),
                position=a.recipient_position,
            )
            for a in issued_awards(ctx, m)
        ],
    )


async def on_city_report(item: StoredEvent, payload: CityReportIssued, ctx: Context) -> None:
    m = item.envelope.movement_id
    movement = _movement_event(ctx, m)
    inputs = [item, movement]
    year = payload.signed_on.year
    if payload.kind != "thong-ke":
        view = build_city_report_view(city_report_facts(ctx, m, payload))
        assert payload.number is not None
        await register(
            ctx,
            item,
            REPORT_INDEX,
            render_admin_document(view),
            doc_type="bao-cao",
            number=payload.number,
            title=view.title,
            file_name=f"bao-cao-{payload.kind}-{slugify(payload.number)}-{year}.docx",
            inputs=inputs,
            built_from=item,
        )
        return
    for k, form in enumerate(build_statistics(statistics_facts(ctx, m, payload))):
        for offset, (data, ext) in enumerate(
            ((render_stats_xlsx(form), "xlsx"), (render_stats_docx(form), "docx"))
        ):
            await register(
                ctx,
                item,
                STATS_INDEX + 2 * k + offset,
                data,
                doc_type=form.slug,
                number=None,
                title=f"Biểu số {form.code}: {form.title} ({form.period})",
                # Named by the year the figures are of, not the day they were signed.
                file_name=f"{form.slug}-{form.code[5]}-{form.period[-4:]}.{ext}".lower(),
                inputs=inputs,
                built_from=item,
            )


async def on_forwarded(item: StoredEvent, payload: ProposalsForwarded, ctx: Context) -> None:
    m = item.envelope.movement_id
    found = definition(ctx.store, m)
    assert found is not None
    session = ctx.store.session
    units = dict(
        session.execute(select(t.units.c.unit_id, t.units.c.name).where(t.units.c.movement_id == m))
        .tuples()
        .all()
    )
    # The minutes the Tờ trình cites exist before it: a session whose nominees all go to the
    # province has had no decision to call for them. The council is chaired by the Chairman
    # (DOMAIN §4): named when he signs the Tờ trình himself, as for a decision.
    chair = payload.signer_name if payload.signer_position == "chu_tich" else None
    for place, session_id in enumerate(sessions_of(session, m, payload.proposal_ids)):
        await issue_session_papers(item, session_id, place, ctx, chair, payload.submission_id)
    nominees: list[UpwardNominee] = []
    minutes: dict[str, str] = {}
    inputs = [item]
    issuer = list(found.issuer.name_lines)
    for proposal_id in payload.proposal_ids:
        row = session.execute(
            select(t.nominations.c.event, t.nominations.c.proposed_sequence).where(
                t.nominations.c.proposal_id == proposal_id
            )
        ).first()
        if row is None:
            raise LookupError(f"forwarded proposal {proposal_id} unknown to reporting")
        proposal = AwardProposed.model_validate(Envelope.model_validate_json(row.event).payload)
        inputs.append(_stored(row.event, row.proposed_sequence))
        tally = session.execute(
            select(t.tallies)
            .where(t.tallies.c.proposal_id == proposal_id)
            .order_by(t.tallies.c.sequence.desc())
        ).first()
        person = found.person(proposal.subject_id) if proposal.subject_kind == "ca_nhan" else None
        form = found.award_form(proposal.award_code)
        nominees.append(
            UpwardNominee(
                nominee=Nominee(
                    kind=proposal.subject_kind,
                    name=proposal.subject_name,
                    position=person.position if person else None,
                    unit_name=units.get(proposal.unit_id) if person else None,
                    award_name=form.name if form else proposal.award_code,
                    issued=tally.issued if tally else 0,
                    returned=tally.returned if tally else 0,
                    valid=tally.valid if tally else 0,
                    yes_total=(tally.yes + tally.written_yes) if tally else 0,
                    passed=tally.passed if tally else None,
                ),
                members_total=tally.members_total if tally else 1,
                session_date=tally.session_date if tally else None,
                via_province=bool(
                    form and any(w in form.authority for w in ("Thủ tướng", "Chủ tịch nước"))
                ),
            )
        )
        if tally is not None:
            inputs.append(_stored(tally.event, tally.sequence))
            papers = session.execute(
                select(t.session_papers.c.minutes_number).where(
                    t.session_papers.c.movement_id == m,
                    t.session_papers.c.session_id == tally.session_id,
                )
            ).scalar()
            council = f"{COUNCIL_NAME} {place_name(issuer)}"
            when = format_date_words(tally.session_date)
            minutes[tally.session_id] = (
                f"Biên bản số {papers} họp {council} {when}"
                if papers
                else f"Biên bản họp {council} {when}"
            )
    view = build_province_submission_view(
        ProvinceSubmissionFacts(
            issuer_lines=issuer,
            place=found.issuer.place,
            number=payload.number,
            signed_on=payload.signed_on,
            addressee=payload.addressee,
            movement_year=found.year,
            plan_ref=plan_ref(ctx, m, found),
            minutes=list(minutes.values()),
            nominees=nominees,
            signer_position=payload.signer_position,
            signer_name=payload.signer_name or "",
        )
    )
    await register(
        ctx,
        item,
        UPWARD_INDEX,
        render_admin_document(view),
        doc_type="to-trinh-tinh",
        number=payload.number,
        title=view.title,
        file_name=f"to-trinh-tinh-{slugify(payload.number)}-{payload.signed_on.year}.docx",
        inputs=[*inputs, _movement_event(ctx, m)],
        built_from=item,
    )

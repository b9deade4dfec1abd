"""`thidua report …`: the reporting service's read models as tables, and a rebuild check.

`thidua report rebuild` folds the whole log into a fresh scratch SQLite database with the
reporting service's own fold (`ServiceDefinition.extra["fold"]`: tables only, no appends, no
files), asks the scratch tables and the live service the same queries and compares the answers.
The service is found through its entry point, so the kit never imports it.
"""

from __future__ import annotations

import base64
import json
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.orm import Session

from thidua_contracts.commands import (
    DraftAchievementReport,
    IssueCityReport,
    ListCouncilSessions,
    ListDocuments,
    ShowHistory,
    ShowOverdue,
    ShowPipeline,
    ShowProgress,
)
from thidua_contracts.envelope import Actor, Envelope, Role
from thidua_contracts.movement import RoundKind

from .cli import ActorOpt, MovementOpt, _ask, _load_file, _run, _send, fail, report
from .client import Client
from .clock import new_id
from .db import Store, create_schema, make_engine
from .host import ServiceDefinition, parse_payload
from .log import EventLog, StoredEvent
from .services import load
from .settings import Settings

SERVICE = "reporting"
VIETNAM = timezone(timedelta(hours=7))
RoundOpt = Annotated[RoundKind | None, typer.Option("--round", help="so-ket or tong-ket")]


def _console() -> Console:
    # Wide enough for Vietnamese unit names; rich wraps what does not fit.
    return Console(width=140, highlight=False)


@report.command("progress")
def progress(movement_id: MovementOpt = "bn-2022", round_: RoundOpt = None) -> None:
    """Reports per round and block: submitted, amended, late, missing."""
    result = _ask(ShowProgress(movement_id=movement_id, round=round_))
    console = _console()
    if not result["rounds"]:
        console.print(f"no movement {movement_id} in the reporting service")
    for item in result["rounds"]:
        dates = f"due {item['due_on']}" + (
            f", closed {item['closed_on']}" if item["closed_on"] else ""
        )
        table = Table(title=f"{item['name']} ({item['round']}, {dates})", title_justify="left")
        for column in ("Khối / block", "expected", "submitted", "amended", "late", "missing"):
            table.add_column(column, justify="left" if column.startswith("Khối") else "right")
        table.add_column("late / missing units", overflow="fold", max_width=60)
        for block in item["blocks"]:
            table.add_row(*_progress_cells(block["name"], block))
        table.add_section()
        table.add_row(*_progress_cells("Tổng / total", item), style="bold")
        console.print(table)


def _progress_cells(label: str, tally: dict[str, Any]) -> list[str]:
    units = [f"{u} (late)" for u in tally["late_units"]] + tally["missing_units"]
    shown = ", ".join(units[:6]) + (f" … +{len(units) - 6}" if len(units) > 6 else "")
    counts = ("expected", "submitted", "amended", "late", "missing")
    return [label, *(str(tally[c]) for c in counts), shown]


@report.command("pipeline")
def pipeline(movement_id: MovementOpt = "bn-2022") -> None:
    """Every proposal with its state (DOMAIN §5.1), and counts by state and award."""
    result = _ask(ShowPipeline(movement_id=movement_id))
    console = _console()
    counts = Table(title=f"{result['total']} proposals by state and award", title_justify="left")
    for column in ("state", "award", "count"):
        counts.add_column(column, justify="right" if column == "count" else "left")
    for row in result["counts"]:
        counts.add_row(row["state"], row["award_code"], str(row["count"]))
    console.print(counts)
    rows = Table(title="proposals", title_justify="left")
    for column in ("subject", "unit", "award", "state", "votes", "decision", "prize (đ)"):
        rows.add_column(column, justify="right" if column in {"votes", "prize (đ)"} else "left")
    for row in result["rows"]:
        votes = f"{row['yes_total']}/{row['members_total']}" if row["yes_total"] is not None else ""
        prize = f"{row['prize_vnd']:,}".replace(",", ".") if row["prize_vnd"] else ""
        rows.add_row(
            row["subject_name"],
            row["unit_id"],
            row["award_code"],
            row["state"],
            votes,
            row["decision_number"] or "",
            prize,
        )
    console.print(rows)


@report.command("sessions")
def sessions(movement_id: MovementOpt = "bn-2022") -> None:
    """Council sessions and their ballot tallies (percent of the council's total members)."""
    console = _console()
    for item in _ask(ListCouncilSessions(movement_id=movement_id)):
        table = Table(
            title=f"{item['session_id']} on {item['session_date']}: "
            f"{item['present']}/{item['members_total']} members present",
            title_justify="left",
        )
        for column in ("nominee", "issued", "returned", "valid", "yes", "% of members", "result"):
            table.add_column(column, justify="left" if column == "nominee" else "right")
        for tally in item["tallies"]:
            verdict = {True: "passed", False: "failed", None: "pending"}[tally["passed"]]
            table.add_row(
                tally["subject_name"],
                *(str(tally[k]) for k in ("issued", "returned", "valid", "yes_total")),
                tally["percent_of_members"],
                verdict,
            )
        console.print(table)


@report.command("documents")
def documents(movement_id: MovementOpt = "bn-2022") -> None:
    """Documents issued and registered in the log, with their SHA-256."""
    table = Table(title=f"documents of {movement_id}", title_justify="left")
    for column in ("log #", "type", "number", "file", "sha256"):
        table.add_column(column, justify="right" if column == "log #" else "left")
    for row in _ask(ListDocuments(movement_id=movement_id)):
        table.add_row(
            str(row["sequence"]),
            row["doc_type"],
            row["number"] or "",
            row["file_name"],
            row["sha256"][:16] + "…",
        )
    _console().print(table)


# -- rebuild -----------------------------------------------------------------------------------


@dataclass
class Rebuilt:
    """The outcome of folding the log into scratch tables and comparing with the live answers."""

    position: int
    answers: dict[str, Any]
    differences: list[str] = field(default_factory=list)
    unreadable: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def _plain(value: Any) -> Any:
    """As the answer travels over NATS (JSON), so both sides compare alike."""
    return json.loads(json.dumps(value, default=str))


def movement_queries(queries: dict[str, Any]) -> dict[str, Any]:
    """The queries answered from the movement id alone: the read models a rebuild compares.

    Look-ups that need more (a subject, a date, a proposal) read the same tables."""
    return {
        name: entry
        for name, entry in sorted(queries.items())
        if {n for n, f in entry[0].model_fields.items() if f.is_required()} == {"movement_id"}
    }


class _FoldError(Exception):
    """An event the fold could not take, met while folding without savepoints."""


# Events read from the log at a time: a province's year (half a million events) is never held in
# memory whole, and no consumer stays open while the fold runs.
READ_AT_ONCE = 10_000

Events = Callable[[], AsyncIterator[tuple[int, bytes]]]


def log_events(log: EventLog, end: int) -> Events:
    """The log's events up to `end`, read `READ_AT_ONCE` at a time; each call starts over."""

    async def events() -> AsyncIterator[tuple[int, bytes]]:
        start = 1
        while start <= end:
            last = min(end, start + READ_AT_ONCE - 1)
            chunk = [item async for item in log.replay_raw(start, last)]
            for item in chunk:
                yield item
            start = last + 1

    return events


async def _fold_all(
    store: Store,
    fold: Callable[[StoredEvent, Any, Store], None],
    events: AsyncIterator[tuple[int, bytes]],
    careful: bool,
    advance: Callable[[int], None] | None,
) -> tuple[list[int], list[int]]:
    """Fold every readable event; `careful` gives each a savepoint of its own, so that one
    failing leaves the others folded."""
    unreadable: list[int] = []
    failed: list[int] = []
    async for sequence, body in events:
        try:
            envelope = Envelope.from_bytes(body)
            payload = parse_payload(envelope)
        except Exception:  # the live service parked it too
            unreadable.append(sequence)
            continue
        item = StoredEvent(sequence, envelope)
        if careful:
            try:
                with store.session.begin_nested():
                    fold(item, payload, store)
            except Exception:
                failed.append(sequence)
        else:
            try:
                fold(item, payload, store)
            except Exception as exc:
                raise _FoldError(sequence) from exc
        if advance is not None:
            advance(1)
    return unreadable, failed


async def fold_into(
    database: Path,
    events: Events,
    settings: Settings,
    movement_id: str,
    advance: Callable[[int], None] | None = None,
) -> tuple[dict[str, Any], list[int], list[int]]:
    """Fold `events` into a fresh database with the service's fold; answer every query there.

    As the live service folds a batch: all at once first, and only when an event fails, all
    again with a savepoint per event (a savepoint for every event made the fold of a
    tenth-size year take 4.1 s rather than 1.6 s)."""
    definition = load(SERVICE, settings)
    fold: Callable[[StoredEvent, Any, Store], None] | None = definition.extra.get("fold")
    if fold is None or definition.metadata is None:
        raise LookupError(f"service {SERVICE} offers no fold to rebuild with")
    engine = make_engine(f"sqlite:///{database}")
    try:
        create_schema(engine, definition.metadata)
        with Session(engine) as session:
            store = Store(session)
            try:
                with session.begin():
                    unreadable, failed = await _fold_all(store, fold, events(), False, advance)
                    answers = _answers(definition, store, settings, movement_id)
            except _FoldError:
                # Rolled back whole; the second pass is not counted again on the progress bar.
                with session.begin():
                    unreadable, failed = await _fold_all(store, fold, events(), True, None)
                    answers = _answers(definition, store, settings, movement_id)
    finally:
        engine.dispose()
    return answers, unreadable, failed


def _answers(
    definition: ServiceDefinition, store: Store, settings: Settings, movement_id: str
) -> dict[str, Any]:
    return {
        name: _plain(handler(model.model_validate({"movement_id": movement_id}), store, settings))
        for name, (model, handler) in movement_queries(definition.queries).items()
    }


async def rebuild_and_compare(
    client: Client,
    settings: Settings,
    movement_id: str,
    advance: Callable[[int], None] | None = None,
) -> Rebuilt:
    """Rebuild up to the live service's position and compare every query's answer with it."""
    definition = load(SERVICE, settings)
    for _attempt in range(5):
        status = await client.status(SERVICE)
        if status.status != "ok":
            raise LookupError(f"the {SERVICE} service does not answer: run it to compare with")
        position = int(status.result["position"])
        events = log_events(client.log(), position)
        with tempfile.TemporaryDirectory(prefix="thidua-rebuild-") as scratch:
            answers, unreadable, failed = await fold_into(
                Path(scratch) / "reporting.db", events, settings, movement_id, advance
            )
        differences = []
        for name, (model, _handler) in movement_queries(definition.queries).items():
            reply = await client.query(model.model_validate({"movement_id": movement_id}))
            if reply.status != "ok":
                differences.append(f"{name}: the live service rejected the query")
            elif _plain(reply.result) != answers[name]:
                differences.append(f"{name}: live and rebuilt answers differ")
        after = await client.status(SERVICE)
        if after.status == "ok" and int(after.result["position"]) == position:
            return Rebuilt(position, answers, differences, unreadable, failed)
        # The live service moved on while we compared: compare again at its new position.
    raise TimeoutError(f"the {SERVICE} service kept moving; compare again when the log is quiet")


def _size(answer: Any) -> int:
    if isinstance(answer, dict):
        answer = answer.get("rows", answer.get("rounds", []))
    return len(answer) if isinstance(answer, list) else 1


@report.command("rebuild")
def rebuild(movement_id: MovementOpt = "bn-2022") -> None:
    """Fold the log into fresh tables with the service's own fold; compare with the live service."""
    settings = Settings()

    # Folding a long log takes a while: show how far it is (rich, already the CLI's library).
    with Progress(
        TextColumn("folding the log"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=_console(),
        transient=True,
    ) as bar:
        task = bar.add_task("fold", total=None)

        async def work(client: Client) -> Rebuilt:
            status = await client.status(SERVICE)
            if status.status == "ok":
                bar.update(task, total=int(status.result["position"]))

            def advance(n: int) -> None:
                bar.advance(task, n)

            return await rebuild_and_compare(client, settings, movement_id, advance)

        try:
            result = _run(work)
        except LookupError as exc:
            fail(str(exc))
    table = Table(
        title=f"rebuilt from the log up to #{result.position} into fresh tables",
        title_justify="left",
    )
    for column in ("query", "rows", "live = rebuilt"):
        table.add_column(column)
    different = {d.split(":", 1)[0] for d in result.differences}
    for name, answer in result.answers.items():
        table.add_row(name, str(_size(answer)), "no" if name in different else "yes")
    console = _console()
    console.print(table)
    if result.unreadable or result.failed:
        console.print(f"unreadable events: {result.unreadable}; fold failed: {result.failed}")
    if result.differences:
        fail("; ".join(result.differences))


# -- the city's reports upward and look-ups ------------------------------------------------


@report.command("issue")
def issue(
    kind: Annotated[str, typer.Argument(help="so-ket, tong-ket or thong-ke (statistics)")],
    on: Annotated[str, typer.Option("--on", help="date signed, YYYY-MM-DD")],
    signer: Annotated[str, typer.Option("--signer", help="the signer's full name")],
    number: Annotated[str | None, typer.Option("--number", help="e.g. 15/BC-UBND")] = None,
    deputy: Annotated[bool, typer.Option("--deputy", help="signed by a Vice-Chairman")] = False,
    details: Annotated[
        Path | None,
        typer.Option(
            "--details",
            help="YAML/JSON with typical_examples, shortcomings, directions, proposals",
        ),
    ] = None,
    movement_id: MovementOpt = "bn-2022",
    actor: ActorOpt = None,
) -> None:
    """Sign the city's sơ kết / tổng kết report or statistics; the service writes them."""
    extra = _load_file(details) if details else {}
    _send(
        lambda: IssueCityReport(
            command_id=new_id(),
            actor=Actor(id=actor or "van-phong-ubnd", role=Role.CHAIRMAN_OFFICE),
            movement_id=movement_id,
            report_id=new_id(),
            kind=kind,  # type: ignore[arg-type]
            number=number,
            signed_on=date.fromisoformat(on),
            signer_name=signer,
            signer_position="pho_chu_tich" if deputy else "chu_tich",
            **(extra or {}),
        )
    )


@report.command("history")
def history(subject_id: Annotated[str, typer.Argument(help="a person's or a unit's id")]) -> None:
    """A person's or a unit's awards across years and reorganisations."""
    result = _ask(ShowHistory(subject_id=subject_id))
    console = _console()
    lineage = ", ".join(result["lineage"][1:])
    title = f"{result['name']} ({result['subject_id']})" + (
        f" — continues {lineage}" if lineage else ""
    )
    table = Table(title=title, title_justify="left")
    for column in ("year", "award", "recipient", "decision", "source", "revoked"):
        table.add_column(column, overflow="fold")
    for row in result["awards"]:
        table.add_row(
            str(row["year"]),
            row["award"],
            row["recipient_name"] or row["recipient_id"],
            row["decision"],
            row["source"],
            row["revoked"] or "",
        )
    console.print(table)
    if result["reorganisations"]:
        changes = Table(title="reorganisations", title_justify="left")
        for column in ("effective", "kind", "subject", "text"):
            changes.add_column(column, overflow="fold")
        for row in result["reorganisations"]:
            changes.add_row(row["effective_on"], row["kind"], row["subject_id"], row["text"])
        console.print(changes)


@report.command("overdue")
def overdue(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="YYYY-MM-DD; default: today in Vietnam")
    ] = None,
    movement_id: MovementOpt = "bn-2022",
) -> None:
    """Who is past the limit of which step (reports, appraisal, notices), in working days."""
    day = date.fromisoformat(as_of) if as_of else datetime.now(VIETNAM).date()
    result = _ask(ShowOverdue(movement_id=movement_id, as_of=day))
    table = Table(
        title=f"overdue on {result['as_of']} ({len(result['rows'])})", title_justify="left"
    )
    for column in ("step", "what", "who", "owner", "due", "working days over"):
        table.add_column(column, justify="right" if column.startswith("working") else "left")
    for row in result["rows"]:
        table.add_row(
            row["step"],
            row["what"],
            row["who"],
            row["owner"],
            row["due_on"],
            str(row["working_days_overdue"]),
        )
    _console().print(table)


@report.command("achievement")
def achievement(
    proposal_id: Annotated[str, typer.Argument(help="the proposal's id")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help=".docx to write")] = None,
    movement_id: MovementOpt = "bn-2022",
) -> None:
    """A nominee's báo cáo thành tích, pre-filled from the log, as a .docx to complete."""
    result = _ask(DraftAchievementReport(movement_id=movement_id, proposal_id=proposal_id))
    target = output or Path(result["file_name"])
    target.write_bytes(base64.b64decode(result["content_base64"]))
    typer.echo(f"{target}  sha256 {result['sha256']}")

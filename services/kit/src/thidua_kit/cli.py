"""`thidua`: the operator's tool over the public NATS API."""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
import yaml
from pydantic import ValidationError

from thidua_contracts.commands import (
    Command,
    DefineMovement,
    ExplainAward,
    ListAwards,
    ProposeAward,
    Query,
    RecordTally,
    RegisterUnit,
    SignDecision,
    SubmitReport,
)
from thidua_contracts.envelope import Actor, Role
from thidua_contracts.movement import MovementDefinition, RoundKind
from thidua_contracts.replies import CommandReply, QueryReply

from .client import Client, UnreachableError
from .clock import new_id
from .log import EventLog, StreamMissingError, StreamSettingsError
from .services import run_on_loop
from .settings import Settings

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Thi đua – khen thưởng")
admin = typer.Typer(no_args_is_help=True, help="Streams and operations")
service = typer.Typer(no_args_is_help=True, help="Run a service process")
movement = typer.Typer(no_args_is_help=True, help="Movements (phong trào thi đua)")
report = typer.Typer(no_args_is_help=True, help="Periodic reports (sơ kết, tổng kết)")
nomination = typer.Typer(no_args_is_help=True, help="Award proposals")
council = typer.Typer(no_args_is_help=True, help="Council sessions and ballots")
decision = typer.Typer(no_args_is_help=True, help="Decisions of the Chairman")
awards = typer.Typer(no_args_is_help=True, help="Issued awards")
audit = typer.Typer(no_args_is_help=True, help="Auditor's tools")
for sub, name in (
    (admin, "admin"),
    (service, "service"),
    (movement, "movement"),
    (report, "report"),
    (nomination, "nomination"),
    (council, "council"),
    (decision, "decision"),
    (awards, "awards"),
    (audit, "audit"),
):
    app.add_typer(sub, name=name)

T = TypeVar("T")
MovementOpt = Annotated[str, typer.Option("--movement", "-m", envvar="THIDUA_MOVEMENT")]
ActorOpt = Annotated[str | None, typer.Option("--actor", help="actor id (slug)")]


def fail(message: str) -> NoReturn:
    typer.echo(f"lỗi / error: {message}", err=True)
    raise typer.Exit(1)


def _run(work: Callable[[Client], Awaitable[T]]) -> T:
    async def main() -> T:
        async with Client(Settings()) as client:
            return await work(client)

    try:
        return run_on_loop(main())
    except UnreachableError as exc:
        fail(str(exc))
        raise  # unreachable: fail() exits
    except (OSError, TimeoutError) as exc:
        fail(f"NATS at {Settings().nats_url}: {type(exc).__name__}: {exc}")
        raise
    except (StreamMissingError, StreamSettingsError) as exc:
        fail(str(exc))
        raise


def _send(build: Callable[[], Command]) -> CommandReply:
    try:
        command = build()
    except ValidationError as exc:
        first = exc.errors()[0]
        fail(f"{'.'.join(map(str, first['loc']))}: {first['msg']}")
    reply = _run(lambda c: c.command(command))
    _print_reply(reply)
    return reply


def _print_reply(reply: CommandReply) -> None:
    if reply.status == "accepted":
        for e in reply.events:
            typer.echo(f"accepted {e.type} seq={e.sequence} id={e.event_id}")
        return
    assert reply.error is not None
    err = reply.error
    typer.echo(
        f"rejected [{err.code.value}] {err.field or '-'}: {err.message_vi} / {err.message_en}",
        err=True,
    )
    raise typer.Exit(1)


def _ask(query: Query) -> Any:
    reply: QueryReply = _run(lambda c: c.query(query))
    if reply.status != "ok":
        assert reply.error is not None
        fail(f"[{reply.error.code.value}] {reply.error.message_vi} / {reply.error.message_en}")
    return reply.result


def _load_file(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        fail(str(exc))
    try:
        return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        fail(f"{path.name}: {exc}")


def _evidence(folder: Path, item: dict[str, Any]) -> dict[str, Any]:
    entry = dict(item)
    file = folder / str(entry.pop("path", ""))
    try:
        content = file.read_bytes()
    except OSError as exc:
        fail(f"evidence {file.name}: {exc.strerror}")
    entry.setdefault("name", file.name)
    entry["sha256"] = hashlib.sha256(content).hexdigest()
    entry["content_base64"] = base64.b64encode(content).decode()
    return entry


def _clerk(unit: str, actor: str | None) -> Actor:
    return Actor(id=actor or f"{unit}-van-thu", role=Role.UNIT_CLERK, unit=unit)


@app.command("send")
def send(
    name: Annotated[str, typer.Argument(help="service.command, e.g. submissions.sign_covenant")],
    path: Path,
    role: Annotated[Role, typer.Option(help="the actor's role")],
    actor: Annotated[str, typer.Option("--actor", help="the actor's id (slug)")],
    unit: Annotated[str | None, typer.Option(help="the actor's unit")] = None,
    movement_id: MovementOpt = "bn-2022",
) -> None:
    """Any command, its fields read from a YAML or JSON file (command id and actor added)."""
    from thidua_contracts.commands import COMMANDS

    service_name, _, command_name = name.partition(".")
    model = COMMANDS.get((service_name, command_name))
    if model is None:
        known = ", ".join(f"{s}.{n}" for s, n in sorted(COMMANDS))
        fail(f"no command {name!r}; known: {known}")
    fields = _load_file(path) or {}
    if not isinstance(fields, dict):
        fail(f"{path.name}: expected a mapping of field names to values")

    def build() -> Command:
        return model.model_validate(
            {
                **fields,
                "command_id": new_id(),
                "movement_id": movement_id,
                "actor": Actor(id=actor, role=role, unit=unit),
            }
        )

    _send(build)


@admin.command("provision")
def provision(
    replicas: Annotated[
        int | None,
        typer.Option(help="stream replicas: 1 on one node, 3 in a cluster (THIDUA_REPLICAS)"),
    ] = None,
    partitions: Annotated[
        int | None,
        typer.Option(help="also create the partition lease bucket (THIDUA_PARTITIONS)"),
    ] = None,
) -> None:
    """Create the streams (idempotent; verifies protections of existing ones)."""
    changes: dict[str, int] = {}
    if replicas is not None:
        changes["replicas"] = replicas
    if partitions is not None:
        changes["partitions"] = partitions

    async def work(client: Client) -> list[str]:
        settings = client.settings.model_copy(update=changes)
        return await EventLog(client.nc.jetstream(), settings).provision()

    for line in _run(work):
        typer.echo(line)


@service.command("run")
def run_service(name: str) -> None:
    """Run one service in the foreground (SIGTERM/SIGINT stop it gracefully)."""
    from .services import run

    try:
        run(name, Settings())
    except LookupError as exc:
        fail(str(exc))


@service.command("status")
def service_status(name: str) -> None:
    """Ask a running service how far it has folded the log (exit 1 when it does not answer);
    the health check of the containers."""

    async def work(client: Client) -> QueryReply:
        return await client.status(name)

    reply = _run(work)
    if reply.status != "ok":
        assert reply.error is not None
        fail(reply.error.message_en)
    typer.echo(json.dumps(reply.result, ensure_ascii=False))


@movement.command("define")
def define(path: Path, actor: ActorOpt = None) -> None:
    """Define a movement from its definition file (YAML or JSON)."""
    try:
        definition = MovementDefinition.model_validate(_load_file(path))
    except ValidationError as exc:
        first = exc.errors()[0]
        fail(f"{path.name}: {'.'.join(map(str, first['loc']))}: {first['msg']}")
    _send(
        lambda: DefineMovement(
            command_id=new_id(),
            actor=Actor(id=actor or "phong-noi-vu", role=Role.PHONG_NOI_VU),
            movement_id=definition.movement_id,
            definition=definition,
        )
    )


@app.command("register")
def register(
    unit: str,
    on: Annotated[str, typer.Option(help="date of registration, YYYY-MM-DD")],
    title: Annotated[list[str] | None, typer.Option(help="award form sought")] = None,
    movement_id: MovementOpt = "bn-2022",
    actor: ActorOpt = None,
) -> None:
    """Register a unit for the movement (đăng ký thi đua)."""
    _send(
        lambda: RegisterUnit(
            command_id=new_id(),
            actor=_clerk(unit, actor),
            movement_id=movement_id,
            unit_id=unit,
            titles_sought=title or [],
            registered_on=date.fromisoformat(on),
        )
    )


@report.command("submit")
def submit(
    path: Path,
    unit: Annotated[str, typer.Option()],
    round_: Annotated[RoundKind, typer.Option("--round")],
    on: Annotated[str, typer.Option(help="date submitted, YYYY-MM-DD")],
    movement_id: MovementOpt = "bn-2022",
    actor: ActorOpt = None,
) -> None:
    """Submit a sơ kết or tổng kết report from a YAML/JSON file.

    Evidence files are listed with a `path` (relative to the report file); their SHA-256 and
    content travel with the command and are checked by the service."""
    body = _load_file(path) or {}
    body["evidence"] = [_evidence(path.parent, item) for item in body.get("evidence", [])]
    _send(
        lambda: SubmitReport(
            command_id=new_id(),
            actor=_clerk(unit, actor),
            movement_id=movement_id,
            unit_id=unit,
            round=round_,
            submitted_on=date.fromisoformat(on),
            **body,
        )
    )


@nomination.command("propose")
def propose(
    unit: Annotated[str, typer.Option()],
    award: Annotated[str, typer.Option()],
    summary: Annotated[str, typer.Option(help="achievement summary")],
    year: Annotated[int, typer.Option()],
    person: Annotated[str | None, typer.Option(help="person id; omit to propose the unit")] = None,
    dossier: Annotated[
        Path | None, typer.Option(help="YAML/JSON list of dossier items, each with a file `path`")
    ] = None,
    movement_id: MovementOpt = "bn-2022",
    actor: ActorOpt = None,
) -> None:
    """A unit proposes one of its people (or itself) for an award form, with its dossier
    (each document identified by the SHA-256 of its file, DOMAIN §5.2)."""
    items = _dossier(dossier) if dossier else []
    _send(
        lambda: ProposeAward(
            command_id=new_id(),
            actor=_clerk(unit, actor),
            movement_id=movement_id,
            proposal_id=new_id(),
            unit_id=unit,
            subject_kind="ca_nhan" if person else "tap_the",
            subject_id=person or unit,
            award_code=award,
            year=year,
            achievement_summary=summary,
            dossier=items,  # type: ignore[arg-type]  # validated by the model
        )
    )


def _dossier(path: Path) -> list[dict[str, Any]]:
    listed = _load_file(path)
    if not isinstance(listed, list):
        fail(f"{path.name}: expected a list of dossier items")
    items = []
    for item in listed:
        entry = dict(item)
        file = path.parent / str(entry.pop("path", ""))
        try:
            entry["sha256"] = hashlib.sha256(file.read_bytes()).hexdigest()
        except OSError as exc:
            fail(f"dossier {file.name}: {exc.strerror}")
        entry.setdefault("name", file.name)
        items.append(entry)
    return items


@council.command("tally")
def tally(
    proposal: str,
    session: Annotated[str, typer.Option()],
    on: Annotated[str, typer.Option()],
    members: Annotated[int, typer.Option()],
    present: Annotated[int, typer.Option()],
    issued: Annotated[int, typer.Option()],
    returned: Annotated[int, typer.Option()],
    valid: Annotated[int, typer.Option()],
    yes: Annotated[int, typer.Option()],
    movement_id: MovementOpt = "bn-2022",
    actor: ActorOpt = None,
) -> None:
    """Record the vote-counting board's tally for one nominee (counts only)."""
    _send(
        lambda: RecordTally(
            command_id=new_id(),
            actor=Actor(id=actor or "thu-ky-hoi-dong", role=Role.COUNCIL_SECRETARY),
            movement_id=movement_id,
            proposal_id=proposal,
            session_id=session,
            session_date=date.fromisoformat(on),
            members_total=members,
            present=present,
            issued=issued,
            returned=returned,
            valid=valid,
            yes=yes,
        )
    )


@decision.command("sign")
def sign(
    proposals: list[str],
    number: Annotated[str, typer.Option(help="e.g. 01/QĐ-UBND")],
    on: Annotated[str, typer.Option()],
    signer: Annotated[str, typer.Option()],
    position: Annotated[str, typer.Option(help="chu_tich or pho_chu_tich")] = "chu_tich",
    movement_id: MovementOpt = "bn-2022",
    actor: ActorOpt = None,
) -> None:
    """Record the Chairman's signed decision for the given proposals."""
    _send(
        lambda: SignDecision(
            command_id=new_id(),
            actor=Actor(id=actor or "van-phong-ubnd", role=Role.CHAIRMAN_OFFICE),
            movement_id=movement_id,
            decision_id=new_id(),
            number=number,
            signed_on=date.fromisoformat(on),
            signer_name=signer,
            signer_position=position,  # type: ignore[arg-type]
            proposal_ids=proposals,
        )
    )


@awards.command("list")
def list_awards(movement_id: MovementOpt = "bn-2022") -> None:
    """Awards issued in a movement."""
    for row in _ask(ListAwards(movement_id=movement_id)):
        typer.echo(
            f"{row['award_id']}  {row['decision_number']}  {row['recipient_name']}  "
            f"{row['award_name']}  {row['prize_vnd']:,} đ"
        )


@audit.command("explain")
def explain(
    award_id: str,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    docx: Annotated[
        Path | None, typer.Option("--docx", help="also write the chain as a .docx for the file")
    ] = None,
    bundle: Annotated[
        Path | None, typer.Option("--bundle", help="an export bundle directory (offline)")
    ] = None,
) -> None:
    """The causal chain of an award: every step with sequence, time, actor or rules, cause,
    the events it read, the documents that name it, and any revocation."""
    try:
        query = ExplainAward(award_id=award_id)
    except ValidationError:
        fail(f"award id {award_id!r} is not a UUID")
    if bundle is None:
        result = _ask(query)
    else:
        from .cli_audit import explain_offline

        result = explain_offline(bundle, award_id)
    if docx is not None:
        from .services import load

        load("audit", Settings()).extra["explain_docx"](result, docx)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        from .explain_text import render_chain

        typer.echo(render_chain(result))
    if docx is not None:
        typer.echo(f"written: {docx}", err=as_json)


@app.command("demo")
def demo() -> None:
    """Run every service as a process and drive the Bắc Ninh 2022 movement to issued awards."""
    from .demo import run_demo

    sys.exit(run_demo(Settings()))


def main() -> None:
    app()


# Commands grouped by topic live in their own modules; importing them registers them.
from . import cli_audit, cli_reporting, cli_scoring, cli_submissions  # noqa: E402, F401


def _service_commands() -> None:
    """Services contribute local tools (e.g. reading a plan file) through entry points."""
    from importlib.metadata import entry_points

    groups = {
        "movement": movement,
        "report": report,
        "nomination": nomination,
        "council": council,
        "decision": decision,
        "awards": awards,
        "audit": audit,
        "admin": admin,
    }
    for entry in entry_points(group="thidua.cli"):
        entry.load()(groups)


_service_commands()

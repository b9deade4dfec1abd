"""`thidua nomination show|list|pipeline|supplement|overdue`, `thidua council open|close`,
`thidua award revoke` and `thidua fund credit|show`, mounted into `thidua` (entry point
`thidua.cli`). They speak only the public NATS API, like the rest of the CLI."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from thidua_contracts.commands import (
    CloseSession,
    CreditFund,
    ListNominations,
    ListOverdue,
    OpenSession,
    RevokeAward,
    ShowFund,
    ShowNomination,
    SupplementDossier,
)
from thidua_contracts.envelope import Actor, Role
from thidua_kit.cli import MovementOpt, _ask, _load_file, _send, app, fail
from thidua_kit.clock import new_id

ActorOpt = Annotated[str | None, typer.Option("--actor", help="actor id (slug)")]
OnOpt = Annotated[str, typer.Option("--on", help="date, YYYY-MM-DD")]


def show(proposal_id: str) -> None:
    """One proposal: state, checks with their articles, ballot, exclusion, notice, notification."""
    result = _ask(ShowNomination(proposal_id=proposal_id))
    if result is None:
        fail(f"no proposal {proposal_id}")
    console = Console()
    console.print(
        f"{result['subject_name']} — {result['award_code']} — {result['status']}"
        + (f" ({result['reason']})" if result["reason"] else "")
    )
    if result["supplement"]:
        console.print("Yêu cầu bổ sung hồ sơ:")
        for defect in result["supplement"]["defects"]:
            console.print(f"  - {defect['detail_vi']}")
    if result["eligibility"]:
        table = Table(title="Thẩm định")
        for column in ("Tiêu chí", "Đạt", "Chi tiết", "Căn cứ"):
            table.add_column(column)
        for c in result["eligibility"]["checks"]:
            table.add_row(c["code"], "✓" if c["passed"] else "✗", c["detail_vi"], c["reference"])
        console.print(table)
    if result["outcome"]:
        console.print(f"Hội đồng: {result['outcome']['reason_vi']}")
    if result["excluded"]:
        console.print(f"Không trình: {result['excluded']['detail_vi']}")
    if result["notice"]:
        n = result["notice"]
        console.print(f"Công khai: {n['posted_on']} – {n['ends_on']} ({n['channel']})")
    for o in result["objections"]:
        verdict = o["resolution"]["resolution"] if o["resolution"] else "chưa giải quyết"
        console.print(f"Phản ánh {o['objection_id']}: {o['summary']} → {verdict}")
    if result["notified"]:
        n = result["notified"]
        console.print(
            f"Đã thông báo {n['notified_on']} (hạn {n['due_on']}, trễ {n['working_days_late']} "
            "ngày làm việc)"
        )


def _rows(movement_id: str) -> dict[str, Any]:
    result: dict[str, Any] = _ask(ListNominations(movement_id=movement_id))
    return result


def list_(movement_id: MovementOpt = "bn-2022") -> None:
    """Every proposal of the movement with its state and, when it stopped, the reason."""
    for r in _rows(movement_id)["rows"]:
        reason = f"  ({r['reason']})" if r["reason"] else ""
        typer.echo(
            f"{r['proposal_id']}  {r['award_code']:<16} {r['status']:<24} {r['subject_name']}"
            f"{reason}"
        )


def pipeline(movement_id: MovementOpt = "bn-2022") -> None:
    """How many proposals stand at each step of the procedure (DOMAIN §5.1), per award form."""
    rows = _rows(movement_id)["rows"]
    counts: dict[tuple[str, str], int] = {}
    for r in rows:
        counts[(r["status"], r["award_code"])] = counts.get((r["status"], r["award_code"]), 0) + 1
    table = Table(title=f"{movement_id} — {len(rows)} đề nghị")
    for column in ("Bước", "Hình thức", "Số"):
        table.add_column(column)
    for (status, award), n in sorted(counts.items()):
        table.add_row(status, award, str(n))
    Console().print(table)


def supplement(
    proposal_id: str,
    path: Path,
    unit: Annotated[str, typer.Option(help="the proposing unit")],
    on: OnOpt,
    movement_id: MovementOpt = "bn-2022",
    actor: ActorOpt = None,
) -> None:
    """Send the documents the request to supplement asked for (a YAML/JSON list of items)."""
    items = _load_file(path)
    if not isinstance(items, list):
        fail(f"{path.name}: expected a list of dossier items")
    _send(
        lambda: SupplementDossier(
            command_id=new_id(),
            actor=Actor(id=actor or f"{unit}-van-thu", role=Role.UNIT_CLERK, unit=unit),
            movement_id=movement_id,
            proposal_id=proposal_id,
            items=items,
            received_on=date.fromisoformat(on),
        )
    )


def overdue(
    as_of: Annotated[str, typer.Option("--as-of", help="date, YYYY-MM-DD")],
    movement_id: MovementOpt = "bn-2022",
) -> None:
    """Steps past their working-day limit on a date (DOMAIN §5.4)."""
    rows = _ask(ListOverdue(movement_id=movement_id, as_of=date.fromisoformat(as_of)))
    if not rows:
        typer.echo("không có bước nào quá hạn / nothing overdue")
    for r in rows:
        typer.echo(
            f"{r['proposal_id']}  {r['step']}  since {r['since']}  due {r['due_on']}  "
            f"{r['working_days_over']} working day(s) over"
        )


def open_session(
    session: str,
    on: OnOpt,
    members: Annotated[Path, typer.Option(help="YAML/JSON list of {member_id, name, position}")],
    present: Annotated[list[str], typer.Option(help="member id present (repeat)")],
    movement_id: MovementOpt = "bn-2022",
    actor: ActorOpt = None,
) -> None:
    """Open a council session: its members and who attends (the quorum counts them)."""
    listed = _load_file(members)
    if not isinstance(listed, list):
        fail(f"{members.name}: expected a list of members")
    _send(
        lambda: OpenSession(
            command_id=new_id(),
            actor=Actor(id=actor or "thu-ky-hoi-dong", role=Role.COUNCIL_SECRETARY),
            movement_id=movement_id,
            session_id=session,
            session_date=date.fromisoformat(on),
            members=listed,
            present_ids=present,
        )
    )


def close_session(
    session: str, on: OnOpt, movement_id: MovementOpt = "bn-2022", actor: ActorOpt = None
) -> None:
    """Close a session: quotas are applied to those who passed, each exclusion explained."""
    _send(
        lambda: CloseSession(
            command_id=new_id(),
            actor=Actor(id=actor or "thu-ky-hoi-dong", role=Role.COUNCIL_SECRETARY),
            movement_id=movement_id,
            session_id=session,
            closed_on=date.fromisoformat(on),
        )
    )


def revoke(
    award_id: str,
    ground: Annotated[str, typer.Option(help="a, b, c or d (DOMAIN §5.6)")],
    number: Annotated[str, typer.Option(help="the revoking decision, e.g. 15/QĐ-UBND")],
    on: OnOpt,
    reason: Annotated[str, typer.Option()],
    movement_id: MovementOpt = "bn-2022",
    actor: ActorOpt = None,
) -> None:
    """Annul an award decided by the city; its prize is to be recovered, chains flagged."""
    _send(
        lambda: RevokeAward(
            command_id=new_id(),
            actor=Actor(id=actor or "van-phong-ubnd", role=Role.CHAIRMAN_OFFICE),
            movement_id=movement_id,
            award_id=award_id,
            ground=ground,  # type: ignore[arg-type]
            decision_number=number,
            decided_on=date.fromisoformat(on),
            reason=reason,
        )
    )


def fund_credit(
    amount: int,
    on: OnOpt,
    source: Annotated[str, typer.Option(help="where the money comes from")],
    level: Annotated[str, typer.Option(help="cap_huyen or cap_tinh")] = "cap_huyen",
    movement_id: MovementOpt = "bn-2022",
    actor: ActorOpt = None,
) -> None:
    """Record money put into a level's award fund."""
    _send(
        lambda: CreditFund(
            command_id=new_id(),
            actor=Actor(id=actor or "van-phong-ubnd", role=Role.CHAIRMAN_OFFICE),
            movement_id=movement_id,
            level=level,  # type: ignore[arg-type]
            amount_vnd=amount,
            credited_on=date.fromisoformat(on),
            source_ref=source,
        )
    )


def fund_show(movement_id: MovementOpt = "bn-2022") -> None:
    """Each level's award fund: credited, paid by decisions, balance."""
    for level in _ask(ShowFund(movement_id=movement_id)):
        typer.echo(
            f"{level['level']}: credited {level['credited_vnd']:,} đ, paid {level['paid_vnd']:,} đ"
            f", balance {level['balance_vnd']:,} đ"
        )


def register(groups: dict[str, typer.Typer]) -> None:
    groups["nomination"].command("show")(show)
    groups["nomination"].command("list")(list_)
    groups["nomination"].command("pipeline")(pipeline)
    groups["nomination"].command("supplement")(supplement)
    groups["nomination"].command("overdue")(overdue)
    groups["council"].command("open")(open_session)
    groups["council"].command("close")(close_session)
    award = typer.Typer(no_args_is_help=True, help="One award (revocation)")
    award.command("revoke")(revoke)
    app.add_typer(award, name="award")
    fund = typer.Typer(no_args_is_help=True, help="The award fund (quỹ thi đua, khen thưởng)")
    fund.command("credit")(fund_credit)
    fund.command("show")(fund_show)
    app.add_typer(fund, name="fund")

"""`thidua score show` and `thidua block ranking`: a unit's sheet with its explanation, and a
block's ranking table with the outcome of its ballot."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from thidua_contracts.commands import ShowBlockRanking, ShowScoreSheet
from thidua_contracts.movement import RoundKind

from .cli import MovementOpt, _ask, app, fail

score = typer.Typer(no_args_is_help=True, help="Score sheets (phiếu chấm điểm)")
block = typer.Typer(no_args_is_help=True, help="Emulation blocks (khối thi đua)")
app.add_typer(score, name="score")
app.add_typer(block, name="block")
RoundOpt = Annotated[RoundKind, typer.Option("--round")]


@score.command("show")
def show(
    unit: str, round_: RoundOpt = RoundKind.TONG_KET, movement_id: MovementOpt = "bn-2022"
) -> None:
    """A unit's latest sheet: per criterion the points, the maximum and the rule applied."""
    result = _ask(ShowScoreSheet(movement_id=movement_id, unit_id=unit, round=round_))
    if result is None:
        fail(f"no score sheet for {unit} ({round_.value})")
    sheet = result["sheet"]
    table = Table(title=f"{unit} — {round_.value} — log #{result['sequence']} ({sheet['basis']})")
    for column in ("Tiêu chí", "Tự chấm", "Điểm", "Tối đa", "Căn cứ"):
        table.add_column(column)
    for line in sheet["lines"]:
        table.add_row(
            line["criterion_code"],
            line["self_points"] or "—",
            line["points"],
            line["max_points"],
            line["rule"],
        )
    for penalty in sheet["penalties"]:
        table.add_row(penalty["code"], "", f"−{penalty['points']}", "", penalty["reason"])
    table.add_row("TỔNG", "", sheet["total"], sheet["max_total"], "")
    Console().print(table)


@block.command("ranking")
def ranking(
    block_id: str, round_: RoundOpt = RoundKind.TONG_KET, movement_id: MovementOpt = "bn-2022"
) -> None:
    """The block's ranking when the round closed, and its ballot if one was held."""
    result = _ask(ShowBlockRanking(movement_id=movement_id, block_id=block_id, round=round_))
    if result is None:
        fail(f"{block_id} has no ranking for {round_.value} yet (the round closes it)")
    table = Table(title=f"{block_id} — {round_.value} — log #{result['sequence']}")
    for column in ("Hạng", "Đơn vị", "Tổng điểm", "Tiêu chí đạt tối đa", "Không xét vì"):
        table.add_column(column)
    for row in result["rows"]:
        table.add_row(
            str(row["rank"]),
            row["unit_id"],
            row["total"],
            str(row["full_score_criteria"]),
            row["disqualified"] or "",
        )
    console = Console()
    console.print(table)
    leader = result["leader_unit_id"] or ("— bỏ phiếu" if result["needs_ballot"] else "—")
    console.print(f"Dẫn đầu theo điểm: {leader}")
    if result.get("ballot"):
        console.print(f"Suy tôn: {result['ballot']['reason_vi']}")

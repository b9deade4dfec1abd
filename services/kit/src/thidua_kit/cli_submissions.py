"""`thidua records import`: ratings, discipline, initiatives, prior awards, headcounts and
recruitment dates from a CSV or Excel file — every bad row reported at once, nothing imported
unless all are good."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated, Any

import typer

from thidua_contracts.commands import ImportRecords
from thidua_contracts.envelope import Actor, Role

from .cli import MovementOpt, _run, app, fail
from .clock import new_id

records = typer.Typer(
    no_args_is_help=True, help="Ratings, discipline, initiatives, prior awards, recruitments"
)
app.add_typer(records, name="records")

KINDS = ("ratings", "discipline", "initiatives", "prior_awards", "headcounts", "recruitments")


def read_rows(path: Path) -> list[dict[str, Any]]:
    """Rows keyed by the header line; empty cells are left out so defaults apply."""
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        values = [list(row) for row in sheet.iter_rows(values_only=True)]
    else:
        with path.open(encoding="utf-8-sig", newline="") as f:
            values = [list(row) for row in csv.reader(f)]
    if not values:
        return []
    header = [str(h).strip() for h in values[0]]
    rows = []
    for line in values[1:]:
        if all(cell in (None, "") for cell in line):
            continue
        rows.append(
            {
                key: _cell(cell)
                for key, cell in zip(header, line, strict=False)
                if key and cell not in (None, "")
            }
        )
    return rows


def _cell(value: Any) -> Any:
    if hasattr(value, "date") and callable(value.date):  # Excel dates arrive as datetimes
        return value.date().isoformat()
    return value.strip() if isinstance(value, str) else value


@records.command("import")
def import_records(
    path: Path,
    kind: Annotated[str, typer.Option(help="|".join(KINDS))],
    unit: Annotated[str | None, typer.Option(help="importing unit (its clerk acts)")] = None,
    movement_id: MovementOpt = "bn-2022",
) -> None:
    """Import one kind of records; on any bad row, list them all and import nothing."""
    if kind not in KINDS:
        fail(f"--kind must be one of {', '.join(KINDS)}")
    try:
        rows = read_rows(path)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        fail(f"{path.name}: {exc}")
    if not rows:
        fail(f"{path.name}: no rows")
    actor = (
        Actor(id=f"{unit}-van-thu", role=Role.UNIT_CLERK, unit=unit)
        if unit
        else Actor(id="phong-noi-vu", role=Role.PHONG_NOI_VU)
    )
    command = ImportRecords.model_validate(
        {
            "command_id": new_id(),
            "actor": actor,
            "movement_id": movement_id,
            "kind": kind,
            "rows": rows,
        }
    )
    reply = _run(lambda c: c.command(command))
    if reply.status == "accepted":
        typer.echo(
            f"imported {len(reply.events)} {kind} rows "
            f"(log #{reply.events[0].sequence}–#{reply.events[-1].sequence})"
        )
        return
    assert reply.error is not None
    error = reply.error
    typer.echo(f"rejected [{error.code.value}] {error.message_vi} / {error.message_en}", err=True)
    for row in error.details:
        # rows.N is 0-based in the command; a spreadsheet's first data row is line 2.
        index, _, field = (row.field or "").removeprefix("rows.").partition(".")
        line = int(index) + 2 if index.isdigit() else "?"
        typer.echo(f"  line {line} {field}: [{row.code.value}] {row.message_en}", err=True)
    raise typer.Exit(1)

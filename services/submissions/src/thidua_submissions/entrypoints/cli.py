"""Local tools of the submissions service, mounted into `thidua` (entry point `thidua.cli`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import yaml

from ..adapters.plan_docx import paragraphs
from ..domain.plan_import import read_plan


def import_plan(
    plan: Path,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="draft YAML")] = None,
) -> None:
    """Read a Kế hoạch (.docx) into a draft movement definition; list what could not be mapped."""
    try:
        draft = read_plan(paragraphs(plan))
    except Exception as exc:  # a broken or non-Word file: one clear line
        typer.echo(
            f"lỗi / error: {plan.name}: cannot read as .docx ({type(exc).__name__})", err=True
        )
        raise typer.Exit(1) from exc
    text = yaml.safe_dump(
        draft.model_dump(mode="json", exclude={"unmapped"}),
        allow_unicode=True,
        sort_keys=False,
        width=100,
    )
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"draft written to {output}")
    found = {k: len(v) for k, v in draft.model_dump().items() if isinstance(v, list) and v}
    typer.echo(
        "mapped: " + ", ".join(f"{k} {n}" for k, n in found.items() if k != "unmapped"), err=True
    )
    if draft.unmapped:
        typer.echo(f"could not map {len(draft.unmapped)} paragraph(s):", err=True)
        for line in draft.unmapped:
            typer.echo(f"  - {line[:120]}", err=True)


def register(groups: dict[str, typer.Typer]) -> None:
    groups["movement"].command("import")(import_plan)

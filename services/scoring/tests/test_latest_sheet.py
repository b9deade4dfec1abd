"""The sheet a ranking reads for a unit is its newest, whatever order the sheets are folded in."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy.orm import Session

from thidua_contracts.envelope import Envelope
from thidua_kit.db import Store, create_schema, make_engine
from thidua_kit.log import StoredEvent
from thidua_scoring.app.handlers import _latest_sheet

SUBJECT = "thidua.evt.scoring.sheet.bn-2022.phuong-vu-ninh.tong_ket"


def sheet(sequence: int, version: int) -> StoredEvent:
    return StoredEvent(
        sequence,
        Envelope(
            event_id=f"00000000-0000-5000-8000-{sequence:012d}",
            type="scoring.ScoreSheetRecorded",
            version=1,
            subject=SUBJECT,
            movement_id="bn-2022",
            occurred_at="2022-12-05T09:00:00+07:00",
            actor=None,
            causation_id=None,
            correlation_id=f"00000000-0000-5000-8000-{version:012d}",
            payload={"report_version": version},
        ),
    )


def latest_after(tmp_path: Path, *folded: StoredEvent) -> Any:
    engine = make_engine(f"sqlite:///{tmp_path / 'scoring.db'}")
    create_schema(engine)
    with Session(engine) as session, session.begin():
        ctx = SimpleNamespace(store=Store(session, buffered=True))
        for item in folded:
            _latest_sheet(ctx, item)  # type: ignore[arg-type]
        found, _ = ctx.store.get("sheet-event", SUBJECT, StoredEvent)
    engine.dispose()
    return found


def test_the_first_reports_sheet_folded_after_the_amended_one_is_not_the_newest(
    tmp_path: Path,
) -> None:
    # Reports 1 and 2 came before scoring folded either: it appended sheet 1 (#12), then
    # sheet 2 (#14) while folding report 2, and folds sheet 1 from the log afterwards.
    first, amended = sheet(12, 1), sheet(14, 2)
    found = latest_after(tmp_path, first, amended, first)
    assert found is not None and found.sequence == 14


def test_a_newer_sheet_replaces_the_one_held(tmp_path: Path) -> None:
    found = latest_after(tmp_path, sheet(12, 1), sheet(14, 2))
    assert found is not None and found.sequence == 14

"""The audit service folds a backlog batch by batch: its own rows are written once per batch."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from thidua_kit.client import Client
from thidua_kit.demo import load_definition
from thidua_kit.host import ServiceHost
from thidua_kit.services import load
from thidua_kit.settings import Settings
from thidua_kit.testing import running_system

from .helpers import define, open_round, register

pytestmark = pytest.mark.connected


async def test_a_backlog_is_indexed_and_hashed_in_a_statement_or_two_per_batch(
    settings: Settings,
) -> None:
    """Per event, the tree was read and written, the last checkpoint read, the event looked up,
    and its leaf and index row inserted: six statements for every event of a rebuild."""
    units = [u.unit_id for u in load_definition().units][:30]
    async with running_system(settings, ("submissions",)), Client(settings) as client:
        for command in (define(), open_round(), *(register(u) for u in units)):
            assert (await client.command(command)).status == "accepted"
        last = await client.wait_until_stable(("submissions",))
    assert last >= len(units) + 2

    host = ServiceHost(load("audit", settings), settings)
    written: Counter[str] = Counter()

    @event.listens_for(host.engine, "before_cursor_execute")
    def count(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        for table in ("audit_event", "audit_leaf", "audit_tree"):
            if statement.lstrip().upper().startswith(("INSERT", "UPDATE")) and table in statement:
                written[table] += 1

    async with host.running(), Client(settings) as client:
        await client.wait_until_folded(("audit",), last)
        status = await client.status("audit")
    assert status.status == "ok"
    # Every event is indexed and hashed into the tree, once.
    with Session(host.engine) as session:
        indexed = session.execute(text("SELECT count(*), max(sequence) FROM audit_event")).one()
        hashed = session.execute(text("SELECT count(*) FROM audit_leaf")).scalar()
        size = session.execute(text("SELECT size FROM audit_tree")).scalar()
    assert tuple(indexed) == (last, last) and hashed == last and size == last
    # A handful of batches, each written in one statement per table (the tree's first write
    # is an update that finds no row, then an insert).
    batches = written["audit_event"]
    assert written["audit_leaf"] == batches and written["audit_tree"] <= batches + 1, written
    assert batches <= last // 4, written

"""What a service derives never follows the database's collation.

The tests' PostgreSQL databases order text as en_US.UTF-8 does, skipping hyphens; SQLite and
the auditor's replay compare code points. Ids that the two order differently must give the
same order on both, or a live service and a replay of its log would number things differently.
"""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import BaseModel
from sqlalchemy import Engine, insert, text
from sqlalchemy.orm import Session

from thidua_kit.db import Store
from thidua_reporting.adapters import tables as t
from thidua_reporting.app.documents import sessions_of

pytestmark = pytest.mark.connected

# In code-point order; a collation that skips hyphens puts "hd-10" before "hd-1-a".
IDS = ["hd-1", "hd-1-a", "hd-10", "hd-1b"]


class Mark(BaseModel):
    n: int


def database_order(engine: Engine) -> list[str]:
    rows = " UNION ALL ".join(f"SELECT '{i}' AS k" for i in reversed(IDS))
    with engine.connect() as conn:
        return list(conn.execute(text(f"{rows} ORDER BY k")).scalars())


def test_the_test_databases_order_text_otherwise_than_code_points(tables_engine: Engine) -> None:
    # Without this, the tests below could not tell a sort in code from one in SQL.
    if tables_engine.dialect.name == "postgresql":
        assert database_order(tables_engine) == ["hd-1", "hd-10", "hd-1-a", "hd-1b"]
    else:
        assert database_order(tables_engine) == IDS


def test_a_kind_of_state_is_listed_in_code_point_order(tables_engine: Engine) -> None:
    with Session(tables_engine) as session, session.begin():
        store = Store(session)
        for n, key in enumerate(reversed(IDS)):
            store.put("session", key, Mark(n=n), n + 1)
    with Session(tables_engine) as session:
        listed = [key for key, _, _ in Store(session).all("session", Mark)]
    assert listed == IDS


def test_the_sessions_a_decision_rests_on_come_by_date_then_code_point_order(
    tables_engine: Engine,
) -> None:
    proposals = [f"0193f0a0-0000-7000-8000-{n:012d}" for n in range(len(IDS) + 1)]
    rows = [
        (session_id, date(2022, 12, 20), proposal)
        for session_id, proposal in zip(reversed(IDS), proposals, strict=False)
    ]
    rows.append(("hd-0", date(2022, 12, 21), proposals[-1]))  # a later day comes last
    with Session(tables_engine) as session, session.begin():
        for sequence, (session_id, on, proposal) in enumerate(rows, start=1):
            session.execute(
                insert(t.tallies).values(
                    movement_id="bn-2022",
                    session_id=session_id,
                    proposal_id=proposal,
                    session_date=on,
                    members_total=9,
                    present=9,
                    issued=9,
                    returned=9,
                    valid=9,
                    yes=5,
                    written_yes=0,
                    sequence=sequence,
                    event="{}",
                )
            )
    with Session(tables_engine) as session:
        assert sessions_of(session, "bn-2022", proposals) == [*IDS, "hd-0"]
        assert sessions_of(session, "bn-2022", proposals[:1]) == ["hd-1b"]

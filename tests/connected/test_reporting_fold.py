"""The reporting tables' keyed writes, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from thidua_kit import db
from thidua_reporting.adapters import tables as t
from thidua_reporting.app.fold import upsert

pytestmark = pytest.mark.connected


def test_a_keyed_write_inserts_then_updates_in_one_statement_each(
    tables_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the driver directly, as the fold writes for every event of a rebuild."""
    through_sqlalchemy: list[str] = []
    event.listen(
        tables_engine,
        "before_cursor_execute",
        lambda *a: through_sqlalchemy.append(a[2]),
        retval=False,
    )
    statements: list[str] = []
    to_driver = db.run_on_driver

    def noting(session: Session, sql: str, params: Any, many: bool = False) -> Any:
        statements.append(sql)
        return to_driver(session, sql, params, many)

    monkeypatch.setattr(db, "run_on_driver", noting)
    key = {"movement_id": "bn-2022", "unit_id": "phuong-vu-ninh"}
    first = {
        "name": "Phường Vũ Ninh",
        "kind": "phuong",
        "block_id": "k1",
        "ended_on": date(2022, 7, 1),
    }
    with Session(tables_engine) as session, session.begin():
        upsert(session, t.units, key, first)
        upsert(
            session,
            t.units,
            key,
            {"name": "Phường Vũ Ninh mới", "kind": "phuong", "block_id": "k2"},
        )
    writes = [s for s in statements if "rpt_unit" in s]
    assert len(writes) == 2 and all("ON CONFLICT" in s for s in writes)
    assert not [s for s in through_sqlalchemy if "rpt_unit" in s]
    with Session(tables_engine) as session:
        row = session.execute(select(t.units)).one()
    # The second write changed only what it named.
    assert (row.name, row.block_id, row.ended_on) == ("Phường Vũ Ninh mới", "k2", date(2022, 7, 1))


def test_a_write_naming_some_required_columns_updates_the_row_that_has_them(
    tables_engine: Engine,
) -> None:
    key = {"movement_id": "bn-2022", "unit_id": "phuong-vu-ninh"}
    with Session(tables_engine) as session, session.begin():
        upsert(
            session, t.units, key, {"name": "Phường Vũ Ninh", "kind": "phuong", "block_id": "k1"}
        )
        upsert(session, t.units, key, {"ended_on": date(2022, 7, 1)})
    with Session(tables_engine) as session:
        row = session.execute(select(t.units)).one()
    assert (row.name, row.ended_on) == ("Phường Vũ Ninh", date(2022, 7, 1))


def test_a_write_keyed_on_part_of_the_primary_key_updates_then_inserts(
    tables_engine: Engine,
) -> None:
    with Session(tables_engine) as session, session.begin():
        upsert(session, t.counters, {"series": "TTr-NV", "year": 2022}, {"last": 1})
        upsert(session, t.counters, {"series": "TTr-NV", "year": 2022}, {"last": 2})
        upsert(session, t.counters, {"series": "TTr-NV", "year": 2023}, {"last": 1})
    with Session(tables_engine) as session:
        rows = session.execute(select(t.counters).order_by(t.counters.c.year)).all()
        assert [(r.series, r.year, r.last) for r in rows] == [
            ("TTr-NV", 2022, 2),
            ("TTr-NV", 2023, 1),
        ]
        # Keys that are not the whole primary key: an UPDATE, then an INSERT if none matched.
        upsert(session, t.counters, {"series": "TTr-NV"}, {"last": 5})
        assert sorted(r.last for r in session.execute(select(t.counters))) == [5, 5]


def test_a_statement_carrying_its_own_values_is_refused_on_the_driver(
    tables_engine: Engine,
) -> None:
    """Only named parameters are converted and sent; a value inside the statement would be
    dropped silently, so it is refused and nothing is written."""
    statement = t.units.delete().where(t.units.c.unit_id == "phuong-vu-ninh")
    with (
        Session(tables_engine) as session,
        session.begin(),
        pytest.raises(ValueError, match="named parameters"),
    ):
        db.execute_on_driver(session, statement, {})

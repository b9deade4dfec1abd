"""The same store contract against SQLite and PostgreSQL (pyeventsourcing's habit)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from thidua_kit.db import Store, create_schema, make_engine

pytestmark = pytest.mark.connected


class Sample(BaseModel):
    name: str
    count: int


@pytest.fixture
def engine(tables_engine: Engine) -> Engine:
    return tables_engine


def test_state_position_and_commands_commit_together(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        store = Store(session)
        store.put("unit", "phuong-vũ-ninh", Sample(name="Vũ Ninh", count=1), 3)
        store.set_position("scoring", 3)
        store.remember_command("0193f0a0-0000-7000-8000-000000000001", '{"status":"accepted"}')
    with Session(engine) as session:
        store = Store(session)
        assert store.get("unit", "phuong-vũ-ninh", Sample) == (Sample(name="Vũ Ninh", count=1), 3)
        assert store.position("scoring") == 3
        assert store.command_reply("0193f0a0-0000-7000-8000-000000000001") is not None
        assert store.get("unit", "missing", Sample) == (None, 0)


def test_a_failed_transaction_leaves_nothing_behind(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        Store(session).set_position("scoring", 1)
    with pytest.raises(RuntimeError), Session(engine) as session, session.begin():
        store = Store(session)
        store.put("unit", "a", Sample(name="a", count=1), 2)
        store.set_position("scoring", 2)
        raise RuntimeError("crash before commit")
    with Session(engine) as session:
        store = Store(session)
        assert store.position("scoring") == 1
        assert store.get("unit", "a", Sample) == (None, 0)


def test_a_savepoint_rolls_back_one_message_and_keeps_the_rest(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        store = Store(session)
        store.put("unit", "kept", Sample(name="kept", count=1), 1)
        with pytest.raises(ValueError), session.begin_nested():
            store.put("unit", "dropped", Sample(name="dropped", count=1), 2)
            raise ValueError("poison")
        store.set_position("scoring", 2)
    with Session(engine) as session:
        store = Store(session)
        assert store.get("unit", "kept", Sample)[1] == 1
        assert store.get("unit", "dropped", Sample) == (None, 0)
        assert store.position("scoring") == 2


def test_updates_replace_and_listing_is_ordered(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        store = Store(session)
        for key in ("c", "a", "b"):
            store.put("unit", key, Sample(name=key, count=1), 1)
        store.put("unit", "a", Sample(name="a", count=2), 5)
        store.park(7, "thidua.evt.x", "malformed", b"\xff")
    with Session(engine) as session:
        store = Store(session)
        rows = list(store.all("unit", Sample))
        assert [(k, v.count, seq) for k, v, seq in rows] == [("a", 2, 5), ("b", 1, 1), ("c", 1, 1)]
        assert store.parked() == [(7, "thidua.evt.x", "malformed")]


def _stored_rows(engine: Engine) -> list[tuple[str, str, int]]:
    with Session(engine) as session:
        return [(k, v.name, seq) for k, v, seq in Store(session).all("unit", Sample)]


def test_a_buffered_store_reads_its_own_writes_and_writes_once_at_flush(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        Store(session).put("unit", "a", Sample(name="stored", count=1), 1)
    with Session(engine) as session, session.begin():
        store = Store(session, buffered=True)
        read, _ = store.get("unit", "a", Sample)
        assert read is not None
        read.count = 99  # changed in memory and never written back: nothing of it is kept
        store.put("unit", "b", Sample(name="b1", count=1), 2)
        store.put("unit", "b", Sample(name="b2", count=2), 3)
        assert store.get("unit", "a", Sample) == (Sample(name="stored", count=1), 1)
        assert store.get("unit", "b", Sample) == (Sample(name="b2", count=2), 3)
        # Nothing reached the database before the flush: another reader still sees one row.
        outside = Session(engine)
        try:
            assert [k for k, _v, _s in Store(outside).all("unit", Sample)] == ["a"]
        finally:
            outside.close()
        # A listing reads the table, so it writes the buffer first.
        assert [(k, v.name) for k, v, _s in store.all("unit", Sample)] == [
            ("a", "stored"),
            ("b", "b2"),
        ]
        store.put("unit", "c", Sample(name="c", count=1), 4)
        store.flush()
        store.set_position("scoring", 4)
    assert _stored_rows(engine) == [("a", "stored", 1), ("b", "b2", 3), ("c", "c", 4)]


def test_a_buffered_store_rolled_back_writes_nothing(engine: Engine) -> None:
    with pytest.raises(RuntimeError), Session(engine) as session, session.begin():
        store = Store(session, buffered=True)
        store.put("unit", "a", Sample(name="a", count=1), 1)
        store.flush()
        raise RuntimeError("a handler failed after the flush")
    assert _stored_rows(engine) == []


def test_the_per_event_statements_go_to_the_driver_directly(engine: Engine) -> None:
    """State, position and replies are read and written on the driver's cursor: through
    SQLAlchemy's execution each statement cost about twice the client CPU."""
    from sqlalchemy import event

    seen: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        for n in range(3):
            with Session(engine) as session, session.begin():
                store = Store(session, buffered=True)
                assert store.command_reply(f"c{n}") is None
                store.get("unit", f"u{n}", Sample)
                store.put("unit", f"u{n}", Sample(name="x", count=n), n + 1)
                store.remember_act(f"a{n}", "{}")
                store.flush()
                store.remember_command(f"c{n}", "{}")
                store.set_position("scoring", n + 1)
                assert store.position("scoring") == n + 1
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert not [s for s in seen if "thidua_" in s], seen
    assert _stored_rows(engine) == [("u0", "x", 1), ("u1", "x", 2), ("u2", "x", 3)]


def test_a_driver_error_is_raised_as_sqlalchemy_raises_it(engine: Engine) -> None:
    """The host tells a lost connection or a broken constraint from SQLAlchemy's exceptions."""
    with Session(engine) as session, session.begin():
        Store(session).remember_command("c1", "{}")
    with (
        pytest.raises(sqlalchemy.exc.IntegrityError) as raised,
        Session(engine) as session,
        session.begin(),
    ):
        Store(session).remember_command("c1", "{}")
    assert not raised.value.connection_invalidated
    with Session(engine) as session:
        assert Store(session).command_reply("c1") == "{}"


def test_a_connection_the_server_drops_is_invalidated_and_the_next_session_gets_a_new_one(
    postgres_databases: Callable[[], str],
) -> None:
    """As SQLAlchemy's own execution would: the host sees a lost connection, and the pool does
    not hand the dead one out again. (PostgreSQL only: an embedded SQLite file has no server.)"""
    engine = make_engine(postgres_databases())
    create_schema(engine)
    with Session(engine) as session, session.begin():
        Store(session).set_position("scoring", 1)
    with Session(engine) as session:
        store = Store(session)
        assert store.position("scoring") == 1
        pid = session.execute(text("SELECT pg_backend_pid()")).scalar()
        with engine.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        with pytest.raises(sqlalchemy.exc.OperationalError) as raised:
            store.position("scoring")
    assert raised.value.connection_invalidated
    with Session(engine) as session:
        assert Store(session).position("scoring") == 1
        assert session.execute(text("SELECT pg_backend_pid()")).scalar() != pid
    engine.dispose()


class Large(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    text: str


def _large(name: str, words: int = 3000) -> Large:
    return Large(name=name, text=" ".join(["Bắc Ninh"] * words))


def test_a_large_state_is_parsed_once_and_read_again_only_once_it_changed(engine: Engine) -> None:
    def read() -> tuple[Large | None, int]:
        with Session(engine) as session:
            return Store(session).get("movement", "bac-ninh-2022", Large)

    def write(value: Large, seq: int) -> None:
        with Session(engine) as session, session.begin():
            Store(session).put("movement", "bac-ninh-2022", value, seq)

    write(_large("v1"), 1)
    first, seq = read()
    again, _ = read()
    assert seq == 1 and first is not None and again is first  # parsed once
    write(_large("v2"), 2)
    changed, seq = read()
    assert changed is not None and (changed.name, seq) == ("v2", 2)
    # The same last sequence with other content (never done by an aggregate) is still seen
    # when its size differs.
    write(_large("v3", words=4000), 2)
    latest, _ = read()
    assert latest is not None and latest.name == "v3"
    assert read()[0] is latest


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)

    items: tuple[str, ...]


def _texts(engine: Engine) -> list[tuple[str, str, int]]:
    with Session(engine) as session:
        rows = session.execute(text("SELECT key, data, last_seq FROM thidua_state ORDER BY key"))
        return [(r.key, r.data, int(r.last_seq)) for r in rows]


def test_a_buffered_store_keeps_a_frozen_state_parsed_and_writes_it_once(engine: Engine) -> None:
    """A list growing by one item per event was parsed and written out whole for every event."""
    with Session(engine) as session, session.begin():
        Store(session).put("list", "plain", Frozen(items=("a",)), 1)
    with Session(engine) as session, session.begin():
        store = Store(session, buffered=True)
        first, _ = store.get("list", "plain", Frozen)
        assert first is not None and store.get("list", "plain", Frozen)[0] is first
        grown = Frozen(items=(*first.items, "b"))
        store.put("list", "plain", grown, 2)
        assert store.get("list", "plain", Frozen) == (grown, 2)
        assert store.get("list", "plain", Frozen)[0] is grown
        store.put("list", "new", Frozen(items=("ắ",)), 3)
        store.flush()
    # What reached the database is what an unbuffered store writes for the same values.
    written = _texts(engine)
    with Session(engine) as session, session.begin():
        session.execute(text("DELETE FROM thidua_state"))
        plain = Store(session)
        plain.put("list", "new", Frozen(items=("ắ",)), 3)
        plain.put("list", "plain", Frozen(items=("a", "b")), 2)
    assert _texts(engine) == written
    assert [(k, s) for k, _d, s in written] == [("new", 3), ("plain", 2)]


def test_a_buffered_store_reads_a_frozen_state_written_as_another_model(engine: Engine) -> None:
    class Other(BaseModel):
        items: list[str]

    with Session(engine) as session, session.begin():
        store = Store(session, buffered=True)
        store.put("list", "x", Frozen(items=("a", "b")), 4)
        assert store.get("list", "x", Other) == (Other(items=["a", "b"]), 4)


def test_an_act_found_in_the_log_keeps_the_reply_already_there(engine: Engine) -> None:
    kept = "0193f0a0-0000-7000-8000-000000000001"
    new = "0193f0a0-0000-7000-8000-000000000002"
    with Session(engine) as session, session.begin():
        Store(session).remember_command(kept, '{"status":"accepted","first":true}')
    for buffered in (True, False):
        with Session(engine) as session, session.begin():
            store = Store(session, buffered=buffered)
            store.remember_act(kept, '{"status":"accepted"}')
            store.remember_act(new, '{"status":"accepted","act":true}')
            store.remember_act(new, '{"status":"accepted","again":true}')
            if buffered:
                assert Store(session).command_reply(new) is None  # not before the flush
            store.flush()
    with Session(engine) as session:
        store = Store(session)
        assert store.command_reply(kept) == '{"status":"accepted","first":true}'
        assert store.command_reply(new) == '{"status":"accepted","act":true}'

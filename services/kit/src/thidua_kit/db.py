"""Each service's own database: aggregate state, consumer position, command replies, parked.

SQLite (a file under the data directory) by default, PostgreSQL by URL. State and consumer
position are written in one transaction, so an effect is recorded exactly when its position is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple, TypeVar, cast

from pydantic import BaseModel
from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    select,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement

metadata = MetaData()

state_table = Table(
    "thidua_state",
    metadata,
    Column("kind", String(40), primary_key=True),
    Column("key", String(400), primary_key=True),
    Column("last_seq", BigInteger, nullable=False),
    Column("data", Text, nullable=False),
)
position_table = Table(
    "thidua_position",
    metadata,
    Column("consumer", String(120), primary_key=True),
    Column("stream_seq", BigInteger, nullable=False),
)
command_table = Table(
    "thidua_command",
    metadata,
    Column("command_id", String(36), primary_key=True),
    Column("reply", Text, nullable=False),
)
parked_table = Table(
    "thidua_parked",
    metadata,
    Column("stream_seq", BigInteger, primary_key=True),
    Column("subject", String(400), nullable=False),
    Column("reason", Text, nullable=False),
    Column("body", LargeBinary, nullable=False),
)

M = TypeVar("M", bound=BaseModel)
SCHEMA_LOCK = 0x7468_6964  # "thid": the advisory lock taken while creating tables


# Parsed state, reused while the stored text is unchanged: a movement's state carries its whole
# definition (hundreds of kilobytes) and every command reads it. Only immutable (frozen) models
# are shared, and only large ones, where parsing is what costs.
class _Parsed(NamedTuple):
    data: str
    model: BaseModel
    last_seq: int
    size: int  # of `data` in UTF-8 bytes, as PostgreSQL's octet_length counts it


# Keyed by database too: tests and embedders run several services' stores in one process.
_PARSED: dict[tuple[str, type[BaseModel], str, str], _Parsed] = {}
_PARSED_MIN_CHARS = 8192
_PARSED_MAX_ENTRIES = 64


def _parse_state(origin: str, model: type[M], kind: str, key: str, data: str, last_seq: int) -> M:
    if len(data) < _PARSED_MIN_CHARS or not model.model_config.get("frozen"):
        return model.model_validate_json(data)
    slot = (origin, model, kind, key)
    hit = _PARSED.get(slot)
    if hit is not None and hit.data == data:
        if hit.last_seq != last_seq:
            _PARSED[slot] = hit._replace(last_seq=last_seq)
        return hit.model  # type: ignore[return-value]
    parsed = model.model_validate_json(data)
    if hit is None and len(_PARSED) >= _PARSED_MAX_ENTRIES:
        _PARSED.pop(next(iter(_PARSED)))
    _PARSED[slot] = _Parsed(data, parsed, last_seq, len(data.encode()))
    return parsed


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        _sqlite_transactions(engine)
        return engine
    # No pre-ping: it cost a round trip per transaction. A connection the server dropped fails
    # its first statement instead; SQLAlchemy then discards the pool, and the host retries
    # (a batch is folded again, a command decided again).
    return create_engine(url)


def _sqlite_transactions(engine: Engine) -> None:
    """Let SQLAlchemy own BEGIN so SAVEPOINTs work with pysqlite (per SQLAlchemy's docs)."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")


def create_schema(engine: Engine, *extra: MetaData) -> None:
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Replicas of a service share one database and may start together: one creates
            # the tables while the others wait, then find them.
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
        metadata.create_all(conn)
        for md in extra:
            md.create_all(conn)


# The statements run for every event and every command, sent to the driver directly. Through
# SQLAlchemy's execution each cost about twice the client CPU (0.27 against 0.14 ms a statement
# on PostgreSQL, measured with the same transaction both ways), and on two cores the services
# are CPU-bound. Written with :name parameters, which sqlite3 takes as they are.
_STATEMENTS = {
    "get_state": 'SELECT last_seq, data FROM thidua_state WHERE kind = :k_kind AND "key" = :k_key',
    # PostgreSQL keeps a large state compressed out of line (TOAST): reading a movement's state
    # cost 3.7 ms against 0.3 ms for its row without it (measured during the whole-year run). A
    # state held parsed here is fetched only if it changed since; the size is read from the
    # stored header, without decompressing. An aggregate's state changes only with a new last
    # sequence.
    "get_state_if_changed": (
        "SELECT last_seq, CASE WHEN last_seq = :known_seq AND octet_length(data) = :known_size "
        "THEN NULL ELSE data END AS data "
        'FROM thidua_state WHERE kind = :k_kind AND "key" = :k_key'
    ),
    # INSERT … ON CONFLICT (SQLite ≥ 3.24, PostgreSQL): one statement for a new state or a
    # changed one.
    "upsert_state": (
        'INSERT INTO thidua_state (kind, "key", last_seq, data) '
        "VALUES (:k_kind, :k_key, :v_last_seq, :v_data) "
        'ON CONFLICT (kind, "key") DO UPDATE SET last_seq = excluded.last_seq, data = excluded.data'
    ),
    "get_position": "SELECT stream_seq FROM thidua_position WHERE consumer = :k_consumer",
    "update_position": (
        "UPDATE thidua_position SET stream_seq = :v_seq WHERE consumer = :k_consumer"
    ),
    "insert_position": (
        "INSERT INTO thidua_position (consumer, stream_seq) VALUES (:k_consumer, :v_seq)"
    ),
    "get_reply": "SELECT reply FROM thidua_command WHERE command_id = :k_id",
    "insert_reply": "INSERT INTO thidua_command (command_id, reply) VALUES (:k_id, :v_reply)",
    "insert_reply_if_new": (
        "INSERT INTO thidua_command (command_id, reply) VALUES (:k_id, :v_reply) "
        "ON CONFLICT (command_id) DO NOTHING"
    ),
}
_NATIVE = {
    "sqlite": _STATEMENTS,
    "postgresql": {k: re.sub(r":(\w+)", r"%(\1)s", v) for k, v in _STATEMENTS.items()},
}


# The driver's cursor of a session's connection, kept in `Session.info`; the session may move
# to another pooled connection after a commit.
_CURSOR = "thidua.cursor"


def run_on_driver(session: Session, sql: str, params: Any, many: bool = False) -> Any:
    """`sql`, in the driver's own parameter style, on the session's transaction; the cursor."""
    conn = session.connection()
    dbapi_connection = conn.connection.dbapi_connection
    cursor = session.info.get(_CURSOR)
    try:
        if cursor is None or cursor.connection is not dbapi_connection:
            cursor = session.info[_CURSOR] = dbapi_connection.cursor()  # type: ignore[union-attr]
        if many:
            cursor.executemany(sql, params)
        else:
            cursor.execute(sql, params)
        return cursor
    except conn.dialect.loaded_dbapi.Error as exc:
        # As SQLAlchemy's own execution would: its exception, and a connection the server
        # dropped invalidated, so that the host decides again on a new one.
        lost = conn.dialect.is_disconnect(exc, dbapi_connection, cursor)
        session.info.pop(_CURSOR, None)
        if lost:
            conn.invalidate(exc)
        raise DBAPIError.instance(
            sql,
            params,
            exc,
            conn.dialect.loaded_dbapi.Error,
            connection_invalidated=lost,
            dialect=conn.dialect,
        ) from exc


class _DriverForm(NamedTuple):
    statement: ClauseElement  # held, so that its id is not reused while it is cached
    sql: str
    order: tuple[str, ...] | None  # the parameters' order, where the driver takes them by place
    convert: dict[str, Callable[[Any], Any]]  # as SQLAlchemy converts them (dates on SQLite)


_DRIVER_FORMS: dict[tuple[int, str], _DriverForm] = {}


def execute_on_driver(session: Session, statement: ClauseElement, params: dict[str, Any]) -> Any:
    """A Core statement whose every parameter is a named `bindparam`, compiled once for the
    session's database and sent to the driver directly; the cursor.

    For the read models' writes, a few for every event of the log: through SQLAlchemy's
    execution each cost several times the driver's own work (the fold of a rebuild spent half
    its time there)."""
    dialect = session.get_bind().dialect
    form = _DRIVER_FORMS.get((id(statement), dialect.name))
    if form is None:
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        convert: dict[str, Callable[[Any], Any]] = {}
        for name, bind in compiled.binds.items():
            if bind.value is not None or bind.callable is not None:
                raise ValueError(f"{name}: only statements of named parameters run on the driver")
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                convert[name] = process
        order = tuple(compiled.positiontup) if compiled.positiontup is not None else None
        form = _DriverForm(statement, compiled.string, order, convert)
        _DRIVER_FORMS[(id(statement), dialect.name)] = form
    values = {n: (f(params[n]) if (f := form.convert.get(n)) else params[n]) for n in params}
    if form.order is not None:
        return run_on_driver(session, form.sql, tuple(values[n] for n in form.order))
    return run_on_driver(session, form.sql, values)


class _Held(NamedTuple):
    """A state a buffered store read or wrote: its JSON text, its parsed model, or both."""

    data: str | None
    model: BaseModel | None
    last_seq: int


_UNREAD = _Held(None, None, -1)


def _is_frozen(model: type[BaseModel]) -> bool:
    return bool(model.model_config.get("frozen"))


def _dump(model: BaseModel | None) -> str:
    assert model is not None
    return model.model_dump_json()


class Store:
    """State access inside one transaction; handlers never open their own.

    Buffered (the consumer folding a batch): state read or written once is kept here as its
    JSON text until the transaction ends, and writes reach the database together in `flush`,
    one row per aggregate however often the batch changed it. A batch touches the same few
    aggregates event after event, and each statement was a round trip on PostgreSQL. A frozen
    model is kept as it is (read or written, it cannot change); any other as its JSON text, so
    a handler that changes a model it read without writing it back changes nothing here either.
    """

    def __init__(self, session: Session, *, buffered: bool = False) -> None:
        self.session = session
        bind = session.get_bind()
        dialect = bind.dialect.name
        self._origin = str(bind.engine.url)
        self._sql = _NATIVE[dialect]
        self._postgres = dialect == "postgresql"
        self._buffered = buffered
        self._known: dict[tuple[str, str], _Held | None] = {}
        self._dirty: dict[tuple[str, str], _Held] = {}
        self._acts: dict[str, str] = {}
        # A handler's own rows, gathered over a buffered transaction and written at its flush.
        self.held: dict[str, Any] = {}
        self._writers: list[Callable[[], None]] = []

    @property
    def buffered(self) -> bool:
        return self._buffered

    def on_flush(self, write: Callable[[], None]) -> None:
        """Have `write` run at every flush of this buffered store, before its state is written
        (a handler's own tables, kept in `held` meanwhile)."""
        assert self._buffered, "only a buffered store flushes"
        self._writers.append(write)

    def get(self, kind: str, key: str, model: type[M]) -> tuple[M | None, int]:
        slot = (kind, key)
        held = self._known.get(slot, _UNREAD) if self._buffered else _UNREAD
        if held is _UNREAD:
            read = self._read(kind, key, model)
            held = None if read is None else _Held(read[0], None, read[1])
        if held is None:
            if self._buffered:
                self._known[slot] = None
            return None, 0
        if type(held.model) is model:
            return held.model, held.last_seq
        data = held.data if held.data is not None else _dump(held.model)
        parsed = _parse_state(self._origin, model, kind, key, data, held.last_seq)
        if self._buffered:
            # A frozen model is kept parsed for the rest of the transaction: a batch reads the
            # same lists and states event after event, and parsing them again was the cost.
            self._known[slot] = _Held(data, parsed if _is_frozen(model) else None, held.last_seq)
        return parsed, held.last_seq

    def _run(self, name: str, params: Any, many: bool = False) -> Any:
        """One of `_STATEMENTS` on this transaction's connection; the driver's cursor."""
        return run_on_driver(self.session, self._sql[name], params, many)

    def _read(self, kind: str, key: str, model: type[BaseModel]) -> tuple[str, int] | None:
        params: dict[str, Any] = {"k_kind": kind, "k_key": key}
        held = _PARSED.get((self._origin, model, kind, key)) if self._postgres else None
        if held is None:
            row = self._run("get_state", params).fetchone()
            return None if row is None else (str(row[1]), int(row[0]))
        params.update(known_seq=held.last_seq, known_size=held.size)
        row = self._run("get_state_if_changed", params).fetchone()
        if row is None:
            return None
        if row[1] is None:  # unchanged
            return held.data, held.last_seq
        return str(row[1]), int(row[0])

    def put(self, kind: str, key: str, value: BaseModel, last_seq: int) -> None:
        if not self._buffered:
            data = value.model_dump_json()
            self._write([{"k_kind": kind, "k_key": key, "v_last_seq": last_seq, "v_data": data}])
            return
        # A frozen model is serialised once, at the flush, however often the batch replaced it
        # (a list growing by one item per event was written out whole for every event).
        held = (
            _Held(None, value, last_seq)
            if _is_frozen(type(value))
            else _Held(value.model_dump_json(), None, last_seq)
        )
        self._known[(kind, key)] = self._dirty[(kind, key)] = held

    def flush(self) -> None:
        """Write the buffered state and replies; the host calls it before committing a batch."""
        for write in self._writers:
            write()
        if self._acts:
            replies = [{"k_id": k, "v_reply": v} for k, v in self._acts.items()]
            self._acts.clear()
            self._run("insert_reply_if_new", replies, many=True)
        if not self._dirty:
            return
        # Sorted, so that two writers of the same rows take their locks in the same order.
        rows = [
            {
                "k_kind": kind,
                "k_key": key,
                "v_last_seq": held.last_seq,
                "v_data": held.data if held.data is not None else _dump(held.model),
            }
            for (kind, key), held in sorted(self._dirty.items())
        ]
        self._dirty.clear()
        self._write(rows)

    def _write(self, rows: list[dict[str, Any]]) -> None:
        if len(rows) == 1:
            self._run("upsert_state", rows[0])
        else:
            self._run("upsert_state", rows, many=True)

    def all(self, kind: str, model: type[M]) -> Iterator[tuple[str, M, int]]:
        """Every state of a kind, by key in code-point order.

        Sorted here, not by the database: handlers number what they derive in this order, and
        PostgreSQL orders text by its collation (en_US, the postgres image's default, skips
        hyphens), where SQLite and the auditor's replay compare code points.
        """
        self.flush()
        rows = self.session.execute(
            select(state_table.c.key, state_table.c.data, state_table.c.last_seq).where(
                state_table.c.kind == kind
            )
        )
        for row in sorted(rows, key=lambda row: str(row.key)):
            yield row.key, model.model_validate_json(row.data), int(row.last_seq)

    def position(self, consumer: str) -> int:
        row = self._run("get_position", {"k_consumer": consumer}).fetchone()
        return int(row[0]) if row is not None and row[0] is not None else 0

    def set_position(self, consumer: str, stream_seq: int) -> None:
        params = {"k_consumer": consumer, "v_seq": stream_seq}
        if self._run("update_position", params).rowcount == 0:
            self._run("insert_position", params)

    def command_reply(self, command_id: str) -> str | None:
        row = self._run("get_reply", {"k_id": command_id}).fetchone()
        return None if row is None else str(row[0])

    def remember_command(self, command_id: str, reply: str) -> None:
        self._run("insert_reply", {"k_id": command_id, "v_reply": reply})

    def remember_act(self, command_id: str, reply: str) -> None:
        """The reply to a command whose act the consumer found in the log, unless one is kept;
        buffered, all of a batch's go in one statement at the flush."""
        if self._buffered:
            self._acts.setdefault(command_id, reply)
        else:
            self._run("insert_reply_if_new", {"k_id": command_id, "v_reply": reply})

    def park(self, stream_seq: int, subject: str, reason: str, body: bytes) -> None:
        self.session.execute(
            parked_table.insert().values(
                stream_seq=stream_seq, subject=subject, reason=reason[:4000], body=body
            )
        )

    def parked(self) -> list[tuple[int, str, str]]:
        rows = self.session.execute(
            select(
                parked_table.c.stream_seq, parked_table.c.subject, parked_table.c.reason
            ).order_by(parked_table.c.stream_seq)
        )
        return [(int(r.stream_seq), r.subject, r.reason) for r in rows]

"""The service host: one process, one durable consumer, command and query handlers (DESIGN §3–4).

Events: a durable pull consumer delivers batches in stream order. Each batch is handled in one
database transaction that also stores the consumer position; acks are sent only after the
commit. A message whose handler fails is retried with backoff (nak with delay); after
`max_attempts` failures it is parked with its sequence and reason, and the service goes on.
Commands and queries: core NATS request/reply; a rejected command appends nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import nats
import nats.errors
import nats.js.errors
import sqlalchemy.exc
from faststream import FastStream
from faststream.nats import NatsBroker
from faststream.nats.security import NatsUserPassword
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.js import api as js_api
from nats.js.errors import NotFoundError
from sqlalchemy import Engine, MetaData, select
from sqlalchemy.orm import Session

from thidua_contracts import subjects
from thidua_contracts.commands import MAX_COMMAND_BYTES, Command, Query
from thidua_contracts.envelope import Envelope
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import EventPayload, payload_class
from thidua_contracts.replies import AppendedEvent, CommandReply, Error, QueryReply

from .clock import now_timestamp
from .db import Store, create_schema, make_engine, position_table
from .inputs import parse_request
from .log import ConflictError, EventLog, StoredEvent
from .partitions import Leases, partition_of, preference, share
from .settings import Settings, database_url, nats_auth

log = logging.getLogger("thidua")
T = TypeVar("T")


@dataclass
class Context:
    """What a handler may use: its transaction, the log, settings and the accepted time."""

    service: str
    store: Store
    log: EventLog
    settings: Settings
    now: str
    extra: dict[str, Any] = field(default_factory=dict)
    # When handling an event from the consumer: its body exactly as the stream holds it, and
    # how many events the consumer had still to deliver after it (0: the end of the log).
    body: bytes | None = None
    pending: int | None = None

    def subject(self, aggregate: str, *keys: str) -> str:
        return subjects.event_subject(self.settings.subject_prefix, self.service, aggregate, *keys)


CommandHandler = Callable[[Any, Context], Awaitable[list[StoredEvent]]]
QueryHandler = Callable[[Any, Store, Settings], Any]
EventHandler = Callable[[StoredEvent, EventPayload, Context], Awaitable[None]]
IdleHandler = Callable[[Context], Awaitable[None]]

# How often, at most, a service's idle work runs while its consumer has nothing to fold.
IDLE_EVERY_SECONDS = 0.5


@dataclass
class Lane:
    """One durable consumer and the position row it commits: the whole log, or one partition."""

    partition: int
    consumer: str
    key: str
    position: int = 0
    revision: int = 0  # of its lease, when partitioned
    stopping: bool = False
    task: asyncio.Task[None] | None = None
    # Set with `stopping`: a lane waiting to start its consumer again stops waiting.
    stopped: asyncio.Event = field(default_factory=asyncio.Event)

    def stop(self) -> None:
        self.stopping = True
        self.stopped.set()

    def go(self) -> None:
        self.stopping = False
        self.stopped.clear()


@dataclass
class ServiceDefinition:
    name: str
    on_event: EventHandler
    commands: dict[str, tuple[type[Command], CommandHandler]] = field(default_factory=dict)
    queries: dict[str, tuple[type[Query], QueryHandler]] = field(default_factory=dict)
    metadata: MetaData | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # False when the service's state spans movements (audit's tree over the whole stream):
    # such a service runs one consumer, never partitions.
    partitionable: bool = True
    # Work due by the clock rather than by an event (audit: a checkpoint T seconds after the
    # last one); run in its own transaction when the consumer finds nothing new.
    on_idle: IdleHandler | None = None


def parse_payload(envelope: Envelope) -> EventPayload:
    return payload_class(envelope.type, envelope.version).model_validate(envelope.payload)


class ServiceHost:
    def __init__(self, definition: ServiceDefinition, settings: Settings) -> None:
        self.definition = definition
        self.settings = settings
        self.name = definition.name
        self.prefix = settings.subject_prefix
        self.durable = settings.consumer_name or f"{self.prefix}-{self.name}".replace("_", "-")
        if settings.partitions > 1 and not definition.partitionable:
            raise ValueError(
                f"{self.name} folds the whole stream in order and cannot be partitioned: "
                "run it with THIDUA_PARTITIONS=1 (a second replica with THIDUA_REPLICA_ID "
                "waits as a standby)"
            )
        self.engine: Engine = make_engine(database_url(self.name, settings))
        self._lock = asyncio.Lock()
        # Who is waiting for the lock: a lingering consumer (holding it) stops waiting for more.
        self._waiting = 0
        self._wanted = asyncio.Event()
        self._position = 0
        self._position_changed = asyncio.Condition()
        self._failures: dict[int, int] = {}
        self._nc: NatsClient | None = None
        self.log: EventLog | None = None
        self.app: FastStream | None = None
        self._stopping = False
        self._consumer_task: asyncio.Task[None] | None = None
        # Unpartitioned: one lane named after the service, as always. Partitioned: the lanes
        # whose leases this replica holds (README "Scale-out").
        self.partitioned = settings.partitioned
        chosen = settings.replica_id
        self.replica = (
            chosen if chosen and chosen != "auto" else f"{socket.gethostname()}-{os.getpid()}"
        )
        self._main = Lane(0, self.durable, self.durable)
        self.lanes: dict[int, Lane] = {}
        self._leases: Leases | None = None
        self._lease_task: asyncio.Task[None] | None = None
        self._stop_requested = asyncio.Event()
        self._last_idle = 0.0

    # ---- lifecycle ---------------------------------------------------------------------

    async def start_log(self) -> EventLog:
        # A service keeps trying to reach NATS for as long as it runs.
        self._nc = await nats.connect(
            self.settings.nats_servers,
            name=f"thidua-{self.name}",
            max_reconnect_attempts=-1,
            **nats_auth(self.settings),
        )
        self.log = EventLog(self._nc.jetstream(), self.settings)
        await self.log.require_stream()
        create_schema(
            self.engine, *([self.definition.metadata] if self.definition.metadata else [])
        )
        if self.partitioned:
            self._leases = Leases(self._nc.jetstream(), self.settings, self.name, self.replica)
            await self._leases.open()
            return self.log
        self._position = self._initial_position(self.durable)
        self._main.position = self._position
        await self._prepare_consumer(self._main)
        return self.log

    async def _prepare_consumer(self, lane: Lane) -> None:
        """(Re)create the durable consumer at the position our database holds.

        The database is the source of the position (it commits with the state); a consumer
        left from an earlier run may be ahead (state lost) or behind, so it starts afresh.
        """
        assert self._nc is not None
        jsm = self._nc.jetstream()
        with contextlib.suppress(NotFoundError):
            await jsm.delete_consumer(self.settings.stream, lane.consumer)
        start = lane.position + 1
        await jsm.add_consumer(
            self.settings.stream,
            js_api.ConsumerConfig(
                name=lane.consumer,
                durable_name=lane.consumer,
                deliver_policy=js_api.DeliverPolicy.BY_START_SEQUENCE,
                opt_start_seq=start,
                # One ack per batch: acking the last folded message acks every one before it.
                ack_policy=js_api.AckPolicy.ALL,
                ack_wait=30,
                max_deliver=-1,
                max_ack_pending=self._max_batch(),
                filter_subject=subjects.events_wildcard(self.prefix),
            ),
        )

    def build_broker(self) -> NatsBroker:
        broker = NatsBroker(
            self.settings.nats_servers,
            name=f"thidua-{self.name}-broker",
            log_level=logging.DEBUG,
            graceful_timeout=10.0,
            security=_security(self.settings),
        )

        # One subscription per kind, dispatched here, so an unknown name gets a clear rejection.
        # A queue group: with several replicas, one of them answers each request.
        group = f"{self.prefix}-{self.name}"

        @broker.subscriber(
            subjects.command_subject(self.prefix, self.name, "*"),
            queue=group,
            decoder=_named_body,
        )
        async def on_command(request: Any) -> bytes:
            command, body = request
            reply = await self.handle_command(command, body)
            return reply.model_dump_json().encode()

        @broker.subscriber(
            subjects.query_subject(self.prefix, self.name, "*"),
            queue=group,
            decoder=_named_body,
        )
        async def on_query(request: Any) -> bytes:
            query, body = request
            if query == "status":
                status = _once_more_on_lost_connection(self.status)
                return QueryReply(status="ok", result=status).model_dump_json().encode()
            reply = await self.handle_query(query, body)
            return reply.model_dump_json().encode()

        return broker

    def status(self) -> dict[str, Any]:
        """Liveness and progress: how far this service has folded the log, what it parked."""
        with Session(self.engine) as session:
            parked = Store(session).parked()
        found: dict[str, Any] = {
            "service": self.name,
            "position": self.folded_position() if self.partitioned else self._position,
            "parked": [{"sequence": s, "subject": subj, "reason": r} for s, subj, r in parked],
        }
        if self.partitioned:
            found["partitions"] = self.settings.partitions
            found["replica"] = self.replica
            found["owned"] = sorted(self.lanes)
        return found

    def _lane_key(self, partition: int) -> str:
        return f"{self.durable}-p{partition}-of-{self.settings.partitions}"

    def folded_position(self) -> int:
        """Partitioned: how far every partition has folded the log, whoever owns it."""
        keys = [self._lane_key(p) for p in range(self.settings.partitions)]
        with Session(self.engine) as session:
            rows = {
                str(name): int(seq)
                for name, seq in session.execute(
                    select(position_table.c.consumer, position_table.c.stream_seq).where(
                        position_table.c.consumer.in_(keys)
                    )
                )
            }
        return min(int(rows.get(k, 0)) for k in keys)

    async def run(self) -> None:
        await self.start_log()
        self.app = FastStream(
            self.build_broker(),
            after_startup=[self.start_consumer],
            on_shutdown=[self.stop_consumer],
        )
        if self.partitioned:
            log.info(
                "%s: replica %s, %d partitions", self.name, self.replica, self.settings.partitions
            )
        else:
            log.info("%s: consuming from sequence %d", self.name, self._position + 1)
        try:
            await self.app.run(log_level=logging.WARNING)
        finally:
            await self.close()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[ServiceHost]:
        """The whole service in this event loop, without signal handling (tests, embedding)."""
        await self.start_log()
        broker = self.build_broker()
        await broker.start()
        await self.start_consumer()
        try:
            yield self
        finally:
            await self.stop_consumer()
            await broker.stop()
            await self.close()

    async def start_consumer(self) -> None:
        self._stopping = False
        self._stop_requested.clear()
        if self.partitioned:
            self._lease_task = asyncio.create_task(self._keep_leases(), name=f"{self.name}-leases")
            return
        self._main.go()
        self._consumer_task = asyncio.create_task(self.consume(), name=f"{self.name}-consumer")

    async def stop_consumer(self) -> None:
        """Let the batch in hand finish and commit; nothing half-done is acked."""
        self._stopping = True
        self._stop_requested.set()
        self._main.stop()
        if self._consumer_task is not None:
            await self._consumer_task
        if self._lease_task is not None:
            await self._lease_task
            self._lease_task = None

    # ---- partitions (README "Scale-out") -----------------------------------------------

    async def _keep_leases(self) -> None:
        """Announce this replica, renew its leases, take its share of the partitions, and
        give them back on the way out so another replica takes over at once."""
        assert self._leases is not None
        leases = self._leases
        every = self.settings.lease_seconds / 3
        try:
            while not self._stopping:
                try:
                    await self._balance(leases)
                except Exception:
                    log.exception("%s: lease round failed; retrying", self.name)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop_requested.wait(), every)
        finally:
            for partition in list(self.lanes):
                lane = await self._stop_lane(partition)
                with contextlib.suppress(Exception):
                    await leases.release(partition, lane.revision)
            with contextlib.suppress(Exception):
                await leases.withdraw()

    async def _balance(self, leases: Leases) -> None:
        await leases.announce()
        for partition, lane in list(self.lanes.items()):
            revision = await leases.renew(partition, lane.revision)
            if revision is None:
                log.warning("%s: lost partition %d to another replica", self.name, partition)
                await self._stop_lane(partition)
            else:
                lane.revision = revision
        total = self.settings.partitions
        target = share(total, len(await leases.alive()))
        order = preference(self.replica, total)
        for partition in sorted(self.lanes, key=order.index, reverse=True):
            if len(self.lanes) <= target:
                break
            lane = await self._stop_lane(partition)
            await leases.release(partition, lane.revision)
            log.info("%s: handed partition %d back", self.name, partition)
        for partition in order:
            if len(self.lanes) >= target or self._stopping:
                break
            if partition in self.lanes:
                continue
            revision = await leases.claim(partition)
            if revision is not None:
                await self._start_lane(partition, revision)

    async def _start_lane(self, partition: int, revision: int) -> None:
        lane = Lane(partition, f"{self.durable}-p{partition}", self._lane_key(partition))
        lane.revision = revision
        lane.position = self._initial_position(lane.key)
        await self._prepare_consumer(lane)
        self.lanes[partition] = lane
        lane.task = asyncio.create_task(self.consume(lane), name=f"{self.name}-p{partition}")
        log.info("%s: partition %d from sequence %d", self.name, partition, lane.position + 1)

    async def _stop_lane(self, partition: int) -> Lane:
        lane = self.lanes.pop(partition)
        lane.stop()
        if lane.task is not None:
            await lane.task
        return lane

    def _generation(self) -> set[str]:
        """The position rows this configuration commits: one, or one per partition."""
        if not self.partitioned:
            return {self.durable}
        return {self._lane_key(p) for p in range(self.settings.partitions)}

    def _initial_position(self, key: str) -> int:
        """The committed position of `key`. A row never written before (the partition count
        changed, or partitions were turned on or off) starts where the rows of the earlier
        configuration all stand; once every row of this configuration exists, the earlier ones
        are removed, so a later change never reads a stale position."""
        with Session(self.engine) as session, session.begin():
            store = Store(session)
            rows = {
                str(name): int(seq)
                for name, seq in session.execute(
                    select(position_table.c.consumer, position_table.c.stream_seq)
                )
                if name == self.durable or str(name).startswith(f"{self.durable}-p")
            }
            if key in rows:
                return rows[key]
            generation = self._generation()
            earlier = {name: seq for name, seq in rows.items() if name not in generation}
            if len(set(earlier.values())) > 1:
                raise RuntimeError(
                    f"{self.name}: the partition count changed while the earlier consumers "
                    f"stood at different positions {sorted(set(earlier.values()))}; run the "
                    "earlier configuration until they have folded the whole log, then change it"
                )
            position = next(iter(earlier.values()), 0)
            store.set_position(key, position)
            if generation <= {*rows, key}:
                session.execute(
                    position_table.delete().where(position_table.c.consumer.in_(list(earlier)))
                )
            return position

    # ---- consuming ---------------------------------------------------------------------

    async def consume(self, lane: Lane | None = None) -> None:
        # Our own pull loop rather than FastStream's batch subscriber: with nats-py 2.16 an idle
        # fetch raises a TimeoutError that FastStream 0.7.8 does not catch, and its supervisor
        # then restarts the loop with growing delays.
        assert self._nc is not None
        lane = lane or self._main
        sub = await self._subscribe(lane)
        size = self.settings.batch_size
        # Catch-up batches only from a start far behind (a rebuild, a restart after a long
        # stop): a consumer lagging while commands keep coming made them wait behind longer
        # folds, and a tenth of the default year took 5 % longer.
        catching_up = True
        while not lane.stopping:
            try:
                messages = await sub.fetch(batch=size, timeout=self.settings.batch_timeout_seconds)
            except TimeoutError:
                await self._idle()
                continue
            except Exception:
                log.exception("%s: fetch failed; retrying", self.name)
                await asyncio.sleep(self.settings.retry_base_seconds)
                continue
            if catching_up:
                size = self._next_fetch(messages)
                catching_up = size > self.settings.batch_size
            try:
                again = await self.handle_batch(messages, lane, more_from=sub)
            except Exception:
                # Nothing was committed (the database went away, say): have them again soon.
                log.exception("%s: batch failed; retrying", self.name)
                again = self.settings.retry_base_seconds
            if again is not None:
                sub = await self._rewind(lane, sub, again)

    def _next_fetch(self, messages: list[Msg]) -> int:
        """How many to fetch next while catching up: a catch-up batch while that many wait."""
        catch_up = self._max_batch()
        if messages and messages[-1].metadata.num_pending >= catch_up:
            return catch_up
        return self.settings.batch_size

    def _max_batch(self) -> int:
        return max(self.settings.batch_size, self.settings.catch_up_batch_size)

    async def _subscribe(self, lane: Lane) -> Any:
        assert self._nc is not None
        return await self._nc.jetstream().pull_subscribe_bind(
            durable=lane.consumer, stream=self.settings.stream
        )

    async def _rewind(self, lane: Lane, sub: Any, delay: float) -> Any:
        """After `delay`, the lane's consumer starts again just after what it has committed.

        Rather than naking what is to be folded again: JetStream redelivers each naked message
        on its own timer, so they came back out of order and in separate batches, each refused
        for order in turn, and a message fetched but never naked (one the linger took in when
        the batch failed) came back only after the ack wait, 30 s later. A consumer created
        afresh at the position delivers everything after it again, in order, at once.
        """
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(lane.stopped.wait(), delay)
        while not lane.stopping:
            try:
                with contextlib.suppress(Exception):
                    await sub.unsubscribe()
                await self._prepare_consumer(lane)
                return await self._subscribe(lane)
            except Exception:  # NATS unreachable or electing a leader: try again
                log.exception("%s: could not start the consumer again; retrying", self.name)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(lane.stopped.wait(), self.settings.retry_base_seconds)
        return sub

    @contextlib.asynccontextmanager
    async def _exclusive(self) -> AsyncIterator[None]:
        """The service's lock (one fold or one command at a time), cutting a linger short."""
        self._waiting += 1
        self._wanted.set()
        try:
            await self._lock.acquire()
        finally:
            self._waiting -= 1
        try:
            yield
        finally:
            self._lock.release()

    async def _linger(self, sub: Any, messages: list[Msg]) -> list[Msg]:
        """More of the same batch, when the consumer had caught up with less than a batch.

        While events trickle in (one command at a time), each would otherwise be folded in a
        transaction of its own: a position read, a position write and a commit each, round
        trips on PostgreSQL, in each of the five services (README, "How it works"). Called
        holding the lock, so that no command decides on state missing the events in hand; a
        command (or another partition) waiting for the lock ends the linger at once.
        """
        room = self.settings.batch_size - len(messages)
        linger = self.settings.batch_linger_seconds
        if linger <= 0 or room <= 0 or not messages or messages[-1].metadata.num_pending:
            return []
        self._wanted.clear()
        if self._waiting:
            return []
        # Half waiting, half for the fetch: a fetch of a few milliseconds missed what had come
        # when the server's answer was a moment late (a busy process), and one that finds
        # nothing waits out its whole timeout.
        half = linger / 2
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wanted.wait(), half)
        if self._waiting:
            return []
        # A fetch hands over what arrived within it and leaves the rest of what the server
        # sent in the subscription's queue, where the next fetch finds it at once.
        more: list[Msg] = []
        while len(more) < room:
            try:
                got = await sub.fetch(batch=room - len(more), timeout=max(half, 0.002))
            except Exception:  # nothing more came (a timeout), or the fetch failed
                break
            more.extend(got)
            if not got or not got[-1].metadata.num_pending:
                break
        return more

    async def _idle(self) -> None:
        hook = self.definition.on_idle
        now = asyncio.get_running_loop().time()
        if hook is None or now - self._last_idle < IDLE_EVERY_SECONDS:
            return
        self._last_idle = now
        try:
            async with self._exclusive():
                with Session(self.engine) as session, session.begin():
                    await hook(self.context(Store(session)))
        except Exception:  # the next idle moment tries again; events go on being folded
            log.exception("%s: idle work failed", self.name)

    async def close(self) -> None:
        if self._nc is not None and not self._nc.is_closed:
            await self._nc.close()
        self.engine.dispose()

    def context(self, store: Store, msg: Msg | None = None) -> Context:
        assert self.log is not None
        return Context(
            self.name,
            store,
            self.log,
            self.settings,
            now_timestamp(),
            self.definition.extra,
            None if msg is None else msg.data,
            None if msg is None else msg.metadata.num_pending,
        )

    # ---- commands and queries ----------------------------------------------------------

    async def handle_command(self, name: str, body: bytes) -> CommandReply:
        if len(body) > MAX_COMMAND_BYTES:
            return CommandReply.rejected(
                ErrorCode.PAYLOAD_TOO_LARGE, None, f"{len(body)} > {MAX_COMMAND_BYTES} bytes"
            )
        entry = self.definition.commands.get(name)
        if entry is None:
            return CommandReply.rejected(ErrorCode.UNKNOWN_COMMAND, None, name)
        model, handler = entry
        parsed = parse_request(model, body)
        if isinstance(parsed, Error):
            return CommandReply(status="rejected", error=parsed)
        assert isinstance(parsed, Command)
        command = parsed
        caught_up = False
        for _attempt in range(5):
            try:
                async with self._exclusive():
                    with Session(self.engine) as session, session.begin():
                        # Buffered: the aggregate a handler loaded to decide is not read again
                        # when its events are appended (a round trip each on PostgreSQL).
                        store = Store(session, buffered=True)
                        prior = store.command_reply(command.command_id)
                        if prior is not None:
                            return _replayed(prior, command)
                        stored = await handler(command, self.context(store))
                        store.flush()
                        reply = CommandReply(
                            status="accepted",
                            command_id=command.command_id,
                            events=[
                                AppendedEvent(
                                    event_id=s.envelope.event_id,
                                    type=s.envelope.type,
                                    subject=s.envelope.subject,
                                    sequence=s.sequence,
                                )
                                for s in stored
                            ],
                        )
                        store.remember_command(command.command_id, _remembered(reply, command))
                    return reply
            except Rejected as r:
                if not caught_up and await self._catch_up():
                    # Decided on a state behind the log (another replica took the command
                    # before it, e.g. the movement's definition): decide once more on the
                    # whole log rather than refuse what the log already allows.
                    caught_up = True
                    continue
                return CommandReply(
                    status="rejected",
                    command_id=command.command_id,
                    error=Error.from_rejection(r),
                )
            except ConflictError:
                # Another writer got there first: let our consumer fold the log, then re-decide.
                await self.wait_for_position(await self._log().last_sequence())
            except (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError) as exc:
                if not exc.connection_invalidated:
                    # The database cannot be reached: nothing was decided; say so, and the clerk
                    # sends the same command again later (it deduplicates).
                    log.warning("%s: database unavailable for %s: %s", self.name, name, exc)
                    return CommandReply.rejected(
                        ErrorCode.UNAVAILABLE, None, "database", command.command_id
                    )
                # The database dropped the connection (a restart): decide again on a new one.
                log.warning("%s: database connection lost; deciding %s again", self.name, name)
        return CommandReply.rejected(ErrorCode.CONFLICT, None, None, command.command_id)

    async def handle_query(self, name: str, body: bytes) -> QueryReply:
        entry = self.definition.queries.get(name)
        if entry is None:
            return QueryReply(
                status="rejected", error=Error.of(ErrorCode.UNKNOWN_COMMAND, None, name)
            )
        model, handler = entry
        parsed = parse_request(model, body)
        if isinstance(parsed, Error):
            return QueryReply(status="rejected", error=parsed)

        def answer() -> Any:
            with Session(self.engine) as session:
                return handler(parsed, Store(session), self.settings)

        try:
            result = _once_more_on_lost_connection(answer)
        except Rejected as r:
            return QueryReply(status="rejected", error=Error.of(r.code, r.field, r.detail))
        return QueryReply(status="ok", result=result)

    def _log(self) -> EventLog:
        assert self.log is not None
        return self.log

    # ---- events ------------------------------------------------------------------------

    async def _catch_up(self) -> bool:
        """Fold up to the log's end if this service is behind it; whether it was."""
        last = await self._log().last_sequence()
        folded = self.folded_position() if self.partitioned else self._position
        if folded >= last:
            return False
        try:
            await self.wait_for_position(last)
        except TimeoutError:
            return False
        return True

    async def wait_for_position(self, sequence: int) -> None:
        if self.partitioned:
            # Other replicas fold other partitions: their progress is in the database.
            async with asyncio.timeout(self.settings.request_timeout_seconds):
                while self.folded_position() < sequence:  # noqa: ASYNC110 - no event to await
                    await asyncio.sleep(0.05)
            return
        async with self._position_changed:
            await asyncio.wait_for(
                self._position_changed.wait_for(lambda: self._position >= sequence),
                timeout=self.settings.request_timeout_seconds,
            )

    async def handle_batch(
        self, messages: list[Msg], lane: Lane | None = None, more_from: Any = None
    ) -> float | None:
        """Fold one batch in order inside one transaction, then ack what was committed.
        Returns how long to wait before the lane folds again from its position when some of
        the batch is to be retried, None when all of it was folded or parked.

        First without a savepoint per event (two statements fewer per event, a round trip each
        on PostgreSQL); if any handler fails, that transaction is rolled back whole and the
        batch folded again with one savepoint per event, so that the failing event alone is
        retried or parked while the others are kept.
        """
        lane = lane or self._main
        async with self._exclusive():
            if more_from is not None:
                messages = messages + await self._linger(more_from, messages)
            # Redeliveries after an ack wait come back in the order it ran out, not the log's.
            messages = sorted(messages, key=lambda m: m.metadata.sequence.stream)
            try:
                folded = await self._fold(messages, lane, careful=False)
            except _HandlerFailedError:
                folded = await self._fold(messages, lane, careful=True)
        done, retry, parked, position = folded
        if done:
            await max(done, key=lambda m: m.metadata.sequence.stream).ack()
        again = None
        if retry:
            failures = self._failures.get(retry[0].metadata.sequence.stream, 0)
            again = min(self.settings.retry_base_seconds * 2**failures, 30.0)
        for seq, subject, reason in parked:
            await self._announce_parked(seq, subject, reason)
        lane.position = position
        if lane is self._main:
            async with self._position_changed:
                self._position = position
                self._position_changed.notify_all()
        return again

    async def _fold(
        self, messages: list[Msg], lane: Lane, *, careful: bool
    ) -> tuple[list[Msg], list[Msg], list[tuple[int, str, str]], int]:
        """One transaction: (done, to retry, parked, position). Not careful: a failing
        handler raises `_HandlerFailedError`, which rolls the whole transaction back."""
        done: list[Msg] = []
        retry: list[Msg] = []
        parked: list[tuple[int, str, str]] = []
        with (
            Session(self.engine) as session,
            session.begin(),
            self._log().holding(messages),
        ):
            store = Store(session, buffered=not careful)
            if self.partitioned:
                # The row lock fences a replica whose lease expired while it worked.
                position = int(
                    session.execute(
                        select(position_table.c.stream_seq)
                        .where(position_table.c.consumer == lane.key)
                        .with_for_update()
                    ).scalar()
                    or 0
                )
            else:
                # From the database, not memory: a commit whose answer was lost (the
                # connection dropped) may have landed, and its events must not fold twice.
                position = store.position(lane.key)
            for index, msg in enumerate(messages):
                seq = msg.metadata.sequence.stream
                if seq <= position:
                    done.append(msg)  # seen before the last commit: a redelivery
                    continue
                if seq != position + 1:
                    # An earlier message is still due (redelivery pending): keep order.
                    retry.extend(messages[index:])
                    break
                if self.partitioned and (
                    partition_of(msg.subject, self.settings.partitions) != lane.partition
                ):
                    position = seq  # another partition's event: its owner folds it
                    done.append(msg)
                    continue
                outcome = await self._handle_one(store, msg, seq, careful=careful)
                if outcome is None:
                    retry.extend(messages[index:])
                    break
                if outcome:
                    parked.append((seq, msg.subject, outcome))
                position = seq
                done.append(msg)
            store.flush()
            store.set_position(lane.key, position)
        return done, retry, parked, position

    async def _handle_one(
        self, store: Store, msg: Msg, seq: int, *, careful: bool = True
    ) -> str | None:
        """'' when handled, a reason when parked, None when it should be retried later."""
        try:
            envelope = Envelope.from_bytes(msg.data)
            payload = parse_payload(envelope)
        except Exception as exc:  # a malformed event can never succeed: park it now
            reason = f"malformed event: {type(exc).__name__}: {exc}"
            store.park(seq, msg.subject, reason, msg.data)
            return reason
        if not careful:
            try:
                await self.definition.on_event(
                    StoredEvent(seq, envelope), payload, self.context(store, msg)
                )
            except Exception as exc:
                raise _HandlerFailedError(seq) from exc
            self._failures.pop(seq, None)
            self._remember_human_act(store, StoredEvent(seq, envelope))
            return ""
        try:
            with store.session.begin_nested():
                await self.definition.on_event(
                    StoredEvent(seq, envelope), payload, self.context(store, msg)
                )
        except _TRANSIENT as exc:
            # NATS unreachable or electing a leader: nothing is wrong with the event, so this
            # never counts towards parking it.
            log.warning("%s: event %d waits for NATS: %r", self.name, seq, exc)
            return None
        except Exception as exc:
            failures = self._failures.get(seq, 0) + 1
            self._failures[seq] = failures
            log.warning(
                "%s: event %d failed (%d/%d): %s",
                self.name,
                seq,
                failures,
                self.settings.max_attempts,
                exc,
            )
            if failures < self.settings.max_attempts:
                return None
            reason = f"handler failed {failures} times: {type(exc).__name__}: {exc}"
            store.park(seq, msg.subject, reason, msg.data)
            self._failures.pop(seq, None)
            return reason
        self._failures.pop(seq, None)
        self._remember_human_act(store, StoredEvent(seq, envelope))
        return ""

    def _remember_human_act(self, store: Store, item: StoredEvent) -> None:
        """A human act of ours found in the log answers a retry of its command.

        The writer may have died after appending and before recording the reply; the event id
        is the command id, so the retry gets "accepted" instead of a misleading rejection.
        """
        envelope = item.envelope
        if envelope.actor is None or envelope.subject.split(".")[2] != self.name:
            return
        reply = CommandReply(
            status="accepted",
            command_id=envelope.event_id,
            events=[
                AppendedEvent(
                    event_id=envelope.event_id,
                    type=envelope.type,
                    subject=envelope.subject,
                    sequence=item.sequence,
                )
            ],
        )
        store.remember_act(envelope.event_id, reply.model_dump_json())

    async def _announce_parked(self, seq: int, subject: str, reason: str) -> None:
        assert self._nc is not None
        record = {"service": self.name, "sequence": seq, "subject": subject, "reason": reason}
        await self._nc.publish(
            subjects.parked_subject(self.prefix, self.name), json.dumps(record).encode()
        )
        log.error("%s: parked event %d (%s): %s", self.name, seq, subject, reason)


def _once_more_on_lost_connection(read: Callable[[], T]) -> T:
    """A read whose pooled connection the database dropped (a restart) is tried once more: the
    pool has been discarded by then, so the second try gets a new connection."""
    try:
        return read()
    except sqlalchemy.exc.DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        return read()


class _HandlerFailedError(Exception):
    """A handler failed while a batch was folded without savepoints: fold it again carefully."""


_TRANSIENT = (
    nats.errors.TimeoutError,
    nats.errors.NoRespondersError,
    nats.errors.ConnectionClosedError,
    nats.errors.StaleConnectionError,
    nats.js.errors.ServiceUnavailableError,
    TimeoutError,
    ConnectionError,
    # The database restarting or busy: the same event will succeed once it is back.
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
)


def _security(settings: Settings) -> NatsUserPassword | None:
    auth = nats_auth(settings)
    return NatsUserPassword(auth["user"], auth["password"] or "") if auth else None


async def _named_body(msg: Any) -> tuple[str, bytes]:
    """The request's name (the subject's last token) and its raw body.

    Commands are parsed by our own models so that every error becomes a clear rejection. A
    coroutine, and the name taken here rather than through a `Path()` parameter: FastStream runs
    a plain function decoder, and resolves each such parameter, in a worker thread, one hop per
    message (measured: the command path spent most of its time waiting for that thread).
    """
    return str(msg.raw_message.subject).rsplit(".", 1)[-1], bytes(msg.body)


def _fingerprint(command: Command) -> str:
    return hashlib.sha256(command.model_dump_json().encode()).hexdigest()


def _remembered(reply: CommandReply, command: Command) -> str:
    """The reply kept for a retry, with what the command said, so a reused id is told apart."""
    return json.dumps(
        {"command_sha256": _fingerprint(command), "reply": reply.model_dump(mode="json")}
    )


def _replayed(prior: str, command: Command) -> CommandReply:
    """A retry gets the first reply; the same id with other content is refused, never applied
    nor answered as if it had been. A reply kept from the log after a crash (or by an earlier
    release) has no fingerprint: the command itself is then not known, and the reply stands."""
    kept = json.loads(prior)
    if "command_sha256" not in kept:
        return CommandReply.model_validate(kept)
    if kept["command_sha256"] != _fingerprint(command):
        return CommandReply.rejected(
            ErrorCode.COMMAND_ID_REUSED, "command_id", command.command_id, command.command_id
        )
    return CommandReply.model_validate(kept["reply"])

"""The log client: provision the streams, append with dedup and optimistic concurrency, read.

DESIGN §1: every append carries `Nats-Msg-Id` (the event id, for dedup) and
`Nats-Expected-Last-Subject-Sequence` (the last sequence the writer folded). A wrong expected
sequence means another writer got there first: reload, decide again.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections import deque
from collections.abc import AsyncIterator, Iterator, Sequence

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js import api as js_api
from nats.js.errors import APIError, NotFoundError
from pydantic import BaseModel, ConfigDict

from thidua_contracts.envelope import Envelope

from .settings import Settings

WRONG_LAST_SEQUENCE = 10071
MSG_ID_HEADER = "Nats-Msg-Id"
EXPECTED_SUBJECT_SEQ_HEADER = "Nats-Expected-Last-Subject-Sequence"
EVENT_TYPE_HEADER = "Thidua-Event"
# Replayed events queued ahead of their reader.
REPLAY_BUFFER = 4096


def stream_sequence(msg: Msg) -> int:
    """A delivered message's stream sequence, read from its reply subject alone, in the old
    form or the one with a domain and account hash: `msg.metadata` also converts the
    timestamp and builds four objects, 4.3 µs a message where this takes 0.5 µs."""
    tokens = Msg.Metadata._get_metadata_fields(msg.reply)  # nats-py's check of the form
    return int(tokens[5] if len(tokens) == 9 else tokens[Msg.Ack.StreamSeq])


class ConflictError(Exception):
    """Another writer appended to the aggregate since the sequence we folded."""

    def __init__(self, subject: str, expected: int) -> None:
        super().__init__(f"{subject}: expected last sequence {expected} is stale")
        self.subject = subject
        self.expected = expected


class StreamMissingError(Exception):
    pass


class StreamSettingsError(Exception):
    pass


class StoredEvent(BaseModel):
    """An event as the log holds it, with its stream sequence; storable as state too."""

    model_config = ConfigDict(frozen=True)

    sequence: int
    envelope: Envelope

    def __init__(self, sequence: int, envelope: Envelope) -> None:
        super().__init__(sequence=sequence, envelope=envelope)


def stream_configs(settings: Settings) -> list[js_api.StreamConfig]:
    prefix = settings.subject_prefix
    return [
        _protected_stream(settings.stream, f"{prefix}.evt.>", settings),
        _protected_stream(settings.checkpoints, f"{prefix}.checkpoint.>", settings),
    ]


def _protected_stream(name: str, subject: str, settings: Settings) -> js_api.StreamConfig:
    """Limits retention with no limits; deny_delete and deny_purge can never be edited later."""
    return js_api.StreamConfig(
        name=name,
        subjects=[subject],
        retention=js_api.RetentionPolicy.LIMITS,
        storage=js_api.StorageType.FILE,
        discard=js_api.DiscardPolicy.OLD,
        max_msgs=-1,
        max_bytes=-1,
        max_age=0,
        num_replicas=settings.replicas,
        deny_delete=True,
        deny_purge=True,
        allow_direct=True,
        duplicate_window=float(settings.duplicate_window_seconds),
    )


class EventLog:
    def __init__(self, js: JetStreamContext, settings: Settings) -> None:
        self._js = js
        self._settings = settings
        self.stream = settings.stream
        # The batch a consumer is folding, by event id (its Nats-Msg-Id).
        self._in_hand: dict[str, Msg] = {}

    @contextlib.contextmanager
    def holding(self, messages: Sequence[Msg]) -> Iterator[None]:
        """While a consumer folds `messages`: an event re-decided that is among them is known
        to be in the log without asking (`in_log`). In a rebuild every computed decision is
        decided again, and is nearly always a few events after its cause, in the same batch;
        asking cost two round trips (publish, refused as a duplicate, then get)."""
        self._in_hand = {
            msg.headers[MSG_ID_HEADER]: msg
            for msg in messages
            if msg.headers and MSG_ID_HEADER in msg.headers
        }
        try:
            yield
        finally:
            self._in_hand = {}

    def in_log(self, event: Envelope) -> StoredEvent | None:
        """`event` as the log holds it, when it is in the batch being folded; None says only
        that it is not in hand."""
        msg = self._in_hand.get(event.event_id)
        if msg is None or msg.subject != event.subject:
            return None
        held = Envelope.from_bytes(msg.data)
        if held.event_id != event.event_id:  # a message id not its own event's: ask the log
            return None
        return StoredEvent(stream_sequence(msg), held)

    async def provision(self) -> list[str]:
        """Create the streams if missing; verify their protections if present. Idempotent."""
        report = []
        for config in stream_configs(self._settings):
            assert config.name is not None
            try:
                info = await self._js.stream_info(config.name)
            except NotFoundError:
                await self._js.add_stream(config=config)
                report.append(f"{config.name}: created")
                continue
            existing = info.config
            problems = [
                name
                for name in ("subjects", "deny_delete", "deny_purge", "storage", "retention")
                if getattr(existing, name) != getattr(config, name)
            ]
            if problems:
                raise StreamSettingsError(
                    f"stream {config.name} exists with other settings: {', '.join(problems)}"
                )
            report.append(f"{config.name}: exists ({info.state.messages} messages), reused")
        if self._settings.partitioned:
            from .partitions import provision_leases

            report.append(await provision_leases(self._js, self._settings))
        return report

    async def require_stream(self) -> None:
        """Services bind to a provisioned stream and never declare it themselves."""
        try:
            await self._js.stream_info(self.stream)
        except NotFoundError as exc:
            raise StreamMissingError(
                f"stream {self.stream} does not exist: run `thidua admin provision` first"
            ) from exc

    async def append(self, events: Sequence[Envelope], expected_last_seq: int) -> list[StoredEvent]:
        """Append events of one aggregate in order, each expecting the one before it.

        A duplicate (same event id inside the window) is not stored twice; the stored copy is
        returned instead, so a writer that re-decides after a crash folds what the log holds.
        """
        stored: list[StoredEvent] = []
        expected = expected_last_seq
        for event in events:
            held = self.in_log(event)
            if held is not None:
                # What the log would answer: a duplicate within the window, found on the
                # subject past it.
                stored.append(held)
                expected = held.sequence
                continue
            headers = {
                MSG_ID_HEADER: event.event_id,
                EVENT_TYPE_HEADER: event.type,
                EXPECTED_SUBJECT_SEQ_HEADER: str(expected),
            }
            body = event.to_bytes()
            try:
                ack = await self._js.publish(
                    event.subject, body, stream=self.stream, headers=headers
                )
            except APIError as exc:
                if exc.err_code != WRONG_LAST_SEQUENCE:
                    raise
                # Past the duplicate window a computed decision made again (a rebuild, a late
                # redelivery) meets itself as a "conflict": its deterministic id tells. It is
                # nearly always the event right after the one expected, found in one request;
                # reading the whole subject (a consumer of its own) is for the rest.
                already = await self.next_on_subject(event.subject, expected)
                if already is None or already.envelope.event_id != event.event_id:
                    already = await self.find_on_subject(event.subject, event.event_id)
                if already is None:
                    raise ConflictError(event.subject, expected) from exc
                stored.append(already)
                expected = already.sequence
                continue
            if ack.duplicate:
                original = await self.get(ack.seq)
                if original.envelope.event_id != event.event_id:
                    raise ConflictError(event.subject, expected)
                stored.append(original)
            else:
                # As a reader will see it (canonical key order), so state folded by the writer
                # and state rebuilt from the log are the same bytes.
                stored.append(StoredEvent(ack.seq, Envelope.model_validate_json(body)))
            expected = ack.seq
        return stored

    async def append_at_end(self, events: Sequence[Envelope]) -> list[StoredEvent]:
        """Append after whatever the aggregate holds now: its last sequence is asked of the
        log, unless the first event is in hand already (then it is the stored copy)."""
        if not events:
            return []
        if self.in_log(events[0]) is not None:
            return await self.append(events, 0)
        return await self.append(events, await self.last_subject_sequence(events[0].subject))

    def fault_point(self, name: str) -> None:
        """Crash tests only: die exactly here, as a power cut or OOM kill would."""
        if self._settings.fault == name:
            os.kill(os.getpid(), signal.SIGKILL)

    async def next_on_subject(self, subject: str, after: int) -> StoredEvent | None:
        """The first event of an aggregate after stream sequence `after`, if there is one."""
        try:
            raw = await self._js.get_msg(self.stream, seq=after + 1, subject=subject, next=True)
        except NotFoundError:
            return None
        assert raw.data is not None and raw.seq is not None
        return StoredEvent(raw.seq, Envelope.from_bytes(raw.data))

    async def find_on_subject(self, subject: str, event_id: str) -> StoredEvent | None:
        for item in await self.read_subject(subject):
            if item.envelope.event_id == event_id:
                return item
        return None

    async def get(self, sequence: int) -> StoredEvent:
        raw = await self._js.get_msg(self.stream, seq=sequence)
        assert raw.data is not None and raw.seq is not None
        return StoredEvent(raw.seq, Envelope.from_bytes(raw.data))

    async def get_raw(self, sequence: int) -> bytes:
        raw = await self._js.get_msg(self.stream, seq=sequence)
        return raw.data or b""

    async def last_sequence(self) -> int:
        info = await self._js.stream_info(self.stream)
        return int(info.state.last_seq)

    async def last_subject_sequence(self, subject: str) -> int:
        try:
            raw = await self._js.get_msg(self.stream, subject=subject)
        except NotFoundError:
            return 0
        return int(raw.seq or 0)

    async def read_subject(self, subject: str) -> list[StoredEvent]:
        """All events of one aggregate (slow path: creates a consumer; never per command)."""
        last = await self.last_subject_sequence(subject)
        if last == 0:
            return []
        return [
            StoredEvent(seq, Envelope.from_bytes(body))
            async for seq, body in self.replay_raw(1, last, subject)
        ]

    async def replay_raw(
        self, start: int = 1, end: int | None = None, subject: str | None = None
    ) -> AsyncIterator[tuple[int, bytes]]:
        """Bodies in stream order through an ordered consumer, from `start` up to `end`."""
        async for batch in self.replay_batches(start, end, subject):
            for record in batch:
                yield record

    async def replay_batches(
        self, start: int = 1, end: int | None = None, subject: str | None = None
    ) -> AsyncIterator[list[tuple[int, bytes]]]:
        """`replay_raw` as lists of what has arrived since the last, in stream order: a reader
        that handles events in bulk pays the iteration once per batch, not per event.

        Delivered to a callback that only queues them: `next_msg` starts two tasks for every
        message, which cost a rebuild of the read models about a tenth of its time. At most
        `REPLAY_BUFFER` wait here; beyond, the client holds them as it would for `next_msg`."""
        if end is None:
            end = await self.last_sequence()
        if end < start:
            return
        arrived: deque[tuple[int, bytes]] = deque()
        wanted: asyncio.Future[None] | None = None
        room = asyncio.Event()
        room.set()

        async def take(msg: Msg) -> None:
            arrived.append((stream_sequence(msg), msg.data))
            if wanted is not None and not wanted.done():
                wanted.set_result(None)
            if len(arrived) >= REPLAY_BUFFER:
                room.clear()
                await room.wait()

        sub = await self._js.subscribe(
            subject or f"{self._settings.subject_prefix}.evt.>",
            stream=self.stream,
            cb=take,
            ordered_consumer=True,
            deliver_policy=js_api.DeliverPolicy.BY_START_SEQUENCE,
            config=js_api.ConsumerConfig(opt_start_seq=start),
        )
        try:
            while True:
                if not arrived:
                    wanted = asyncio.get_running_loop().create_future()
                    try:
                        await asyncio.wait_for(wanted, self._settings.request_timeout_seconds)
                    except TimeoutError as exc:
                        raise TimeoutError(f"replay stalled before sequence {end}") from exc
                batch = list(arrived)
                arrived.clear()
                room.set()
                if batch[-1][0] >= end:
                    yield [record for record in batch if record[0] <= end]
                    return
                yield batch
        finally:
            await sub.unsubscribe()

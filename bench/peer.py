"""The peer: pyeventsourcing's PostgreSQL recorder against this project's log, same events.

Like with like: one event per append, each append waiting for its acknowledgement, each event
a new aggregate at version 1 (optimistic concurrency checked on both sides: pyeventsourcing's
unique (originator_id, version), our Nats-Expected-Last-Subject-Sequence). PostgreSQL commits
are on disk when acknowledged; JetStream's default acknowledges before its periodic fsync, so
the project's side also runs on a nats-server with `sync_interval: always`.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from sqlalchemy.engine import make_url

from thidua_contracts.envelope import Envelope
from thidua_kit.client import Client
from thidua_kit.log import EventLog
from thidua_kit.settings import Settings

from .ceilings import body

BATCH = 100


def _recorder(admin_url: str, database: str) -> Any:
    from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore

    url = make_url(admin_url)
    datastore = PostgresDatastore(
        dbname=database,
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password or "",
    )
    recorder = PostgresApplicationRecorder(datastore)
    recorder.create_table()
    return recorder, datastore


def eventsourcing_side(admin_url: str, database: str, count: int, size: int) -> dict[str, float]:
    from eventsourcing.persistence import StoredEvent

    recorder, datastore = _recorder(admin_url, database)
    try:
        state = [body(size, i) for i in range(min(count, 1024))]
        events = [
            StoredEvent(uuid.uuid4(), 1, "bench.events:Happened", state[i % len(state)])
            for i in range(count)
        ]
        began = time.perf_counter()
        for event in events:
            recorder.insert_events([event])
        single = count / (time.perf_counter() - began)
        batched_events = [
            StoredEvent(uuid.uuid4(), v, "bench.events:Happened", state[v % len(state)])
            for i in range(0, count, BATCH)
            for v in range(1, min(BATCH, count - i) + 1)
        ]
        began = time.perf_counter()
        for i in range(0, count, BATCH):
            recorder.insert_events(batched_events[i : i + BATCH])
        batched = count / (time.perf_counter() - began)
        total = 2 * count
        began = time.perf_counter()
        read, start = 0, 1
        while read < total:
            page = recorder.select_notifications(start, 1000)
            if not page:
                break
            read += len(page)
            start = page[-1].id + 1
        notification_read = read / (time.perf_counter() - began)
    finally:
        datastore.close()
    return {"append": single, "append_batch": batched, "read": notification_read}


def _envelope(settings: Settings, i: int, subject: str, size: int) -> Envelope:
    pad = body(size, i).hex()[: max(0, size - 420)]
    event_id = str(uuid.uuid4())
    return Envelope(
        event_id=event_id,
        type="submissions.RatingRecorded",
        version=1,
        subject=subject,
        movement_id="bench-peer",
        occurred_at="2022-12-31T08:00:00+07:00",
        actor={"id": "phong-noi-vu", "role": "phong_noi_vu", "unit": None},
        causation_id=None,
        correlation_id=event_id,
        inputs=[],
        rules=None,
        payload={"note": pad},
    )


async def project_side(settings: Settings, count: int, size: int) -> dict[str, float]:
    prefix = settings.subject_prefix
    async with Client(settings) as client:
        log = client.log()
        await log.provision()
        events = [
            _envelope(settings, i, f"{prefix}.evt.bench.item.e{i}", size) for i in range(count)
        ]
        began = time.perf_counter()
        for event in events:
            await log.append([event], 0)
        single = count / (time.perf_counter() - began)
        batch_events = [
            _envelope(settings, i, f"{prefix}.evt.bench.batch.b{i // BATCH}", size)
            for i in range(count)
        ]
        began = time.perf_counter()
        for i in range(0, count, BATCH):
            await log.append(batch_events[i : i + BATCH], 0)
        batched = count / (time.perf_counter() - began)
        began = time.perf_counter()
        replayed = 0
        async for _seq, _body in log.replay_raw():
            replayed += 1
        read = replayed / (time.perf_counter() - began)
        await _drop(client, settings)
    return {"append": single, "append_batch": batched, "read": read}


async def _drop(client: Client, settings: Settings) -> None:
    js = client.nc.jetstream()
    for name in (settings.stream, settings.checkpoints):
        try:
            await js.delete_stream(name)
        except Exception:  # not created
            continue


def event_log(client: Client) -> EventLog:
    return client.log()

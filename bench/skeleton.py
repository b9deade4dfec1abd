"""The system's traffic with nothing decided and nothing stored: the most these libraries carry
on this machine, so the ingest and rebuild figures can be read against what is reachable at all.

Ingest (`commands`): a command service in its own process answers over FastStream
request-reply after one append acknowledged by JetStream, carrying the log's headers (message
id, expected last subject sequence), with as many commands in hand at once as the client has
in flight. With `consumers`, four more processes follow the stream through durable pull
consumers, as the services do: one appends a derived event for each command's event
(scoring's sheet for a report) and three only read every event (nominations, reporting,
audit). No database, no validation, no domain code: any real service does all of this and more.

Rebuild (`read_log`): five processes, one per service, each read the whole log from the start
through a durable pull consumer as the services do (batches, one ack per batch), or through an
ordered consumer, and decode and validate every event with the contracts' own models; nothing
is decided or written.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import time
import uuid
from multiprocessing.synchronize import Event
from typing import Any

import nats
import psutil
from nats.js import api as js_api

from .ceilings import body

FOLLOWERS = ("scoring", "nominations", "reporting", "audit")
DERIVES = "scoring"
FETCH = 256
REPLY = b'{"status":"accepted"}'
READ_WITHIN = 3600.0


def _service(url: str, tag: str, size: int, in_flight: int, ready: Event) -> None:
    from faststream.nats import NatsBroker

    payload = body(size, 0)

    async def main() -> None:
        broker = NatsBroker(url, logger=None, log_level=logging.ERROR)
        nc = await nats.connect(url)
        js = nc.jetstream()

        @broker.subscriber(f"bskel{tag}.cmd.*", queue="skeleton", max_workers=in_flight)
        async def on_command(_request: bytes) -> bytes:
            event_id = uuid.uuid4().hex
            await js.publish(
                f"bskel{tag}.evt.report.{event_id}",
                payload,
                stream=_stream(tag),
                headers={"Nats-Msg-Id": event_id, "Nats-Expected-Last-Subject-Sequence": "0"},
            )
            return REPLY

        async with broker:
            await broker.start()
            ready.set()
            await asyncio.Event().wait()

    asyncio.run(main())


def _follower(url: str, tag: str, name: str, ready: Event) -> None:
    async def main() -> None:
        nc = await nats.connect(url)
        js = nc.jetstream()
        sub = await js.pull_subscribe_bind(durable=name, stream=_stream(tag))
        ready.set()
        while True:
            try:
                messages = await sub.fetch(batch=FETCH, timeout=1)
            except TimeoutError:
                continue
            if name == DERIVES:
                await asyncio.gather(
                    *(
                        js.publish(
                            f"bskel{tag}.evt.sheet.{uuid.uuid4().hex}", m.data, stream=_stream(tag)
                        )
                        for m in messages
                        if ".evt.report." in m.subject
                    )
                )
            await messages[-1].ack()  # AckPolicy.ALL: one ack for the batch

    asyncio.run(main())


def _stream(tag: str) -> str:
    return f"BENCH_SKEL_{tag.upper()}"


async def _provision(url: str, tag: str) -> None:
    nc = await nats.connect(url)
    js = nc.jetstream()
    await js.add_stream(
        js_api.StreamConfig(
            name=_stream(tag), subjects=[f"bskel{tag}.evt.>"], storage=js_api.StorageType.FILE
        )
    )
    for name in FOLLOWERS:
        await js.add_consumer(
            _stream(tag),
            js_api.ConsumerConfig(
                durable_name=name,
                ack_policy=js_api.AckPolicy.ALL,
                deliver_policy=js_api.DeliverPolicy.ALL,
            ),
        )
    await nc.close()


async def _drive(url: str, tag: str, count: int, size: int, in_flight: int) -> dict[str, Any]:
    nc = await nats.connect(url)
    request = body(size, 1)
    gate = asyncio.Semaphore(in_flight)

    async def one() -> None:
        async with gate:
            await nc.request(f"bskel{tag}.cmd.submit_report", request, timeout=60)

    # A service's subscription can reach the server just after it says it is ready: until one
    # answers, a request meets no responders.
    async with asyncio.timeout(30):
        while True:
            try:
                await nc.request(f"bskel{tag}.cmd.submit_report", request, timeout=5)
                break
            except nats.errors.NoRespondersError:
                await asyncio.sleep(0.05)
    await asyncio.gather(*(one() for _ in range(min(count, 500))))  # warm up
    cpu_before = psutil.cpu_times()
    began = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(count)))
    elapsed = time.perf_counter() - began
    cpu_after = psutil.cpu_times()
    await nc.close()
    return {"commands_per_second": count / elapsed, "cpu_busy": _busy(cpu_before, cpu_after)}


def _busy(before: Any, after: Any) -> float | None:
    """The share of the machine's CPU time spent busy between two `psutil.cpu_times()`."""
    total = sum(after) - sum(before)
    idle = (after.idle + getattr(after, "iowait", 0.0)) - (
        before.idle + getattr(before, "iowait", 0.0)
    )
    return round(1 - idle / total, 3) if total > 0 else None


def _wait_ready(processes: list[tuple[Any, Event]]) -> None:
    deadline = time.monotonic() + 60
    for process, ready in processes:
        while not ready.wait(0.1):
            if not process.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"skeleton process {process.pid} did not start")


def commands(
    url: str, count: int, size: int, in_flight: int, consumers: bool, replicas: int = 1
) -> dict[str, Any]:
    """Commands per second through the skeleton, and how busy the machine's CPUs were.

    `replicas` command services share the commands through their queue group, as replicas of
    a service do."""
    tag = uuid.uuid4().hex[:8]
    asyncio.run(_provision(url, tag))
    spawn = multiprocessing.get_context("spawn")
    roles: list[tuple[Any, tuple[Any, ...]]] = [(_service, (url, tag, size, in_flight))] * replicas
    if consumers:
        roles += [(_follower, (url, tag, name)) for name in FOLLOWERS]
    processes = []
    try:
        for target, args in roles:
            ready = spawn.Event()
            process = spawn.Process(target=target, args=(*args, ready), daemon=True)
            process.start()
            processes.append((process, ready))
        _wait_ready(processes)
        return asyncio.run(_drive(url, tag, count, size, in_flight))
    finally:
        for process, _ready in processes:
            process.terminate()
            process.join(10)
        asyncio.run(_drop(url, tag))


async def _drop(url: str, tag: str) -> None:
    nc = await nats.connect(url)
    with contextlib.suppress(Exception):  # never created
        await nc.jetstream().delete_stream(_stream(tag))
    await nc.close()


def _reader(
    url: str,
    stream: str,
    name: str,
    events: int,
    batch: int,
    ordered: bool,
    ready: Event,
    go: Event,
) -> None:
    from thidua_contracts.envelope import Envelope
    from thidua_kit.host import parse_payload

    def fold(data: bytes) -> None:
        parse_payload(Envelope.from_bytes(data))

    async def pulled(js: Any) -> None:
        await js.add_consumer(
            stream,
            js_api.ConsumerConfig(
                durable_name=name,
                deliver_policy=js_api.DeliverPolicy.ALL,
                ack_policy=js_api.AckPolicy.ALL,
                max_ack_pending=batch,
            ),
        )
        sub = await js.pull_subscribe_bind(durable=name, stream=stream)
        ready.set()
        await asyncio.to_thread(go.wait)
        seen = 0
        while seen < events:
            try:
                messages = await sub.fetch(batch=batch, timeout=1)
            except TimeoutError:
                continue
            for message in messages:
                fold(message.data)
            seen += len(messages)
            await messages[-1].ack()
        with contextlib.suppress(Exception):
            await js.delete_consumer(stream, name)

    async def followed(js: Any) -> None:
        ready.set()
        await asyncio.to_thread(go.wait)
        seen = 0
        done = asyncio.get_running_loop().create_future()

        async def take(message: Any) -> None:
            nonlocal seen
            fold(message.data)
            seen += 1
            if seen == events and not done.done():
                done.set_result(None)

        # Each message to a callback, as the ceiling's replay and the log's own replay take them.
        sub = await js.subscribe(
            ">",
            stream=stream,
            cb=take,
            ordered_consumer=True,
            deliver_policy=js_api.DeliverPolicy.ALL,
        )
        await asyncio.wait_for(done, timeout=READ_WITHIN)
        await sub.unsubscribe()

    async def main() -> None:
        nc = await nats.connect(url)
        await (followed if ordered else pulled)(nc.jetstream())
        await nc.close()

    asyncio.run(main())


def read_log(
    url: str, stream: str, events: int, readers: int, batch: int, ordered: bool = False
) -> dict[str, Any]:
    """Events per second of the log read whole by `readers` processes at once, each decoding and
    validating every event; timed from when all are ready to when the last is done. Through
    durable pull consumers as the services read, or `ordered` consumers as the ceiling's
    replay does (no acks, no position kept by the server)."""
    tag = uuid.uuid4().hex[:8]
    spawn = multiprocessing.get_context("spawn")
    go = spawn.Event()
    processes = []
    try:
        for i in range(readers):
            ready = spawn.Event()
            process = spawn.Process(
                target=_reader,
                args=(url, stream, f"bench-read-{tag}-{i}", events, batch, ordered, ready, go),
                daemon=True,
            )
            process.start()
            processes.append((process, ready))
        _wait_ready(processes)
        cpu_before = psutil.cpu_times()
        began = time.perf_counter()
        go.set()
        for process, _ready in processes:
            process.join(max(1.0, began + READ_WITHIN - time.perf_counter()))
            if process.exitcode != 0:
                raise RuntimeError(f"log reader {process.pid} failed: exit {process.exitcode}")
        elapsed = time.perf_counter() - began
        return {
            "readers": readers,
            "consumer": "ordered" if ordered else "durable pull",
            "events_per_second": events / elapsed,
            "cpu_busy": _busy(cpu_before, psutil.cpu_times()),
        }
    finally:
        for process, _ready in processes:
            process.terminate()
            process.join(10)

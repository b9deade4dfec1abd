"""The ingest step's traffic with nothing decided and nothing stored: the most these libraries
carry on this machine, so the ingest figure can be read against what is reachable at all.

A command service in its own process answers over FastStream request-reply after one append
acknowledged by JetStream, carrying the log's headers (message id, expected last subject
sequence), with as many commands in hand at once as the client has in flight. With
`consumers`, four more processes follow the stream through durable pull consumers, as the
services do: one appends a derived event for each command's event (scoring's sheet for a
report) and three only read every event (nominations, reporting, audit). No database, no
validation, no domain code: any real service does all of this and more.
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


async def _drive(url: str, tag: str, commands: int, size: int, in_flight: int) -> dict[str, Any]:
    nc = await nats.connect(url)
    request = body(size, 1)
    gate = asyncio.Semaphore(in_flight)

    async def one() -> None:
        async with gate:
            await nc.request(f"bskel{tag}.cmd.submit_report", request, timeout=60)

    await asyncio.gather(*(one() for _ in range(min(commands, 500))))  # warm up
    cpu_before = psutil.cpu_times()
    began = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(commands)))
    elapsed = time.perf_counter() - began
    cpu_after = psutil.cpu_times()
    await nc.close()
    total = sum(cpu_after) - sum(cpu_before)
    idle = (cpu_after.idle + getattr(cpu_after, "iowait", 0.0)) - (
        cpu_before.idle + getattr(cpu_before, "iowait", 0.0)
    )
    return {
        "commands_per_second": commands / elapsed,
        "cpu_busy": round(1 - idle / total, 3) if total > 0 else None,
    }


def skeleton(
    url: str, commands: int, size: int, in_flight: int, consumers: bool, replicas: int = 1
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
        deadline = time.monotonic() + 60
        for process, ready in processes:
            while not ready.wait(0.1):
                if not process.is_alive() or time.monotonic() > deadline:
                    raise RuntimeError(f"skeleton process {process.pid} did not start")
        return asyncio.run(_drive(url, tag, commands, size, in_flight))
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

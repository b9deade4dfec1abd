"""Every service as its own process on its own stream, with peak RSS sampled (psutil)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from thidua_contracts.commands import Command
from thidua_contracts.errors import ErrorCode
from thidua_kit.client import Client
from thidua_kit.demo import service_env, stop_services, wait_ready
from thidua_kit.services import SERVICE_NAMES
from thidua_kit.settings import Settings


def isolated(base: Settings, tag: str, data_dir: Path) -> Settings:
    return base.model_copy(
        update={
            "stream": f"THIDUA_BENCH_{tag.upper()}",
            "checkpoint_stream": None,
            "subject_prefix": f"bench{tag}",
            "data_dir": data_dir,
            "out_dir": data_dir / "out",
            "request_timeout_seconds": 60.0,
        }
    )


def new_tag() -> str:
    return uuid.uuid4().hex[:8]


class Postgres:
    """One fresh database per service on the admin URL's server; dropped at the end."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        self.made: list[str] = []

    def database(self, name: str) -> str:
        with self.engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.made.append(name)
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def drop(self) -> None:
        with self.engine.connect() as conn:
            for name in self.made:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.engine.dispose()


@dataclass
class Running:
    settings: Settings
    processes: dict[str, subprocess.Popen[bytes]]
    peak_rss: dict[str, int] = field(default_factory=dict)
    # User + system CPU seconds each service has used, as last sampled.
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _sampler: threading.Thread | None = None

    def sample(self, every: float = 0.25) -> None:
        def loop() -> None:
            handles = {n: psutil.Process(p.pid) for n, p in self.processes.items()}
            while not self._stop.is_set():
                for name, handle in handles.items():
                    try:
                        rss = handle.memory_info().rss
                        times = handle.cpu_times()
                    except psutil.Error:
                        continue
                    self.peak_rss[name] = max(self.peak_rss.get(name, 0), rss)
                    self.cpu_seconds[name] = times.user + times.system
                self._stop.wait(every)

        self._sampler = threading.Thread(target=loop, daemon=True)
        self._sampler.start()

    def stop(self) -> None:
        self._stop.set()
        if self._sampler is not None:
            self._sampler.join()
        stop_services(list(self.processes.values()))


def start(
    settings: Settings,
    database_urls: dict[str, str] | None = None,
    consumer_suffix: str = "",
) -> Running:
    log_dir = settings.data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    processes = {}
    for name in SERVICE_NAMES:
        env = service_env(settings)
        env["THIDUA_REQUEST_TIMEOUT_SECONDS"] = str(settings.request_timeout_seconds)
        if database_urls:
            env[f"THIDUA_{name.upper()}_DATABASE_URL"] = database_urls[name]
        if consumer_suffix:
            env["THIDUA_CONSUMER_NAME"] = f"{settings.subject_prefix}-{name}-{consumer_suffix}"
        log = (log_dir / f"{name}{consumer_suffix}.log").open("wb")
        processes[name] = subprocess.Popen(
            [sys.executable, "-m", "thidua_kit", "service", "run", name],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    running = Running(settings, processes)
    running.sample()
    return running


async def provision(settings: Settings) -> None:
    async with Client(settings) as client:
        await client.log().provision()


async def drop_streams(settings: Settings) -> None:
    async with Client(settings) as client:
        js = client.nc.jetstream()
        for name in (settings.stream, settings.checkpoints):
            try:
                await js.delete_stream(name)
            except Exception:  # never created (a run that stopped early)
                continue


RESENDS = 3


@dataclass
class Sent:
    accepted: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    # Sent again with the same command id after "unavailable" (no answer in time), as a clerk
    # does: the service deduplicates, so an act that did land is answered "accepted".
    resent: Counter[str] = field(default_factory=Counter)
    reply_seconds: list[float] = field(default_factory=list)
    examples: dict[str, str] = field(default_factory=dict)


async def send_all(
    client: Client, commands: Sequence[Command], in_flight: int, sent: Sent | None = None
) -> Sent:
    """Send commands with at most `in_flight` awaiting their reply (a clerk's office each)."""
    sent = sent or Sent()
    gate = asyncio.Semaphore(in_flight)

    async def one(command: Command) -> None:
        async with gate:
            began = time.perf_counter()
            reply = await client.command(command)
            for _ in range(RESENDS):
                if reply.error is None or reply.error.code is not ErrorCode.UNAVAILABLE:
                    break
                sent.resent[command.NAME] += 1
                reply = await client.command(command)
            sent.reply_seconds.append(time.perf_counter() - began)
        if reply.status == "accepted":
            sent.accepted += 1
        else:
            code = reply.error.code.value if reply.error else "?"
            key = f"{command.NAME}:{code}"
            sent.rejected[key] += 1
            if key not in sent.examples and reply.error is not None:
                sent.examples[key] = f"{reply.error.field}: {reply.error.message_en}"[:200]

    await asyncio.gather(*(one(c) for c in commands))
    return sent


async def wait_stable(client: Client, within: float) -> int:
    return await client.wait_until_stable(SERVICE_NAMES, within=within)


async def ready(settings: Settings) -> None:
    async with Client(settings) as client:
        await wait_ready(client)


def summary(sent: Sent) -> dict[str, Any]:
    return {
        "accepted": sent.accepted,
        "rejected": dict(sent.rejected),
        "resent": dict(sent.resent),
        "rejection_examples": sent.examples,
    }

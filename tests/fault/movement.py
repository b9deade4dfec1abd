"""The demo movement driven against service processes, with the same ids every run, disturbed
at chosen commands; and the log and read models in a form two runs can be compared in."""

from __future__ import annotations

import asyncio
import itertools
import json
import signal
import subprocess
import sys
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from thidua_contracts.commands import Command, ListAwards, ListDocuments, ShowBlockRanking
from thidua_contracts.errors import ErrorCode
from thidua_contracts.movement import RoundKind
from thidua_kit import demo
from thidua_kit.client import Client
from thidua_kit.demo import MOVEMENT, service_env
from thidua_kit.services import SERVICE_NAMES
from thidua_kit.settings import Settings

Disturbance = Callable[[Client], Awaitable[None]]


def fixed_ids() -> Callable[[], str]:
    """UUIDv7-shaped ids from a counter: two runs of the driver mint the same command ids, so
    every event id (human acts: the command id; decisions: UUIDv5 of their cause) matches."""
    counter = itertools.count(1)

    def make() -> str:
        i = next(counter)
        value = ((1_650_000_000_000 + i) << 80) | (0x7 << 76) | (0b10 << 62) | i
        return str(uuid.UUID(int=value))

    return make


def spawn(
    name: str, settings: Settings, log: Path, extra: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    env = {**service_env(settings), **(extra or {})}
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "thidua_kit", "service", "run", name],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def stop_all(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def drive(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, at: dict[int, Disturbance]
) -> dict[str, Any]:
    """The demo's whole movement; `at[n]` runs before the n-th command. A command that meets
    an unavailable service or stream is sent again, unchanged (same id: deduplicated)."""
    monkeypatch.setattr(demo, "new_id", fixed_ids())
    sent = itertools.count(1)

    async def send(client: Client, command: Command) -> int:
        disturbance = at.get(next(sent))
        if disturbance is not None:
            await disturbance(client)
        for _ in range(60):
            reply = await client.command(command)
            if reply.status == "accepted":
                return max(e.sequence for e in reply.events)
            assert reply.error is not None
            if reply.error.code not in (ErrorCode.UNAVAILABLE, ErrorCode.CONFLICT):
                raise demo.DemoError(f"{command.NAME}: {reply.error.message_en}")
            await asyncio.sleep(0.5)
        raise demo.DemoError(f"{command.NAME}: never accepted")

    monkeypatch.setattr(demo, "send", send)
    await demo.drive(settings)
    async with Client(settings) as client:
        await client.wait_until_stable(SERVICE_NAMES, within=90)
        return await outcome(client, settings)


def _strip(value: Any) -> Any:
    """Without what differs between two correct runs: wall-clock times of human acts and the
    stream sequences, which depend on how appends of different aggregates interleave."""
    drop = {"occurred_at", "sequence", "built_from_sequence"}
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in drop}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


async def outcome(client: Client, settings: Settings) -> dict[str, Any]:
    js = client.nc.jetstream()
    info = await js.stream_info(settings.stream)
    events: dict[str, Any] = {}
    per_subject: dict[str, list[str]] = {}
    ids = []
    async for _, body in client.log().replay_raw():
        data = json.loads(body)
        subject = data["subject"].split(".", 2)[2]
        data["subject"] = subject
        ids.append(data["event_id"])
        events[data["event_id"]] = _strip(data)
        per_subject.setdefault(subject, []).append(data["event_id"])
    ranking = await client.query(
        ShowBlockRanking(movement_id=MOVEMENT, block_id="khoi-phuong", round=RoundKind.TONG_KET)
    )
    awards = await client.query(ListAwards(movement_id=MOVEMENT))
    documents = await client.query(ListDocuments(movement_id=MOVEMENT))
    statuses = {name: (await client.status(name)).result for name in SERVICE_NAMES}
    return {
        "gapless": info.state.messages == info.state.last_seq == len(ids),
        "duplicates": len(ids) - len(set(ids)),
        "events": events,
        "per_subject": per_subject,
        "ranking": _strip(ranking.result),
        "awards": _strip(awards.result),
        "documents": _strip([{**d, "path": Path(d["path"]).name} for d in documents.result]),
        "parked": {name: s["parked"] for name, s in statuses.items()},
    }


def assert_same(disturbed: dict[str, Any], undisturbed: dict[str, Any]) -> None:
    assert disturbed["gapless"] and undisturbed["gapless"]
    assert disturbed["duplicates"] == undisturbed["duplicates"] == 0
    assert set(disturbed["events"]) == set(undisturbed["events"])
    for event_id, event in undisturbed["events"].items():
        assert disturbed["events"][event_id] == event, event["type"]
    assert disturbed["per_subject"] == undisturbed["per_subject"]
    for model in ("ranking", "awards", "documents", "parked"):
        assert disturbed[model] == undisturbed[model], model
    assert len(undisturbed["awards"]) == 4  # three by the city's decision, one by the province

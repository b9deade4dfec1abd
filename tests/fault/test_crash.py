"""SIGKILL after an append reached the log and before the database commit, then a restart:
nothing is lost and nothing is duplicated, compared with an undisturbed run of the same input."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from thidua_kit.client import Client
from thidua_kit.demo import service_env
from thidua_kit.settings import Settings
from thidua_kit.testing import running_system

from ..connected.helpers import define, open_round, register, report

pytestmark = pytest.mark.connected


def spawn(
    name: str, settings: Settings, log: Path, fault: str | None = None
) -> subprocess.Popen[bytes]:
    env = service_env(settings)
    env.pop("THIDUA_FAULT", None)
    if fault:
        env["THIDUA_FAULT"] = fault
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "thidua_kit", "service", "run", name],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def ready(client: Client, name: str) -> None:
    for _ in range(300):
        if (await client.status(name)).status == "ok":
            return
        await asyncio.sleep(0.05)
    raise TimeoutError(f"{name} did not start")


async def exited(process: subprocess.Popen[bytes]) -> int:
    for _ in range(600):
        if (code := process.poll()) is not None:
            return code
        await asyncio.sleep(0.05)
    raise TimeoutError("process did not exit")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)


async def history(client: Client) -> list[tuple[str, str, Any]]:
    """The log without what legitimately differs between runs (prefix, ids, clock)."""
    out = []
    async for _, body in client.log().replay_raw():
        data = json.loads(body)
        out.append((data["type"], data["subject"].split(".", 2)[2], data["payload"]))
    return out


async def scoring_run(
    settings: Settings, log: Path, fault: str | None
) -> list[tuple[str, str, Any]]:
    async with running_system(settings, ("submissions",)), Client(settings) as client:
        scoring = spawn("scoring", settings, log, fault)
        try:
            await ready(client, "scoring")
            await client.command(define())
            await client.command(open_round())
            await client.command(register("phuong-vu-ninh"))
            await client.command(report("phuong-vu-ninh"))
            if fault:
                assert await exited(scoring) == -signal.SIGKILL
                # The sheet reached the log; the scoring database never heard of it.
                assert [h[0] for h in await history(client)][-1] == "scoring.ScoreSheetRecorded"
                scoring = spawn("scoring", settings, log)
                await ready(client, "scoring")
            await client.wait_until_stable(("scoring",))
            status = (await client.status("scoring")).result
            assert status["parked"] == []
            return await history(client)
        finally:
            stop(scoring)


async def test_scoring_killed_between_append_and_commit_recovers_exactly(
    settings: Settings, tmp_path: Path
) -> None:
    undisturbed = settings.model_copy(
        update={
            "stream": settings.stream + "_U",
            "subject_prefix": settings.subject_prefix + "u",
            "data_dir": tmp_path / "undisturbed",
        }
    )
    try:
        crashed = await scoring_run(settings, tmp_path / "crashed.log", "kill-after-append")
        clean = await scoring_run(undisturbed, tmp_path / "clean.log", None)
    finally:
        async with Client(undisturbed) as client:
            for name in (undisturbed.stream, undisturbed.checkpoints):
                await client.nc.jetstream().delete_stream(name)
    assert crashed == clean
    assert [h[0] for h in crashed].count("scoring.ScoreSheetRecorded") == 1


async def test_a_command_whose_writer_died_before_replying_is_accepted_once_on_retry(
    settings: Settings, tmp_path: Path
) -> None:
    short = settings.model_copy(update={"request_timeout_seconds": 3.0})
    async with Client(short) as client:
        await client.log().provision()
        submissions = spawn("submissions", settings, tmp_path / "s.log", "kill-after-append")
        try:
            await ready(client, "submissions")
            command = define()
            lost = await client.command(command)
            assert lost.status == "rejected"  # no reply: the writer died mid-command
            assert await exited(submissions) == -signal.SIGKILL
            assert await client.log().last_sequence() == 1
            submissions = spawn("submissions", settings, tmp_path / "s.log")
            await ready(client, "submissions")
            retried = await client.command(command)
            assert retried.status == "accepted"
            assert [e.sequence for e in retried.events] == [1]
            assert retried.events[0].event_id == command.command_id
            # The state behind it is whole: the movement exists for the next command.
            assert (await client.command(register("phuong-vu-ninh"))).status == "accepted"
            assert await client.log().last_sequence() == 2
        finally:
            stop(submissions)

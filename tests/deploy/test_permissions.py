"""Least privilege (deploy/nats/accounts.conf) on a real nats-server started for these tests:
each service works with its own user, and every other write is refused by the server."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client as NatsClient
from pydantic import SecretStr

from thidua_kit.client import Client
from thidua_kit.host import ServiceHost
from thidua_kit.services import SERVICE_NAMES, load
from thidua_kit.settings import Settings

from ..connected.helpers import define, open_round, register, report
from . import servers

pytestmark = pytest.mark.connected


class Refusals:
    """Permission violations the server reported to one connection."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self._changed = asyncio.Event()

    async def record(self, error: Exception) -> None:
        self.seen.append(str(error).lower())
        self._changed.set()

    async def expect(self, subject: str) -> None:
        wanted = f'permissions violation for publish to "{subject.lower()}"'
        async with asyncio.timeout(5):
            while not any(wanted in s for s in self.seen):
                self._changed.clear()
                await self._changed.wait()


async def connect(url: str, user: str, password: str) -> tuple[NatsClient, Refusals]:
    refusals = Refusals()
    nc = await nats.connect(url, user=user, password=password, error_cb=refusals.record)
    return nc, refusals


def as_user(base: Settings, user: str, password: str) -> Settings:
    return base.model_copy(update={"nats_user": user, "nats_password": SecretStr(password)})


@pytest.fixture
async def secured(tmp_path: Path) -> AsyncIterator[tuple[servers.Servers, Settings]]:
    async with servers.single(tmp_path / "nats", accounts=True) as running:
        base = Settings(
            nats_url=running.url,
            data_dir=tmp_path / "run",
            out_dir=tmp_path / "out",
            retry_base_seconds=0.01,
            batch_timeout_seconds=0.05,
        )
        admin = as_user(base, "admin", running.passwords["admin"])
        async with Client(admin) as client:
            await client.log().provision()
        yield running, base


def test_the_checked_in_accounts_file_is_what_the_generator_writes() -> None:
    made = subprocess.run(
        [sys.executable, str(servers.DEPLOY / "scripts" / "nats_accounts.py")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert made == (servers.DEPLOY / "nats" / "accounts.conf").read_text()


async def test_every_service_runs_with_its_own_user(
    secured: tuple[servers.Servers, Settings],
) -> None:
    running, base = secured
    staff = as_user(base, "staff", running.passwords["staff"])
    async with AsyncExitStack() as stack:
        for name in SERVICE_NAMES:
            mine = as_user(base, name, running.passwords[name])
            await stack.enter_async_context(ServiceHost(load(name, mine), mine).running())
        async with Client(staff) as client:
            for command in (define(), open_round(), register("phuong-vu-ninh")):
                assert (await client.command(command)).status == "accepted"
            assert (await client.command(report("phuong-vu-ninh"))).status == "accepted"
            await client.wait_until_stable(SERVICE_NAMES)
            for name in SERVICE_NAMES:
                assert (await client.status(name)).result["parked"] == []
    auditor = as_user(base, "auditor", running.passwords["auditor"])
    async with Client(auditor) as client:
        types = [json.loads(body)["type"] async for _, body in client.log().replay_raw()]
    assert "scoring.ScoreSheetRecorded" in types  # scoring decided with its own user
    assert "Violation" not in running.nodes[0].log.read_text()


async def test_the_server_refuses_what_a_user_may_not_do(
    secured: tuple[servers.Servers, Settings],
) -> None:
    running, _ = secured
    url, pw = running.url, running.passwords
    admin, _ = await connect(url, "admin", pw["admin"])
    submissions, by_submissions = await connect(url, "submissions", pw["submissions"])
    integrations, by_integrations = await connect(url, "integrations", pw["integrations"])
    auditor, by_auditor = await connect(url, "auditor", pw["auditor"])
    try:
        received: asyncio.Queue[bytes] = asyncio.Queue()

        async def deliver(msg: nats.aio.msg.Msg) -> None:
            await received.put(msg.data)

        await integrations.subscribe("thidua.evt.>", cb=deliver)
        await integrations.flush()

        # A service writes its own events, and no other service's.
        ack = await submissions.jetstream().publish("thidua.evt.submissions.probe.a", b"own")
        assert ack.seq == 1
        logged = 1
        for subject in ("thidua.evt.scoring.sheet.forged", "thidua.evt.nominations.award.x"):
            await submissions.publish(subject, b"forged")
            await by_submissions.expect(subject)
        # Only the admin manages streams and other services' consumers.
        for api in (
            "$JS.API.STREAM.DELETE.THIDUA",
            "$JS.API.STREAM.PURGE.THIDUA",
            "$JS.API.STREAM.UPDATE.THIDUA",
            "$JS.API.STREAM.CREATE.OTHER",
            "$JS.API.CONSUMER.DELETE.THIDUA.thidua-scoring",
            "$JS.API.CONSUMER.CREATE.THIDUA.thidua-scoring",
        ):
            await submissions.publish(api, b"{}")
            await by_submissions.expect(api)

        # Integrations receive the events live and can change nothing. The server links the
        # import to the exporting account a moment after the SUB's PONG (a core subscription
        # gets what is published after that), so the service publishes until one arrives.
        first: bytes | None = None
        async with asyncio.timeout(10):
            while first is None:
                try:
                    first = await asyncio.wait_for(received.get(), 0.5)
                except TimeoutError:
                    logged += 1
                    await submissions.jetstream().publish(
                        f"thidua.evt.submissions.probe.a{logged}", b"own"
                    )
        assert first == b"own"
        for subject in (
            "thidua.evt.submissions.probe.b",
            "$JS.API.STREAM.DELETE.THIDUA",
            "$JS.API.STREAM.PURGE.THIDUA",
            "thidua.cmd.submissions.define_movement",
        ):
            await integrations.publish(subject, b"{}")
            await by_integrations.expect(subject)

        # The auditor reads the streams and writes nothing.
        ajs = auditor.jetstream()
        assert (await ajs.stream_info("THIDUA")).state.messages == logged
        assert (await ajs.get_msg("THIDUA", seq=1)).data == b"own"
        for subject in (
            "thidua.evt.submissions.probe.c",
            "thidua.checkpoint.forged",
            "thidua.cmd.submissions.define_movement",
            "$JS.API.STREAM.DELETE.THIDUA",
            "$JS.API.STREAM.PURGE.THIDUA",
            "$JS.API.STREAM.MSG.DELETE.THIDUA",
            "$JS.API.CONSUMER.CREATE.THIDUA.thidua-submissions",
        ):
            await auditor.publish(subject, b"{}")
            await by_auditor.expect(subject)

        # Nothing refused reached the log; the admin may manage it.
        info = await admin.jetstream().stream_info("THIDUA")
        assert info.state.messages == logged
        await admin.jetstream().add_stream(name="ADMIN_ONLY", subjects=["admin.only"])
        assert await admin.jetstream().delete_stream("ADMIN_ONLY")
    finally:
        for nc in (admin, submissions, integrations, auditor):
            await nc.close()

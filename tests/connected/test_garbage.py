"""Generated garbage thrown at the command handlers of a running service: every answer is a
clear rejection, the service keeps running, and the log does not change."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from thidua_contracts import subjects
from thidua_contracts.commands import COMMANDS
from thidua_contracts.replies import CommandReply
from thidua_kit.client import Client
from thidua_kit.demo import service_env
from thidua_kit.settings import Settings

from .helpers import define, open_round, register, report

pytestmark = pytest.mark.connected

NAMES = [*sorted(name for service, name in COMMANDS if service == "submissions"), "nope"]
VALID = [
    json.loads(c.model_dump_json()) for c in (register("phuong-vu-ninh"), report("phuong-vu-ninh"))
]
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A valid command with one field replaced, removed or added: the hardest garbage."""
    base: dict[str, Any] = dict(draw(st.sampled_from(VALID)))
    key = draw(st.sampled_from(sorted(base)) | st.text(max_size=8))
    action = draw(st.sampled_from(["replace", "remove", "add"]))
    if action == "remove":
        base.pop(key, None)
    else:
        base[key] = draw(JSON)
    return json.dumps(base, ensure_ascii=draw(st.booleans())).encode()


BODIES = st.binary(max_size=300) | JSON.map(lambda v: json.dumps(v).encode()) | mutated()


@pytest.fixture
def live(settings: Settings, tmp_path: Path) -> Iterator[tuple[Settings, int]]:
    async def prepare() -> int:
        async with Client(settings) as client:
            await client.log().provision()
            for _ in range(300):
                if (await client.status("submissions")).status == "ok":
                    break
                await asyncio.sleep(0.05)
            for command in (define(), open_round(), register("phuong-vu-ninh")):
                assert (await client.command(command)).status == "accepted"
            return await client.log().last_sequence()

    with (tmp_path / "submissions.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "thidua_kit", "service", "run", "submissions"],
            env=service_env(settings),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        yield settings, asyncio.run(prepare())
    finally:
        process.terminate()
        process.wait(timeout=20)


async def _send(settings: Settings, name: str, body: bytes) -> tuple[CommandReply, int, int]:
    async with Client(settings) as client:
        before = await client.log().last_sequence()
        subject = subjects.command_subject(settings.subject_prefix, "submissions", name)
        raw = await client.request_raw(subject, body)
        assert isinstance(raw, bytes), raw
        return CommandReply.model_validate_json(raw), before, await client.log().last_sequence()


def test_garbage_commands_are_rejected_and_change_nothing(live: tuple[Settings, int]) -> None:
    settings, _ = live
    outcomes = {"accepted": 0, "rejected": 0}

    @hsettings(
        max_examples=150,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(name=st.sampled_from(NAMES), body=BODIES)
    def throw(name: str, body: bytes) -> None:
        reply, before, after = asyncio.run(_send(settings, name, body))
        outcomes[reply.status] += 1
        if reply.status == "accepted":
            # A mutation can still be a valid command: its events are then really in the log.
            assert reply.events and all(e.sequence <= after for e in reply.events)
            return
        assert after == before  # a rejection appends nothing
        assert reply.error is not None and reply.error.code.value
        assert reply.error.message_vi and reply.error.message_en

    throw()
    assert outcomes["rejected"] > 100
    reply, before, after = asyncio.run(
        _send(settings, "submit_report", report("phuong-vu-ninh").model_dump_json().encode())
    )
    assert reply.status == "accepted" and after == before + 1  # still alive and still correct

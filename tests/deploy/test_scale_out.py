"""Scale-out: two replicas of scoring share four partitions (one durable consumer each), decide
exactly what one consumer decides, and one takes the other's partitions when it leaves."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest

from thidua_contracts.commands import Command
from thidua_kit.client import Client
from thidua_kit.host import ServiceHost
from thidua_kit.partitions import partition_of, preference, share
from thidua_kit.services import load
from thidua_kit.settings import Settings

from ..connected.helpers import define, open_round, register, report
from . import servers

pytestmark = pytest.mark.connected

# One movement per partition of four (CRC-32 of the movement token, modulo 4).
MOVEMENTS = ("bn-2023", "bn-2025", "bn-2022", "bn-2024")


def of(movement: str, command: Command) -> Command:
    update: dict[str, Any] = {"movement_id": movement}
    definition = getattr(command, "definition", None)
    if definition is not None:
        update["definition"] = definition.model_copy(update={"movement_id": movement})
    return command.model_copy(update=update)


async def movement(client: Client, name: str) -> None:
    for command in (define(), open_round(), register("phuong-vu-ninh"), report("phuong-vu-ninh")):
        reply = await client.command(of(name, command))
        assert reply.status == "accepted", reply.error
    # One movement at a time, so that two runs append in the same order.
    await client.wait_until_stable(("submissions", "scoring"))


async def history(client: Client) -> list[tuple[str, str, Any]]:
    out = []
    async for _, body in client.log().replay_raw():
        data = json.loads(body)
        out.append((data["type"], data["subject"].split(".", 2)[2], data["payload"]))
    return out


def test_partitions_are_deterministic_and_shared_fairly() -> None:
    assert [partition_of(f"thidua.evt.scoring.sheet.{m}.u.tong-ket", 4) for m in MOVEMENTS] == [
        0,
        1,
        2,
        3,
    ]
    # Every aggregate of a movement, from any context, lands in the movement's partition.
    assert {
        partition_of(s, 4)
        for s in (
            "thidua.evt.submissions.movement.bn-2022",
            "thidua.evt.submissions.report.bn-2022.phuong-vu-ninh.tong-ket",
            "thidua.evt.nominations.award.bn-2022.x",
        )
    } == {2}
    assert sorted(preference("a", 8)) == list(range(8))
    assert preference("a", 8) == preference("a", 8) != preference("b", 8)
    assert [share(4, n) for n in (1, 2, 3, 4, 5)] == [4, 2, 2, 1, 1]


async def test_two_replicas_share_the_partitions_and_decide_as_one_consumer_does(
    settings: Settings,
    tmp_path: Path,
    postgres_databases: Callable[[], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    single = settings.model_copy(
        update={
            "stream": settings.stream + "_S",
            "subject_prefix": settings.subject_prefix + "s",
            "data_dir": tmp_path / "single",
        }
    )
    scaled = settings.model_copy(update={"partitions": 4, "lease_seconds": 1.5})
    try:
        monkeypatch.setenv("THIDUA_SCORING_DATABASE_URL", postgres_databases())
        async with AsyncExitStack() as stack:
            client = await stack.enter_async_context(Client(single))
            await client.log().provision()
            for name in ("submissions", "scoring"):
                await stack.enter_async_context(ServiceHost(load(name, single), single).running())
            for name in MOVEMENTS:
                await movement(client, name)
            expected = await history(client)

        monkeypatch.setenv("THIDUA_SCORING_DATABASE_URL", postgres_databases())
        async with AsyncExitStack() as stack:
            client = await stack.enter_async_context(Client(scaled))
            assert any("PARTITIONS: created" in line for line in await client.log().provision())
            await stack.enter_async_context(
                ServiceHost(load("submissions", settings), settings).running()
            )
            replicas = {}
            for rid in ("a", "b"):
                mine = scaled.model_copy(update={"replica_id": rid})
                replicas[rid] = ServiceHost(load("scoring", mine), mine)
            a = await stack.enter_async_context(replicas["a"].running())
            b_stack = AsyncExitStack()
            b = await b_stack.enter_async_context(replicas["b"].running())
            try:
                # Each takes half once both have announced themselves.
                await servers.until(lambda: len(a.lanes) == len(b.lanes) == 2)
                assert set(a.lanes) | set(b.lanes) == {0, 1, 2, 3}
                for name in MOVEMENTS[:2]:
                    await movement(client, name)
            finally:
                await b_stack.aclose()  # b leaves: it hands its partitions back
            await servers.until(lambda: len(a.lanes) == 4)
            for name in MOVEMENTS[2:]:
                await movement(client, name)
            status = (await client.status("scoring")).result
            assert status["partitions"] == 4 and status["parked"] == []
            got = await history(client)
    finally:
        async with Client(single) as client:
            for name in (single.stream, single.checkpoints):
                await client.nc.jetstream().delete_stream(name)
    assert got == expected
    assert [h[0] for h in got].count("scoring.ScoreSheetRecorded") == len(MOVEMENTS)


def test_a_change_of_partition_count_starts_where_the_earlier_consumers_stood(
    tmp_path: Path,
) -> None:
    from sqlalchemy.orm import Session

    from thidua_kit.db import Store, create_schema

    base = Settings(data_dir=tmp_path, subject_prefix="thidua")

    def host(**update: Any) -> ServiceHost:
        made = ServiceHost(load("scoring", base), base.model_copy(update=update))
        create_schema(made.engine)
        return made

    def rows(made: ServiceHost) -> dict[str, int]:
        with Session(made.engine) as session:
            return {name: Store(session).position(name) for name in _names(session)}

    one = host()
    assert one._initial_position("thidua-scoring") == 0
    with Session(one.engine) as session, session.begin():
        Store(session).set_position("thidua-scoring", 7)
    two = host(partitions=2)
    assert two._initial_position("thidua-scoring-p0-of-2") == 7
    assert "thidua-scoring" in rows(two)  # partition 1 has yet to take it over
    assert two._initial_position("thidua-scoring-p1-of-2") == 7
    assert rows(two) == {"thidua-scoring-p0-of-2": 7, "thidua-scoring-p1-of-2": 7}
    with Session(two.engine) as session, session.begin():
        Store(session).set_position("thidua-scoring-p0-of-2", 9)
    with pytest.raises(RuntimeError, match="different positions"):
        host()._initial_position("thidua-scoring")
    with Session(two.engine) as session, session.begin():
        Store(session).set_position("thidua-scoring-p1-of-2", 9)
    back = host()
    assert back._initial_position("thidua-scoring") == 9
    assert rows(back) == {"thidua-scoring": 9}


def _names(session: Any) -> list[str]:
    from sqlalchemy import select

    from thidua_kit.db import position_table

    return [str(n) for n in session.execute(select(position_table.c.consumer)).scalars()]

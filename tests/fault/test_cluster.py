"""A whole movement on a 3-node JetStream cluster with the streams at R3, while the stream's
leader node is killed and later restarted and the scoring replica holding the movement's
partition is SIGKILLed: the log and every read model come out exactly as in an undisturbed run
of the same input on one server with one process per service."""

from __future__ import annotations

import asyncio
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

import nats.errors
import pytest
from nats.js import JetStreamContext

from thidua_kit.client import Client
from thidua_kit.demo import MOVEMENT, start_services, stop_services
from thidua_kit.partitions import partition_of
from thidua_kit.settings import Settings

from ..deploy import servers
from .movement import assert_same, drive, spawn, stop_all

pytestmark = pytest.mark.connected


async def undisturbed_run(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, object]:
    async with Client(settings) as client:
        await client.log().provision()
    processes = start_services(settings, tmp_path / "undisturbed-logs")
    try:
        return await drive(settings, monkeypatch, {})
    finally:
        stop_services(processes)


async def until_current(js: JetStreamContext, stream: str, node: str) -> None:
    """Until `node` is among the stream's replicas and every replica is current."""
    while True:
        try:
            cluster = (await js.stream_info(stream)).cluster
        except nats.errors.TimeoutError:
            cluster = None
        if cluster is not None and cluster.leader is not None:
            peers = cluster.replicas or []
            names = {cluster.leader, *(p.name for p in peers)}
            if node in names and all(p.current and not p.offline for p in peers):
                return
        await asyncio.sleep(0.2)


async def test_a_movement_survives_a_lost_nats_node_and_a_killed_replica(
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    postgres_databases: Callable[[], str],
) -> None:
    undisturbed = await undisturbed_run(
        settings.model_copy(update={"data_dir": tmp_path / "u", "out_dir": tmp_path / "u-out"}),
        tmp_path,
        monkeypatch,
    )

    async with servers.cluster(tmp_path / "cluster") as cluster:
        nodes = {node.name: node for node in cluster.nodes}
        shared = settings.model_copy(
            update={
                "nats_url": cluster.url,
                "replicas": 3,
                "partitions": 2,
                "lease_seconds": 3.0,
                "data_dir": tmp_path / "c",
                "out_dir": tmp_path / "c-out",
            }
        )
        async with Client(shared) as client:
            await client.log().provision()
            info = await client.nc.jetstream().stream_info(shared.stream)
            assert info.config.num_replicas == 3
            assert info.cluster is not None and info.cluster.leader is not None
            leader: str = info.cluster.leader
        # The driver talks to a node that stays up; the services know all three.
        driver = shared.model_copy(
            update={"nats_url": next(n.url for n in cluster.nodes if n.name != leader)}
        )
        logs = tmp_path / "logs"
        logs.mkdir()
        processes: dict[str, subprocess.Popen[bytes]] = {}
        scoring = {
            "THIDUA_PARTITIONS": "2",
            "THIDUA_LEASE_SECONDS": "3",
            "THIDUA_SCORING_DATABASE_URL": postgres_databases(),
        }
        try:
            for name in ("submissions", "nominations", "reporting", "audit"):
                processes[name] = spawn(name, shared, logs / f"{name}.log")
            for replica in ("a", "b"):
                processes[f"scoring-{replica}"] = spawn(
                    "scoring",
                    shared,
                    logs / f"scoring-{replica}.log",
                    {**scoring, "THIDUA_REPLICA_ID": replica},
                )

            async def kill_leader(client: Client) -> None:
                nodes[leader].kill()
                js = client.nc.jetstream()
                async with asyncio.timeout(30):
                    while True:  # until the other two have elected a new leader
                        try:
                            now = (await js.stream_info(shared.stream)).cluster
                            if now and now.leader and now.leader != leader:
                                return
                        except Exception:
                            pass
                        await asyncio.sleep(0.2)

            async def restart_leader(client: Client) -> None:
                nodes[leader].start()
                await servers.wait_ready(nodes[leader].url)
                # Until the node has caught up on the log and the leases: while it replays,
                # the cluster can be slow enough to answer that a probe of ours times out.
                js = client.nc.jetstream()
                async with asyncio.timeout(60):
                    for stream in (shared.stream, f"KV_{shared.leases}"):
                        await until_current(js, stream, leader)

            async def kill_scoring_owner(client: Client) -> None:
                js = client.nc.jetstream()
                key = f"scoring.p{partition_of(f'x.evt.scoring.sheet.{MOVEMENT}', 2)}"
                async with asyncio.timeout(30):
                    while True:  # a cluster that just re-formed may not answer the first ask
                        try:
                            owner = (await (await js.key_value(shared.leases)).get(key)).value
                            break
                        except nats.errors.TimeoutError:
                            await asyncio.sleep(0.2)
                assert owner is not None
                victim = processes[f"scoring-{owner.decode()}"]
                victim.send_signal(signal.SIGKILL)
                victim.wait(timeout=10)

            disturbed = await drive(
                driver,
                monkeypatch,
                {8: kill_leader, 16: restart_leader, 22: kill_scoring_owner},
            )
            assert sum(p.returncode == -signal.SIGKILL for p in processes.values()) == 1
        finally:
            stop_all(list(processes.values()))
    assert_same(disturbed, undisturbed)

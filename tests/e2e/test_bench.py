"""The benchmark keeps working: a small run end to end, its output checked for shape only.

Figures are never asserted (a shared machine makes them noise); what must hold is that every
step ran, the whole year reached its awards, and results, ratios and targets were written.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from nats.aio.msg import Msg

from thidua_contracts import subjects
from thidua_contracts.replies import CommandReply
from thidua_kit.client import Client
from thidua_kit.settings import Settings

from ..connected.helpers import define

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

ROOT = Path(__file__).resolve().parents[2]


def test_small_benchmark_writes_results(
    nats_url: str, postgres_admin_url: str, tmp_path: Path
) -> None:
    results = tmp_path / "results"
    env = dict(os.environ, THIDUA_NATS_URL=nats_url, THIDUA_BENCH_POSTGRES_URL=postgres_admin_url)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--scale",
            "0.01",
            "--individuals",
            "120",
            "--proposals",
            "40",
            "--runs",
            "1",
            "--recipients",
            "50",
            "--peer-events",
            "200",
            "--ceiling-events",
            "2000",
            "--results",
            str(results),
            "--work",
            str(tmp_path / "work"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=580,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    written = sorted(results.glob("*.json"))
    assert len(written) == 1
    result = json.loads(written[0].read_text(encoding="utf-8"))
    for key in (
        "workload",
        "year",
        "audit",
        "rebuild",
        "read_models",
        "ceilings",
        "ingest",
        "skeleton",
        "documents",
        "peer",
    ):
        assert key in result, key
    for backend in ("sqlite", "postgresql"):
        year = result["year"][backend]
        assert year["events"] > year["commands"] / 2
        assert set(year["peak_rss_mb"]) == {
            "submissions",
            "scoring",
            "nominations",
            "reporting",
            "audit",
        }
        assert year["phases"]["decisions"]["accepted"] >= 1, year["phases"]["decisions"]
        assert not year["rejected"], year["rejected"]
    assert result["audit"]["verify"]["exit_code"] == 0, result["audit"]["verify"]
    assert result["audit"]["rederive"]["exit_code"] == 0, result["audit"]["rederive"]
    assert result["rebuild"]["events"] == result["year"]["sqlite"]["events"]
    # Every rate is the median of --runs runs (one here), each run kept beside it.
    for measured in (result["audit"]["verify"], result["audit"]["rederive"], result["rebuild"]):
        assert len(measured["runs"]) == 1, measured
    # The reporting read models folded from the whole log, nothing set aside.
    assert result["read_models"]["events"] == result["year"]["sqlite"]["events"]
    assert result["read_models"]["events_per_second"] > 0
    assert {"publish", "replay", "replay_next_msg", "sha256", "publish_serial"} <= set(
        result["ceilings"]
    )
    # Steps that read the log are compared with plain nats-py replaying that log around them.
    for adjacent in (
        result["rebuild"]["log_replay"],
        result["read_models"]["log_replay"],
        result["audit"]["verify_log_replay"],
    ):
        assert adjacent["before"] > 0 and adjacent["after"] > 0, adjacent
    by_name = {t["target"]: t for t in result["targets"]}
    read = result["rebuild"]["skeleton"]  # the same log read with nothing decided or written
    assert read["readers"] == 5 and read["events_per_second"] > 0, read
    assert (
        "decoding and validating every event"
        in by_name["rebuild of all read models / raw ordered replay"]["note"]
    )
    assert (
        "`thidua report rebuild`"
        in by_name["rebuild of all read models / raw ordered replay"]["note"]
    )
    assert "replaying the same log" in by_name["audit verify / raw ordered replay"]["note"]
    # The floor decodes the whole log the year wrote; the verify rate net of start-up is higher.
    assert result["floor"]["events"] == result["year"]["sqlite"]["events"]
    verify = result["audit"]["verify"]
    assert verify["events_per_second_after_startup"] > verify["events_per_second"]
    assert len(result["ingest"]["saturation_runs"]) == 1
    # The ingest target is read against the same traffic carried with no domain work.
    for carried in (result["skeleton"]["alone"], result["skeleton"]["with_followers"]):
        assert carried["commands_per_second"] > 0 and 0 < carried["cpu_busy"] <= 1, carried
    assert "no domain work" in by_name["sustained ingest / raw pipelined publish"]["note"]
    assert result["peer"]["eventsourcing"]["append"] > 0
    assert result["peer"]["plain_nats_sync_always_append"] > 0  # the broker's own bound there
    assert result["peer"]["plain_nats_sync_always_append_guarded"] > 0
    statuses = {t["status"] for t in result["targets"]}
    assert statuses <= {"met", "missed", "not measured"}
    assert {t["target"] for t in result["targets"] if t["status"] == "not measured"} == set()
    table = (results / "latest.md").read_text(encoding="utf-8")
    assert "## Targets" in table and "Ratio" in table
    assert Settings().stream not in done.stdout  # never the production stream


async def test_a_command_not_answered_in_time_is_sent_again_with_the_same_id(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The year sends an act again, as a clerk would, when its service did not answer in time
    (a long import queued behind others on PostgreSQL once went unanswered, and the run
    counted it as rejected although it had landed); the service deduplicates by its id."""
    monkeypatch.syspath_prepend(str(ROOT))  # the benchmark is a script beside the packages
    from bench.system import send_all

    command = define()
    seen: list[str] = []
    patient = settings.model_copy(update={"request_timeout_seconds": 0.5})
    async with Client(patient) as client:

        async def slow_then_answering(msg: Msg) -> None:
            seen.append(json.loads(msg.data)["command_id"])
            if len(seen) > 1:  # the first answer is too late for the clerk, then it comes
                reply = CommandReply(status="accepted", command_id=command.command_id)
                await msg.respond(reply.model_dump_json().encode())

        subject = subjects.command_subject(settings.subject_prefix, command.SERVICE, command.NAME)
        await client.nc.subscribe(subject, cb=slow_then_answering)
        sent = await send_all(client, [command], in_flight=1)
    assert seen == [command.command_id] * 2
    assert (sent.accepted, dict(sent.rejected), dict(sent.resent)) == (
        1,
        {},
        {command.NAME: 1},
    )


def test_the_run_reported_is_the_median_one() -> None:
    from bench.run import middle

    assert middle([0.7, 0.5, 0.6]) == 2
    assert middle([3.0]) == 0
    assert middle([0.4, 0.2, 0.3, 0.1]) == 1  # of an even count, the lower middle: 0.2

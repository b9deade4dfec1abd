"""The benchmark's steps: the whole year, audit, rebuild, ingest, documents, ceilings, peer."""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Coroutine
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import nats

from thidua_contracts.commands import OpenRound, RegisterUnit, SubmitReport
from thidua_contracts.events import CriterionPoints
from thidua_contracts.movement import MovementDefinition, RoundKind
from thidua_kit.cli_reporting import fold_into, log_events
from thidua_kit.client import Client
from thidua_kit.demo import service_env
from thidua_kit.services import SERVICE_NAMES, run_on_loop
from thidua_kit.settings import Settings

from . import ceilings as ceil
from . import peer, skeleton, system
from .workload import NOI_VU, Ids, Share, Size, Year, _define_command, _definition, clerk

STABLE_WITHIN = 3600.0
T = TypeVar("T")


def on_service_loop(work: Coroutine[Any, Any, T]) -> T:
    """Run on the event loop the services run on (uvloop where installed), so that the ceilings
    and the project's side of the peer comparison are measured as the services would see them."""
    return run_on_loop(work)


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def latency(values: list[float]) -> dict[str, float | None]:
    return {
        "p50_ms": _ms(percentile(values, 50)),
        "p95_ms": _ms(percentile(values, 95)),
        "p99_ms": _ms(percentile(values, 99)),
        "count": len(values),
    }


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 2)


# ---- the whole year -------------------------------------------------------------------------


async def drive_year(settings: Settings, year: Year, in_flight: int) -> dict[str, Any]:
    phases: dict[str, Any] = {}
    total = system.Sent()
    async with Client(settings) as client:
        await system.ready(settings)
        began = time.perf_counter()
        for phase in year.phases:
            start = time.perf_counter()
            sent = await system.send_all(
                client, phase.commands, in_flight if phase.concurrent else 1
            )
            sent_at = time.perf_counter()
            last = await system.wait_stable(client, STABLE_WITHIN)
            phases[phase.name] = {
                "commands": len(phase.commands),
                "seconds_sending": round(sent_at - start, 2),
                "seconds_until_stable": round(time.perf_counter() - start, 2),
                "log_sequence": last,
                **system.summary(sent),
            }
            total.accepted += sent.accepted
            total.rejected.update(sent.rejected)
            total.resent.update(sent.resent)
            total.examples.update(sent.examples)
            print(
                f"    {phase.name}: {len(phase.commands)} commands, "
                f"{time.perf_counter() - start:.1f} s, log at {last}"
                + (f", rejected {dict(sent.rejected)}" if sent.rejected else "")
                + (f", sent again {dict(sent.resent)}" if sent.resent else ""),
                flush=True,
            )
        wall = time.perf_counter() - began
        info = await client.nc.jetstream().stream_info(settings.stream)
    events = int(info.state.messages)
    return {
        "wall_seconds": round(wall, 2),
        "events": events,
        "stream_bytes": int(info.state.bytes),
        "mean_event_bytes": round(int(info.state.bytes) / max(1, events)),
        "commands": year.commands(),
        **system.summary(total),
        "phases": phases,
    }


async def last_sequence(settings: Settings) -> int:
    async with Client(settings) as client:
        return await client.log().last_sequence()


def run_year(
    base: Settings, year: Year, backend: str, work: Path, postgres_admin: str, in_flight: int
) -> tuple[dict[str, Any], Settings, system.Running, system.Postgres | None]:
    tag = system.new_tag()
    settings = system.isolated(base, tag, work / f"year-{backend}")
    asyncio.run(system.provision(settings))
    pg = None
    urls = None
    if backend == "postgresql":
        pg = system.Postgres(postgres_admin)
        urls = {name: pg.database(f"bench_{tag}_{name}") for name in SERVICE_NAMES}
    running = system.start(settings, urls)
    try:
        result = asyncio.run(drive_year(settings, year, in_flight))
    except BaseException:
        running.stop()
        raise
    result["peak_rss_mb"] = {n: round(v / 2**20, 1) for n, v in running.peak_rss.items()}
    result["cpu_seconds"] = {n: round(v, 1) for n, v in running.cpu_seconds.items()}
    return result, settings, running, pg


# ---- audit and rebuild ----------------------------------------------------------------------


def cli(settings: Settings, *args: str) -> tuple[float, int, str]:
    env = service_env(settings)
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "thidua_kit", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - began
    return elapsed, done.returncode, (done.stdout + done.stderr).strip().splitlines()[-1:][0:1][0]


def cli_startup(settings: Settings, runs: int = 3) -> float:
    """Seconds for `thidua --help`: the interpreter and imports every CLI call pays first."""
    return statistics.median(cli(settings, "--help")[0] for _ in range(runs))


def replay_log(settings: Settings, events: int) -> float:
    """Plain nats-py replaying the year's own log (the same events, sizes and subjects) through
    an ordered consumer, each message to a callback: the baseline measured just before and
    after a step that reads the log, so that the ratio does not depend on how busy the shared
    machine was at another moment."""
    return on_service_loop(ceil.replay_ordered(settings.nats_url, settings.stream, events, True))


def adjacent(before: float, after: float) -> dict[str, float]:
    return {
        "before": round(before, 1),
        "after": round(after, 1),
        "mean": round((before + after) / 2, 1),
    }


def middle(values: list[float]) -> int:
    """Which run is the median one (of an even count, the lower of the two middle ones)."""
    return sorted(range(len(values)), key=lambda i: values[i])[(len(values) - 1) // 2]


def audit(settings: Settings, events: int, rederive: bool = True, runs: int = 1) -> dict[str, Any]:
    """`thidua audit verify` and `rederive`, each run `runs` times between two plain replays of
    the same log; the run reported is the one whose rate against its own replays, once the
    CLI has started, is the median."""
    startup = cli_startup(settings)
    found: dict[str, Any] = {"cli_startup_seconds": round(startup, 3)}
    steps = [("verify", ("audit", "verify")), ("rederive", ("audit", "rederive"))]
    for name, args in steps if rederive else steps[:1]:
        measured = []
        for _ in range(runs):
            before = replay_log(settings, events)
            seconds, code, last_line = cli(settings, *args)
            measured.append(
                (seconds, code, last_line, adjacent(before, replay_log(settings, events)))
            )
            print(f"    audit {name}: {seconds:.1f} s, exit {code}: {last_line[:120]}", flush=True)
        ratios = [events / max(s - startup, 1e-3) / r["mean"] for s, _, _, r in measured]
        seconds, code, last_line, replay = measured[middle(ratios)]
        found[f"{name}_log_replay"] = replay
        found[name] = {
            "seconds": round(seconds, 2),
            "events_per_second": round(events / seconds, 1),
            # The rate once running, as the ceilings are measured (in a running process).
            "events_per_second_after_startup": round(events / max(seconds - startup, 1e-3), 1),
            # A run that failed is reported, whichever run is the median.
            "exit_code": next((c for _, c, _, _ in measured if c), code),
            "output": next((o for _, c, o, _ in measured if c), last_line)[:300],
            "runs": [
                {"seconds": round(s, 2), "after_startup_to_replay": round(ratio, 3)}
                for (s, _, _, _), ratio in zip(measured, ratios, strict=True)
            ],
        }
    return found


async def _bodies(settings: Settings) -> list[bytes]:
    async with Client(settings) as client:
        return [body async for _, body in client.log().replay_raw()]


def decode_floor(settings: Settings, runs: int) -> dict[str, Any]:
    """Events per second one core checks, parses and validates (envelope and payload): the
    least work any service does for an event it folds, before deciding anything."""
    from thidua_contracts.envelope import Envelope
    from thidua_kit.host import parse_payload

    bodies = asyncio.run(_bodies(settings))
    rates = []
    for _ in range(runs):
        began = time.perf_counter()
        for body in bodies:
            parse_payload(Envelope.from_bytes(body))
        rates.append(len(bodies) / (time.perf_counter() - began))
    rate = statistics.median(rates)
    print(f"    decode and validate: {rate:.0f} events/s on one core", flush=True)
    return {"events": len(bodies), "decode_validate_per_second": round(rate, 1)}


def read_models(settings: Settings, events: int, runs: int) -> dict[str, Any]:
    """The reporting service's read models (every table staff's questions are answered from)
    rebuilt as `thidua report rebuild` rebuilds them: the whole log read and folded into a fresh
    SQLite database by the service's own fold, in one process, nothing decided, rendered or
    appended. The median of `runs`, each between two plain replays of the same log."""
    rates, replays = [], []
    for _ in range(runs):
        before = replay_log(settings, events)
        began = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="bench-read-models-") as scratch:
            _answers, unreadable, failed = on_service_loop(
                _fold_log(settings, events, Path(scratch) / "reporting.db")
            )
        seconds = time.perf_counter() - began
        replays.append(adjacent(before, replay_log(settings, events)))
        if unreadable or failed:
            raise RuntimeError(f"read models: unreadable {unreadable[:5]}, failed {failed[:5]}")
        rates.append(events / seconds)
    chosen = middle([rate / replay["mean"] for rate, replay in zip(rates, replays, strict=True)])
    print(f"    read models of reporting: {rates[chosen]:.0f} events/s", flush=True)
    return {
        "events": events,
        "events_per_second": round(rates[chosen], 1),
        "runs_events_per_second": [round(r, 1) for r in rates],
        "log_replay": replays[chosen],
    }


async def _fold_log(
    settings: Settings, events: int, database: Path
) -> tuple[dict[str, Any], list[int], list[int]]:
    async with Client(settings) as client:
        log = client.log()
        # Answering every query of one movement, as `thidua report rebuild` then does.
        movement = (await log.get(1)).envelope.movement_id
        return await fold_into(database, log_events(log, events), settings, movement)


async def _positions(settings: Settings) -> dict[str, int]:
    found = {}
    async with Client(settings) as client:
        for name in SERVICE_NAMES:
            reply = await client.status(name)
            found[name] = int(reply.result["position"]) if reply.status == "ok" else -1
    return found


def rebuild(
    settings: Settings, urls: dict[str, str] | None, work: Path, runs: int = 1
) -> dict[str, Any]:
    """Every service from an empty database and a new consumer, folding the whole log, `runs`
    times, each between two plain replays; the run reported is the median one against its own
    replays. Then the same reading with nothing decided or written, by as many processes,
    `runs` times through each kind of consumer (the median)."""
    target = asyncio.run(last_sequence(settings))
    measured = [_rebuild_once(settings, urls, work / f"run-{i}", target, i) for i in range(runs)]
    ratios = [target / m["wall_seconds"] / m["log_replay"]["mean"] for m in measured]
    chosen = measured[middle(ratios)]
    read = []
    for ordered in (False, True):
        found = [
            skeleton.read_log(
                settings.nats_url,
                settings.stream,
                target,
                len(SERVICE_NAMES),
                settings.batch_size,
                ordered,
            )
            for _ in range(runs)
        ]
        read.append(found[middle([f["events_per_second"] for f in found])])
    print(f"    the log read whole by {len(SERVICE_NAMES)} processes at once: {read}", flush=True)
    return {
        **chosen,
        "skeleton": read[0],
        "skeleton_ordered": read[1],
        "runs": [
            {"wall_seconds": m["wall_seconds"], "to_replay": round(ratio, 4)}
            for m, ratio in zip(measured, ratios, strict=True)
        ],
    }


def _rebuild_once(
    settings: Settings, urls: dict[str, str] | None, work: Path, target: int, run: int
) -> dict[str, Any]:
    fresh = settings.model_copy(update={"data_dir": work, "out_dir": work / "out"})
    before = replay_log(settings, target)
    began = time.perf_counter()
    running = system.start(fresh, urls, consumer_suffix=f"rebuild{run}")
    done: dict[str, float] = {}
    try:
        while len(done) < len(SERVICE_NAMES):
            try:
                positions = asyncio.run(_positions(fresh))
            except Exception:
                positions = {}
            for name, position in positions.items():
                if position >= target and name not in done:
                    done[name] = time.perf_counter() - began
            if time.perf_counter() - began > STABLE_WITHIN:
                break
            time.sleep(0.2)
    finally:
        running.stop()
    wall = max(done.values()) if done else float("nan")
    each = {k: round(v, 1) for k, v in done.items()}
    print(f"    rebuild: {target} events in {wall:.1f} s ({each})", flush=True)
    return {
        "log_replay": adjacent(before, replay_log(settings, target)),
        "events": target,
        "wall_seconds": round(wall, 2),
        "events_per_second": round(target / wall, 1),
        "per_service_seconds": {k: round(v, 2) for k, v in done.items()},
        "per_service_events_per_second": {k: round(target / v, 1) for k, v in done.items()},
    }


# ---- ingest ---------------------------------------------------------------------------------


def _ingest_definition(size: Size) -> MovementDefinition:
    # One report per unit and trial: each trial amends every unit's sơ kết report once.
    units = min(size.units, 500)
    blocks = max(1, min(size.blocks, units // 10))
    return _definition(Share("bench-ingest", 0, blocks, 0, units, 0, 0), random.Random(size.seed))


async def _ingest_trial(
    client: Client,
    settings: Settings,
    commands: list[SubmitReport],
    rate: float | None,
    in_flight: int,
) -> dict[str, Any]:
    derived: dict[str, float] = {}
    nc = await nats.connect(settings.nats_url)

    async def on_scoring(msg: Any) -> None:
        # The sheet names the report (the command's own id) as its cause.
        seen = time.perf_counter()
        envelope = json.loads(msg.data)
        for key in (envelope.get("causation_id"), envelope.get("correlation_id")):
            if key and key not in derived:
                derived[key] = seen

    sub = await nc.subscribe(f"{settings.subject_prefix}.evt.scoring.>", cb=on_scoring)
    sent_at: dict[str, float] = {}
    replied: list[float] = []
    gate = asyncio.Semaphore(in_flight)
    rejected = 0

    async def one(command: SubmitReport, when: float | None) -> None:
        nonlocal rejected
        if when is not None:
            await asyncio.sleep(max(0.0, when - time.perf_counter()))
        async with gate:
            sent_at[command.command_id] = time.perf_counter()
            reply = await client.command(command)
            replied.append(time.perf_counter() - sent_at[command.command_id])
            if reply.status != "accepted":
                rejected += 1

    began = time.perf_counter()
    await asyncio.gather(
        *(one(c, None if rate is None else began + i / rate) for i, c in enumerate(commands))
    )
    ended = time.perf_counter()
    deadline = time.perf_counter() + 30
    # Polling: the decisions arrive on the subscription's own task.
    while time.perf_counter() < deadline:
        if sum(k in derived for k in sent_at) >= len(commands) - rejected:
            break
        await asyncio.sleep(0.05)
    await sub.unsubscribe()
    await nc.close()
    to_decision = [derived[k] - v for k, v in sent_at.items() if k in derived]
    return {
        "commands": len(commands),
        "rejected": rejected,
        "commands_per_second": round((len(commands) - rejected) / (ended - began), 1),
        "reply": latency(replied),
        "first_decision": latency(to_decision),
        "decisions_seen": len(to_decision),
    }


async def _ingest(settings: Settings, size: Size, runs: int, in_flight: int) -> dict[str, Any]:
    definition = _ingest_definition(size)
    ids = Ids(random.Random(size.seed + 7))
    units = [u.unit_id for u in definition.units]
    criteria = definition.scoring_table
    async with Client(settings) as client:
        await system.ready(settings)
        setup = [_define_command(definition, ids)]
        await system.send_all(client, setup, 1)
        registrations = [
            RegisterUnit(
                command_id=ids(),
                actor=clerk(u),
                movement_id=definition.movement_id,
                unit_id=u,
                registered_on=date(2022, 5, 20),
            )
            for u in units
        ]
        opened = OpenRound(
            command_id=ids(),
            actor=NOI_VU,
            movement_id=definition.movement_id,
            round=RoundKind.SO_KET,
            opened_on=date(2022, 7, 1),
        )
        await system.send_all(client, [*registrations, opened], in_flight)
        await system.wait_stable(client, STABLE_WITHIN)

        def reports(day: int) -> list[SubmitReport]:
            return [
                SubmitReport(
                    command_id=ids(),
                    actor=clerk(u),
                    movement_id=definition.movement_id,
                    unit_id=u,
                    round=RoundKind.SO_KET,
                    submitted_on=date(2022, 7, day),
                    self_scores=[
                        CriterionPoints(criterion_code=c.code, points=c.max_points)
                        for c in criteria
                    ],
                    narrative="Báo cáo sơ kết.",
                )
                for u in units
            ]

        saturation = []
        for trial in range(runs):
            saturation.append(
                await _ingest_trial(client, settings, reports(2 + trial), None, in_flight)
            )
            await system.wait_stable(client, STABLE_WITHIN)
            print(
                f"    ingest saturation run {trial + 1}: {saturation[-1]['commands_per_second']}/s"
            )
        rate = statistics.median(s["commands_per_second"] for s in saturation) / 2
        moderate = []
        for trial in range(runs):
            moderate.append(
                await _ingest_trial(client, settings, reports(12 + trial), rate, in_flight)
            )
            await system.wait_stable(client, STABLE_WITHIN)
            print(
                f"    ingest at {rate:.0f}/s run {trial + 1}: first decision p99 "
                f"{moderate[-1]['first_decision']['p99_ms']} ms"
            )
    return {
        "units": len(units),
        "command": "submissions.submit_report (each causes scoring.ScoreSheetRecorded)",
        "in_flight": in_flight,
        "saturation_runs": saturation,
        "fixed_rate_per_second": round(rate, 1),
        "fixed_rate_runs": moderate,
        "saturation_commands_per_second": statistics.median(
            s["commands_per_second"] for s in saturation
        ),
        "fixed_first_decision_p99_ms": statistics.median(
            m["first_decision"]["p99_ms"] or 0 for m in moderate
        ),
        "fixed_reply_p99_ms": statistics.median(m["reply"]["p99_ms"] or 0 for m in moderate),
        "saturation_first_decision_p99_ms": statistics.median(
            s["first_decision"]["p99_ms"] or 0 for s in saturation
        ),
        "saturation_reply_p99_ms": statistics.median(s["reply"]["p99_ms"] or 0 for s in saturation),
    }


def ingest(base: Settings, size: Size, work: Path, runs: int, in_flight: int) -> dict[str, Any]:
    settings = system.isolated(base, system.new_tag(), work / "ingest")
    asyncio.run(system.provision(settings))
    running = system.start(settings)
    try:
        return asyncio.run(_ingest(settings, size, runs, in_flight))
    finally:
        running.stop()
        asyncio.run(system.drop_streams(settings))


def ingest_skeleton(
    url: str, commands: int, size: int, in_flight: int, runs: int
) -> dict[str, Any]:
    """The ingest traffic with no domain work: the command path alone (two replicas, so both
    cores can serve it), then with the four services' consumers following the stream."""
    found: dict[str, list[dict[str, Any]]] = {"alone": [], "with_followers": []}
    for i in range(runs):
        found["alone"].append(skeleton.commands(url, commands, size, in_flight, False, replicas=2))
        found["with_followers"].append(skeleton.commands(url, commands, size, in_flight, True))
        print(
            f"    skeleton run {i + 1}: "
            + ", ".join(f"{k} {v[-1]['commands_per_second']:.0f}/s" for k, v in found.items()),
            flush=True,
        )
    return {
        "commands": commands,
        "bytes": size,
        "in_flight": in_flight,
        **{
            key: {
                "commands_per_second": round(
                    statistics.median(r["commands_per_second"] for r in runs_), 1
                ),
                "cpu_busy": statistics.median(r["cpu_busy"] or 0 for r in runs_),
                "runs": runs_,
            }
            for key, runs_ in found.items()
        },
    }


# ---- documents ------------------------------------------------------------------------------


def documents(recipients: int, runs: int) -> dict[str, Any]:
    """The Quyết định with its list of recipients, rendered as the reporting service does."""
    from thidua_reporting.adapters.docx_certificate import render_certificate
    from thidua_reporting.adapters.docx_render import render_decision
    from thidua_reporting.domain.certificate import CertificateFacts, build_certificate_view
    from thidua_reporting.domain.decision_document import (
        DecisionFacts,
        Recipient,
        build_decision_view,
    )

    facts = DecisionFacts(
        issuer_lines=["ỦY BAN NHÂN DÂN", "THÀNH PHỐ BẮC NINH"],
        parent_line=None,
        number="01/QĐ-UBND",
        place="Bắc Ninh",
        signed_on=date(2023, 1, 5),
        award_name="Giấy khen của Chủ tịch Ủy ban nhân dân thành phố",
        movement_name="phong trào thi đua",
        year=2022,
        authority_line="CHỦ TỊCH ỦY BAN NHÂN DÂN THÀNH PHỐ BẮC NINH",
        legal_bases=["Luật Thi đua, Khen thưởng ngày 26 tháng 11 năm 2003"],
        proposer="Trưởng phòng Nội vụ thành phố",
        recipients=[
            Recipient(
                kind="ca_nhan",
                name=f"Nguyễn Văn An {i:04d}",
                position="Chuyên viên",
                unit_name=f"Đơn vị {i % 2000:04d}",
            )
            for i in range(recipients)
        ],
        prize_individual_vnd=447_000,
        prize_collective_vnd=None,
        fund="Quỹ thi đua, khen thưởng thành phố năm 2023",
        signer_position_lines=["CHỦ TỊCH"],
        signer_name="Nguyễn Minh Quang",
        recipients_of_copies=["Như Điều 3"],
    )
    times = []
    size = 0
    for _ in range(runs):
        began = time.perf_counter()
        data = render_decision(build_decision_view(facts))
        times.append(time.perf_counter() - began)
        size = len(data)
    certificate = build_certificate_view(
        CertificateFacts(
            issuer_lines=["ỦY BAN NHÂN DÂN", "THÀNH PHỐ BẮC NINH"],
            place="Bắc Ninh",
            award_name="Giấy khen của Chủ tịch Ủy ban nhân dân thành phố",
            recipient_kind="ca_nhan",
            recipient_name="Nguyễn Văn An",
            recipient_position="Chuyên viên",
            unit_name="Đơn vị 0001",
            movement_year=2022,
            decision_number="01/QĐ-UBND",
            signed_on=date(2023, 1, 5),
            signer_position_lines=["CHỦ TỊCH"],
            signer_name="Nguyễn Minh Quang",
        )
    )
    began = time.perf_counter()
    for _ in range(20):
        render_certificate(certificate)
    per_certificate = (time.perf_counter() - began) / 20
    return {
        "quyet_dinh": {
            "recipients": recipients,
            "seconds_median": round(statistics.median(times), 3),
            "bytes": size,
        },
        "giay_khen_seconds_each": round(per_certificate, 4),
        "tong_ket_report": tong_ket_report(blocks=40, units_per_block=50, runs=runs),
    }


def tong_ket_report(blocks: int, units_per_block: int, runs: int) -> dict[str, Any]:
    """The city's tổng kết report with one ranking table per block, as the service renders it."""
    from thidua_reporting.adapters.docx_admin import render_admin_document
    from thidua_reporting.domain.city_report import (
        BlockResult,
        CityReportFacts,
        RankedUnit,
        build_city_report_view,
    )

    facts = CityReportFacts(
        kind="tong-ket",
        issuer_lines=["ỦY BAN NHÂN DÂN", "THÀNH PHỐ BẮC NINH"],
        place="Bắc Ninh",
        number="120/BC-UBND",
        signed_on=date(2023, 1, 10),
        movement_year=2022,
        plan_ref="Kế hoạch số 95/KH-UBND ngày 10 tháng 5 năm 2022",
        addressee="Ủy ban nhân dân tỉnh Bắc Ninh (qua Sở Nội vụ)",
        units_total=blocks * units_per_block,
        units_registered=blocks * units_per_block,
        individuals_registered=50_000,
        reports_expected=blocks * units_per_block,
        reports_submitted=blocks * units_per_block,
        blocks=[
            BlockResult(
                name=f"Khối thi đua số {b + 1:02d}",
                rows=[
                    RankedUnit(
                        name=f"Đơn vị {b:02d}-{u:03d}", total=f"{100 - u * 0.5:.2f}", rank=u + 1
                    )
                    for u in range(units_per_block)
                ],
                leader_name=f"Đơn vị {b:02d}-000",
            )
            for b in range(blocks)
        ],
        signer_position="chu_tich",
        signer_name="Nguyễn Minh Quang",
    )
    times = []
    size = 0
    for _ in range(runs):
        began = time.perf_counter()
        data = render_admin_document(build_city_report_view(facts))
        times.append(time.perf_counter() - began)
        size = len(data)
    return {
        "blocks": blocks,
        "units": blocks * units_per_block,
        "seconds_median": round(statistics.median(times), 3),
        "bytes": size,
    }


# ---- ceilings and peer ----------------------------------------------------------------------


def ceilings(url: str, count: int, size: int, runs: int) -> dict[str, Any]:
    found = [on_service_loop(ceil.ceilings(url, count, size)) for _ in range(runs)]
    for i, f in enumerate(found, 1):
        print(
            f"    ceilings run {i}: publish {f['publish']:.0f}/s, replay {f['replay']:.0f}/s "
            f"(with next_msg {f['replay_next_msg']:.0f}/s), "
            f"sha256 {f['sha256']:.0f}/s, publish one at a time {f['publish_serial']:.0f}/s"
        )
    return {
        "count": count,
        "bytes": size,
        "runs": found,
        **{k: round(statistics.median(f[k] for f in found), 1) for k in found[0]},
    }


def peer_compare(
    base: Settings, postgres_admin: str, count: int, size: int, runs: int
) -> dict[str, Any]:
    """Round after round, each side once per round (pyeventsourcing, the project on the default
    server, the project and plain nats-py on a `sync_interval: always` server): a disk that
    slows down for a while then weighs on every side of that round, not on one side's runs."""
    from sqlalchemy import text

    pg = system.Postgres(postgres_admin)

    def eventsourcing() -> dict[str, float]:
        name = f"bench_es_{system.new_tag()}"
        pg.database(name)
        return peer.eventsourcing_side(postgres_admin, name, count, size)

    def project(url: str) -> dict[str, float]:
        settings = system.isolated(
            base.model_copy(update={"nats_url": url}), system.new_tag(), Path("/nonexistent")
        )
        return on_service_loop(peer.project_side(settings, count, size))

    async def rounds() -> tuple[list[dict[str, Any]], str]:
        async with ceil.nats_server(sync_always=True) as (url, version):
            found = []
            for _ in range(runs):
                found.append(
                    {
                        "eventsourcing": await asyncio.to_thread(eventsourcing),
                        "project_default": await asyncio.to_thread(project, base.nats_url),
                        "project_sync_always": await asyncio.to_thread(project, url),
                        # The broker's own bound there: plain nats-py, one acknowledged append
                        # at a time.
                        "plain": await asyncio.to_thread(
                            on_service_loop, ceil.publish_serial(url, count, size)
                        ),
                        # ... and with the log's dedup id and expected subject sequence.
                        "plain_guarded": await asyncio.to_thread(
                            on_service_loop, ceil.publish_serial(url, count, size, guarded=True)
                        ),
                    }
                )
            return found, version

    try:
        found, version = asyncio.run(rounds())
        with pg.engine.connect() as conn:
            pg_version = str(conn.execute(text("show server_version")).scalar())
    finally:
        pg.drop()

    def median(key: str) -> dict[str, float]:
        return {k: round(statistics.median(r[key][k] for r in found), 1) for k in found[0][key]}

    def ratios(key: str) -> list[float]:
        return [
            round(_append(r[key]) / r["eventsourcing"]["append"], 3)
            for r in found
            if r["eventsourcing"]["append"]
        ]

    result = {
        "count": count,
        "bytes": size,
        "eventsourcing": {
            "postgresql": pg_version,
            **median("eventsourcing"),
            "runs": [r["eventsourcing"] for r in found],
        },
        "project_default": {
            "server": base.nats_url,
            **median("project_default"),
            "runs": [r["project_default"] for r in found],
        },
        "project_sync_always": {
            "server": version,
            **median("project_sync_always"),
            "runs": [r["project_sync_always"] for r in found],
        },
        "plain_nats_sync_always_append": round(statistics.median(r["plain"] for r in found), 1),
        "plain_nats_sync_always_append_guarded": round(
            statistics.median(r["plain_guarded"] for r in found), 1
        ),
        # Append / pyeventsourcing's append, round by round.
        "append_ratio_rounds": {
            "default": ratios("project_default"),
            "sync_always": ratios("project_sync_always"),
            "plain_sync_always": ratios("plain"),
            "plain_guarded_sync_always": ratios("plain_guarded"),
        },
    }
    for key in ("eventsourcing", "project_default", "project_sync_always"):
        r = result[key]
        print(f"    peer {key}: append {r['append']}/s, batch {r['append_batch']}/s, ", end="")
        print(f"read {r['read']}/s")
    return result


def _append(side: dict[str, float] | float) -> float:
    """A side's append rate: a plain nats-py side is its rate alone."""
    return side if isinstance(side, float) else side["append"]

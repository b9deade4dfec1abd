"""`python -m bench [--small]`: the province-scale benchmark (see "Benchmark" in the README)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from thidua_kit.settings import Settings

from . import run, system
from .report import markdown, targets
from .workload import Size, generate

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--small", action="store_true", help="≈ 1/20 of the default year")
    p.add_argument("--scale", type=float, default=None, help="any fraction of the default year")
    p.add_argument("--blocks", type=int)
    p.add_argument("--units", type=int)
    p.add_argument("--individuals", type=int)
    p.add_argument("--proposals", type=int)
    p.add_argument("--seed", type=int, default=2022)
    p.add_argument("--runs", type=int, default=3, help="runs per rate (the median is reported)")
    p.add_argument("--in-flight", type=int, default=64, help="commands awaiting a reply at once")
    p.add_argument("--backends", default="sqlite,postgresql")
    p.add_argument(
        "--skip", default="", help="comma list: year,audit,rederive,rebuild,ingest,docs,peer"
    )
    p.add_argument("--peer-events", type=int, default=None)
    p.add_argument("--recipients", type=int, default=2000, help="of the Quyết định rendered")
    p.add_argument("--ceiling-events", type=int, default=None)
    p.add_argument("--results", type=Path, default=Path("bench/results"))
    p.add_argument("--work", type=Path, default=Path(".run/bench"))
    p.add_argument(
        "--postgres",
        default=os.environ.get("THIDUA_BENCH_POSTGRES_URL", DEFAULT_POSTGRES),
        help="admin URL; one database per service is created and dropped",
    )
    return p.parse_args(argv)


def size_of(args: argparse.Namespace) -> Size:
    size = Size(seed=args.seed)
    factor = args.scale if args.scale is not None else (1 / 20 if args.small else 1.0)
    if factor != 1.0:
        size = size.scaled(factor)
    overrides = {
        k: getattr(args, k)
        for k in ("blocks", "units", "individuals", "proposals")
        if getattr(args, k) is not None
    }
    return Size(**{**size.__dict__, **overrides})


def _stop_on_sigterm(_signum: int, _frame: Any) -> None:
    # Unwind through every `finally`, so the services, servers and streams started are stopped.
    raise SystemExit(143)


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    args = parse(argv if argv is not None else sys.argv[1:])
    skip = {s for s in args.skip.split(",") if s}
    size = size_of(args)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    work = (args.work / stamp).resolve()
    base = Settings()
    began = time.perf_counter()
    print(f"Thi đua benchmark {stamp}: {size}", flush=True)
    year = generate(size)
    default = Size(seed=args.seed)
    # The default year's size in commands, to extrapolate a smaller run's wall time.
    default_commands = year.commands() if size == default else generate(default).commands()
    print(f"  workload: {json.dumps(year.describe(), ensure_ascii=False)}", flush=True)
    result: dict[str, Any] = {
        "started": stamp,
        "command": " ".join(["python -m bench", *(argv if argv is not None else sys.argv[1:])]),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "nats_url": base.nats_url,
        "workload": {**year.describe(), "default_commands": default_commands},
    }
    events = 0
    mean_bytes = 600
    if "year" not in skip:
        result["year"] = {}
        for backend in [b for b in args.backends.split(",") if b]:
            print(f"  whole year on {backend}:", flush=True)
            found, settings, running, pg = run.run_year(
                base, year, backend, work, args.postgres, args.in_flight
            )
            result["year"][backend] = found
            print(
                f"    {found['events']} events in {found['wall_seconds']} s; "
                f"peak RSS {found['peak_rss_mb']}",
                flush=True,
            )
            try:
                if backend == "sqlite":
                    events = found["events"]
                    mean_bytes = found["mean_event_bytes"]
                    result["floor"] = run.decode_floor(settings, args.runs)
                    if "audit" not in skip:
                        result["audit"] = run.audit(
                            settings, events, "rederive" not in skip, args.runs
                        )
                    running.stop()
                    if "rebuild" not in skip:
                        result["read_models"] = run.read_models(settings, events, args.runs)
                        result["rebuild"] = run.rebuild(settings, None, work / "rebuild", args.runs)
            finally:
                running.stop()
                asyncio.run(system.drop_streams(settings))
                if pg is not None:
                    pg.drop()
    count = args.ceiling_events or max(events, 20_000 if not args.small else 5_000)
    print(f"  ceilings ({count} × {mean_bytes} bytes):", flush=True)
    result["ceilings"] = run.ceilings(base.nats_url, count, mean_bytes, args.runs)
    if "ingest" not in skip:
        print("  ingest:", flush=True)
        result["ingest"] = run.ingest(base, size, work, args.runs, args.in_flight)
        print("  the same traffic with no domain work:", flush=True)
        commands = 5_000 if size == default else 1_000
        result["skeleton"] = run.ingest_skeleton(
            base.nats_url, commands, mean_bytes, args.in_flight, args.runs
        )
    if "docs" not in skip:
        print("  documents:", flush=True)
        result["documents"] = run.documents(args.recipients, args.runs)
        print(f"    {result['documents']}", flush=True)
    if "peer" not in skip:
        peer_count = args.peer_events or (1000 if args.small else 5000)
        print(f"  peer ({peer_count} events × {mean_bytes} bytes):", flush=True)
        result["peer"] = run.peer_compare(base, args.postgres, peer_count, mean_bytes, args.runs)
    result["seconds"] = round(time.perf_counter() - began, 1)
    result["targets"] = targets(result)
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / f"{stamp}.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    text = markdown(result)
    (args.results / "latest.md").write_text(text, encoding="utf-8")
    print()
    print(text)
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

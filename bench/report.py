"""Targets of the benchmark (ratios in the same run) and the readable table."""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path
from typing import Any

MINUTES_15 = 15 * 60
RSS_LIMIT_MB = 500
# Every service's consumer reads every event of the log (DESIGN §4): each decodes it at least.
SERVICES_FOLDING_EVERY_EVENT = 5


def _get(result: dict[str, Any], *path: str) -> Any:
    node: Any = result
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def _ratio(value: Any, base: Any) -> float | None:
    if not value or not base:
        return None
    return round(float(value) / float(base), 3)


def _rebuild_bound(result: dict[str, Any], replay: Any) -> str:
    decode = _get(result, "floor", "decode_validate_per_second")
    cpus = _get(result, "machine", "cpus")
    if not decode or not cpus or not replay:
        return ""
    bound = decode * cpus / SERVICES_FOLDING_EVERY_EVENT
    found = (
        f"at most {bound / replay:.3f} here: one core decodes and validates {decode:,.0f} "
        f"events/s, and {SERVICES_FOLDING_EVERY_EVENT} services each do so for every event "
        f"on {cpus} cores, before any of them decides or writes anything"
    )
    read = _get(result, "rebuild", "skeleton")
    if not read:
        return found
    rebuild = _get(result, "rebuild", "events_per_second")
    ordered = _get(result, "rebuild", "skeleton_ordered")
    return (
        f"{found}; measured, {read['readers']} processes reading the whole log at once through "
        "durable pull consumers as the services do, each decoding and validating every event "
        f"and deciding and writing nothing, reach {_ratio(read['events_per_second'], replay)} "
        f"of it (CPUs {read['cpu_busy']:.0%} busy)"
        + (
            ""
            if not ordered
            else f", and {_ratio(ordered['events_per_second'], replay)} through ordered "
            f"consumers (CPUs {ordered['cpu_busy']:.0%} busy)"
        )
        + f"; the rebuild reaches {_ratio(rebuild, read['events_per_second'])} of the first"
    )


def _runs_line(runs: list[dict[str, Any]], ratio: str) -> str:
    each = ", ".join(
        f"{r['seconds' if 'seconds' in r else 'wall_seconds']} s ({r[ratio]})" for r in runs
    )
    return f"| … {len(runs)} runs, the median one above: {each} | | | |"


def _read_models_note(result: dict[str, Any]) -> str:
    rate = _get(result, "read_models", "events_per_second")
    replay = _get(result, "read_models", "log_replay", "mean")
    if not rate or not replay:
        return ""
    return (
        "; the reporting service's read models alone, rebuilt as `thidua report rebuild` does "
        "(the log read and folded into a fresh database in one process, nothing decided, "
        f"rendered or appended), reach {_ratio(rate, replay)} of the replay around them"
    )


def _ingest_bound(result: dict[str, Any], publish: Any) -> str:
    """What the same traffic reaches with nothing decided or stored, in the same run."""
    alone = _get(result, "skeleton", "alone")
    followed = _get(result, "skeleton", "with_followers")
    if not alone or not followed or not publish:
        return ""
    services = _ratio(
        _get(result, "ingest", "saturation_commands_per_second"), followed["commands_per_second"]
    )
    return (
        "the same traffic with no domain work, no validation and no database (FastStream "
        "request-reply answered after one acknowledged append, "
        f"{_get(result, 'skeleton', 'in_flight')} in flight) reaches "
        f"{_ratio(alone['commands_per_second'], publish)} of the pipelined publish rate with two "
        f"command services and the CPUs {alone['cpu_busy']:.0%} busy, and "
        f"{_ratio(followed['commands_per_second'], publish)} once the four other services' "
        f"consumers follow the stream (CPUs {followed['cpu_busy']:.0%} busy); "
        f"the services, deciding and storing, reach {services} of that"
    )


def _adjacent_note(measured: Any, rate: Any, ceiling: Any) -> str:
    """Which replay a log-reading step is compared with: plain nats-py replaying the year's own
    log just before and after it, where measured; else the ceiling's."""
    if not measured:
        return ""
    return (
        f"against plain nats-py replaying the same log to a callback just before and after "
        f"({_fmt(measured['before'])} and {_fmt(measured['after'])}/s); against the ceiling "
        f"measured later in the run, {_fmt(_ratio(rate, ceiling))}; "
    )


def _baseline(adjacent: Any, replay: Any) -> tuple[Any, str]:
    """What a log-reading step's rate is divided by: the replay around it, else the ceiling."""
    return (adjacent["mean"], "log replay around it") if adjacent else (replay, "replay")


def _round_ratio(result: dict[str, Any], server: str) -> float | None:
    """The median of the per-round append ratios: each round ran both sides back to back."""
    found = _get(result, "peer", "append_ratio_rounds", server)
    return round(statistics.median(found), 3) if found else None


def _rounds_note(result: dict[str, Any], server: str) -> str:
    found = _get(result, "peer", "append_ratio_rounds", server)
    if not found:
        return ""
    return "median of the rounds, both sides run back to back in each: " + ", ".join(
        f"{r}×" for r in found
    )


def _plain_rounds_note(result: dict[str, Any]) -> str:
    """Plain nats-py's own ratios on the sync server, round by round: the broker's bound."""
    plain = _get(result, "peer", "append_ratio_rounds", "plain_sync_always")
    guarded = _get(result, "peer", "append_ratio_rounds", "plain_guarded_sync_always")
    if not plain or not guarded:
        return ""
    return (
        f" (rounds {', '.join(f'{r}×' for r in plain)}); with the log's dedup id and expected"
        f" subject sequence on each, {', '.join(f'{r}×' for r in guarded)}"
    )


def targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    replay = _get(result, "ceilings", "replay")
    publish = _get(result, "ceilings", "publish")
    found = []

    def check(name: str, value: Any, limit: str, met: bool | None, note: str = "") -> None:
        found.append(
            {
                "target": name,
                "value": value,
                "limit": limit,
                "status": "not measured" if met is None else ("met" if met else "missed"),
                "note": note,
            }
        )

    rebuild_rate = _get(result, "rebuild", "events_per_second")
    rebuild_replay = _get(result, "rebuild", "log_replay", "mean") or replay
    rebuild = _ratio(rebuild_rate, rebuild_replay)
    check(
        "rebuild of all read models / raw ordered replay",
        rebuild,
        "≥ 0.30",
        None if rebuild is None else rebuild >= 0.30,
        _adjacent_note(_get(result, "rebuild", "log_replay"), rebuild_rate, replay)
        + _rebuild_bound(result, rebuild_replay)
        + _read_models_note(result),
    )
    verify_gross = _get(result, "audit", "verify", "events_per_second")
    verify_rate = _get(result, "audit", "verify", "events_per_second_after_startup")
    verify_replay = _get(result, "audit", "verify_log_replay", "mean") or replay
    verify = _ratio(verify_rate, verify_replay)
    check(
        "audit verify / raw ordered replay",
        verify,
        "≥ 0.50",
        None if verify is None else verify >= 0.50,
        _adjacent_note(_get(result, "audit", "verify_log_replay"), verify_rate, replay)
        + "after the CLI's start-up of "
        f"{_get(result, 'audit', 'cli_startup_seconds')} s (`thidua --help`), as the ceilings "
        "are measured inside a running process; with it, "
        f"{_fmt(_ratio(verify_gross, verify_replay))}",
    )
    ingest = _ratio(_get(result, "ingest", "saturation_commands_per_second"), publish)
    check(
        "sustained ingest / raw pipelined publish",
        ingest,
        "≥ 0.25",
        None if ingest is None else ingest >= 0.25,
        _ingest_bound(result, publish),
    )
    p99 = _get(result, "ingest", "fixed_first_decision_p99_ms")
    rate = _get(result, "ingest", "fixed_rate_per_second")
    check(
        "p99 command → first derived decision at half the sustained rate (ms)",
        p99,
        "< 250",
        None if p99 is None else p99 < 250,
        f"at {rate} commands/s, half the measured sustained rate"
        + (f" (half of 25 % of publish would be {publish * 0.125:,.0f}/s)" if publish else ""),
    )
    append = _round_ratio(result, "default") or _ratio(
        _get(result, "peer", "project_default", "append"),
        _get(result, "peer", "eventsourcing", "append"),
    )
    check(
        "log append / pyeventsourcing PostgreSQL append (default server)",
        append,
        "≥ 2",
        None if append is None else append >= 2,
        _rounds_note(result, "default"),
    )
    synced = _round_ratio(result, "sync_always") or _ratio(
        _get(result, "peer", "project_sync_always", "append"),
        _get(result, "peer", "eventsourcing", "append"),
    )
    plain = _ratio(
        _get(result, "peer", "plain_nats_sync_always_append"),
        _get(result, "peer", "eventsourcing", "append"),
    )
    check(
        "log append / pyeventsourcing PostgreSQL append (sync_interval: always)",
        synced,
        "≥ 2",
        None if synced is None else synced >= 2,
        "; ".join(
            n
            for n in ("both sides on disk when acknowledged", _rounds_note(result, "sync_always"))
            if n
        )
        + (
            ""
            if plain is None
            else f"; plain nats-py, one acknowledged publish at a time on that server: {plain}×"
        )
        + _plain_rounds_note(result),
    )
    default_commands = _get(result, "workload", "default_commands")
    commands = _get(result, "workload", "commands")
    for backend in ("sqlite", "postgresql"):
        wall = _get(result, "year", backend, "wall_seconds")
        if wall is None or not default_commands or commands == default_commands:
            check(
                f"whole year on {backend} (s)",
                wall,
                f"< {MINUTES_15}",
                None if wall is None else wall < MINUTES_15,
            )
        else:
            # Not the default year: extrapolated linearly in commands (a lower bound where a
            # cost grows faster than the log).
            estimate = round(wall * default_commands / commands)
            check(
                f"whole default year on {backend}, extrapolated (s)",
                estimate,
                f"< {MINUTES_15}",
                estimate < MINUTES_15,
                f"measured {wall} s for {commands:,} commands; the default year has "
                f"{default_commands:,}",
            )
        rss = _get(result, "year", backend, "peak_rss_mb")
        top = max(rss.values()) if rss else None
        check(
            f"peak RSS of any service on {backend} (MB)",
            top,
            f"≤ {RSS_LIMIT_MB}",
            None if top is None else top <= RSS_LIMIT_MB,
        )
    return found


def rerender(path: Path) -> str:
    """Targets and table again from a results file (after a change to this module)."""
    result = json.loads(path.read_text(encoding="utf-8"))
    result["targets"] = targets(result)
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return markdown(result)


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def markdown(result: dict[str, Any]) -> str:
    replay = _get(result, "ceilings", "replay")
    publish = _get(result, "ceilings", "publish")
    sha = _get(result, "ceilings", "sha256")
    w = result["workload"]
    lines = [
        f"# Thi đua benchmark {result['started']}",
        "",
        f"`{result['command']}` — {result['machine']['cpus']} CPUs, Python "
        f"{result['machine']['python']}, NATS {result['nats_url']}; {result.get('seconds')} s "
        "in all.",
        "",
        f"Workload: {w['movements']} movement(s), {w['requested']['blocks']} blocks, "
        f"{w['units_used']} units, {w['individuals_used']} individuals, "
        f"{w['proposals_used']} proposals, {w['commands']:,} commands (seed "
        f"{w['requested']['seed']}).",
        *[f"- {n}" for n in w["notes"]],
        "",
        "| Figure | Value | Ratio | Against |",
        "| --- | ---: | ---: | --- |",
    ]

    def row(name: str, value: Any, base: Any = None, against: str = "") -> None:
        lines.append(f"| {name} | {_fmt(value)} | {_fmt(_ratio(value, base))} | {against} |")

    c = result.get("ceilings", {})
    row("ceiling: JetStream publish, pipelined (msg/s)", publish, publish, "itself")
    row(
        "ceiling: ordered-consumer replay, each message to a callback (msg/s)",
        replay,
        replay,
        "itself",
    )
    row(
        "… the same replay awaiting each message with `next_msg` (msg/s)",
        _get(result, "ceilings", "replay_next_msg"),
        replay,
        "replay",
    )
    row("ceiling: SHA-256 over the same bytes (msg/s)", sha, sha, "itself")
    serial = _get(result, "ceilings", "publish_serial")
    row("ceiling: JetStream publish, one ack awaited at a time (msg/s)", serial, publish, "publish")
    decode = _get(result, "floor", "decode_validate_per_second")
    row(
        "floor: decode and validate an event of the log, one core (events/s)",
        decode,
        replay,
        "replay",
    )
    lines.append(f"| (ceilings over {c.get('count')} messages of {c.get('bytes')} bytes) | | | |")
    for backend, y in (result.get("year") or {}).items():
        row(f"whole year on {backend}: wall time (s)", y["wall_seconds"], MINUTES_15, "15 min")
        row(f"whole year on {backend}: events", y["events"])
        row(
            f"whole year on {backend}: events/s",
            y["events"] / y["wall_seconds"],
            publish,
            "publish ceiling",
        )
        for name, mb in y["peak_rss_mb"].items():
            row(f"whole year on {backend}: peak RSS {name} (MB)", mb, RSS_LIMIT_MB, "500 MB")
        for name, cpu in (y.get("cpu_seconds") or {}).items():
            row(f"whole year on {backend}: CPU of {name} (s)", cpu, y["wall_seconds"], "wall time")
        if y.get("rejected"):
            lines.append(f"| whole year on {backend}: rejected | {y['rejected']} | | |")
        if y.get("resent"):
            lines.append(
                f"| whole year on {backend}: sent again (no answer in time) | {y['resent']} | | |"
            )
    a = result.get("audit") or {}
    if "cli_startup_seconds" in a:
        row("CLI start-up, `thidua --help` (s)", a["cli_startup_seconds"])
    for name in ("verify", "rederive"):
        adjacent = a.get(f"{name}_log_replay")
        if adjacent:
            row(
                f"plain nats-py replaying the year's log around audit {name} (msg/s)",
                adjacent["mean"],
                replay,
                "replay",
            )
        if name in a:
            base, against = _baseline(adjacent, replay)
            row(f"thidua audit {name} (events/s)", a[name]["events_per_second"], base, against)
            after = a[name].get("events_per_second_after_startup")
            row("… after the CLI's start-up (events/s)", after, base, against)
            lines.append(f"| … exit {a[name]['exit_code']}: {a[name]['output']} | | | |")
            if len(a[name].get("runs") or []) > 1:
                lines.append(_runs_line(a[name]["runs"], "after_startup_to_replay"))
    m = result.get("read_models")
    if m:
        base, against = _baseline(m.get("log_replay"), replay)
        row(
            "plain nats-py replaying the year's log around the read-model rebuild (msg/s)",
            base,
            replay,
            "replay",
        )
        row(
            "reporting's read models rebuilt from the log as `thidua report rebuild` does, "
            "one process (events/s)",
            m["events_per_second"],
            base,
            against,
        )
    r = result.get("rebuild")
    if r and r.get("log_replay"):
        row(
            "plain nats-py replaying the year's log around the rebuild (msg/s)",
            r["log_replay"]["mean"],
            replay,
            "replay",
        )
    if r:
        base, against = _baseline(r.get("log_replay"), replay)
        row(
            "rebuild of every service from the log (events/s)",
            r["events_per_second"],
            base,
            against,
        )
        if len(r.get("runs") or []) > 1:
            lines.append(_runs_line(r["runs"], "to_replay"))
        # All five rebuild at once, sharing the CPUs: each one's rate to its own finish.
        for name, rate in r["per_service_events_per_second"].items():
            row(f"rebuild, all at once: {name} done (events/s)", rate, base, against)
        for key in ("skeleton", "skeleton_ordered"):
            if r.get(key):
                row(
                    f"the log read whole by {r[key]['readers']} processes at once "
                    f"({r[key].get('consumer', 'durable pull')} consumers), decoding and "
                    "validating, nothing decided or written (events/s)",
                    r[key]["events_per_second"],
                    base,
                    against,
                )
    i = result.get("ingest")
    if i:
        row(
            "ingest at saturation (commands/s)",
            i["saturation_commands_per_second"],
            publish,
            "publish",
        )
        row("… reply p99 (ms)", i["saturation_reply_p99_ms"])
        row("… first derived decision p99 (ms)", i["saturation_first_decision_p99_ms"])
        row(
            f"ingest at {i['fixed_rate_per_second']}/s: reply p99 (ms)",
            i["fixed_reply_p99_ms"],
            250,
            "250 ms",
        )
        row(
            f"ingest at {i['fixed_rate_per_second']}/s: first derived decision p99 (ms)",
            i["fixed_first_decision_p99_ms"],
            250,
            "250 ms",
        )
        sk = result.get("skeleton")
        if sk:
            row(
                "the same traffic, no domain work: command path alone, 2 replicas (commands/s)",
                sk["alone"]["commands_per_second"],
                publish,
                "publish",
            )
            row(
                "… one command service, four services' consumers following the stream (commands/s)",
                sk["with_followers"]["commands_per_second"],
                publish,
                "publish",
            )
        for kind in ("saturation_runs", "fixed_rate_runs"):
            m = i[kind][len(i[kind]) // 2]
            lines.append(
                f"| … {kind.replace('_', ' ')} (middle run): reply p50/p95/p99 "
                f"{m['reply']['p50_ms']}/{m['reply']['p95_ms']}/{m['reply']['p99_ms']} ms, first "
                f"decision {m['first_decision']['p50_ms']}/{m['first_decision']['p95_ms']}/"
                f"{m['first_decision']['p99_ms']} ms | | | |"
            )
    d = result.get("documents")
    if d:
        q = d["quyet_dinh"]
        row(f"Quyết định with {q['recipients']} recipients (s)", q["seconds_median"])
        row("Giấy khen, each (s)", d["giay_khen_seconds_each"])
        report = d["tong_ket_report"]
        if isinstance(report, dict):
            row(
                f"tổng kết report with {report['blocks']} block tables, "
                f"{report['units']:,} units (s)",
                report["seconds_median"],
            )
        else:
            lines.append(f"| tổng kết report with block tables | {report} | | |")
    p = result.get("peer")
    if p:
        es = p["eventsourcing"]
        lines.append(
            f"| (peer: {p['count']} events of {p['bytes']} bytes; pyeventsourcing on PostgreSQL "
            f"{es['postgresql']}) | | | |"
        )
        for key, label in (
            ("append", "append, one event per call, acknowledged"),
            ("append_batch", "append, 100 events of one aggregate per call"),
            ("read", "read all (notification log / ordered replay)"),
        ):
            row(f"pyeventsourcing PostgreSQL: {label} (events/s)", es[key], es[key], "itself")
            row(
                f"project, default server: {label} (events/s)",
                p["project_default"][key],
                es[key],
                "pyeventsourcing",
            )
            row(
                f"project, {p['project_sync_always']['server']} sync_interval always: {label} "
                "(events/s)",
                p["project_sync_always"][key],
                es[key],
                "pyeventsourcing",
            )
    if p and "plain_nats_sync_always_append" in p:
        es_append = p["eventsourcing"]["append"]
        row(
            f"plain nats-py on {p['project_sync_always']['server']} sync_interval always: "
            "append, one event per call, acknowledged (events/s)",
            p["plain_nats_sync_always_append"],
            es_append,
            "pyeventsourcing",
        )
    if p and "plain_nats_sync_always_append_guarded" in p:
        row(
            "… with the log's dedup id and expected subject sequence (events/s)",
            p["plain_nats_sync_always_append_guarded"],
            p["eventsourcing"]["append"],
            "pyeventsourcing",
        )
    lines += [
        "",
        "## Targets",
        "",
        "| Target | Value | Limit | Status | Note |",
        "| --- | ---: | --- | --- | --- |",
    ]
    for t in result.get("targets", []):
        lines.append(
            f"| {t['target']} | {_fmt(t['value'])} | {t['limit']} | **{t['status']}** | "
            f"{t['note']} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    # python -m bench.report bench/results/<timestamp>.json → rewrites latest.md beside it
    source = Path(sys.argv[1])
    (source.parent / "latest.md").write_text(rerender(source), encoding="utf-8")

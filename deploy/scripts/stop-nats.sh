#!/usr/bin/env bash
# Stop the nats-server that deploy/scripts/ensure-nats.sh started (path c/d), found
# by its pid file, and nothing else. A server run by docker compose or by the system
# is left alone.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUN_DIR="${THIDUA_NATS_RUN_DIR:-$ROOT/.run/nats}"
PID_FILE="$RUN_DIR/nats-server.pid"

say() { printf 'stop-nats: %s\n' "$*"; }

if [ ! -f "$PID_FILE" ]; then
    say "no nats-server started by ensure-nats.sh (no $PID_FILE)"
    exit 0
fi
pid="$(tr -dc '0-9' < "$PID_FILE")"
if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
    say "nats-server (pid ${pid:-?}) is not running; removing stale $PID_FILE"
    rm -f "$PID_FILE"
    exit 0
fi
# Guard against a reused pid: only stop a nats-server process.
if [ -r "/proc/$pid/cmdline" ] && ! tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q 'nats-server'; then
    say "pid $pid is not a nats-server any more; removing stale $PID_FILE"
    rm -f "$PID_FILE"
    exit 0
fi
kill -TERM "$pid"
for _ in $(seq 1 40); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
done
if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
    say "nats-server (pid $pid) did not stop within 10s; killed it"
else
    say "stopped nats-server (pid $pid)"
fi
rm -f "$PID_FILE"

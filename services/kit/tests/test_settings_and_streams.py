"""Settings, the clock's format, and the shipped stream definitions agreeing with the code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from thidua_contracts.types import Timestamp
from thidua_kit.clock import new_id, now_timestamp
from thidua_kit.log import stream_configs
from thidua_kit.settings import Settings, database_url

DEPLOY = Path(__file__).resolve().parents[3] / "deploy" / "streams"


def test_the_service_database_defaults_to_sqlite_under_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("THIDUA_SCORING_DATABASE_URL", raising=False)
    settings = Settings(data_dir=tmp_path)
    assert database_url("scoring", settings) == f"sqlite:///{tmp_path.resolve()}/scoring.db"
    monkeypatch.setenv("THIDUA_SCORING_DATABASE_URL", "postgresql+psycopg://db/scoring")
    assert database_url("scoring", settings) == "postgresql+psycopg://db/scoring"
    assert database_url("audit", settings).endswith("/audit.db")


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THIDUA_STREAM", "THIDUA_TEST")
    monkeypatch.setenv("THIDUA_SUBJECT_PREFIX", "hanoi")
    settings = Settings()
    assert (settings.stream, settings.subject_prefix) == ("THIDUA_TEST", "hanoi")
    assert settings.checkpoints == "THIDUA_TEST_CHECKPOINTS"
    monkeypatch.setenv("THIDUA_SUBJECT_PREFIX", "has.dots")
    with pytest.raises(ValueError, match="subject_prefix"):
        Settings()


def test_the_clock_gives_valid_vietnam_timestamps_and_uuid7_ids() -> None:
    stamp = now_timestamp()
    assert TypeAdapter(Timestamp).validate_python(stamp) == stamp
    assert stamp.endswith("+07:00")
    first, second = new_id(), new_id()
    assert first[14] == "7" and first != second


@pytest.mark.parametrize("name", ["THIDUA", "THIDUA_CHECKPOINTS"])
def test_the_shipped_stream_definitions_match_what_provisioning_creates(name: str) -> None:
    shipped = json.loads((DEPLOY / f"{name}.json").read_text(encoding="utf-8"))
    made = {c.name: c for c in stream_configs(Settings())}[name]
    assert shipped["subjects"] == made.subjects
    assert shipped["deny_delete"] is made.deny_delete is True
    assert shipped["deny_purge"] is made.deny_purge is True
    assert shipped["storage"] == made.storage
    assert shipped["retention"] == made.retention
    assert shipped["duplicate_window"] == int(made.duplicate_window * 1_000_000_000)
    assert shipped["num_replicas"] == made.num_replicas

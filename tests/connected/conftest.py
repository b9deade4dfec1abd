"""A database per backend with the kit's and the reporting service's tables."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from thidua_kit.db import create_schema, make_engine
from thidua_reporting.adapters import tables


@pytest.fixture(params=["sqlite", "postgresql"])
def tables_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'nested' / 'tables.db'}"  # its folder made on connecting
    else:
        make: Callable[[], str] = request.getfixturevalue("postgres_databases")
        url = make()
    made = make_engine(url)
    create_schema(made, tables.metadata)
    yield made
    made.dispose()

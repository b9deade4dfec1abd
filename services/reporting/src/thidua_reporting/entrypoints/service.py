"""Composition root of the reporting service."""

from __future__ import annotations

from thidua_kit.host import ServiceDefinition
from thidua_kit.settings import Settings

from ..adapters.tables import metadata
from ..app import handlers
from ..app.fold import fold_event
from ..app.queries import QUERIES


def build(settings: Settings) -> ServiceDefinition:
    return ServiceDefinition(
        name="reporting",
        on_event=handlers.on_event,
        queries=dict(QUERIES),
        metadata=metadata,
        # `thidua report rebuild` folds the log into scratch tables with this very function
        # (tables only: no log appends, no files) and compares the answers with ours.
        extra={"fold": fold_event},
    )

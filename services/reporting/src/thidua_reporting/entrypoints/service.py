"""Composition root of the reporting service."""

from __future__ import annotations

from thidua_contracts.commands import IssueCityReport
from thidua_kit.host import ServiceDefinition
from thidua_kit.settings import Settings

from ..adapters.tables import metadata
from ..app import handlers, reports
from ..app.fold import fold_event
from ..app.lookups import LOOKUPS
from ..app.queries import QUERIES


def build(settings: Settings) -> ServiceDefinition:
    return ServiceDefinition(
        name="reporting",
        on_event=handlers.on_event,
        commands={IssueCityReport.NAME: (IssueCityReport, reports.issue_report)},
        queries={**QUERIES, **LOOKUPS},
        metadata=metadata,
        # `thidua report rebuild` folds the log into scratch tables with this very function
        # (tables only: no log appends, no files) and compares the answers with ours.
        extra={"fold": fold_event},
    )

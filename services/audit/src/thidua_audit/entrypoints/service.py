"""Composition root of the audit service."""

from __future__ import annotations

from thidua_contracts.commands import ExplainAward
from thidua_kit.host import ServiceDefinition
from thidua_kit.settings import Settings

from ..adapters.tables import metadata
from ..app import handlers


def build(settings: Settings) -> ServiceDefinition:
    return ServiceDefinition(
        name="audit",
        on_event=handlers.on_event,
        queries={ExplainAward.NAME: (ExplainAward, handlers.explain)},
        metadata=metadata,
    )

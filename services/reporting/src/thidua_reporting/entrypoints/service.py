"""Composition root of the reporting service."""

from __future__ import annotations

from thidua_contracts.commands import ListDocuments
from thidua_kit.host import ServiceDefinition
from thidua_kit.settings import Settings

from ..app import handlers


def build(settings: Settings) -> ServiceDefinition:
    return ServiceDefinition(
        name="reporting",
        on_event=handlers.on_event,
        queries={ListDocuments.NAME: (ListDocuments, handlers.list_documents)},
    )

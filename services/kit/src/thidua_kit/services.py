"""Finding and running services by name (entry point group `thidua.services`)."""

from __future__ import annotations

import asyncio
import logging
from importlib.metadata import entry_points

from .host import ServiceDefinition, ServiceHost
from .settings import Settings

SERVICE_NAMES = ("submissions", "scoring", "nominations", "reporting", "audit")


def load(name: str, settings: Settings) -> ServiceDefinition:
    found = {ep.name: ep for ep in entry_points(group="thidua.services")}
    if name not in found:
        raise LookupError(f"no service {name!r}; installed: {', '.join(sorted(found)) or 'none'}")
    build = found[name].load()
    definition: ServiceDefinition = build(settings)
    return definition


def run(name: str, settings: Settings) -> None:
    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s {name} %(levelname)s %(message)s")
    host = ServiceHost(load(name, settings), settings)
    asyncio.run(host.run())

"""Finding and running services by name (entry point group `thidua.services`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from importlib.metadata import entry_points
from typing import Any, TypeVar

from .host import ServiceDefinition, ServiceHost
from .settings import Settings

T = TypeVar("T")

SERVICE_NAMES = ("submissions", "scoring", "nominations", "reporting", "audit")


def load(name: str, settings: Settings) -> ServiceDefinition:
    found = {ep.name: ep for ep in entry_points(group="thidua.services")}
    if name not in found:
        raise LookupError(f"no service {name!r}; installed: {', '.join(sorted(found)) or 'none'}")
    build = found[name].load()
    definition: ServiceDefinition = build(settings)
    return definition


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop where installed (Linux, macOS): the services' message paths run faster on it."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def run_on_loop(work: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run` on the services' event loop (the CLI's long reads run faster on it too)."""
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        return runner.run(work)


def run(name: str, settings: Settings) -> None:
    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s {name} %(levelname)s %(message)s")
    host = ServiceHost(load(name, settings), settings)
    run_on_loop(host.run())

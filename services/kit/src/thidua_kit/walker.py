"""The log walked in a second process while this one receives it.

Checking an event (canonical form, provenance, leaf hash, tree) costs the verifier about as
much CPU as receiving it from the server; in one process the two add up, in two they overlap
on two cores. The walk itself is `thidua_contracts.verify.LogWalk`, the same the offline
verifier runs; this module only carries batches of events to it and its report back.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import traceback
from collections.abc import Iterable, Sequence
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any

from thidua_contracts.checkpoint import VerifierKey
from thidua_contracts.verify import LogWalk, Report

# Events per message to the walker: large enough that a message costs little beside the
# events it carries, small enough that the walker starts while the log is still arriving.
BATCH = 1000

# A fresh interpreter (about 0.2 s to import what the walk needs, while the first events
# arrive), not a fork: a forked child would hold this process's server connection open.
_CONTEXT = multiprocessing.get_context("spawn")


class WalkerError(RuntimeError):
    """The walking process failed or stopped; what it said, if anything."""


def _walk(conn: Connection, sizes: frozenset[int]) -> None:
    walk = LogWalk(sizes)
    failure: str | None = None
    while True:
        message = conn.recv()
        kind = message[0]
        if kind == "add":
            if failure is None:
                try:
                    for sequence, body in message[1]:
                        walk.add(sequence, body)
                except Exception:  # reported with the next report, as the parent asks then
                    failure = traceback.format_exc()
        elif kind == "report":
            _kind, notes, key, origin, leaves = message
            if failure is not None:
                conn.send(("error", failure))
                continue
            try:
                report = walk.report(notes, VerifierKey.parse(key), origin=origin, leaves=leaves)
            except Exception:
                conn.send(("error", traceback.format_exc()))
            else:
                conn.send(("ok", report))
        else:
            # Gone at once: the walk's leaves and ids are freed with the process, not object by
            # object (a tenth of a second on half a province's year, waited for by the parent).
            conn.close()
            os._exit(0)


class Walker:
    """`async with Walker(sizes) as walker`: `add` events in stream order, then `report`."""

    def __init__(self, sizes: Iterable[int]) -> None:
        self._conn, child = _CONTEXT.Pipe()
        self._process = _CONTEXT.Process(
            target=_walk, args=(child, frozenset(sizes)), name="thidua-log-walk", daemon=True
        )
        self._process.start()
        child.close()

    async def __aenter__(self) -> Walker:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self._stop)

    def _stop(self) -> None:
        with contextlib.suppress(OSError):  # already gone
            self._conn.send(("stop",))
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._conn.close()

    async def add(self, batch: Sequence[tuple[int, bytes]]) -> None:
        # In a thread, so the event loop keeps receiving while the pipe is full.
        await asyncio.to_thread(self._send, ("add", list(batch)))

    async def report(
        self,
        notes: Sequence[str],
        verifier: VerifierKey,
        *,
        origin: str | None = None,
        leaves: Sequence[bytes] | None = None,
    ) -> Report:
        self._send(("report", list(notes), verifier.encode(), origin, leaves))
        status, found = await asyncio.to_thread(self._receive)
        if status != "ok":
            raise WalkerError(f"the walk over the log failed:\n{found}")
        assert isinstance(found, Report)
        return found

    def _send(self, message: tuple[Any, ...]) -> None:
        try:
            self._conn.send(message)
        except OSError as exc:
            raise WalkerError(f"the walking process stopped (exit {self._exit()})") from exc

    def _receive(self) -> tuple[str, Any]:
        try:
            message: tuple[str, Any] = self._conn.recv()
        except (EOFError, OSError) as exc:
            raise WalkerError(f"the walking process stopped (exit {self._exit()})") from exc
        return message

    def _exit(self) -> int | None:
        self._process.join(timeout=1)
        return self._process.exitcode

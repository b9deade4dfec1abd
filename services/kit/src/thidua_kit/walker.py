"""The log walked in a second process while this one receives it.

Checking an event (canonical form, provenance, leaf hash, tree) costs the verifier about as
much CPU as receiving it from the server; in one process the two add up, in two they overlap
on two cores. The walk itself is `thidua_contracts.verify.LogWalk`, the same the offline
verifier runs; this module only carries batches of events to it and its report back, as
length-prefixed pickles over the child's standard input and output.

The child is `python -m thidua_kit.walker`, not a multiprocessing child: that would import the
parent's main script again (the whole CLI, 0.8 s) before it walked anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import pickle
import struct
import sys
import traceback
from collections.abc import Iterable, Sequence
from typing import IO, Any

from thidua_contracts.checkpoint import VerifierKey
from thidua_contracts.verify import LogWalk, Report

# Events per message to the walker: large enough that a message costs little beside the
# events it carries, small enough that the walker starts while the log is still arriving.
BATCH = 1000

_LENGTH = struct.Struct(">Q")
PIPE_SIZE = 1 << 20


class WalkerError(RuntimeError):
    """The walking process failed or stopped; what it said, if anything."""


def _frame(message: tuple[Any, ...]) -> bytes:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(data)) + data


class Walker:
    """`async with Walker(sizes) as walker`: `add` events in stream order, then `report`."""

    def __init__(self, sizes: Iterable[int]) -> None:
        self._sizes = sorted(sizes)
        self._process: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> Walker:
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "thidua_kit.walker",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        # A 1 MiB pipe rather than 64 KiB: with the default, the walker sleeps and wakes for
        # every 50 events or so, and verify ran no faster than in one process.
        stdin = self._process.stdin
        assert stdin is not None
        with contextlib.suppress(OSError, AttributeError):  # Linux only; limited by pipe-max-size
            fcntl.fcntl(
                stdin.transport.get_extra_info("pipe").fileno(), fcntl.F_SETPIPE_SZ, PIPE_SIZE
            )
        await self._send(("sizes", self._sizes))
        return self

    async def __aexit__(self, *_exc: object) -> None:
        process = self._running()
        if process.stdin is not None and not process.stdin.is_closing():
            process.stdin.close()  # end of input: the walker exits
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            process.kill()
            await process.wait()

    async def add(self, batch: Sequence[tuple[int, bytes]]) -> None:
        await self._send(("add", list(batch)))

    async def report(
        self,
        notes: Sequence[str],
        verifier: VerifierKey,
        *,
        origin: str | None = None,
        leaves: Sequence[bytes] | None = None,
    ) -> Report:
        await self._send(("report", list(notes), verifier.encode(), origin, leaves))
        stdout = self._running().stdout
        assert stdout is not None
        try:
            length = _LENGTH.unpack(await stdout.readexactly(_LENGTH.size))[0]
            status, found = pickle.loads(await stdout.readexactly(length))
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            raise WalkerError(f"the walking process stopped (exit {await self._exit()})") from exc
        if status != "ok":
            raise WalkerError(f"the walk over the log failed:\n{found}")
        assert isinstance(found, Report)
        return found

    async def _send(self, message: tuple[Any, ...]) -> None:
        stdin = self._running().stdin
        assert stdin is not None
        try:
            stdin.write(_frame(message))
            # Waits while the pipe is full: the walker sets the pace, and the event loop keeps
            # receiving meanwhile (up to the log's replay buffer).
            await stdin.drain()
        except ConnectionError as exc:
            raise WalkerError(f"the walking process stopped (exit {await self._exit()})") from exc

    def _running(self) -> asyncio.subprocess.Process:
        if self._process is None:
            raise WalkerError("the walker is used outside `async with`")
        return self._process

    async def _exit(self) -> int | None:
        try:
            return await asyncio.wait_for(self._running().wait(), 1)
        except TimeoutError:
            return None


def _read(source: IO[bytes]) -> tuple[Any, ...] | None:
    head = source.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None  # the parent closed its end: done
    message: tuple[Any, ...] = pickle.loads(source.read(_LENGTH.unpack(head)[0]))
    return message


def _walk(source: IO[bytes], sink: IO[bytes]) -> None:
    walk = LogWalk(())
    failure: str | None = None
    while (message := _read(source)) is not None:
        kind = message[0]
        if kind == "sizes":
            walk = LogWalk(message[1])
        elif kind == "add" and failure is None:
            try:
                for sequence, body in message[1]:
                    walk.add(sequence, body)
            except Exception:  # told with the next report, as the parent asks then
                failure = traceback.format_exc()
        elif kind == "report":
            _kind, notes, key, origin, leaves = message
            reply: tuple[str, Any]
            if failure is not None:
                reply = ("error", failure)
            else:
                try:
                    verifier = VerifierKey.parse(key)
                    reply = ("ok", walk.report(notes, verifier, origin=origin, leaves=leaves))
                except Exception:
                    reply = ("error", traceback.format_exc())
            sink.write(_frame(reply))
            sink.flush()


if __name__ == "__main__":
    _walk(sys.stdin.buffer, sys.stdout.buffer)
    sys.stdout.flush()
    # Gone at once: the walk's leaves and ids are freed with the process, not object by object
    # (a tenth of a second on half a province's year, waited for by the parent).
    os._exit(0)

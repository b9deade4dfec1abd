"""Client of the public NATS API (commands and queries), used by the CLI, the demo and tests."""

from __future__ import annotations

import asyncio
from types import TracebackType

import nats
from nats.aio.client import Client as NatsClient
from nats.errors import NoRespondersError, NoServersError
from nats.errors import TimeoutError as NatsTimeoutError

from thidua_contracts import subjects
from thidua_contracts.commands import Command, Query
from thidua_contracts.errors import ErrorCode
from thidua_contracts.replies import CommandReply, Error, QueryReply

from .log import EventLog
from .settings import Settings, nats_auth


class UnreachableError(ConnectionError):
    pass


async def _quiet(_error: Exception) -> None:
    """The caller reports failures as one clear line; no tracebacks from the client library."""


class Client:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._nc: NatsClient | None = None

    async def __aenter__(self) -> Client:
        try:
            self._nc = await nats.connect(
                self.settings.nats_servers,
                name="thidua-client",
                connect_timeout=3,
                allow_reconnect=False,
                # nats-py retries the first connection too: twice, quickly, then a clear error.
                max_reconnect_attempts=1,
                reconnect_time_wait=1,
                error_cb=_quiet,
                **nats_auth(self.settings),
            )
        except (NoServersError, OSError, NatsTimeoutError) as exc:
            raise UnreachableError(
                f"cannot reach NATS at {self.settings.nats_url}: {type(exc).__name__}"
            ) from exc
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._nc is not None:
            await self._nc.close()

    @property
    def nc(self) -> NatsClient:
        assert self._nc is not None, "use `async with Client(settings)`"
        return self._nc

    def log(self) -> EventLog:
        return EventLog(self.nc.jetstream(), self.settings)

    async def request_raw(self, subject: str, body: bytes) -> bytes | Error:
        try:
            msg = await self.nc.request(
                subject, body, timeout=self.settings.request_timeout_seconds
            )
        except NoRespondersError:
            return Error.of(ErrorCode.UNAVAILABLE, None, f"no service answers {subject}")
        except NatsTimeoutError:
            return Error.of(ErrorCode.UNAVAILABLE, None, f"{subject} did not answer in time")
        return bytes(msg.data)

    async def command(self, command: Command) -> CommandReply:
        subject = subjects.command_subject(
            self.settings.subject_prefix, command.SERVICE, command.NAME
        )
        raw = await self.request_raw(subject, command.model_dump_json().encode())
        if isinstance(raw, Error):
            return CommandReply(status="rejected", command_id=command.command_id, error=raw)
        return CommandReply.model_validate_json(raw)

    async def status(self, service: str) -> QueryReply:
        subject = subjects.query_subject(self.settings.subject_prefix, service, "status")
        raw = await self.request_raw(subject, b"{}")
        if isinstance(raw, Error):
            return QueryReply(status="rejected", error=raw)
        return QueryReply.model_validate_json(raw)

    async def wait_until_folded(
        self, services: tuple[str, ...], sequence: int, within: float = 30.0
    ) -> None:
        """Wait until every named service has folded the log up to `sequence`."""
        deadline = asyncio.get_running_loop().time() + within
        for service in services:
            while True:
                reply = await self.status(service)
                if reply.status == "ok" and reply.result["position"] >= sequence:
                    break
                if asyncio.get_running_loop().time() > deadline:
                    raise TimeoutError(f"{service} did not reach sequence {sequence}")
                await asyncio.sleep(0.05)

    async def wait_until_stable(self, services: tuple[str, ...], within: float = 60.0) -> int:
        """Wait until the services have folded the whole log, including what they appended
        in reaction; returns the last sequence."""
        last = -1
        while last != (last := await self.log().last_sequence()):
            await self.wait_until_folded(services, last, within)
        return last

    async def query(self, query: Query) -> QueryReply:
        subject = subjects.query_subject(self.settings.subject_prefix, query.SERVICE, query.NAME)
        raw = await self.request_raw(subject, query.model_dump_json().encode())
        if isinstance(raw, Error):
            return QueryReply(status="rejected", error=raw)
        return QueryReply.model_validate_json(raw)

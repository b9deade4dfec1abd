"""Aggregates kept in a service's own database, appended to the log with the expected sequence."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel

from thidua_contracts.envelope import Envelope
from thidua_contracts.events import EventPayload

from .db import Store
from .log import EventLog, StoredEvent

S = TypeVar("S", bound=BaseModel)

Evolve = Callable[[S, Envelope, EventPayload], S]


@dataclass(frozen=True)
class Aggregate(Generic[S]):
    """One kind of aggregate: its state model, initial state and evolve function.

    The key is the aggregate's subject, so the stored `last_seq` is exactly the
    expected-last-subject-sequence of the next append.
    """

    kind: str
    model: type[S]
    initial: Callable[[], S]
    evolve: Evolve[S]

    def load(self, store: Store, subject: str) -> tuple[S, int]:
        state, last_seq = store.get(self.kind, subject, self.model)
        return (state if state is not None else self.initial()), last_seq

    def exists(self, store: Store, subject: str) -> bool:
        return store.get(self.kind, subject, self.model)[1] > 0

    async def append(
        self,
        store: Store,
        log: EventLog,
        subject: str,
        events: Sequence[Envelope],
        parse: Callable[[Envelope], EventPayload],
    ) -> list[StoredEvent]:
        state, last_seq = self.load(store, subject)
        stored = await log.append(events, last_seq)
        log.fault_point("kill-after-append")
        for item in stored:
            state = self.evolve(state, item.envelope, parse(item.envelope))
            last_seq = item.sequence
        if stored:
            store.put(self.kind, subject, state, last_seq)
        return stored

    def fold(self, store: Store, item: StoredEvent, payload: EventPayload) -> bool:
        """Consumer path: fold an event of this aggregate unless the writer already did."""
        subject = item.envelope.subject
        state, last_seq = self.load(store, subject)
        if item.sequence <= last_seq:
            return False
        store.put(self.kind, subject, self.evolve(state, item.envelope, payload), item.sequence)
        return True

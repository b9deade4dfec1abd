"""Scale-out: deterministic partitions of the event subjects, each owned by one replica at a
time through a lease in a JetStream key-value bucket (DESIGN §4; README "Scale-out").

Why these choices, on nats-server 2.9 and later alike:
- The partition of an event is CRC-32 of its movement token (`<prefix>.evt.<context>.<aggregate>.
  <movement>…`) modulo the partition count. Every aggregate subject names its movement, so one
  aggregate always lands in one partition (its order holds); and the deciders read other
  aggregates of the same movement (a score sheet reads the registration and the round), so a
  whole movement stays in one partition and decides exactly as a single consumer would.
- nats-server 2.9 has no subject-transform partitions, and the stored subject must stay the
  aggregate's subject (expected-sequence appends, auditors). So each partition has its own
  durable consumer over all events, and skips the events of other partitions (acked, position
  advanced) without handling them.
- A lease is a key `<service>.p<n>` in bucket `<stream>_PARTITIONS`, whose max age is the lease
  time: the owner renews it with a compare-and-set on its revision; a dead owner's key simply
  expires and another replica creates it. Replicas announce themselves (`<service>.replica.<id>`)
  so that each takes its share, ceil(partitions / replicas), preferring partitions by rendezvous
  hash so the assignment is stable.
- Two replicas that briefly both believe they own a partition (a stalled process whose lease
  expired) cannot both fold it: the batch transaction locks the partition's position row, and a
  redelivered event is skipped by position.
"""

from __future__ import annotations

import hashlib
import zlib

from nats.js import JetStreamContext
from nats.js.errors import (
    BucketNotFoundError,
    KeyDeletedError,
    KeyNotFoundError,
    KeyWrongLastSequenceError,
)
from nats.js.kv import KeyValue

from .settings import Settings

ALIVE = b"alive"


def movement_token(subject: str) -> str:
    parts = subject.split(".")
    return parts[4] if len(parts) > 4 else ""


def partition_of(subject: str, partitions: int) -> int:
    """Deterministic in every process and every language: CRC-32 (IEEE) of the movement token."""
    return zlib.crc32(movement_token(subject).encode()) % partitions


def preference(replica: str, partitions: int) -> list[int]:
    """Rendezvous order: each replica prefers different partitions, the same ones every time."""
    # SHA-256, not CRC-32: CRC is linear, so every replica would get the same order.
    return sorted(
        range(partitions), key=lambda p: hashlib.sha256(f"{replica}:{p}".encode()).digest()
    )


def share(partitions: int, replicas: int) -> int:
    return -(-partitions // max(1, replicas))


class LeasesMissingError(Exception):
    pass


async def provision_leases(js: JetStreamContext, settings: Settings) -> str:
    """Create the lease bucket if missing (admin, with the streams). Idempotent."""
    try:
        await js.key_value(settings.leases)
        return f"KV {settings.leases}: exists, reused"
    except BucketNotFoundError:
        await js.create_key_value(
            bucket=settings.leases,
            history=1,
            ttl=settings.lease_seconds,
            replicas=settings.replicas,
        )
        return f"KV {settings.leases}: created (leases of {settings.lease_seconds:g} s)"


class Leases:
    """One replica's view of its service's partition leases."""

    def __init__(self, js: JetStreamContext, settings: Settings, service: str, replica: str):
        self._js = js
        self._settings = settings
        self.service = service
        self.replica = replica
        self._kv: KeyValue | None = None

    async def open(self) -> None:
        try:
            self._kv = await self._js.key_value(self._settings.leases)
        except BucketNotFoundError as exc:
            raise LeasesMissingError(
                f"key-value bucket {self._settings.leases} does not exist: run "
                "`thidua admin provision` with THIDUA_PARTITIONS (or THIDUA_REPLICA_ID) set"
            ) from exc

    @property
    def kv(self) -> KeyValue:
        assert self._kv is not None, "open() first"
        return self._kv

    def _key(self, partition: int) -> str:
        return f"{self.service}.p{partition}"

    def _replica_key(self, replica: str) -> str:
        return f"{self.service}.replica.{replica}"

    async def announce(self) -> None:
        await self.kv.put(self._replica_key(self.replica), ALIVE)

    async def withdraw(self) -> None:
        try:
            await self.kv.delete(self._replica_key(self.replica))
        except Exception:  # leaving anyway: the key expires on its own
            return

    async def alive(self) -> set[str]:
        """Replicas of this service whose announcement has neither expired nor been withdrawn."""
        prefix = f"$KV.{self._settings.leases}."
        info = await self._js.stream_info(
            f"KV_{self._settings.leases}",
            subjects_filter=f"{prefix}{self._replica_key('*')}",
        )
        found = {self.replica}
        for subject in info.state.subjects or {}:
            name = subject.rsplit(".", 1)[-1]
            try:
                entry = await self.kv.get(self._replica_key(name))
            except (KeyNotFoundError, KeyDeletedError):
                continue
            if entry.value == ALIVE:
                found.add(name)
        return found

    async def claim(self, partition: int) -> int | None:
        """The lease's revision if it was free and is now ours, else None."""
        try:
            return int(await self.kv.create(self._key(partition), self.replica.encode()))
        except KeyWrongLastSequenceError:
            return None

    async def renew(self, partition: int, revision: int) -> int | None:
        """The new revision, or None when the lease expired and someone else holds it."""
        try:
            return int(
                await self.kv.update(self._key(partition), self.replica.encode(), last=revision)
            )
        except KeyWrongLastSequenceError:
            return None

    async def release(self, partition: int, revision: int) -> None:
        try:
            await self.kv.delete(self._key(partition), last=revision)
        except Exception:  # someone holds it already, or it expired: nothing to give back
            return

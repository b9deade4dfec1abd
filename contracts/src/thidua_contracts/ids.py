"""Deterministic ids for computed decisions (DESIGN §2).

A computed event's id is UUIDv5 of (causing event id, index), so deciding again after a crash
yields the same ids and JetStream's duplicate window drops the second append.
"""

from __future__ import annotations

import uuid

NAMESPACE = uuid.UUID("6f1c2a1e-3b7d-5c0e-9a41-7468692d6475")


def derived_id(cause: str, index: int) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{cause}/{index}"))

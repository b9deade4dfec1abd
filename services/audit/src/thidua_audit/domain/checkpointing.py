"""When to sign a checkpoint (pure): every N events, or after T seconds once caught up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from thidua_contracts.subjects import slugify


@dataclass(frozen=True)
class Policy:
    every: int  # events since the last checkpoint
    seconds: float  # time since the last checkpoint, checked when the follower is caught up


def due(
    policy: Policy,
    size: int,
    last_size: int,
    last_issued_at: str | None,
    now: str,
    caught_up: bool,
) -> bool:
    """Only the end of what is in the log so far waits for the clock; a busy log is signed
    every N events, so a checkpoint never lags far behind whatever the load."""
    if size <= last_size:
        return False
    if size - last_size >= policy.every:
        return True
    if not caught_up:
        return False
    if last_issued_at is None:
        return True
    elapsed = datetime.fromisoformat(now) - datetime.fromisoformat(last_issued_at)
    return elapsed.total_seconds() >= policy.seconds


def default_origin(stream: str) -> str:
    return f"thidua/{stream}"


def origin_token(origin: str) -> str:
    """The origin as one subject token: `<prefix>.checkpoint.<token>`."""
    return slugify(origin) or "log"


def message_id(origin: str, size: int) -> str:
    # The same tree size is the same checkpoint: republishing it after a crash is a duplicate.
    return f"{origin}/{size}"

"""The only place that reads the clock or mints new ids; the domain receives both as input."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import uuid6

VIETNAM = timezone(timedelta(hours=7))


def now_timestamp() -> str:
    """Current time in Vietnam, whole milliseconds, e.g. 2022-12-20T09:15:02.123+07:00."""
    return datetime.now(VIETNAM).isoformat(timespec="milliseconds")


def new_id() -> str:
    return str(uuid6.uuid7())

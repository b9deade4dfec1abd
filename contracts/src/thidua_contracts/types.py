"""Constrained scalar types shared by every contract model."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)]
UuidStr = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),
]


def _real_time(value: str) -> str:
    datetime.fromisoformat(value)  # raises on 30 February, 25:61 and the like
    return value


# Always Vietnam's offset: documents and deadlines are local, and a fixed offset keeps bytes stable.
Timestamp = Annotated[
    str,
    StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?\+07:00$"),
    AfterValidator(_real_time),
]
# Scores and measured values as decimal strings: no floats ever enter the log.
DecimalStr = Annotated[str, StringConstraints(pattern=r"^-?\d{1,12}(\.\d{1,4})?$")]
Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Vnd = Annotated[int, Field(ge=0, le=10**13)]


def _nfc(value: str) -> str:
    if unicodedata.normalize("NFC", value) != value:
        raise ValueError("text is not in Unicode NFC form")
    return value


# Human-readable Vietnamese text: must already be NFC so the same name is the same bytes.
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000), AfterValidator(_nfc)]
LongText = Annotated[str, StringConstraints(max_length=20000), AfterValidator(_nfc)]

"""Constrained scalar types shared by every contract model."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

# Patterns are read by pydantic here and by ECMA-262 engines wherever the published schemas are
# used. Their shorthand classes differ: `\d` is any Unicode digit to pydantic ("١٤" would pass
# as points) but 0-9 to ECMA-262; `\s` takes in U+0085 but not U+FEFF in one and the reverse in
# the other. So every pattern spells its classes out: digits as [0-9], and this set, which is
# ECMA-262's `\s` (WhiteSpace and LineTerminator), written so that every engine reads it alike.
ECMA_SPACE = r"\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"

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
    StringConstraints(
        pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?\+07:00$"
    ),
    AfterValidator(_real_time),
]
# Scores and measured values as decimal strings: no floats ever enter the log.
DecimalStr = Annotated[str, StringConstraints(pattern=r"^-?[0-9]{1,12}(\.[0-9]{1,4})?$")]
Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Vnd = Annotated[int, Field(ge=0, le=10**13)]


def _nfc(value: str) -> str:
    if unicodedata.normalize("NFC", value) != value:
        raise ValueError("text is not in Unicode NFC form")
    return value


# Human-readable Vietnamese text: must already be NFC so the same name is the same bytes.
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000), AfterValidator(_nfc)]
LongText = Annotated[str, StringConstraints(max_length=20000), AfterValidator(_nfc)]

"""Subject builders. One subject per aggregate instance; keys are slugs."""

from __future__ import annotations

import re
import unicodedata

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DEFAULT_PREFIX = "thidua"
CONTEXTS = ("submissions", "scoring", "nominations", "reporting", "audit")


class InvalidSubjectError(ValueError):
    pass


def is_slug(value: str) -> bool:
    return bool(SLUG.match(value))


def slugify(text: str) -> str:
    """Vietnamese name → slug ("Phường Vũ Ninh" → "phuong-vu-ninh")."""
    text = unicodedata.normalize("NFC", text).replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "-", ascii_only.lower()).strip("-")


def event_subject(prefix: str, context: str, aggregate: str, *keys: str) -> str:
    if context not in CONTEXTS:
        raise InvalidSubjectError(f"unknown context {context!r}")
    for part in (aggregate, *keys):
        if not is_slug(part):
            raise InvalidSubjectError(f"subject key {part!r} is not a slug [a-z0-9-]")
    return ".".join((prefix, "evt", context, aggregate, *keys))


def events_wildcard(prefix: str) -> str:
    return f"{prefix}.evt.>"


def command_subject(prefix: str, service: str, command: str) -> str:
    return f"{prefix}.cmd.{service}.{command}"


def query_subject(prefix: str, service: str, query: str) -> str:
    return f"{prefix}.qry.{service}.{query}"


def parked_subject(prefix: str, service: str) -> str:
    return f"{prefix}.parked.{service}"


def checkpoint_subject(prefix: str, origin: str) -> str:
    return f"{prefix}.checkpoint.{origin}"

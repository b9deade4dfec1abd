"""Canonical JSON (RFC 8785) — the exact bytes of every message body and Merkle leaf."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import rfc8785


class NotCanonicalError(ValueError):
    """A body that does not equal the canonical form of its own content."""


def canonical_bytes(value: Any) -> bytes:
    """Serialise plain JSON data (dict/list/str/int/bool/None) canonically.

    Floats are refused on purpose: amounts and scores travel as integers or decimal strings so
    that every verifier, in any language, reproduces the same bytes.
    """
    _refuse_floats(value)
    return rfc8785.dumps(value)


def parse_canonical(body: bytes) -> Any:
    """Parse a body and insist it is already in canonical form."""
    try:
        value = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotCanonicalError(f"not JSON: {exc}") from exc
    try:
        again = canonical_bytes(value)
    except (TypeError, ValueError) as exc:
        raise NotCanonicalError(str(exc)) from exc
    if again != body:
        raise NotCanonicalError("body is JSON but not in RFC 8785 canonical form")
    return value


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _refuse_floats(value: Any) -> None:
    if isinstance(value, float):
        raise TypeError("floats are not allowed in contract messages; use int or a decimal string")
    if isinstance(value, dict):
        for item in value.values():
            _refuse_floats(item)
    elif isinstance(value, list):
        for item in value:
            _refuse_floats(item)

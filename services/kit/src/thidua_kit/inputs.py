"""The boundary every command and query body crosses before a handler sees it.

The contracts' models say what a valid body is; this adds what a lenient JSON parser and
pydantic's lax mode would let through and a later step would trip over:
- JSON's own grammar: `NaN` and `Infinity` are not JSON (Python's parser takes them);
- strict types: `true` or `"9"` is not a count of ballots;
- text a document cannot print: a control character in a signer's name is accepted by the
  log but refused by every .docx writer (XML 1.0), so the Quyết định would never be written;
- unknown fields anywhere: the nested parts of a command ignore unknown fields (so events stay
  readable as they grow), which would silently drop a misspelt optional field of a command.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, ValidationError

from thidua_contracts.errors import ErrorCode
from thidua_contracts.replies import Error

# Unicode's control characters (category Cc) but tab and line breaks, which a document prints;
# lone surrogates (Cs); and the two noncharacters XML 1.0 excludes.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

# Where such a character can be in a JSON body: escaped (JSON must escape U+0000–U+001F, and
# may escape anything), or raw in UTF-8 (DEL, C1, U+FFFE/U+FFFF). A body with none of these is
# clean without walking its strings, which costs more than parsing it.
_MAYBE_UNPRINTABLE = re.compile(rb"\\[ubf]|\x7f|\xc2[\x80-\x9f]|\xef\xbf[\xbe\xbf]")


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON value")


def unprintable(text: str) -> int | None:
    """Index of the first character no document can hold, if any."""
    found = _UNPRINTABLE.search(text)
    return None if found is None else found.start()


def _bad_text(value: Any, path: tuple[str, ...] = ()) -> tuple[str, str] | None:
    if isinstance(value, str):
        index = unprintable(value)
        if index is None:
            return None
        return ".".join(path) or "", f"U+{ord(value[index]):04X} at character {index}"
    if isinstance(value, dict):
        for key, item in value.items():
            found = _bad_text(key, (*path, repr(key))) or _bad_text(item, (*path, str(key)))
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _bad_text(item, (*path, str(index)))
            if found:
                return found
    return None


def _unknown_field(given: Any, kept: Any, path: tuple[str, ...] = ()) -> str | None:
    """The first key of the body that the parsed model does not hold."""
    if isinstance(given, dict) and isinstance(kept, dict):
        for key, item in given.items():
            if key not in kept:
                return ".".join((*path, str(key)))
            found = _unknown_field(item, kept[key], (*path, str(key)))
            if found:
                return found
    if isinstance(given, list) and isinstance(kept, list) and len(given) == len(kept):
        for index, (item, held) in enumerate(zip(given, kept, strict=True)):
            found = _unknown_field(item, held, (*path, str(index)))
            if found:
                return found
    return None


def parse_request(model: type[BaseModel], body: bytes) -> BaseModel | Error:
    try:
        data = json.loads(body, parse_constant=_not_json)
    except (UnicodeDecodeError, ValueError) as exc:
        return Error.of(ErrorCode.MALFORMED, None, str(exc)[:200])
    bad = _bad_text(data) if _MAYBE_UNPRINTABLE.search(body) else None
    if bad is not None:
        field, detail = bad
        return Error.of(ErrorCode.INVALID_CHARACTER, field or None, detail)
    try:
        parsed = model.model_validate_json(body, strict=True)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or None
        code = ErrorCode.NOT_NFC if "NFC" in first["msg"] else ErrorCode.INVALID_FIELD
        return Error.of(code, where, first["msg"][:300])
    unknown = _unknown_field(data, parsed.model_dump(mode="json"))
    if unknown is not None:
        return Error.of(ErrorCode.INVALID_FIELD, unknown, "Extra inputs are not permitted")
    return parsed

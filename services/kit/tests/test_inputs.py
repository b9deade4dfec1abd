"""The request boundary: what pydantic's lax mode and Python's JSON parser would let through."""

from __future__ import annotations

import json
from typing import Any

import pytest

from thidua_contracts.commands import RecordTally
from thidua_contracts.replies import Error
from thidua_kit.inputs import parse_request, unprintable

TALLY: dict[str, Any] = {
    "command_id": "0190a0b0-0000-7000-8000-000000000001",
    "actor": {"id": "thu-ky", "role": "council_secretary", "unit": None, "name": "Lê Thị Mai"},
    "movement_id": "bn-2022",
    "proposal_id": "0190a0b0-0000-7000-8000-000000000002",
    "session_id": "hd-2022-12-20",
    "session_date": "2022-12-20",
    "members_total": 9,
    "present": 9,
    "issued": 9,
    "returned": 9,
    "valid": 9,
    "yes": 7,
}


def _error(body: bytes) -> Error:
    parsed = parse_request(RecordTally, body)
    assert isinstance(parsed, Error), parsed
    return parsed


def _with(**changes: Any) -> bytes:
    return json.dumps({**TALLY, **changes}).encode()


def test_a_valid_tally_parses() -> None:
    parsed = parse_request(RecordTally, _with())
    assert isinstance(parsed, RecordTally) and parsed.returned == 9


@pytest.mark.parametrize("value", [True, "9", 9.0])
def test_a_count_must_be_a_json_integer(value: Any) -> None:
    error = _error(_with(returned=value))
    assert (error.code.value, error.field) == ("invalid_field", "returned")


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_json_numbers_are_malformed(literal: str) -> None:
    body = _with().replace(b'"yes": 7', f'"yes": {literal}'.encode())
    assert _error(body).code.value == "malformed"


@pytest.mark.parametrize(
    ("name", "at"),
    [("Lê\x00Mai", 2), ("Lê\x0bMai", 2), ("Lê Mai\x85", 6), ("\ufffeLê", 0), ("Lê\ud800", 2)],
)
def test_text_no_document_can_hold_is_refused_with_its_place(name: str, at: int) -> None:
    body = json.dumps({**TALLY, "actor": {**TALLY["actor"], "name": name}}).encode()
    error = _error(body)
    assert (error.code.value, error.field) == ("invalid_character", "actor.name")
    assert f"at character {at}" in error.message_en
    assert error.message_vi.startswith("Văn bản chứa ký tự")


def test_tabs_and_line_breaks_are_text() -> None:
    assert unprintable("Tổ 1\tTổ 2\r\nTổ 3") is None
    body = json.dumps({**TALLY, "actor": {**TALLY["actor"], "name": "Lê\tMai"}}).encode()
    assert isinstance(parse_request(RecordTally, body), RecordTally)


def test_an_unknown_field_is_named_wherever_it_is() -> None:
    error = _error(_with(ghi_chu="x"))
    assert (error.code.value, error.field) == ("invalid_field", "ghi_chu")
    body = json.dumps({**TALLY, "actor": {**TALLY["actor"], "email": "a@b"}}).encode()
    assert _error(body).field == "actor.email"


def test_every_unprintable_character_is_refused_however_the_json_spells_it() -> None:
    """The body is searched for such characters only where its bytes could hold one: this
    checks that shortcut against every code point, escaped and raw."""
    unprintables = [chr(i) for i in range(0x110000) if unprintable(chr(i)) == 0]
    assert len(unprintables) == 62 + 2048 + 2  # Cc but tab, LF, CR; Cs; U+FFFE, U+FFFF
    for char in unprintables:
        spellings = [json.dumps(f"Lê{char}", ensure_ascii=True)]
        if char >= " " and not "\ud800" <= char <= "\udfff":
            spellings.append(json.dumps(f"Lê{char}", ensure_ascii=False))
        for spelled in spellings:
            body = json.dumps({**TALLY, "actor": {**TALLY["actor"], "name": "@"}}).replace(
                '"@"', spelled
            )
            error = _error(body.encode())
            assert (error.code.value, error.field) == ("invalid_character", "actor.name"), char

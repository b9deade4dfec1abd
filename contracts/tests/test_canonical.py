"""Canonical JSON (RFC 8785): the exact bytes of every message body and Merkle leaf."""

from __future__ import annotations

import json
from typing import Any
from unittest.mock import patch

import orjson
import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from thidua_contracts import canonical
from thidua_contracts.canonical import NotCanonicalError, canonical_bytes, parse_canonical

SAFE_INT = 2**53 - 1  # the largest integer every JSON reader represents exactly


def json_values() -> st.SearchStrategy[Any]:
    """JSON-like values without floats: what a contract message may carry."""
    scalars = st.none() | st.booleans() | st.integers(-SAFE_INT, SAFE_INT) | st.text()
    return st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=5) | st.dictionaries(st.text(), children, max_size=5)
        ),
        max_leaves=25,
    )


def utf16_units(text: str) -> list[int]:
    raw = text.encode("utf-16-be")
    return [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]


# --- canonical_bytes -------------------------------------------------------------------------


def test_keys_are_sorted_and_there_is_no_whitespace() -> None:
    body = canonical_bytes({"b": 1, "a": [1, 2, {"d": None, "c": True}], "c": "x y"})

    assert body == b'{"a":[1,2,{"c":true,"d":null}],"b":1,"c":"x y"}'


def test_nested_keys_are_sorted_at_every_depth() -> None:
    body = canonical_bytes({"outer": {"z": {"y": 1, "x": 2}, "a": 0}})

    assert body == b'{"outer":{"a":0,"z":{"x":2,"y":1}}}'


def test_keys_sort_by_utf16_code_units_not_by_utf8_bytes_or_code_points() -> None:
    # RFC 8785 §3.2.3: "z" (U+007A) < "é" (U+00E9) < "€" (U+20AC), and an astral character
    # (surrogates D83D DE00) sorts before U+FB33 although its code point is larger.
    value = {"\u20ac": 1, "z": 2, "é": 3, "\ufb33": 4, "\U0001f600": 5, "1": 6, "\r": 7}

    body = canonical_bytes(value)

    keys = list(json.loads(body))
    assert keys == ["\r", "1", "z", "é", "\u20ac", "\U0001f600", "\ufb33"]
    assert keys == sorted(value, key=utf16_units)
    assert keys != sorted(value)  # plain code point order would differ here


def test_vietnamese_text_stays_utf8_not_unicode_escapes() -> None:
    body = canonical_bytes({"ten": "Phường Vũ Ninh – Đáp Cầu"})

    assert body == '{"ten":"Phường Vũ Ninh – Đáp Cầu"}'.encode()
    assert b"\\u" not in body


def test_integers_and_literals_are_written_plainly() -> None:
    assert canonical_bytes([0, -1, 447000, True, False, None]) == b"[0,-1,447000,true,false,null]"


@pytest.mark.parametrize(
    "value",
    [
        1.0,
        {"prize": 450000.0},
        {"a": [1, 2, {"b": [0.5]}]},
        [[[{"deep": {"deeper": 3.14}}]]],
    ],
    ids=["top-level", "in-dict", "nested-list-dict", "deeply-nested"],
)
def test_floats_are_refused_anywhere(value: Any) -> None:
    with pytest.raises(TypeError, match="float"):
        canonical_bytes(value)


# --- parse_canonical -------------------------------------------------------------------------


def test_canonical_bytes_are_accepted_and_parsed() -> None:
    value = {"a": [1, {"b": "Hòa Long"}], "c": None}

    assert parse_canonical(canonical_bytes(value)) == value


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{\n  "a": 1,\n  "b": 2\n}', id="pretty-printed"),
        pytest.param(b'{"a": 1, "b": 2}', id="spaces-after-separators"),
        pytest.param(b'{"b":1,"a":2}', id="unsorted-keys"),
        pytest.param(b'{"a":{"y":1,"x":2}}', id="unsorted-nested-keys"),
        pytest.param(b'{"a":"\\u0050h\\u01b0\\u1eddng"}', id="unicode-escapes"),
        pytest.param(b"not json", id="not-json"),
        pytest.param(b"", id="empty"),
        pytest.param(b'{"a":1', id="truncated"),
        pytest.param(b'"\xff\xfe"', id="invalid-utf8"),
        pytest.param(b'{"a":"Ph\xc6"}', id="truncated-utf8-sequence"),
        pytest.param(b'{"a":1.5}', id="float"),
        pytest.param(b'{"a":1}\n', id="trailing-newline"),
        pytest.param(b'{"a":1,"a":1}', id="duplicate-keys"),
        pytest.param(b"9007199254740992", id="integer-beyond-2-53"),
        pytest.param(b'{"a":"\\ud800"}', id="lone-surrogate"),
        pytest.param(b'"\\/"', id="escaped-solidus"),
    ],
)
def test_non_canonical_bodies_are_rejected(body: bytes) -> None:
    with pytest.raises(NotCanonicalError):
        parse_canonical(body)


def test_not_canonical_error_is_a_value_error() -> None:
    # Callers that catch ValueError for bad input keep working.
    assert issubclass(NotCanonicalError, ValueError)


@given(json_values())
def test_canonical_bytes_round_trip_through_parse_canonical(value: Any) -> None:
    body = canonical_bytes(value)

    assert parse_canonical(body) == value
    assert canonical_bytes(parse_canonical(body)) == body


@given(st.dictionaries(st.text(), st.integers(-SAFE_INT, SAFE_INT), min_size=2, max_size=8))
def test_key_order_of_the_input_never_changes_the_bytes(value: dict[str, int]) -> None:
    reversed_order = dict(reversed(list(value.items())))

    assert canonical_bytes(reversed_order) == canonical_bytes(value)


def wide_json_values() -> st.SearchStrategy[Any]:
    """Also integers past 2^53 and keys beyond ASCII (high BMP, astral): the slow path's cases."""
    keys = st.text() | st.text(st.characters(min_codepoint=0xE000), max_size=4)
    scalars = (
        st.none()
        | st.booleans()
        | st.integers(-(2**70), 2**70)
        | st.text()
        | st.sampled_from(["\u2028", "\x7f", "\x00\x1f\b\f\n\r\t", 'a"b\\c', "Nguyễn Văn Ánh"])
    )
    return st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=5) | st.dictionaries(keys, children, max_size=5)
        ),
        max_leaves=25,
    )


@pytest.mark.parametrize("serialiser", ["orjson", "stdlib"])
@given(value=wide_json_values())
def test_the_fast_path_writes_exactly_what_rfc8785_writes(serialiser: str, value: Any) -> None:
    fast = {
        "orjson": canonical._orjson_sorted_compact,
        "stdlib": canonical._stdlib_sorted_compact,
    }[serialiser]
    with patch.object(canonical, "_sorted_compact", fast):
        try:
            expected = rfc8785.dumps(value)
        except rfc8785.CanonicalizationError:
            with pytest.raises(rfc8785.CanonicalizationError):
                canonical_bytes(value)
            return
        assert canonical_bytes(value) == expected
        assert parse_canonical(expected) == value


def test_a_lone_surrogate_is_refused_not_written() -> None:
    with pytest.raises(NotCanonicalError):
        parse_canonical(b'{"a":"\\ud800"}')


# --- parse_canonical's glance: never accepts what the full check refuses ----------------------


def _accepts(parse: Any, body: bytes) -> tuple[bool, Any]:
    try:
        return True, parse(body)
    except NotCanonicalError:
        return False, None


def _full_check(body: bytes) -> Any:
    """parse_canonical as it was before the glance: parse, write canonically, compare."""
    with patch.object(canonical, "_canonical_at_a_glance", lambda _body, _value: False):
        return parse_canonical(body)


def float_json_values() -> st.SearchStrategy[Any]:
    """Values a tampered or foreign body may hold: floats of every size, integers beyond 2^53,
    keys beyond the BMP's private use area, and strings that look like numbers in JSON."""
    keys = st.text() | st.text(st.characters(min_codepoint=0xE000), max_size=4)
    lookalikes = st.sampled_from(
        ["x:1.5,", ":1e+16]", "[2.5}", ",-0.0,", "49.303+07:00", "1E5", "\ue000", "\U0001f600"]
    )
    scalars = (
        st.none()
        | st.booleans()
        | st.integers(-(2**70), 2**70)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text()
        | lookalikes
    )
    return st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=5) | st.dictionaries(keys, children, max_size=5)
        ),
        max_leaves=25,
    )


def _writings(value: Any) -> list[bytes]:
    """The ways a writer might have put `value` into a body."""
    found = [json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()]
    for write in (
        lambda: orjson.dumps(value, option=orjson.OPT_SORT_KEYS),
        lambda: orjson.dumps(value),
        lambda: rfc8785.dumps(value),
    ):
        try:
            found.append(write())
        except (TypeError, ValueError, rfc8785.CanonicalizationError):
            continue
    return found


@settings(max_examples=500)
@given(float_json_values())
def test_the_glance_agrees_with_the_full_check_on_every_writing(value: Any) -> None:
    for body in _writings(value):
        assert _accepts(parse_canonical, body) == _accepts(_full_check, body), body


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"a":1.5}', id="fraction"),
        pytest.param(b"[1e+16]", id="exponent"),
        pytest.param(b'{"a":[1,-0.0]}', id="negative-zero-in-a-list"),
        pytest.param(b'{"a":{"b":1.5e-7}}', id="fraction-and-exponent"),
        pytest.param(b'{"a":1e-7,"b":"x"}', id="negative-exponent-before-a-key"),
        pytest.param(b'{"a":[1.5e+22]}', id="fraction-and-positive-exponent"),
        pytest.param(b"-2.0", id="a-float-alone"),
        pytest.param(b'{"a":9007199254740992}', id="integer-beyond-2-53"),
        pytest.param(b'{"a":123456789012345678901234567890}', id="integer-beyond-64-bits"),
        pytest.param(b'{"\\ud83d\\ude00":1}', id="astral-key-escaped"),
        pytest.param('{"\ufb33":2,"😀":1}'.encode(), id="keys-in-code-point-order"),
    ],
)
def test_what_only_the_full_check_can_refuse_is_refused(body: bytes) -> None:
    with pytest.raises(NotCanonicalError):
        parse_canonical(body)


def test_a_string_that_looks_like_a_float_is_still_accepted() -> None:
    body = '{"a":"x:1.5,","b":[":1e+16]"],"lúc":"2022-07-15T09:27:49.303+07:00"}'.encode()

    assert parse_canonical(body)["a"] == "x:1.5,"


def test_keys_in_utf16_order_beyond_the_bmp_are_accepted() -> None:
    body = canonical_bytes({"\ufb33": 2, "\U0001f600": 1})

    assert list(parse_canonical(body)) == ["\U0001f600", "\ufb33"]

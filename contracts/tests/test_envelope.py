"""The envelope (DESIGN §2), the event type registry and deterministic ids."""

from __future__ import annotations

import inspect
import json
import re
import uuid
from typing import Any

import pytest
from pydantic import ValidationError

from thidua_contracts import events
from thidua_contracts.canonical import NotCanonicalError, canonical_bytes
from thidua_contracts.envelope import Actor, Envelope, InputRef, Role, RulesRef
from thidua_contracts.events import EVENT_TYPES, UnknownEventTypeError, payload_class
from thidua_contracts.ids import derived_id
from thidua_contracts.subjects import CONTEXTS

EVENT_ID = "0190f5a2-7c1e-7b3a-9d4e-2f6a8b0c1d2e"
CAUSE_ID = "0190f5a2-7c1e-7b3a-9d4e-2f6a8b0c1d2f"
CORRELATION_ID = "3c9d2b7e-1f4a-4e8b-a6d5-0b1c2d3e4f50"
SUBJECT = "thidua.evt.submissions.registration.bn-2022.phuong-vu-ninh"


def fields(**overrides: Any) -> dict[str, Any]:
    """A valid human-act envelope as plain data, with overrides."""
    base: dict[str, Any] = {
        "event_id": EVENT_ID,
        "type": "submissions.UnitRegistered",
        "version": 1,
        "subject": SUBJECT,
        "movement_id": "bn-2022",
        "occurred_at": "2022-05-20T09:30:00+07:00",
        "actor": {
            "id": "clerk-vu-ninh",
            "role": "unit_clerk",
            "unit": "phuong-vu-ninh",
            "name": None,
        },
        "causation_id": None,
        "correlation_id": CORRELATION_ID,
        "inputs": [],
        "rules": None,
        "payload": {
            "unit_id": "phuong-vu-ninh",
            "titles_sought": ["GK_CT_UBND_TP"],
            "commitments": [],
            "registered_on": "2022-05-20",
            "late": False,
        },
    }
    base.update(overrides)
    return base


def human_envelope(**overrides: Any) -> Envelope:
    return Envelope.model_validate(fields(**overrides))


def computed_envelope() -> Envelope:
    return Envelope(
        event_id=derived_id(CAUSE_ID, 0),
        type="nominations.EligibilityAssessed",
        version=1,
        subject="thidua.evt.nominations.nomination.bn-2022.3c9d2b7e-1f4a-4e8b-a6d5-0b1c2d3e4f50",
        movement_id="bn-2022",
        occurred_at="2022-12-20T14:05:00.123456+07:00",
        actor=None,
        causation_id=CAUSE_ID,
        correlation_id=CORRELATION_ID,
        inputs=[InputRef(event_id=CAUSE_ID, sequence=42)],
        rules=RulesRef(id="vn-2017", version="1", sha256="ab" * 32),
        payload={"proposal_id": CORRELATION_ID, "eligible": True, "checks": []},
    )


# --- bytes -------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [human_envelope, computed_envelope], ids=["human", "computed"])
def test_envelope_round_trips_through_bytes(make: Any) -> None:
    envelope = make()

    assert Envelope.from_bytes(envelope.to_bytes()) == envelope


def test_to_bytes_is_canonical_json_of_the_whole_envelope() -> None:
    envelope = human_envelope()

    body = envelope.to_bytes()

    assert body == canonical_bytes(json.loads(body))
    assert body == canonical_bytes(fields())
    assert body.startswith(b'{"actor":{"id":"clerk-vu-ninh",')
    assert b" " not in body.replace(b"+07:00", b"")  # no whitespace between tokens


def test_vietnamese_actor_name_is_kept_as_utf8_in_the_body() -> None:
    envelope = human_envelope(
        actor={
            "id": "clerk-vu-ninh",
            "role": "unit_clerk",
            "unit": "phuong-vu-ninh",
            "name": "Lê Văn An",
        }
    )

    assert "Lê Văn An".encode() in envelope.to_bytes()


def test_from_bytes_refuses_the_same_content_with_non_canonical_whitespace() -> None:
    body = json.dumps(fields(), sort_keys=True, ensure_ascii=False, indent=1).encode()
    assert json.loads(body) == json.loads(human_envelope().to_bytes())  # same content

    with pytest.raises(NotCanonicalError):
        Envelope.from_bytes(body)


def test_from_bytes_refuses_unsorted_keys() -> None:
    data = fields()
    unsorted = {"type": data.pop("type"), **data}
    body = json.dumps(unsorted, ensure_ascii=False, separators=(",", ":")).encode()

    with pytest.raises(NotCanonicalError):
        Envelope.from_bytes(body)


@pytest.mark.parametrize(
    "occurred_at",
    [
        "2022-05-20T09:30:00+07:00",
        "2022-05-20T09:30:00.5+07:00",
        "2022-05-20T09:30:00.123456+07:00",
    ],
)
def test_occurred_at_in_vietnam_time_is_accepted(occurred_at: str) -> None:
    assert human_envelope(occurred_at=occurred_at).occurred_at == occurred_at


@pytest.mark.parametrize(
    "occurred_at",
    [
        "2022-05-20T02:30:00Z",
        "2022-05-20T02:30:00+00:00",
        "2022-05-20T09:30:00+0700",
        "2022-05-20T09:30:00",
        "2022-05-20",
        "2022-05-20 09:30:00+07:00",
    ],
)
def test_occurred_at_not_in_plus_0700_is_rejected(occurred_at: str) -> None:
    with pytest.raises(ValidationError, match="occurred_at"):
        human_envelope(occurred_at=occurred_at)


@pytest.mark.parametrize(
    "occurred_at",
    ["2022-13-01T09:30:00+07:00", "2022-02-30T09:30:00+07:00", "2022-05-20T25:61:00+07:00"],
)
def test_an_impossible_calendar_time_is_rejected(occurred_at: str) -> None:
    # ISO 8601 (DESIGN §2): readers parse occurred_at with datetime.fromisoformat.
    with pytest.raises(ValidationError, match="occurred_at"):
        human_envelope(occurred_at=occurred_at)


def test_occurred_at_in_utc_is_rejected_when_read_from_bytes() -> None:
    body = canonical_bytes(fields(occurred_at="2022-05-20T02:30:00Z"))

    with pytest.raises(ValidationError, match="occurred_at"):
        Envelope.from_bytes(body)


def test_an_unknown_top_level_field_is_rejected() -> None:
    body = canonical_bytes(fields(priority="high"))

    with pytest.raises(ValidationError, match="priority"):
        Envelope.from_bytes(body)


@pytest.mark.parametrize("missing", ["event_id", "type", "occurred_at", "correlation_id", "actor"])
def test_a_missing_required_field_is_rejected(missing: str) -> None:
    data = fields()
    del data[missing]

    with pytest.raises(ValidationError, match=missing):
        Envelope.model_validate(data)


@pytest.mark.parametrize(
    "type_name",
    ["nominations.awardIssued", "AwardIssued", "thidua_contracts.events.AwardIssued", "a.B"],
)
def test_type_names_that_are_not_context_dot_pascal_case_are_rejected(type_name: str) -> None:
    with pytest.raises(ValidationError, match="type"):
        human_envelope(type=type_name)


def test_envelope_with_a_float_in_the_payload_cannot_be_serialised() -> None:
    envelope = human_envelope(payload={"prize": 450000.0})

    with pytest.raises(TypeError):
        envelope.to_bytes()


def test_actor_role_must_be_a_known_role() -> None:
    with pytest.raises(ValidationError):
        Actor.model_validate({"id": "x", "role": "mayor"})
    assert Actor(id="x", role=Role.COUNCIL_SECRETARY).role == "council_secretary"


# --- event types ---------------------------------------------------------------------------


def payload_classes_in_events_module() -> list[type[events.EventPayload]]:
    return [
        cls
        for _name, cls in inspect.getmembers(events, inspect.isclass)
        if issubclass(cls, events.EventPayload)
        and cls is not events.EventPayload
        and cls.__module__ == events.__name__
    ]


def test_every_payload_class_is_registered_under_a_unique_type() -> None:
    classes = payload_classes_in_events_module()
    types = [cls.TYPE for cls in classes]

    assert len(classes) >= 12
    assert len(set(types)) == len(types), types
    assert set(EVENT_TYPES.values()) == set(classes)
    assert all(EVENT_TYPES[cls.TYPE] is cls for cls in classes)


@pytest.mark.parametrize("type_name", sorted(EVENT_TYPES))
def test_event_type_is_context_dot_pascal_case_of_a_known_context(type_name: str) -> None:
    match = re.fullmatch(r"([a-z]+)\.([A-Z][a-z]+(?:[A-Z][a-z]+)*)", type_name)

    assert match is not None, type_name
    assert match.group(1) in CONTEXTS
    assert type_name == EVENT_TYPES[type_name].TYPE
    # The name is a stable contract name, never a Python import path.
    assert "thidua_" not in type_name


@pytest.mark.parametrize("type_name", sorted(EVENT_TYPES))
def test_payload_class_finds_each_registered_type_at_its_version(type_name: str) -> None:
    cls = EVENT_TYPES[type_name]

    assert payload_class(type_name, cls.VERSION) is cls


@pytest.mark.parametrize(
    ("type_name", "version"),
    [
        ("submissions.UnitRegistered", 2),
        ("submissions.UnitRegistered", 0),
        ("submissions.UnitDeregistered", 1),
        ("UnitRegistered", 1),
        ("", 1),
    ],
)
def test_payload_class_rejects_unknown_type_or_version(type_name: str, version: int) -> None:
    with pytest.raises(UnknownEventTypeError):
        payload_class(type_name, version)


def test_computed_flag_marks_exactly_the_decisions_the_system_derives() -> None:
    computed = {name for name, cls in EVENT_TYPES.items() if cls.COMPUTED}

    assert computed == {
        "scoring.ScoreSheetRecorded",
        "scoring.BlockRanked",
        "scoring.BlockHonoured",
        "nominations.EligibilityAssessed",
        "nominations.BallotOutcomeDecided",
        "nominations.AwardIssued",
        "nominations.AwardReviewFlagged",
        "reporting.DocumentRegistered",
        "nominations.SupplementRequested",
        "nominations.NominationExcluded",
        "nominations.FundOverdrawFlagged",
    }


# --- derived ids ---------------------------------------------------------------------------


def test_derived_id_is_deterministic() -> None:
    assert derived_id(CAUSE_ID, 0) == derived_id(CAUSE_ID, 0)
    assert derived_id(CAUSE_ID, 3) == derived_id(CAUSE_ID, 3)


def test_derived_id_differs_across_indexes_and_causes() -> None:
    ids = {derived_id(cause, i) for cause in (CAUSE_ID, EVENT_ID, CORRELATION_ID) for i in range(5)}

    assert len(ids) == 15


def test_derived_id_is_a_canonical_version_5_uuid() -> None:
    value = derived_id(CAUSE_ID, 1)
    parsed = uuid.UUID(value)

    assert parsed.version == 5
    assert parsed.variant == uuid.RFC_4122
    assert str(parsed) == value  # lower case, hyphenated: fits the envelope's UuidStr
    assert human_envelope(event_id=value).event_id == value

"""Bulk records: all rows good → all recorded; any row bad → every bad row named, none recorded."""

from __future__ import annotations

import uuid
from datetime import date
from importlib.resources import files
from typing import Any

import pytest
import yaml

from thidua_contracts.commands import ImportRecords
from thidua_contracts.envelope import Actor, Role
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import HeadcountRecorded, RatingRecorded, RecruitmentRecorded
from thidua_contracts.movement import MovementDefinition
from thidua_submissions.domain.records import decide_import

DEFINITION = MovementDefinition.model_validate(
    yaml.safe_load(files("thidua_kit").joinpath("demo", "bn-2022.yaml").read_text("utf-8"))
)
CLERK = Actor(id="phuong-vu-ninh-van-thu", role=Role.UNIT_CLERK, unit="phuong-vu-ninh")


def command(kind: str, rows: list[dict[str, Any]], actor: Actor = CLERK) -> ImportRecords:
    return ImportRecords.model_validate(
        {
            "command_id": str(uuid.uuid4()),
            "actor": actor,
            "movement_id": "bn-2022",
            "kind": kind,
            "rows": rows,
        }
    )


def rating(
    person: str = "nguyen-thi-huong", unit: str = "phuong-vu-ninh", **extra: Any
) -> dict[str, Any]:
    return {
        "subject_kind": "ca_nhan",
        "subject_id": person,
        "unit_id": unit,
        "year": "2022",
        "kind": "nhiem_vu",
        "value": "HTXS",
        "source_ref": "Quyết định 15/QĐ-UBND",
        **extra,
    }


def test_good_rows_become_one_event_each_with_values_from_spreadsheet_text() -> None:
    events = decide_import(
        command("ratings", [rating(), rating("tran-van-minh", value="HTT")]), DEFINITION
    )
    assert [type(e) for e in events] == [RatingRecorded, RatingRecorded]
    assert isinstance(events[0], RatingRecorded) and events[0].year == 2022  # "2022" from CSV


def test_every_bad_row_is_named_and_nothing_is_recorded() -> None:
    rows = [
        rating(),
        rating(value="XUAT_SAC"),
        rating("le-thi-thu-ha"),  # works in Kinh Bắc, not Vũ Ninh
        rating("nguoi-khong-co"),
        rating(unit="phuong-kinh-bac", person="le-thi-thu-ha"),  # another unit's records
    ]
    with pytest.raises(Rejected) as caught:
        decide_import(command("ratings", rows), DEFINITION)
    error = caught.value
    assert (error.code, error.field, error.detail) == (ErrorCode.ROWS_INVALID, "rows", "4/5")
    assert [(d.code, d.field) for d in error.details] == [
        (ErrorCode.INVALID_FIELD, "rows.1.value"),
        (ErrorCode.PERSON_NOT_IN_UNIT, "rows.2.subject_id"),
        (ErrorCode.UNKNOWN_PERSON, "rows.3.subject_id"),
        (ErrorCode.FORBIDDEN, "rows.4.unit_id"),
    ]


def test_the_phong_noi_vu_imports_for_any_unit_and_headcounts_are_checked() -> None:
    noi_vu = Actor(id="phong-noi-vu", role=Role.PHONG_NOI_VU)
    rows = [{"unit_id": "phuong-kinh-bac", "year": 2022, "headcount": 25, "women": 14}]
    (event,) = decide_import(command("headcounts", rows, noi_vu), DEFINITION)
    assert isinstance(event, HeadcountRecorded) and event.women == 14
    bad = [{"unit_id": "phuong-kinh-bac", "year": 2022, "headcount": 25, "women": 26}]
    with pytest.raises(Rejected) as caught:
        decide_import(command("headcounts", bad, noi_vu), DEFINITION)
    assert caught.value.details[0].field == "rows.0.women"


def test_a_council_secretary_cannot_import_records() -> None:
    secretary = Actor(id="thu-ky", role=Role.COUNCIL_SECRETARY)
    with pytest.raises(Rejected) as caught:
        decide_import(command("ratings", [rating()], secretary), DEFINITION)
    assert caught.value.code == ErrorCode.FORBIDDEN


def recruitment(
    person: str = "tran-van-minh", on: str = "2022-06-01", unit: str = "phuong-vu-ninh"
) -> dict[str, Any]:
    return {
        "person_id": person,
        "unit_id": unit,
        "recruited_on": on,
        "decision_ref": "Quyết định 42/QĐ-UBND",
    }


def test_a_recruitment_date_is_recorded_for_a_person_of_the_unit() -> None:
    # Given a spreadsheet row with the day a person was recruited (NĐ91 Điều 10)
    rows = [recruitment()]
    # When the unit's clerk imports it
    (event,) = decide_import(command("recruitments", rows), DEFINITION)
    # Then it is recorded as that person's recruitment, the date read from the text
    assert isinstance(event, RecruitmentRecorded)
    assert (event.person_id, event.recruited_on) == ("tran-van-minh", date(2022, 6, 1))


def test_a_recruitment_row_for_a_stranger_or_after_the_year_is_refused() -> None:
    # Given rows naming someone of another unit, nobody, and a date after the movement's year
    rows = [
        recruitment(),
        recruitment("le-thi-thu-ha"),
        recruitment("nguoi-khong-co"),
        recruitment(on="2032-06-01"),
        recruitment(on="1/6/2022"),
    ]
    # When they are imported
    with pytest.raises(Rejected) as caught:
        decide_import(command("recruitments", rows), DEFINITION)
    # Then every bad row is named and nothing is recorded
    assert [(d.code, d.field) for d in caught.value.details] == [
        (ErrorCode.PERSON_NOT_IN_UNIT, "rows.1.person_id"),
        (ErrorCode.UNKNOWN_PERSON, "rows.2.person_id"),
        (ErrorCode.VALUE_OUT_OF_RANGE, "rows.3.recruited_on"),
        (ErrorCode.INVALID_FIELD, "rows.4.recruited_on"),
    ]

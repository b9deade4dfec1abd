"""Overdue steps counted in working days, and the report command's decider."""

from __future__ import annotations

import datetime

import pytest

from thidua_contracts.commands import IssueCityReport
from thidua_contracts.envelope import Actor, Role
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.workdays import WorkCalendar
from thidua_reporting.domain.overdue import Step, overdue_steps
from thidua_reporting.domain.report_command import decide_issue

D = datetime.date
# Tết Quý Mão for state employees: Friday 20 to Thursday 26 January 2023 off.
TET_2023 = WorkCalendar(days_off=frozenset(D(2023, 1, d) for d in range(20, 27)))


def test_days_overdue_skip_weekends_and_tet() -> None:
    steps = [
        Step("notice", "GK_CT_UBND_TP", "Đỗ Thị Lan", "Phòng Nội vụ", D(2023, 1, 19)),
        Step("report", "so-ket", "Phường Suối Hoa", "unit", D(2023, 1, 27)),
        Step("report", "so-ket", "Phường Vũ Ninh", "unit", D(2023, 1, 18)),
    ]
    rows = overdue_steps(steps, D(2023, 1, 30), TET_2023)
    # 19/1 → 30/1: only Friday 27 and Monday 30 are working days after the deadline.
    assert [(r["step"], r["who"], r["working_days_overdue"]) for r in rows] == [
        ("report", "Phường Vũ Ninh", 3),
        ("report", "Phường Suối Hoa", 1),
        ("notice", "Đỗ Thị Lan", 2),
    ]


def test_nothing_is_overdue_on_its_deadline_or_during_tet() -> None:
    steps = [Step("appraisal", "GK", "X", "Phòng Nội vụ", D(2023, 1, 19))]
    assert overdue_steps(steps, D(2023, 1, 19), TET_2023) == []
    assert overdue_steps(steps, D(2023, 1, 25), TET_2023) == []


def command(**changes: object) -> IssueCityReport:
    fields: dict[str, object] = {
        "command_id": "0190f0e4-6a1b-7c3d-8e4f-5a6b7c8d9e0f",
        "actor": Actor(id="van-phong-ubnd", role=Role.CHAIRMAN_OFFICE),
        "movement_id": "bn-2022",
        "report_id": "0190f0e4-6a1b-7c3d-8e4f-5a6b7c8d9e10",
        "kind": "tong-ket",
        "number": "120/BC-UBND",
        "signed_on": D(2023, 1, 10),
        "signer_name": "Nguyễn Minh Quang",
        "signer_position": "chu_tich",
    }
    return IssueCityReport.model_validate({**fields, **changes})


def test_a_signed_report_becomes_its_event() -> None:
    event = decide_issue(command(typical_examples=["Mô hình tự quản"]), True, set())
    assert (event.kind, event.number, event.typical_examples) == (
        "tong-ket",
        "120/BC-UBND",
        ["Mô hình tự quản"],
    )
    assert decide_issue(command(kind="thong-ke", number=None), True, set()).number is None
    # The same number in another year is another document (NĐ30 Điều 15: yearly series).
    assert decide_issue(command(), True, {("120/BC-UBND", 2022)}).number == "120/BC-UBND"


@pytest.mark.parametrize(
    ("changes", "known", "taken", "code"),
    [
        ({"number": None}, True, set(), ErrorCode.INVALID_FIELD),
        ({"kind": "thong-ke"}, True, set(), ErrorCode.INVALID_FIELD),
        ({}, True, {("120/BC-UBND", 2023)}, ErrorCode.DECISION_NUMBER_TAKEN),
        ({}, False, set(), ErrorCode.UNKNOWN_MOVEMENT),
        (
            {"actor": Actor(id="vt", role=Role.UNIT_CLERK, unit="phuong-vu-ninh")},
            True,
            set(),
            ErrorCode.FORBIDDEN,
        ),
    ],
)
def test_bad_report_commands_are_rejected(
    changes: dict[str, object], known: bool, taken: set[tuple[str, int]], code: ErrorCode
) -> None:
    with pytest.raises(Rejected) as raised:
        decide_issue(command(**changes), known, taken)
    assert raised.value.code == code

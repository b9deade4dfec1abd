"""Small builders shared by the connected tests."""

from __future__ import annotations

from datetime import date

from thidua_contracts.commands import DefineMovement, OpenRound, RegisterUnit, SubmitReport
from thidua_contracts.envelope import Actor, Envelope, Role
from thidua_contracts.events import CriterionPoints
from thidua_contracts.movement import RoundKind
from thidua_kit.clock import new_id
from thidua_kit.demo import load_definition
from thidua_kit.settings import Settings

MOVEMENT = "bn-2022"


def define() -> DefineMovement:
    return DefineMovement(
        command_id=new_id(),
        actor=Actor(id="phong-noi-vu", role=Role.PHONG_NOI_VU),
        movement_id=MOVEMENT,
        definition=load_definition(),
    )


def open_round(round_: RoundKind = RoundKind.TONG_KET, on: date = date(2022, 12, 1)) -> OpenRound:
    return OpenRound(
        command_id=new_id(),
        actor=Actor(id="phong-noi-vu", role=Role.PHONG_NOI_VU),
        movement_id=MOVEMENT,
        round=round_,
        opened_on=on,
    )


def clerk(unit: str) -> Actor:
    return Actor(id=f"{unit}-van-thu", role=Role.UNIT_CLERK, unit=unit)


def register(unit: str, command_id: str | None = None) -> RegisterUnit:
    return RegisterUnit(
        command_id=command_id or new_id(),
        actor=clerk(unit),
        movement_id=MOVEMENT,
        unit_id=unit,
        registered_on=date(2022, 5, 20),
    )


def report(unit: str, points: str = "50", command_id: str | None = None) -> SubmitReport:
    return SubmitReport(
        command_id=command_id or new_id(),
        actor=clerk(unit),
        movement_id=MOVEMENT,
        unit_id=unit,
        round=RoundKind.TONG_KET,
        submitted_on=date(2022, 12, 12),
        self_scores=[CriterionPoints(criterion_code="nhiem-vu-chinh-tri", points=points)],
    )


def registered_event(
    settings: Settings,
    unit: str,
    occurred_at: str = "2022-12-01T09:00:00+07:00",
    event_id: str | None = None,
) -> Envelope:
    """A UnitRegistered as the log holds it, for appending straight to the log."""
    return Envelope(
        event_id=event_id or new_id(),
        type="submissions.UnitRegistered",
        version=1,
        subject=f"{settings.subject_prefix}.evt.submissions.registration.{MOVEMENT}.{unit}",
        movement_id=MOVEMENT,
        occurred_at=occurred_at,
        actor=clerk(unit),
        causation_id=None,
        correlation_id=new_id(),
        payload={"unit_id": unit, "registered_on": "2022-05-20", "late": False},
    )

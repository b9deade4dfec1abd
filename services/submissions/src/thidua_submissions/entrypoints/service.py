"""Composition root of the submissions service."""

from __future__ import annotations

from thidua_contracts.commands import (
    DefineMovement,
    ProposeAward,
    RegisterUnit,
    ShowMovement,
    SubmitReport,
)
from thidua_kit.host import ServiceDefinition
from thidua_kit.settings import Settings

from ..app import handlers


def build(settings: Settings) -> ServiceDefinition:
    return ServiceDefinition(
        name="submissions",
        on_event=handlers.on_event,
        commands={
            DefineMovement.NAME: (DefineMovement, handlers.define_movement),
            RegisterUnit.NAME: (RegisterUnit, handlers.register),
            SubmitReport.NAME: (SubmitReport, handlers.submit_report),
            ProposeAward.NAME: (ProposeAward, handlers.propose_award),
        },
        queries={ShowMovement.NAME: (ShowMovement, handlers.show_movement)},
    )

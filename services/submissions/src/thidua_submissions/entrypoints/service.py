"""Composition root of the submissions service."""

from __future__ import annotations

from thidua_contracts.commands import (
    AmendMovement,
    AssignBlockLeadership,
    CloseRound,
    DefineMovement,
    ImportRecords,
    MergeUnits,
    MoveUnitToBlock,
    OpenRound,
    ProposeAward,
    PublishMovement,
    RegisterIndividual,
    RegisterUnit,
    RenameUnit,
    ShowMovement,
    SignCovenant,
    SplitUnit,
    SubmitReport,
    TransferPerson,
    WithdrawReport,
)
from thidua_kit.calendar import state_calendar
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
            WithdrawReport.NAME: (WithdrawReport, handlers.withdraw_report),
            ImportRecords.NAME: (ImportRecords, handlers.import_records),
            AmendMovement.NAME: (AmendMovement, handlers.amend_movement),
            PublishMovement.NAME: (PublishMovement, handlers.publish_movement),
            TransferPerson.NAME: (TransferPerson, handlers.transfer_person),
            RenameUnit.NAME: (RenameUnit, handlers.rename_unit),
            MergeUnits.NAME: (MergeUnits, handlers.merge_units),
            SignCovenant.NAME: (SignCovenant, handlers.sign_covenant),
            OpenRound.NAME: (OpenRound, handlers.open_round),
            CloseRound.NAME: (CloseRound, handlers.close_round),
            SplitUnit.NAME: (SplitUnit, handlers.split_unit),
            MoveUnitToBlock.NAME: (MoveUnitToBlock, handlers.move_unit_to_block),
            AssignBlockLeadership.NAME: (AssignBlockLeadership, handlers.assign_block_leadership),
            RegisterIndividual.NAME: (RegisterIndividual, handlers.register_individual),
        },
        extra={"calendar": state_calendar(range(2015, 2031))},
        queries={ShowMovement.NAME: (ShowMovement, handlers.show_movement)},
    )

"""Composition root of the nominations service."""

from __future__ import annotations

from thidua_contracts.commands import ListAwards, RecordTally, SignDecision
from thidua_kit.host import ServiceDefinition
from thidua_kit.settings import Settings

from ..adapters import rule_packs
from ..app import handlers


def build(settings: Settings) -> ServiceDefinition:
    # One pack for now: the 2022 movement's regime. A movement names its pack (issue: rule packs).
    pack, ref = rule_packs.load("vn-2017")
    return ServiceDefinition(
        name="nominations",
        on_event=handlers.on_event,
        commands={
            RecordTally.NAME: (RecordTally, handlers.record_tally),
            SignDecision.NAME: (SignDecision, handlers.sign_decision),
        },
        queries={ListAwards.NAME: (ListAwards, handlers.list_awards)},
        extra={"rule_pack": pack, "rule_pack_ref": ref},
    )

"""Composition root of the nominations service."""

from __future__ import annotations

from thidua_contracts.commands import (
    ForwardProposals,
    ListAwards,
    RecordHigherAnswer,
    RecordTally,
    RevokeAward,
    SignDecision,
)
from thidua_kit.host import ServiceDefinition
from thidua_kit.settings import Settings

from ..adapters import rule_packs
from ..app import handlers


def build(settings: Settings) -> ServiceDefinition:

    return ServiceDefinition(
        name="nominations",
        on_event=handlers.on_event,
        commands={
            RecordTally.NAME: (RecordTally, handlers.record_tally),
            SignDecision.NAME: (SignDecision, handlers.sign_decision),
            ForwardProposals.NAME: (ForwardProposals, handlers.forward_upward),
            RecordHigherAnswer.NAME: (RecordHigherAnswer, handlers.record_higher_answer),
            RevokeAward.NAME: (RevokeAward, handlers.revoke_award),
        },
        queries={ListAwards.NAME: (ListAwards, handlers.list_awards)},
        extra={"rule_packs": rule_packs.load_all()},
    )

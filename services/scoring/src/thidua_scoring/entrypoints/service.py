"""Composition root of the scoring service."""

from __future__ import annotations

from thidua_contracts.commands import (
    AppraiseScore,
    RecordBlockBallot,
    RecordCrossScores,
    ShowBlockRanking,
    ShowScoreSheet,
)
from thidua_kit.host import ServiceDefinition
from thidua_kit.settings import Settings

from ..app import handlers


def build(settings: Settings) -> ServiceDefinition:
    return ServiceDefinition(
        name="scoring",
        on_event=handlers.on_event,
        commands={
            AppraiseScore.NAME: (AppraiseScore, handlers.appraise),
            RecordBlockBallot.NAME: (RecordBlockBallot, handlers.record_block_ballot),
            RecordCrossScores.NAME: (RecordCrossScores, handlers.record_cross_scores),
        },
        queries={
            ShowScoreSheet.NAME: (ShowScoreSheet, handlers.show_sheet),
            ShowBlockRanking.NAME: (ShowBlockRanking, handlers.show_ranking),
        },
    )

"""Composition root of the nominations service."""

from __future__ import annotations

from thidua_contracts.commands import (
    CloseSession,
    CreditFund,
    ForwardProposals,
    ListAwards,
    ListNominations,
    ListOverdue,
    NotifyResult,
    OpenSession,
    PostNotice,
    RecordHigherAnswer,
    RecordObjection,
    RecordTally,
    ResolveObjection,
    RevokeAward,
    ShowFund,
    ShowNomination,
    SignDecision,
    SupplementDossier,
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
            SupplementDossier.NAME: (SupplementDossier, handlers.supplement_dossier),
            PostNotice.NAME: (PostNotice, handlers.post_notice),
            RecordObjection.NAME: (RecordObjection, handlers.record_objection),
            ResolveObjection.NAME: (ResolveObjection, handlers.resolve_objection),
            OpenSession.NAME: (OpenSession, handlers.open_session),
            CloseSession.NAME: (CloseSession, handlers.close_session),
            CreditFund.NAME: (CreditFund, handlers.credit_fund),
            NotifyResult.NAME: (NotifyResult, handlers.notify_result),
        },
        queries={
            ListAwards.NAME: (ListAwards, handlers.list_awards),
            ShowNomination.NAME: (ShowNomination, handlers.show_nomination),
            ListNominations.NAME: (ListNominations, handlers.list_nominations),
            ShowFund.NAME: (ShowFund, handlers.show_fund),
            ListOverdue.NAME: (ListOverdue, handlers.list_overdue),
        },
        extra={"rule_packs": rule_packs.load_all()},
    )

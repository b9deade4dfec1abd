"""Proposals upward (DOMAIN §5.1 step 12b, §5.3): the city forwards what passed its council for
higher-level forms, and later records the answer that comes back."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from thidua_contracts.commands import ForwardProposals, RecordHigherAnswer
from thidua_contracts.envelope import Role
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import HigherAnswerRecorded, ProposalsForwarded

from .decision import Candidate
from .rule_pack import RulePack


def province_of(authorities: Iterable[str], issuer_lines: Iterable[str]) -> str | None:
    """The province named by the movement's provincial forms ("Chủ tịch UBND tỉnh Bắc Ninh" →
    "tỉnh Bắc Ninh"): the level a city's proposals go to, for the province's forms and, through
    it, for the State's (DOMAIN §5.1 step 12b: UBND thành phố → UBND tỉnh, qua Sở Nội vụ).
    None when the issuer is that province itself, or no form names one."""
    issuer = _plain(" ".join(issuer_lines))
    for authority in authorities:
        # The name runs to the end or to what qualifies it: "UBND tỉnh Bắc Ninh (qua Sở Nội vụ)".
        found = re.search(r"\btỉnh\s+[^\s(,;]+(?:\s+[^\s(,;]+)*", nfc(authority), re.I)
        if found:
            province = " ".join(found.group(0).split())
            return None if _plain(province) in issuer else province
    return None


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _plain(text: str) -> str:
    return " ".join(nfc(text).casefold().split())


def decide_forward(
    command: ForwardProposals,
    candidates: list[Candidate],
    forwarded: set[str],
    pack: RulePack,
    province: str | None = None,
) -> ProposalsForwarded:
    """`province`: the level the city proposes to (`province_of`), when the movement names it;
    a Tờ trình addressed elsewhere (the Prime Minister, a ministry, another province) is refused,
    since a city's proposals for State forms also go through its province."""
    if command.actor.role not in (Role.CHAIRMAN_OFFICE, Role.PHONG_NOI_VU):
        raise Rejected(ErrorCode.FORBIDDEN, "actor.role", command.actor.role.value)
    if province is not None and _plain(province) not in _plain(command.addressee):
        raise Rejected(
            ErrorCode.INVALID_FIELD,
            "addressee",
            f"Kính gửi: UBND {province} (qua Sở Nội vụ), not {command.addressee!r}",
        )
    for i, c in enumerate(candidates):
        rule = pack.awards.get(c.proposal.award_code)
        if rule is None or rule.route != "propose":
            raise Rejected(
                ErrorCode.WRONG_STATE,
                f"proposal_ids.{i}",
                f"{c.proposal.award_code} is decided by the city, not proposed upward",
            )
        if c.state.excluded is not None:
            raise Rejected(
                ErrorCode.WRONG_STATE,
                f"proposal_ids.{i}",
                f"excluded: {c.state.excluded.reason_code}",
            )
        if not c.state.passed:
            raise Rejected(ErrorCode.WRONG_STATE, f"proposal_ids.{i}", "has not passed the council")
        if c.quota_pending:
            raise Rejected(
                ErrorCode.WRONG_STATE,
                f"proposal_ids.{i}",
                "the quota is applied when the council session closes",
            )
        if c.proposal.proposal_id in forwarded or c.already_awarded:
            raise Rejected(ErrorCode.WRONG_STATE, f"proposal_ids.{i}", "already forwarded")
    return ProposalsForwarded(
        submission_id=command.submission_id,
        number=command.number,
        signed_on=command.signed_on,
        addressee=command.addressee,
        proposal_ids=[c.proposal.proposal_id for c in candidates],
        signer_name=command.signer_name,
        signer_position=command.signer_position,
    )


def decide_answer(
    command: RecordHigherAnswer, submitted: list[str] | None, answered: bool
) -> HigherAnswerRecorded:
    if command.actor.role not in (Role.CHAIRMAN_OFFICE, Role.PHONG_NOI_VU):
        raise Rejected(ErrorCode.FORBIDDEN, "actor.role", command.actor.role.value)
    if submitted is None:
        raise Rejected(ErrorCode.UNKNOWN_PROPOSAL, "submission_id", command.submission_id)
    if command.proposal_id not in submitted:
        raise Rejected(ErrorCode.UNKNOWN_PROPOSAL, "proposal_id", "not in this submission")
    if answered:
        raise Rejected(ErrorCode.WRONG_STATE, "proposal_id", "the answer is already recorded")
    if command.outcome == "rejected" and not command.reason:
        raise Rejected(ErrorCode.INVALID_FIELD, "reason", "a rejection states its reason")
    return HigherAnswerRecorded(
        submission_id=command.submission_id,
        proposal_id=command.proposal_id,
        outcome=command.outcome,
        decision_ref=command.decision_ref,
        decided_on=command.decided_on,
        issuer=command.issuer,
        reason=command.reason,
    )

"""Read-only answers from the store: nominations, awards, the fund and overdue notices."""

from __future__ import annotations

from functools import cache
from typing import Any

from thidua_contracts.commands import (
    ListAwards,
    ListNominations,
    ListOverdue,
    ShowFund,
    ShowNomination,
)
from thidua_contracts.envelope import RulesRef
from thidua_contracts.events import AwardIssued, MovementDefined
from thidua_kit.calendar import state_calendar
from thidua_kit.db import Store
from thidua_kit.log import StoredEvent
from thidua_kit.settings import Settings

from ..adapters import rule_packs
from ..domain import fund, notify
from ..domain.rule_pack import RulePack
from .notify import _settled
from .views import NOMINATION, ProposalView, _Key, _nomination_subject, _Notice, _notice_of, _views


def list_awards(query: ListAwards, store: Store, settings: Settings) -> Any:
    rows = []
    for _key, award, seq in store.all("awarded", AwardIssued):
        rows.append({**award.model_dump(mode="json"), "sequence": seq})
    rows.sort(key=lambda r: r["sequence"])
    return rows


def _pipeline_status(store: Store, settings: Settings, view: ProposalView) -> str:
    pid = view.envelope.payload["proposal_id"]
    state, _ = NOMINATION.load(store, _nomination_subject(settings, view.envelope.movement_id, pid))
    award = store.get("awarded", pid, AwardIssued)[0]
    if award is not None:
        revoked = store.get("revoked", award.award_id, StoredEvent)[0]
        return "REVOKED" if revoked else "ISSUED"
    answer = store.get("answer", pid, StoredEvent)[0]
    if answer is not None and answer.envelope.payload["outcome"] == "rejected":
        status = "REJECTED_BY_HIGHER"
    elif store.get("forwarded", pid, StoredEvent)[0] is not None:
        return "FORWARDED_UPWARD"
    else:
        status = state.status
    if status == "APPRAISED_ELIGIBLE" and store.get("notice-of", pid, _Key)[0] is not None:
        status = "PUBLIC_NOTICE"
    if status != "COUNCIL_VOTED_PASS" and store.get("notified", pid, StoredEvent)[0] is not None:
        return "NOTIFIED_REJECTED" if _settled(store, settings, view) else status
    return status


def _row(store: Store, settings: Settings, view: ProposalView) -> dict[str, Any]:
    p = view.envelope.payload
    state, _ = NOMINATION.load(
        store, _nomination_subject(settings, view.envelope.movement_id, p["proposal_id"])
    )
    reason: str | None = None
    if state.excluded is not None:
        reason = state.excluded.reason_code
    elif state.eligibility is not None and not state.eligibility.eligible:
        reason = state.eligibility.reason_code or ",".join(
            c.code for c in state.eligibility.checks if not c.passed
        )
    elif state.outcome is not None and not state.outcome.passed:
        reason = "no_quorum" if not state.outcome.quorum_met else "below_threshold"
    return {
        "proposal_id": p["proposal_id"],
        "unit_id": p["unit_id"],
        "subject_id": p["subject_id"],
        "subject_name": p["subject_name"],
        "award_code": p["award_code"],
        "status": _pipeline_status(store, settings, view),
        "reason": reason,
        "sequence": view.event.sequence,
    }


def list_nominations(query: ListNominations, store: Store, settings: Settings) -> Any:
    rows = [_row(store, settings, v) for v in _views(store, query.movement_id, None)]
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    return {"rows": rows, "by_status": dict(sorted(counts.items()))}


def show_nomination(query: ShowNomination, store: Store, settings: Settings) -> Any:
    view = store.get("proposal", query.proposal_id, ProposalView)[0]
    if view is None:
        return None
    m = view.envelope.movement_id
    state, _ = NOMINATION.load(store, _nomination_subject(settings, m, query.proposal_id))
    held = _notice_of(store, query.proposal_id)
    notified = store.get("notified", query.proposal_id, StoredEvent)[0]
    award = store.get("awarded", query.proposal_id, AwardIssued)[0]
    return {
        **_row(store, settings, view),
        "proposal": view.envelope.payload,
        "supplement": state.supplement.model_dump(mode="json") if state.supplement else None,
        "supplemented": [i.model_dump(mode="json") for i in state.supplemented or []],
        "eligibility": state.eligibility.model_dump(mode="json") if state.eligibility else None,
        "outcome": state.outcome.model_dump(mode="json") if state.outcome else None,
        "excluded": state.excluded.model_dump(mode="json") if state.excluded else None,
        "notice": held.notice.model_dump(mode="json") if held else None,
        "objections": _objections(held, query.proposal_id),
        "notified": notified.envelope.payload if notified else None,
        "award": award.model_dump(mode="json") if award else None,
    }


def _objections(held: _Notice | None, proposal_id: str) -> list[dict[str, Any]]:
    if held is None:
        return []
    return [
        {
            **o.model_dump(mode="json"),
            "resolution": held.resolved[k].model_dump(mode="json") if k in held.resolved else None,
        }
        for k, o in held.objections.items()
        if o.proposal_id == proposal_id
    ]


def show_fund(query: ShowFund, store: Store, settings: Settings) -> Any:
    levels = []
    for level in ("cap_huyen", "cap_tinh"):
        state = store.get("fund", f"{query.movement_id}/{level}", fund.FundState)[0]
        if state is not None:
            levels.append({"level": level, **state.model_dump(), "balance_vnd": state.balance_vnd})
    return levels


def list_overdue(query: ListOverdue, store: Store, settings: Settings) -> Any:
    movement = store.get("movement", query.movement_id, StoredEvent)[0]
    if movement is None:
        return []
    wanted = MovementDefined.model_validate(movement.envelope.payload).definition.rule_pack.id
    pack = _installed_packs()[wanted][0]
    waiting = {}
    for view in _views(store, query.movement_id, None):
        pid = view.envelope.payload["proposal_id"]
        if store.get("notified", pid, StoredEvent)[0] is not None:
            continue
        settled = _settled(store, settings, view)
        if settled is not None:
            waiting[pid] = settled
    years = {s.on.year for s in waiting.values()} or {query.as_of.year}
    calendar = state_calendar(range(min(years), max(query.as_of.year, *years) + 1))
    return notify.overdue(waiting, calendar, pack, query.as_of)


@cache
def _installed_packs() -> dict[str, tuple[RulePack, RulesRef]]:
    return rule_packs.load_all()

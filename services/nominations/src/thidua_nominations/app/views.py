"""What the service keeps in its store: the proposal and nomination views, the aggregates
and the small look-ups every step shares."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from thidua_contracts import subjects
from thidua_contracts.envelope import Envelope
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import (
    AwardIssued,
    BallotOutcomeDecided,
    CouncilSessionOpened,
    DecisionSigned,
    EligibilityAssessed,
    EventPayload,
    NoticePosted,
    ObjectionRecorded,
    ObjectionResolved,
)
from thidua_kit.aggregate import Aggregate
from thidua_kit.db import Store
from thidua_kit.envelopes import human_event
from thidua_kit.host import Context
from thidua_kit.log import StoredEvent
from thidua_kit.settings import Settings

from ..domain import council, nomination
from ..domain.notice import NoticeStatus


class ProposalView(BaseModel):
    """A proposal as recorded, and whether it still waits for its unit's final score."""

    model_config = ConfigDict(frozen=True)

    event: StoredEvent
    pending: bool = True

    @property
    def envelope(self) -> Envelope:
        return self.event.envelope


class DecisionState(BaseModel):
    model_config = ConfigDict(frozen=True)

    decision: DecisionSigned | None = None
    awards: list[AwardIssued] = []


def _decision_evolve(state: DecisionState, _e: Envelope, payload: EventPayload) -> DecisionState:
    if isinstance(payload, DecisionSigned):
        return DecisionState(decision=payload, awards=[])
    if isinstance(payload, AwardIssued):
        return state.model_copy(update={"awards": [*state.awards, payload]})
    return state


NOMINATION = Aggregate(
    "nomination", nomination.NominationState, nomination.initial, nomination.evolve
)
DECISION = Aggregate("decision", DecisionState, DecisionState, _decision_evolve)


def _seen(ctx: Context, kind: str, key: str) -> StoredEvent | None:
    return ctx.store.get(kind, key, StoredEvent)[0]


def _remember(ctx: Context, kind: str, key: str, item: StoredEvent) -> None:
    ctx.store.put(kind, key, item, item.sequence)


class _Ids(BaseModel):
    model_config = ConfigDict(frozen=True)

    ids: list[str] = []


class _Title(BaseModel):
    model_config = ConfigDict(frozen=True)

    subject_id: str
    year: int
    award_code: str
    revoked: bool = False
    # The recipient's unit: a member's revoked title reaches its unit's collective titles.
    unit_id: str | None = None


def _proposal(ctx: Context, proposal_id: str, field: str) -> ProposalView:
    view = ctx.store.get("proposal", proposal_id, ProposalView)[0]
    if view is None:
        raise Rejected(ErrorCode.UNKNOWN_PROPOSAL, field, proposal_id)
    return view


class _EventList(BaseModel):
    model_config = ConfigDict(frozen=True)

    items: list[StoredEvent]


def _nomination_events(ctx: Context, subject: str) -> list[StoredEvent]:
    """The appraisal and the passing ballot outcome an award rests on, with sequences."""
    seen = ctx.store.get("nomination-events", subject, _EventList)[0]
    return [s for s in seen.items] if seen else []


def _note(ctx: Context, items: list[StoredEvent]) -> None:
    """Keep the sequences of a nomination's decisive events, for the inputs of its award."""
    for item in items:
        subject = item.envelope.subject
        current = ctx.store.get("nomination-events", subject, _EventList)[0]
        kept = list(current.items) if current else []
        if any(s.envelope.event_id == item.envelope.event_id for s in kept):
            continue
        seen = item
        if item.envelope.type == EligibilityAssessed.TYPE:
            kept = [seen]
        elif item.envelope.type == BallotOutcomeDecided.TYPE:
            kept = [*kept[:1], seen]
        else:
            continue
        ctx.store.put("nomination-events", subject, _EventList(items=kept), item.sequence)


class _Notice(BaseModel):
    model_config = ConfigDict(frozen=True)

    notice: NoticePosted
    objections: dict[str, ObjectionRecorded] = {}
    resolved: dict[str, ObjectionResolved] = {}

    def status(self) -> NoticeStatus:
        return NoticeStatus(self.notice, dict(self.objections), dict(self.resolved))


class _Session(BaseModel):
    model_config = ConfigDict(frozen=True)

    opened: CouncilSessionOpened
    closed_on: date | None = None

    def domain(self) -> council.Session:
        return council.Session(self.opened, self.closed_on)


class _Key(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str


def _notice_of(store: Store, proposal_id: str) -> _Notice | None:
    ref = store.get("notice-of", proposal_id, _Key)[0]
    return store.get("notice", ref.key, _Notice)[0] if ref else None


# Proposal ids by movement and by unit, so that a step reads the proposals it concerns. Listing
# every proposal of every movement for each score sheet and each council session grew with the
# square of the province: a sixth of the service's time in a rebuild of 10,000 proposals.
_BY_MOVEMENT = "proposals-of-movement"
_BY_UNIT = "proposals-of-unit"
_INDEXED = "proposal-index"  # its one row says the index holds every proposal


def _indexed(store: Store, build_at: int | None) -> bool:
    """Whether the index is there; built at once from every proposal when asked (a database
    from before the index), in the transaction of the event at `build_at` that needs it."""
    if store.get(_INDEXED, "all", _Ids)[0] is not None:
        return True
    if build_at is None:
        return False
    by_movement: dict[str, list[str]] = {}
    by_unit: dict[str, list[str]] = {}
    for key, view, _seq in store.all("proposal", ProposalView):
        m = view.envelope.movement_id
        by_movement.setdefault(m, []).append(key)
        by_unit.setdefault(f"{m}/{view.envelope.payload['unit_id']}", []).append(key)
    for kind, lists in ((_BY_MOVEMENT, by_movement), (_BY_UNIT, by_unit)):
        for key, ids in lists.items():
            store.put(kind, key, _Ids(ids=ids), build_at)
    store.put(_INDEXED, "all", _Ids(), build_at)
    return True


def _add_proposal(ctx: Context, item: StoredEvent, view: ProposalView) -> None:
    """Keep a new proposal's view, and its id in the index."""
    _indexed(ctx.store, item.sequence)
    proposal_id = view.envelope.payload["proposal_id"]
    ctx.store.put("proposal", proposal_id, view, item.sequence)
    m = view.envelope.movement_id
    for kind, key in ((_BY_MOVEMENT, m), (_BY_UNIT, f"{m}/{view.envelope.payload['unit_id']}")):
        held = ctx.store.get(kind, key, _Ids)[0]
        ids = held.ids if held else []
        if proposal_id not in ids:  # folded again (a redelivery): once only
            ctx.store.put(kind, key, _Ids(ids=[*ids, proposal_id]), item.sequence)


def _proposals(
    store: Store, kind: str, m: str, unit_id: str | None = None
) -> list[tuple[str, ProposalView]]:
    """The indexed proposals, each checked against what it was listed for."""
    held = store.get(kind, m if unit_id is None else f"{m}/{unit_id}", _Ids)[0]
    found = []
    for proposal_id in held.ids if held else []:
        view = store.get("proposal", proposal_id, ProposalView)[0]
        if view is None or view.envelope.movement_id != m:
            continue
        if unit_id is None or view.envelope.payload["unit_id"] == unit_id:
            found.append((proposal_id, view))
    return found


def _unit_proposals(ctx: Context, cause: StoredEvent, unit_id: str) -> list[ProposalView]:
    """A unit's proposals in the cause's movement, by id in code-point order."""
    _indexed(ctx.store, cause.sequence)
    found = _proposals(ctx.store, _BY_UNIT, cause.envelope.movement_id, unit_id)
    return [view for _id, view in sorted(found, key=lambda pair: pair[0])]


def _views(store: Store, m: str, build_at: int | None) -> list[ProposalView]:
    """A movement's proposals in log order. Queries pass no `build_at`: they never write, and
    read every proposal until the consumer has built the index."""
    if _indexed(store, build_at):
        found = [view for _id, view in _proposals(store, _BY_MOVEMENT, m)]
    else:
        found = [
            v for _k, v, _s in store.all("proposal", ProposalView) if v.envelope.movement_id == m
        ]
    return sorted(found, key=lambda v: v.event.sequence)


def _nomination_subject(settings: Settings, m: str, proposal_id: str) -> str:
    return subjects.event_subject(
        settings.subject_prefix, "nominations", "nomination", m, proposal_id
    )


async def _append_human(
    ctx: Context, command: Any, subject: str, payload: EventPayload, correlation: str | None = None
) -> list[StoredEvent]:
    return await ctx.log.append(
        [human_event(command, subject, payload, ctx.now, correlation)],
        await ctx.log.last_subject_sequence(subject),
    )

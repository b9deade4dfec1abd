"""The causal chain of an award: every event it rests on, through causes and inputs (pure)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from thidua_contracts.envelope import Envelope


def causal_chain(
    award: tuple[int, Envelope], lookup: Callable[[str], tuple[int, Envelope] | None]
) -> list[tuple[int, Envelope]]:
    """Walk back from the award over `causation_id` and `inputs`; oldest first."""
    found: dict[str, tuple[int, Envelope]] = {award[1].event_id: award}
    frontier = [award[1]]
    while frontier:
        envelope = frontier.pop()
        parents = [i.event_id for i in envelope.inputs]
        if envelope.causation_id:
            parents.append(envelope.causation_id)
        for parent in parents:
            if parent in found:
                continue
            hit = lookup(parent)
            if hit is not None:
                found[parent] = hit
                frontier.append(hit[1])
    return sorted(found.values(), key=lambda item: item[0])


def describe(sequence: int, envelope: Envelope, by_id: dict[str, int]) -> dict[str, Any]:
    """One step as auditors read it: when, what, who or which rules, and from what."""
    step: dict[str, Any] = {
        "sequence": sequence,
        "event_id": envelope.event_id,
        "type": envelope.type,
        "occurred_at": envelope.occurred_at,
        "subject": envelope.subject,
    }
    if envelope.actor is not None:
        step["actor"] = envelope.actor.model_dump(mode="json", exclude_none=True)
    if envelope.rules is not None:
        step["rules"] = envelope.rules.model_dump(mode="json")
    if envelope.causation_id:
        step["caused_by"] = {
            "event_id": envelope.causation_id,
            "sequence": by_id.get(envelope.causation_id),
        }
    if envelope.inputs:
        step["inputs"] = [i.model_dump(mode="json") for i in envelope.inputs]
    return step


REVOKED = "nominations.AwardRevoked"
FLAGGED = "nominations.AwardReviewFlagged"
DOCUMENT = "reporting.DocumentRegistered"
ISSUED = "nominations.AwardIssued"


def explain(
    award: tuple[int, Envelope],
    lookup: Callable[[str], tuple[int, Envelope] | None],
    later: Iterable[tuple[int, Envelope]],
) -> dict[str, Any]:
    """The award, every step it rests on, and what came of it afterwards: the documents that
    name it, a revocation, a flag for review because an award it rested on was revoked.

    `later` is any stretch of the log holding those (the whole log will do)."""
    chain = causal_chain(award, lookup)
    by_id = {env.event_id: seq for seq, env in chain}
    award_id = award[1].payload.get("award_id")
    documents = []
    aftermath = []
    for sequence, envelope in later:
        if envelope.type == DOCUMENT and award[1].event_id in envelope.payload.get(
            "source_event_ids", []
        ):
            documents.append({"sequence": sequence, **envelope.payload})
        elif envelope.type in (REVOKED, FLAGGED) and envelope.payload.get("award_id") == award_id:
            by_id.setdefault(envelope.event_id, sequence)
            aftermath.append({**describe(sequence, envelope, by_id), "payload": envelope.payload})
    return {
        "award": award[1].payload,
        "steps": [describe(seq, env, by_id) for seq, env in chain],
        "documents": documents,
        "after": aftermath,
    }


def explain_log(award_id: str, log: Iterable[tuple[int, Envelope]]) -> dict[str, Any] | None:
    """`explain` over a log held in memory (an export bundle); None if no such award."""
    events = list(log)
    by_id = {env.event_id: (seq, env) for seq, env in events}
    award = next(
        (
            (seq, env)
            for seq, env in events
            if env.type == ISSUED and env.payload.get("award_id") == award_id
        ),
        None,
    )
    if award is None:
        return None
    return explain(award, by_id.get, events)

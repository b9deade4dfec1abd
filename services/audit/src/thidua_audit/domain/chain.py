"""The causal chain of an award: every event it rests on, through causes and inputs (pure)."""

from __future__ import annotations

from collections.abc import Callable
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

"""A movement's definition, parsed once per event that carries it.

A definition of thousands of people is hundreds of kilobytes; the services read it for nearly
every event they fold. An event id names one immutable body, so the parse is kept by event id.
"""

from __future__ import annotations

from thidua_contracts.events import MovementAmended, MovementDefined, payload_class
from thidua_contracts.movement import MovementDefinition

from .log import StoredEvent

_PARSED: dict[str, MovementDefinition] = {}
_MAX_ENTRIES = 64


def definition_of(movement: StoredEvent) -> MovementDefinition:
    """The definition a MovementDefined or MovementAmended event carries."""
    key = movement.envelope.event_id
    found = _PARSED.get(key)
    if found is not None:
        return found
    envelope = movement.envelope
    payload = payload_class(envelope.type, envelope.version).model_validate(envelope.payload)
    if not isinstance(payload, MovementDefined | MovementAmended):
        raise TypeError(f"{envelope.type} carries no movement definition")
    found = payload.definition
    if len(_PARSED) >= _MAX_ENTRIES:
        _PARSED.pop(next(iter(_PARSED)))
    _PARSED[key] = found
    return found

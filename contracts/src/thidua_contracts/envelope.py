"""The envelope (contract v1): the one shape every message body on the log has."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .canonical import canonical_bytes, parse_canonical
from .types import Sha256Hex, Slug, Text, Timestamp, UuidStr


class Role(StrEnum):
    """Who may act; commands are checked against these (DOMAIN §1.1). unit_clerk: the văn thư
    or emulation officer of a participating unit; block_head: the head of an emulation block
    (Trưởng khối); phong_noi_vu: the Phòng Nội vụ, standing body of the council; council_secretary:
    the council's secretary (thư ký Hội đồng Thi đua – Khen thưởng); chairman_office: the
    Chairman of the People's Committee and his office; system: operators (provisioning, imports).
    """

    UNIT_CLERK = "unit_clerk"  # văn thư / cán bộ TĐKT of a participating unit
    BLOCK_HEAD = "block_head"  # Trưởng khối
    PHONG_NOI_VU = "phong_noi_vu"  # standing body of the council
    COUNCIL_SECRETARY = "council_secretary"  # thư ký Hội đồng TĐKT
    CHAIRMAN_OFFICE = "chairman_office"  # Văn phòng / Chủ tịch UBND
    SYSTEM = "system"  # operators: provisioning, imports


class Actor(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Slug
    role: Role
    unit: Slug | None = None
    name: Text | None = None


class InputRef(BaseModel):
    """An event a computed decision read, with its stream sequence."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: UuidStr
    sequence: int = Field(ge=1)


class RulesRef(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=120)
    version: str = Field(min_length=1, max_length=40)
    sha256: Sha256Hex


class Envelope(BaseModel):
    """Every message body is the canonical JSON (RFC 8785) of one envelope (DESIGN §2)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: UuidStr
    type: str = Field(pattern=r"^[a-z]+\.[A-Z][A-Za-z]+$")
    version: int = Field(ge=1)
    subject: str = Field(min_length=1, max_length=400)
    movement_id: Slug
    occurred_at: Timestamp
    actor: Actor | None
    causation_id: UuidStr | None
    correlation_id: UuidStr
    inputs: list[InputRef] = Field(default_factory=list)
    rules: RulesRef | None = None
    payload: dict[str, Any]

    def to_bytes(self) -> bytes:
        return canonical_bytes(self.model_dump(mode="json"))

    @classmethod
    def from_bytes(cls, body: bytes) -> Envelope:
        """Parse a message body; refuses anything not in canonical form."""
        return cls.model_validate(parse_canonical(body))

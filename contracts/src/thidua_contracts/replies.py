"""Replies to commands and queries."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .errors import ErrorCode, Rejected, messages
from .types import UuidStr


class Error(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: ErrorCode
    field: str | None = None
    message_vi: str
    message_en: str
    details: list[Error] = Field(default_factory=list)

    @classmethod
    def of(cls, code: ErrorCode, field: str | None = None, detail: str | None = None) -> Error:
        vi, en = messages(code)
        if detail:
            vi, en = f"{vi} ({detail})", f"{en} ({detail})"
        return cls(code=code, field=field, message_vi=vi, message_en=en)

    @classmethod
    def from_rejection(cls, rejected: Rejected) -> Error:
        error = cls.of(rejected.code, rejected.field, rejected.detail)
        details = [cls.from_rejection(d) for d in rejected.details]
        return error.model_copy(update={"details": details}) if details else error


class AppendedEvent(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: UuidStr
    type: str
    subject: str
    sequence: int


class CommandReply(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    status: Literal["accepted", "rejected"]
    command_id: str | None = None
    events: list[AppendedEvent] = Field(default_factory=list)
    error: Error | None = None

    @classmethod
    def rejected(
        cls,
        code: ErrorCode,
        field: str | None = None,
        detail: str | None = None,
        command_id: str | None = None,
    ) -> CommandReply:
        return cls(status="rejected", command_id=command_id, error=Error.of(code, field, detail))


class QueryReply(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    status: Literal["ok", "rejected"]
    result: Any = None
    error: Error | None = None

"""The audit service's index of the whole log: one row per event, for causal look-ups."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, MetaData, String, Table, Text

metadata = MetaData()

events = Table(
    "audit_event",
    metadata,
    Column("sequence", BigInteger, primary_key=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("type", String(80), nullable=False),
    Column("subject", String(400), nullable=False),
    Column("occurred_at", String(40), nullable=False),
    Column("causation_id", String(36)),
    Column("correlation_id", String(36), nullable=False),
    Column("award_id", String(36)),
    Column("envelope", Text, nullable=False),
)
Index("audit_event_award", events.c.award_id)

"""The audit service's tables: the log indexed for causal look-ups, and its Merkle tree."""

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

# The Merkle tree over the stream (DESIGN §6): one leaf hash per sequence, so proofs and the
# leaf list auditors check against signed roots can be served; the frontier gives the root.
leaves = Table(
    "audit_leaf",
    metadata,
    Column("sequence", BigInteger, primary_key=True),
    Column("leaf_hash", String(64), nullable=False),
)
tree = Table(
    "audit_tree",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("frontier", Text, nullable=False),  # hex subtree roots, comma-separated
)
checkpoints = Table(
    "audit_checkpoint",
    metadata,
    Column("size", BigInteger, primary_key=True),
    Column("root_hash", String(64), nullable=False),
    Column("issued_at", String(40), nullable=False),
    Column("note", Text, nullable=False),
)

# Key rotations as folded from the log: from `sequence` on, checkpoints are signed by `key_id`.
signing_keys = Table(
    "audit_signing_key",
    metadata,
    Column("sequence", BigInteger, primary_key=True),
    Column("key_id", String(8), nullable=False),
    Column("verifier_key", Text, nullable=False),
)

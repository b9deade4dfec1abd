"""Following the stream into the Merkle tree, and signing checkpoints of it (DESIGN §6).

The leaf of sequence n is the message body exactly as the stream holds it, so the bytes are read
from the stream (an ordered consumer reading ahead), not re-serialised from the parsed envelope;
sequences the host parked as malformed are leaves too, since an auditor hashes every message.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session

from thidua_contracts.checkpoint import (
    Checkpoint,
    NoteError,
    SignerKey,
    VerifierKey,
    open_rotation,
    sign_checkpoint,
    sign_rotation,
)
from thidua_contracts.commands import RotateAuditKey
from thidua_contracts.envelope import Role
from thidua_contracts.errors import ErrorCode, Rejected
from thidua_contracts.events import SigningKeyRotated
from thidua_contracts.merkle import CompactTree, leaf_hash
from thidua_kit.db import Store
from thidua_kit.envelopes import human_event
from thidua_kit.host import Context
from thidua_kit.log import StoredEvent

from ..adapters import keys
from ..adapters.publisher import publish_checkpoint
from ..adapters.tables import checkpoints, leaves, signing_keys, tree
from ..domain.checkpointing import Policy, due, message_id, origin_token

log = logging.getLogger("thidua")

READ_AHEAD = 4096
TREE = "log"

# Built once, run for every event: SQLAlchemy reuses their compiled forms.
_LOAD_TREE = select(tree.c.size, tree.c.frontier).where(tree.c.name == TREE)
_UPDATE_TREE = (
    tree.update()
    .where(tree.c.name == TREE)
    .values(size=bindparam("p_size"), frontier=bindparam("p_frontier"))
)
_INSERT_TREE = tree.insert().values(
    name=TREE, size=bindparam("p_size"), frontier=bindparam("p_frontier")
)
_INSERT_LEAF = leaves.insert()
# A redelivered event is indexed once (its sequence is the key).
_INSERT_EVENT = text(
    "INSERT INTO audit_event (sequence, event_id, type, subject, occurred_at, causation_id, "
    "correlation_id, award_id, envelope) VALUES (:sequence, :event_id, :type, :subject, "
    ":occurred_at, :causation_id, :correlation_id, :award_id, :envelope) "
    "ON CONFLICT (sequence) DO NOTHING"
)
_LAST_CHECKPOINT = (
    select(checkpoints.c.size, checkpoints.c.issued_at).order_by(checkpoints.c.size.desc()).limit(1)
)


@dataclass
class Follower:
    """Per-process state of the audit service: its configuration and the read-ahead bodies."""

    origin: str
    policy: Policy
    key_path: Path
    bodies: dict[int, bytes] = field(default_factory=dict)
    stream_last: int = 0
    _signer: SignerKey | None = None

    @property
    def token(self) -> str:
        return origin_token(self.origin)

    def signer(self) -> SignerKey:
        """The first key, generated on first run; rotations add keys, never replace it."""
        if self._signer is None:
            self._signer = keys.load_or_create(self.key_path, self.origin)
        return self._signer

    def signer_in_force(self, session: Session) -> SignerKey:
        """The key of the latest rotation folded from the log (the first key before any): so
        a rebuilt database signs each tree size with the key that was in force for it."""
        row = session.execute(
            select(signing_keys.c.key_id).order_by(signing_keys.c.sequence.desc()).limit(1)
        ).first()
        if row is None:
            return self.signer()
        key = keys.load_by_id(self.key_path, self.origin, row.key_id)
        if key is None:
            raise LookupError(f"the key {row.key_id} put in force by a rotation is not here")
        return key


def load_tree(session: Session) -> CompactTree:
    row = session.execute(_LOAD_TREE).first()
    if row is None:
        return CompactTree()
    frontier = [bytes.fromhex(h) for h in row.frontier.split(",") if h]
    return CompactTree(int(row.size), frontier)


def _save_tree(session: Session, state: CompactTree) -> None:
    values = {"p_size": state.size, "p_frontier": ",".join(h.hex() for h in state.frontier)}
    updated = session.execute(_UPDATE_TREE, values)
    if updated.rowcount == 0:  # type: ignore[attr-defined]
        session.execute(_INSERT_TREE, values)


@dataclass
class _Batch:
    """What one transaction adds to the audit tables. Held by a buffered store for the whole
    batch and written at its flush: per event, the tree was read and written, the last
    checkpoint read, the event looked up, and leaf and event inserted (six statements)."""

    tree: CompactTree
    last_checkpoint: tuple[int, str | None]
    leaves: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)

    def write(self, session: Session) -> None:
        if self.leaves:
            session.execute(_INSERT_LEAF, self.leaves)
            self.leaves.clear()
        if self.events:
            session.execute(_INSERT_EVENT, self.events)
            self.events.clear()
        _save_tree(session, self.tree)


def batch_of(ctx: Context) -> _Batch:
    store = ctx.store
    held: _Batch | None = store.held.get(TREE)
    if held is not None:
        return held
    last = store.session.execute(_LAST_CHECKPOINT).first()
    held = _Batch(
        load_tree(store.session),
        (int(last.size), last.issued_at) if last else (0, None),
    )
    if store.buffered:
        store.held[TREE] = held
        store.on_flush(lambda: held.write(store.session))
    return held


def done_with(batch: _Batch, ctx: Context) -> None:
    """Unbuffered (a batch folded again event by event), each event's rows are written now."""
    if not ctx.store.buffered:
        batch.write(ctx.store.session)


async def follow(sequence: int, ctx: Context, batch: _Batch) -> None:
    """Extend the tree up to `sequence`, then sign a checkpoint if one is due."""
    follower: Follower = ctx.extra["audit"]
    state = batch.tree
    if state.size >= sequence:
        return  # a redelivery, or already read ahead of the host's position
    wanted = range(state.size + 1, sequence + 1)
    if ctx.body is not None and ctx.pending is not None and state.size + 1 == sequence:
        # The next leaf is the event in hand: its body as the stream holds it. Reading ahead
        # is for gaps (events parked as malformed never reach this handler).
        follower.bodies[sequence] = ctx.body
        follower.stream_last = sequence + ctx.pending
    if any(seq not in follower.bodies for seq in wanted):
        follower.bodies.clear()
        last = await ctx.log.last_sequence()
        end = max(sequence, min(last, state.size + READ_AHEAD))
        async for seq, body in ctx.log.replay_raw(state.size + 1, end):
            follower.bodies[seq] = body
        follower.stream_last = last
    for seq in wanted:
        digest = leaf_hash(follower.bodies.pop(seq))
        batch.leaves.append({"sequence": seq, "leaf_hash": digest.hex()})
        state.append(digest)
    await _sign_if_due(batch, follower, ctx, caught_up=state.size >= follower.stream_last)


async def on_idle(ctx: Context) -> None:
    """The consumer has nothing new: the tree is at the end of the log, and a checkpoint may be
    due by the clock alone (T seconds since the last one, with events not yet signed)."""
    follower: Follower = ctx.extra["audit"]
    await _sign_if_due(batch_of(ctx), follower, ctx, caught_up=True)


async def _sign_if_due(batch: _Batch, follower: Follower, ctx: Context, *, caught_up: bool) -> None:
    signed_size, signed_at = batch.last_checkpoint
    if due(follower.policy, batch.tree.size, signed_size, signed_at, ctx.now, caught_up):
        await _sign(batch.tree, follower, ctx)
        batch.last_checkpoint = (batch.tree.size, ctx.now)


async def _sign(state: CompactTree, follower: Follower, ctx: Context) -> None:
    root = state.root()
    signer = follower.signer_in_force(ctx.store.session)
    note = sign_checkpoint(Checkpoint(follower.origin, state.size, root), signer)
    await publish_checkpoint(
        ctx.log, ctx.settings, follower.token, note, message_id(follower.origin, state.size)
    )
    ctx.store.session.execute(
        checkpoints.insert().values(
            size=state.size, root_hash=root.hex(), issued_at=ctx.now, note=note
        )
    )


def public_key(follower: Follower, store: Store) -> dict[str, Any]:
    in_force = follower.signer_in_force(store.session).public()
    return {
        "origin": follower.origin,
        "key": in_force.encode(),
        "first_key": follower.signer().public().encode(),
    }


async def rotate(command: RotateAuditKey, ctx: Context) -> list[StoredEvent]:
    """Make a new key and record the change, signed by the key in force and by the new one."""
    if command.actor.role != Role.SYSTEM:
        raise Rejected(ErrorCode.FORBIDDEN, "actor.role", "only an operator rotates the key")
    follower: Follower = ctx.extra["audit"]
    session = ctx.store.session
    subject = ctx.subject("key", follower.token)
    last = await ctx.log.last_subject_sequence(subject)
    folded = session.execute(select(func.max(signing_keys.c.sequence))).scalar() or 0
    if last > folded:
        # Signed by the key in force now, a second statement would not chain to the first.
        raise Rejected(ErrorCode.WRONG_STATE, None, f"the rotation at {last} is not applied yet")
    old = follower.signer_in_force(session)
    new = keys.create_next(follower.key_path, follower.origin)
    payload = SigningKeyRotated(
        origin=follower.origin,
        old_key=old.public().encode(),
        new_key=new.public().encode(),
        statement=sign_rotation(follower.origin, old, new),
        reason=command.reason,
    )
    return await ctx.log.append([human_event(command, subject, payload, ctx.now)], last)


def apply_rotation(item: StoredEvent, payload: SigningKeyRotated, ctx: Context) -> None:
    """From this sequence on, sign with the new key — if the statement chains to the key in
    force and this machine holds the new key; anything else is left for verifiers to flag."""
    follower: Follower = ctx.extra["audit"]
    session = ctx.store.session
    if item.envelope.subject != ctx.subject("key", follower.token):
        return
    seen = session.execute(
        select(signing_keys.c.sequence).where(signing_keys.c.sequence == item.sequence)
    ).first()
    if seen is not None:
        return
    try:
        new = VerifierKey.parse(payload.new_key)
        current = follower.signer_in_force(session).public()
        open_rotation(payload.statement, follower.origin, current, new)
    except (NoteError, LookupError) as exc:
        log.error("audit: rotation at %d not applied: %s", item.sequence, exc)
        return
    if keys.load_by_id(follower.key_path, follower.origin, new.key_id.hex()) is None:
        log.error("audit: rotation at %d names a key this machine lacks", item.sequence)
        return
    session.execute(
        signing_keys.insert().values(
            sequence=item.sequence, key_id=new.key_id.hex(), verifier_key=payload.new_key
        )
    )


def leaf_page(store: Store, start: int, limit: int) -> dict[str, Any]:
    session = store.session
    size = session.execute(select(func.max(leaves.c.sequence))).scalar() or 0
    rows = session.execute(
        select(leaves.c.leaf_hash)
        .where(leaves.c.sequence >= start)
        .order_by(leaves.c.sequence)
        .limit(limit)
    )
    return {"size": int(size), "start": start, "leaves": [r.leaf_hash for r in rows]}

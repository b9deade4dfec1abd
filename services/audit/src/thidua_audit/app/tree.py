"""Following the stream into the Merkle tree, and signing checkpoints of it (DESIGN §6).

The leaf of sequence n is the message body exactly as the stream holds it, so the bytes are read
from the stream (an ordered consumer reading ahead), not re-serialised from the parsed envelope;
sequences the host parked as malformed are leaves too, since an auditor hashes every message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from thidua_contracts.checkpoint import Checkpoint, SignerKey, sign_checkpoint
from thidua_contracts.merkle import CompactTree, leaf_hash
from thidua_kit.db import Store
from thidua_kit.host import Context

from ..adapters import keys
from ..adapters.publisher import publish_checkpoint
from ..adapters.tables import checkpoints, leaves, tree
from ..domain.checkpointing import Policy, due, message_id, origin_token

READ_AHEAD = 4096
TREE = "log"


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
        if self._signer is None:
            self._signer = keys.load_or_create(self.key_path, self.origin)
        return self._signer


def load_tree(session: Session) -> CompactTree:
    row = session.execute(select(tree.c.size, tree.c.frontier).where(tree.c.name == TREE)).first()
    if row is None:
        return CompactTree()
    frontier = [bytes.fromhex(h) for h in row.frontier.split(",") if h]
    return CompactTree(int(row.size), frontier)


def _save_tree(session: Session, state: CompactTree) -> None:
    values = {"size": state.size, "frontier": ",".join(h.hex() for h in state.frontier)}
    updated = session.execute(tree.update().where(tree.c.name == TREE).values(**values))
    if updated.rowcount == 0:  # type: ignore[attr-defined]
        session.execute(tree.insert().values(name=TREE, **values))


async def follow(sequence: int, ctx: Context) -> None:
    """Extend the tree up to `sequence`, then sign a checkpoint if one is due."""
    follower: Follower = ctx.extra["audit"]
    session = ctx.store.session
    state = load_tree(session)
    if state.size >= sequence:
        return  # a redelivery, or already read ahead of the host's position
    wanted = range(state.size + 1, sequence + 1)
    if any(seq not in follower.bodies for seq in wanted):
        follower.bodies.clear()
        last = await ctx.log.last_sequence()
        end = max(sequence, min(last, state.size + READ_AHEAD))
        async for seq, body in ctx.log.replay_raw(state.size + 1, end):
            follower.bodies[seq] = body
        follower.stream_last = last
    for seq in wanted:
        digest = leaf_hash(follower.bodies.pop(seq))
        session.execute(leaves.insert().values(sequence=seq, leaf_hash=digest.hex()))
        state.append(digest)
    _save_tree(session, state)
    await _sign_if_due(state, follower, ctx, caught_up=state.size >= follower.stream_last)


async def on_idle(ctx: Context) -> None:
    """The consumer has nothing new: the tree is at the end of the log, and a checkpoint may be
    due by the clock alone (T seconds since the last one, with events not yet signed)."""
    follower: Follower = ctx.extra["audit"]
    await _sign_if_due(load_tree(ctx.store.session), follower, ctx, caught_up=True)


async def _sign_if_due(
    state: CompactTree, follower: Follower, ctx: Context, *, caught_up: bool
) -> None:
    last_row = ctx.store.session.execute(
        select(checkpoints.c.size, checkpoints.c.issued_at)
        .order_by(checkpoints.c.size.desc())
        .limit(1)
    ).first()
    if due(
        follower.policy,
        state.size,
        int(last_row.size) if last_row else 0,
        last_row.issued_at if last_row else None,
        ctx.now,
        caught_up,
    ):
        await _sign(state, follower, ctx)


async def _sign(state: CompactTree, follower: Follower, ctx: Context) -> None:
    root = state.root()
    note = sign_checkpoint(Checkpoint(follower.origin, state.size, root), follower.signer())
    await publish_checkpoint(
        ctx.log, ctx.settings, follower.token, note, message_id(follower.origin, state.size)
    )
    ctx.store.session.execute(
        checkpoints.insert().values(
            size=state.size, root_hash=root.hex(), issued_at=ctx.now, note=note
        )
    )


def public_key(follower: Follower) -> dict[str, Any]:
    return {"origin": follower.origin, "key": follower.signer().public().encode()}


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

"""The Merkle tree over the log (RFC 6962 / RFC 9162 §2.1), standard library only.

Leaf *i* (0-based) is the body of stream sequence *i + 1*. Anyone can recompute roots and check
inclusion and consistency proofs with this module alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(ValueError):
    """A proof that does not have the shape its sizes call for."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH over leaf hashes (not leaf data), as RFC 6962 §2.1 defines it."""
    if not leaf_hashes:
        return EMPTY_ROOT
    # Folding the compact range gives the same root without recursion depth limits.
    tree = CompactTree()
    for h in leaf_hashes:
        tree.append(h)
    return tree.root()


def root_of_data(leaves: Iterable[bytes]) -> bytes:
    return root([leaf_hash(d) for d in leaves])


def inclusion_proof(index: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of RFC 6962 §2.1.1, leaf first."""
    n = len(leaf_hashes)
    if not 0 <= index < n:
        raise ProofError(f"leaf {index} is not in a tree of size {n}")
    return _path(index, leaf_hashes)


def _path(m: int, d: Sequence[bytes]) -> list[bytes]:
    n = len(d)
    if n == 1:
        return []
    k = _split(n)
    if m < k:
        return [*_path(m, d[:k]), root(d[k:])]
    return [*_path(m - k, d[k:]), root(d[:k])]


def consistency_proof(old_size: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 6962 §2.1.2; empty when m is 0 or n."""
    n = len(leaf_hashes)
    if not 0 <= old_size <= n:
        raise ProofError(f"old size {old_size} is not within a tree of size {n}")
    if old_size in (0, n):
        return []
    return _subproof(old_size, leaf_hashes, True)


def _subproof(m: int, d: Sequence[bytes], complete: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if complete else [root(d)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, d[:k], complete), root(d[k:])]
    return [*_subproof(m - k, d[k:], False), root(d[:k])]


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], expected_root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2: does `leaf` (a leaf hash) sit at `index` of the tree with this root?"""
    if not 0 <= index < size:
        return False
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == expected_root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2: is the tree of `new_size` an append-only extension of `old_size`?"""
    if not 0 <= old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof  # every tree extends the empty one
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


class CompactTree:
    """An append-only tree kept as its frontier: the roots of its perfect subtrees, left to right.

    That is all a follower needs to persist (at most 64 hashes) to give the root at its size.
    """

    def __init__(self, size: int = 0, frontier: Sequence[bytes] = ()) -> None:
        if len(frontier) != bin(size).count("1"):
            raise ValueError(f"a tree of size {size} has {bin(size).count('1')} subtree roots")
        self.size = size
        self.frontier = list(frontier)

    def append(self, leaf: bytes) -> None:
        """Add one leaf hash, merging equal-sized subtrees as binary addition carries."""
        h = leaf
        size = self.size
        while size & 1:
            h = node_hash(self.frontier.pop(), h)
            size >>= 1
        self.frontier.append(h)
        self.size += 1

    def root(self) -> bytes:
        if not self.frontier:
            return EMPTY_ROOT
        r = self.frontier[-1]
        for h in reversed(self.frontier[:-1]):
            r = node_hash(h, r)
        return r

    def copy(self) -> CompactTree:
        return CompactTree(self.size, self.frontier)

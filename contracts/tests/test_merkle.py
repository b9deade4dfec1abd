"""Merkle tree (RFC 6962 / RFC 9162): test vectors, and proofs as properties."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua_contracts.merkle import (
    EMPTY_ROOT,
    CompactTree,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root,
    root_of_data,
    verify_consistency,
    verify_inclusion,
)

# The test leaves and roots published with the certificate-transparency reference code.
LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def _mth(data: list[bytes]) -> bytes:
    """RFC 6962 §2.1 written out literally, to check the iterative code against."""
    n = len(data)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaf_hash(data[0])
    k = 1
    while k * 2 < n:
        k *= 2
    return node_hash(_mth(data[:k]), _mth(data[k:]))


def test_empty_tree_is_the_hash_of_nothing() -> None:
    assert (
        root([])
        == EMPTY_ROOT
        == bytes.fromhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    )


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_match_the_reference_vectors(size: int) -> None:
    assert root_of_data(LEAVES[:size]).hex() == ROOTS[size - 1]
    assert _mth(LEAVES[:size]).hex() == ROOTS[size - 1]


def test_inclusion_and_consistency_vectors() -> None:
    hashes = [leaf_hash(d) for d in LEAVES]
    assert [p.hex() for p in inclusion_proof(0, hashes)] == [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ]
    assert [p.hex() for p in consistency_proof(6, hashes)] == [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ]


leaf_lists = st.lists(st.binary(max_size=8), min_size=1, max_size=70)


@given(leaf_lists)
def test_compact_tree_gives_the_root_at_every_size(data: list[bytes]) -> None:
    tree = CompactTree()
    for i, item in enumerate(data):
        tree.append(leaf_hash(item))
        assert tree.root() == _mth(data[: i + 1])
    again = CompactTree(tree.size, tree.frontier)
    assert again.root() == tree.root()


@given(leaf_lists, st.data())
def test_every_inclusion_proof_verifies_and_a_changed_leaf_fails(
    data: list[bytes], draw: st.DataObject
) -> None:
    hashes = [leaf_hash(d) for d in data]
    top = root(hashes)
    index = draw.draw(st.integers(0, len(data) - 1))
    proof = inclusion_proof(index, hashes)
    assert verify_inclusion(index, len(data), hashes[index], proof, top)
    assert not verify_inclusion(index, len(data), leaf_hash(data[index] + b"x"), proof, top)
    assert not verify_inclusion(index, len(data), hashes[index], [*proof, top], top)
    if len(data) > 1:
        other = (index + 1) % len(data)
        if hashes[other] != hashes[index]:
            assert not verify_inclusion(other, len(data), hashes[index], proof, top)


@given(leaf_lists, st.data())
def test_every_consistency_proof_verifies_and_a_rewrite_fails(
    data: list[bytes], draw: st.DataObject
) -> None:
    hashes = [leaf_hash(d) for d in data]
    n = len(hashes)
    m = draw.draw(st.integers(0, n))
    proof = consistency_proof(m, hashes)
    old, new = root(hashes[:m]), root(hashes)
    assert verify_consistency(m, n, old, new, proof)
    if m > 0:
        changed = draw.draw(st.integers(0, m - 1))
        forked = list(hashes)
        forked[changed] = leaf_hash(data[changed] + b"x")
        assert not verify_consistency(m, n, root(forked[:m]), new, proof)
        if m < n:
            assert not verify_consistency(m, n, old, root(forked), proof)


def test_proofs_refuse_sizes_outside_the_tree() -> None:
    hashes = [leaf_hash(d) for d in LEAVES]
    with pytest.raises(ProofError):
        inclusion_proof(8, hashes)
    with pytest.raises(ProofError):
        consistency_proof(9, hashes)
    assert not verify_consistency(3, 2, root(hashes[:3]), root(hashes[:2]), [])
    with pytest.raises(ValueError, match="subtree roots"):
        CompactTree(3, [EMPTY_ROOT])

"""The Merkle tree of RFC 6962: roots, inclusion proofs, against a direct transcription of §2.1."""
from __future__ import annotations

import hashlib

import pytest

from service.audit.merkle import Tree, TreeBuilder, node_hash, root_from_inclusion, tree_root


def mth(leaves: list[bytes]) -> bytes:
    """MTH(D[n]) as RFC 6962 §2.1 writes it (k: the largest power of two smaller than n)."""
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def leaves(n: int) -> list[bytes]:
    return [hashlib.sha256(b"\x00" + str(i).encode()).digest() for i in range(n)]


@pytest.mark.parametrize("n", [*range(1, 34), 100, 255, 256, 257, 1000])
def test_roots_and_every_inclusion_proof_match_the_rfc(n):
    data = leaves(n)
    tree, builder = Tree(data), TreeBuilder()
    for leaf in data:
        builder.push(leaf)
    assert tree.root() == builder.root() == tree_root(data) == mth(data)
    for index in range(n):
        proof = tree.inclusion_proof(index)
        assert len(proof) <= max(1, (n - 1).bit_length())
        assert root_from_inclusion(index, n, data[index], proof) == mth(data)


def test_a_proof_does_not_fit_another_leaf_position_or_size():
    data = leaves(11)
    tree = Tree(data)
    proof = tree.inclusion_proof(5)
    root = tree.root()
    assert root_from_inclusion(5, 11, data[6], proof) != root
    assert root_from_inclusion(4, 11, data[5], proof) != root
    assert root_from_inclusion(5, 11, data[5], proof[:-1]) != root
    assert root_from_inclusion(11, 11, data[5], proof) is None


def test_inner_nodes_are_separated_from_leaves():
    a, b = leaves(2)
    assert node_hash(a, b) == hashlib.sha256(b"\x01" + a + b).digest() != hashlib.sha256(a + b).digest()

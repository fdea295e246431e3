"""The Merkle tree of the trail, as certificate transparency logs build it (RFC 6962, §2.1).

Leaves are the events' stored hashes, in `seq` order; an inner node is
`SHA-256(0x01 ‖ left ‖ right)`; the tree of `n` leaves splits at the largest power of two
below `n`. A signed checkpoint gives `(size, root)`; an inclusion proof shows that one event is
leaf `i` of that tree; recomputing the root at a checkpoint's size shows that nobody rewrote the
first `size` events since it was signed. Pure functions: the database is not needed here.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

NODE = b"\x01"


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(NODE + left + right).digest()


class TreeBuilder:
    """The root of a growing tree in O(log n) memory: perfect subtrees on a stack (a compact range)."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, bytes]] = []
        self.size = 0

    def copy(self) -> TreeBuilder:
        other = TreeBuilder()
        other._stack, other.size = list(self._stack), self.size
        return other

    def push(self, leaf: bytes) -> None:
        size, digest = 1, leaf
        stack = self._stack
        while stack and stack[-1][0] == size:
            left_size, left = stack.pop()
            size, digest = left_size + size, hashlib.sha256(NODE + left + digest).digest()
        stack.append((size, digest))
        self.size += 1

    def push_block(self, leaves: Sequence[bytes]) -> None:
        """Push a block of 2^k leaves at a position that is a multiple of 2^k (the same tree as
        pushing them one by one, with far fewer Python steps)."""
        width = len(leaves)
        if width & (width - 1) or self.size % width:
            raise ValueError("a block is a power of two, aligned on its width")
        level = list(leaves)
        sha256 = hashlib.sha256
        while len(level) > 1:
            level = [sha256(NODE + level[i] + level[i + 1]).digest() for i in range(0, len(level), 2)]
        size, digest = width, level[0]
        stack = self._stack
        while stack and stack[-1][0] == size:
            left_size, left = stack.pop()
            size, digest = left_size + size, sha256(NODE + left + digest).digest()
        stack.append((size, digest))
        self.size += width

    def root(self) -> bytes:
        """MTH of the leaves pushed so far (SHA-256 of nothing for an empty tree)."""
        if not self._stack:
            return hashlib.sha256(b"").digest()
        digest = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            digest = node_hash(left, digest)
        return digest


def tree_root(leaves: Iterable[bytes]) -> bytes:
    builder = TreeBuilder()
    for leaf in leaves:
        builder.push(leaf)
    return builder.root()


class Tree:
    """Every level of a tree over `leaves`, for inclusion proofs (about 2n hashes kept)."""

    def __init__(self, leaves: Sequence[bytes]):
        self.size = len(leaves)
        self._levels = [list(leaves)]
        level = self._levels[0]
        while len(level) > 1:
            level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
            self._levels.append(level)

    def _perfect(self, start: int, width: int) -> bytes:
        """The root of the perfect subtree of `width` leaves (a power of two) starting at `start`."""
        return self._levels[width.bit_length() - 1][start // width]

    def _range_root(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]) for a range that starts on a multiple of its largest perfect part."""
        parts = []
        while start < end:
            width = 1 << ((end - start).bit_length() - 1)
            parts.append(self._perfect(start, width))
            start += width
        digest = parts[-1]
        for left in reversed(parts[:-1]):
            digest = node_hash(left, digest)
        return digest

    def root(self) -> bytes:
        return self._range_root(0, self.size) if self.size else hashlib.sha256(b"").digest()

    def inclusion_proof(self, index: int) -> list[bytes]:
        """PATH(index, D[size]) of RFC 6962 §2.1.1, leaf to root."""
        if not 0 <= index < self.size:
            raise IndexError(index)
        path: list[bytes] = []
        start, end = 0, self.size
        while end - start > 1:
            split = 1 << ((end - start - 1).bit_length() - 1)  # largest power of two < n
            if index < start + split:
                path.append(self._range_root(start + split, end))
                end = start + split
            else:
                path.append(self._perfect(start, split))
                start += split
        return list(reversed(path))


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes | None:
    """The root that `proof` leads to from leaf `index` of a tree of `size` leaves
    (RFC 9162 §2.1.3.2); None when the proof does not fit the position."""
    if not 0 <= index < size:
        return None
    fn, sn, digest = index, size - 1, leaf
    for sibling in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            digest = node_hash(sibling, digest)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            digest = node_hash(digest, sibling)
        fn, sn = fn >> 1, sn >> 1
    return digest if sn == 0 else None

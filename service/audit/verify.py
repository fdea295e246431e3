"""Recomputing the chain and the Merkle tree from the database, against signed checkpoints."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from hashlib import sha256

from sqlalchemy import String, select, type_coerce

from ..extensions import db
from ..models import AuditEvent
from .chain import CURRENT_SCHEME, GENESIS, LEAF, hash_event, stored_entry, timestamp
from .checkpoint import Checkpoint
from .merkle import TreeBuilder


@dataclass(frozen=True)
class CheckpointResult:
    checkpoint: Checkpoint
    consistent: bool
    reason: str | None = None


@dataclass(frozen=True)
class Verification:
    ok: bool
    events: int
    head: str
    broken_seq: int | None = None
    reason: str | None = None
    root: str | None = None  # Merkle root of the `events` verified
    checkpoints: tuple[CheckpointResult, ...] = field(default_factory=tuple)
    tree: TreeBuilder | None = field(default=None, repr=False, compare=False)  # to resume from


BLOCK = 4096  # leaves hashed into the tree together (see TreeBuilder.push_block)


def verify_chain(checkpoints: Sequence[Checkpoint] = (), batch: int = 20_000,
                 resume: Verification | None = None) -> Verification:
    """Walk every event in `seq` order, recompute its hash and the tree; name the first event
    whose number, link or content does not hold, and check each checkpoint against the tree
    of its size (a consistent rewrite of the whole chain is caught there).

    `resume`: a successful verification to continue from (only the events after it are read).
    """
    t = AuditEvent.__table__.c  # Core columns: no ORM row processing on a million rows
    columns = (t.seq, type_coerce(t.created_at, String), t.actor_id, t.actor_role, t.case_id,
               t.procedure_id, t.task_id, t.event_type, t.payload, t.prev_hash, t.hash, t.hash_version)
    query = select(*columns).order_by(t.seq)
    if resume is not None:
        query = query.where(t.seq > resume.events)
    result = db.session.connection().execution_options(yield_per=batch).execute(query)
    sizes = {c.tree_size for c in checkpoints}
    roots: dict[int, bytes] = {}
    tree, block = (resume.tree.copy() if resume else TreeBuilder()), []
    if 0 in sizes:
        roots[0] = tree.root()
    expected_seq, prev, count = 1, GENESIS, 0
    if resume is not None:
        expected_seq, prev, count = resume.events + 1, resume.head, resume.events
    failure: tuple[int, str] | None = None
    for seq, created_at, actor_id, actor_role, case_id, procedure_id, task_id, event_type, \
            payload, prev_hash, stored, scheme in result:
        if seq != expected_seq:
            failure = (expected_seq, "événement manquant" if seq > expected_seq else "numéro en double")
            break
        if prev_hash != prev:
            failure = (seq, "chaînage rompu (prev_hash)")
            break
        if isinstance(created_at, str) and len(created_at) == 26 and created_at[10] == " ":
            stamp = f"{created_at[:10]}T{created_at[11:]}Z"  # SQLite's text, always UTC
        else:
            stamp = _stamp(created_at)
        if scheme == CURRENT_SCHEME:  # leaf_hash(prev, stored_entry(...)), inlined: the hot path
            entry = stored_entry(seq, stamp, actor_id, actor_role, case_id, procedure_id, task_id,
                                 event_type, payload)
            leaf = sha256(LEAF + prev.encode("ascii") + b"\n" + entry.encode("utf-8")).digest()
            digest = leaf.hex()
        elif scheme == 1:  # events written before migration 0003
            digest = hash_event(scheme, prev, seq=seq, created_at=stamp, actor_id=actor_id,
                                actor_role=actor_role, case_id=case_id, procedure_id=procedure_id,
                                task_id=task_id, event_type=event_type, payload=payload)
            leaf = bytes.fromhex(digest)
        else:  # not in the hash: an unknown scheme must not pass for scheme 2
            failure = (seq, "schéma de hachage inconnu (hash_version)")
            break
        if digest != stored:
            failure = (seq, "contenu modifié (hash)")
            break
        prev, expected_seq, count = digest, expected_seq + 1, count + 1
        block.append(leaf)
        if len(block) == BLOCK and not any(count - BLOCK < size < count for size in sizes):
            tree.push_block(block)
            block = []
        elif count in sizes:
            for leaf in block:
                tree.push(leaf)
            block = []
            roots[count] = tree.root()
    for leaf in block:
        tree.push(leaf)
    results = tuple(_against(c, roots.get(c.tree_size), count) for c in checkpoints)
    root = tree.root().hex()
    if failure is not None:
        return Verification(False, count, prev, failure[0], failure[1], root, results)
    broken = next((r for r in results if not r.consistent), None)
    if broken is not None:
        return Verification(False, count, prev, None, broken.reason, root, results)
    return Verification(True, count, prev, root=root, checkpoints=results, tree=tree)


def _stamp(value: str | datetime) -> str:
    """The hashed form of a stored time: PostgreSQL gives a datetime, SQLite its text."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return timestamp(value)


def _against(checkpoint: Checkpoint, root: bytes | None, verified: int) -> CheckpointResult:
    if root is None:
        if checkpoint.tree_size > verified:
            return CheckpointResult(checkpoint, False, f"le point de contrôle couvre {checkpoint.tree_size} "
                                    f"événements, le journal vérifié n'en a que {verified} : "
                                    "des événements ont disparu")
        return CheckpointResult(checkpoint, False, "taille du point de contrôle non atteinte")
    if root.hex() != checkpoint.root_hash:
        return CheckpointResult(checkpoint, False, f"les {checkpoint.tree_size} premiers événements ne "
                                "sont plus ceux qui ont été signés : le journal a été réécrit")
    return CheckpointResult(checkpoint, True)

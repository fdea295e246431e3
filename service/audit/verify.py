"""Recomputing the chain and the Merkle tree from the database, against signed checkpoints."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select

from ..extensions import db
from ..models import AuditEvent
from .chain import GENESIS, hash_event
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


def verify_chain(checkpoints: Sequence[Checkpoint] = (), batch: int = 20_000) -> Verification:
    """Walk every event in `seq` order, recompute its hash and the tree; name the first event
    whose number, link or content does not hold, and check each checkpoint against the tree
    of its size (a consistent rewrite of the whole chain is caught there)."""
    columns = (AuditEvent.seq, AuditEvent.created_at, AuditEvent.actor_id, AuditEvent.actor_role,
               AuditEvent.case_id, AuditEvent.procedure_id, AuditEvent.task_id,
               AuditEvent.event_type, AuditEvent.payload, AuditEvent.prev_hash, AuditEvent.hash,
               AuditEvent.hash_version)
    result = db.session.execute(select(*columns).order_by(AuditEvent.seq)
                                .execution_options(yield_per=batch))
    at_size: dict[int, list[Checkpoint]] = {}
    for checkpoint in checkpoints:
        at_size.setdefault(checkpoint.tree_size, []).append(checkpoint)
    roots: dict[int, bytes] = {}
    tree = TreeBuilder()
    if 0 in at_size:
        roots[0] = tree.root()
    expected_seq, prev, count = 1, GENESIS, 0
    failure: tuple[int, str] | None = None
    for row in result:
        if row.seq != expected_seq:
            failure = (expected_seq, "événement manquant" if row.seq > expected_seq else "numéro en double")
            break
        if row.prev_hash != prev:
            failure = (row.seq, "chaînage rompu (prev_hash)")
            break
        digest = hash_event(row.hash_version, prev, seq=row.seq, created_at=row.created_at,
                            actor_id=row.actor_id, actor_role=row.actor_role, case_id=row.case_id,
                            procedure_id=row.procedure_id, task_id=row.task_id,
                            event_type=row.event_type, payload=row.payload)
        if digest != row.hash:
            failure = (row.seq, "contenu modifié (hash)")
            break
        tree.push(bytes.fromhex(digest))
        prev, expected_seq, count = digest, expected_seq + 1, count + 1
        if count in at_size:
            roots[count] = tree.root()
    results = tuple(_against(c, roots.get(c.tree_size), count) for c in checkpoints)
    root = tree.root().hex()
    if failure is not None:
        return Verification(False, count, prev, failure[0], failure[1], root, results)
    broken = next((r for r in results if not r.consistent), None)
    if broken is not None:
        return Verification(False, count, prev, None, broken.reason, root, results)
    return Verification(True, count, prev, root=root, checkpoints=results)


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

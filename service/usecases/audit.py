"""Verifying the audit trail, signing checkpoints, exporting a case with its proofs."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flask import current_app
from sqlalchemy import select

from ..access import AUDIT_VERIFIERS, Actor, require_case, require_role
from ..audit import Verification, timestamp, verify_chain
from ..audit.checkpoint import Checkpoint, key_id, load_or_create_key, load_public, public_path, sign
from ..audit.merkle import Tree
from ..audit.proof import FORMAT, event_entry
from ..errors import VigieError
from ..extensions import db
from ..models import AuditEvent, Case
from .cases import readable_timeline
from .unit_of_work import unit_of_work

#: who may export a case with its proofs (an inspection, a judge's request through the DSDEN)
CASE_EXPORTERS = frozenset({"auditeur"})


@dataclass(frozen=True)
class SignedCheckpoint:
    checkpoint: Checkpoint
    path: Path
    created_key: bool  # the signing key was created for this checkpoint


def key_path() -> Path:
    return Path(current_app.config.get("VIGIE_AUDIT_KEY")
                or Path(current_app.instance_path) / "audit_ed25519.pem")


def checkpoint_dir() -> Path:
    return Path(current_app.config.get("VIGIE_CHECKPOINT_DIR")
                or Path(current_app.instance_path) / "checkpoints")


def trusted_key(explicit: str | Path | None = None) -> Ed25519PublicKey | None:
    """The public key checkpoints must be signed with: the file given, else this instance's."""
    if explicit:
        return load_public(explicit)
    path = public_path(key_path())
    return load_public(path) if path.exists() else None


def verify_trail(actor: Actor | None, checkpoints: tuple[Checkpoint, ...] = (),
                 public_key: Ed25519PublicKey | None = None) -> Verification:
    """Recompute the whole chain and tree, and each checkpoint given. Read only: verifying writes
    nothing, so it can run on a copy.

    :raises Forbidden: for roles other than auditeur and admin (the CLI passes no actor);
    :raises VigieError: a checkpoint whose signature does not hold.
    """
    if actor is not None:
        require_role(actor, AUDIT_VERIFIERS, "vérifier la piste d'audit")
    for checkpoint in checkpoints:
        if not checkpoint.signature_valid(public_key):
            raise VigieError(f"Point de contrôle de {checkpoint.tree_size} événements : signature "
                             f"invalide pour la clé {public_key and 'fournie' or checkpoint.key_id}.")
    return verify_chain(checkpoints)


def sign_checkpoint(actor: Actor | None) -> SignedCheckpoint:
    """Verify the trail, record the signing, then sign `(size, root, time)` of the trail that
    includes that record (so deleting it breaks the checkpoint) and write it to the checkpoint
    directory. :raises VigieError: when the trail does not verify (nothing is signed)."""
    if actor is not None:
        require_role(actor, AUDIT_VERIFIERS, "signer un point de contrôle")
    before = _verified()
    key, created = load_or_create_key(key_path())
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    public = key.public_key()
    with unit_of_work(actor) as uow:
        uow.record("audit_checkpoint_signed", signed_at=now, key_id=key_id(public),
                   verified_events=before.events, verified_root=before.root)
    verification = _verified(before)
    checkpoint = sign(key, verification.events, verification.root, now)
    folder = checkpoint_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"checkpoint-{checkpoint.tree_size:09d}-{now.replace(':', '')}.json"
    path.write_text(checkpoint.to_json(), encoding="utf-8")
    return SignedCheckpoint(checkpoint, path, created)


def _verified(resume: Verification | None = None) -> Verification:
    db.session.commit()  # a fresh snapshot: what was committed up to now
    verification = verify_chain(resume=resume)
    if not verification.ok:
        raise VigieError(f"Piste d'audit rompue au seq {verification.broken_seq} "
                         f"({verification.reason}) : aucun point de contrôle n'est signé.")
    return verification


@dataclass(frozen=True)
class TrailStatus:
    events: int  # events in the trail now
    checkpoint: Checkpoint | None  # the largest signed checkpoint in the directory

    @property
    def since_checkpoint(self) -> int:
        return self.events - (self.checkpoint.tree_size if self.checkpoint else 0)


def trail_status() -> TrailStatus:
    """How many events the trail holds and its last checkpoint (no content read)."""
    head = db.session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)) or 0
    return TrailStatus(head, latest_checkpoint())


def latest_checkpoint() -> Checkpoint | None:
    """The largest checkpoint of the directory, if any."""
    found = []
    for path in sorted(checkpoint_dir().glob("checkpoint-*.json")):
        try:
            found.append(Checkpoint.read(path))
        except ValueError:
            continue
    return max(found, key=lambda c: (c.tree_size, c.timestamp), default=None)


def export_case(actor: Actor, case_id: int, purpose: str) -> dict[str, Any]:
    """A case's whole timeline with, for each event, its inclusion proof in a checkpoint signed
    now; the export itself is recorded. :raises Forbidden, NotFound, VigieError:"""
    require_role(actor, CASE_EXPORTERS, "exporter un dossier avec ses preuves")
    case = require_case(actor, db.session.get(Case, case_id))
    signed = sign_checkpoint(actor).checkpoint
    leaves = [bytes.fromhex(h) for h in db.session.scalars(
        select(AuditEvent.hash).where(AuditEvent.seq <= signed.tree_size).order_by(AuditEvent.seq))]
    tree = Tree(leaves)
    rows = list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.case_id == case.id, AuditEvent.seq <= signed.tree_size).order_by(AuditEvent.seq)))
    events = []
    for row, readable in zip(rows, readable_timeline(case, rows), strict=True):
        entry = event_entry({**{c: getattr(row, c) for c in (
            "seq", "actor_id", "actor_role", "case_id", "procedure_id", "task_id", "event_type",
            "prev_hash", "hash", "hash_version")},
            "created_at": timestamp(row.created_at), "payload": json.loads(row.payload)})
        entry["inclusion_proof"] = [h.hex() for h in tree.inclusion_proof(row.seq - 1)]
        entry["actor"] = readable.actor  # for reading: not covered by the hash, unlike actor_id
        entry["rows"] = [list(pair) for pair in readable.rows]  # the data declared, labelled
        events.append(entry)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    export = {
        "format": FORMAT, "exported_at": now, "exported_by": actor.username, "purpose": purpose,
        "case": {"id": case.id, "pupil": case.pupil_name, "establishment": case.establishment.label,
                 "opened_at": timestamp(case.opened_at)},
        "checkpoint": json.loads(signed.to_json()), "events": events,
    }
    with unit_of_work(actor) as uow:
        uow.record("case_exported", case_id=case.id, purpose=purpose, events=len(events),
                   tree_size=signed.tree_size, root_hash=signed.root_hash)
    return export

"""A case export and its proofs, checked without the database (`vigie audit prove FILE`).

An export lists a case's events with, for each, its position in the trail (`seq - 1`) and its
inclusion proof in the tree of a signed checkpoint. Checking it recomputes every event's hash
from its content, follows its proof to the checkpoint's root, and checks the signature: an event
altered, left out of the trail or added afterwards does not lead to the signed root.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .chain import canonical_json, hash_event
from .checkpoint import Checkpoint
from .merkle import root_from_inclusion

FORMAT = "vigie-case-export/1"


def event_entry(event: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of an event as exported (payload as an object, hashes in hex)."""
    return {key: event[key] for key in (
        "seq", "created_at", "actor_id", "actor_role", "case_id", "procedure_id", "task_id",
        "event_type", "payload", "prev_hash", "hash", "hash_version")}


def check_export(export: Any, trusted: Ed25519PublicKey | None = None) -> tuple[list[str], Checkpoint | None]:
    """French problems (none when the export holds) and its checkpoint."""
    if not isinstance(export, dict) or export.get("format") != FORMAT:
        return ["ce fichier n'est pas un export de dossier Vigie"], None
    try:
        checkpoint = Checkpoint.from_dict(export.get("checkpoint"))
    except ValueError as e:
        return [f"point de contrôle : {e}"], None
    problems = []
    if not checkpoint.signature_valid(trusted):
        problems.append("la signature du point de contrôle ne correspond pas à la clé publique")
    root = bytes.fromhex(checkpoint.root_hash)
    case_id = (export.get("case") or {}).get("id")
    for event in export.get("events") or []:
        try:
            problems += _check_event(event, checkpoint.tree_size, root, case_id)
        except (KeyError, TypeError, ValueError) as e:
            problems.append(f"événement {event.get('seq') if isinstance(event, dict) else '?'} : "
                            f"illisible ({e})")
    if not export.get("events"):
        problems.append("l'export ne contient aucun événement")
    return problems, checkpoint


def _check_event(event: dict, size: int, root: bytes, case_id: Any) -> list[str]:
    seq = int(event["seq"])
    if event["hash_version"] not in (1, 2):  # not hashed: an unknown scheme must not pass for another
        return [f"événement {seq} : schéma d'empreinte inconnu ({event['hash_version']!r})"]
    digest = hash_event(int(event["hash_version"]), event["prev_hash"], seq=seq,
                        created_at=event["created_at"], actor_id=event["actor_id"],
                        actor_role=event["actor_role"], case_id=event["case_id"],
                        procedure_id=event["procedure_id"], task_id=event["task_id"],
                        event_type=event["event_type"], payload=_stored(event))
    if digest != event["hash"]:
        return [f"événement {seq} : contenu modifié (son empreinte ne correspond plus)"]
    if event["case_id"] != case_id:
        return [f"événement {seq} : il ne concerne pas ce dossier"]
    proof = [bytes.fromhex(h) for h in event["inclusion_proof"]]
    if root_from_inclusion(seq - 1, size, bytes.fromhex(digest), proof) != root:
        return [f"événement {seq} : absent de l'arbre signé (preuve d'inclusion invalide)"]
    return []


def _stored(event: dict) -> str:
    """The payload as the trail stores it: canonical JSON text (scheme 1 hashed it as a string)."""
    payload = event["payload"]
    return payload if isinstance(payload, str) else canonical_json(payload)

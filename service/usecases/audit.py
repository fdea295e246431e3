"""Verifying the audit trail."""
from __future__ import annotations

from ..access import AUDIT_VERIFIERS, Actor, require_role
from ..audit import Verification, verify_chain


def verify_trail(actor: Actor | None) -> Verification:
    """Recompute the whole chain. Read only: verifying writes nothing, so it can run on a copy.

    :raises Forbidden: for roles other than auditeur and admin (the CLI passes no actor).
    """
    if actor is not None:
        require_role(actor, AUDIT_VERIFIERS, "vérifier la piste d'audit")
    return verify_chain()

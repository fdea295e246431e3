"""Departmental protocols: read the one in force, publish a new version (DOMAIN.md §8.1).

A protocol is configuration, not code: each change is a new version, recorded in the audit trail
with its values and reason, and applies to the procedures started afterwards; a running
procedure keeps the protocol it started with.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from workflows.protocol import DEFAULT_PROTOCOL, PROTOCOL_SCHEMA, protocol_problems

from ..access import Actor, require_role
from ..audit import canonical_json
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..models import DEPARTEMENTS, Departement, DepartmentalProtocol, Establishment, User, valid_departement
from .unit_of_work import unit_of_work

PROTOCOL_READERS = frozenset({"ass", "direction", "ctsd", "auditeur", "admin", "systeme"})
#: the DSDEN's advisor for her département, the administrators, the command line
PROTOCOL_EDITORS = frozenset({"ctsd", "admin", "systeme"})


@dataclass(frozen=True)
class ProtocolView:
    departement: str
    departement_name: str
    version: int  # 0: the default protocol, never set for this département
    values: dict[str, Any]
    reason: str | None
    created_at: datetime | None
    created_by: str | None


def protocol_in_force(departement_code: str) -> tuple[DepartmentalProtocol | None, dict[str, Any]]:
    """The row in force (None for the default) and its values, for a procedure that starts now."""
    row = DepartmentalProtocol.in_force(departement_code)
    return row, (row.values if row else dict(DEFAULT_PROTOCOL))


def _departement(actor: Actor, code: str) -> Departement:
    """The département, if the actor's scope covers it. :raises Forbidden, NotFound:"""
    if actor.role not in ("admin", "systeme"):
        scope = {actor.departement} if actor.departement else set()
        if actor.role in ("ass", "direction"):
            scope = set(db.session.scalars(select(Establishment.departement_code)
                                           .where(Establishment.id.in_(actor.establishment_ids))))
        if code not in scope:
            raise NotFound("Département introuvable.")
    if not valid_departement(code):
        raise NotFound("Département introuvable.")
    found = db.session.get(Departement, code)
    if found is None:  # a département is stored with its first establishment or protocol
        found = Departement(code=code, name=DEPARTEMENTS[code])
        db.session.add(found)
    return found


def _view(departement: Departement, row: DepartmentalProtocol | None) -> ProtocolView:
    if row is None:
        return ProtocolView(departement.code, departement.name, 0, dict(DEFAULT_PROTOCOL),
                            None, None, None)
    author = db.session.get(User, row.created_by_id) if row.created_by_id else None
    return ProtocolView(departement.code, departement.name, row.version, row.values, row.reason,
                        row.created_at, author.username if author else None)


def view_protocol(actor: Actor, code: str) -> ProtocolView:
    """The protocol in force in a département; the read is recorded.

    :raises Forbidden: role; :raises NotFound: unknown or outside the actor's scope.
    """
    require_role(actor, PROTOCOL_READERS, "consulter le protocole départemental")
    with unit_of_work(actor) as uow:
        departement = _departement(actor, code)
        row = DepartmentalProtocol.in_force(code)
        uow.record("protocol_viewed", departement=code, version=row.version if row else 0)
        view = _view(departement, row)
    return view


def set_protocol(actor: Actor, code: str, values: Any, reason: Any) -> ProtocolView:
    """Publish a new version of a département's protocol; it applies to procedures started
    from now on. :raises Forbidden, NotFound, ValidationFailed (French messages per field),
    Conflict (two publications at once: one wins, the other changes nothing):"""
    require_role(actor, PROTOCOL_EDITORS, "modifier le protocole départemental")
    with unit_of_work(actor) as uow:
        departement = _departement(actor, code)  # the scope first: out of it, 404 whatever the values
        problems = protocol_problems(values) if isinstance(values, dict) else {
            "protocole": ["Un objet est attendu."]}
        if not isinstance(reason, str) or not 5 <= len(reason.strip()) <= 500:
            problems["motif"] = ["Indiquez le motif de la modification (5 à 500 caractères)."]
        if problems:
            raise ValidationFailed("Protocole refusé : rien n'a été modifié.", problems)
        current = DepartmentalProtocol.in_force(code)
        row = DepartmentalProtocol(
            departement_code=code, version=(current.version if current else 0) + 1,
            settings=canonical_json(values), reason=reason.strip(), created_by_id=actor.user_id)
        db.session.add(row)
        try:
            db.session.flush()
        except IntegrityError:  # another version was published since `current` was read
            raise Conflict("Le protocole vient d'être modifié par quelqu'un d'autre : rechargez-le "
                           "avant de publier le vôtre.") from None
        uow.record("protocol_changed", departement=code, version=row.version,
                   previous_version=current.version if current else 0,
                   values=json.loads(row.settings), reason=row.reason)
        view = _view(departement, row)
    return view


__all__ = ["PROTOCOL_SCHEMA", "ProtocolView", "protocol_in_force", "view_protocol", "set_protocol"]

"""Who may see or do what: role, lane, establishment, département. Checked on every read and write."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false

from .errors import Forbidden, NotFound
from .models import Case, Establishment, HumanTask, User

#: The only lane → role mapping. Lane names are the French names drawn in the diagrams.
LANE_ROLES = {
    "Assistant·e de service social": "ass",
    "Direction d'établissement": "direction",
    "Conseiller·ère technique départemental·e": "ctsd",
}

CASE_READERS = frozenset({"ass", "direction", "ctsd", "auditeur"})
CASE_OPENERS = frozenset({"ass"})
TIMELINE_READERS = frozenset({"ass", "ctsd", "auditeur"})
AUDIT_VERIFIERS = frozenset({"auditeur", "admin"})
#: the ASS's confidential social file (interviews, family information): never the direction, nor
#: the auditors or the administrators (art. L411-3 CASF, secret professionnel ; secret partagé limité)
CONFIDENTIAL_READERS = frozenset({"ass", "ctsd"})
CONFIDENTIAL_WRITERS = frozenset({"ass"})
#: roles that may read a task's form and data without holding its lane (supervision)
TASK_SUPERVISORS = frozenset({"ctsd"})


@dataclass(frozen=True)
class Actor:
    """Who acts, as use cases need it: never `request` or `current_user`."""

    user_id: int | None
    username: str
    role: str
    establishment_ids: frozenset[int] = frozenset()
    departement: str | None = None

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.id, user.username, user.role,
                   frozenset(e.id for e in user.establishments), user.departement_code)

    @classmethod
    def system(cls) -> Actor:
        return cls(None, "vigie", "systeme")


def lane_role(lane: str | None) -> str | None:
    return LANE_ROLES.get(lane) if lane else None


def require_role(actor: Actor, roles: frozenset[str], what: str) -> None:
    """:raises Forbidden: when the actor's role may not `what` at all."""
    if actor.role not in roles:
        raise Forbidden(f"Votre rôle ne permet pas de {what}.")


def in_scope(actor: Actor, case: Case) -> bool:
    if actor.role in ("ass", "direction"):
        return case.establishment_id in actor.establishment_ids
    if actor.role in ("ctsd", "auditeur"):
        return case.establishment.departement_code == actor.departement
    return False


def require_case(actor: Actor, case: Case | None, what: str = "consulter ce dossier") -> Case:
    """The case, if the actor may read it. :raises Forbidden: for a role that reads no case;
    :raises NotFound: when unknown or out of scope (existence is not revealed)."""
    require_role(actor, CASE_READERS, what)
    if case is None or not in_scope(actor, case):
        raise NotFound("Dossier introuvable.")
    return case


def case_filter(actor: Actor) -> ColumnElement[bool]:
    """SQL condition on `Case` (joined with its establishment) for the actor's scope."""
    if actor.role in ("ass", "direction"):
        return Case.establishment_id.in_(actor.establishment_ids) if actor.establishment_ids else false()
    if actor.role in ("ctsd", "auditeur"):
        return Establishment.departement_code == actor.departement if actor.departement else false()
    return false()


def inbox_filter(actor: Actor) -> ColumnElement[bool]:
    """SQL condition on `HumanTask` for the tasks the actor must do."""
    if actor.role in ("ass", "direction") and actor.establishment_ids:
        return (HumanTask.role == actor.role) & HumanTask.establishment_id.in_(actor.establishment_ids)
    if actor.role == "ctsd" and actor.departement:
        return (HumanTask.role == actor.role) & (HumanTask.departement_code == actor.departement)
    return false()


def may_read_task(actor: Actor, task: HumanTask) -> bool:
    return task.role == actor.role or actor.role in TASK_SUPERVISORS


def require_task_lane(actor: Actor, task: HumanTask) -> None:
    """:raises Forbidden: when the task's lane is not the actor's role."""
    if task.role != actor.role:
        raise Forbidden("Cette étape revient à un autre rôle ; vous ne pouvez pas la compléter.")


__all__ = ["LANE_ROLES", "Actor", "lane_role", "require_role", "in_scope", "require_case",
           "case_filter", "inbox_filter", "may_read_task", "require_task_lane"]

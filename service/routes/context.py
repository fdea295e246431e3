"""The logged-in user, as the `Actor` use cases take."""
from __future__ import annotations

from flask import g
from flask_login import current_user

from ..access import Actor


def current_actor() -> Actor:
    """The logged-in user (routes are behind `login_required`)."""
    actor = g.get("actor")
    if actor is None:
        actor = g.actor = Actor.of(current_user)
    return actor


def current_actor_or_none() -> Actor | None:
    return current_actor() if current_user.is_authenticated else None

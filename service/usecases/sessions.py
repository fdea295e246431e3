"""Server-side sessions: opened at login, checked on each request, ended by logout, a timeout or
the disabling of the user; API tokens revoked with them.

Flask's session is a signed cookie: it cannot be revoked by itself. It carries a random id whose
SHA-256 names a `user_session` row; a cookie whose row has ended authenticates nobody.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from ..access import Actor
from ..errors import NotFound
from ..extensions import db
from ..models import ApiToken, User, UserSession
from ..models.types import utcnow
from .unit_of_work import unit_of_work

#: `last_seen_at` is written at most this often: not one write per request
SEEN_RESOLUTION = timedelta(minutes=1)


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def open_session(user: User) -> str:
    """Add a session row for `user` inside the caller's unit of work; return the id for the cookie."""
    session_id = secrets.token_urlsafe(32)
    db.session.add(UserSession(id_hash=_digest(session_id), user_id=user.id))
    return session_id


def session_row(session_id: str) -> UserSession | None:
    """The row of a session id, open or ended. Read only."""
    return db.session.scalar(select(UserSession).where(UserSession.id_hash == _digest(session_id or "")))


@dataclass(frozen=True)
class CurrentSession:
    user: User
    reauthenticated_at: datetime | None


def session_user(session_id: str, user_id: str, idle: timedelta, maximum: timedelta) -> CurrentSession | None:
    """The active user of an open session, or None.

    A session idle for longer than `idle`, or older than `maximum`, is ended here (audited
    `session_expired`). The last activity is written at most once a minute.
    """
    if not session_id or not user_id.isdigit():
        return None
    row = session_row(session_id)
    if row is None or row.ended_at is not None or row.user_id != int(user_id) or not row.user.active:
        return None
    now = utcnow()
    reason = ("expired" if now - row.created_at > maximum
              else "idle" if now - row.last_seen_at > idle else None)
    if reason:
        with unit_of_work(Actor.of(row.user)) as uow:
            ended = db.session.execute(
                update(UserSession).where(UserSession.id == row.id, UserSession.ended_at.is_(None))
                .values(ended_at=now, end_reason=reason))
            if ended.rowcount:
                uow.record("session_expired", username=row.user.username, reason=reason)
        return None
    if now - row.last_seen_at >= SEEN_RESOLUTION:
        with unit_of_work(None):
            db.session.execute(update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now))
    return CurrentSession(row.user, row.reauthenticated_at)


def end_session(actor: Actor, session_id: str) -> None:
    """Log out: the session row is ended, so the cookie no longer authenticates anyone."""
    with unit_of_work(actor) as uow:
        db.session.execute(
            update(UserSession).where(UserSession.id_hash == _digest(session_id or ""),
                                      UserSession.user_id == actor.user_id, UserSession.ended_at.is_(None))
            .values(ended_at=utcnow(), end_reason="logout"))
        uow.record("user_logged_out", username=actor.username)


def disable_user(actor: Actor, username: str) -> tuple[int, int]:
    """Disable an account, end its open sessions and revoke its API tokens, at once.

    Returns (sessions ended, tokens revoked). :raises NotFound:
    """
    with unit_of_work(actor) as uow:
        user = db.session.scalar(select(User).where(User.username == username.strip().lower())
                                 .with_for_update().execution_options(populate_existing=True))
        if user is None:
            raise NotFound(f"Utilisateur inconnu : {username}.")
        now = utcnow()
        user.active = False
        sessions = db.session.execute(
            update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
            .values(ended_at=now, end_reason="disabled")).rowcount
        tokens = db.session.execute(
            update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=now)).rowcount
        uow.record("user_disabled", username=user.username, sessions_ended=sessions, tokens_revoked=tokens)
    return sessions, tokens


def enable_user(actor: Actor, username: str) -> None:
    """Enable an account again and lift its lock; its revoked tokens stay revoked. :raises NotFound:"""
    with unit_of_work(actor) as uow:
        user = db.session.scalar(select(User).where(User.username == username.strip().lower())
                                 .with_for_update().execution_options(populate_existing=True))
        if user is None:
            raise NotFound(f"Utilisateur inconnu : {username}.")
        user.active, user.failed_logins, user.locked_until = True, 0, None
        uow.record("user_enabled", username=user.username)


def revoke_token(actor: Actor, token_id: int) -> ApiToken:
    """Revoke one API token by its id (shown by `vigie token list`). :raises NotFound:"""
    with unit_of_work(actor) as uow:
        row = db.session.scalar(select(ApiToken).where(ApiToken.id == token_id)
                                .with_for_update(of=ApiToken).execution_options(populate_existing=True))
        if row is None:
            raise NotFound(f"Jeton inconnu : {token_id}.")
        if row.revoked_at is None:
            row.revoked_at = utcnow()
        uow.record("token_revoked", username=row.user.username, token_id=row.id)
    return row


def list_tokens(username: str) -> list[ApiToken]:
    """A user's API tokens (ids and dates, never a value). :raises NotFound:"""
    user = db.session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise NotFound(f"Utilisateur inconnu : {username}.")
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))

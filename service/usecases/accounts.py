"""Establishments, users, API tokens, login (password, then the TOTP code if enrolled), lockout."""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update

from ..access import Actor, require_role
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..models import (
    DEPARTEMENTS,
    ROLES,
    ApiToken,
    Departement,
    Establishment,
    User,
    UserSession,
    valid_departement,
    valid_uai,
)
from ..models.types import utcnow
from ..password_policy import password_problems
from .sessions import open_session, session_row
from .totp import accept_code
from .unit_of_work import UnitOfWork, unit_of_work

#: this many failed logins in a row (password or code) lock the account for LOCKOUT
LOCKOUT_THRESHOLD = 5
LOCKOUT = timedelta(minutes=15)
TOKEN_PREFIX = "vigie_"
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("mot de passe factice pour égaliser le temps de réponse")


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _departement(code: str) -> Departement:
    found = db.session.get(Departement, code)
    if found is None:
        found = Departement(code=code, name=DEPARTEMENTS[code])
        db.session.add(found)
    return found


def add_establishment(actor: Actor, uai: str, name: str, departement: str) -> Establishment:
    """Register an establishment by its UAI code.

    :raises ValidationFailed: bad UAI check letter, empty name, unknown département.
    :raises Conflict: the UAI is already registered.
    """
    uai, name, departement = uai.strip().upper(), name.strip(), departement.strip().upper()
    errors = {}
    if not valid_uai(uai):
        errors["uai"] = ["Code UAI invalide : 7 chiffres suivis de la lettre de contrôle (ex. 0751234J)."]
    if not name or len(name) > 200:
        errors["name"] = ["Nom obligatoire (200 caractères au maximum)."]
    if not valid_departement(departement):
        errors["departement"] = ["Département inconnu (ex. 75, 2A, 971)."]
    if errors:
        raise ValidationFailed("Établissement refusé.", errors)
    with unit_of_work(actor) as uow:
        if db.session.scalar(select(Establishment).where(Establishment.uai == uai)):
            raise Conflict(f"L'établissement {uai} existe déjà.")
        establishment = Establishment(uai=uai, name=name, departement=_departement(departement))
        db.session.add(establishment)
        db.session.flush()
        uow.record("establishment_added", uai=uai, name=name, departement=departement)
    return establishment


def create_user(actor: Actor, username: str, role: str, password: str,
                establishments: list[str] | tuple[str, ...] = (),
                departement: str | None = None) -> User:
    """Create a user with an argon2 hash and the scope their role requires.

    `ass` and `direction` are attached to establishments, `ctsd` and `auditeur` to a
    département, `admin` to neither.

    :raises ValidationFailed, Conflict:
    """
    username = username.strip().lower()
    errors: dict[str, list[str]] = {}
    if not _USERNAME.match(username):
        errors["username"] = ["Identifiant : 2 à 80 caractères parmi a-z, 0-9, point, tiret, souligné."]
    if role not in ROLES:
        errors["role"] = [f"Rôle inconnu ; rôles possibles : {', '.join(ROLES)}."]
    if problems := password_problems(password, username):
        errors["password"] = problems
    wants_establishments = role in ("ass", "direction")
    wants_departement = role in ("ctsd", "auditeur")
    if wants_establishments and not establishments:
        errors["establishment"] = ["Ce rôle doit être rattaché à au moins un établissement."]
    if not wants_establishments and establishments:
        errors["establishment"] = ["Ce rôle n'est pas rattaché à des établissements."]
    if wants_departement and not (departement and valid_departement(departement)):
        errors["departement"] = ["Ce rôle doit être rattaché à un département connu."]
    if not wants_departement and departement:
        errors["departement"] = ["Ce rôle n'est pas rattaché à un département."]
    if errors:
        raise ValidationFailed("Utilisateur refusé.", errors)
    with unit_of_work(actor) as uow:
        if db.session.scalar(select(User).where(User.username == username)):
            raise Conflict(f"L'identifiant {username} est déjà pris.")
        found = []
        for uai in establishments:
            establishment = db.session.scalar(select(Establishment).where(Establishment.uai == uai.upper()))
            if establishment is None:
                raise ValidationFailed("Utilisateur refusé.",
                                       {"establishment": [f"Établissement inconnu : {uai}."]})
            found.append(establishment)
        user = User(username=username, role=role, password_hash=_hasher.hash(password),
                    departement=_departement(departement) if departement else None,
                    establishments=found)
        db.session.add(user)
        db.session.flush()
        uow.record("user_created", username=username, role=role,
                   establishments=[e.uai for e in found], departement=departement)
    return user


def set_password(actor: Actor, username: str, password: str) -> None:
    """Change a password and end the user's open sessions. :raises NotFound, ValidationFailed:"""
    if problems := password_problems(password, username):
        raise ValidationFailed("Mot de passe refusé.", {"password": problems})
    with unit_of_work(actor) as uow:
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"Utilisateur inconnu : {username}.")
        user.password_hash = _hasher.hash(password)
        # whoever knew the old password is logged out everywhere
        ended = db.session.execute(
            update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
            .values(ended_at=utcnow(), end_reason="password")).rowcount
        uow.record("password_changed", username=username, sessions_ended=ended)


def create_token(actor: Actor, username: str) -> str:
    """Mint an API bearer token; only its SHA-256 is kept. :raises NotFound:"""
    with unit_of_work(actor) as uow:
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None or not user.active:
            raise NotFound(f"Utilisateur inconnu ou désactivé : {username}.")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = ApiToken(user_id=user.id, token_hash=_token_digest(token))
        db.session.add(row)
        db.session.flush()
        uow.record("token_created", username=username, token_id=row.id)
    return token


def user_for_token(token: str) -> User | None:
    """The active user behind a bearer token, or None. Read only."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_digest(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    return row.user


@dataclass(frozen=True)
class Login:
    """A login that passed the password: `session_id` for the cookie, or None while the TOTP code
    is awaited (then `verify_login_code`)."""

    user: User
    session_id: str | None


def _locked_row(user_id: int) -> User | None:
    return db.session.scalar(select(User).where(User.id == user_id).with_for_update()
                             .execution_options(populate_existing=True))


def _is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > utcnow()


def _count_failure(uow: UnitOfWork, user: User) -> None:
    """One more failure in a row; the LOCKOUT_THRESHOLD-th locks the account (audited)."""
    user.failed_logins += 1
    if user.failed_logins >= LOCKOUT_THRESHOLD:
        user.locked_until = utcnow() + LOCKOUT
        user.failed_logins = 0
        uow.record("account_locked", username=user.username, failures=LOCKOUT_THRESHOLD,
                   minutes=int(LOCKOUT.total_seconds() // 60))


def _password_matches(user: User | None, password: str) -> bool:
    try:
        return bool(_hasher.verify(user.password_hash if user else _DUMMY_HASH, password or ""))
    except (VerificationError, InvalidHashError):
        return False


def authenticate(username: str, password: str) -> Login | None:
    """Check a password; success, failure and lock are audited.

    After LOCKOUT_THRESHOLD failures in a row the account is refused for LOCKOUT, right password
    or not (the answer does not tell which). With a TOTP seed, the session opens only after
    `verify_login_code`.
    """
    username = (username or "").strip().lower()[:80]
    found = db.session.scalar(select(User).where(User.username == username)) if username else None
    matches = _password_matches(found, password)  # always hashed: the timing reveals no username
    with unit_of_work(None) as uow:
        user = _locked_row(found.id) if found is not None else None
        if user is None or not user.active:
            uow.record("login_failed", username=username, reason="unknown" if user is None else "disabled")
            return None
        if _is_locked(user):
            uow.record("login_failed", username=username, reason="locked")
            return None
        if not matches:
            uow.record("login_failed", username=username, reason="password")
            _count_failure(uow, user)
            return None
        user.failed_logins = 0
        if user.totp_secret:
            uow.record("password_verified", actor=Actor.of(user), username=username)
            return Login(user, None)
        session_id = open_session(user)
        uow.record("user_logged_in", actor=Actor.of(user), username=username)
    return Login(user, session_id)


def verify_login_code(user_id: int, code: str) -> Login | None:
    """The second step of a login: the TOTP code of a user whose password was just accepted.

    A wrong code counts as a failed login towards the lock.
    """
    with unit_of_work(None) as uow:
        user = _locked_row(user_id)
        if user is None or not user.active or _is_locked(user) or not user.totp_secret:
            uow.record("login_failed", username=user.username if user else "", reason="code_refused")
            return None
        if not accept_code(user, code):
            uow.record("login_failed", username=user.username, reason="code")
            _count_failure(uow, user)
            return None
        user.failed_logins = 0
        session_id = open_session(user)
        uow.record("user_logged_in", actor=Actor.of(user), username=user.username, second_factor=True)
    return Login(user, session_id)


def reauthenticate(actor: Actor, session_id: str, password: str, code: str = "") -> bool:
    """Enter the password (and the TOTP code if enrolled) again before a sensitive action.

    Success marks the session (`user_session.reauthenticated_at`); a failure counts towards the
    lock. Both are audited.
    """
    matches = _password_matches(db.session.get(User, actor.user_id) if actor.user_id else None, password)
    with unit_of_work(actor) as uow:
        user = _locked_row(actor.user_id) if actor.user_id else None
        row = session_row(session_id)
        ok = (user is not None and user.active and not _is_locked(user) and matches
              and row is not None and row.user_id == user.id and row.ended_at is None
              and (not user.totp_secret or accept_code(user, code)))
        if not ok:
            uow.record("reauthentication_failed", username=actor.username)
            if user is not None:
                _count_failure(uow, user)
            return False
        user.failed_logins = 0
        row.reauthenticated_at = utcnow()
        uow.record("user_reauthenticated", username=actor.username)
    return True


def list_accounts(actor: Actor) -> tuple[list[User], list[Establishment]]:
    """Users and establishments, for the administrator (no case content). :raises Forbidden:"""
    require_role(actor, frozenset({"admin"}), "administrer les comptes")
    users = list(db.session.scalars(select(User).order_by(User.username)))
    establishments = list(db.session.scalars(select(Establishment).order_by(Establishment.uai)))
    return users, establishments

"""Establishments, users, API tokens, login and logout."""
from __future__ import annotations

import hashlib
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from ..access import Actor, require_role
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..models import DEPARTEMENTS, ROLES, ApiToken, Departement, Establishment, User, valid_departement, valid_uai
from .unit_of_work import unit_of_work

MIN_PASSWORD_LENGTH = 12
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


def _check_password(password: str) -> list[str]:
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"Le mot de passe doit compter au moins {MIN_PASSWORD_LENGTH} caractères.")
    if password.strip() != password or not password.strip():
        problems.append("Le mot de passe ne doit pas commencer ni finir par un espace.")
    return problems


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
    if problems := _check_password(password):
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
    """:raises NotFound, ValidationFailed:"""
    if problems := _check_password(password):
        raise ValidationFailed("Mot de passe refusé.", {"password": problems})
    with unit_of_work(actor) as uow:
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"Utilisateur inconnu : {username}.")
        user.password_hash = _hasher.hash(password)
        uow.record("password_changed", username=username)


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


def active_user(user_id: str) -> User | None:
    """The active user behind a session's user id, or None. Read only."""
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


def user_for_token(token: str) -> User | None:
    """The active user behind a bearer token, or None. Read only."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_digest(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    return row.user


def authenticate(username: str, password: str) -> User | None:
    """Check a password; the success or failure is audited either way."""
    username = (username or "").strip().lower()[:80]
    user = db.session.scalar(select(User).where(User.username == username)) if username else None
    ok = False
    try:
        ok = _hasher.verify(user.password_hash if user else _DUMMY_HASH, password or "")
    except (VerificationError, InvalidHashError):
        ok = False
    ok = ok and user is not None and user.active
    with unit_of_work(Actor.of(user) if ok else None) as uow:
        if ok:
            uow.record("user_logged_in", username=username)
        else:
            uow.record("login_failed", username=username)
    return user if ok else None


def record_logout(actor: Actor) -> None:
    with unit_of_work(actor) as uow:
        uow.record("user_logged_out", username=actor.username)


def list_accounts(actor: Actor) -> tuple[list[User], list[Establishment]]:
    """Users and establishments, for the administrator (no case content). :raises Forbidden:"""
    require_role(actor, frozenset({"admin"}), "administrer les comptes")
    users = list(db.session.scalars(select(User).order_by(User.username)))
    establishments = list(db.session.scalars(select(Establishment).order_by(Establishment.uai)))
    return users, establishments

"""Test factories: plain functions with defaults that add and flush, never commit."""
from __future__ import annotations

import itertools
from datetime import date

from argon2 import PasswordHasher

from service.access import Actor
from service.extensions import db
from service.models import DEPARTEMENTS, Departement, Establishment, User, uai_with_check_letter
from service.usecases.accounts import create_token
from service.usecases.cases import Pupil, open_case

PASSWORD = "mot de passe de test"
#: cheap argon2 parameters: verification reads them from the hash, so logins stay fast in tests
_HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
_counter = itertools.count(1)


def make_departement(code: str = "75") -> Departement:
    found = db.session.get(Departement, code)
    if found is None:
        found = Departement(code=code, name=DEPARTEMENTS[code])
        db.session.add(found)
        db.session.flush()
    return found


def make_establishment(departement: str = "75", digits: str | None = None, name: str | None = None) -> Establishment:
    prefix = {"2A": "620", "2B": "720"}.get(departement, departement.zfill(3)[:3])
    digits = digits or f"{prefix}{next(_counter):04d}"
    establishment = Establishment(uai=uai_with_check_letter(digits), name=name or f"Collège {digits}",
                                  departement=make_departement(departement))
    db.session.add(establishment)
    db.session.flush()
    return establishment


def make_user(role: str = "ass", *, establishments: list[Establishment] | None = None,
              departement: str | None = None, username: str | None = None) -> User:
    if role in ("ctsd", "auditeur") and departement is None:
        departement = "75"
    user = User(username=username or f"{role}{next(_counter)}", role=role, password_hash=_HASH,
                departement=make_departement(departement) if departement else None,
                establishments=list(establishments or []))
    db.session.add(user)
    db.session.flush()
    return user


def enrol_totp(user: User) -> str:
    """Give `user` a TOTP second factor; returns the seed (`pyotp.TOTP(seed).now()` is a code)."""
    import pyotp

    from service.secretbox import seal
    seed = pyotp.random_base32()
    user.totp_secret = seal(seed)
    db.session.flush()
    return seed


def actor(user: User) -> Actor:
    return Actor.of(user)


def make_case(user: User, establishment: Establishment | None = None, **pupil):
    establishment = establishment or user.establishments[0]
    values = {"last_name": "Martin", "first_name": "Léa", "birth_date": date(2013, 3, 14)}
    values.update(pupil)
    return open_case(Actor.of(user), Pupil(**values), establishment.uai)


def token_for(user: User) -> str:
    return create_token(Actor.system(), user.username)


class World:
    """Two establishments in two départements, one user per role, and an outsider."""

    def __init__(self):
        self.college = make_establishment("75", name="Collège Jean Moulin")
        self.lycee = make_establishment("69", name="Lycée du Parc")
        self.ass = make_user("ass", establishments=[self.college])
        self.direction = make_user("direction", establishments=[self.college])
        self.ctsd = make_user("ctsd", departement="75")
        self.auditeur = make_user("auditeur", departement="75")
        self.admin = make_user("admin")
        self.ass2 = make_user("ass", establishments=[self.lycee])
        self.ctsd2 = make_user("ctsd", departement="69")
        db.session.flush()

    def actor(self, role: str) -> Actor:
        return Actor.of(getattr(self, role))

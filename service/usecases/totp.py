"""The TOTP second factor (RFC 6238, pyotp): enrolment from the account page, checking a code.

The seed is stored sealed (`service.secretbox`), never logged; a code is accepted once: the time
step of the last accepted code is kept and a code of that step or an earlier one is refused.
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

import pyotp
from sqlalchemy import select

from ..access import Actor
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..models import User
from ..models.types import utcnow
from ..secretbox import seal, unseal
from .unit_of_work import unit_of_work

#: roles for which the second factor is mandatory where the configuration requires it (production)
TOTP_ROLES = frozenset({"ctsd", "auditeur", "admin"})
ISSUER = "Vigie"
#: codes of the previous and next 30-second steps are accepted too (clock drift)
DRIFT_STEPS = 1


def totp_required(role: str, mandatory: bool) -> bool:
    """Whether a user of `role` must have a second factor (`mandatory`: VIGIE_TOTP_REQUIRED)."""
    return mandatory and role in TOTP_ROLES


def _locked_user(user_id: int | None) -> User:
    user = db.session.scalar(select(User).where(User.id == user_id).with_for_update()
                             .execution_options(populate_existing=True)) if user_id else None
    if user is None:
        raise NotFound("Utilisateur inconnu.")
    return user


def accept_code(user: User, code: str, now: datetime | None = None) -> bool:
    """Check a code against the user's seed and consume its time step. Call inside a unit of work,
    on a row locked for update."""
    seed = unseal(user.totp_secret) if user.totp_secret else None
    step = _matching_step(seed, code, now, user.totp_last_step)
    if step is None:
        return False
    user.totp_last_step = step
    return True


def _matching_step(seed: str | None, code: str, now: datetime | None, last: int | None) -> int | None:
    code = "".join((code or "").split())
    if not seed or len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(seed)
    current = totp.timecode(now or utcnow())
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if (last is None or step > last) and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str


def begin_totp_enrolment(actor: Actor) -> Enrolment:
    """Draw a new seed, kept aside until a first code confirms it; the current factor stays."""
    with unit_of_work(actor) as uow:
        user = _locked_user(actor.user_id)
        secret = pyotp.random_base32()
        user.totp_pending_secret = seal(secret)
        uow.record("totp_enrolment_started", username=user.username)
    return Enrolment(secret, pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER))


def pending_enrolment(actor: Actor) -> Enrolment | None:
    """The seed being enrolled, to show its QR code again (read only); None if none or unreadable."""
    user = db.session.get(User, actor.user_id) if actor.user_id else None
    secret = unseal(user.totp_pending_secret) if user and user.totp_pending_secret else None
    if secret is None:
        return None
    return Enrolment(secret, pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER))


def confirm_totp(actor: Actor, code: str) -> None:
    """Make the pending seed the user's second factor, once a first code proves the phone has it.

    :raises ValidationFailed: no enrolment under way, or a wrong code.
    """
    with unit_of_work(actor) as uow:
        user = _locked_user(actor.user_id)
        seed = unseal(user.totp_pending_secret) if user.totp_pending_secret else None
        if seed is None:
            raise ValidationFailed("Aucun enrôlement en cours.",
                                   {"code": ["Commencez par générer un nouveau QR code."]})
        step = _matching_step(seed, code, None, None)
        if step is None:
            raise ValidationFailed("Code refusé.", {"code": [
                "Code incorrect : saisissez les 6 chiffres affichés par l'application, avant qu'ils changent."]})
        user.totp_secret, user.totp_pending_secret, user.totp_last_step = user.totp_pending_secret, None, step
        uow.record("totp_enabled", username=user.username)


def reset_totp(actor: Actor, username: str) -> None:
    """Remove a user's second factor (a lost phone): they enrol again at their next login.

    :raises NotFound:
    """
    with unit_of_work(actor) as uow:
        user = db.session.scalar(select(User).where(User.username == username.strip().lower())
                                 .with_for_update().execution_options(populate_existing=True))
        if user is None:
            raise NotFound(f"Utilisateur inconnu : {username}.")
        user.totp_secret = user.totp_pending_secret = user.totp_last_step = None
        uow.record("totp_reset", username=user.username)

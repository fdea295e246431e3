"""Passwords, lockout, server-side sessions, disabling a user, tokens, TOTP (use cases)."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import pytest
import sqlalchemy as sa
import time_machine

from service.access import Actor
from service.errors import NotFound, ValidationFailed
from service.extensions import db
from service.models import ApiToken, AuditEvent, User, UserSession
from service.password_policy import common_passwords, password_problems
from service.usecases import accounts, sessions, totp
from tests.factories import PASSWORD, World, enrol_totp, make_user, token_for

IDLE, MAXIMUM = timedelta(minutes=30), timedelta(hours=10)
T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
SYSTEM = Actor.system()


def events(event_type: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event_type == event_type)
                                   .order_by(AuditEvent.seq)))


def payload(event: AuditEvent) -> dict:
    return json.loads(event.payload)


def reload(user: User) -> User:
    db.session.rollback()
    return db.session.get(User, user.id)


# passwords

@pytest.mark.parametrize("password, problem", [
    ("court", "au moins 12 caractères"),
    ("Azerty2024!!", "les plus courants"),          # a common password padded with digits and signs
    ("motdepasse123", "les plus courants"),
    ("azertyazerty", "les plus courants"),          # a common password repeated
    ("Password1234", "les plus courants"),
    ("  espace autour  ", "espace"),
    ("jean.dupont du collège", "identifiant"),
])
def test_weak_passwords_are_refused_in_french(password, problem):
    assert any(problem in message for message in password_problems(password, "jean.dupont"))


def test_a_long_uncommon_passphrase_is_accepted():
    assert password_problems("cheval correct agrafe batterie", "jean.dupont") == []


def test_the_shipped_list_is_large_and_says_where_it_comes_from():
    assert len(common_passwords()) >= 10_000 and "azerty" in common_passwords()
    header = Path("service/data/common_passwords.txt").read_text(encoding="utf-8")[:1500]
    assert "zxcvbn" in header and "MIT" in header


def test_create_user_and_set_password_apply_the_policy(app):
    with pytest.raises(ValidationFailed) as refused:
        accounts.create_user(SYSTEM, "admin.bis", "admin", "motdepasse2024")
    assert "les plus courants" in " ".join(refused.value.fields["password"])
    user = make_user("admin", username="dupont")
    with pytest.raises(ValidationFailed) as mine:
        accounts.set_password(SYSTEM, user.username, "Dupont et sa longue phrase")
    assert "identifiant" in " ".join(mine.value.fields["password"])


def test_a_new_password_ends_the_open_sessions(app):
    user = make_user("ass")
    session_id = accounts.authenticate(user.username, PASSWORD).session_id
    accounts.set_password(SYSTEM, user.username, "une toute nouvelle phrase secrète")
    assert sessions.session_user(session_id, str(user.id), IDLE, MAXIMUM) is None
    assert payload(events("password_changed")[0])["sessions_ended"] == 1
    assert accounts.authenticate(user.username, "une toute nouvelle phrase secrète").session_id


# lockout

def test_five_failures_lock_the_account_for_fifteen_minutes_and_are_audited(app):
    user = make_user("ass")
    with time_machine.travel(T0, tick=False):
        for _ in range(accounts.LOCKOUT_THRESHOLD):
            assert accounts.authenticate(user.username, "mauvais mot de passe") is None
        assert reload(user).locked_until == T0 + timedelta(minutes=15)
        assert len(events("login_failed")) == 5 and len(events("account_locked")) == 1
        assert accounts.authenticate(user.username, PASSWORD) is None  # the right password, refused
        assert payload(events("login_failed")[-1])["reason"] == "locked"
    with time_machine.travel(T0 + timedelta(minutes=14), tick=False):
        assert accounts.authenticate(user.username, PASSWORD) is None
    with time_machine.travel(T0 + timedelta(minutes=16), tick=False):
        assert accounts.authenticate(user.username, PASSWORD).user.id == user.id


def test_a_success_resets_the_count_of_failures(app):
    user = make_user("ass")
    for _ in range(accounts.LOCKOUT_THRESHOLD - 1):
        accounts.authenticate(user.username, "mauvais mot de passe")
    assert accounts.authenticate(user.username, PASSWORD) is not None
    for _ in range(accounts.LOCKOUT_THRESHOLD - 1):
        accounts.authenticate(user.username, "mauvais mot de passe")
    assert reload(user).locked_until is None and accounts.authenticate(user.username, PASSWORD) is not None


def test_an_unknown_username_is_audited_and_locks_nothing(app):
    for _ in range(6):
        assert accounts.authenticate("personne", "mauvais mot de passe") is None
    assert {payload(e)["reason"] for e in events("login_failed")} == {"unknown"} and not events("account_locked")


# sessions

def test_a_login_opens_a_session_that_logout_ends(app):
    user = make_user("ass")
    login = accounts.authenticate(user.username, PASSWORD)
    assert sessions.session_user(login.session_id, str(user.id), IDLE, MAXIMUM).user.id == user.id
    assert sessions.session_user(login.session_id, str(user.id + 1), IDLE, MAXIMUM) is None  # another user id
    stored = db.session.scalar(sa.select(UserSession))
    assert stored.id_hash != login.session_id  # only its SHA-256 is stored
    sessions.end_session(Actor.of(user), login.session_id)
    assert sessions.session_user(login.session_id, str(user.id), IDLE, MAXIMUM) is None
    assert db.session.scalar(sa.select(UserSession.end_reason)) == "logout"


def test_an_idle_session_ends_after_thirty_minutes(app):
    user = make_user("ass")
    with time_machine.travel(T0, tick=False):
        session_id = accounts.authenticate(user.username, PASSWORD).session_id
    with time_machine.travel(T0 + timedelta(minutes=29), tick=False):  # used: the idle clock restarts
        assert sessions.session_user(session_id, str(user.id), IDLE, MAXIMUM) is not None
    with time_machine.travel(T0 + timedelta(minutes=58), tick=False):
        assert sessions.session_user(session_id, str(user.id), IDLE, MAXIMUM) is not None
    with time_machine.travel(T0 + timedelta(minutes=89), tick=False):
        assert sessions.session_user(session_id, str(user.id), IDLE, MAXIMUM) is None
    with time_machine.travel(T0 + timedelta(minutes=90), tick=False):
        assert sessions.session_user(session_id, str(user.id), IDLE, MAXIMUM) is None  # ended for good
    assert db.session.scalar(sa.select(UserSession.end_reason)) == "idle"
    assert [payload(e)["reason"] for e in events("session_expired")] == ["idle"]


def test_a_session_ends_after_ten_hours_even_when_used(app):
    user = make_user("ass")
    with time_machine.travel(T0, tick=False):
        session_id = accounts.authenticate(user.username, PASSWORD).session_id
    for minutes in range(20, 600, 20):
        with time_machine.travel(T0 + timedelta(minutes=minutes), tick=False):
            assert sessions.session_user(session_id, str(user.id), IDLE, MAXIMUM) is not None, minutes
    with time_machine.travel(T0 + timedelta(hours=10, minutes=1), tick=False):
        assert sessions.session_user(session_id, str(user.id), IDLE, MAXIMUM) is None
    assert db.session.scalar(sa.select(UserSession.end_reason)) == "expired"


def test_the_last_activity_is_written_at_most_once_a_minute(app):
    user = make_user("ass")
    with time_machine.travel(T0, tick=False):
        session_id = accounts.authenticate(user.username, PASSWORD).session_id
    with time_machine.travel(T0 + timedelta(seconds=50), tick=False):
        sessions.session_user(session_id, str(user.id), IDLE, MAXIMUM)
        db.session.rollback()
        assert db.session.scalar(sa.select(UserSession.last_seen_at)) == T0
    with time_machine.travel(T0 + timedelta(seconds=70), tick=False):
        sessions.session_user(session_id, str(user.id), IDLE, MAXIMUM)
        db.session.rollback()
        assert db.session.scalar(sa.select(UserSession.last_seen_at)) == T0 + timedelta(seconds=70)


# disabling a user, tokens

def test_disabling_a_user_ends_their_sessions_and_revokes_their_tokens_at_once(app):
    world = World()
    first = accounts.authenticate(world.ass.username, PASSWORD).session_id
    second = accounts.authenticate(world.ass.username, PASSWORD).session_id
    other = accounts.authenticate(world.ctsd.username, PASSWORD).session_id
    token, other_token = token_for(world.ass), token_for(world.ctsd)
    assert sessions.disable_user(world.actor("admin"), world.ass.username) == (2, 1)
    for session_id in (first, second):
        assert sessions.session_user(session_id, str(world.ass.id), IDLE, MAXIMUM) is None
    assert accounts.user_for_token(token) is None
    assert accounts.authenticate(world.ass.username, PASSWORD) is None
    assert sessions.session_user(other, str(world.ctsd.id), IDLE, MAXIMUM) is not None  # others untouched
    assert accounts.user_for_token(other_token) is not None
    (event,) = events("user_disabled")
    assert payload(event) == {"username": world.ass.username, "sessions_ended": 2, "tokens_revoked": 1}
    with pytest.raises(NotFound):
        sessions.disable_user(world.actor("admin"), "personne")


def test_enabling_a_user_again_lifts_the_lock_but_not_the_revocations(app):
    user = make_user("ass")
    token = token_for(user)
    for _ in range(accounts.LOCKOUT_THRESHOLD):
        accounts.authenticate(user.username, "mauvais mot de passe")
    sessions.disable_user(SYSTEM, user.username)
    sessions.enable_user(SYSTEM, user.username)
    assert accounts.authenticate(user.username, PASSWORD) is not None
    assert accounts.user_for_token(token) is None
    with pytest.raises(NotFound):
        sessions.enable_user(SYSTEM, "personne")


def test_a_revoked_token_is_refused(app):
    user = make_user("ctsd")
    token = token_for(user)
    (row,) = sessions.list_tokens(user.username)
    sessions.revoke_token(SYSTEM, row.id)
    assert accounts.user_for_token(token) is None
    assert db.session.scalar(sa.select(ApiToken.revoked_at)) is not None
    with pytest.raises(NotFound):
        sessions.revoke_token(SYSTEM, row.id + 100)


def test_no_route_mints_a_token():
    """API tokens come from `vigie token create` only (the CLI adapter)."""
    for folder in ("service/routes", "service/api"):
        for path in Path(folder).glob("*.py"):
            assert "create_token" not in path.read_text(encoding="utf-8"), path


# TOTP

def test_a_login_with_a_second_factor_opens_no_session_before_the_code(app):
    user = make_user("ctsd")
    seed = enrol_totp(user)
    login = accounts.authenticate(user.username, PASSWORD)
    assert login.session_id is None and db.session.scalar(sa.select(sa.func.count(UserSession.id))) == 0
    code = pyotp.TOTP(seed).now()
    assert accounts.verify_login_code(user.id, "123") is None
    done = accounts.verify_login_code(user.id, code)
    assert done is not None and sessions.session_user(done.session_id, str(user.id), IDLE, MAXIMUM)
    assert accounts.verify_login_code(user.id, code) is None  # the same code, refused the second time


def test_wrong_codes_count_towards_the_lock(app):
    user = make_user("ctsd")
    seed = enrol_totp(user)
    for _ in range(accounts.LOCKOUT_THRESHOLD):
        assert accounts.verify_login_code(user.id, "000000" if pyotp.TOTP(seed).now() != "000000" else "111111") is None
    assert reload(user).locked_until is not None and len(events("account_locked")) == 1
    assert accounts.verify_login_code(user.id, pyotp.TOTP(seed).now()) is None


def test_enrolment_keeps_the_seed_sealed_and_needs_a_first_code(app):
    user = make_user("auditeur")
    actor = Actor.of(user)
    enrolment = totp.begin_totp_enrolment(actor)
    assert enrolment.uri.startswith("otpauth://totp/Vigie:") and "issuer=Vigie" in enrolment.uri
    stored = reload(user)
    assert stored.totp_secret is None and enrolment.secret not in stored.totp_pending_secret
    with pytest.raises(ValidationFailed) as wrong:
        totp.confirm_totp(actor, "000000" if pyotp.TOTP(enrolment.secret).now() != "000000" else "111111")
    assert "Code incorrect" in wrong.value.fields["code"][0]
    assert totp.pending_enrolment(actor).secret == enrolment.secret
    totp.confirm_totp(actor, pyotp.TOTP(enrolment.secret).now())
    stored = reload(user)
    assert stored.totp_secret and enrolment.secret not in stored.totp_secret and stored.totp_pending_secret is None
    assert totp.pending_enrolment(actor) is None
    assert not any(enrolment.secret in str(e.payload) for e in db.session.scalars(sa.select(AuditEvent)))
    totp.reset_totp(SYSTEM, user.username)
    assert reload(user).totp_secret is None


def test_a_seed_sealed_under_another_secret_key_is_unreadable(app):
    user = make_user("ctsd")
    seed = enrol_totp(user)
    app.config["SECRET_KEY"] = "une autre clé"
    assert accounts.verify_login_code(user.id, pyotp.TOTP(seed).now()) is None


def test_the_second_factor_is_mandatory_only_for_some_roles_and_only_where_required():
    assert {role for role in ("ass", "direction", "ctsd", "auditeur", "admin")
            if totp.totp_required(role, True)} == {"ctsd", "auditeur", "admin"}
    assert not totp.totp_required("admin", False)


# re-authentication

def test_reauthentication_needs_the_password_and_the_code_when_enrolled(app):
    user = make_user("auditeur")
    session_id = accounts.authenticate(user.username, PASSWORD).session_id
    actor = Actor.of(user)
    assert not accounts.reauthenticate(actor, session_id, "mauvais mot de passe")
    assert accounts.reauthenticate(actor, session_id, PASSWORD)
    assert db.session.scalar(sa.select(UserSession.reauthenticated_at)) is not None
    seed = enrol_totp(reload(user))
    db.session.commit()
    assert not accounts.reauthenticate(actor, session_id, PASSWORD)  # the code is missing
    assert accounts.reauthenticate(actor, session_id, PASSWORD, pyotp.TOTP(seed).now())
    assert not accounts.reauthenticate(actor, "une autre session", PASSWORD, pyotp.TOTP(seed).now())
    assert len(events("user_reauthenticated")) == 2 and len(events("reauthentication_failed")) == 3

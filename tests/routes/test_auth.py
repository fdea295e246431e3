"""Login screens, sessions, the account page, the per-IP limit and re-authentication (test client)."""
from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta

import pyotp
import sqlalchemy as sa
import time_machine

from service.config import load
from service.extensions import db
from service.models import AuditEvent, User, UserSession
from tests.factories import PASSWORD, World, enrol_totp, make_case, make_user, token_for

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def text(response) -> str:
    return response.get_data(as_text=True)


def event_types() -> list[str]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(AuditEvent.event_type).order_by(AuditEvent.seq)))


def logged_in(client) -> bool:
    return client.get("/cases").status_code == 200


def test_a_login_gives_a_new_session_and_a_logout_ends_it_on_the_server(app, client, auth):
    user = make_user("ass", username="marie")
    db.session.commit()
    client.get("/login")
    before = client.get_cookie("session")
    auth.login("marie")
    cookie = client.get_cookie("session").value
    assert before is None or before.value != cookie
    assert logged_in(client)
    assert auth.logout().status_code == 302
    assert not logged_in(client)
    client.set_cookie("session", cookie)  # the cookie from before the logout, replayed
    replayed = client.get("/cases")
    assert replayed.status_code == 302 and "/login" in replayed.location
    assert db.session.scalar(sa.select(UserSession.end_reason).where(UserSession.user_id == user.id)) == "logout"


def test_the_session_cookie_is_httponly_and_samesite_lax(app, client, auth):
    make_user("ass", username="marie")
    db.session.commit()
    header = auth.login("marie").headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Lax" in header


def test_cookies_are_secure_in_production_only(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("VIGIE_ENV", "production")
    production = load(str(tmp_path))
    assert production["SESSION_COOKIE_SECURE"] and production["REMEMBER_COOKIE_SECURE"]
    assert production["VIGIE_TOTP_REQUIRED"] and production["VIGIE_SESSION_IDLE_MINUTES"] == 30
    assert production["VIGIE_SESSION_MAX_HOURS"] == 10
    assert production["SESSION_COOKIE_NAME"] == "__Host-vigie"
    monkeypatch.setenv("VIGIE_ENV", "development")
    monkeypatch.setenv("VIGIE_SESSION_IDLE_MINUTES", "15")
    development = load(str(tmp_path))
    assert not development["SESSION_COOKIE_SECURE"] and not development["VIGIE_TOTP_REQUIRED"]
    assert development["VIGIE_SESSION_IDLE_MINUTES"] == 15


def test_an_idle_session_sends_back_to_the_login_page_with_a_french_message(app, client, auth):
    make_user("ass", username="marie")
    db.session.commit()
    with time_machine.travel(T0, tick=False):
        auth.login("marie")
        assert logged_in(client)
    with time_machine.travel(T0 + timedelta(minutes=31), tick=False):
        gone = client.get("/cases")
        assert gone.status_code == 302 and "/login" in gone.location
        assert "Votre session a pris fin" in text(client.get("/login"))
    assert "session_expired" in event_types()


def test_repeated_failures_lock_the_account_with_the_same_french_message(app, client, auth):
    make_user("ass", username="marie")
    db.session.commit()
    for _ in range(5):
        refused = auth.login("marie", "mauvais mot de passe")
        assert refused.status_code == 401 and "verrouillé 15 minutes" in text(refused)
    locked = auth.login("marie")  # the right password, refused with the same answer
    assert locked.status_code == 401 and "Identifiant ou mot de passe incorrect" in text(locked)
    assert event_types().count("account_locked") == 1


def test_the_per_ip_limit_answers_429_in_french(app, client, auth):
    app.config["VIGIE_LOGIN_RATE_LIMIT"] = "3 per minute"
    for _ in range(3):
        assert auth.login("personne", "mauvais mot de passe").status_code == 401
    limited = auth.login("personne", "mauvais mot de passe")
    assert limited.status_code == 429 and "Trop de tentatives depuis cette adresse" in text(limited)
    assert client.get("/login").status_code == 200  # the form itself is not limited


def test_behind_a_declared_proxy_the_limit_counts_each_client(database, tmp_path):
    from service import create_app
    app = create_app(database(tmp_path, VIGIE_PROXY_COUNT=1, VIGIE_LOGIN_RATE_LIMIT="2 per minute"))
    client = app.test_client()
    form = {"username": "personne", "password": "mauvais mot de passe"}
    for _ in range(2):
        assert client.post("/login", data=form, headers={"X-Forwarded-For": "192.0.2.1"}).status_code == 401
    assert client.post("/login", data=form, headers={"X-Forwarded-For": "192.0.2.1"}).status_code == 429
    assert client.post("/login", data=form, headers={"X-Forwarded-For": "192.0.2.2"}).status_code == 401
    with app.app_context():
        db.engine.dispose()


def test_a_second_factor_is_asked_on_a_second_screen_and_a_code_is_used_once(app, client, auth):
    user = make_user("ctsd", username="claire")
    seed = enrol_totp(user)
    db.session.commit()
    step = auth.login("claire")
    assert step.status_code == 302 and step.location.endswith("/login/code")
    assert not logged_in(client)
    screen = text(client.get("/login/code"))
    assert 'autocomplete="one-time-code"' in screen and '<label class="fr-label" for="code">' in screen
    wrong = client.post("/login/code", data={"code": "12345"})
    assert wrong.status_code == 401 and "Code incorrect" in text(wrong) and 'aria-invalid="true"' in text(wrong)
    code = pyotp.TOTP(seed).now()
    assert client.post("/login/code", data={"code": code}).status_code == 302
    assert logged_in(client)
    auth.logout()
    auth.login("claire")
    assert client.post("/login/code", data={"code": code}).status_code == 401  # replayed
    assert "password_verified" in event_types()


def test_the_code_screen_needs_a_password_first(app, client):
    answer = client.get("/login/code")
    assert answer.status_code == 302 and answer.location.endswith("/login")


def test_the_code_screen_does_not_sign_out_whoever_is_signed_in(app, client, auth):
    make_user("ass", username="marie")
    db.session.commit()
    auth.login("marie")
    answer = client.get("/login/code")  # e.g. a link planted on another site
    assert answer.status_code == 302 and answer.location == "/"
    assert logged_in(client)


def test_enrolment_from_the_account_page_with_a_qr_code(app, client, auth):
    make_user("ass", username="marie")
    db.session.commit()
    auth.login("marie")
    page = text(client.get("/compte"))
    assert "Facultative pour votre rôle" in page and "Activer la double authentification" in page
    assert client.post("/compte/double-authentification").status_code == 302
    page = text(client.get("/compte"))
    match = re.search(r'<img src="data:image/svg\+xml[^"]*"', page)
    assert match and "style=" not in match.group(0)
    seed = re.search(r"<code>([A-Z2-7 ]+)</code>", page).group(1).replace(" ", "")
    refused = client.post("/compte/double-authentification/confirmer", data={"code": "abc"})
    assert refused.status_code == 422 and "Code incorrect" in text(refused)
    done = client.post("/compte/double-authentification/confirmer", data={"code": pyotp.TOTP(seed).now()})
    assert done.status_code == 302
    assert "Activée" in text(client.get("/compte"))
    assert db.session.scalar(sa.select(User.totp_secret).where(User.username == "marie"))


def test_where_required_ctsd_auditeur_and_admin_can_do_nothing_before_enrolling(app, client, auth):
    app.config["VIGIE_TOTP_REQUIRED"] = True
    world = World()
    db.session.commit()
    auth.login(world.ass.username)
    assert logged_in(client)  # not required for this role
    auth.logout()
    auth.login(world.auditeur.username)
    sent = client.get("/cases")
    assert sent.status_code == 302 and sent.location.endswith("/compte")
    assert "Obligatoire pour votre rôle" in text(client.get("/compte"))
    assert client.get("/api/v1/tasks").status_code == 403
    client.post("/compte/double-authentification")
    seed = re.search(r"<code>([A-Z2-7 ]+)</code>", text(client.get("/compte"))).group(1).replace(" ", "")
    client.post("/compte/double-authentification/confirmer", data={"code": pyotp.TOTP(seed).now()})
    assert logged_in(client)


def _timeline_export(client, case_id: int, **extra):
    return client.post(f"/cases/{case_id}/export", data={"motif": "Inspection IGESR", "format": "json", **extra})


def _api_export(client, case_id: int):
    token = re.search(r'name="csrf-token" content="([^"]+)"', text(client.get(f"/cases/{case_id}/timeline"))).group(1)
    return client.post(f"/api/v1/cases/{case_id}/export", json={"purpose": "Inspection IGESR"},
                       headers={"X-CSRFToken": token})


def test_an_export_needs_the_password_again_within_five_minutes(app, client, auth):
    world = World()
    case = make_case(world.ass)
    db.session.commit()
    with time_machine.travel(T0, tick=False):
        auth.login(world.auditeur.username)
        assert 'name="password"' in text(client.get(f"/cases/{case.id}/timeline"))
        refused = _timeline_export(client, case.id)
        assert refused.status_code == 303
        assert "Confirmez votre identité pour exporter" in text(client.get(f"/cases/{case.id}/timeline"))
        assert _timeline_export(client, case.id, password="mauvais mot de passe").status_code == 303
        refused_api = _api_export(client, case.id)
        assert refused_api.status_code == 403 and "Confirmez d'abord votre identité" in refused_api.json["message"]
        assert _timeline_export(client, case.id, password=PASSWORD).status_code == 200
    with time_machine.travel(T0 + timedelta(minutes=4), tick=False):
        assert "moins de 5 minutes" in text(client.get(f"/cases/{case.id}/timeline"))
        assert _timeline_export(client, case.id).status_code == 200
        assert _api_export(client, case.id).status_code == 200
    with time_machine.travel(T0 + timedelta(minutes=6), tick=False):
        assert _timeline_export(client, case.id).status_code == 303
    types = event_types()
    assert types.count("reauthentication_failed") == 1 and types.count("user_reauthenticated") == 1
    assert types.count("case_exported") == 3


def test_an_export_needs_the_code_too_when_enrolled(app, client, auth):
    world = World()
    case = make_case(world.ass)
    seed = enrol_totp(world.auditeur)
    db.session.commit()
    auth.login(world.auditeur.username)
    client.post("/login/code", data={"code": pyotp.TOTP(seed).now()})
    assert 'name="code"' in text(client.get(f"/cases/{case.id}/timeline"))
    assert _timeline_export(client, case.id, password=PASSWORD).status_code == 303
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=31)):  # the next code
        assert _timeline_export(client, case.id, password=PASSWORD, code=pyotp.TOTP(seed).now()).status_code == 200


def test_the_cli_disables_a_user_and_revokes_a_token(app, client, runner, auth):
    world = World()
    token = token_for(world.ctsd)
    token_for(world.ass)
    db.session.commit()
    auth.login(world.ass.username)
    assert logged_in(client)
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/tasks", headers=bearer).status_code == 200
    listed = runner.invoke(args=["token", "list", "--username", world.ctsd.username])
    token_id = int(listed.output.split()[0])
    assert "actif" in listed.output and token not in listed.output
    revoked = runner.invoke(args=["token", "revoke", "--id", str(token_id)])
    assert revoked.exit_code == 0 and "révoqué" in revoked.output
    assert client.get("/api/v1/tasks", headers=bearer).status_code == 401
    disabled = runner.invoke(args=["disable-user", "--username", world.ass.username])
    assert disabled.exit_code == 0, disabled.output
    assert "1 session(s) fermée(s), 1 jeton(s) révoqué(s)" in disabled.output
    assert not logged_in(client)
    enabled = runner.invoke(args=["enable-user", "--username", world.ass.username])
    assert enabled.exit_code == 0 and "réactivé" in enabled.output
    assert auth.login(world.ass.username).status_code == 302
    unknown = runner.invoke(args=["disable-user", "--username", "personne"])
    assert unknown.exit_code == 1 and "Utilisateur inconnu" in unknown.output


def test_the_cli_resets_a_second_factor(app, runner):
    user = make_user("ctsd", username="claire")
    enrol_totp(user)
    db.session.commit()
    result = runner.invoke(args=["reset-totp", "--username", "claire"])
    assert result.exit_code == 0 and "retirée" in result.output
    db.session.rollback()
    assert db.session.get(User, user.id).totp_secret is None


def test_the_qr_code_is_a_valid_svg_without_inline_style(app, client, auth):
    make_user("ass", username="marie")
    db.session.commit()
    auth.login("marie")
    client.post("/compte/double-authentification")
    uri = re.search(r'<img src="(data:image/svg\+xml[^"]*)"', text(client.get("/compte"))).group(1)
    head, _, data = uri.partition(",")
    from urllib.parse import unquote
    svg = base64.b64decode(data).decode() if head.endswith(";base64") else unquote(data)
    assert svg.lstrip().startswith(("<?xml", "<svg")) and "style=" not in svg and "<script" not in svg


def test_the_administrator_sees_who_is_disabled_locked_or_enrolled(app, client, auth):
    world = World()
    enrol_totp(world.ctsd)
    db.session.commit()
    for _ in range(5):
        auth.login(world.ass.username, "mauvais mot de passe")
    auth.login(world.admin.username)
    page = text(client.get("/"))
    row = re.search(rf"<tr><td>{world.ass.username}</td>.*?</tr>", page, re.S).group(0)
    assert "verrouillé jusqu'à" in row
    assert "Activée" in re.search(rf"<tr><td>{world.ctsd.username}</td>.*?</tr>", page, re.S).group(0)

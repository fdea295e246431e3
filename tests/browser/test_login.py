"""Logging in through the real form, in Chromium: CSRF checked, CSP enforced, axe run."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.helpers import check_accessibility, create_user, login, screenshot, submit_login


def test_the_login_page_asks_for_an_identifier_and_a_password(page, live_server):
    response = page.goto("/login")

    assert response.status == 200
    expect(page).to_have_title("Connexion — Vigie")
    expect(page.get_by_role("heading", level=1, name="Connexion")).to_be_visible()
    expect(page.get_by_label("Identifiant")).to_be_editable()
    expect(page.get_by_label("Mot de passe", exact=True)).to_have_attribute("type", "password")
    expect(page.get_by_role("button", name="Se connecter")).to_be_enabled()
    check_accessibility(page)
    screenshot(page, "connexion")


def test_a_person_logs_in_through_the_form_and_lands_on_their_steps(page, live_server):
    user = create_user("ass", username="ass.navigateur")

    login(page, user)

    assert page.url == f"{live_server.url}/"
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mes étapes")
    expect(page.get_by_role("navigation").get_by_role("link", name="Mes étapes", exact=True)).to_be_visible()
    expect(page.get_by_text("ass.navigateur").filter(visible=True).first).to_be_visible()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    check_accessibility(page)
    screenshot(page, "mes-etapes")


def test_a_wrong_password_is_refused_with_a_french_message(page, live_server):
    create_user("ass", username="ass.distraite")

    response = submit_login(page, "ass.distraite", "pas le bon mot de passe")

    assert response.status == 401
    expect(page.get_by_role("alert")).to_contain_text("Identifiant ou mot de passe incorrect.")
    expect(page.get_by_label("Identifiant")).to_have_value("ass.distraite")
    expect(page.get_by_label("Mot de passe", exact=True)).to_have_value("")
    page.goto("/")
    expect(page).to_have_url(f"{live_server.url}/login?next=%2F")  # still nobody logged in
    check_accessibility(page)

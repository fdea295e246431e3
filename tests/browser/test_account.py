"""The second factor in Chromium: enrolment from « Mon compte » with the QR code, then the code screen
at the next login; axe-core on each screen, with its error state."""
from __future__ import annotations

import re

import pyotp
from playwright.sync_api import expect

from service.extensions import db
from service.models import User
from tests.browser.helpers import check_accessibility, create_user, login, submit_login


def test_a_user_enrols_a_second_factor_then_logs_in_with_a_code(page, live_server):
    user = create_user("ctsd", username="claire.ctsd")
    login(page, user)
    page.get_by_role("link", name=re.compile("claire.ctsd")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon compte")
    check_accessibility(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Activer la double authentification").click()
    qr = page.get_by_role("img", name=re.compile("QR code d'enrôlement"))
    expect(qr).to_be_visible()
    assert qr.get_attribute("src").startswith("data:image/svg+xml")
    assert qr.evaluate("img => img.naturalWidth") > 0  # drawn: the CSP let the data: URL through
    seed = page.locator("code").inner_text().replace(" ", "")
    page.get_by_label("Code de vérification").fill("000000" if pyotp.TOTP(seed).now() != "000000" else "111111")
    with page.expect_navigation():
        page.get_by_role("button", name="Confirmer et activer").click()
    expect(page.locator(".fr-input-group--error")).to_contain_text("Code incorrect")
    check_accessibility(page)  # the error tied to its field
    page.get_by_label("Code de vérification").fill(pyotp.TOTP(seed).now())
    with page.expect_navigation():
        page.get_by_role("button", name="Confirmer et activer").click()
    expect(page.get_by_role("status").first).to_contain_text("Double authentification activée")

    with page.expect_navigation():
        page.get_by_role("button", name="Se déconnecter").click()
    db.session.rollback()
    db.session.get(User, user.id).totp_last_step = None  # the enrolment's code may be the current one
    db.session.commit()
    submit_login(page, "claire.ctsd")
    expect(page.get_by_role("heading", level=1)).to_have_text("Code de vérification")
    check_accessibility(page)
    page.get_by_label("Code de vérification").fill(pyotp.TOTP(seed).now())
    with page.expect_navigation():
        page.get_by_role("button", name="Valider").click()
    assert "/login" not in page.url
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()

"""VIGIE_BRANDING: the State brand block and the Marianne font only for `etat`; `neutre` by default."""
from __future__ import annotations

from playwright.sync_api import expect

MARIANNE_LOADED = """async () => {
    await document.fonts.ready;
    return [...document.fonts].some(f => f.family.replaceAll('"', '') === 'Marianne' && f.status === 'loaded');
}"""


def test_the_default_brand_is_neutral_no_state_block_and_no_marianne(page, app, live_server):
    assert app.config["VIGIE_BRANDING"] == "neutre"
    page.goto("/login")
    expect(page.locator(".fr-logo")).to_have_count(0)
    expect(page.locator(".fr-header__service-title")).to_have_text("Vigie")
    assert page.evaluate(MARIANNE_LOADED) is False
    family = page.evaluate("() => getComputedStyle(document.querySelector('h1')).fontFamily")
    assert "Marianne" not in family


def test_the_state_brand_shows_the_block_and_the_marianne_font(page, app, live_server):
    app.config["VIGIE_BRANDING"] = "etat"
    page.goto("/login")
    expect(page.locator("header .fr-logo")).to_contain_text("Éducation")
    expect(page.locator("footer .fr-logo")).to_be_visible()
    assert page.evaluate(MARIANNE_LOADED) is True

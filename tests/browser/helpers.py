"""What browser tests do often: accounts, logging in, accessibility checks, screenshots."""
from __future__ import annotations

import os
import re
from pathlib import Path

from service.config import PROJECT_ROOT
from service.extensions import db
from tests.factories import PASSWORD, make_user

AXE_URL = "/static/vendor/axe-core/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = ("serious", "critical")


def create_user(role: str = "ass", **options):
    """A committed account (`tests.factories.make_user` options) whose password is `PASSWORD`."""
    user = make_user(role, **options)
    db.session.commit()
    return user


def submit_login(page, username: str, password: str = PASSWORD):
    """Fill and send the login form as a person would; the response of the page it leads to."""
    page.goto("/login")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Se connecter").click()
    return navigation.value


def login(page, user, password: str = PASSWORD):
    """Log `user` (a User or a username) in through the form; fails unless it leaves the login page."""
    username = getattr(user, "username", user)
    response = submit_login(page, username, password)
    assert response is not None and response.ok, f"login of {username}: HTTP {response and response.status}"
    assert not re.search(r"/login(\?|$)", page.url), f"login of {username} refused: still on {page.url}"
    return response


def check_accessibility(page, tags: list[str] = AXE_TAGS, *, ignore: tuple[str, ...] = ()) -> list[dict]:
    """Run axe-core (served by the app, so the CSP allows it) on the page; fail on serious or critical.

    `ignore`: rule ids not to fail on, each with a TODO saying why where it is passed. Returns every
    violation found, the minor, moderate and ignored ones included, for a test to look at.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(url=AXE_URL)
    violations = page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                count: v.nodes.length, targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }""", tags)
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS and v["id"] not in ignore]
    assert not blocking, f"Accessibility ({page.url}):\n" + "\n".join(
        f"  - [{v['impact']}] {v['id']}: {v['help']} ({v['count']} element(s): {', '.join(v['targets'])})"
        for v in blocking)
    return violations


def screenshot_dir() -> Path:
    return Path(os.environ.get("VIGIE_SCREENSHOT_DIR") or PROJECT_ROOT / "build" / "screenshots")


def screenshot(page, name: str) -> Path:
    """A full-page PNG `<name>.png` in VIGIE_SCREENSHOT_DIR (default build/screenshots)."""
    folder = screenshot_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path

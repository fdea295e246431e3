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


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """A PNG `<name>.png` of the page (or of the window) in VIGIE_SCREENSHOT_DIR (default build/screenshots)."""
    folder = screenshot_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    if not full_page:
        page.evaluate("() => window.scrollTo(0, 0)")  # the window as the page opens
    page.screenshot(path=str(path), full_page=full_page)
    return path


def switch_user(page, user, password: str = PASSWORD):
    """Log out whoever is in (the header's button), then log `user` in through the form."""
    logout = page.get_by_role("button", name="Se déconnecter")
    if logout.count():
        with page.expect_navigation():
            logout.click()
    return login(page, user, password)


def _pairs(data, prefix: str = ""):
    """A task's data as the form's input names and values (`groupe.champ`, `blocs.0.champ`)."""
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _pairs(value, name + ".")
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for index, item in enumerate(value):
                yield from _pairs(item, f"{name}.{index}.")
        else:
            yield name, value


def fill_task_form(page, data) -> None:
    """Fill the task screen's form with `data` (a payload valid against its schema) as a person
    would: choices first, by clicking their labels (conditional fields then appear), then the
    text, date and number inputs. A field that stays hidden for data given to it fails the test.
    """
    form = page.locator("#formulaire-etape")
    pairs = list(_pairs(data))
    kinds = {name: form.locator(f'[name="{name}"]').first.evaluate("e => e.type") for name, _ in pairs}
    ordered = sorted(pairs, key=lambda pair: kinds[pair[0]] not in ("radio", "checkbox", "select-one"))
    for name, value in ordered:
        kind = kinds[name]
        if kind in ("radio", "checkbox"):
            values = value if isinstance(value, list) else [value]
            for v in values:
                v = {True: "true", False: "false"}.get(v, v) if isinstance(v, bool) else str(v)
                box = form.locator(f'[name="{name}"][value="{v}"]')
                form.locator(f'label[for="{box.get_attribute("id")}"]').click()
                assert box.is_checked(), f"{name}={v} not checked"
            continue
        field = form.locator(f'[name="{name}"]')
        assert field.is_enabled() and field.is_visible(), f"champ {name} caché alors qu'une valeur lui est donnée"
        if kind == "select-one":
            field.select_option(str(value))
        elif kind == "datetime-local":
            field.fill(str(value)[:16])  # the samples' times are in Paris time
        else:
            field.fill(str(value))


def labelled(page, label: str):
    """The input whose label is `label`, whatever follows it (« (obligatoire) », a hint)."""
    return page.get_by_label(re.compile("^" + re.escape(label) + r"(\s|$)"))

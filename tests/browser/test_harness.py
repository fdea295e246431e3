"""The harness itself: what it must catch, it catches (pages served by routes added for the test)."""
from __future__ import annotations

import pytest

from tests.browser.harness import BrowserProblems
from tests.browser.helpers import check_accessibility

PAGE = ('<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Essai</title>'
        '<link rel="icon" href="data:,">{head}</head>'
        '<body><main><h1>Essai</h1>{body}</main></body></html>')


@pytest.fixture
def watched(browser, live_server):
    """A page whose problems the test reads, instead of failing at teardown."""
    context = browser.new_context(base_url=live_server.url)
    problems = BrowserProblems()
    page = context.new_page()
    problems.watch(page)
    yield page, problems
    context.close()


def test_csp_violations_and_missing_resources_are_reported(app, watched):
    app.add_url_rule("/essai", "essai", lambda: PAGE.format(
        head="<style>h1 { color: red }</style>", body='<script>document.title = "x"</script>'
                                                      '<script src="/static/absent.js"></script>'))
    page, problems = watched

    page.goto("/essai")
    page.wait_for_load_state("load")

    report = problems.report()
    assert "Content-Security-Policy violations" in report
    assert "inline style" in report and "inline script" in report
    assert "Console errors" in report and "/static/absent.js" in report


def test_a_document_refused_with_a_4xx_status_is_behaviour_not_a_problem(app, watched):
    app.add_url_rule("/refus", "refus", lambda: (PAGE.format(head="", body="<p>Refusé.</p>"), 403))
    page, problems = watched

    assert page.goto("/refus").status == 403
    assert problems.report() == ""


def test_an_unlabelled_field_fails_the_accessibility_check(app, watched):
    app.add_url_rule("/formulaire", "formulaire", lambda: PAGE.format(head="", body='<input type="text">'))
    page, problems = watched
    page.goto("/formulaire")

    with pytest.raises(AssertionError, match=r"\[critical\] label"):
        check_accessibility(page)
    assert problems.report() == ""  # axe-core loaded from /static, within the CSP

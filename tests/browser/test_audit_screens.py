"""An auditor reads a case's timeline in Chromium: every event, who read the case, filters, export."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from service.extensions import db
from service.usecases.procedures import start_procedure
from service.usecases.tasks import complete_task
from tests.browser.helpers import check_accessibility, labelled, login, screenshot
from tests.factories import make_case
from tests.helpers import ready_task
from tests.ip_samples import sample


def test_the_auditor_reads_the_timeline_filters_it_and_sees_who_read_the_case(page, world, live_server):
    case = make_case(world.ass)
    start_procedure(world.actor("ass"), case.id, "information_preoccupante")
    for role, spec_id, data in [("ass", "recueillir_faits", {}), ("ass", "qualifier_gravite", {}),
                                ("ass", "evaluer_situation", {}), ("ass", "rediger_ip", {}),
                                ("ass", "informer_parents", {}), ("direction", "viser_ip", {}),
                                ("ctsd", "valider_ip", {"decision": "renvoyer", "commentaire": "Dater les faits."}),
                                ("ass", "rediger_ip", {"faits": "Le 2 mars 2026 à 8 h 10, trace rouge constatée."})]:
        complete_task(world.actor(role), ready_task(world.actor(role), spec_id).id, sample(spec_id, **data))
    db.session.commit()

    login(page, world.auditeur)
    page.get_by_role("link", name="Dossiers", exact=True).first.click()
    labelled(page, "Rechercher un·e élève (nom ou prénom)").fill("mart")
    with page.expect_navigation():
        page.get_by_role("button", name="Rechercher").click()
    with page.expect_navigation():
        page.get_by_role("link", name=case.pupil_name).click()
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("Chronologie d'audit complète")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Chronologie d'audit — {case.pupil_name}")
    caption = page.locator("#tableau-chronologie caption")
    total = int(re.match(r"(\d+) événements, dans l'ordre", caption.inner_text().strip()).group(1))
    assert total >= 12  # opening, start, eight steps, the reads
    expect(page.get_by_text("Formulaire soumis à nouveau : 1 changement")).to_be_visible()  # the IP redone
    expect(page.locator("#tableau-chronologie del").first).to_be_visible()
    readers = page.locator("#tableau-lecteurs tbody > tr")
    expect(readers.filter(has_text=world.auditeur.username)).to_have_count(1)
    check_accessibility(page)
    screenshot(page, "chronologie-auditeur", full_page=False)

    labelled(page, "Utilisateur").select_option(world.ctsd.username)
    with page.expect_navigation():
        page.get_by_role("button", name="Filtrer").click()
    expect(caption).to_contain_text(f"sur {total + 1}")  # this read is the one more
    rows = page.locator("#tableau-chronologie table > tbody > tr")
    assert rows.count() == int(caption.inner_text().split()[0]) >= 2  # validation with its return, and reads
    for row in rows.all():
        expect(row.locator("> td").nth(2)).to_contain_text(world.ctsd.username)
    expect(labelled(page, "Motif de l'export")).to_be_visible()
    check_accessibility(page)

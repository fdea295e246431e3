"""Every kind of screen under axe-core (no serious or critical violation), and the keyboard alone.

The IP's screens are checked along its path (test_information_preoccupante); here, the first step
of each other procedure, a form in its error state with repeatable blocks, the pages of the CTSD,
the auditor and the administrator, and the ASS's confidential social file.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from service.extensions import db
from service.models import HumanTask
from service.usecases.procedures import start_procedure
from tests.browser.helpers import check_accessibility, labelled, login
from tests.factories import make_case


@pytest.mark.parametrize("process_id", ["signalement", "mediation", "harcelement", "inclusion_handicap",
                                        "absenteisme"])
def test_the_first_step_of_each_procedure_passes_axe(page, world, live_server, process_id):
    case = make_case(world.ass)
    started = start_procedure(world.actor("ass"), case.id, process_id)
    task = db.session.get(HumanTask, started.ready[0]) if started.ready else db.session.query(HumanTask).filter_by(
        procedure_id=started.procedure_id, state="ready").one()
    db.session.commit()
    login(page, getattr(world, task.role))
    page.goto(f"/tasks/{task.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(task.name)
    check_accessibility(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer l'étape").click()
    expect(page.get_by_role("alert").filter(has_text="Le formulaire contient")).to_be_visible()
    check_accessibility(page)  # the error state: messages tied to their fields
    more = page.locator("button[name=_ajouter]")
    if more.count():  # the signalement's words of the pupil, asked when the pupil spoke: one more block
        expect(more.first).to_be_hidden()
        source = page.locator("[name=source][value=paroles_eleve]")
        page.locator(f'label[for="{source.get_attribute("id")}"]').click()
        expect(more.first).to_be_visible()
        with page.expect_navigation():
            more.first.click()
        expect(page.locator("fieldset.vigie-block")).to_have_count(2)
        check_accessibility(page)


def test_the_pages_of_the_ctsd_the_auditor_and_the_administrator_pass_axe(page, world, live_server):
    case = make_case(world.ass)
    db.session.commit()
    login(page, world.ctsd)
    page.goto("/cases")
    check_accessibility(page)
    page.goto("/protocole")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Protocole départemental")
    labelled(page, "Délai de confirmation écrite d'un signalement").fill("quatre heures")
    with page.expect_navigation():
        page.get_by_role("button", name="Publier cette version").click()
    expect(page.get_by_role("alert")).to_contain_text("Le protocole n'a pas été modifié")
    check_accessibility(page)
    page.goto("/cases/999999")
    expect(page.get_by_role("heading", level=1)).to_have_text("Introuvable")
    check_accessibility(page)

    for user, url in ((world.auditeur, "/audit"), (world.admin, "/")):
        page.get_by_role("button", name="Se déconnecter").click()
        login(page, user)
        page.goto(url)
        check_accessibility(page)

    page.get_by_role("button", name="Se déconnecter").click()
    login(page, world.ass)
    page.goto(f"/cases/{case.id}")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("Dossier social confidentiel")).click()
    with page.expect_navigation():
        page.get_by_role("button", name="Ajouter la note").click()
    expect(page.locator("#erreur-note-body")).to_contain_text("obligatoire")
    check_accessibility(page)
    labelled(page, "Type de note").select_option("entretien_eleve")
    labelled(page, "Note").fill("« Je ne veux pas rentrer ce soir. »")
    with page.expect_navigation():
        page.get_by_role("button", name="Ajouter la note").click()
    expect(page.locator(".vigie-note-body")).to_have_text("« Je ne veux pas rentrer ce soir. »")
    check_accessibility(page)
    page.goto("/cases/new")
    with page.expect_navigation():
        page.get_by_role("button", name="Ouvrir le dossier").click()
    expect(page.get_by_role("alert")).to_contain_text("Le formulaire contient des erreurs")
    check_accessibility(page)


def test_the_keyboard_alone_logs_in_and_skips_to_the_content(page, world, live_server):
    page.goto("/login")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Aller au contenu")).to_be_focused()
    username = labelled(page, "Identifiant")
    for _ in range(10):
        page.keyboard.press("Tab")
        if username.evaluate("e => e === document.activeElement"):
            break
    expect(username).to_be_focused()
    page.keyboard.type(world.ass.username)
    page.keyboard.press("Tab")
    expect(labelled(page, "Mot de passe")).to_be_focused()
    page.keyboard.type("mot de passe de test")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mes étapes")

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Aller au contenu")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#contenu")).to_be_focused()

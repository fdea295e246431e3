"""An information préoccupante through the screens, in Chromium, as the people who conduct it.

The ASS opens the case, starts the IP and fills every step; the direction signs; the CTSD sends
it back with a comment, then validates it, the fiche de transmission being produced; the CTSD
records the transmission and the CRIP's receipt; the ASS records the CRIP's return. Every screen
is checked by axe-core and under the strict CSP (the `page` fixture), and the screenshots shown
in the README are taken here (VIGIE_SCREENSHOT_DIR=docs/screenshots: `make screenshots`).
"""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.helpers import check_accessibility, fill_task_form, labelled, login, screenshot, switch_user
from tests.ip_samples import sample


def open_task(page, name: str) -> None:
    """From the inbox, as a person: the link of the step."""
    page.goto("/")
    with page.expect_navigation():
        page.get_by_role("link", name=name, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def complete_task(page, name: str, spec_id: str, *, check: bool = False, shot: str | None = None,
                  **overrides) -> None:
    open_task(page, name)
    fill_task_form(page, sample(spec_id, **overrides))
    if check:
        check_accessibility(page)
    if shot:
        screenshot(page, shot, full_page=False)
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer l'étape").click()
    expect(page.get_by_role("status").filter(has_text=f"Étape « {name} » enregistrée.")).to_be_visible()


def test_an_ip_from_the_first_facts_to_the_return_of_the_crip(page, world, live_server):
    # the ASS opens the case and starts the procedure
    login(page, world.ass)
    page.get_by_role("link", name="Ouvrir un dossier", exact=True).first.click()
    check_accessibility(page)
    labelled(page, "Nom de l'élève").fill("Martin")
    labelled(page, "Prénom de l'élève").fill("Léa")
    labelled(page, "Date de naissance").fill("2013-03-14")
    with page.expect_navigation():
        page.get_by_role("button", name="Ouvrir le dossier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("MARTIN Léa")
    case_url = page.url
    labelled(page, "Démarrer une procédure").select_option(label="Information préoccupante")
    with page.expect_navigation():
        page.get_by_role("button", name="Démarrer").click()

    # first step: the facts, with a French error next to the field first
    expect(page.get_by_role("heading", level=1)).to_have_text("Recueillir les faits et observations")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer l'étape").click()
    summary = page.get_by_role("alert").filter(has_text="Le formulaire contient")
    expect(summary).to_be_visible()
    expect(page.locator("#erreur-faits")).to_contain_text("obligatoire")
    check_accessibility(page)
    fill_task_form(page, sample("recueillir_faits"))
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer l'étape").click()

    complete_task(page, "Qualifier la gravité de la situation", "qualifier_gravite", check=True)
    complete_task(page, "Évaluer la situation (entretiens)", "evaluer_situation")

    # a draft keeps what was typed when a pupil knocks at the door
    open_task(page, "Rédiger l'information préoccupante")
    labelled(page, "Faits").fill("Le 26 février, l'élève s'est endormi en cours.")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer le brouillon").click()
    open_task(page, "Rédiger l'information préoccupante")
    expect(labelled(page, "Faits")).to_have_value("Le 26 février, l'élève s'est endormi en cours.")
    fill_task_form(page, sample("rediger_ip"))
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer l'étape").click()

    # conditional fields: the reason is asked only when the parents are not informed
    open_task(page, "Informer les parents ou motiver la non-information")
    reason = labelled(page, "Motif de la non-information")
    date = labelled(page, "Date de l'information des parents")
    expect(reason).to_be_hidden()
    expect(date).to_be_hidden()
    page.locator("label", has_text="Non").first.click()
    expect(reason).to_be_visible()
    expect(date).to_be_hidden()
    page.locator("label", has_text="Oui").first.click()
    expect(reason).to_be_hidden()
    expect(date).to_be_visible()
    fill_task_form(page, sample("informer_parents"))
    check_accessibility(page)
    screenshot(page, "etape-ass")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer l'étape").click()

    # the direction signs; the CTSD sends it back with a comment
    switch_user(page, world.direction)
    complete_task(page, "Apposer le visa de la direction", "viser_ip", check=True)
    switch_user(page, world.ctsd)
    open_task(page, "Valider la transmission à la CRIP")
    expect(page.get_by_role("heading", name="Rédiger l'information préoccupante")).to_be_visible()  # under review
    check_accessibility(page)
    screenshot(page, "validation-ctsd", full_page=False)
    fill_task_form(page, {"decision": "renvoyer",
                          "commentaire": "Préciser qui a constaté la trace du 2 mars et à quelle heure."})
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer l'étape").click()

    # the ASS sees the comment, corrects, informs; the direction signs again; the CTSD validates
    switch_user(page, world.ass)
    open_task(page, "Rédiger l'information préoccupante")
    expect(page.get_by_text("Préciser qui a constaté la trace du 2 mars et à quelle heure.")).to_be_visible()
    fill_task_form(page, sample("rediger_ip"))
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer l'étape").click()
    complete_task(page, "Informer les parents ou motiver la non-information", "informer_parents")
    switch_user(page, world.direction)
    complete_task(page, "Apposer le visa de la direction", "viser_ip")
    switch_user(page, world.ctsd)
    complete_task(page, "Valider la transmission à la CRIP", "valider_ip")
    complete_task(page, "Transmettre l'IP à la CRIP", "transmettre_crip", check=True)
    complete_task(page, "Enregistrer l'accusé de réception de la CRIP", "enregistrer_accuse")

    # the ASS records the CRIP's return: the procedure is over
    switch_user(page, world.ass)
    complete_task(page, "Enregistrer le retour de la CRIP", "enregistrer_retour", check=True)
    page.goto(case_url)
    procedure = page.locator("section", has=page.get_by_role("heading", name=re.compile("^Information préoccupante")))
    expect(procedure.get_by_text("Terminée", exact=True)).to_be_visible()

    # the case page: the document, the history, the living diagram with its watermark
    document = page.get_by_role("link", name=re.compile("Fiche de transmission d'une information préoccupante"))
    expect(document).to_be_visible()
    with page.expect_download() as download:
        document.click()
    assert download.value.suggested_filename.endswith(".pdf")
    diagram = page.locator(".vigie-diagram").first
    expect(diagram).to_have_attribute("data-state", "pret")
    expect(diagram.locator(".bjs-powered-by")).to_be_visible()
    expect(diagram.locator("g.vigie-done[data-element-id='valider_ip']")).to_have_count(1)
    expect(diagram.locator("g.vigie-current")).to_have_count(0)
    check_accessibility(page)
    screenshot(page, "dossier")


def test_the_case_page_draws_the_current_step_of_a_running_procedure(page, world, live_server):
    from service.usecases.procedures import start_procedure
    from tests.factories import make_case

    case = make_case(world.ass)
    start_procedure(world.actor("ass"), case.id, "information_preoccupante")
    from service.extensions import db
    db.session.commit()
    login(page, world.ass)
    page.goto(f"/cases/{case.id}")
    diagram = page.locator(".vigie-diagram").first
    expect(diagram).to_have_attribute("data-state", "pret")
    expect(diagram.locator("g.vigie-current[data-element-id='recueillir_faits']")).to_have_count(1)
    page.get_by_role("button", name="Agrandir le schéma").click()
    large = page.locator(".vigie-diagram--large").first
    expect(large).to_have_attribute("data-state", "pret")
    expect(large.locator("g.vigie-current[data-element-id='recueillir_faits']")).to_have_count(1)
    check_accessibility(page)
    page.keyboard.press("Escape")
    expect(large).to_be_hidden()

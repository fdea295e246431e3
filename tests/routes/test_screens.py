"""The screens in French: login, inbox, case pages, task forms with errors next to fields, CSRF."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from service.audit.proof import check_export
from service.extensions import db
from service.models import AuditEvent
from service.usecases.procedures import start_procedure
from service.usecases.tasks import complete_task
from tests.factories import PASSWORD, make_case
from tests.helpers import fingerprint, ready_task
from tests.ip_samples import sample
from workflows.protocol import DEFAULT_PROTOCOL


def text(response) -> str:
    return response.get_data(as_text=True)


def test_pages_need_a_login(client):
    for url in ("/", "/cases", "/cases/new", "/cases/1", "/tasks/abc", "/audit"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_login_failure_is_audited_and_in_french(client, world, auth):
    response = auth.login(world.ass.username, "mauvais mot de passe")
    assert response.status_code == 401 and "Identifiant ou mot de passe incorrect" in text(response)
    assert auth.login(world.ass.username).status_code == 302
    db.session.rollback()
    types = db.session.scalars(sa.select(AuditEvent.event_type).order_by(AuditEvent.seq)).all()
    assert types[-2:] == ["login_failed", "user_logged_in"]
    assert auth.logout().status_code == 302
    db.session.rollback()
    last = db.session.scalars(sa.select(AuditEvent.event_type).order_by(AuditEvent.seq.desc())).first()
    assert last == "user_logged_out"


@pytest.mark.parametrize("target, expected", [
    ("/cases", "/cases"), ("https://evil.example/", "/"), ("//evil.example", "/"),
    ("/\\evil.example", "/"), ("javascript:alert(1)", "/")])
def test_login_redirects_only_inside_the_site(client, world, target, expected):
    response = client.post(f"/login?next={target}", data={"username": world.ass.username,
                                                           "password": "mot de passe de test"})
    assert response.headers["Location"] == expected


def test_every_form_post_needs_the_csrf_token(app, client, world, auth):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/login", data={"username": world.ass.username, "password": "mot de passe de test"})
    assert response.status_code == 400 and "CSRF" in text(response)


def test_open_a_case_and_start_the_ip_through_the_screens(client, world, auth):
    auth.login(world.ass.username)
    page = client.get("/cases/new")
    assert "Ouvrir un dossier" in text(page) and world.college.uai in text(page)
    refused = client.post("/cases/new", data={"last_name": "", "first_name": "Léa",
                                              "birth_date": "14/03/2013", "establishment": world.college.uai})
    assert refused.status_code == 422
    assert "Ce champ est obligatoire." in text(refused) and "Date de naissance invalide" in text(refused)
    created = client.post("/cases/new", data={"last_name": "Martin", "first_name": "Léa",
                                              "birth_date": "2013-03-14", "establishment": world.college.uai})
    assert created.status_code == 302
    case_page = client.get(created.headers["Location"])
    assert "MARTIN Léa" in text(case_page) and "Démarrer une procédure" in text(case_page)
    case_id = int(created.headers["Location"].rsplit("/", 1)[1])
    started = client.post(f"/cases/{case_id}/procedures", data={"procedure": "information_preoccupante"})
    task_page = client.get(started.headers["Location"])
    assert task_page.status_code == 200
    body = text(task_page)
    assert "<h1>Recueillir les faits et observations</h1>" in body
    assert 'type="date"' in body and "Consignes" in body and "Cadre légal" in body
    assert task_page.headers["Cache-Control"] == "no-store"
    assert "default-src 'self'" in task_page.headers["Content-Security-Policy"]


def test_a_task_form_shows_french_errors_next_to_fields_and_changes_nothing(client, world, auth):
    case = make_case(world.ass)
    start_procedure(world.actor("ass"), case.id, "information_preoccupante")
    task = ready_task(world.actor("ass"), "recueillir_faits")
    auth.login(world.ass.username)
    before = fingerprint()
    response = client.post(f"/tasks/{task.id}", data={"date_constat": "2026-13-45", "faits": "   ",
                                                      "direction_alertee": "true"})
    assert response.status_code == 422
    body = text(response)
    assert "Le formulaire contient" in body  # the summary at the top
    assert re.search(r'id="erreur-date_constat">Date invalide', body)
    assert re.search(r'id="erreur-source">Ce champ est obligatoire', body)
    assert re.search(r'id="erreur-faits">Ce champ ne peut pas être vide', body)
    assert 'aria-invalid="true"' in body
    after = fingerprint()
    assert after[1:] == before[1:]  # procedures and inbox untouched


def test_a_valid_task_form_advances_to_the_next_step(client, world, auth):
    case = make_case(world.ass)
    start_procedure(world.actor("ass"), case.id, "information_preoccupante")
    task = ready_task(world.actor("ass"), "recueillir_faits")
    auth.login(world.ass.username)
    response = client.post(f"/tasks/{task.id}", data={
        "date_constat": "2026-11-02", "source": "eleve", "faits": "Propos rapportés le 2 novembre.",
        "direction_alertee": "true", "personnes_associees": ["infirmier", "cpe"]})
    assert response.status_code == 302
    nxt = client.get(response.headers["Location"])
    assert "Qualifier la gravité" in text(nxt)
    again = client.post(f"/tasks/{task.id}", data={"date_constat": "2026-11-02"})
    assert again.status_code == 409 and "déjà été complétée" in text(again)


def test_the_ctsd_sees_the_draft_to_validate(client, world, auth):
    case = make_case(world.ass)
    start_procedure(world.actor("ass"), case.id, "information_preoccupante")
    for role, spec in [("ass", "recueillir_faits"), ("ass", "qualifier_gravite"), ("ass", "evaluer_situation"),
                       ("ass", "rediger_ip"), ("ass", "informer_parents"), ("direction", "viser_ip")]:
        complete_task(world.actor(role), ready_task(world.actor(role), spec).id, sample(spec))
    task = ready_task(world.actor("ctsd"), "valider_ip")
    auth.login(world.ctsd.username)
    body = text(client.get(f"/tasks/{task.id}"))
    assert "Rédiger l&#39;information préoccupante" in body  # the draft under review
    assert "Renvoyer à l&#39;ASS avec un commentaire" in body
    assert re.search(r"Obligatoire si « .* » est « Renvoyer", body)


@pytest.mark.parametrize("role", ["direction", "ctsd", "auditeur", "admin"])
def test_screens_answer_each_role(client, world, auth, role):
    case = make_case(world.ass)
    auth.login(getattr(world, role).username)
    home = client.get("/", follow_redirects=True)
    assert home.status_code == 200
    case_page = client.get(f"/cases/{case.id}")
    assert case_page.status_code == (403 if role == "admin" else 200)
    timeline = client.get(f"/cases/{case.id}/timeline")
    assert timeline.status_code == (200 if role in ("ctsd", "auditeur") else 403)
    assert client.get("/audit").status_code == (200 if role in ("auditeur", "admin") else 403)


def test_the_case_search_keeps_names_out_of_urls(client, world, auth):
    make_case(world.ass, last_name="Bernard", first_name="Hugo")
    make_case(world.ass)
    auth.login(world.ass.username)
    response = client.post("/cases", data={"q": "bern"})
    assert "BERNARD Hugo" in text(response) and "MARTIN" not in text(response)
    assert 'method="post"' in text(client.get("/cases"))


def test_the_ctsd_reads_and_publishes_the_departmental_protocol_on_its_screen(client, world, auth):

    auth.login(world.ctsd.username)
    page = client.get(client.get("/protocole").headers["Location"])
    body = text(page)
    assert page.status_code == 200 and "Paris (75)" in body and "Protocole par défaut" in body
    assert "Par le CTSD (validation à la DSDEN), puis la CRIP" in body and "(4 heures)" in body
    form = {**DEFAULT_PROTOCOL, "route_ip": "direct", "copies_ip": "IA-DASEN\nCTSD\n\n",
            "copies_signalement": "\n".join(DEFAULT_PROTOCOL["copies_signalement"])}
    before = fingerprint()
    refused = client.post("/protocole/75", data={**form, "delai_revue_mpp": "15 jours", "motif": "x"})
    assert refused.status_code == 422 and fingerprint()[1:] == before[1:]
    assert re.search(r'id="erreur-delai_revue_mpp">Durée attendue au format ISO 8601', text(refused))
    assert re.search(r'id="erreur-motif">Indiquez le motif', text(refused))
    published = client.post("/protocole/75", data={**form, "motif": "Convention tripartite 2026"})
    assert published.status_code == 302
    body = text(client.get("/protocole/75"))
    assert "Version 1" in body and "Directement à la CRIP par l&#39;établissement" in body
    assert "<li>IA-DASEN</li><li>CTSD</li></ul>" in body


def test_the_direction_reads_the_protocol_but_cannot_change_it(client, world, auth):
    auth.login(world.direction.username)
    assert client.get("/protocole/75").status_code == 200
    assert client.post("/protocole/75", data={"route_ip": "direct", "motif": "Essai"}).status_code == 403
    assert client.get("/protocole/69").status_code == 404


def test_the_case_page_links_a_signalement_to_the_ip_that_started_it(client, world, auth):
    case = make_case(world.ass)
    start_procedure(world.actor("ass"), case.id, "information_preoccupante")
    complete_task(world.actor("ass"), ready_task(world.actor("ass"), "recueillir_faits").id,
                  sample("recueillir_faits"))
    complete_task(world.actor("ass"), ready_task(world.actor("ass"), "qualifier_gravite").id,
                  sample("qualifier_gravite", qualification="signalement"))
    auth.login(world.ass.username)
    body = text(client.get(f"/cases/{case.id}"))
    assert "Issue : Orientation vers un signalement au procureur" in body
    assert re.search(r"Engagée depuis la procédure <a href=\"#procedure-\d+\">Information préoccupante</a>",
                     body)


def test_the_auditor_timeline_shows_readers_filters_diffs_and_exports_with_proofs(app, client, world, auth,
                                                                                  tmp_path):
    app.config.update(VIGIE_AUDIT_KEY=str(tmp_path / "audit.pem"), VIGIE_CHECKPOINT_DIR=str(tmp_path / "cp"))
    case = make_case(world.ass)
    start_procedure(world.actor("ass"), case.id, "information_preoccupante")
    for spec_id in ("recueillir_faits", "qualifier_gravite", "evaluer_situation", "rediger_ip",
                    "informer_parents"):
        complete_task(world.actor("ass"), ready_task(world.actor("ass"), spec_id).id, sample(spec_id))
    complete_task(world.actor("direction"), ready_task(world.actor("direction"), "viser_ip").id,
                  sample("viser_ip"))
    complete_task(world.actor("ctsd"), ready_task(world.actor("ctsd"), "valider_ip").id,
                  sample("valider_ip", decision="renvoyer", commentaire="Dater chaque fait, s'il vous plaît."))
    complete_task(world.actor("ass"), ready_task(world.actor("ass"), "rediger_ip").id,
                  sample("rediger_ip", urgence="prioritaire"))
    auth.login(world.auditeur.username)
    body = text(client.get(f"/cases/{case.id}/timeline"))
    assert "Qui a consulté ce dossier" in body and "Aucun point de contrôle signé" in body
    assert "Formulaire soumis à nouveau : 1 changement" in body  # the draft redone after the return
    assert re.search(r"<del>[^<]+</del></td><td><ins>[^<]+</ins>", body)
    only_ctsd = text(client.get(f"/cases/{case.id}/timeline?utilisateur={world.ctsd.username}"))
    assert "événements sur" in only_ctsd or "événement sur" in only_ctsd
    assert world.ass.username not in only_ctsd.split("<tbody>", 2)[2]  # the events table

    refused = client.post(f"/cases/{case.id}/export", data={"motif": "", "format": "json"})
    assert refused.status_code == 303
    download = client.post(f"/cases/{case.id}/export", data={"motif": "Inspection IGESR", "format": "json",
                                                          "password": PASSWORD})  # re-authentication
    assert download.status_code == 200 and download.mimetype == "application/json"
    assert "attachment" in download.headers["Content-Disposition"]
    problems, _ = check_export(download.get_json())
    assert problems == []
    pdf = client.post(f"/cases/{case.id}/export", data={"motif": "Inspection IGESR", "format": "pdf"})
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    after = text(client.get(f"/cases/{case.id}/timeline"))
    assert "Dernier point de contrôle signé" in after and "Motif : Inspection IGESR" in after
    status = text(client.get("/audit"))
    assert "Chaîne intègre" in status and "(cohérent avec le journal)" in status


def test_only_auditors_export_a_case(client, world, auth):
    case = make_case(world.ass)
    auth.login(world.ctsd.username)
    assert "Exporter le dossier" not in text(client.get(f"/cases/{case.id}/timeline"))
    assert client.post(f"/cases/{case.id}/export", data={"motif": "Curiosité", "format": "json"}).status_code == 403


def test_adding_a_block_redraws_the_form_and_saves_nothing(client, world, auth):
    case = make_case(world.ass)
    start_procedure(world.actor("ass"), case.id, "information_preoccupante")
    task = ready_task(world.actor("ass"), "recueillir_faits")
    auth.login(world.ass.username)
    before = fingerprint()
    page = client.post(f"/tasks/{task.id}", data={"faits": "Propos rapportés le 2 novembre.",
                                                  "_ajouter": "faits"})
    assert page.status_code == 200 and "Propos rapportés le 2 novembre." in text(page)
    assert "Le formulaire contient" not in text(page)  # not validated: nothing was submitted
    assert fingerprint()[1:] == before[1:]


def test_a_draft_saved_on_the_screen_comes_back_when_the_step_is_reopened(client, world, auth):
    case = make_case(world.ass)
    start_procedure(world.actor("ass"), case.id, "information_preoccupante")
    task = ready_task(world.actor("ass"), "recueillir_faits")
    auth.login(world.ass.username)
    saved = client.post(f"/tasks/{task.id}", data={"faits": "Interrompue par un élève à 10 h 12.",
                                                   "_brouillon": "1"})
    assert saved.status_code == 302
    page = text(client.get(f"/tasks/{task.id}"))
    assert "Interrompue par un élève à 10 h 12." in page and "Brouillon enregistré le" in page


def test_the_case_page_offers_the_transmission_document(client, world, auth):
    case = make_case(world.ass)
    start_procedure(world.actor("ass"), case.id, "information_preoccupante")
    for role, spec_id in [("ass", "recueillir_faits"), ("ass", "qualifier_gravite"), ("ass", "evaluer_situation"),
                          ("ass", "rediger_ip"), ("ass", "informer_parents"), ("direction", "viser_ip"),
                          ("ctsd", "valider_ip")]:
        complete_task(world.actor(role), ready_task(world.actor(role), spec_id).id, sample(spec_id))
    auth.login(world.direction.username)
    body = text(client.get(f"/cases/{case.id}"))
    link = re.search(r'href="(/cases/\d+/documents/\d+)" class="fr-download__link">'
                     r"Fiche de transmission d&#39;une information", body)
    assert link and "empreinte SHA-256" in body
    pdf = client.get(link.group(1))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")


def test_cases_are_filtered_by_procedure_and_status(client, world, auth):
    ip_case = make_case(world.ass, last_name="Ipsen")
    mediation_case = make_case(world.ass, last_name="Medina")
    make_case(world.ass, last_name="Sansprocedure")
    start_procedure(world.actor("ass"), ip_case.id, "information_preoccupante")
    start_procedure(world.actor("ass"), mediation_case.id, "mediation")
    auth.login(world.ass.username)
    every = text(client.post("/cases", data={"q": ""}))
    assert "IPSEN" in every and "MEDINA" in every and "SANSPROCEDURE" in every
    mediations = text(client.post("/cases", data={"q": "", "procedure": "mediation"}))
    assert "MEDINA" in mediations and "IPSEN" not in mediations and "SANSPROCEDURE" not in mediations
    finished = text(client.post("/cases", data={"q": "", "statut": "completed"}))
    assert "Aucun dossier" in finished
    assert client.get("/cases").status_code == 200
    auth.login(world.direction.username)
    assert "MEDINA" in text(client.post("/cases", data={"q": "med", "statut": "running"}))


def test_the_living_diagram_marks_the_path_taken_and_the_current_step(client, world, auth):
    case = make_case(world.ass)
    procedure_id = start_procedure(world.actor("ass"), case.id, "information_preoccupante").procedure_id
    complete_task(world.actor("ass"), ready_task(world.actor("ass"), "recueillir_faits").id, sample("recueillir_faits"))
    auth.login(world.direction.username)
    page = text(client.get(f"/cases/{case.id}"))
    url = f"/cases/{case.id}/procedures/{procedure_id}/diagram"
    assert f'data-diagram-url="{url}"' in page
    diagram = client.get(url).get_json()
    assert diagram["bpmn"].startswith("<?xml") and 'id="recueillir_faits"' in diagram["bpmn"]
    assert "recueillir_faits" in diagram["completed"] and "qualifier_gravite" not in diagram["completed"]
    assert diagram["current"] == ["qualifier_gravite"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.event_type == "diagram_viewed", AuditEvent.procedure_id == procedure_id)) == 1


def test_the_living_diagram_keeps_to_the_case_scope(client, world, auth):
    case = make_case(world.ass)
    procedure_id = start_procedure(world.actor("ass"), case.id, "information_preoccupante").procedure_id
    other = make_case(world.ass)
    auth.login(world.ass2.username)  # an ASS of another establishment
    assert client.get(f"/cases/{case.id}/procedures/{procedure_id}/diagram").status_code in (403, 404)
    auth.logout()
    auth.login(world.ass.username)
    assert client.get(f"/cases/{other.id}/procedures/{procedure_id}/diagram").status_code == 404


def test_the_case_list_pages_by_fifty_keeping_the_search(client, world, auth):
    for i in range(51):
        make_case(world.ass, last_name=f"Durand{i:02d}")
    make_case(world.ass, last_name="Martin")
    db.session.commit()
    auth.login(world.ass.username)
    first = text(client.post("/cases", data={"q": "durand"}))
    assert first.count('href="/cases/') - first.count('href="/cases/new"') == 50
    assert 'name="page" value="2"' in first and "Martin" not in first.split("<tbody>")[1]
    second = text(client.post("/cases", data={"q": "durand", "page": "2"}))
    assert "DURAND00" in second and 'name="page" value="1"' in second and 'name="page" value="3"' not in second
    assert "(page 2)" in second

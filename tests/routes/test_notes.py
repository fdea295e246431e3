"""The confidential social file through the screens and the API, and what the direction sees."""
from __future__ import annotations

from service.extensions import db
from service.usecases.notes import add_note
from service.usecases.procedures import start_procedure
from service.usecases.tasks import complete_task
from tests.factories import make_case, token_for
from tests.helpers import ready_task
from tests.ip_samples import sample

SECRET = "La mère confie que son compagnon la menace quand il a bu (entretien du 4 mars)."
SYNTHESIS = "Synthèse : l'élève garde sa sœur le soir ; la mère refuse d'en dire plus."


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_ass_adds_a_note_on_the_screen_and_the_ctsd_reads_it(client, world, auth):
    case = make_case(world.ass)
    db.session.commit()
    auth.login(world.ass.username)
    assert "Dossier social confidentiel" in text(client.get(f"/cases/{case.id}"))
    refused = client.post(f"/cases/{case.id}/dossier-social", data={"kind": "autre", "body": "  "})
    assert refused.status_code == 422 and 'id="erreur-note-body">Ce champ est obligatoire.' in text(refused)
    added = client.post(f"/cases/{case.id}/dossier-social", data={"kind": "entretien_famille", "body": SECRET})
    assert added.status_code == 303
    page = text(client.get(f"/cases/{case.id}/dossier-social"))
    assert "Entretien avec la famille" in page and "son compagnon la menace" in page
    auth.logout()
    auth.login(world.ctsd.username)
    page = text(client.get(f"/cases/{case.id}/dossier-social"))
    assert "son compagnon la menace" in page and "Ajouter la note" not in page
    assert client.post(f"/cases/{case.id}/dossier-social", data={"kind": "autre", "body": "x"}).status_code == 403


def test_the_api_serves_the_notes_to_the_ass_and_the_ctsd_only(client, world):
    case = make_case(world.ass)
    db.session.commit()
    bearer = {role: {"Authorization": f"Bearer {token_for(getattr(world, role))}"}
              for role in ("ass", "ctsd", "direction", "auditeur", "ass2")}
    url = f"/api/v1/cases/{case.id}/notes"
    created = client.post(url, json={"kind": "entretien_eleve", "body": SECRET}, headers=bearer["ass"])
    assert created.status_code == 201 and created.get_json()["body"] == SECRET
    refused = client.post(url, json={"kind": "diagnostic", "body": ""}, headers=bearer["ass"])
    assert refused.status_code == 422 and set(refused.get_json()["fields"]) == {"kind", "body"}
    assert [n["body"] for n in client.get(url, headers=bearer["ctsd"]).get_json()["notes"]] == [SECRET]
    for role, status in (("direction", 403), ("auditeur", 403), ("ass2", 404)):
        response = client.get(url, headers=bearer[role])
        assert response.status_code == status and "compagnon" not in text(response)


def test_the_direction_sees_what_it_co_signs_and_nothing_of_the_confidential_file(client, world, auth):
    case = make_case(world.ass)
    procedure_id = start_procedure(world.actor("ass"), case.id, "information_preoccupante").procedure_id
    add_note(world.actor("ass"), case.id, "entretien_famille", SECRET)
    for spec_id, data in (("recueillir_faits", {}), ("qualifier_gravite", {}),
                          ("evaluer_situation", {"synthese": SYNTHESIS}), ("rediger_ip", {}),
                          ("informer_parents", {})):
        complete_task(world.actor("ass"), ready_task(world.actor("ass"), spec_id, procedure_id).id,
                      sample(spec_id, **data))
    db.session.commit()
    auth.login(world.direction.username)
    visa = ready_task(world.actor("direction"), "viser_ip", procedure_id)
    pages = [client.get(f"/cases/{case.id}"), client.get(f"/tasks/{visa.id}"), client.get("/"),
             client.get(f"/cases/{case.id}/procedures/{procedure_id}/diagram"),
             client.post("/cases", data={"q": ""})]
    for page in pages:
        assert page.status_code == 200
        body = text(page)
        assert "compagnon la menace" not in body and "garde sa sœur le soir" not in body
    signed = text(pages[1])
    assert "Rédiger l&#39;information préoccupante" in signed  # what it co-signs, under review
    assert "Dossier social confidentiel" not in text(pages[0])
    for url in (f"/cases/{case.id}/dossier-social", f"/cases/{case.id}/timeline"):
        assert client.get(url).status_code == 403

"""The JSON API contract of DESIGN.md, and bad input that must never give a 500."""
from __future__ import annotations

import hashlib

import pytest

from service.audit.proof import check_export
from service.usecases.procedures import start_procedure
from service.usecases.tasks import complete_task
from tests.factories import make_case, token_for
from tests.helpers import fingerprint, ready_task
from tests.ip_samples import sample
from workflows.protocol import DEFAULT_PROTOCOL


class Api:
    def __init__(self, client, token: str | None):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path):
        return self.client.get("/api/v1" + path, headers=self.headers)

    def put(self, path, payload):
        return self.client.put("/api/v1" + path, headers=self.headers, json=payload)

    def post(self, path, payload=None, raw: bytes | None = None):
        return self.client.post("/api/v1" + path, headers=self.headers,
                                data=raw if raw is not None else None,
                                json=payload if raw is None else None,
                                content_type="application/json")


@pytest.fixture
def api(client, world):
    tokens = {role: token_for(getattr(world, role))
              for role in ("ass", "direction", "ctsd", "auditeur", "admin", "ass2", "ctsd2")}
    return lambda role=None: Api(client, tokens[role] if role else None)


def open_ip(api, world):
    case = api("ass").post("/cases", {"pupil": {"last_name": "N'Diaye", "first_name": "Aïssatou",
                                                "birth_date": "2012-06-11"},
                                      "establishment": world.college.uai})
    assert case.status_code == 201, case.json
    started = api("ass").post(f"/cases/{case.json['id']}/procedures", {"procedure": "information_preoccupante"})
    assert started.status_code == 201 and started.json["status"] == "running"
    return case.json["id"], started.json["id"]


def the_task(api, role, spec_id):
    tasks = [t for t in api(role).get("/tasks").json["tasks"] if t["element"] == spec_id]
    assert len(tasks) == 1
    return tasks[0]


def test_the_contract_end_to_end(api, world):
    procedures = api("ass").get("/procedures").json["procedures"]
    assert {"id": "information_preoccupante"}.items() <= procedures[0].items()
    case_id, procedure_id = open_ip(api, world)
    steps = [("ass", "recueillir_faits", {}), ("ass", "qualifier_gravite", {}),
             ("ass", "evaluer_situation", {}), ("ass", "rediger_ip", {}),
             ("ass", "informer_parents", {}), ("direction", "viser_ip", {}),
             ("ctsd", "valider_ip", {"decision": "renvoyer", "commentaire": "Préciser les dates."}),
             ("ass", "rediger_ip", {}), ("ass", "informer_parents", {}), ("direction", "viser_ip", {}),
             ("ctsd", "valider_ip", {}), ("ctsd", "transmettre_crip", {}),
             ("ctsd", "enregistrer_accuse", {}), ("ass", "enregistrer_retour", {})]
    for role, spec_id, overrides in steps:
        listed = the_task(api, role, spec_id)
        assert listed["case_id"] == case_id and listed["procedure_id"] == procedure_id
        task = api(role).get(f"/tasks/{listed['id']}").json
        assert task["form"]["type"] == "object" and task["lane"]
        done = api(role).post(f"/tasks/{task['id']}/complete", {"data": sample(spec_id, **overrides)})
        assert done.status_code == 200, done.json
    assert done.json["procedure"]["status"] == "completed" and done.json["next_tasks"] == []
    case = api("ctsd").get(f"/cases/{case_id}").json
    assert case["procedures"][0]["status"] == "completed"
    timeline = api("auditeur").get(f"/cases/{case_id}/timeline").json["events"]
    assert [e["seq"] for e in timeline] == sorted(e["seq"] for e in timeline)
    assert "transmission_validated" in {e["event_type"] for e in timeline}
    verify = api("auditeur").get("/audit/verify").json
    assert verify["ok"] is True and verify["events"] > 30


def test_anonymous_and_bad_tokens_get_401(api, client):
    assert api().get("/tasks").status_code == 401
    assert Api(client, "vigie_faux").get("/tasks").status_code == 401
    response = client.get("/api/v1/tasks", headers={"Authorization": "Basic abc"})
    assert response.status_code == 401 and response.json["error"] == "unauthorized"
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_inboxes_hold_only_the_callers_tasks(api, world):
    open_ip(api, world)
    assert len(api("ass").get("/tasks").json["tasks"]) == 1
    for role in ("direction", "ctsd", "auditeur", "admin", "ass2", "ctsd2"):
        assert api(role).get("/tasks").json["tasks"] == []


@pytest.mark.parametrize("role, status", [("ass2", 404), ("ctsd2", 404), ("admin", 403),
                                          ("direction", 200), ("auditeur", 200)])
def test_case_reads_follow_the_scope(api, world, role, status):
    case_id, _ = open_ip(api, world)
    assert api(role).get(f"/cases/{case_id}").status_code == status


BAD_BODIES = [
    (b"{pas du json", 400, None),
    (b'{"data": {"x": NaN}}', 400, None),
    (b'{"data": "\\ud800"}', 400, None),
    (b"[" * 50_000 + b"]" * 50_000, 400, None),
    (b"[" * 300_000, 413, None),
    (b'{"donnees": {}}', 422, "donnees"),
    (b'{"data": ["pas", "un", "objet"]}', 422, "data"),
    (b'{"data": {"date_constat": 12, "source": "eleve", "faits": "x", "direction_alertee": true}}',
     422, "date_constat"),
    (b'{"data": {"date_constat": "2026-02-30", "source": "eleve", "faits": "x", "direction_alertee": true}}',
     422, "date_constat"),
    (b'{"data": {"date_constat": "2026-02-03", "source": "autre", "faits": "x", "direction_alertee": true}}',
     422, "source"),
    (b'{"data": {"date_constat": "2026-02-03", "source": "eleve", "faits": "   ", "direction_alertee": true}}',
     422, "faits"),
    (b'{"data": {"champ_inconnu": 1}}', 422, "champ_inconnu"),
    (b'{"data": {}, "version": "x"}', 422, "version"),
]


@pytest.mark.parametrize("raw, status, field", BAD_BODIES)
def test_bad_input_gets_a_french_4xx_and_changes_nothing(api, world, raw, status, field):
    open_ip(api, world)
    task = the_task(api, "ass", "recueillir_faits")
    before = fingerprint()
    response = api("ass").post(f"/tasks/{task['id']}/complete", raw=raw)
    assert response.status_code == status
    body = response.json
    assert set(body) >= {"error", "message", "fields"} and body["message"]
    if field:
        assert field in body["fields"], body
    assert fingerprint() == before
    after = api("ass").get(f"/tasks/{task['id']}").json
    assert after["state"] == "ready" and after["data"] == {}


def test_a_one_megabyte_string_is_refused(api, world):
    open_ip(api, world)
    task = the_task(api, "ass", "recueillir_faits")
    before = fingerprint()
    big = sample("recueillir_faits", faits="é" * 1_000_000)
    response = api("ass").post(f"/tasks/{task['id']}/complete", {"data": big})
    assert response.status_code == 413 and "volumineuse" in response.json["message"]
    just_too_long = sample("recueillir_faits", faits="x" * 10_001)
    response = api("ass").post(f"/tasks/{task['id']}/complete", {"data": just_too_long})
    assert response.status_code == 422 and "10000" in response.json["fields"]["faits"][0]
    assert fingerprint() == before


def test_unknown_or_foreign_tasks(api, world):
    open_ip(api, world)
    task = the_task(api, "ass", "recueillir_faits")
    payload = {"data": sample("recueillir_faits")}
    before = fingerprint()
    assert api("ass").post("/tasks/00000000-0000-0000-0000-000000000000/complete", payload).status_code == 404
    assert api("ass").post("/tasks/" + "x" * 500 + "/complete", payload).status_code == 404
    assert api("ass2").post(f"/tasks/{task['id']}/complete", payload).status_code == 404
    assert api("ass2").get(f"/tasks/{task['id']}").status_code == 404
    assert api("direction").post(f"/tasks/{task['id']}/complete", payload).status_code == 403
    assert api("auditeur").post(f"/tasks/{task['id']}/complete", payload).status_code == 403
    assert fingerprint() == before
    assert api("ass").post(f"/tasks/{task['id']}/complete", payload).status_code == 200
    again = api("ass").post(f"/tasks/{task['id']}/complete", payload)
    assert again.status_code == 409 and again.json["completed_by"] == world.ass.username


@pytest.mark.parametrize("payload, field", [
    ({"pupil": {"last_name": "Martin", "first_name": "Léa", "birth_date": "2013-03-14"},
      "establishment": "0691234X"}, "establishment"),
    ({"pupil": {"last_name": "Mar\u0000tin", "first_name": "Léa", "birth_date": "2013-03-14"},
      "establishment": None}, "pupil.last_name"),
    ({"pupil": {"last_name": "Martin", "first_name": "Léa", "birth_date": "2099-01-01"},
      "establishment": "X"}, "pupil.birth_date"),
    ({"pupil": {"last_name": "Martin", "first_name": "Léa"}, "establishment": "X"}, "pupil.birth_date"),
    ({"pupil": "Léa", "establishment": "X"}, "pupil"),
    ({"pupil": {"last_name": "Martin", "first_name": "Léa", "birth_date": "2013-03-14", "x": 1},
      "establishment": "X"}, "pupil.x"),
])
def test_bad_cases_are_refused(api, world, payload, field):
    before = fingerprint()
    response = api("ass").post("/cases", payload)
    assert response.status_code == 422
    assert field in response.json["fields"], response.json
    assert fingerprint() == before


def test_a_case_of_another_establishment_is_refused(api, world):
    before = fingerprint()
    response = api("ass").post("/cases", {"pupil": {"last_name": "Martin", "first_name": "Léa",
                                                    "birth_date": "2013-03-14"},
                                          "establishment": world.lycee.uai})
    assert response.status_code == 422 and "périmètre" in response.json["fields"]["establishment"][0]
    assert api("ctsd").post("/cases", {"pupil": {"last_name": "Martin", "first_name": "Léa",
                                                 "birth_date": "2013-03-14"},
                                       "establishment": world.college.uai}).status_code == 403
    assert fingerprint() == before


def test_unknown_procedure_and_method(api, world):
    case_id, _ = open_ip(api, world)
    response = api("ass").post(f"/cases/{case_id}/procedures", {"procedure": "inconnue"})
    assert response.status_code == 422 and "procedure" in response.json["fields"]
    assert api("ass").client.delete(f"/api/v1/cases/{case_id}", headers=api("ass").headers).status_code == 405


def test_session_calls_need_the_csrf_header(app, client, world, auth):
    app.config["WTF_CSRF_ENABLED"] = True
    login_page = client.get("/login").get_data(as_text=True)
    token = login_page.split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/login", data={"username": world.ass.username, "password": "mot de passe de test",
                                "csrf_token": token})
    token = client.get("/").get_data(as_text=True).split('name="csrf-token" content="')[1].split('"')[0]
    payload = {"pupil": {"last_name": "Martin", "first_name": "Léa", "birth_date": "2013-03-14"},
               "establishment": world.college.uai}
    assert client.get("/api/v1/tasks").status_code == 200
    refused = client.post("/api/v1/cases", json=payload)
    assert refused.status_code == 400 and refused.json["error"] == "csrf_failed"
    accepted = client.post("/api/v1/cases", json=payload, headers={"X-CSRFToken": token})
    assert accepted.status_code == 201


def test_openapi_describes_every_endpoint(app, client):
    spec = client.get("/api/v1/openapi.json").json
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = rule.rule.removeprefix("/api/v1").replace("<int:", "{").replace("<", "{").replace(">", "}")
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (path, method.lower()) in documented, (path, method)
    assert spec["components"]["schemas"]["CaseIn"]["required"] == ["establishment", "pupil"]


def test_the_departmental_protocol_through_the_api(api):
    got = api("direction").get("/departements/75/protocol")
    assert got.status_code == 200
    assert got.json["version"] == 0 and got.json["protocol"]["route_ip"] == "ctsd"
    assert got.json["schema"]["properties"]["route_ip"]["oneOf"][0]["const"] == "ctsd"
    before = fingerprint()
    bad = api("ctsd").put("/departements/75/protocol",
                          {"protocol": {**DEFAULT_PROTOCOL, "delai_revue_mpp": "quinze jours"},
                           "reason": "Révision annuelle"})
    assert bad.status_code == 422 and "delai_revue_mpp" in bad.json["fields"]
    assert fingerprint() == before
    assert api("direction").put("/departements/75/protocol", {
        "protocol": DEFAULT_PROTOCOL, "reason": "Révision annuelle"}).status_code == 403
    assert api("ctsd2").get("/departements/75/protocol").status_code == 404
    ok = api("ctsd").put("/departements/75/protocol", {
        "protocol": {**DEFAULT_PROTOCOL, "route_ip": "direct"}, "reason": "Convention 2026"})
    assert ok.status_code == 200 and ok.json["version"] == 1 and ok.json["created_by"]
    assert api("ass").get("/departements/75/protocol").json["protocol"]["route_ip"] == "direct"


def test_an_auditor_exports_a_case_through_the_api(app, api, world, tmp_path):
    app.config.update(VIGIE_AUDIT_KEY=str(tmp_path / "audit.pem"), VIGIE_CHECKPOINT_DIR=str(tmp_path / "cp"))
    case_id = api("ass").post("/cases", {"pupil": {"last_name": "Martin", "first_name": "Léa",
                                                   "birth_date": "2013-03-14"},
                                         "establishment": world.college.uai}).json["id"]
    assert api("ctsd").post(f"/cases/{case_id}/export", {"purpose": "Contrôle"}).status_code == 403
    assert api("auditeur").post(f"/cases/{case_id}/export", {"purpose": "x"}).status_code == 422
    exported = api("auditeur").post(f"/cases/{case_id}/export", {"purpose": "Inspection IGESR"})
    assert exported.status_code == 200 and check_export(exported.json)[0] == []
    pdf = api("auditeur").post(f"/cases/{case_id}/export", {"purpose": "Inspection IGESR", "format": "pdf"})
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_a_draft_through_the_api(api, world):
    case_id = api("ass").post("/cases", {"pupil": {"last_name": "Martin", "first_name": "Léa",
                                                   "birth_date": "2013-03-14"},
                                         "establishment": world.college.uai}).json["id"]
    api("ass").post(f"/cases/{case_id}/procedures", {"procedure": "information_preoccupante"})
    task_id = api("ass").get("/tasks").json["tasks"][0]["id"]
    saved = api("ass").put(f"/tasks/{task_id}/draft", {"data": {"faits": "Début du recueil."}})
    assert saved.status_code == 200 and saved.json["saved_at"]
    got = api("ass").get(f"/tasks/{task_id}").json
    assert got["data"] == {"faits": "Début du recueil."} and got["draft_saved_at"]
    assert api("direction").put(f"/tasks/{task_id}/draft", {"data": {}}).status_code == 403
    assert api("ass").put(f"/tasks/{task_id}/draft", {"data": []}).status_code == 422


def test_documents_are_listed_and_downloaded_through_the_api(api, world):
    case = make_case(world.ass)
    ip = start_procedure(world.actor("ass"), case.id, "information_preoccupante").procedure_id
    for role, spec_id in [("ass", "recueillir_faits"), ("ass", "qualifier_gravite"), ("ass", "evaluer_situation"),
                          ("ass", "rediger_ip"), ("ass", "informer_parents"), ("direction", "viser_ip"),
                          ("ctsd", "valider_ip")]:
        complete_task(world.actor(role), ready_task(world.actor(role), spec_id, ip).id, sample(spec_id))
    listed = api("direction").get(f"/cases/{case.id}/documents")
    assert listed.status_code == 200
    [item] = listed.json["documents"]
    assert item["kind"] == "fiche_ip" and len(item["sha256"]) == 64
    pdf = api("direction").get(item["url"].removeprefix("/api/v1"))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert hashlib.sha256(pdf.data).hexdigest() == item["sha256"] == pdf.headers["X-Content-SHA256"]
    assert api("ass2").get(f"/cases/{case.id}/documents").status_code == 404

"""URLs no client should send: the answer is a 4xx in French, never a 500."""
from __future__ import annotations

from service.extensions import db
from tests.factories import World, token_for


def test_an_id_beyond_a_database_integer_is_a_404_not_a_500(app, client):
    """Found by schemathesis: /cases/37676346932424263860224 could not be bound by SQLite (500)."""
    world = World()
    token = token_for(world.auditeur)
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    for path in ("/api/v1/cases/37676346932424263860224", "/api/v1/cases/2147483648/timeline",
                 "/api/v1/cases/1/documents/99999999999999999999"):
        response = client.get(path, headers=headers)
        assert response.status_code == 404 and response.json["error"] == "not_found", path
    assert client.get("/api/v1/cases/2147483647", headers=headers).status_code == 404  # the largest id: looked up
    spec = client.get("/api/v1/openapi.json").json
    [parameter] = spec["paths"]["/cases/{case_id}"]["get"]["parameters"]
    assert parameter["schema"]["maximum"] == 2**31 - 1

"""No child data in the logs, ever: a whole IP through a real HTTP server, every log record kept.

The records are what the application emits with its own logging configuration (SpiffWorkflow's
INFO records carry task data: `create_app` keeps them out), plus the server's access log, which
proves the capture works: a pupil's name must appear in neither.
"""
from __future__ import annotations

import json
import logging
import threading
import urllib.error
import urllib.request

from werkzeug.serving import make_server

from service.extensions import db
from service.usecases.tasks import inbox
from tests.factories import World, token_for
from tests.ip_samples import VALID, sample

STEPS = [("ass", "recueillir_faits"), ("ass", "qualifier_gravite"), ("ass", "evaluer_situation"),
         ("ass", "rediger_ip"), ("ass", "informer_parents"), ("direction", "viser_ip"), ("ctsd", "valider_ip")]


def call(base: str, token: str, method: str, path: str, payload=None) -> tuple[int, dict]:
    request = urllib.request.Request(base + path, method=method, data=json.dumps(payload).encode() if payload
                                     is not None else None, headers={"Authorization": f"Bearer {token}",
                                                                     "Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def test_a_whole_ip_leaves_no_pupil_name_nor_form_text_in_the_logs(app, caplog):
    caplog.set_level(logging.DEBUG)  # the root: loggers the app set higher keep their level
    world = World()
    db.session.commit()
    tokens = {role: token_for(getattr(world, role)) for role in ("ass", "direction", "ctsd")}
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/api/v1"
    try:
        status, case = call(base, tokens["ass"], "POST", "/cases", {
            "pupil": {"last_name": "Zébulonne", "first_name": "Anaïs", "birth_date": "2013-03-14"},
            "establishment": world.college.uai})
        assert status == 201
        call(base, tokens["ass"], "POST", f"/cases/{case['id']}/procedures", {"procedure": "information_preoccupante"})
        call(base, tokens["ass"], "POST", f"/cases/{case['id']}/notes",
             {"kind": "entretien_famille", "body": "Confidence de la mère : dettes de jeu."})
        for role, spec_id in STEPS:
            db.session.rollback()
            task = next(t for t in inbox(world.actor(role)) if t.spec_id == spec_id)
            status, body = call(base, tokens[role], "POST", f"/tasks/{task.id}/complete", {"data": sample(spec_id)})
            assert status == 200, body
            call(base, tokens[role], "GET", f"/tasks/{task.id}")
        call(base, tokens["ass"], "POST", "/tasks/pas-une-etape/complete", {"data": {"nom": "Zébulonne"}})
        call(base, tokens["ass"], "POST", "/cases", {"pupil": {"last_name": "Zébulonne"}})  # refused: 422
        call(base, tokens["ass"], "GET", f"/cases/{case['id']}/timeline")
    finally:
        server.shutdown()

    # every attribute of every record: a JSON formatter would write the `extra` ones too
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert f"/api/v1/cases/{case['id']}/timeline" in logged  # the access log was captured
    secrets = ["Zébulonne", "Anaïs", "dettes de jeu"] + [
        value for spec_id in ("recueillir_faits", "rediger_ip") for value in VALID[spec_id].values()
        if isinstance(value, str) and len(value) > 30]
    for secret in secrets:
        assert secret not in logged, f"child data in the logs: {secret[:40]}…"

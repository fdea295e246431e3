"""Vigie's speed figures, printed (never asserted): `make bench`.

Measures, on a throw-away database (SQLite by default, `DATABASE_URL` for PostgreSQL):
- one task completion over HTTP (token auth, validation, lock, engine, save, inbox, audit, commit);
- the same once a procedure went through the maximum of CTSD returns;
- the task screen and the case page (HTML) render, server side;
- the size of the vendored front-end assets, and what a page loads (raw and gzip);
- the bare engine round trip (restore → complete → dump);
- the audit-trail verification speed.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import logging  # noqa: E402

from sqlalchemy import select  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from service import create_app  # noqa: E402
from service.extensions import db  # noqa: E402
from tests.ip_samples import sample  # noqa: E402
from workflows.protocol import DEFAULT_PROTOCOL  # noqa: E402

IP_STEPS = [("ass", "recueillir_faits", {}), ("ass", "qualifier_gravite", {}),
            ("ass", "evaluer_situation", {}), ("ass", "rediger_ip", {}),
            ("ass", "informer_parents", {}), ("direction", "viser_ip", {}),
            ("ctsd", "valider_ip", {}), ("ctsd", "transmettre_crip", {}),
            ("ctsd", "enregistrer_accuse", {}), ("ass", "enregistrer_retour", {})]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def summary(name: str, values: list[float], unit: str = "ms") -> str:
    return (f"{name:<52} median {statistics.median(values):7.2f} {unit}   p95 {percentile(values, .95):7.2f} {unit}"
            f"   n={len(values)}")


class Client:
    def __init__(self, base: str, token: str):
        self.base, self.token = base, token
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def call(self, method: str, path: str, payload=None) -> tuple[int, dict, float]:
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(self.base + "/api/v1" + path, data=data, method=method, headers={
            "Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        start = time.perf_counter()
        with self.opener.open(request) as response:
            body = response.read()
            status = response.status
        return status, json.loads(body), (time.perf_counter() - start) * 1000


def setup(app) -> dict[str, str]:
    from tests.factories import World, token_for
    with app.app_context():
        world = World()
        db.session.commit()
        tokens = {role: token_for(getattr(world, role)) for role in ("ass", "direction", "ctsd")}
        tokens["uai"] = world.college.uai
        tokens["ass_id"] = world.ass.id
    return tokens


def task_of(client: Client, spec_id: str, procedure_id: int) -> str:
    _, body, _ = client.call("GET", "/tasks")
    return next(t["id"] for t in body["tasks"] if t["element"] == spec_id and t["procedure_id"] == procedure_id)


def run_ip(clients, uai: str, returns: int = 0) -> tuple[list[float], list[float]]:
    """One IP through the API; returns (completion times, completion times after the returns)."""
    pupil = {"last_name": "Martin", "first_name": "Léa", "birth_date": "2013-03-14"}
    _, case, _ = clients["ass"].call("POST", "/cases", {"pupil": pupil, "establishment": uai})
    _, proc, _ = clients["ass"].call("POST", f"/cases/{case['id']}/procedures",
                                     {"procedure": "information_preoccupante"})
    times, late = [], []
    steps = list(IP_STEPS)
    loop = [("ctsd", "valider_ip", {"decision": "renvoyer", "commentaire": "À reprendre."}),
            ("ass", "rediger_ip", {}), ("ass", "informer_parents", {}), ("direction", "viser_ip", {})]
    steps[6:6] = loop * returns
    for index, (role, spec_id, overrides) in enumerate(steps):
        task_id = task_of(clients[role], spec_id, proc["id"])
        status, body, ms = clients[role].call("POST", f"/tasks/{task_id}/complete",
                                              {"data": sample(spec_id, **overrides)})
        assert status == 200, body
        (late if returns and index >= 6 + 4 * returns else times).append(ms)
    return times, late


def bench_http(app, runs: int) -> None:
    tokens = setup(app)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    clients = {role: Client(base, tokens[role]) for role in ("ass", "direction", "ctsd")}
    run_ip(clients, tokens["uai"])  # warm-up: parse the diagram, fill caches
    times: list[float] = []
    for _ in range(runs):
        times += run_ip(clients, tokens["uai"])[0]
    print(summary("complete a task over HTTP (API, token)", times))
    _, late = run_ip(clients, tokens["uai"], returns=20)
    print(summary("  the same after 20 CTSD returns (the cap)", late))
    screen = []
    with app.test_client() as browser:
        with app.app_context():
            from service.models import HumanTask, User
            ass = db.session.get(User, tokens["ass_id"])
            task_ids = [t.id for t in db.session.query(HumanTask).filter_by(role="ass").limit(30)]
        with browser.session_transaction() as session:
            session["_user_id"] = str(ass.id)
            session["_fresh"] = True
        for task_id in task_ids:
            start = time.perf_counter()
            response = browser.get(f"/tasks/{task_id}")
            screen.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        with app.app_context():
            from service.models import Case
            case_ids = [c.id for c in db.session.query(Case).limit(30)]
        pages = []
        for case_id in case_ids:
            start = time.perf_counter()
            response = browser.get(f"/cases/{case_id}")
            pages.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
    print(summary("show a task screen (HTML, server side)", screen))
    print(summary("show a case page (HTML, server side)", pages))
    server.shutdown()


def asset_sizes() -> None:
    static = Path(__file__).resolve().parent.parent / "static"
    vendored = [p for p in (static / "vendor").rglob("*") if p.is_file() and p.name != "MANIFEST.sha256"]
    print(f"{'vendored assets (static/vendor/)':<52} {len(vendored)} files, "
          f"{sum(p.stat().st_size for p in vendored) / 1024:,.0f} KiB")
    every_page = ["vendor/dsfr/dsfr.min.css", "vendor/dsfr/dsfr.module.min.js", "vigie.css", "vigie.js"]
    case_page = every_page + ["vendor/bpmn-js/bpmn-navigated-viewer.production.min.js",
                              "vendor/bpmn-js/diagram-js.css", "vendor/bpmn-js/bpmn-js.css"]
    for name, files in (("every page loads (scripts, styles)", every_page),
                        ("  the case page with its diagram", case_page)):
        raw = [(static / f).read_bytes() for f in files]
        print(f"{name:<52} {sum(map(len, raw)) / 1024:,.0f} KiB, "
              f"{sum(len(gzip.compress(b)) for b in raw) / 1024:,.0f} KiB gzip (fonts and icons apart, cached)")


def bench_engine(app, rounds: int) -> None:
    from workflows import WorkflowEngine
    engine: WorkflowEngine = app.extensions["workflows"]
    bundle = engine.bundle("information_preoccupante")
    run, result = engine.start(bundle, DEFAULT_PROTOCOL)
    times = []
    for spec_id in ["recueillir_faits", "qualifier_gravite", "evaluer_situation", "rediger_ip", "informer_parents",
                    "viser_ip", "valider_ip", "transmettre_crip"]:
        saved = run.dump()
        for _ in range(rounds):
            start = time.perf_counter()
            trial = engine.restore(bundle, saved)
            view = next(t for t in trial.snapshot().ready if t.spec_id == spec_id)
            trial.complete(view.id, {k: v for k, v in sample(spec_id).items() if k in view.spec.engine_fields})
            trial.dump()
            times.append((time.perf_counter() - start) * 1000)
        run = trial
    print(summary("bare engine round trip (restore, complete, dump)", times))
    print(f"{'serialized state of a transmitted IP':<52} {len(run.dump().state_json):,} bytes")


def fill_trail(events: int) -> float:
    """Append `events` chained events straight to the table (bulk), as a long-lived instance
    would have them: four reads for one form of about 600 bytes. Returns the seconds taken."""
    from service.audit import GENESIS, canonical_json, hash_event
    from service.audit.chain import CURRENT_SCHEME
    from service.models import AuditEvent
    began = time.perf_counter()
    head = db.session.execute(select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc())
                              .limit(1)).first()
    seq, prev = (head.seq, head.hash) if head else (0, GENESIS)
    events += seq
    created = datetime(2026, 9, 1, 8, tzinfo=UTC)
    form = {"faits": "Le lundi 2 mars 2026 à 8 h 10, l'élève est arrivé avec une trace rouge " * 6,
            "direction_alertee": True, "personnes_associees": ["infirmier", "cpe"]}
    table = AuditEvent.__table__
    while seq < events:
        rows = []
        for _ in range(min(20_000, events - seq)):
            seq += 1
            completed = seq % 5 == 0
            event_type = "task_completed" if completed else "case_viewed"
            payload = canonical_json({"data": form, "element": "recueillir_faits"} if completed else {})
            task_id = f"7d9c1e2a-0000-4000-8000-{seq:012d}" if completed else None
            at = created + timedelta(seconds=seq)
            digest = hash_event(CURRENT_SCHEME, prev, seq=seq, created_at=at, actor_id=seq % 40,
                                actor_role="ass", case_id=seq % 5000, procedure_id=seq % 7000 or None,
                                task_id=task_id, event_type=event_type, payload=payload)
            rows.append({"seq": seq, "created_at": at, "actor_id": seq % 40, "actor_role": "ass",
                         "case_id": seq % 5000, "procedure_id": seq % 7000 or None, "task_id": task_id,
                         "event_type": event_type, "payload": payload, "prev_hash": prev,
                         "hash": digest, "hash_version": CURRENT_SCHEME})
            prev = digest
        db.session.execute(table.insert(), rows)
        db.session.commit()
    return time.perf_counter() - began


def bench_audit(app, events: int, folder: str) -> None:
    from service.usecases.audit import sign_checkpoint, verify_trail
    app.config.update(VIGIE_AUDIT_KEY=f"{folder}/audit.pem", VIGIE_CHECKPOINT_DIR=f"{folder}/checkpoints")
    with app.app_context():
        filled = fill_trail(events)
        print(f"{'fill the trail (bench set-up, not a target)':<52} {events:,} more events in {filled:.1f} s")
        began = time.perf_counter()
        result = verify_trail(None)
        elapsed = time.perf_counter() - began
        assert result.ok, result
        print(f"{'verify the audit trail (chain + Merkle root)':<52} {result.events:,} events in "
              f"{elapsed:.2f} s = {result.events / elapsed:,.0f} events/s (target: 1,000,000 in < 10 s)")
        began = time.perf_counter()
        signed = sign_checkpoint(None)
        print(f"{'sign a checkpoint (verifies first)':<52} {time.perf_counter() - began:.2f} s for "
              f"{signed.checkpoint.tree_size:,} events")
        began = time.perf_counter()
        again = verify_trail(None, (signed.checkpoint,))
        assert again.ok
        print(f"{'verify against that checkpoint':<52} {time.perf_counter() - began:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10, help="IP procedures driven over HTTP")
    parser.add_argument("--rounds", type=int, default=30, help="engine round trips per step")
    parser.add_argument("--events", type=int, default=1_000_000, help="audit events to verify")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/bench.db"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
        with app.app_context():
            from flask_migrate import upgrade
            upgrade()
        print(f"Vigie bench — {url.split(':')[0]}, {os.cpu_count()} CPU")
        asset_sizes()
        bench_http(app, args.runs)
        with app.app_context():
            bench_engine(app, args.rounds)
        bench_audit(app, args.events, folder)


if __name__ == "__main__":
    main()

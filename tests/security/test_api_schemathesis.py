"""Hostile input on the JSON API: schemathesis generates requests from /api/v1/openapi.json.

Every operation gets schema-valid (positive) and schema-breaking (negative) requests, from each
role with a bearer token, with real ids in its path half the time (a case with a running
procedure, a ready task, a produced document), so that generated bodies reach the use cases
instead of stopping at a 404. Each response must not be a 5xx, must have a documented status
and content type and match its schema; a schema-breaking request must be refused (4xx).

Bounded and deterministic: `MAX_EXAMPLES` per operation and mode, derandomized hypothesis.
"""
from __future__ import annotations

import contextvars
import time

import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from service.extensions import db
from service.models import Document
from service.usecases.procedures import start_procedure
from service.usecases.tasks import complete_task
from tests.factories import World, make_case, token_for
from tests.helpers import ready_task
from tests.ip_samples import sample

MAX_EXAMPLES = 25  # per operation and mode
ROLES = ("ass", "direction", "ctsd", "auditeur", "admin", "ass2")
#: who may do the operation: drawn half the time, so that generated bodies get past the role checks
OWNERS = {"POST /cases": ("ass",), "POST /cases/{case_id}/procedures": ("ass",),
          "POST /tasks/{task_id}/complete": ("ass", "ctsd"), "PUT /tasks/{task_id}/draft": ("ass", "ctsd"),
          "GET /cases/{case_id}/timeline": ("auditeur", "ctsd"), "POST /cases/{case_id}/export": ("auditeur",),
          "PUT /departements/{code}/protocol": ("ctsd", "admin"), "GET /audit/verify": ("auditeur", "admin")}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _scope(world: World) -> dict[str, object]:
    """Real ids for the path parameters: a case whose IP reached the CTSD's transmission (a fiche
    IP produced, tasks ready for the ctsd), a case with the first step ready."""
    case = make_case(world.ass)
    ip = start_procedure(world.actor("ass"), case.id, "information_preoccupante").procedure_id
    for role, spec_id in [("ass", "recueillir_faits"), ("ass", "qualifier_gravite"),
                          ("ass", "evaluer_situation"), ("ass", "rediger_ip"), ("ass", "informer_parents"),
                          ("direction", "viser_ip"), ("ctsd", "valider_ip")]:
        complete_task(world.actor(role), ready_task(world.actor(role), spec_id, ip).id, sample(spec_id))
    other = make_case(world.ass, last_name="Dupont")
    fresh = start_procedure(world.actor("ass"), other.id, "information_preoccupante").procedure_id
    first = ready_task(world.actor("ass"), "recueillir_faits", fresh)
    transmit = ready_task(world.actor("ctsd"), "transmettre_crip", ip)
    document = db.session.scalars(sa.select(Document).where(Document.case_id == case.id)).one()
    db.session.commit()
    return {"case_ids": [case.id, other.id], "task_ids": [first.id, transmit.id],
            "document_id": document.id, "code": "75"}


def _real(scope: dict, operation) -> st.SearchStrategy[dict]:
    """Path parameters taken from the database, for the ones this operation has."""
    names = {p.name for p in operation.path_parameters}
    out: dict[str, st.SearchStrategy] = {}
    if "case_id" in names:
        out["case_id"] = st.sampled_from(scope["case_ids"])
    if "task_id" in names:
        out["task_id"] = st.sampled_from(scope["task_ids"])
    if "document_id" in names:
        out["document_id"] = st.just(scope["document_id"])
    if "code" in names:
        out["code"] = st.sampled_from([scope["code"], "69"])
    return st.fixed_dictionaries(out)


def _probe(operation, mode: GenerationMode, scope: dict, tokens: dict, counts: dict, failures: list):
    """A hypothesis test sending `MAX_EXAMPLES` requests of `mode` to `operation`; failures are
    collected rather than raised, so that one run names them all."""
    strategy = operation.as_strategy(generation_mode=mode)
    checks = CHECKS + ([negative_data_rejection] if mode is GenerationMode.NEGATIVE else [])

    @settings(max_examples=MAX_EXAMPLES, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def probe(data):
        role = data.draw(st.sampled_from(OWNERS.get(operation.label, ROLES)) | st.sampled_from(ROLES), label="role")
        case = data.draw(strategy, label="case")
        meta = case.meta
        # a schema-breaking path or Authorization header is sent as generated: it must be refused
        if not meta.is_negative_at(ParameterLocation.PATH) and data.draw(st.booleans(), label="real ids"):
            case.path_parameters = {**(case.path_parameters or {}), **data.draw(_real(scope, operation))}
        headers = {} if meta.is_negative_at(ParameterLocation.HEADER) else {"Authorization": f"Bearer {tokens[role]}"}
        # each request in a fresh context, as in production: its own app context and session
        response = contextvars.Context().run(case.call, headers=headers)
        counts["requests"] += 1
        counts["by_operation"][operation.label] = counts["by_operation"].get(operation.label, 0) + 1
        counts["by_status"][response.status_code] = counts["by_status"].get(response.status_code, 0) + 1
        try:
            case.validate_response(response, checks=checks, headers=headers)
        except (FailureGroup, AssertionError) as e:
            failures.append(f"{operation.label} [{mode.value}, {role}]: {str(e)[:1500]}")

    return probe


def test_schemathesis_finds_no_server_error_and_no_broken_contract(app, tmp_path):
    app.config.update(VIGIE_AUDIT_KEY=str(tmp_path / "audit.pem"), VIGIE_CHECKPOINT_DIR=str(tmp_path / "cp"))
    world = World()
    scope = _scope(world)
    tokens = {role: token_for(getattr(world, role)) for role in ROLES}
    db.session.commit()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    failures: list[str] = []
    counts = {"operations": len(operations), "requests": 0, "by_status": {}, "by_operation": {}}
    started = time.perf_counter()

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _probe(operation, mode, scope, tokens, counts, failures)()
    elapsed = time.perf_counter() - started
    print(f"\nschemathesis: {counts['operations']} operations, {counts['requests']} requests "
          f"in {elapsed:.1f} s, statuses {dict(sorted(counts['by_status'].items()))}, {len(failures)} failures"
          f"\n{counts['by_operation']}")
    assert counts["requests"] >= counts["operations"] * MAX_EXAMPLES
    assert not failures, "\n\n".join(failures[:20])


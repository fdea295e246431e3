"""The transmission documents: produced from the data entered, kept with their SHA-256 in the trail."""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from service.documents import KINDS
from service.errors import Forbidden, NotFound
from service.extensions import db
from service.models import AuditEvent, Document
from service.usecases.cases import download_document
from service.usecases.procedures import start_procedure
from service.usecases.protocols import set_protocol
from service.usecases.tasks import complete_task, inbox
from tests import signalement_samples
from tests.factories import make_case
from tests.helpers import ready_task
from tests.ip_samples import sample
from workflows import read_bundles
from workflows.protocol import DEFAULT_PROTOCOL

ROOT = Path(__file__).resolve().parents[2]
TO_VALIDATION = [("ass", "recueillir_faits"), ("ass", "qualifier_gravite"), ("ass", "evaluer_situation"),
                 ("ass", "rediger_ip"), ("ass", "informer_parents"), ("direction", "viser_ip")]


def drive(world, procedure_id, steps, samples=sample):
    for role, spec_id, *overrides in steps:
        task = ready_task(world.actor(role), spec_id, procedure_id)
        complete_task(world.actor(role), task.id, samples(spec_id, **(overrides[0] if overrides else {})))


def documents() -> list[Document]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(Document).order_by(Document.id)))


def test_the_fiche_ip_is_produced_when_the_ctsd_validates_and_its_hash_is_in_the_trail(world):
    set_protocol(world.actor("ctsd"), "75", {**DEFAULT_PROTOCOL, "destinataire_crip": "CRIP de Paris"},
                 "Convention 2026")
    case = make_case(world.ass)
    ip = start_procedure(world.actor("ass"), case.id, "information_preoccupante").procedure_id
    drive(world, ip, TO_VALIDATION)
    assert documents() == []
    drive(world, ip, [("ctsd", "valider_ip", {"decision": "renvoyer", "commentaire": "Dater les faits."})])
    assert documents() == []  # a return produces nothing
    drive(world, ip, [("ass", "rediger_ip"), ("ass", "informer_parents"), ("direction", "viser_ip"),
                      ("ctsd", "valider_ip")])
    [document] = documents()
    assert document.kind == "fiche_ip" and document.case_id == case.id
    assert document.content.startswith(b"%PDF") and len(document.content) > 5000
    assert document.sha256 == hashlib.sha256(document.content).hexdigest()
    assert "Fiche de transmission d'une information préoccupante" in document.name
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event_type == "document_generated")).one()
    assert json.loads(event.payload)["sha256"] == document.sha256 and event.case_id == case.id


def test_on_the_direct_route_the_visa_produces_the_fiche(world):
    set_protocol(world.actor("ctsd"), "75", {**DEFAULT_PROTOCOL, "route_ip": "direct"}, "Convention 2026")
    case = make_case(world.ass)
    ip = start_procedure(world.actor("ass"), case.id, "information_preoccupante").procedure_id
    drive(world, ip, TO_VALIDATION)
    assert [d.kind for d in documents()] == ["fiche_ip"]


def test_the_written_signalement_produces_its_document(world):
    case = make_case(world.ass)
    procedure_id = start_procedure(world.actor("ass"), case.id, "signalement").procedure_id
    for _ in range(6):
        if documents():
            break
        ready = [(role, t) for role in ("ass", "direction", "ctsd") for t in inbox(world.actor(role))
                 if t.procedure_id == procedure_id]
        role, task = ready[0]
        complete_task(world.actor(role), task.id, signalement_samples.sample(task.spec_id))
    assert [d.kind for d in documents()] == ["signalement"]


def test_every_document_a_diagram_asks_for_exists():
    asked = {m for b in read_bundles(ROOT / "bpmn").values()
             for m in re.findall(r'name="producesDocument" value="([^"]*)"', b.bpmn)}
    assert asked == set(KINDS)


def test_a_document_is_downloaded_by_the_case_readers_only_and_each_download_is_recorded(world):
    case = make_case(world.ass)
    ip = start_procedure(world.actor("ass"), case.id, "information_preoccupante").procedure_id
    drive(world, ip, TO_VALIDATION + [("ctsd", "valider_ip")])
    [document] = documents()
    for role in ("ass", "direction", "ctsd", "auditeur"):
        assert download_document(world.actor(role), case.id, document.id).content == document.content
    for role, error in (("ass2", NotFound), ("ctsd2", NotFound), ("admin", Forbidden)):
        with pytest.raises(error):
            download_document(world.actor(role), case.id, document.id)
    with pytest.raises(NotFound):
        download_document(world.actor("ass"), make_case(world.ass).id, document.id)  # another case
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event_type == "document_downloaded")).all()
    assert len(events) == 4 and {json.loads(e.payload)["sha256"] for e in events} == {document.sha256}

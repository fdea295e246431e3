"""Signed checkpoints, and a case exported with the inclusion proof of each of its events."""
from __future__ import annotations

import copy
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from service.access import Actor
from service.audit.checkpoint import Checkpoint, load_public, public_path
from service.audit.proof import check_export
from service.errors import Forbidden, NotFound
from service.usecases.audit import export_case, sign_checkpoint, trusted_key, verify_trail
from service.usecases.cases import case_timeline, view_case
from service.usecases.procedures import start_procedure
from service.usecases.tasks import complete_task
from tests.factories import World, make_case, make_user
from tests.helpers import ready_task
from tests.ip_samples import sample


@pytest.fixture
def world(app, tmp_path):
    app.config.update(VIGIE_AUDIT_KEY=str(tmp_path / "keys" / "audit.pem"),
                      VIGIE_CHECKPOINT_DIR=str(tmp_path / "checkpoints"))
    return World()


def busy_case(world: World):
    """A case with an IP qualified and evaluated, read twice, and another case around it."""
    case = make_case(world.ass)
    other = make_case(world.ass, last_name="Autre")
    start_procedure(world.actor("ass"), case.id, "information_preoccupante")
    start_procedure(world.actor("ass"), other.id, "mediation")
    for spec_id in ("recueillir_faits", "qualifier_gravite"):
        complete_task(world.actor("ass"), ready_task(world.actor("ass"), spec_id).id, sample(spec_id))
    view_case(world.actor("ctsd"), case.id)
    view_case(world.actor("auditeur"), other.id)
    return case


def test_a_checkpoint_is_signed_with_a_key_kept_in_a_file_and_stays_consistent(world, tmp_path):
    busy_case(world)
    first = sign_checkpoint(world.actor("auditeur"))
    assert first.created_key and (tmp_path / "keys" / "audit.pem").stat().st_mode & 0o777 == 0o600
    assert first.path.parent == tmp_path / "checkpoints"
    on_disk = Checkpoint.read(first.path)
    assert on_disk == first.checkpoint and on_disk.signature_valid(trusted_key())
    busy_case(world)  # the trail grows: the old checkpoint must still hold
    second = sign_checkpoint(world.actor("auditeur"))
    assert not second.created_key and second.checkpoint.tree_size > on_disk.tree_size
    result = verify_trail(world.actor("auditeur"), (on_disk, second.checkpoint), trusted_key())
    assert result.ok and all(r.consistent for r in result.checkpoints)
    assert result.events == second.checkpoint.tree_size  # a checkpoint covers the record of its signing


def test_a_checkpoint_signed_by_another_key_is_refused(world):
    busy_case(world)
    genuine = sign_checkpoint(None).checkpoint
    stranger = Ed25519PrivateKey.generate().public_key()
    assert genuine.signature_valid(trusted_key()) and not genuine.signature_valid(stranger)
    forged = Checkpoint(genuine.tree_size, "0" * 64, genuine.timestamp, genuine.key_id,
                        genuine.public_key, genuine.signature)
    assert not forged.signature_valid(trusted_key())


def test_an_auditor_exports_a_case_and_the_export_proves_itself_without_the_database(world, tmp_path):
    case = busy_case(world)
    export = export_case(world.actor("auditeur"), case.id, "Inspection IGESR du 23 novembre 2026")
    key = load_public(public_path(tmp_path / "keys" / "audit.pem"))
    problems, checkpoint = check_export(json.loads(json.dumps(export)), key)
    assert problems == []
    assert {e["case_id"] for e in export["events"]} == {case.id}
    assert [e["event_type"] for e in export["events"]][:2] == ["case_opened", "procedure_started"]
    completed = [e for e in export["events"] if e["event_type"] == "task_completed"]
    assert completed[0]["payload"]["data"] == sample("recueillir_faits")  # the legal record, as declared
    assert checkpoint.tree_size >= max(e["seq"] for e in export["events"])
    after = verify_trail(None, (checkpoint,), key)
    assert after.ok and after.events == checkpoint.tree_size + 1  # + the export's own event


@pytest.mark.parametrize("tamper, message", [
    (lambda x: x["events"][2]["payload"].update(note="ajout"), "contenu modifié"),
    (lambda x: x["events"][1].update(actor_role="ctsd"), "contenu modifié"),
    (lambda x: x["events"][3]["inclusion_proof"].pop(), "preuve d'inclusion invalide"),
    (lambda x: x["events"][3].update(seq=x["events"][3]["seq"] + 1), "contenu modifié"),
    (lambda x: x["checkpoint"].update(root_hash="ab" * 32), "signature"),
    (lambda x: x["events"][2].update(hash_version=3), "schéma d'empreinte inconnu"),
    (lambda x: x["events"].append(dict(x["events"][0], case_id=x["events"][0]["case_id"] + 1)),
     "contenu modifié"),
])
def test_a_tampered_export_is_caught(world, tmp_path, tamper, message):
    export = export_case(world.actor("auditeur"), busy_case(world).id, "Contrôle interne")
    altered = copy.deepcopy(export)
    tamper(altered)
    problems, _ = check_export(altered, load_public(public_path(tmp_path / "keys" / "audit.pem")))
    assert any(message in p for p in problems), problems


def test_only_an_auditor_of_the_departement_exports_and_the_export_is_recorded(world):
    case = busy_case(world)
    with pytest.raises(Forbidden):
        export_case(world.actor("ctsd"), case.id, "Curiosité")
    with pytest.raises(NotFound):
        export_case(Actor.of(make_user("auditeur", departement="69")), case.id, "Hors périmètre")
    export_case(world.actor("auditeur"), case.id, "Réquisition judiciaire")
    _, timeline = case_timeline(world.actor("auditeur"), case.id)
    exported = [e for e in timeline if e.event.event_type == "case_exported"]
    assert len(exported) == 1 and exported[0].payload["purpose"] == "Réquisition judiciaire"

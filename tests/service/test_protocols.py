"""Departmental protocols as configuration, and procedures started from another one (triage)."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from service.errors import Conflict, Forbidden, NotFound, ValidationFailed
from service.extensions import db
from service.models import AuditEvent, DepartmentalProtocol, Procedure
from service.usecases.cases import case_timeline, view_case
from service.usecases.procedures import start_procedure
from service.usecases.protocols import set_protocol, view_protocol
from service.usecases.tasks import complete_task, inbox, view_task
from tests import absenteisme_samples, harcelement_samples
from tests.factories import World, make_case
from tests.helpers import fingerprint, ready_task
from tests.ip_samples import sample
from workflows.protocol import DEFAULT_PROTOCOL

IP = "information_preoccupante"
DRAFTING = [("ass", "recueillir_faits"), ("ass", "qualifier_gravite"), ("ass", "evaluer_situation"),
            ("ass", "rediger_ip"), ("ass", "informer_parents"), ("direction", "viser_ip")]
DIRECT = {**DEFAULT_PROTOCOL, "route_ip": "direct",
          "copies_ip": ["IA-DASEN", "CTSD", "IEN de circonscription"]}


def events(event_type: str) -> list[AuditEvent]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event_type == event_type)
                                   .order_by(AuditEvent.seq)))


def drive(world: World, procedure_id: int, steps) -> None:
    for role, spec_id in steps:
        task = ready_task(world.actor(role), spec_id, procedure_id)
        complete_task(world.actor(role), task.id, sample(spec_id))


def test_a_departement_without_its_own_protocol_uses_the_default_route_via_the_ctsd(world):
    view = view_protocol(world.actor("ctsd"), "75")
    assert (view.version, view.values) == (0, DEFAULT_PROTOCOL)
    assert [e.payload for e in events("protocol_viewed")] == [
        json.dumps({"departement": "75", "version": 0}, separators=(",", ":"))]


def test_a_change_is_versioned_audited_and_applies_to_procedures_started_afterwards(world):
    case = make_case(world.ass)
    before = start_procedure(world.actor("ass"), case.id, IP).procedure_id
    view = set_protocol(world.actor("ctsd"), "75", DIRECT, "Convention tripartite du 1er septembre 2026")
    assert view.version == 1
    changed = events("protocol_changed")
    assert len(changed) == 1 and changed[0].actor_id == world.ctsd.id
    assert json.loads(changed[0].payload) == {
        "departement": "75", "version": 1, "previous_version": 0, "values": DIRECT,
        "reason": "Convention tripartite du 1er septembre 2026"}
    after = start_procedure(world.actor("ass"), case.id, IP).procedure_id

    drive(world, before, DRAFTING)  # started under the default protocol: the CTSD validates
    assert [t.spec_id for t in inbox(world.actor("ctsd"))] == ["valider_ip"]
    drive(world, after, DRAFTING)  # started under the new one: the school transmits directly
    assert [t.spec_id for t in inbox(world.actor("direction"))] == ["transmettre_crip_direction"]
    assert [t.spec_id for t in inbox(world.actor("ctsd"))] == ["valider_ip"]
    db.session.rollback()
    versions = {p.id: p.protocol_version for p in db.session.scalars(sa.select(Procedure))}
    assert versions == {before: 0, after: 1}
    started = [json.loads(e.payload)["protocol_version"] for e in events("procedure_started")]
    assert started == [0, 1]


def test_another_departement_keeps_its_own_protocol(world):
    set_protocol(world.actor("ctsd"), "75", DIRECT, "Convention tripartite du 1er septembre 2026")
    assert view_protocol(world.actor("ctsd2"), "69").version == 0


@pytest.mark.parametrize("values, reason, field", [
    ({**DEFAULT_PROTOCOL, "delai_revue_mpp": "15 jours"}, "Révision annuelle", "delai_revue_mpp"),
    ({**DEFAULT_PROTOCOL, "route_ip": "mairie"}, "Révision annuelle", "route_ip"),
    ({k: v for k, v in DEFAULT_PROTOCOL.items() if k != "destinataire_crip"}, "Révision annuelle",
     "destinataire_crip"),
    ({**DEFAULT_PROTOCOL, "copie_au_maire": True}, "Révision annuelle", "copie_au_maire"),
    (DEFAULT_PROTOCOL, "", "motif"),
    ("route directe", "Révision annuelle", "protocole"),
])
def test_an_invalid_protocol_is_refused_field_by_field_and_changes_nothing(world, values, reason, field):
    db.session.commit()
    before = fingerprint()
    with pytest.raises(ValidationFailed) as refused:
        set_protocol(world.actor("ctsd"), "75", values, reason)
    assert field in refused.value.fields
    assert all(m and m[0].isupper() for m in refused.value.fields[field])  # French sentences
    assert fingerprint() == before


@pytest.mark.parametrize("role, code, error", [
    ("direction", "75", Forbidden), ("ass", "75", Forbidden), ("auditeur", "75", Forbidden),
    ("ctsd2", "75", NotFound), ("ctsd", "99", NotFound),
])
def test_only_the_ctsd_of_the_departement_or_an_administrator_changes_it(world, role, code, error):
    db.session.commit()
    before = fingerprint()
    with pytest.raises(error):
        set_protocol(world.actor(role), code, DIRECT, "Convention tripartite du 1er septembre 2026")
    assert fingerprint() == before
    assert set_protocol(world.actor("admin"), "75", DIRECT, "Décision de l'IA-DASEN").version == 1


def test_reading_is_limited_to_the_departements_of_ones_scope(world):
    assert view_protocol(world.actor("ass"), "75").departement == "75"
    with pytest.raises(NotFound):
        view_protocol(world.actor("ass"), "69")


# ---------------------------------------------------------------- triage between procedures

def test_a_gravity_triage_to_a_signalement_starts_it_on_the_same_case(world):
    case = make_case(world.ass)
    ip = start_procedure(world.actor("ass"), case.id, IP).procedure_id
    drive(world, ip, [("ass", "recueillir_faits")])
    task = ready_task(world.actor("ass"), "qualifier_gravite", ip)
    done = complete_task(world.actor("ass"), task.id, sample("qualifier_gravite", qualification="signalement"))
    assert done.status == "completed"

    details = view_case(world.actor("ass"), case.id)
    linked = [p for p in details.procedures if p.parent_id == ip]
    assert [p.process_id for p in linked] == ["signalement"]
    assert linked[0].status == "running" and details.ready[linked[0].id]  # its first step is offered
    started = [json.loads(e.payload) for e in events("procedure_started")]
    assert started[-1] | {"version": None} == {
        "process_id": "signalement", "name": linked[0].process_version.name, "version": None,
        "protocol_version": 0, "parent_procedure_id": ip, "requested_by": "fin_signalement"}
    assert events("procedure_started")[-1].actor_id == world.ass.id  # who made the choice
    _, timeline = case_timeline(world.actor("ass"), case.id)
    assert {e.event.procedure_id for e in timeline} >= {ip, linked[0].id}  # one case, one timeline


def test_the_transmission_step_shows_the_recipients_of_the_protocol_it_started_with(world):
    custom = {**DEFAULT_PROTOCOL, "destinataire_crip": "CRIP 75, crip@paris.example (messagerie sécurisée)",
              "copies_ip": ["IA-DASEN", "CTSD", "IEN"]}
    set_protocol(world.actor("ctsd"), "75", custom, "Convention tripartite du 1er septembre 2026")
    case = make_case(world.ass)
    ip = start_procedure(world.actor("ass"), case.id, IP).procedure_id
    drive(world, ip, DRAFTING + [("ctsd", "valider_ip")])
    set_protocol(world.actor("ctsd"), "75", DEFAULT_PROTOCOL, "Retour au protocole national par défaut")
    task = ready_task(world.actor("ctsd"), "transmettre_crip", ip)
    assert view_task(world.actor("ctsd"), task.id).protocol == {
        "destinataire_crip": custom["destinataire_crip"], "copies_ip": ["IA-DASEN", "CTSD", "IEN"]}


def test_two_procedures_naming_a_step_alike_keep_their_own_labels_on_the_case_timeline(world):
    """Harcèlement and absentéisme both have « ouvrir_dossier », with different forms."""
    case = make_case(world.ass)
    done = {}
    for process_id, samples in (("harcelement", harcelement_samples), ("absenteisme", absenteisme_samples)):
        procedure_id = start_procedure(world.actor("ass"), case.id, process_id).procedure_id
        for _ in range(3):  # up to the opening of the dossier, whoever's step it is
            ready = [(role, t) for role in ("ass", "direction") for t in inbox(world.actor(role))
                     if t.procedure_id == procedure_id]
            role, task = ready[0]
            complete_task(world.actor(role), task.id, samples.sample(task.spec_id))
            if task.spec_id == "ouvrir_dossier":
                done[procedure_id] = process_id
                break
    assert sorted(done.values()) == ["absenteisme", "harcelement"]
    _, timeline = case_timeline(world.actor("ass"), case.id)
    labels = {e.event.procedure_id: {label for label, _ in e.rows} for e in timeline
              if e.event.event_type == "task_completed" and e.payload.get("element") == "ouvrir_dossier"}
    by_process = {done[p]: rows for p, rows in labels.items()}
    assert "Responsable du traitement" in by_process["harcelement"]
    assert "Classe" in by_process["absenteisme"] and "Classe" not in by_process["harcelement"]


def test_two_publications_at_once_one_wins_the_other_gets_a_conflict(world, monkeypatch):
    set_protocol(world.actor("ctsd"), "75", DIRECT, "Convention tripartite du 1er septembre 2026")
    db.session.commit()
    before = fingerprint()
    # the second publisher read the département before the first one committed
    monkeypatch.setattr(DepartmentalProtocol, "in_force", classmethod(lambda cls, code: None))
    with pytest.raises(Conflict):
        set_protocol(world.actor("admin"), "75", DEFAULT_PROTOCOL, "Décision de l'IA-DASEN")
    assert fingerprint() == before
    monkeypatch.undo()
    assert view_protocol(world.actor("ctsd"), "75").values == DIRECT

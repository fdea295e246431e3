"""The IP through the use cases: roles, lanes, scope, returns, timers, conflicts, the trail."""
from __future__ import annotations

import json
import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
import time_machine

from service.audit import verify_chain
from service.errors import Conflict, Forbidden, NotFound, ValidationFailed
from service.extensions import db
from service.models import AuditEvent, HumanTask, Procedure, TaskSubmission
from service.usecases.cases import case_timeline, view_case
from service.usecases.procedures import start_procedure
from service.usecases.tasks import complete_task, inbox, view_task
from service.usecases.timers import fire_due_timers
from tests.factories import World, make_case
from tests.helpers import fingerprint, ready_task
from tests.ip_samples import sample

IP = "information_preoccupante"
UP_TO_VALIDATION = [("ass", "recueillir_faits"), ("ass", "qualifier_gravite"),
                    ("ass", "evaluer_situation"), ("ass", "rediger_ip"),
                    ("ass", "informer_parents"), ("direction", "viser_ip")]


class Walk:
    """Drives one IP on one case through the use cases, as each role would."""

    def __init__(self, world: World):
        self.world = world
        self.case = make_case(world.ass)
        self.procedure_id = start_procedure(world.actor("ass"), self.case.id, IP).procedure_id

    def task(self, role: str, spec_id: str) -> HumanTask:
        return ready_task(self.world.actor(role), spec_id, self.procedure_id)

    def do(self, role: str, spec_id: str, **overrides):
        task = self.task(role, spec_id)
        return complete_task(self.world.actor(role), task.id, sample(spec_id, **overrides))

    def run(self, steps):
        for role, spec_id in steps:
            result = self.do(role, spec_id)
        return result

    @property
    def procedure(self) -> Procedure:
        db.session.rollback()
        return db.session.get(Procedure, self.procedure_id)


def test_the_whole_ip_with_a_return_then_validation(world):
    walk = Walk(world)
    walk.run(UP_TO_VALIDATION)
    returned = walk.do("ctsd", "valider_ip", decision="renvoyer",
                       commentaire="Citer les propos de l'élève entre guillemets.")
    assert returned.status == "running"
    redraft = walk.task("ass", "rediger_ip")
    assert redraft.iteration == 1
    details = view_task(world.actor("ass"), redraft.id)
    assert details.data == sample("rediger_ip")  # the previous draft, to revise
    assert [b.spec_id for b in details.review] == ["valider_ip"]
    assert details.review[0].data["commentaire"].startswith("Citer")
    walk.run([("ass", "rediger_ip"), ("ass", "informer_parents"), ("direction", "viser_ip"),
              ("ctsd", "valider_ip"), ("ctsd", "transmettre_crip")])
    assert walk.procedure.status == "waiting"  # only the CRIP's answers are awaited
    assert walk.procedure.next_timer_at is not None
    walk.do("ctsd", "enregistrer_accuse")
    done = walk.do("ass", "enregistrer_retour")
    assert done.status == "completed" and done.next_tasks == ()
    procedure = walk.procedure
    assert procedure.end_event == "fin_transmise" and procedure.completed_at is not None
    assert procedure.next_timer_at is None

    types = db.session.scalars(sa.select(AuditEvent.event_type).where(
        AuditEvent.procedure_id == walk.procedure_id).order_by(AuditEvent.seq)).all()
    assert types.count("task_completed") == 14
    assert types.count("transmission_returned") == 1
    assert types.count("transmission_validated") == 1
    assert types.count("transmission_sent") == 1
    assert types[-1] == "procedure_completed"
    completed = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.procedure_id == walk.procedure_id, AuditEvent.event_type == "task_completed")).all()
    assert json.loads(completed[0].payload)["data"] == sample("recueillir_faits")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TaskSubmission)) == 14
    assert verify_chain().ok


def test_orientation_to_signalement_ends_the_ip(world):
    walk = Walk(world)
    walk.do("ass", "recueillir_faits")
    done = walk.do("ass", "qualifier_gravite", qualification="signalement")
    assert done.status == "completed"
    assert walk.procedure.end_event == "fin_signalement"
    assert walk.procedure.outcome


def test_each_task_is_for_its_lane_only(world):
    walk = Walk(world)
    walk.run(UP_TO_VALIDATION[:-1])
    visa = walk.task("direction", "viser_ip")
    for role in ("ass", "ctsd"):
        assert visa.id not in {t.id for t in inbox(world.actor(role))}
    before = fingerprint()
    with pytest.raises(Forbidden):
        complete_task(world.actor("ass"), visa.id, sample("viser_ip"))
    with pytest.raises(Forbidden):
        complete_task(world.actor("auditeur"), visa.id, sample("viser_ip"))
    assert fingerprint() == before


@pytest.mark.parametrize("outsider", ["ass2", "ctsd2"])
def test_a_case_outside_the_scope_does_not_exist(world, outsider):
    walk = Walk(world)
    task = walk.task("ass", "recueillir_faits")
    actor = world.actor(outsider)
    before = fingerprint()
    for call in (lambda: view_case(actor, walk.case.id), lambda: view_task(actor, task.id),
                 lambda: complete_task(actor, task.id, sample("recueillir_faits"))):
        with pytest.raises(NotFound):
            call()
    assert fingerprint() == before
    assert task.id not in {t.id for t in inbox(actor)}  # after: reading the inbox is audited


def test_admin_sees_no_case_content(world):
    walk = Walk(world)
    with pytest.raises(Forbidden):
        view_case(world.actor("admin"), walk.case.id)
    with pytest.raises(Forbidden):
        case_timeline(world.actor("admin"), walk.case.id)
    assert inbox(world.actor("admin")) == [] and inbox(world.actor("auditeur")) == []


def test_the_auditor_reads_the_timeline_and_changes_nothing(world):
    walk = Walk(world)
    walk.do("ass", "recueillir_faits")
    case, entries = case_timeline(world.actor("auditeur"), walk.case.id)
    assert [e.event.event_type for e in entries][:3] == ["case_opened", "procedure_started", "task_created"]
    task = walk.task("ass", "qualifier_gravite")
    with pytest.raises(Forbidden):
        complete_task(world.actor("auditeur"), task.id, sample("qualifier_gravite"))


def test_a_second_completion_gets_a_conflict_and_changes_nothing(world):
    walk = Walk(world)
    task = walk.task("ass", "recueillir_faits")
    complete_task(world.actor("ass"), task.id, sample("recueillir_faits"))
    before = fingerprint()
    with pytest.raises(Conflict) as caught:
        complete_task(world.actor("ass"), task.id, sample("recueillir_faits"))
    assert world.ass.username in caught.value.message
    assert caught.value.details["completed_by"] == world.ass.username
    assert fingerprint() == before


def test_a_stale_version_gets_a_conflict(world):
    walk = Walk(world)
    task = walk.task("ass", "recueillir_faits")
    with pytest.raises(Conflict):
        complete_task(world.actor("ass"), task.id, sample("recueillir_faits"),
                      expected_version=walk.procedure.version - 1)


def test_concurrent_completions_give_one_success_and_one_conflict(app, world):
    walk = Walk(world)
    task_id = walk.task("ass", "recueillir_faits").id
    actor = world.actor("ass")
    db.session.commit()
    barrier, outcomes = threading.Barrier(2), []

    def attempt():
        with app.app_context():
            barrier.wait()
            try:
                complete_task(actor, task_id, sample("recueillir_faits"))
                outcomes.append("ok")
            except Conflict:
                outcomes.append("conflict")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TaskSubmission)) == 1
    assert verify_chain().ok


def test_invalid_data_is_refused_field_by_field_and_changes_nothing(world):
    walk = Walk(world)
    walk.run(UP_TO_VALIDATION[:4])
    task = walk.task("ass", "informer_parents")
    before = fingerprint()
    with pytest.raises(ValidationFailed) as caught:
        complete_task(world.actor("ass"), task.id, {"parents_informes": False, "inconnu": 1})
    assert caught.value.fields == {
        "motif_non_information": ["Ce champ est obligatoire."],
        "inconnu": ["Champ inconnu : il ne fait pas partie de ce formulaire."]}
    with pytest.raises(ValidationFailed) as caught:
        complete_task(world.actor("ass"), task.id, {"parents_informes": "oui"})
    assert caught.value.fields["parents_informes"] == ["Valeur attendue : oui ou non."]
    with pytest.raises(ValidationFailed):
        complete_task(world.actor("ass"), task.id, ["pas", "un", "objet"])
    assert fingerprint() == before


def test_the_return_loop_is_capped_and_never_reports_completed(world):
    """400 returns asked: the limit refuses them with a clear message; the IP still ends properly."""
    walk = Walk(world)
    walk.run(UP_TO_VALIDATION)
    accepted = refused = 0
    for _ in range(400):
        task = walk.task("ctsd", "valider_ip")
        try:
            result = complete_task(world.actor("ctsd"), task.id,
                                   sample("valider_ip", decision="renvoyer", commentaire="À reprendre."))
        except ValidationFailed as e:
            refused += 1
            assert "limite de 20 renvois" in e.fields["decision"][0]
            continue
        accepted += 1
        assert result.status == "running"
        walk.run([("ass", "rediger_ip"), ("ass", "informer_parents"), ("direction", "viser_ip")])
    assert (accepted, refused) == (20, 380)
    schema = view_task(world.actor("ctsd"), walk.task("ctsd", "valider_ip").id).schema
    assert [o["const"] for o in schema["properties"]["decision"]["oneOf"]] == ["valider"]
    walk.run([("ctsd", "valider_ip"), ("ctsd", "transmettre_crip"), ("ctsd", "enregistrer_accuse")])
    assert walk.do("ass", "enregistrer_retour").status == "completed"
    assert walk.procedure.end_event == "fin_transmise"


def test_three_months_without_crip_feedback_opens_the_chase_task(world):
    t0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(t0, tick=False):
        walk = Walk(world)
        walk.run(UP_TO_VALIDATION + [("ctsd", "valider_ip"), ("ctsd", "transmettre_crip")])
        waiting = walk.task("ass", "enregistrer_retour")
    assert walk.procedure.next_timer_at == datetime(2026, 6, 2, 9, 0, tzinfo=UTC)

    with time_machine.travel(datetime(2026, 6, 2, 8, 59, tzinfo=UTC), tick=False):
        assert fire_due_timers() == []
    with time_machine.travel(datetime(2026, 6, 2, 9, 1, tzinfo=UTC), tick=False):
        assert fire_due_timers() == [walk.procedure_id]
        assert fire_due_timers() == []  # fired once
    db.session.rollback()
    assert db.session.get(HumanTask, waiting.id).state == "cancelled"
    chase = walk.task("ctsd", "relancer_crip")
    events = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.procedure_id == walk.procedure_id).order_by(AuditEvent.seq.desc()).limit(3)).all()
    assert {e.event_type for e in events} == {"timer_fired", "task_cancelled", "task_created"}
    assert {e.actor_role for e in events} == {"systeme"}
    with pytest.raises(Conflict, match="annulée"):
        complete_task(world.actor("ass"), waiting.id, sample("enregistrer_retour"))

    with time_machine.travel(datetime(2026, 6, 3, 10, 0, tzinfo=UTC), tick=False):
        complete_task(world.actor("ctsd"), chase.id, sample("relancer_crip", delai_retour_crip="P1M"))
    assert walk.procedure.next_timer_at == datetime(2026, 7, 3, 10, 0, tzinfo=UTC)
    with time_machine.travel(datetime(2026, 6, 20, tzinfo=UTC), tick=False):
        walk.do("ctsd", "enregistrer_accuse")
        assert walk.do("ass", "enregistrer_retour").status == "completed"
    assert verify_chain().ok


def test_each_read_is_in_the_trail(world):
    walk = Walk(world)
    task = walk.task("ass", "recueillir_faits")
    view_case(world.actor("ctsd"), walk.case.id)
    view_task(world.actor("ass"), task.id)
    reads = db.session.execute(sa.select(AuditEvent.event_type, AuditEvent.actor_id).where(
        AuditEvent.event_type.in_(("case_viewed", "task_viewed"))).order_by(AuditEvent.seq)).all()
    assert reads == [("case_viewed", world.ctsd.id), ("task_viewed", world.ass.id)]


def test_an_instance_keeps_its_version_when_the_diagram_changes(app, world, tmp_path):
    import shutil
    from pathlib import Path
    walk = Walk(world)
    walk.do("ass", "recueillir_faits")
    old_version = walk.procedure.process_version_id
    changed = tmp_path / "bpmn"
    shutil.copytree(Path(app.config["VIGIE_BPMN_DIR"]), changed)
    form = changed / IP / "forms" / "qualifier_gravite.json"
    form.write_text(form.read_text().replace("Qualifier la gravité", "Qualifier la situation"))
    app.extensions["workflows"].bpmn_dir = changed
    other = Walk(world)  # a new procedure starts on the new version
    assert other.procedure.process_version_id != old_version
    walk.do("ass", "qualifier_gravite")  # the old one goes on with its own
    assert walk.procedure.process_version_id == old_version

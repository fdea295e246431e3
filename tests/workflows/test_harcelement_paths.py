"""Every path of the harassment (pHARe) diagram, and the legal rules it carries.

The path explorer (`tests/workflows/explorer.py`) walks every path through the engine façade,
restoring the instance from its saved state at each step, validating each full payload against
the task's form and completing the task with its engine fields only. Loops are walked once
(`max_visits=1`); the loops themselves are walked by the directed tests further down.
"""
from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from lxml import etree

from tests.harcelement_samples import VALID, sample
from tests.workflows.explorer import end_events, explore, flow_nodes
from tests.workflows.walk import Walker, form_validator, ready_check, status_rule
from workflows import COMPLETED, PROCEDURE_REQUESTED, RUNNING, WorkflowEngine, read_bundle
from workflows.checks import NS
from workflows.protocol import DEFAULT_PROTOCOL

BUNDLE = read_bundle(Path(__file__).resolve().parents[2] / "bpmn" / "harcelement")

LANES = {"ass": "Assistant\u00b7e de service social", "direction": "Direction d'\u00e9tablissement"}
LANE_OF = {
    "enregistrer_alerte": "direction", "ouvrir_dossier": "direction", "entendre_eleve_cible": "ass",
    "informer_famille_cible": "ass", "qualifier_situation": "direction",
    "declarer_faits_etablissement": "direction", "conduire_entretiens_mpp": "ass",
    "faire_revue_mpp": "direction", "relancer_revue_mpp": "direction", "entendre_temoins": "direction",
    "entendre_auteurs": "direction", "recevoir_familles": "ass", "decider_mesures": "direction",
    "reunir_equipe_educative": "direction", "suspendre_acces": "direction",
    "constater_persistance": "direction", "saisir_dasen": "direction",
    "statuer_procedure_disciplinaire": "direction", "conduire_entretien_suivi": "ass",
    "relancer_suivi": "direction", "clore_ou_rouvrir": "direction",
}
USER_TASKS = set(LANE_OF)
FIRST_DEGREE_TASKS = {"reunir_equipe_educative", "suspendre_acces", "constater_persistance", "saisir_dasen"}
PROTOCOL_B = ["entendre_temoins", "entendre_auteurs", "recevoir_familles", "decider_mesures"]

OFFENCE = "Photos diffusées sans accord et menaces écrites répétées sur le groupe de classe."
DANGER = "L'élève dit être frappée par son beau-père quand elle rentre tard."
CHOICES = {
    "ouvrir_dossier": {"second": {}, "premier": {"degre": "premier_degre", "ien_informe": True}},
    "qualifier_situation": {
        "conflit": {"qualification": "conflit"},
        "intimidation": {"qualification": "intimidation"},
        "harcelement": {},
        "cyber_infraction_danger": {"qualification": "cyberharcelement", "infraction_penale": True,
                                    "elements_infraction": OFFENCE, "danger_famille": True,
                                    "elements_danger": DANGER},
    },
    "faire_revue_mpp": {"efficace": {}, "poursuivre": {"efficacite": "poursuivre"},
                        "inefficace": {"efficacite": "inefficace"}},
    "reunir_equipe_educative": {"sans_suspension": {},
                                "suspension": {"suspension_conservatoire": "oui",
                                               "motif_suspension": "Bousculades répétées dans la cour."}},
    "constater_persistance": {"a_cesse": {}, "persiste": {"persistance": "persiste"}},
    "clore_ou_rouvrir": {"clore": {}, "rouvrir": {"decision": "rouvrir"}},
}
PATHS = 50  # with max_visits=1 and max_timers=2: changes when the diagram changes
MINUTE = timedelta(minutes=1)


def payload(spec_id, overrides):
    return sample(spec_id, **overrides)


#: every ready task: in its lane, never waiting for the outside, due `dueIn` after it became ready
check = ready_check({spec_id: LANES[lane] for spec_id, lane in LANE_OF.items()})


@pytest.fixture(scope="module")
def exploration(tmp_path_factory):
    engine = WorkflowEngine(tmp_path_factory.mktemp("bpmn"))
    return explore(engine, BUNDLE, payload, CHOICES, start_data=DEFAULT_PROTOCOL,
                   max_visits=1, max_timers=2, check=check)


def qualified(path, choice: str) -> bool:
    return path.did("qualifier_situation", choice)


# ---------------------------------------------------------------- every path

def test_every_path_ends_and_passes_every_element(exploration):
    assert set(exploration.ends) == end_events(BUNDLE) == {"fin_conflit", "fin_clos"}
    assert exploration.elements == flow_nodes(BUNDLE)
    assert len(exploration.paths) == PATHS
    outcomes = {p.end_event: p.outcome for p in exploration.paths}
    assert outcomes == {"fin_conflit": "Situation de conflit traitée hors protocole",
                        "fin_clos": "Situation de harcèlement traitée, dossier clos"}


def test_a_conflict_between_peers_ends_outside_the_protocol(exploration):
    conflicts = [p for p in exploration.paths if qualified(p, "conflit")]
    assert conflicts and all(p.end_event == "fin_conflit" for p in conflicts)
    assert all(qualified(p, "conflit") for p in exploration.paths if p.end_event == "fin_conflit")
    assert not any(p.did("declarer_faits_etablissement") for p in conflicts)


def test_every_treated_situation_is_reported_before_any_protocol(exploration):
    """« Faits établissement » and the departmental referent: on every path of the protocol."""
    treated = [p for p in exploration.paths if p.end_event == "fin_clos"]
    assert treated
    for path in treated:
        reported = path.index("declarer_faits_etablissement")
        assert reported > path.index("qualifier_situation")
        for later in ("conduire_entretiens_mpp", "entendre_temoins"):
            if path.did(later):
                assert path.index(later) > reported


def test_the_target_is_heard_and_the_family_informed_before_qualification(exploration):
    for path in exploration.paths:
        assert (path.index("enregistrer_alerte") < path.index("ouvrir_dossier")
                < path.index("entendre_eleve_cible") < path.index("informer_famille_cible")
                < path.index("qualifier_situation"))


def test_severe_qualification_goes_straight_to_protocol_b(exploration):
    severe = [p for p in exploration.paths
              if qualified(p, "harcelement") or qualified(p, "cyber_infraction_danger")]
    assert severe
    for path in severe:
        assert not path.did("conduire_entretiens_mpp")
        assert [path.index(t) for t in PROTOCOL_B] == sorted(path.index(t) for t in PROTOCOL_B)


def test_intimidation_follows_shared_concern_then_its_review(exploration):
    mild = [p for p in exploration.paths if qualified(p, "intimidation")]
    assert mild
    for path in mild:
        assert path.index("conduire_entretiens_mpp") < path.index("faire_revue_mpp")
        if path.did("faire_revue_mpp", "efficace"):
            assert not path.did("entendre_temoins") and not path.did("decider_mesures")
            assert path.did("conduire_entretien_suivi")
        if path.did("faire_revue_mpp", "inefficace"):
            assert path.index("faire_revue_mpp") < path.index("entendre_temoins")


def test_suspension_only_after_the_educational_team_in_first_degree(exploration):
    """R411-11-1: the équipe éducative first; the conservatory suspension only after it."""
    suspended = exploration.through("suspendre_acces")
    assert suspended
    for path in suspended:
        assert path.did("ouvrir_dossier", "premier")
        assert path.index("reunir_equipe_educative") < path.index("suspendre_acces")
        assert path.did("reunir_equipe_educative", "suspension")
    for path in exploration.paths:
        if path.did("ouvrir_dossier", "second"):
            assert not any(path.did(t) for t in FIRST_DEGREE_TASKS)
        else:
            assert not path.did("statuer_procedure_disciplinaire")


def test_dasen_is_seized_only_when_the_behaviour_persists(exploration):
    seized = exploration.through("saisir_dasen")
    assert seized
    for path in seized:
        assert path.did("constater_persistance", "persiste")
        assert path.index("reunir_equipe_educative") < path.index("saisir_dasen")
    assert all(p.did("saisir_dasen") for p in exploration.through("constater_persistance", "persiste"))


def test_second_degree_always_records_the_disciplinary_decision(exploration):
    for path in exploration.paths:
        if path.did("ouvrir_dossier", "second") and path.did("decider_mesures"):
            assert path.index("decider_mesures") < path.index("statuer_procedure_disciplinaire")


def test_penal_offence_and_danger_at_home_start_linked_procedures(exploration):
    root = etree.fromstring(BUNDLE.bpmn.encode("utf-8"))
    starts = {e.get("id"): e.find(".//{*}property[@name='startsProcedure']").get("value")
              for e in root.iterfind(".//bpmn:intermediateThrowEvent", NS)}
    assert starts == {"vers_signalement": "signalement", "vers_ip": "information_preoccupante"}
    for path in exploration.paths:
        linked = qualified(path, "cyber_infraction_danger")
        assert ("vers_signalement" in path.elements) == linked
        assert ("vers_ip" in path.elements) == linked


def test_linked_procedures_are_requested_and_the_flow_continues(engine):
    walk = Walk(engine)
    walk.follow(TO_QUALIFICATION)
    result = walk.do("qualifier_situation", **CHOICES["qualifier_situation"]["cyber_infraction_danger"])
    requested = {(e.spec_id, e.starts) for e in result.events if e.kind == PROCEDURE_REQUESTED}
    assert requested == {("vers_signalement", "signalement"), ("vers_ip", "information_preoccupante")}
    assert walk.ready == {"declarer_faits_etablissement"}


# ---------------------------------------------------------------- loops

class Walk(Walker):
    """One instance, started with `protocol` (the default one when None)."""

    def __init__(self, engine: WorkflowEngine, protocol=None):
        super().__init__(engine, BUNDLE, sample, protocol or DEFAULT_PROTOCOL,
                         check=check, expected_status=status_rule(()))


TO_QUALIFICATION = [("enregistrer_alerte", {}), ("ouvrir_dossier", {}), ("entendre_eleve_cible", {}),
                    ("informer_famille_cible", {})]
TO_MPP = TO_QUALIFICATION + [("qualifier_situation", {"qualification": "intimidation"}),
                             ("declarer_faits_etablissement", {}), ("conduire_entretiens_mpp", {})]
TO_FOLLOW_UP = TO_MPP + [("faire_revue_mpp", {})]


def test_shared_concern_loops_until_the_review_decides(engine):
    walk = Walk(engine)
    walk.follow(TO_MPP)
    for round_ in (1, 2):
        assert walk.view("faire_revue_mpp").iteration == round_ - 1
        walk.do("faire_revue_mpp", efficacite="poursuivre")
        assert walk.ready == {"conduire_entretiens_mpp"}
        walk.do("conduire_entretiens_mpp")
    walk.do("faire_revue_mpp", efficacite="inefficace")
    assert walk.ready == {"entendre_temoins"}


def test_reopening_requalifies_the_situation(engine):
    walk = Walk(engine)
    walk.follow(TO_FOLLOW_UP + [("conduire_entretien_suivi", {})])
    walk.do("clore_ou_rouvrir", decision="rouvrir")
    assert walk.ready == {"qualifier_situation"}
    assert walk.view("qualifier_situation").iteration == 1
    walk.do("qualifier_situation", qualification="conflit")
    assert walk.result.snapshot.status == COMPLETED
    assert walk.result.snapshot.end_event == "fin_conflit"


@pytest.mark.parametrize("spec_id, choice", [("faire_revue_mpp", "efficacite=poursuivre"),
                                             ("clore_ou_rouvrir", "decision=rouvrir")])
def test_every_loop_is_capped(engine, spec_id, choice):
    properties = engine.describe(BUNDLE, spec_id).properties
    assert properties["loopChoice"] == choice and properties["loopLimit"] == "3"


def test_random_clients_always_reach_an_end(engine):
    """Uniform random choices, the capped loop value withdrawn at its limit (as the service does)."""
    rng, lengths = random.Random(7), []
    for _ in range(15):
        walk, steps = Walk(engine), 0
        while walk.result.snapshot.status != COMPLETED:
            view = sorted(walk.result.snapshot.ready, key=lambda v: v.spec_id)[0]
            options = dict(CHOICES.get(view.spec_id) or {"": {}})
            loop = view.spec.properties.get("loopChoice")
            if loop and view.iteration >= int(view.spec.properties["loopLimit"]):
                name, value = loop.split("=")
                options = {k: v for k, v in options.items() if v.get(name) != value}
            walk.do(view.spec_id, **rng.choice(list(options.values())))
            steps += 1
            assert steps < 100
        lengths.append(steps)
    assert min(lengths) == 5 and max(lengths) > 15  # a conflict ends at once; the protocol takes longer


# ---------------------------------------------------------------- timers

REVIEW_READY = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("protocol, fires_at", [
    (DEFAULT_PROTOCOL, REVIEW_READY + timedelta(days=15)),
    ({**DEFAULT_PROTOCOL, "delai_revue_mpp": "P1W"}, REVIEW_READY + timedelta(days=7)),
])
def test_review_reminder_fires_at_the_protocol_delay(engine, protocol, fires_at):
    with time_machine.travel(REVIEW_READY - timedelta(days=1), tick=False):
        walk = Walk(engine, protocol)
        walk.follow(TO_MPP[:-1])
    with time_machine.travel(REVIEW_READY, tick=False):
        walk.do("conduire_entretiens_mpp")
    awaited = walk.view("faire_revue_mpp")  # ready at once: the review does not wait for the clock
    assert walk.result.snapshot.next_timer_at == fires_at
    with time_machine.travel(fires_at - MINUTE, tick=False):
        assert walk.advance().events == ()
    assert walk.view("faire_revue_mpp").id == awaited.id
    with time_machine.travel(fires_at + MINUTE, tick=False):
        fired = walk.advance()
    assert sorted((e.kind, e.spec_id) for e in fired.events) == [
        ("task_cancelled", "faire_revue_mpp"), ("task_created", "relancer_revue_mpp"),
        ("timer_fired", "delai_revue_depasse")]
    assert walk.ready == {"relancer_revue_mpp"} and walk.result.snapshot.status == RUNNING
    reminded = fires_at + timedelta(days=1)
    with time_machine.travel(reminded, tick=False):
        walk.do("relancer_revue_mpp")
    assert walk.ready == {"faire_revue_mpp"} and walk.view("faire_revue_mpp").id != awaited.id
    assert walk.result.snapshot.next_timer_at == reminded + (fires_at - REVIEW_READY)


def test_follow_up_reminder_fires_one_calendar_month_later(engine):
    ready_at = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
    month_later = datetime(2026, 4, 9, 9, 0, tzinfo=UTC)  # P1M: a calendar month (31 days here)
    with time_machine.travel(ready_at - timedelta(days=1), tick=False):
        walk = Walk(engine)
        walk.follow(TO_MPP)
    with time_machine.travel(ready_at, tick=False):
        walk.do("faire_revue_mpp")
    awaited = walk.view("conduire_entretien_suivi")
    assert walk.result.snapshot.next_timer_at == month_later == awaited.due_at
    with time_machine.travel(month_later - MINUTE, tick=False):
        assert walk.advance().events == ()
    with time_machine.travel(month_later + MINUTE, tick=False):
        fired = walk.advance()
    assert {(e.kind, e.spec_id) for e in fired.events} == {
        ("task_cancelled", "conduire_entretien_suivi"), ("task_created", "relancer_suivi"),
        ("timer_fired", "delai_suivi_depasse")}
    with time_machine.travel(month_later + timedelta(days=1), tick=False):
        walk.do("relancer_suivi")
        assert walk.ready == {"conduire_entretien_suivi"}
        walk.do("conduire_entretien_suivi")
        walk.do("clore_ou_rouvrir")
    assert walk.result.snapshot.end_event == "fin_clos"
    assert walk.result.snapshot.next_timer_at is None


# ---------------------------------------------------------------- forms

def test_samples_cover_every_user_task(engine):
    assert set(VALID) == {t.spec_id for t in engine.human_tasks(BUNDLE)} == USER_TASKS


@pytest.mark.parametrize("spec_id", sorted(VALID))
def test_samples_are_valid_and_every_user_task_is_documented(engine, spec_id):
    form_validator(BUNDLE, spec_id).validate(sample(spec_id))
    spec = engine.describe(BUNDLE, spec_id)
    assert spec.documentation and spec.instructions and spec.properties["dueIn"]


@pytest.mark.parametrize("days, valid", [(0, False), (1, True), (5, True), (6, False), (2.5, False), ("3", False)])
def test_conservatory_suspension_lasts_five_days_at_most(days, valid):
    """R411-11-1: the suspension of access to the school cannot exceed five days."""
    data = sample("suspendre_acces", duree_suspension_jours=days)
    assert form_validator(BUNDLE, "suspendre_acces").is_valid(data) is valid


NOT_INFORMED = dict(famille_informee=False, date_information=None, modalites=None)


@pytest.mark.parametrize("spec_id, invalid, fixed", [
    pytest.param("ouvrir_dossier", sample("ouvrir_dossier", degre="premier_degre"),
                 sample("ouvrir_dossier", degre="premier_degre", ien_informe=True), id="ien-not-informed-first-degree"),
    pytest.param("informer_famille_cible", sample("informer_famille_cible", **NOT_INFORMED),
                 sample("informer_famille_cible", **NOT_INFORMED, motif_non_information=DANGER),
                 id="family-not-informed-without-reason"),
    pytest.param("informer_famille_cible", sample("informer_famille_cible", modalites=None),
                 sample("informer_famille_cible"), id="family-informed-without-means"),
    pytest.param("qualifier_situation", sample("qualifier_situation", infraction_penale=True),
                 sample("qualifier_situation", infraction_penale=True, elements_infraction=OFFENCE),
                 id="offence-without-facts"),
    pytest.param("qualifier_situation", sample("qualifier_situation", danger_famille=True),
                 sample("qualifier_situation", danger_famille=True, elements_danger=DANGER),
                 id="danger-without-facts"),
    pytest.param("qualifier_situation", sample("qualifier_situation", motif="   "),
                 sample("qualifier_situation"), id="blank-reason"),
    pytest.param("declarer_faits_etablissement", sample("declarer_faits_etablissement", referent_informe=False),
                 sample("declarer_faits_etablissement"), id="referent-not-informed"),
    pytest.param("declarer_faits_etablissement",
                 sample("declarer_faits_etablissement", declaration_anonymisee=False),
                 sample("declarer_faits_etablissement"), id="names-in-faits-etablissement"),
    pytest.param("entendre_temoins", sample("entendre_temoins", entendus_separement=False),
                 sample("entendre_temoins"), id="witnesses-heard-together"),
    pytest.param("entendre_temoins", sample("entendre_temoins", entretiens=None, entendus_separement=None),
                 sample("entendre_temoins", nombre_temoins=0, entretiens=None, entendus_separement=None),
                 id="witness-interviews-missing"),
    pytest.param("entendre_auteurs", sample("entendre_auteurs", entendus_separement=False),
                 sample("entendre_auteurs"), id="authors-heard-together"),
    pytest.param("reunir_equipe_educative", sample("reunir_equipe_educative", parents_auteur_invites=False),
                 sample("reunir_equipe_educative"), id="parents-of-author-not-invited"),
    pytest.param("reunir_equipe_educative", sample("reunir_equipe_educative", suspension_conservatoire="oui"),
                 sample("reunir_equipe_educative", suspension_conservatoire="oui", motif_suspension=OFFENCE),
                 id="suspension-without-reason"),
    pytest.param("suspendre_acces", sample("suspendre_acces", parents_informes=False),
                 sample("suspendre_acces"), id="suspension-parents-not-informed"),
    pytest.param("statuer_procedure_disciplinaire",
                 sample("statuer_procedure_disciplinaire", instance=None),
                 sample("statuer_procedure_disciplinaire", procedure_disciplinaire="non_engagee", instance=None,
                        date_engagement=None), id="procedure-without-instance"),
    pytest.param("faire_revue_mpp", sample("faire_revue_mpp", efficacite="peut_etre"),
                 sample("faire_revue_mpp"), id="unknown-choice"),
    pytest.param("clore_ou_rouvrir", sample("clore_ou_rouvrir", signature="Mme Garnier"),
                 sample("clore_ou_rouvrir"), id="unknown-field"),
])
def test_forms_reject_invalid_payloads(spec_id, invalid, fixed):
    """Each invalid payload is refused, and accepted once its single defect is fixed."""
    assert form_validator(BUNDLE, spec_id).is_valid(invalid) is False
    assert form_validator(BUNDLE, spec_id).is_valid(fixed) is True


def test_engine_fields_are_required_fields():
    """A gateway never reads a name that a valid payload may leave out."""
    for spec_id in USER_TASKS:
        required = BUNDLE.form(f"forms/{spec_id}.json")["required"]
        for name in filter(None, read_properties(spec_id).get("engineFields", "").split(",")):
            assert name in required, f"{spec_id}.{name}"


def read_properties(spec_id: str) -> dict[str, str]:
    root = etree.fromstring(BUNDLE.bpmn.encode("utf-8"))
    task = root.find(f".//bpmn:userTask[@id='{spec_id}']", NS)
    return {p.get("name"): p.get("value") for p in task.iterfind(".//{*}property")}

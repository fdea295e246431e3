"""Every path of the school–family mediation diagram, through the engine façade only.

The explorer restores the instance before each step (as the service does between two requests),
checks the full payload against the task's form and completes the task with its engine fields.
Named tests then read the paths for each rule of DOMAIN.md §3.4 and §8.6.
"""
from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from lxml import etree

from tests.mediation_samples import VALID, sample
from tests.workflows.explorer import TIMER, end_events, explore, flow_nodes
from tests.workflows.walk import Walker, form_validator, status_rule
from workflows import COMPLETED, PROCEDURE_REQUESTED, RUNNING, TaskView, WorkflowEngine, read_bundle
from workflows.protocol import DEFAULT_PROTOCOL
from workflows.run import iso_duration

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = read_bundle(ROOT / "bpmn" / "mediation")
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core"}

LANES = {"ass": "Assistant\u00b7e de service social", "direction": "Direction d'\u00e9tablissement"}
LANE_OF = {
    "recevoir_demande": "ass", "analyser_recevabilite": "ass", "recueillir_consentements": "ass",
    "entretien_famille": "ass", "entretien_equipe": "direction", "preparer_rencontre": "ass",
    "conduire_rencontre": "ass", "formaliser_accord": "ass", "valider_accord": "direction",
    "rencontre_suivi": "ass", "relancer_suivi": "ass", "clore_orienter": "ass",
}
USER_TASKS = set(LANE_OF)
MOTIF = "Éléments factuels datés qui justifient ce choix, notés par l'ASS."

#: One named choice per branch of each gateway, with the fields its conditional rules then need.
CHOICES = {
    "analyser_recevabilite": {
        "recevable": {},
        "danger": {"recevabilite": "danger"},
        "infraction": {"recevabilite": "infraction"},
        "disciplinaire": {"recevabilite": "procedure_disciplinaire",
                          "orientation_indiquee": "Recours auprès du chef d'établissement indiqué le 18 novembre."},
        "contestation": {"recevabilite": "contestation_decision",
                         "orientation_indiquee": "Saisine écrite du médiateur académique indiquée le 18 novembre."},
    },
    "recueillir_consentements": {
        "tous": {},
        "refus_famille": {"consentement_famille": False, "precisions_refus": MOTIF},
        "refus_eleve": {"consentement_eleve": False, "precisions_refus": MOTIF},
        "refus_etablissement": {"consentement_etablissement": False, "precisions_refus": MOTIF},
    },
    "entretien_famille": {
        "poursuivre": {},
        "interrompre": {"suite_entretien": "interrompre", "motif_interruption": MOTIF},
    },
    "conduire_rencontre": {
        "accord": {},
        "nouvelle": {"issue_rencontre": "nouvelle_rencontre", "motif": MOTIF},
        "sans_accord": {"issue_rencontre": "sans_accord", "motif": MOTIF},
    },
    "valider_accord": {
        "valider": {},
        "amender": {"decision": "amender", "commentaire": "Le point mensuel doit être confié au CPE."},
    },
    "rencontre_suivi": {
        "respecte": {},
        "partiel": {"respect_accord": "partiellement", "motif": MOTIF},
        "non_respecte": {"respect_accord": "non_respecte", "motif": MOTIF},
        "faits_nouveaux": {"respect_accord": "faits_nouveaux", "motif": MOTIF},
    },
    "clore_orienter": {
        "ip": {"orientation": "information_preoccupante"},
        "signalement": {"orientation": "signalement"},
        "equipe_educative": {},
        "mediateur": {"orientation": "mediateur_academique"},
        "cloture": {"orientation": "cloture"},
    },
}
ENGAGED_ENDS = {"fin_accord_respecte", "fin_ip", "fin_signalement", "fin_mediateur",
                "fin_equipe_educative", "fin_sans_accord"}
PATHS = 250  # the exact number of paths walked with max_visits=2, max_timers=2


def payload(spec_id: str, overrides) -> dict:
    return sample(spec_id, **overrides)


def check(view: TaskView, now: datetime) -> None:
    """Every ready task: its lane, ready now, and due `dueIn` later."""
    assert view.lane == LANES[LANE_OF[view.spec_id]], f"{view.spec_id} in lane {view.lane!r}"
    assert view.ready_since == now, view.spec_id
    assert view.due_at == now + iso_duration(view.spec.properties["dueIn"], now), view.spec_id


@pytest.fixture(scope="module")
def exploration(tmp_path_factory):
    return explore(WorkflowEngine(tmp_path_factory.mktemp("mediation")), BUNDLE, payload, CHOICES,
                   start_data=DEFAULT_PROTOCOL, check=check)


def declared_events(spec_id: str, data: dict) -> list[str]:
    """The audit events the service records when `spec_id` completes with `data`
    (`decisionEvents` `field=value:event`, then `completionEvent`)."""
    props = BUNDLE_PROPS[spec_id]
    out = []
    for item in props.get("decisionEvents", "").split(","):
        condition, _, event = item.partition(":")
        name, _, value = condition.partition("=")
        if event and str(data.get(name)) == value:
            out.append(event)
    if props.get("completionEvent"):
        out.append(props["completionEvent"])
    return out


def _properties() -> dict[str, dict[str, str]]:
    root = etree.fromstring(BUNDLE.bpmn.encode("utf-8"))
    return {node.get("id"): {p.get("name"): p.get("value")
                             for p in node.iterfind("bpmn:extensionElements/spiffworkflow:properties/"
                                                   "spiffworkflow:property", NS)}
            for node in root.iter() if node.get("id")}


BUNDLE_PROPS = _properties()


def path_events(path) -> list[str]:
    events = []
    for step in path.steps:
        if step.choice != TIMER:
            data = payload(step.spec_id, CHOICES.get(step.spec_id, {}).get(step.choice, {}))
            events += declared_events(step.spec_id, data)
    return events


# ---------------------------------------------------------------- every path

def test_every_path_reaches_an_end_and_passes_every_element(exploration):
    assert set(exploration.ends) == end_events(BUNDLE)
    assert exploration.elements == flow_nodes(BUNDLE)
    assert len(exploration.paths) == PATHS
    assert all(p.outcome for p in exploration.paths)


def test_every_ready_task_is_offered_in_its_lane(exploration):
    """`check` ran on every ready task; every user task was met."""
    met = {s.spec_id for p in exploration.paths for s in p.steps}
    assert USER_TASKS <= met


# ---------------------------------------------------------------- admissibility (DOMAIN §3.4 step 2)

@pytest.mark.parametrize("choice, end_event", [
    ("danger", "fin_ip"), ("infraction", "fin_signalement"),
    ("disciplinaire", "fin_mediateur"), ("contestation", "fin_mediateur"),
])
def test_inadmissible_requests_end_with_an_orientation_before_any_consent(exploration, choice, end_event):
    paths = exploration.through("analyser_recevabilite", choice)
    assert paths and {p.end_event for p in paths} == {end_event}
    assert not any(p.did("recueillir_consentements") for p in paths)


@pytest.mark.parametrize("end_event, starts", [("fin_ip", "information_preoccupante"),
                                               ("fin_signalement", "signalement")])
def test_danger_and_offence_start_the_linked_procedure_on_the_same_case(engine, end_event, starts):
    """The end event carries `startsProcedure`; the engine reports it when the flow passes."""
    assert BUNDLE_PROPS[end_event] == {"startsProcedure": starts}
    run, _ = engine.start(BUNDLE, dict(DEFAULT_PROTOCOL))
    run.complete(run.snapshot().ready[0].id, {})
    recevabilite = "danger" if starts == "information_preoccupante" else "infraction"
    result = run.complete(run.snapshot().ready[0].id, {"recevabilite": recevabilite})
    assert result.snapshot.status == COMPLETED and result.snapshot.end_event == end_event
    requested = [(e.spec_id, e.starts) for e in result.events if e.kind == PROCEDURE_REQUESTED]
    assert requested == [(end_event, starts)]


def test_only_danger_and_offence_ends_start_another_procedure():
    starting = {node for node, props in BUNDLE_PROPS.items() if "startsProcedure" in props}
    assert starting == {"fin_ip", "fin_signalement"}


# ---------------------------------------------------------------- consent (DOMAIN §3.4 step 3)

def test_mediation_is_engaged_only_with_the_consent_of_every_party(exploration):
    for path in exploration.paths:
        if path.did("entretien_famille"):
            assert path.did("recueillir_consentements", "tous"), path
    for refusal in ("refus_famille", "refus_eleve", "refus_etablissement"):
        paths = exploration.through("recueillir_consentements", refusal)
        assert paths and {p.end_event for p in paths} == {"fin_non_engagee"}
        assert {p.outcome for p in paths} == {"Médiation non engagée"}


# ---------------------------------------------------------------- order of the steps

def test_joint_meeting_comes_after_both_interviews_and_its_preparation(exploration):
    for path in exploration.through("conduire_rencontre"):
        first = path.index("conduire_rencontre")
        assert path.index("entretien_famille") < path.index("entretien_equipe") < first
        assert path.index("preparer_rencontre") < first


def test_follow_up_comes_only_after_an_agreement_validated_by_the_direction(exploration):
    for path in exploration.through("rencontre_suivi"):
        steps = path.steps[:path.index("rencontre_suivi")]
        assert [s.spec_id for s in steps if s.spec_id in ("formaliser_accord", "valider_accord")][-1:] \
            == ["valider_accord"]
        assert any(s.spec_id == "valider_accord" and s.choice == "valider" for s in steps)
    assert {p.end_event for p in exploration.through("rencontre_suivi", "respecte")} == {"fin_accord_respecte"}


@pytest.mark.parametrize("spec_id, choice", [
    ("entretien_famille", "interrompre"), ("conduire_rencontre", "sans_accord"),
    ("rencontre_suivi", "non_respecte"), ("rencontre_suivi", "faits_nouveaux"),
])
def test_failures_lead_to_the_closure_or_orientation_task(exploration, spec_id, choice):
    paths = exploration.through(spec_id, choice)
    assert paths
    for path in paths:
        assert path.steps[-1].spec_id == "clore_orienter"


@pytest.mark.parametrize("choice, end_event", [
    ("ip", "fin_ip"), ("signalement", "fin_signalement"), ("equipe_educative", "fin_equipe_educative"),
    ("mediateur", "fin_mediateur"), ("cloture", "fin_sans_accord"),
])
def test_each_orientation_has_its_end(exploration, choice, end_event):
    assert {p.end_event for p in exploration.through("clore_orienter", choice)} == {end_event}


def test_partial_respect_and_new_meeting_loop_back_to_the_preparation(exploration):
    looped = 0
    for path in exploration.paths:
        for step, following in zip(path.steps, path.steps[1:], strict=False):
            if (step.spec_id, step.choice) in {("rencontre_suivi", "partiel"), ("conduire_rencontre", "nouvelle")}:
                assert following.spec_id == "preparer_rencontre"
                looped += 1
    assert looped


# ---------------------------------------------------------------- audit events

def test_audit_events_agreement_signed_and_mediation_closed(exploration):
    for path in exploration.paths:
        events = Counter(path_events(path))
        if path.end_event in ENGAGED_ENDS and path.did("recueillir_consentements", "tous"):
            assert events["mediation_closed"] == 1, path
        else:
            assert events["mediation_closed"] == 0, path
        if path.did("rencontre_suivi"):
            assert events["mediation_agreement_signed"] >= 1
        if not path.did("valider_accord", "valider"):
            assert events["mediation_agreement_signed"] == 0


# ---------------------------------------------------------------- loops end

LOOPS = {"conduire_rencontre": ("3", "issue_rencontre=nouvelle_rencontre"),
         "valider_accord": ("3", "decision=amender"),
         "rencontre_suivi": ("2", "respect_accord=partiellement")}


def test_every_loop_choice_is_capped(engine):
    for spec_id, (limit, choice) in LOOPS.items():
        props = engine.describe(BUNDLE, spec_id).properties
        assert (props["loopLimit"], props["loopChoice"]) == (limit, choice)


def test_a_random_client_reaches_an_end_well_under_100_steps(engine):
    """Choices drawn uniformly; a loop choice is no longer offered once its limit is reached,
    as the published schema does."""
    longest = 0
    for seed in range(60):
        rng = random.Random(seed)
        run, result = engine.start(BUNDLE, dict(DEFAULT_PROTOCOL))
        steps = 0
        while result.snapshot.status != COMPLETED:
            view = result.snapshot.ready[0]
            options = dict(CHOICES.get(view.spec_id, {"": {}}))
            if view.spec_id in LOOPS and view.iteration >= int(LOOPS[view.spec_id][0]):
                field, value = LOOPS[view.spec_id][1].split("=")
                options = {k: v for k, v in options.items()
                           if payload(view.spec_id, v).get(field) != value}
            data = payload(view.spec_id, rng.choice(list(options.values())))
            result = run.complete(view.id, {k: data[k] for k in view.spec.engine_fields if k in data})
            steps += 1
            assert steps < 60, f"seed {seed}: no end after {steps} steps"
        longest = max(longest, steps)
    assert longest < 40


# ---------------------------------------------------------------- follow-up timer

AGREED = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
TO_AGREEMENT = ["recevoir_demande", "analyser_recevabilite", "recueillir_consentements",
                "entretien_famille", "entretien_equipe", "preparer_rencontre", "conduire_rencontre",
                "formaliser_accord"]


class Walk(Walker):
    """One instance, started with the default protocol."""

    def __init__(self, engine: WorkflowEngine):
        super().__init__(engine, BUNDLE, sample, DEFAULT_PROTOCOL,
                         check=lambda view: check(view, view.ready_since), expected_status=status_rule(()))


@pytest.mark.parametrize("delai, weeks", [("P4W", 4), ("P6W", 6), ("P8W", 8)])
def test_follow_up_reminder_fires_at_the_agreed_delay_and_the_meeting_comes_back(engine, delai, weeks):
    with time_machine.travel(AGREED - timedelta(days=20), tick=False):
        walk = Walk(engine)
        walk.follow((spec_id, {"delai_suivi": delai} if spec_id == "formaliser_accord" else {})
                    for spec_id in TO_AGREEMENT)
    with time_machine.travel(AGREED, tick=False):
        result = walk.do("valider_accord")
    due = AGREED + timedelta(weeks=weeks)
    [awaited] = result.snapshot.ready
    assert awaited.spec_id == "rencontre_suivi" and result.snapshot.status == RUNNING
    assert result.snapshot.next_timer_at == due

    with time_machine.travel(due - MINUTE, tick=False):
        early = walk.advance()
    assert early.events == ()
    assert [v.id for v in early.snapshot.ready] == [awaited.id]

    with time_machine.travel(due + MINUTE, tick=False):
        fired = walk.advance()
    assert sorted((e.kind, e.spec_id) for e in fired.events) == [
        ("task_cancelled", "rencontre_suivi"), ("task_created", "relancer_suivi"),
        ("timer_fired", "delai_suivi_atteint")]
    assert [v.spec_id for v in fired.snapshot.ready] == ["relancer_suivi"]
    assert fired.snapshot.next_timer_at is None

    chased = due + timedelta(days=1)
    with time_machine.travel(chased, tick=False):
        result = walk.do("relancer_suivi", echeance_suivi="P1W")
    [again] = result.snapshot.ready
    assert again.spec_id == "rencontre_suivi" and again.id != awaited.id
    assert result.snapshot.next_timer_at == chased + timedelta(weeks=1)

    with time_machine.travel(chased + timedelta(days=2), tick=False):
        result = walk.do("rencontre_suivi")
    assert result.snapshot.status == COMPLETED and result.snapshot.end_event == "fin_accord_respecte"
    assert result.snapshot.next_timer_at is None
    assert result.snapshot.outcome == "Médiation close : accord respecté"


def test_follow_up_meeting_can_be_held_before_the_reminder(engine):
    """The awaited task is ready at once: nobody waits on the clock."""
    with time_machine.travel(AGREED, tick=False):
        walk = Walk(engine)
        walk.follow(TO_AGREEMENT + ["valider_accord"])
        result = walk.do("rencontre_suivi")
    assert result.snapshot.end_event == "fin_accord_respecte"


# ---------------------------------------------------------------- forms

def test_samples_cover_every_user_task(engine):
    assert set(VALID) == {task.spec_id for task in engine.human_tasks(BUNDLE)} == USER_TASKS


@pytest.mark.parametrize("spec_id", sorted(VALID))
def test_samples_and_choices_are_valid_against_their_forms(spec_id):
    for overrides in [{}, *CHOICES.get(spec_id, {}).values()]:
        form_validator(BUNDLE, spec_id).validate(payload(spec_id, overrides))


@pytest.mark.parametrize("spec_id", sorted(USER_TASKS))
def test_every_user_task_has_guidance_and_a_due_delay(engine, spec_id):
    spec = engine.describe(BUNDLE, spec_id)
    assert spec.instructions and spec.documentation
    assert iso_duration(spec.properties["dueIn"], AGREED) > timedelta(0)
    assert spec.form_file == f"forms/{spec_id}.json"


REFUSAL = dict(consentement_famille=False)


@pytest.mark.parametrize("spec_id, invalid, fixed", [
    pytest.param("recueillir_consentements", sample("recueillir_consentements", neutralite_expliquee=False),
                 sample("recueillir_consentements"), id="neutrality-not-explained"),
    pytest.param("recueillir_consentements",
                 sample("recueillir_consentements", limites_confidentialite_expliquees=None),
                 sample("recueillir_consentements"), id="confidentiality-limits-not-explained"),
    pytest.param("recueillir_consentements", sample("recueillir_consentements", **REFUSAL),
                 sample("recueillir_consentements", **REFUSAL, precisions_refus=MOTIF), id="refusal-without-detail"),
    pytest.param("recueillir_consentements", sample("recueillir_consentements", consentement_eleve=None),
                 sample("recueillir_consentements"), id="pupil-consent-missing"),
    pytest.param("analyser_recevabilite", sample("analyser_recevabilite", recevabilite="contestation_decision"),
                 sample("analyser_recevabilite", **CHOICES["analyser_recevabilite"]["contestation"]),
                 id="contest-without-the-route-given"),
    pytest.param("analyser_recevabilite", sample("analyser_recevabilite", motif=" \n "),
                 sample("analyser_recevabilite"), id="blank-reason"),
    pytest.param("recevoir_demande", sample("recevoir_demande", urgence=None), sample("recevoir_demande"),
                 id="request-without-urgency"),
    pytest.param("recevoir_demande", sample("recevoir_demande", categorie_objet="autre"),
                 sample("recevoir_demande", categorie_objet="autre", categorie_precision="Transport scolaire"),
                 id="other-subject-without-detail"),
    pytest.param("recevoir_demande", sample("recevoir_demande", demandeur="autre_personnel", demandeur_precision=None),
                 sample("recevoir_demande", demandeur="autre_personnel"), id="other-staff-without-name"),
    pytest.param("entretien_famille", sample("entretien_famille", suite_entretien="interrompre"),
                 sample("entretien_famille", **CHOICES["entretien_famille"]["interrompre"]),
                 id="interruption-without-reason"),
    pytest.param("preparer_rencontre", sample("preparer_rencontre", interprete=True),
                 sample("preparer_rencontre", interprete=True, langue_interprete="Arabe"),
                 id="interpreter-without-language"),
    pytest.param("conduire_rencontre", sample("conduire_rencontre", cadre_rappele=False),
                 sample("conduire_rencontre"), id="ground-rules-not-recalled"),
    pytest.param("conduire_rencontre", sample("conduire_rencontre", issue_rencontre="sans_accord"),
                 sample("conduire_rencontre", **CHOICES["conduire_rencontre"]["sans_accord"]),
                 id="no-agreement-without-reason"),
    pytest.param("formaliser_accord", sample("formaliser_accord", delai_suivi="P3M"),
                 sample("formaliser_accord", delai_suivi="P8W"), id="follow-up-delay-outside-4-to-8-weeks"),
    pytest.param("formaliser_accord", sample("formaliser_accord", engagements=[]),
                 sample("formaliser_accord"), id="agreement-without-commitments"),
    pytest.param("formaliser_accord",
                 sample("formaliser_accord", engagements=[{"action": "Faire des efforts", "responsable": " "}]),
                 sample("formaliser_accord", engagements=[{"action": "Faire des efforts", "responsable": "Yanis",
                                                           "echeance": "au besoin"}]),
                 id="commitment-without-owner-or-due-date"),
    pytest.param("valider_accord", sample("valider_accord", decision="amender"),
                 sample("valider_accord", **CHOICES["valider_accord"]["amender"]), id="amend-without-comment"),
    pytest.param("rencontre_suivi", sample("rencontre_suivi", respect_accord="partiellement"),
                 sample("rencontre_suivi", **CHOICES["rencontre_suivi"]["partiel"]),
                 id="partial-respect-without-reason"),
    pytest.param("relancer_suivi", sample("relancer_suivi", echeance_suivi="2027-02-01"),
                 sample("relancer_suivi"), id="reminder-delay-is-a-choice-not-a-date"),
    pytest.param("clore_orienter", sample("clore_orienter", orientation="juge_des_enfants"),
                 sample("clore_orienter"), id="unknown-orientation"),
    pytest.param("entretien_equipe", sample("entretien_equipe", notes_detaillees="…"),
                 sample("entretien_equipe"), id="unknown-field"),
])
def test_forms_reject_invalid_payloads(spec_id, invalid, fixed):
    """Each invalid payload is refused, and accepted once its single defect is fixed."""
    assert form_validator(BUNDLE, spec_id).is_valid(invalid) is False
    assert form_validator(BUNDLE, spec_id).is_valid(fixed) is True


def test_every_form_is_closed_and_titled_in_french():
    for path in BUNDLE.files:
        if path.startswith("forms/"):
            form = BUNDLE.form(path)
            assert form["additionalProperties"] is False and form["title"]
            assert all(field.get("title") for field in form["properties"].values()), path
            for name, field in form["properties"].items():
                if field.get("type") == "string" and "oneOf" not in field and "format" not in field:
                    assert "maxLength" in field, f"{path}: {name}"

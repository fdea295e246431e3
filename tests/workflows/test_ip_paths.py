"""Every path of the information préoccupante diagram, through the engine façade only.

Each step restores the instance from its saved state (as the service does between two requests),
checks the full form payload against the task's form, then completes the task with its engine
fields only.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest
import time_machine

from tests.ip_samples import VALID, sample
from tests.workflows.explorer import explore, flow_nodes
from tests.workflows.walk import Walker, schema_validator, status_rule
from workflows import COMPLETED, PROCEDURE_REQUESTED, RUNNING, WAITING, TaskView, WorkflowEngine, read_bundle
from workflows.protocol import DEFAULT_PROTOCOL
from workflows.run import iso_duration

BUNDLE = read_bundle(Path(__file__).resolve().parents[2] / "bpmn" / "information_preoccupante")

LANES = {
    "ass": "Assistant\u00b7e de service social",
    "direction": "Direction d'\u00e9tablissement",
    "ctsd": "Conseiller\u00b7\u00e8re technique d\u00e9partemental\u00b7e",
}
LANE_OF = {
    "recueillir_faits": "ass", "qualifier_gravite": "ass", "organiser_accompagnement": "ass",
    "evaluer_situation": "ass", "rediger_ip": "ass", "informer_parents": "ass",
    "enregistrer_retour": "ass", "viser_ip": "direction", "valider_ip": "ctsd",
    "transmettre_crip": "ctsd", "enregistrer_accuse": "ctsd", "relancer_crip": "ctsd",
    "transmettre_crip_direction": "direction",
}
USER_TASKS = set(LANE_OF)
EXTERNAL = {"enregistrer_accuse", "enregistrer_retour"}  # waitsForExternal
FOLLOW_UP = {"enregistrer_accuse", "enregistrer_retour"}  # ready once the IP is sent
ISO_DURATION = re.compile(r"P(?=\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?")
DAYS = re.compile(r"P(\d+)D")

#: transmission moment, and three calendar months later (92 days, not 90)
SENT_AT = datetime(2026, 3, 9, 14, 30, tzinfo=UTC)
THREE_MONTHS_LATER = datetime(2026, 6, 9, 14, 30, tzinfo=UTC)
MINUTE = timedelta(minutes=1)

RETURN = {"decision": "renvoyer",
          "commentaire": "Merci de dater chaque fait et de citer entre guillemets les propos du 3 mars."}

# Steps: (task to complete, overrides of its sample payload, spec ids ready afterwards)
TO_QUALIFICATION = [("recueillir_faits", {}, {"qualifier_gravite"})]
TO_EVALUATION = TO_QUALIFICATION + [("qualifier_gravite", {}, {"evaluer_situation"})]
DRAFTING = [
    ("rediger_ip", {}, {"informer_parents"}),
    ("informer_parents", {}, {"viser_ip"}),
    ("viser_ip", {}, {"valider_ip"}),
]
TO_VALIDATION = TO_EVALUATION + [("evaluer_situation", {}, {"rediger_ip"})] + DRAFTING
TO_TRANSMISSION = TO_VALIDATION + [("valider_ip", {}, {"transmettre_crip"})]


def form_validator(spec_id: str, engine: WorkflowEngine) -> jsonschema.Draft202012Validator:
    return schema_validator(BUNDLE.form(engine.describe(BUNDLE, spec_id).form_file))


def check_ready(view: TaskView) -> None:
    """Every ready task: its lane, and a due date `dueIn` after it became ready."""
    assert view.lane == LANES[LANE_OF[view.spec_id]], f"{view.spec_id} in lane {view.lane!r}"
    assert view.waits_for_external == (view.spec_id in EXTERNAL)
    days = DAYS.fullmatch(view.spec.properties["dueIn"])
    if days:
        assert view.due_at == view.ready_since + timedelta(days=int(days.group(1)))


class Walk(Walker):
    """One instance of the procedure, started with the default protocol updated with `protocol`."""

    def __init__(self, engine: WorkflowEngine, **protocol):
        super().__init__(engine, BUNDLE, sample, {**DEFAULT_PROTOCOL, **protocol}, check=check_ready,
                         expected_status=status_rule(EXTERNAL))


def assert_ended(walk: Walk, end_event: str) -> None:
    assert walk.snapshot.status == COMPLETED
    assert walk.snapshot.ready == ()
    assert walk.snapshot.end_event == end_event
    assert walk.snapshot.next_timer_at is None
    assert ("end_reached", end_event) in {(e.kind, e.spec_id) for e in walk.result.events}


# ---------------------------------------------------------------- paths without transmission

@pytest.mark.parametrize("steps, end_event", [
    pytest.param(TO_QUALIFICATION + [("qualifier_gravite", {"qualification": "signalement"}, set())],
                 "fin_signalement", id="qualified-signalement"),
    pytest.param(TO_QUALIFICATION + [
        ("qualifier_gravite", {"qualification": "accompagnement_social"}, {"organiser_accompagnement"}),
        ("organiser_accompagnement", {}, set())], "fin_accompagnement", id="qualified-accompaniment"),
    pytest.param(TO_EVALUATION + [("evaluer_situation", {"suite": "signalement"}, set())],
                 "fin_signalement", id="evaluated-signalement"),
    pytest.param(TO_EVALUATION + [
        ("evaluer_situation", {"suite": "accompagnement_social"}, {"organiser_accompagnement"}),
        ("organiser_accompagnement", {}, set())], "fin_accompagnement", id="evaluated-accompaniment"),
])
def test_paths_that_end_without_transmission(engine, steps, end_event):
    """Signalement or social support, decided at qualification or after the evaluation."""
    walk = Walk(engine)
    assert walk.ready == {"recueillir_faits"} and walk.snapshot.status == RUNNING
    walk.follow(steps)
    assert_ended(walk, end_event)


# ---------------------------------------------------------------- transmission and follow-up

@pytest.mark.parametrize("first, second", [("enregistrer_accuse", "enregistrer_retour"),
                                           ("enregistrer_retour", "enregistrer_accuse")])
def test_ip_validated_at_once_then_acknowledgement_and_feedback(engine, first, second):
    """Transmission opens two external waits; the feedback is due three calendar months later."""
    with time_machine.travel(SENT_AT - timedelta(days=7), tick=False):
        walk = Walk(engine)
        walk.follow(TO_TRANSMISSION)
    with time_machine.travel(SENT_AT, tick=False):
        walk.do("transmettre_crip", FOLLOW_UP)
    assert walk.snapshot.status == WAITING
    assert all(view.waits_for_external for view in walk.snapshot.ready)
    assert walk.snapshot.next_timer_at == THREE_MONTHS_LATER
    assert walk.view("enregistrer_retour").due_at == THREE_MONTHS_LATER

    with time_machine.travel(SENT_AT + timedelta(days=2), tick=False):
        walk.do(first, FOLLOW_UP - {first})
    assert walk.snapshot.status == WAITING
    # the boundary timer lives as long as the feedback is awaited
    assert walk.snapshot.next_timer_at == (None if first == "enregistrer_retour" else THREE_MONTHS_LATER)
    with time_machine.travel(SENT_AT + timedelta(days=3), tick=False):
        walk.do(second, set())
    assert_ended(walk, "fin_transmise")
    assert walk.snapshot.outcome == "IP transmise, retour de la CRIP enregistré"


@pytest.mark.parametrize("returns", [1, 3])
def test_ctsd_returns_the_ip_to_the_social_worker(engine, returns):
    """Each return reopens the drafting; the iteration counts the previous rounds."""
    walk = Walk(engine)
    walk.follow(TO_VALIDATION)
    for round_ in range(1, returns + 1):
        walk.do("valider_ip", {"rediger_ip"}, **RETURN)
        for spec_id, overrides, expect in DRAFTING:
            assert walk.view(spec_id).iteration == round_
            walk.do(spec_id, expect, **overrides)
        assert walk.view("valider_ip").iteration == round_
    walk.do("valider_ip", {"transmettre_crip"})
    assert walk.view("transmettre_crip").iteration == 0
    walk.follow([("transmettre_crip", {}, FOLLOW_UP),
                 ("enregistrer_accuse", {}, {"enregistrer_retour"}),
                 ("enregistrer_retour", {}, set())])
    assert_ended(walk, "fin_transmise")


def test_feedback_overdue_twice_then_recorded(engine):
    """No CRIP feedback within 3 months: a chase task; each chase sets the next delay."""
    with time_machine.travel(SENT_AT - timedelta(days=7), tick=False):
        walk = Walk(engine)
        walk.follow(TO_TRANSMISSION)
    with time_machine.travel(SENT_AT, tick=False):
        walk.do("transmettre_crip", FOLLOW_UP)
    awaited = walk.view("enregistrer_retour")
    assert walk.snapshot.next_timer_at == THREE_MONTHS_LATER

    with time_machine.travel(THREE_MONTHS_LATER - MINUTE, tick=False):
        early = walk.advance()
    assert early.events == ()
    assert walk.ready == FOLLOW_UP and walk.view("enregistrer_retour").id == awaited.id
    assert walk.snapshot.next_timer_at == THREE_MONTHS_LATER

    with time_machine.travel(THREE_MONTHS_LATER + MINUTE, tick=False):
        fired = walk.advance()
    assert sorted((e.kind, e.spec_id) for e in fired.events) == [
        ("task_cancelled", "enregistrer_retour"), ("task_created", "relancer_crip"),
        ("timer_fired", "delai_retour_depasse")]
    assert walk.task_state(awaited.id) == "cancelled"
    assert walk.ready == {"enregistrer_accuse", "relancer_crip"}
    assert walk.snapshot.status == RUNNING and walk.snapshot.next_timer_at is None

    first_chase = THREE_MONTHS_LATER + timedelta(days=1)
    with time_machine.travel(first_chase, tick=False):
        walk.do("relancer_crip", FOLLOW_UP, delai_retour_crip="P1M")
    one_month_later = datetime(2026, 7, 10, 14, 30, tzinfo=UTC)
    assert walk.snapshot.next_timer_at == one_month_later
    assert walk.view("enregistrer_retour").id != awaited.id

    with time_machine.travel(one_month_later + MINUTE, tick=False):
        fired = walk.advance()
    assert {(e.kind, e.spec_id) for e in fired.events} == {
        ("timer_fired", "delai_retour_depasse"), ("task_cancelled", "enregistrer_retour"),
        ("task_created", "relancer_crip")}
    assert walk.view("relancer_crip").iteration == 1

    second_chase = one_month_later + timedelta(days=1)
    with time_machine.travel(second_chase, tick=False):
        walk.do("relancer_crip", FOLLOW_UP, date_relance="2026-07-11", delai_retour_crip="P15D")
    assert walk.snapshot.next_timer_at == second_chase + timedelta(days=15)

    with time_machine.travel(second_chase + timedelta(days=3), tick=False):
        walk.do("enregistrer_retour", {"enregistrer_accuse"}, date_retour="2026-07-14")
    assert walk.snapshot.next_timer_at is None
    walk.do("enregistrer_accuse", set())
    assert_ended(walk, "fin_transmise")


# ---------------------------------------------------------------- lanes and due dates

def test_every_user_task_is_offered_in_its_lane(engine):
    """Across the accompaniment path and the overdue-feedback path, every user task is met."""
    seen: dict[str, str] = {}
    walk = Walk(engine)
    walk.follow(TO_EVALUATION + [
        ("evaluer_situation", {"suite": "accompagnement_social"}, {"organiser_accompagnement"})])
    seen |= walk.lanes_seen
    with time_machine.travel(SENT_AT, tick=False):
        walk = Walk(engine)
        walk.follow(TO_TRANSMISSION + [("transmettre_crip", {}, FOLLOW_UP)])
    with time_machine.travel(THREE_MONTHS_LATER + MINUTE, tick=False):
        walk.advance()
    seen |= walk.lanes_seen
    walk = Walk(engine, route_ip="direct")
    walk.follow(TO_EVALUATION + [("evaluer_situation", {}, {"rediger_ip"})] + DRAFTING[:2]
                + [("viser_ip", {}, {"transmettre_crip_direction"})])
    seen |= walk.lanes_seen
    assert set(seen) == USER_TASKS
    assert seen == {spec_id: LANES[lane] for spec_id, lane in LANE_OF.items()}


def test_every_user_task_has_an_iso_due_delay(engine):
    """`dueIn` is an ISO 8601 duration on each of the twelve user tasks."""
    for spec_id in USER_TASKS:
        due_in = engine.describe(BUNDLE, spec_id).properties.get("dueIn", "")
        assert ISO_DURATION.fullmatch(due_in), f"{spec_id}: dueIn {due_in!r}"


def test_due_date_is_ready_time_plus_due_in(engine):
    """`due_at` is the moment the task became ready plus its `dueIn` (P1D here)."""
    started = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    with time_machine.travel(started, tick=False):
        walk = Walk(engine)
    view = walk.view("recueillir_faits")
    assert view.spec.properties["dueIn"] == "P1D"
    assert view.ready_since == started
    assert view.due_at == datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
    with time_machine.travel(started + timedelta(hours=5), tick=False):
        walk.do("recueillir_faits", {"qualifier_gravite"})
    assert walk.view("qualifier_gravite").due_at == datetime(2026, 3, 3, 13, 0, tzinfo=UTC)


# ---------------------------------------------------------------- forms

def test_samples_cover_every_user_task(engine):
    assert set(VALID) == {task.spec_id for task in engine.human_tasks(BUNDLE)} == USER_TASKS


@pytest.mark.parametrize("spec_id", sorted(VALID))
def test_samples_are_valid_against_their_forms(engine, spec_id):
    form_validator(spec_id, engine).validate(sample(spec_id))


NOT_INFORMED = dict(parents_informes=False, date_information=None, modalites=None, informes_par=None,
                    reaction_parents=None)
REASON = "Les propos de l'élève mettent en cause un adulte du foyer."


@pytest.mark.parametrize("spec_id, invalid, fixed", [
    pytest.param("informer_parents", sample("informer_parents", **NOT_INFORMED),
                 sample("informer_parents", **NOT_INFORMED, motif_non_information=REASON),
                 id="parents-not-informed-without-reason"),
    pytest.param("valider_ip", sample("valider_ip", decision="renvoyer"), sample("valider_ip", **RETURN),
                 id="return-without-comment"),
    pytest.param("rediger_ip", sample("rediger_ip", faits="   "), sample("rediger_ip"),
                 id="blank-required-text"),
    pytest.param("viser_ip", sample("viser_ip", signature="M. Durand"), sample("viser_ip"),
                 id="unknown-field"),
])
def test_forms_reject_invalid_payloads(engine, spec_id, invalid, fixed):
    """Each invalid payload is refused, and accepted once its single defect is fixed."""
    validator = form_validator(spec_id, engine)
    assert not validator.is_valid(invalid)
    assert validator.is_valid(fixed)


def test_sample_returns_an_independent_copy_with_overrides():
    payload = sample("transmettre_crip", voie="courrier_recommande", reference_envoi=None)
    payload["copies"].append("ien")
    assert payload["voie"] == "courrier_recommande" and "reference_envoi" not in payload
    assert VALID["transmettre_crip"]["copies"] == ["ia_dasen", "chef_etablissement", "ass"]


# ---------------------------------------------------------------- every path, both protocol routes

CHOICES = {
    "qualifier_gravite": {name: {"qualification": name} for name in
                          ("information_preoccupante", "signalement", "accompagnement_social")},
    "evaluer_situation": {name: {"suite": name} for name in
                          ("rediger_ip", "signalement", "accompagnement_social")},
    "valider_ip": {"valider": {"decision": "valider"}, "renvoyer": RETURN},
}


def check_lane_and_due_date(view: TaskView, now) -> None:
    assert view.lane == LANES[LANE_OF[view.spec_id]], view.spec_id
    assert view.due_at == view.ready_since + iso_duration(view.spec.properties["dueIn"], view.ready_since)


@pytest.mark.parametrize("route, paths, ends", [
    ("ctsd", 16, {"fin_transmise": 12, "fin_signalement": 2, "fin_accompagnement": 2}),
    ("direct", 10, {"fin_transmise": 6, "fin_signalement": 2, "fin_accompagnement": 2}),
])
def test_every_path_of_each_protocol_route(engine, route, paths, ends):
    """Depth-first over every choice and timer (each task twice at most on a path), saved and
    restored between steps: each route of the departmental protocol reaches its tasks only."""
    exploration = explore(engine, BUNDLE, lambda spec_id, values: sample(spec_id, **values), CHOICES,
                          start_data={**DEFAULT_PROTOCOL, "route_ip": route},
                          check=check_lane_and_due_date)
    assert len(exploration.paths) == paths
    assert exploration.ends == ends
    other_route = {"ctsd": {"transmettre_crip_direction"},
                   "direct": {"valider_ip", "gw_validation", "transmettre_crip"}}[route]
    assert exploration.elements == flow_nodes(BUNDLE) - other_route
    for path in exploration.paths:  # parents informed (or the reason why not) before any transmission
        if path.end_event == "fin_transmise":
            sent = path.index("transmettre_crip" if route == "ctsd" else "transmettre_crip_direction")
            assert path.index("informer_parents") < path.index("viser_ip") < sent


def test_orientation_to_a_signalement_asks_for_the_signalement_procedure(engine):
    """The gravity triage starts a signalement on the same case (the service does it on this event)."""
    walk = Walk(engine)
    walk.follow(TO_QUALIFICATION)
    result = walk.do("qualifier_gravite", set(), qualification="signalement")
    assert [(e.spec_id, e.starts) for e in result.events if e.kind == PROCEDURE_REQUESTED] == [
        ("fin_signalement", "signalement")]

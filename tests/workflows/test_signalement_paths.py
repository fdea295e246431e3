"""Every path of the signalement diagram, and its legal rules, through the engine façade only.

The explorer (`tests/workflows/explorer.py`) walks every path once per module; named tests then
check the rules of DOMAIN.md §2 and §8.4 on those paths, on the forms, and on the two timers
with a frozen clock.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest
import time_machine
from lxml import etree

from tests.signalement_samples import VALID, sample
from tests.workflows.explorer import TIMER, end_events, explore, flow_nodes
from tests.workflows.walk import Walker, form_validator, ready_check, status_rule
from workflows import COMPLETED, RUNNING, WAITING, StepResult, TaskView, WorkflowEngine, read_bundle
from workflows.checks import NS
from workflows.loops import effective_schema
from workflows.protocol import DEFAULT_PROTOCOL

BUNDLE = read_bundle(Path(__file__).resolve().parents[2] / "bpmn" / "signalement")

LANES = {
    "ass": "Assistant\u00b7e de service social",
    "direction": "Direction d'\u00e9tablissement",
    "ctsd": "Conseiller\u00b7\u00e8re technique d\u00e9partemental\u00b7e",
}
LANE_OF = {
    "recueillir_parole": "ass", "rediger_signalement": "ass", "confirmer_par_ecrit": "ass",
    "adresser_copies": "ass", "decider_information_parents": "ass", "suivre_signalement": "ass",
    "mettre_en_securite": "direction", "appeler_parquet": "direction",
    "repondre_requisition": "direction",
    "relancer_confirmation": "ctsd", "faire_point_suivi": "ctsd",
}
USER_TASKS = set(LANE_OF)
EXTERNAL = {"suivre_signalement"}  # waitsForExternal: the follow-up awaits the parquet's moves

CHOICES = {
    "recueillir_parole": {"danger_vital": {"danger_immediat": "danger_vital"},
                          "retour_impossible": {"danger_immediat": "retour_impossible"},
                          "pas_de_danger": {"danger_immediat": "non"}},
    "adresser_copies": {"ip": {"ip_complementaire": "engager_ip"},
                        "copie_seule": {"ip_complementaire": "copie_seule"}},
    "suivre_signalement": {"requisition": {"evenement": "requisition"},
                           "cloture": {"evenement": "cloture"}},
}
#: 3 danger choices x 2 IP choices x 16 ways through the confirmation timer and the follow-up
#: (requisition loop and follow-up timer), bounded by max_visits=2 and max_timers=2.
PATHS = 96

MINUTE = timedelta(minutes=1)
DISCLOSED_AT = datetime(2026, 11, 19, 15, 5, tzinfo=UTC)  # Thursday 16 h 05, Paris time


def payload(spec_id, overrides):
    return sample(spec_id, **overrides)


#: every ready task: its lane, its external wait flag, and `due_at` = ready time + `dueIn`
check_ready = ready_check({spec_id: LANES[lane] for spec_id, lane in LANE_OF.items()}, EXTERNAL)


@pytest.fixture(scope="module")
def lanes_seen() -> dict[str, str]:
    return {}


@pytest.fixture(scope="module")
def exploration(tmp_path_factory, lanes_seen):
    def check(view: TaskView, now: datetime) -> None:
        check_ready(view, now)
        lanes_seen[view.spec_id] = view.lane

    return explore(WorkflowEngine(tmp_path_factory.mktemp("signalement")), BUNDLE, payload, CHOICES,
                   start_data=DEFAULT_PROTOCOL, check=check)


# ---------------------------------------------------------------- every path

def test_every_path_reaches_an_end_through_every_element(exploration, lanes_seen):
    assert {p.end_event for p in exploration.paths} == end_events(BUNDLE) == {"fin"}
    assert exploration.elements == flow_nodes(BUNDLE)
    assert len(exploration.paths) == PATHS
    assert all(p.outcome == "Signalement transmis, copie adressée à la CRIP, suivi clos"
               for p in exploration.paths)
    assert lanes_seen == {spec_id: LANES[lane] for spec_id, lane in LANE_OF.items()}


def test_the_copy_to_the_crip_cannot_be_skipped(exploration):
    """L226-4 CASF: whoever seizes the procureur directly sends a copy to the CRIP, on every path."""
    for path in exploration.paths:
        assert path.did("adresser_copies"), str(path)
        assert path.index("confirmer_par_ecrit") < path.index("adresser_copies") < len(path.steps) - 1
        assert path.index("adresser_copies") < path.index("suivre_signalement")


def test_phone_call_then_signed_writing_then_written_confirmation(exploration):
    """Art. 40 CPP: the parquet is called without delay, then the signed writing confirms it."""
    for path in exploration.paths:
        order = [path.index(s) for s in ("recueillir_parole", "appeler_parquet",
                                         "rediger_signalement", "confirmer_par_ecrit")]
        assert order == sorted(order), str(path)


def test_immediate_danger_secures_the_pupil_before_the_parquet_call(exploration):
    """Emergency services and supervision come first when the danger is immediate, only then."""
    for choice in ("danger_vital", "retour_impossible"):
        paths = exploration.through("recueillir_parole", choice)
        assert paths
        for path in paths:
            assert path.did("mettre_en_securite")
            assert path.index("mettre_en_securite") < path.index("appeler_parquet")
    for path in exploration.through("recueillir_parole", "pas_de_danger"):
        assert not path.did("mettre_en_securite")


def test_complementary_ip_only_when_chosen_and_the_signalement_goes_on(exploration):
    chosen = exploration.through("adresser_copies", "ip")
    assert chosen and all("demander_ip" in p.elements for p in chosen)
    assert all(p.did("decider_information_parents") and p.end_event == "fin" for p in chosen)
    assert not any("demander_ip" in p.elements for p in exploration.through("adresser_copies",
                                                                            "copie_seule"))


def test_the_throw_event_starts_an_information_preoccupante():
    root = etree.fromstring(BUNDLE.bpmn.encode("utf-8"))
    event = root.find(".//bpmn:intermediateThrowEvent[@id='demander_ip']", NS)
    assert not [child for child in event if child.tag.endswith("EventDefinition")]  # a none event
    props = {p.get("name"): p.get("value") for p in event.iter(
        "{http://spiffworkflow.org/bpmn/schema/1.0/core}property")}
    assert props == {"startsProcedure": "information_preoccupante"}


def test_requisitions_and_follow_up_reminders_loop_back_to_the_follow_up(exploration):
    for path in exploration.through("repondre_requisition"):
        i = path.index("repondre_requisition")
        assert path.steps[i - 1].choice == "requisition"
        assert path.steps[i + 1].spec_id in ("suivre_signalement", "delai_suivi_depasse")
    reminded = [p for p in exploration.paths if p.did("delai_suivi_depasse", TIMER)]
    assert reminded
    for path in reminded:
        assert path.steps[path.index("delai_suivi_depasse") + 1].spec_id == "faire_point_suivi"


# ---------------------------------------------------------------- one instance, step by step

class Walk(Walker):
    """One instance, started with `protocol`."""

    def __init__(self, engine: WorkflowEngine, protocol=DEFAULT_PROTOCOL):
        super().__init__(engine, BUNDLE, sample, protocol, check=check_ready,
                         expected_status=status_rule(EXTERNAL))


def events(result: StepResult) -> set[tuple[str, str]]:
    return {(e.kind, e.spec_id) for e in result.events}


TO_CONFIRMATION = ["recueillir_parole", "mettre_en_securite", "appeler_parquet", "rediger_signalement"]
TO_FOLLOW_UP = ["confirmer_par_ecrit", "adresser_copies", "decider_information_parents"]


def test_engine_requests_the_complementary_ip_and_continues(engine):
    walk = Walk(engine)
    for spec_id in TO_CONFIRMATION + ["confirmer_par_ecrit"]:
        walk.do(spec_id)
    result = walk.do("adresser_copies", ip_complementaire="engager_ip")
    requested = [e for e in result.events if e.kind == "procedure_requested"]
    assert [(e.spec_id, e.starts) for e in requested] == [("demander_ip", "information_preoccupante")]
    assert walk.ready == {"decider_information_parents"}
    assert walk.snapshot.status == RUNNING
    assert not any(e.kind == "procedure_requested"
                   for e in Walk(engine).do("recueillir_parole", danger_immediat="non").events)


def test_written_confirmation_timer_escalates_to_the_ctsd_exactly_at_the_protocol_delay(engine):
    """Same-day confirmation: PT4H by default; a reminder for the CTSD, never an action."""
    with time_machine.travel(DISCLOSED_AT, tick=False):
        walk = Walk(engine)
        for spec_id in TO_CONFIRMATION:
            walk.do(spec_id)
    awaited = walk.view("confirmer_par_ecrit")
    deadline = DISCLOSED_AT + timedelta(hours=4)
    assert walk.snapshot.next_timer_at == deadline

    with time_machine.travel(deadline - MINUTE, tick=False):
        assert walk.advance().events == ()
    assert walk.ready == {"confirmer_par_ecrit"}

    with time_machine.travel(deadline + MINUTE, tick=False):
        fired = walk.advance()
    assert events(fired) == {("timer_fired", "delai_confirmation_depasse"),
                             ("task_cancelled", "confirmer_par_ecrit"),
                             ("task_created", "relancer_confirmation")}
    assert walk.task_state(awaited.id) == "cancelled"
    assert walk.ready == {"relancer_confirmation"}
    assert walk.view("relancer_confirmation").lane == LANES["ctsd"]
    assert walk.snapshot.next_timer_at is None

    chased = deadline + timedelta(minutes=30)
    with time_machine.travel(chased, tick=False):
        walk.do("relancer_confirmation")
    back = walk.view("confirmer_par_ecrit")
    assert back.id != awaited.id and back.iteration == 0
    assert walk.snapshot.next_timer_at == chased + timedelta(hours=4)
    with time_machine.travel(chased + timedelta(hours=1), tick=False):
        walk.do("confirmer_par_ecrit")
    assert walk.ready == {"adresser_copies"} and walk.snapshot.next_timer_at is None


def test_confirmation_delay_comes_from_the_departmental_protocol(engine):
    with time_machine.travel(DISCLOSED_AT, tick=False):
        walk = Walk(engine, {**DEFAULT_PROTOCOL, "delai_confirmation_signalement": "PT2H"})
        for spec_id in TO_CONFIRMATION:
            walk.do(spec_id)
    assert walk.snapshot.next_timer_at == DISCLOSED_AT + timedelta(hours=2)


def test_follow_up_point_with_the_ctsd_after_one_calendar_month(engine):
    followed_at = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    one_month_later = datetime(2026, 12, 20, 9, 0, tzinfo=UTC)
    with time_machine.travel(DISCLOSED_AT, tick=False):
        walk = Walk(engine)
        for spec_id in TO_CONFIRMATION + TO_FOLLOW_UP[:2]:
            walk.do(spec_id)
    with time_machine.travel(followed_at, tick=False):
        walk.do("decider_information_parents")
    awaited = walk.view("suivre_signalement")
    assert walk.snapshot.status == WAITING  # only the external follow-up is ready
    assert walk.snapshot.next_timer_at == one_month_later == awaited.due_at

    with time_machine.travel(one_month_later - MINUTE, tick=False):
        assert walk.advance().events == ()
    with time_machine.travel(one_month_later + MINUTE, tick=False):
        fired = walk.advance()
    assert events(fired) == {("timer_fired", "delai_suivi_depasse"),
                             ("task_cancelled", "suivre_signalement"),
                             ("task_created", "faire_point_suivi")}
    assert walk.ready == {"faire_point_suivi"} and walk.snapshot.status == RUNNING
    assert walk.view("faire_point_suivi").lane == LANES["ctsd"]

    with time_machine.travel(one_month_later + timedelta(days=1), tick=False):
        walk.do("faire_point_suivi")
    assert walk.view("suivre_signalement").id != awaited.id
    assert walk.snapshot.next_timer_at == datetime(2027, 1, 21, 9, 0, tzinfo=UTC)
    walk.do("suivre_signalement")
    assert walk.snapshot.status == COMPLETED and walk.snapshot.end_event == "fin"


def test_requisitions_are_capped_so_the_follow_up_always_ends(engine):
    """After `loopLimit` requisitions the published form no longer offers one: the next choice closes."""
    walk = Walk(engine)
    for spec_id in TO_CONFIRMATION + TO_FOLLOW_UP:
        walk.do(spec_id)
    view = walk.view("suivre_signalement")
    limit = int(view.spec.properties["loopLimit"])
    assert view.spec.properties["loopChoice"] == "evenement=requisition" and limit == 10
    form = BUNDLE.form("forms/suivre_signalement.json")
    for round_ in range(limit):
        view = walk.view("suivre_signalement")
        assert view.iteration == round_
        offered = [o["const"] for o in effective_schema(form, view.spec, view.iteration)
                   ["properties"]["evenement"]["oneOf"]]
        assert offered == ["requisition", "cloture"]
        walk.do("suivre_signalement", evenement="requisition")
        assert walk.ready == {"repondre_requisition"}
        assert walk.view("repondre_requisition").lane == LANES["direction"]
        walk.do("repondre_requisition")
    view = walk.view("suivre_signalement")
    capped = effective_schema(form, view.spec, view.iteration)
    assert [o["const"] for o in capped["properties"]["evenement"]["oneOf"]] == ["cloture"]
    assert not jsonschema.Draft202012Validator(capped).is_valid(
        sample("suivre_signalement", evenement="requisition"))
    walk.do("suivre_signalement")
    assert walk.snapshot.status == COMPLETED


# ---------------------------------------------------------------- forms

def test_samples_cover_every_user_task(engine):
    assert set(VALID) == {task.spec_id for task in engine.human_tasks(BUNDLE)} == USER_TASKS


@pytest.mark.parametrize("spec_id", sorted(VALID))
def test_samples_are_valid_against_their_forms(spec_id):
    form_validator(BUNDLE, spec_id).validate(sample(spec_id))


HOUSEHOLD_INFORMED = dict(auteur_presume_du_foyer=True, consigne_parquet_information=False,
                          parents_informes=True, date_information="2026-11-20", modalites="entretien")
UNSIGNED = dict(signe_par_recueillant=False)
EXCEPTION = "Le professeur qui a recueilli la parole est en arrêt maladie depuis le 20 novembre."


@pytest.mark.parametrize("spec_id, invalid, fixed", [
    pytest.param("rediger_signalement", sample("rediger_signalement", **UNSIGNED),
                 sample("rediger_signalement", **UNSIGNED, motif_exception=EXCEPTION),
                 id="not-signed-by-the-listener-without-reason"),
    pytest.param("rediger_signalement", sample("rediger_signalement", **UNSIGNED, motif_exception="  "),
                 sample("rediger_signalement", **UNSIGNED, motif_exception=EXCEPTION),
                 id="blank-exception-reason"),
    pytest.param("decider_information_parents",
                 sample("decider_information_parents", **HOUSEHOLD_INFORMED),
                 sample("decider_information_parents",
                        **{**HOUSEHOLD_INFORMED, "consigne_parquet_information": True}),
                 id="household-author-parents-informed-without-parquet-instruction"),
    pytest.param("decider_information_parents",
                 sample("decider_information_parents", **HOUSEHOLD_INFORMED),
                 sample("decider_information_parents",
                        **{**HOUSEHOLD_INFORMED, "auteur_presume_du_foyer": False}),
                 id="parents-informed-is-fine-when-the-author-is-outside-the-household"),
    pytest.param("decider_information_parents", sample("decider_information_parents", motif=None),
                 sample("decider_information_parents"), id="parents-decision-without-reason"),
    pytest.param("decider_information_parents",
                 sample("decider_information_parents", **{**HOUSEHOLD_INFORMED, "date_information": None,
                                                          "consigne_parquet_information": True}),
                 sample("decider_information_parents",
                        **{**HOUSEHOLD_INFORMED, "consigne_parquet_information": True}),
                 id="parents-informed-without-date"),
    pytest.param("adresser_copies", sample("adresser_copies", copie_crip_adressee=False),
                 sample("adresser_copies"), id="crip-copy-not-sent"),
    pytest.param("confirmer_par_ecrit", sample("confirmer_par_ecrit", signalement_signe_joint=False),
                 sample("confirmer_par_ecrit"), id="confirmation-without-signed-writing"),
    pytest.param("recueillir_parole",
                 sample("recueillir_parole", paroles=[{"propos": "« C'est mon beau-père. »"}]),
                 sample("recueillir_parole", paroles=[{"question": "Parole spontanée",
                                                       "propos": "« C'est mon beau-père. »"}]),
                 id="words-without-the-question-asked"),
    pytest.param("recueillir_parole", sample("recueillir_parole", paroles=[]),
                 sample("recueillir_parole", paroles=None, source="constat"),
                 id="child-spoke-but-no-words-recorded"),
    pytest.param("recueillir_parole", sample("recueillir_parole", motif_danger=None),
                 sample("recueillir_parole"), id="danger-decision-without-reason"),
    pytest.param("mettre_en_securite", sample("mettre_en_securite", motif_sans_secours=None),
                 sample("mettre_en_securite", motif_sans_secours=None, secours_appeles=["17"],
                        date_heure_appel_secours="2026-11-19T16:20:00+01:00"),
                 id="no-emergency-call-without-reason"),
    pytest.param("mettre_en_securite", sample("mettre_en_securite", secours_appeles=["15"]),
                 sample("mettre_en_securite", secours_appeles=["15"],
                        date_heure_appel_secours="2026-11-19T16:20:00+01:00"),
                 id="emergency-call-without-time"),
    pytest.param("adresser_copies", sample("adresser_copies", motif_ip=None),
                 sample("adresser_copies"), id="ip-choice-without-justification"),
    pytest.param("suivre_signalement", sample("suivre_signalement", evenement="classer"),
                 sample("suivre_signalement"), id="unknown-follow-up-choice"),
    pytest.param("appeler_parquet", sample("appeler_parquet", consignes_recues=None),
                 sample("appeler_parquet"), id="call-without-instructions"),
])
def test_forms_reject_invalid_payloads(spec_id, invalid, fixed):
    """Each invalid payload is refused, and accepted once its single defect is fixed."""
    validator = form_validator(BUNDLE, spec_id)
    assert validator.is_valid(invalid) is False
    assert validator.is_valid(fixed) is True


@pytest.mark.parametrize("spec_id, phrases", [
    ("recueillir_parole", ["questions ouvertes", "Ne menez pas d'enquête", "ne prévenez pas",
                           "ne l'examinez pas", "L'urgence passe avant ce formulaire"]),
    ("appeler_parquet", ["N'attendez pas une validation hiérarchique", "Ne confrontez jamais"]),
    ("mettre_en_securite", ["17", "15", "sous la surveillance", "avant ses consignes"]),
    ("decider_information_parents", ["auteur présumé", "consigne du parquet"]),
    ("adresser_copies", ["CRIP", "protocole départemental", "IEN"]),
])
def test_guardrails_are_on_the_screens(engine, spec_id, phrases):
    instructions = engine.describe(BUNDLE, spec_id).instructions
    for phrase in phrases:
        assert phrase in instructions, phrase


def test_audit_events_of_the_transmission(engine):
    props = {t.spec_id: t.properties for t in engine.human_tasks(BUNDLE)}
    assert props["confirmer_par_ecrit"]["completionEvent"] == "signalement_sent"
    assert props["adresser_copies"]["completionEvent"] == "crip_copy_sent"

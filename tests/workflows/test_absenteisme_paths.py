"""Every path of the absentéisme diagram, through the engine façade only.

Each step restores the instance from its saved state (as the service does between two requests),
checks the full form payload against the task's form, then completes the task with its engine
fields only.

The monthly count is a loop: reaching the persistence step (R131-7 II) takes three monthly
counts (threshold, then threshold again after the avertissement, then closure). Exploring every
choice three times over takes minutes, so the every-path test runs two explorations: every
choice with at most two visits per task, and the persistence paths with three.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import MappingProxyType

import pytest
import time_machine

from tests.absenteisme_samples import VALID, sample
from tests.workflows.explorer import Exploration, end_events, explore, flow_nodes
from tests.workflows.walk import Walker, form_validator, ready_check, schema_validator, status_rule
from workflows import COMPLETED, RUNNING, WAITING, Bundle, WorkflowEngine, read_bundle
from workflows.loops import effective_schema
from workflows.protocol import DEFAULT_PROTOCOL

BUNDLE = read_bundle(Path(__file__).resolve().parents[2] / "bpmn" / "absenteisme")

LANES = {
    "ass": "Assistant\u00b7e de service social",
    "direction": "Direction d'\u00e9tablissement",
}
LANE_OF = {
    "ouvrir_dossier": "direction", "engager_dialogue": "direction", "compter_absences": "direction",
    "reunir_equipe_educative": "direction", "reunir_commission_educative": "direction",
    "faire_signer_document": "direction", "mettre_en_place_dispositif": "direction",
    "transmettre_dasen": "direction", "enregistrer_suites_dasen": "direction",
    "relancer_dasen": "direction",
    "soutenir_dialogue": "ass", "conduire_enquete_sociale": "ass",
}
USER_TASKS = set(LANE_OF)
EXTERNAL = {"enregistrer_suites_dasen"}  # waitsForExternal
MEETINGS = {"reunir_equipe_educative", "reunir_commission_educative"}
ISO_DURATION = re.compile(r"P(?=\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?")
MINUTE = timedelta(minutes=1)

IP = {"engager_ip": True, "motif_ip": "Le 12 octobre, traces de coups sur le visage ; l'élève dit "
                                      "« ne pas vouloir rentrer chez lui »."}
CLOSE = {"demi_journees_non_justifiees": 0, "suite": "clore",
         "bilan_annuel": "Assiduité rétablie depuis mars ; dispositif suivi par le référent."}
NO_WARNING = {"avertissement_adresse": False, "date_avertissement": None}

CHOICES = {
    "ouvrir_dossier": {"premier_degre": {"degre": "premier_degre", "classe": "CM2"},
                       "second_degre": {"degre": "second_degre"}},
    "engager_dialogue": {"avec_ass": {}, "sans_ass": {"ass_sollicitee": False, "motif_sollicitation": None}},
    "compter_absences": {"veille_ip": {"demi_journees_non_justifiees": 3, **IP},
                         "seuil": {"demi_journees_non_justifiees": 4},
                         "cloture": CLOSE},
    "enregistrer_suites_dasen": {"avertissement": {},
                                 "enquete": {**NO_WARNING, "enquete_sociale_ordonnee": True}},
    "conduire_enquete_sociale": {"sans_ip": {},
                                 "ip": {"engager_ip_enquete": True,
                                        "motif_ip": "Lors de la visite du 28 janvier, l'élève dit être "
                                                    "enfermé seul le soir."}},
}
#: The persistence paths: threshold twice (the avertissement between), then closure.
PERSISTENCE_CHOICES = {
    "compter_absences": {"seuil": {"demi_journees_non_justifiees": 4}, "cloture": CLOSE},
    "enregistrer_suites_dasen": {"avertissement": {}},
    "conduire_enquete_sociale": CHOICES["conduire_enquete_sociale"],
}


def payload(spec_id: str, overrides) -> dict:
    return sample(spec_id, **overrides)


#: every ready task: its lane, its external wait flag, and `due_at` = ready time + `dueIn`
check_ready = ready_check({spec_id: LANES[lane] for spec_id, lane in LANE_OF.items()}, EXTERNAL)


@pytest.fixture(scope="module")
def explorer_engine(tmp_path_factory):
    return WorkflowEngine(tmp_path_factory.mktemp("absenteisme"))


@pytest.fixture(scope="module")
def every_path(explorer_engine) -> Exploration:
    return explore(explorer_engine, BUNDLE, payload, CHOICES, start_data=DEFAULT_PROTOCOL, max_visits=2,
                   max_timers=1, check=check_ready)


@pytest.fixture(scope="module")
def persistence(explorer_engine) -> Exploration:
    return explore(explorer_engine, BUNDLE, payload, PERSISTENCE_CHOICES, start_data=DEFAULT_PROTOCOL,
                   max_visits=3, max_timers=0, check=check_ready)


# ---------------------------------------------------------------- every path

def test_every_path_ends_and_every_element_is_passed(every_path, persistence):
    """Both degrees, with or without the ASS, every threshold, DASEN answer, IP and reminder."""
    assert set(every_path.ends) == set(persistence.ends) == end_events(BUNDLE) == {"fin_cloture"}
    assert every_path.elements | persistence.elements == flow_nodes(BUNDLE)
    assert flow_nodes(BUNDLE) - every_path.elements == {"mettre_en_place_dispositif"}
    assert len(every_path.paths) == 32
    assert len(persistence.paths) == 4
    assert {p.outcome for p in every_path.paths} == {"Dossier d'assiduité clos en fin d'année scolaire"}


def test_a_random_client_ends_well_under_a_hundred_steps(every_path, persistence):
    assert max(len(p.steps) for p in every_path.paths + persistence.paths) < 30


def _rounds(path) -> list[list[str]]:
    """Each monthly count and the steps after it, until the next count (or the end);
    a step is `spec_id` or `spec_id[choice]` when a named choice was taken."""
    rounds: list[list[str]] = []
    for step in path.steps:
        name = f"{step.spec_id}[{step.choice}]" if step.choice else step.spec_id
        if step.spec_id == "compter_absences":
            rounds.append([name])
        elif rounds:
            rounds[-1].append(name)
    return rounds


def test_four_half_days_without_warning_convene_the_team_and_refer_to_the_dasen(every_path, persistence):
    """R131-7 I, L131-8: at 4 demi-journées in the month, meeting, signed summary, DASEN referral,
    before the next monthly count; after an avertissement, the contractualised scheme instead."""
    seen = 0
    for path in every_path.paths + persistence.paths:
        warned = False
        for round_ in _rounds(path):
            tasks = [name.split("[")[0] for name in round_[1:] if name.split("[")[0] in USER_TASKS]
            if round_[0] == "compter_absences[seuil]" and not warned:
                seen += 1
                assert tasks[0] in MEETINGS and tasks[1:3] == ["faire_signer_document", "transmettre_dasen"], \
                    str(path)
                assert "enregistrer_suites_dasen" in tasks, str(path)
            elif round_[0] == "compter_absences[seuil]":
                assert tasks[:2] == ["mettre_en_place_dispositif", "transmettre_dasen"], str(path)
            warned = warned or "enregistrer_suites_dasen[avertissement]" in round_
    assert seen == 27


def test_fewer_than_four_half_days_keep_watching(every_path):
    """Under the threshold, the next step is the next monthly count: no meeting, no referral."""
    for path in every_path.through("compter_absences", "veille_ip"):
        for round_ in _rounds(path):
            if round_[0] == "compter_absences[veille_ip]":
                assert round_ == ["compter_absences[veille_ip]"], str(path)


def test_the_degree_chooses_the_meeting(every_path):
    """Équipe éducative in the first degree, commission éducative in the second (R131-7 I)."""
    first = every_path.through("ouvrir_dossier", "premier_degre")
    second = every_path.through("ouvrir_dossier", "second_degre")
    assert first and second
    assert all(not p.did("reunir_commission_educative") for p in first)
    assert all(not p.did("reunir_equipe_educative") for p in second)
    assert any(p.did("reunir_equipe_educative") for p in first)


def test_persistence_after_the_warning_builds_the_contract_then_a_new_referral(persistence):
    """R131-7 II: contractualised scheme and référent, new report to the DASEN, enquête by the ASS."""
    persisted = persistence.through("mettre_en_place_dispositif")
    assert len(persisted) == 2
    for path in persisted:
        ids = [s.spec_id for s in path.steps]
        start = ids.index("mettre_en_place_dispositif")
        assert ids[start - 1] == "compter_absences" and ids.count("compter_absences") == 3
        assert ids[start:start + 4] == ["mettre_en_place_dispositif", "transmettre_dasen",
                                        "enregistrer_suites_dasen", "conduire_enquete_sociale"]


def test_the_social_inquiry_is_done_only_when_ordered_or_on_persistence(every_path):
    for path in every_path.paths:
        for i, step in enumerate(path.steps):
            if step.spec_id == "enregistrer_suites_dasen":
                ordered = step.choice == "enquete"
                assert (path.steps[i + 1].spec_id == "conduire_enquete_sociale") == ordered, str(path)


def test_the_ass_supports_the_dialogue_only_when_asked(every_path):
    assert all(p.did("soutenir_dialogue") == p.did("engager_dialogue", "avec_ass") for p in every_path.paths)


def test_the_file_is_closed_only_by_a_person_choosing_closure(every_path, persistence):
    """R131-6: the file is for the school year; only the closing choice reaches the end."""
    for path in every_path.paths + persistence.paths:
        assert path.steps[-1].spec_id == "compter_absences" and path.steps[-1].choice == "cloture"


# ---------------------------------------------------------------- the decision table

DECISION_PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs" targetNamespace="https://vigie.test">
  <bpmn:process id="essai_etape" isExecutable="true">
    <bpmn:startEvent id="debut" />
    <bpmn:userTask id="saisir" name="Saisir">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="forms/saisir.json" />
        <spiffworkflow:property name="engineFields" value="demi_journees_non_justifiees,avertissement_envoye" />
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:businessRuleTask id="decider">
      <bpmn:extensionElements>
        <spiffworkflow:calledDecisionId>etape_assiduite</spiffworkflow:calledDecisionId>
      </bpmn:extensionElements>
    </bpmn:businessRuleTask>
    <bpmn:exclusiveGateway id="etape_gw" default="f_veille" />
    <bpmn:endEvent id="veille" /><bpmn:endEvent id="commission" /><bpmn:endEvent id="dispositif" />
    <bpmn:sequenceFlow id="f1" sourceRef="debut" targetRef="saisir" />
    <bpmn:sequenceFlow id="f2" sourceRef="saisir" targetRef="decider" />
    <bpmn:sequenceFlow id="f3" sourceRef="decider" targetRef="etape_gw" />
    <bpmn:sequenceFlow id="f_commission" sourceRef="etape_gw" targetRef="commission">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">etape == "commission"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_dispositif" sourceRef="etape_gw" targetRef="dispositif">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">etape == "dispositif"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_veille" sourceRef="etape_gw" targetRef="veille">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">etape == "veille"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
  </bpmn:process>
</bpmn:definitions>"""
#: The shipped decision table, run alone: the count and the history in, the end reached out.
DECISION = Bundle("essai_etape", MappingProxyType({
    "essai_etape.bpmn": DECISION_PROCESS, "forms/saisir.json": "{}",
    "etape_assiduite.dmn": BUNDLE.files["etape_assiduite.dmn"]}))


@pytest.mark.parametrize("half_days, warned, expected", [
    (0, False, "veille"), (3, False, "veille"), (4, False, "commission"), (5, False, "commission"),
    (62, False, "commission"),
    (0, True, "veille"), (3, True, "veille"), (4, True, "dispositif"), (10, True, "dispositif"),
    (62, True, "dispositif"),
])
def test_decision_table_applies_the_legal_thresholds(engine, half_days, warned, expected):
    """< 4 → veille; ≥ 4 without avertissement → commission (R131-7 I); after it → dispositif (II)."""
    run, result = engine.start(DECISION)
    (view,) = result.snapshot.ready
    result = run.complete(view.id, {"demi_journees_non_justifiees": half_days, "avertissement_envoye": warned})
    assert result.snapshot.status == COMPLETED
    assert result.snapshot.end_event == expected


def test_decision_table_never_reads_danger():
    """The table reads the count and the history only: danger is a human decision."""
    table = BUNDLE.files["etape_assiduite.dmn"]
    inputs = re.findall(r"<inputExpression[^>]*>\s*<text>([^<]+)</text>", table)
    assert inputs == ["demi_journees_non_justifiees", "avertissement_envoye"]
    assert 'hitPolicy="UNIQUE"' in table


# ---------------------------------------------------------------- walking one instance

class Walk(Walker):
    """One instance, started with the default protocol."""

    def __init__(self, engine: WorkflowEngine):
        super().__init__(engine, BUNDLE, sample, DEFAULT_PROTOCOL,
                         check=check_ready,
                         expected_status=status_rule(EXTERNAL))


TO_COUNT = [("ouvrir_dossier", {}, {"engager_dialogue"}),
            ("engager_dialogue", {"ass_sollicitee": False, "motif_sollicitation": None}, {"compter_absences"})]
COMMISSION = [("reunir_commission_educative", {}, {"faire_signer_document"}),
              ("faire_signer_document", {}, {"transmettre_dasen"})]


def test_the_warning_is_remembered_without_being_typed_again(engine):
    """After an avertissement, the next month at 4 is persistence; without one, a new referral."""
    walk = Walk(engine)
    walk.follow(TO_COUNT + [("compter_absences", {}, {"reunir_commission_educative"})] + COMMISSION
                + [("transmettre_dasen", {}, {"enregistrer_suites_dasen"}),
                   ("enregistrer_suites_dasen", NO_WARNING, {"compter_absences"}),
                   ("compter_absences", {"demi_journees_non_justifiees": 4}, {"reunir_commission_educative"})]
                + COMMISSION + [("transmettre_dasen", {}, {"enregistrer_suites_dasen"}),
                                ("enregistrer_suites_dasen", {}, {"compter_absences"}),
                                ("compter_absences", {"demi_journees_non_justifiees": 2}, {"compter_absences"}),
                                ("compter_absences", {"demi_journees_non_justifiees": 4},
                                 {"mettre_en_place_dispositif"})])
    props = BUNDLE.form("forms/compter_absences.json")["properties"]
    assert not [name for name in props if "avertissement" in name]


def test_a_later_answer_without_warning_does_not_erase_it(engine):
    walk = Walk(engine)
    walk.follow(TO_COUNT + [("compter_absences", {}, {"reunir_commission_educative"})] + COMMISSION
                + [("transmettre_dasen", {}, {"enregistrer_suites_dasen"}),
                   ("enregistrer_suites_dasen", {}, {"compter_absences"}),
                   ("compter_absences", {}, {"mettre_en_place_dispositif"}),
                   ("mettre_en_place_dispositif", {}, {"transmettre_dasen"}),
                   ("transmettre_dasen", {}, {"enregistrer_suites_dasen"}),
                   ("enregistrer_suites_dasen", NO_WARNING, {"conduire_enquete_sociale"}),
                   ("conduire_enquete_sociale", {}, {"compter_absences"}),
                   ("compter_absences", {}, {"mettre_en_place_dispositif"})])


@pytest.mark.parametrize("spec_id, steps", [
    pytest.param("compter_absences", TO_COUNT, id="monthly-count"),
    pytest.param("conduire_enquete_sociale", TO_COUNT + [("compter_absences", {}, {"reunir_commission_educative"})]
                 + COMMISSION + [("transmettre_dasen", {}, {"enregistrer_suites_dasen"}),
                                 ("enregistrer_suites_dasen", {"enquete_sociale_ordonnee": True},
                                  {"conduire_enquete_sociale"})], id="social-inquiry"),
])
def test_danger_indicators_start_an_ip_and_the_file_continues(engine, spec_id, steps):
    """A person's decision starts an information préoccupante on the same case (L226-2-1 CASF)."""
    walk = Walk(engine)
    walk.follow(steps)
    field = "engager_ip" if spec_id == "compter_absences" else "engager_ip_enquete"
    overrides = {field: True, "motif_ip": "Traces de coups constatées le 12 octobre.",
                 "demi_journees_non_justifiees": 1}
    if spec_id != "compter_absences":
        overrides.pop("demi_journees_non_justifiees")
    result = walk.do(spec_id, {"compter_absences"}, **overrides)
    requested = [(e.kind, e.starts) for e in result.events if e.kind == "procedure_requested"]
    assert requested == [("procedure_requested", "information_preoccupante")]
    assert walk.snapshot.status == RUNNING
    # without the box ticked, no IP is requested
    result = walk.do("compter_absences", {"compter_absences"}, demi_journees_non_justifiees=0)
    assert not [e for e in result.events if e.kind == "procedure_requested"]


def test_closure_ends_the_file_for_the_school_year(engine):
    walk = Walk(engine)
    walk.follow(TO_COUNT)
    result = walk.do("compter_absences", set(), **CLOSE)
    assert walk.snapshot.status == COMPLETED and walk.snapshot.end_event == "fin_cloture"
    assert walk.snapshot.outcome == "Dossier d'assiduité clos en fin d'année scolaire"
    assert ("end_reached", "fin_cloture") in {(e.kind, e.spec_id) for e in result.events}
    assert walk.snapshot.next_timer_at is None


def test_the_monthly_loop_is_capped_at_twelve(engine):
    """After twelve counts the published schema no longer offers « poursuivre » (loopLimit)."""
    spec = engine.describe(BUNDLE, "compter_absences")
    assert spec.properties["loopLimit"] == "12" and spec.properties["loopChoice"] == "suite=poursuivre"
    options = [o["const"] for o in BUNDLE.form("forms/compter_absences.json")["properties"]["suite"]["oneOf"]]
    assert options == ["poursuivre", "clore"]
    walk = Walk(engine)
    walk.follow(TO_COUNT)
    for month in range(12):
        assert walk.view("compter_absences").iteration == month
        walk.do("compter_absences", {"compter_absences"}, demi_journees_non_justifiees=month % 4)
    assert walk.view("compter_absences").iteration == 12
    assert effective_schema(BUNDLE.form("forms/compter_absences.json"), spec, 11) == \
        BUNDLE.form("forms/compter_absences.json")
    published = effective_schema(BUNDLE.form("forms/compter_absences.json"), spec, 12)
    assert [o["const"] for o in published["properties"]["suite"]["oneOf"]] == ["clore"]
    assert "douze décomptes" in published["properties"]["suite"]["description"]
    assert not schema_validator(published).is_valid(sample("compter_absences"))
    walk.do("compter_absences", set(), **CLOSE)
    assert walk.snapshot.status == COMPLETED


# ---------------------------------------------------------------- the reminder timer

SENT_AT = datetime(2026, 11, 6, 15, 0, tzinfo=UTC)
ONE_MONTH_LATER = datetime(2026, 12, 6, 15, 0, tzinfo=UTC)


def test_dasen_answer_overdue_creates_a_reminder_then_the_record_comes_back(engine):
    """One calendar month after the referral, a reminder task; the awaited task is ready at once."""
    with time_machine.travel(SENT_AT - timedelta(days=10), tick=False):
        walk = Walk(engine)
        walk.follow(TO_COUNT + [("compter_absences", {}, {"reunir_commission_educative"})] + COMMISSION)
    with time_machine.travel(SENT_AT, tick=False):
        walk.do("transmettre_dasen", {"enregistrer_suites_dasen"})
    awaited = walk.view("enregistrer_suites_dasen")
    assert walk.snapshot.status == WAITING
    assert walk.snapshot.next_timer_at == ONE_MONTH_LATER
    assert awaited.due_at == ONE_MONTH_LATER

    with time_machine.travel(ONE_MONTH_LATER - MINUTE, tick=False):
        early = walk.advance()
    assert early.events == ()
    assert walk.view("enregistrer_suites_dasen").id == awaited.id

    with time_machine.travel(ONE_MONTH_LATER + MINUTE, tick=False):
        fired = walk.advance()
    assert sorted((e.kind, e.spec_id) for e in fired.events) == [
        ("task_cancelled", "enregistrer_suites_dasen"), ("task_created", "relancer_dasen"),
        ("timer_fired", "delai_suites_depasse")]
    assert walk.task_state(awaited.id) == "cancelled"
    assert walk.ready == {"relancer_dasen"} and walk.snapshot.status == RUNNING
    assert walk.snapshot.next_timer_at is None

    chased = ONE_MONTH_LATER + timedelta(days=1)
    with time_machine.travel(chased, tick=False):
        walk.do("relancer_dasen", {"enregistrer_suites_dasen"}, delai_suites_dasen="P15D")
    assert walk.view("enregistrer_suites_dasen").id != awaited.id
    assert walk.snapshot.next_timer_at == chased + timedelta(days=15)
    with time_machine.travel(chased + timedelta(days=3), tick=False):
        walk.do("enregistrer_suites_dasen", {"compter_absences"})
    assert walk.snapshot.next_timer_at is None


def test_a_new_referral_resets_the_reminder_to_one_month(engine):
    """The delay chosen at a reminder applies to that wait only."""
    walk = Walk(engine)
    walk.follow(TO_COUNT + [("compter_absences", {}, {"reunir_commission_educative"})] + COMMISSION)
    with time_machine.travel(SENT_AT, tick=False):
        walk.do("transmettre_dasen", {"enregistrer_suites_dasen"})
    with time_machine.travel(ONE_MONTH_LATER + MINUTE, tick=False):
        walk.advance()
        walk.do("relancer_dasen", {"enregistrer_suites_dasen"}, delai_suites_dasen="P15D")
        walk.do("enregistrer_suites_dasen", {"compter_absences"})
        walk.do("compter_absences", {"mettre_en_place_dispositif"})
        walk.do("mettre_en_place_dispositif", {"transmettre_dasen"})
    second = datetime(2027, 1, 14, 9, 0, tzinfo=UTC)
    with time_machine.travel(second, tick=False):
        walk.do("transmettre_dasen", {"enregistrer_suites_dasen"})
    assert walk.snapshot.next_timer_at == datetime(2027, 2, 14, 9, 0, tzinfo=UTC)


# ---------------------------------------------------------------- lanes, deadlines, forms

def test_every_user_task_has_a_lane_and_an_iso_due_delay(engine):
    tasks = {task.spec_id: task for task in engine.human_tasks(BUNDLE)}
    assert set(tasks) == USER_TASKS
    for spec_id, task in tasks.items():
        assert task.lane == LANES[LANE_OF[spec_id]]
        assert ISO_DURATION.fullmatch(task.properties.get("dueIn", "")), spec_id
        assert task.instructions and task.documentation, spec_id


def test_the_referral_is_audited(engine):
    props = engine.describe(BUNDLE, "transmettre_dasen").properties
    assert props["completionEvent"] == "dasen_referral_sent"


def test_samples_cover_every_user_task(engine):
    assert set(VALID) == {task.spec_id for task in engine.human_tasks(BUNDLE)} == USER_TASKS


@pytest.mark.parametrize("spec_id", sorted(VALID))
def test_samples_are_valid_against_their_forms(spec_id):
    form_validator(BUNDLE, spec_id).validate(sample(spec_id))


@pytest.mark.parametrize("spec_id, invalid, fixed", [
    pytest.param("compter_absences", sample("compter_absences", demi_journees_non_justifiees=63),
                 sample("compter_absences", demi_journees_non_justifiees=62), id="more-than-62-half-days"),
    pytest.param("compter_absences", sample("compter_absences", demi_journees_non_justifiees=-1),
                 sample("compter_absences", demi_journees_non_justifiees=0), id="negative-count"),
    pytest.param("compter_absences", sample("compter_absences", demi_journees_non_justifiees=4.5),
                 sample("compter_absences", demi_journees_non_justifiees=4), id="count-not-an-integer"),
    pytest.param("compter_absences", sample("compter_absences", engager_ip=True),
                 sample("compter_absences", **IP), id="ip-without-indicators"),
    pytest.param("compter_absences", sample("compter_absences", suite="clore"),
                 sample("compter_absences", **CLOSE), id="closure-without-review"),
    pytest.param("engager_dialogue", sample("engager_dialogue", motif_sollicitation=None),
                 sample("engager_dialogue", ass_sollicitee=False, motif_sollicitation=None),
                 id="ass-asked-without-reason"),
    pytest.param("faire_signer_document", sample("faire_signer_document", document_signe=False),
                 sample("faire_signer_document", document_signe=False, date_signature=None,
                        motif_absence_signature="La mère ne s'est pas présentée le 5 novembre."),
                 id="unsigned-without-reason"),
    pytest.param("faire_signer_document", sample("faire_signer_document", date_signature=None),
                 sample("faire_signer_document"), id="signed-without-date"),
    pytest.param("mettre_en_place_dispositif", sample("mettre_en_place_dispositif", referent_nom=" "),
                 sample("mettre_en_place_dispositif"), id="no-referent-designated"),
    pytest.param("mettre_en_place_dispositif", sample("mettre_en_place_dispositif", famille_associee=False),
                 sample("mettre_en_place_dispositif", famille_associee=False,
                        motif_non_association="La famille n'a pas répondu aux deux convocations."),
                 id="family-not-associated-without-reason"),
    pytest.param("enregistrer_suites_dasen", sample("enregistrer_suites_dasen", date_avertissement=None),
                 sample("enregistrer_suites_dasen"), id="warning-without-date"),
    pytest.param("enregistrer_suites_dasen", sample("enregistrer_suites_dasen", saisine_procureur=True),
                 sample("enregistrer_suites_dasen", saisine_procureur=True, date_saisine="2027-03-01"),
                 id="prosecutor-without-date"),
    pytest.param("conduire_enquete_sociale", sample("conduire_enquete_sociale", engager_ip_enquete=True),
                 sample("conduire_enquete_sociale", engager_ip_enquete=True, motif_ip="Propos du 28 janvier."),
                 id="inquiry-ip-without-reason"),
    pytest.param("relancer_dasen", sample("relancer_dasen", delai_suites_dasen="P3D"),
                 sample("relancer_dasen"), id="reminder-delay-not-offered"),
    pytest.param("transmettre_dasen", sample("transmettre_dasen", pieces_jointes=[]),
                 sample("transmettre_dasen"), id="referral-without-documents"),
    pytest.param("ouvrir_dossier", sample("ouvrir_dossier", annee_scolaire="2026"),
                 sample("ouvrir_dossier", annee_scolaire="2026-2027"), id="school-year-not-offered"),
    pytest.param("ouvrir_dossier", sample("ouvrir_dossier", avertissement_envoye=True),
                 sample("ouvrir_dossier"), id="unknown-field"),
])
def test_forms_reject_invalid_payloads(spec_id, invalid, fixed):
    """Each invalid payload is refused, and accepted once its single defect is fixed."""
    validator = form_validator(BUNDLE, spec_id)
    assert validator.is_valid(invalid) is False
    assert validator.is_valid(fixed) is True

"""Every path of the inclusion (disability) diagram, through the engine façade only.

Two explorations cover the diagram: every choice with each task done once (`max_visits=1`), and
the loops back to a new MDPH request (réexamen after an ESS, renewal of the rights) with each task
done at most twice. Directed walks then check each legal timer with a frozen clock, and the forms
are checked against the rules they must publish. Only decisions and dates are stored: no form
asks for medical details.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest
import time_machine

from tests.inclusion_handicap_samples import VALID, sample
from tests.workflows.explorer import TIMER, end_events, explore, flow_nodes
from tests.workflows.walk import Walker, form_validator, ready_check, status_rule
from workflows import COMPLETED, RUNNING, WAITING, WorkflowEngine, read_bundle
from workflows.protocol import DEFAULT_PROTOCOL
from workflows.run import iso_duration

BUNDLE = read_bundle(Path(__file__).resolve().parents[2] / "bpmn" / "inclusion_handicap")

LANES = {"ass": "Assistant\u00b7e de service social", "direction": "Direction d'\u00e9tablissement"}
LANE_OF = {
    "convoquer_reunion": "direction", "decider_reponse": "direction", "elaborer_pai": "direction",
    "enregistrer_avis_medecin": "direction", "elaborer_pap": "direction", "reviser_pap": "direction",
    "rappeler_revision_pap": "direction", "renseigner_geva_premiere": "direction",
    "renseigner_geva_reexamen": "direction", "mettre_en_oeuvre_pps": "direction", "tenir_ess": "direction",
    "rappeler_ess": "direction",
    "apporter_evaluation_sociale": "ass", "proposer_accompagnement": "ass", "accompagner_famille": "ass",
    "enregistrer_depot_mdph": "ass", "enregistrer_decision_cdaph": "ass", "relancer_mdph": "ass",
    "enregistrer_recours": "ass", "rappeler_delai_recours": "ass", "enregistrer_reponse_rapo": "ass",
    "relancer_cdaph_rapo": "ass", "preparer_renouvellement": "ass",
}
USER_TASKS = set(LANE_OF)
EXTERNAL = {"enregistrer_avis_medecin", "enregistrer_depot_mdph", "enregistrer_decision_cdaph",
            "enregistrer_recours", "enregistrer_reponse_rapo"}
#: timer event → (task it interrupts, reminder task it creates, legal duration)
TIMERS = {
    "silence_mdph": ("enregistrer_decision_cdaph", "relancer_mdph", "P4M"),
    "delai_recours": ("enregistrer_recours", "rappeler_delai_recours", "P2M"),
    "silence_cdaph_rapo": ("enregistrer_reponse_rapo", "relancer_cdaph_rapo", "P2M"),
    "delai_ess": ("tenir_ess", "rappeler_ess", "P1Y"),
    "delai_revision_pap": ("reviser_pap", "rappeler_revision_pap", "P1Y"),
    "echeance_droits": ("tenir_ess", "preparer_renouvellement", None),  # set from the rights' duration
}
MINUTE = timedelta(minutes=1)
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

MOTIF = "La famille préfère attendre la fin de l'année scolaire."
CHOICES = {
    "decider_reponse": {"mdph": {}, "pap": {"reponse": "pap"}, "pai": {"reponse": "pai"},
                        "droit_commun": {"reponse": "droit_commun"}},
    "enregistrer_avis_medecin": {"favorable": {}, "non_donne": {"avis_medecin": "non_donne"}},
    "reviser_pap": {"fin": {}, "maintenir": {"suite_pap": "maintenir"},
                    "mdph": {"suite_pap": "demande_mdph"}},
    "proposer_accompagnement": {"accepte": {}, "decline": {"accompagnement": "decline"}},
    "enregistrer_depot_mdph": {"depose": {}, "ne_depose_pas": {"depot": "ne_depose_pas", "date_depot": None,
                                                               "motif": MOTIF}},
    "enregistrer_decision_cdaph": {"satisfaisante": {}, "contestee": {"avis_famille": "non_satisfaisante"},
                                   "rejet": {"sens_decision": "rejet"}},
    "enregistrer_recours": {"rapo": {}, "aucun": {"recours": "pas_de_recours"}},
    "enregistrer_reponse_rapo": {"maintenue": {}, "modifiee": {"issue_rapo": "decision_modifiee"}},
    "tenir_ess": {"fin": {}, "poursuivre": {"issue_ess": "poursuivre"},
                  "reexamen": {"issue_ess": "nouvelle_demande"}},
    "preparer_renouvellement": {"demande": {}, "aucun": {"renouvellement": "pas_de_demande", "motif": MOTIF}},
}
#: the loops back to a new request: from an ESS (réexamen) or from the renewal reminder
DANGER = {"information_preoccupante": True,
          "motif_information_preoccupante": "L'élève dit ne plus vouloir rentrer chez lui le soir depuis une semaine."}
LOOP_CHOICES = {
    "apporter_evaluation_sociale": {"sans_danger": {}, "danger": DANGER},
    "decider_reponse": {"equipe_educative": {}, "ess": {"instance": "ess"}},
    "enregistrer_decision_cdaph": {"un_an": {"duree_droits": "P1Y"}},
    "tenir_ess": {"fin": {}, "reexamen": {"issue_ess": "nouvelle_demande"}},
    "preparer_renouvellement": {"demande": {}, "aucun": {"renouvellement": "pas_de_demande", "motif": MOTIF}},
}
PATHS, LOOP_PATHS = 75, 32  # change when the diagram changes


def payload(spec_id: str, overrides) -> dict:
    return sample(spec_id, **overrides)


#: every ready task: its lane, its external wait flag, and `due_at` = ready time + `dueIn`
check_ready = ready_check({spec_id: LANES[lane] for spec_id, lane in LANE_OF.items()}, EXTERNAL)


@pytest.fixture(scope="module")
def explorations(tmp_path_factory):
    engine = WorkflowEngine(tmp_path_factory.mktemp("engine"))
    every = explore(engine, BUNDLE, payload, CHOICES, start_data=DEFAULT_PROTOCOL, max_visits=1,
                    max_timers=1, check=check_ready)
    loops = explore(engine, BUNDLE, payload, LOOP_CHOICES, start_data=DEFAULT_PROTOCOL, max_visits=2,
                    max_timers=1, check=check_ready)
    return every, loops


# ---------------------------------------------------------------- every path

def test_every_path_reaches_an_outcome_and_every_element_is_passed(explorations):
    every, loops = explorations
    assert len(every.paths) == PATHS
    assert len(loops.paths) == LOOP_PATHS
    assert set(every.ends) | set(loops.ends) == end_events(BUNDLE)
    assert every.elements | loops.elements == flow_nodes(BUNDLE)
    assert all(p.outcome for p in every.paths + loops.paths)


def test_every_user_task_is_offered_in_its_lane(explorations):
    every, loops = explorations
    done = {s.spec_id for p in every.paths + loops.paths for s in p.steps}
    assert USER_TASKS <= done


def test_timers_only_create_a_reminder_for_a_person(explorations):
    """A timer never decides: the next step is always the reminder task it created."""
    every, loops = explorations
    fired = 0
    for path in every.paths + loops.paths:
        for i, step in enumerate(path.steps):
            if step.choice == TIMER:
                fired += 1
                assert path.steps[i + 1].spec_id == TIMERS[step.spec_id][1], str(path)
    assert fired and {s.spec_id for p in every.paths + loops.paths for s in p.steps if s.choice == TIMER} \
        == set(TIMERS)


# ---------------------------------------------------------------- legal rules on every path

def test_pps_only_after_a_lodged_application_and_a_cdaph_decision(explorations):
    """No PPS without the family's MDPH application and a recorded, non-rejection CDAPH decision."""
    every, loops = explorations
    paths = [p for p in every.paths + loops.paths if p.did("mettre_en_oeuvre_pps")]
    assert paths
    for path in paths:
        first = path.index("mettre_en_oeuvre_pps")
        before = [s.spec_id for s in path.steps[:first]]
        assert "enregistrer_depot_mdph" in before and "enregistrer_decision_cdaph" in before
        assert not path.did("enregistrer_depot_mdph", "ne_depose_pas")
        last_decision = max(i for i, s in enumerate(path.steps[:first]) if s.spec_id == "enregistrer_decision_cdaph")
        assert path.steps[last_decision].choice != "rejet"


def test_rejection_ends_without_pps(explorations):
    every, _ = explorations
    rejected = [p for p in every.paths if p.end_event == "fin_rejet"]
    assert rejected and not any(p.did("mettre_en_oeuvre_pps") for p in rejected)
    assert {p.outcome for p in rejected} == {"Demande rejetée par la CDAPH"}


def test_family_may_decline_the_support_and_may_decline_to_apply(explorations):
    every, _ = explorations
    alone = [p for p in every.paths if p.did("proposer_accompagnement", "decline")]
    assert any(p.did("enregistrer_decision_cdaph") for p in alone)
    assert not any(p.did("accompagner_famille") for p in alone)
    declined = [p for p in every.paths if p.did("enregistrer_depot_mdph", "ne_depose_pas")]
    assert declined and {p.end_event for p in declined} == {"fin_sans_demande"}
    assert {p.outcome for p in declined} == {"La famille ne dépose pas de demande"}
    assert not any(p.did("enregistrer_decision_cdaph") for p in declined)


def test_a_contested_decision_opens_the_recourse_record(explorations):
    every, _ = explorations
    contested = every.through("enregistrer_decision_cdaph", "contestee")
    assert contested
    for path in contested:
        assert path.index("enregistrer_recours") > path.index("enregistrer_decision_cdaph")
    assert not any(p.did("enregistrer_recours") for p in every.through("enregistrer_decision_cdaph",
                                                                          "satisfaisante"))


def test_pap_only_after_a_favourable_opinion_of_the_doctor(explorations):
    every, _ = explorations
    paths = every.through("elaborer_pap")
    assert paths
    for path in paths:
        assert path.did("enregistrer_avis_medecin", "favorable")
        assert path.index("enregistrer_avis_medecin") < path.index("elaborer_pap") < path.index("reviser_pap")
    assert {p.end_event for p in every.through("enregistrer_avis_medecin", "non_donne")} == {"fin_pap_non_retenu"}


def test_geva_sco_reexamen_for_a_pupil_with_pps_and_first_request_otherwise(explorations):
    _, loops = explorations
    for path in loops.paths:
        ess_start = path.did("decider_reponse", "ess")
        first_geva = next(s.spec_id for s in path.steps if s.spec_id.startswith("renseigner_geva"))
        assert first_geva == ("renseigner_geva_reexamen" if ess_start else "renseigner_geva_premiere")
        if ess_start:
            assert not path.did("renseigner_geva_premiere")


def test_every_implemented_pps_is_followed_by_an_ess_or_a_renewal(explorations):
    """D351-10: after each PPS implementation the ESS is held (or the rights are renewed) before the end."""
    every, loops = explorations
    for path in every.paths + loops.paths:
        if not path.did("mettre_en_oeuvre_pps"):
            continue
        last = max(i for i, s in enumerate(path.steps) if s.spec_id == "mettre_en_oeuvre_pps")
        after = {s.spec_id for s in path.steps[last:]}
        assert after & {"tenir_ess", "preparer_renouvellement"}, str(path)


def test_danger_spotted_by_the_social_worker_starts_an_information_preoccupante(engine):
    """The IP procedure is requested on the same case; this procedure goes on to the team's decision."""
    walk = Walk(engine)
    walk.follow(["convoquer_reunion"])
    result = walk.do("apporter_evaluation_sociale", **DANGER)
    assert [(e.kind, e.spec_id, e.starts) for e in result.events if e.kind == "procedure_requested"] == [
        ("procedure_requested", "engager_ip", "information_preoccupante")]
    assert walk.ready == {"decider_reponse"}
    walk = Walk(engine)
    walk.follow(["convoquer_reunion"])
    assert not [e for e in walk.do("apporter_evaluation_sociale").events if e.kind == "procedure_requested"]
    assert walk.ready == {"decider_reponse"}


def test_a_pupil_with_pps_never_gets_a_pap(engine):
    form = BUNDLE.form("forms/decider_reponse.json")
    validator = jsonschema.Draft202012Validator(form)
    assert not validator.is_valid(sample("decider_reponse", instance="ess", reponse="pap"))
    assert validator.is_valid(sample("decider_reponse", instance="ess", reponse="pps_mdph"))
    assert validator.is_valid(sample("decider_reponse", instance="equipe_educative", reponse="pap"))


# ---------------------------------------------------------------- directed walks and timers

class Walk(Walker):
    """One instance, started with the default protocol."""

    def __init__(self, engine: WorkflowEngine):
        super().__init__(engine, BUNDLE, sample, DEFAULT_PROTOCOL,
                         check=check_ready,
                         expected_status=status_rule(EXTERNAL))


TO_DEPOT = ["convoquer_reunion", "apporter_evaluation_sociale", "decider_reponse", "renseigner_geva_premiere",
            "proposer_accompagnement", "accompagner_famille"]


def walk_to(engine, at: datetime, *extra) -> Walk:
    with time_machine.travel(at, tick=False):
        walk = Walk(engine)
        walk.follow([*TO_DEPOT, *extra])
    return walk


def fire(walk: Walk, at: datetime, timer: str) -> None:
    """Nothing happens a minute before `at`; a minute after, the timer interrupts the awaited task
    and creates its reminder."""
    awaited, reminder, _ = TIMERS[timer]
    before = walk.view(awaited)
    assert walk.snapshot.next_timer_at == at
    with time_machine.travel(at - MINUTE, tick=False):
        assert walk.advance().events == ()
    assert walk.view(awaited).id == before.id
    with time_machine.travel(at + MINUTE, tick=False):
        events = {(e.kind, e.spec_id) for e in walk.advance().events}
    assert {("timer_fired", timer), ("task_cancelled", awaited), ("task_created", reminder)} <= events
    assert walk.task_state(before.id) == "cancelled"
    assert awaited not in walk.ready and reminder in walk.ready


def test_mdph_silence_reminder_after_four_months(engine):
    """R241-33 CASF: four months without a decision → reminder; the decision can then be recorded."""
    walk = walk_to(engine, T0)
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        walk.do("enregistrer_depot_mdph")
    assert walk.ready == {"enregistrer_decision_cdaph"} and walk.snapshot.status == WAITING
    lodged = T0 + timedelta(hours=1)
    four_months = datetime(2027, 3, 23, 10, 0, tzinfo=UTC)
    assert walk.view("enregistrer_decision_cdaph").due_at == four_months == lodged + iso_duration("P4M", lodged)
    fire(walk, four_months, "silence_mdph")
    assert walk.snapshot.status == RUNNING
    chased = four_months + timedelta(days=2)
    with time_machine.travel(chased, tick=False):
        walk.do("relancer_mdph")
    assert walk.ready == {"enregistrer_decision_cdaph"}
    assert walk.snapshot.next_timer_at == chased + iso_duration("P4M", chased)
    with time_machine.travel(chased + timedelta(days=10), tick=False):
        walk.do("enregistrer_decision_cdaph")
    assert walk.ready == {"mettre_en_oeuvre_pps"}


def test_recourse_window_of_two_months_then_cdaph_answer_within_two_months(engine):
    """RAPO within two months of the notification; the CDAPH answers within two months."""
    walk = walk_to(engine, T0, "enregistrer_depot_mdph")
    notified = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    with time_machine.travel(notified, tick=False):
        walk.do("enregistrer_decision_cdaph", avis_famille="non_satisfaisante")
    assert walk.ready == {"enregistrer_recours"} and walk.snapshot.status == WAITING
    fire(walk, datetime(2027, 5, 1, 9, 0, tzinfo=UTC), "delai_recours")
    with time_machine.travel(datetime(2027, 5, 2, 9, 0, tzinfo=UTC), tick=False):
        walk.do("rappeler_delai_recours")
    assert walk.ready == {"enregistrer_recours"}
    lodged = datetime(2027, 5, 3, 9, 0, tzinfo=UTC)
    with time_machine.travel(lodged, tick=False):
        walk.do("enregistrer_recours")
    assert walk.ready == {"enregistrer_reponse_rapo"}
    fire(walk, datetime(2027, 7, 3, 9, 0, tzinfo=UTC), "silence_cdaph_rapo")
    with time_machine.travel(datetime(2027, 7, 4, 9, 0, tzinfo=UTC), tick=False):
        walk.do("relancer_cdaph_rapo")
        walk.do("enregistrer_reponse_rapo", issue_rapo="decision_modifiee")
    assert walk.ready == {"enregistrer_decision_cdaph"}
    assert walk.view("enregistrer_decision_cdaph").iteration == 1
    walk.do("enregistrer_decision_cdaph")
    assert walk.ready == {"mettre_en_oeuvre_pps"}


def test_the_family_may_renounce_the_recourse(engine):
    walk = walk_to(engine, T0, "enregistrer_depot_mdph")
    walk.do("enregistrer_decision_cdaph", sens_decision="rejet", decisions=None, date_debut=None, date_fin=None,
            duree_droits=None, avis_famille="non_satisfaisante")
    walk.do("enregistrer_recours", recours="pas_de_recours", date_rapo=None)
    assert walk.snapshot.status == COMPLETED and walk.snapshot.end_event == "fin_rejet"


def test_ess_is_offered_at_once_and_recalled_after_one_year(engine):
    """D351-10: the ESS evaluates the PPS at least once a year; a reminder after one year."""
    walk = walk_to(engine, T0, "enregistrer_depot_mdph", "enregistrer_decision_cdaph")
    implemented = datetime(2027, 4, 6, 8, 0, tzinfo=UTC)
    with time_machine.travel(implemented, tick=False):
        walk.do("mettre_en_oeuvre_pps")
    assert walk.ready == {"tenir_ess"} and walk.snapshot.status == RUNNING
    assert walk.view("tenir_ess").due_at == datetime(2028, 4, 6, 8, 0, tzinfo=UTC)
    fire(walk, datetime(2028, 4, 6, 8, 0, tzinfo=UTC), "delai_ess")
    with time_machine.travel(datetime(2028, 4, 7, 8, 0, tzinfo=UTC), tick=False):
        walk.do("rappeler_ess")
    assert walk.ready == {"tenir_ess"}
    walk.do("tenir_ess", issue_ess="poursuivre")
    assert walk.ready == {"tenir_ess"} and walk.view("tenir_ess").iteration == 1
    walk.do("tenir_ess")
    assert walk.snapshot.status == COMPLETED and walk.snapshot.end_event == "fin_suivi"
    assert walk.snapshot.outcome == "Fin du suivi de la scolarisation"


@pytest.mark.parametrize("rights, months", [("P1Y", 6), ("P2Y", 18), ("P3Y", 30), ("P4Y", 42), ("P5Y", 54)])
def test_renewal_reminder_six_months_before_the_rights_end(engine, rights, months):
    """The renewal reminder counts from the PPS, whatever the ESS held meanwhile (they restart
    only the yearly ESS reminder), and falls six months before the end of the rights."""
    walk = walk_to(engine, T0, "enregistrer_depot_mdph")
    implemented = datetime(2027, 4, 6, 8, 0, tzinfo=UTC)
    with time_machine.travel(implemented, tick=False):
        walk.do("enregistrer_decision_cdaph", duree_droits=rights)
        walk.do("mettre_en_oeuvre_pps")
    renewal = implemented + iso_duration(f"P{months}M", implemented)
    held = implemented
    while walk.snapshot.next_timer_at != renewal:  # hold each ESS a month before its reminder
        assert walk.snapshot.next_timer_at < renewal
        held = walk.snapshot.next_timer_at - timedelta(days=30)
        with time_machine.travel(held, tick=False):
            walk.do("tenir_ess", issue_ess="poursuivre")
    assert held + iso_duration("P1Y", held) > renewal
    fire(walk, renewal, "echeance_droits")
    assert walk.ready == {"preparer_renouvellement"}
    walk.do("preparer_renouvellement")
    assert walk.ready == {"renseigner_geva_reexamen"}


def test_pap_is_reviewed_every_year(engine):
    with time_machine.travel(T0, tick=False):
        walk = Walk(engine)
        walk.follow(["convoquer_reunion", "apporter_evaluation_sociale", ("decider_reponse", {"reponse": "pap"}),
                     "enregistrer_avis_medecin", "elaborer_pap"])
    assert walk.ready == {"reviser_pap"}
    fire(walk, T0 + iso_duration("P1Y", T0), "delai_revision_pap")
    walk.do("rappeler_revision_pap")
    walk.do("reviser_pap", suite_pap="maintenir")
    assert walk.view("reviser_pap").iteration == 1
    walk.do("reviser_pap", suite_pap="demande_mdph")
    assert walk.ready == {"renseigner_geva_premiere"}


def test_loops_are_capped_on_their_looping_choice(engine):
    """The service stops offering the looping value after `loopLimit` iterations."""
    for spec_id, (field, value) in {"reviser_pap": ("suite_pap", "maintenir"),
                                    "tenir_ess": ("issue_ess", "poursuivre"),
                                    "enregistrer_depot_mdph": ("depot", "depose"),
                                    "enregistrer_reponse_rapo": ("issue_rapo", "decision_modifiee")}.items():
        spec = engine.describe(BUNDLE, spec_id)
        assert spec.properties["loopChoice"] == f"{field}={value}"
        assert 1 <= int(spec.properties["loopLimit"]) <= 10
        options = [o["const"] for o in BUNDLE.form(spec.form_file)["properties"][field]["oneOf"]]
        assert value in options and len(options) >= 2  # an exit stays offered


# ---------------------------------------------------------------- forms

def test_samples_cover_every_user_task(engine):
    assert set(VALID) == {t.spec_id for t in engine.human_tasks(BUNDLE)} == USER_TASKS


@pytest.mark.parametrize("spec_id", sorted(VALID))
def test_samples_are_valid_against_their_forms(spec_id):
    form_validator(BUNDLE, spec_id).validate(sample(spec_id))


NO_DECISION = dict(decisions=None, date_debut=None, date_fin=None, duree_droits=None)


@pytest.mark.parametrize("spec_id, invalid, fixed", [
    pytest.param("convoquer_reunion", sample("convoquer_reunion", famille_invitee=False),
                 sample("convoquer_reunion"), id="family-not-invited"),
    pytest.param("apporter_evaluation_sociale", sample("apporter_evaluation_sociale", date_entretien=None),
                 sample("apporter_evaluation_sociale", date_entretien=None, entretien_famille="propose_refuse"),
                 id="interview-without-date"),
    pytest.param("apporter_evaluation_sociale", sample("apporter_evaluation_sociale", information_preoccupante=True),
                 sample("apporter_evaluation_sociale", **DANGER), id="information-preoccupante-without-reason"),
    pytest.param("decider_reponse", sample("decider_reponse", motif="  "), sample("decider_reponse"),
                 id="decision-without-reason"),
    pytest.param("elaborer_pai", sample("elaborer_pai", participants=["famille", "enseignants"]),
                 sample("elaborer_pai", participants=["famille", "medecin_pmi"]), id="pai-without-doctor"),
    pytest.param("elaborer_pai", sample("elaborer_pai", accord_famille=False), sample("elaborer_pai"),
                 id="pai-without-family-agreement"),
    pytest.param("elaborer_pap", sample("elaborer_pap", sans_diagnostic=False), sample("elaborer_pap"),
                 id="pap-medical-box-unticked"),
    pytest.param("enregistrer_depot_mdph", sample("enregistrer_depot_mdph", date_depot=None),
                 sample("enregistrer_depot_mdph", date_depot="2026-12-15"), id="lodged-without-date"),
    pytest.param("enregistrer_depot_mdph",
                 sample("enregistrer_depot_mdph", depot="ne_depose_pas", date_depot=None),
                 sample("enregistrer_depot_mdph", depot="ne_depose_pas", date_depot=None, motif=MOTIF),
                 id="not-lodged-without-reason"),
    pytest.param("enregistrer_decision_cdaph", sample("enregistrer_decision_cdaph", duree_droits=None),
                 sample("enregistrer_decision_cdaph", duree_droits=None, sens_decision="rejet"),
                 id="grant-without-duration"),
    pytest.param("enregistrer_decision_cdaph", sample("enregistrer_decision_cdaph", decisions=[]),
                 sample("enregistrer_decision_cdaph", sens_decision="rejet", **NO_DECISION),
                 id="grant-without-decision"),
    pytest.param("enregistrer_decision_cdaph", sample("enregistrer_decision_cdaph", duree_droits="P6Y"),
                 sample("enregistrer_decision_cdaph", duree_droits="P5Y"), id="rights-beyond-five-years"),
    pytest.param("relancer_mdph", sample("relancer_mdph", famille_informee=False), sample("relancer_mdph"),
                 id="implicit-rejection-not-explained"),
    pytest.param("enregistrer_recours", sample("enregistrer_recours", date_rapo=None),
                 sample("enregistrer_recours", recours="pas_de_recours", date_rapo=None), id="rapo-without-date"),
    pytest.param("mettre_en_oeuvre_pps", sample("mettre_en_oeuvre_pps", aesh="non_concerne"),
                 sample("mettre_en_oeuvre_pps", aesh="en_attente"), id="aesh-measure-without-assignment"),
    pytest.param("mettre_en_oeuvre_pps", sample("mettre_en_oeuvre_pps", date_entretien_accueil=None),
                 sample("mettre_en_oeuvre_pps", date_entretien_accueil=None, aesh="en_attente"),
                 id="aesh-assigned-without-welcome-interview"),
    pytest.param("tenir_ess", sample("tenir_ess", participants=["enseignants", "enseignant_referent"]),
                 sample("tenir_ess"), id="ess-without-family"),
    pytest.param("preparer_renouvellement",
                 sample("preparer_renouvellement", renouvellement="pas_de_demande", motif=None),
                 sample("preparer_renouvellement", renouvellement="pas_de_demande"), id="no-renewal-without-reason"),
    pytest.param("tenir_ess", sample("tenir_ess", diagnostic="trouble du spectre autistique"), sample("tenir_ess"),
                 id="unknown-field"),
])
def test_forms_reject_invalid_payloads(spec_id, invalid, fixed):
    """Each invalid payload is refused, and accepted once its single defect is fixed."""
    assert not form_validator(BUNDLE, spec_id).is_valid(invalid)
    assert form_validator(BUNDLE, spec_id).is_valid(fixed)


HEALTH_WORDS = re.compile(r"diagnost|patholog|traitement|handicap_type|sant[eé]|m[eé]dical", re.IGNORECASE)


@pytest.mark.parametrize("spec_id", sorted(USER_TASKS))
def test_no_form_asks_for_medical_details(engine, spec_id):
    """Only decisions and dates: no field is named after health data, and every task with a
    free-text field tells the person not to write any medical information."""
    form = BUNDLE.form(f"forms/{spec_id}.json")
    for name, prop in form["properties"].items():
        assert not HEALTH_WORDS.search(name) or prop.get("const") is True, f"{spec_id}.{name}"
    free_text = [n for n, p in form["properties"].items()
                 if p.get("type") == "string" and "format" not in p and "oneOf" not in p and p["maxLength"] > 200]
    if free_text:
        instructions = engine.describe(BUNDLE, spec_id).instructions or ""
        assert "aucune information médicale" in instructions.lower(), spec_id

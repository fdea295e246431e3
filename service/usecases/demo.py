"""Demo data: one user per role, two establishments, cases at different steps.

Everything goes through the use cases, so the demo's audit trail is a real one.
"""
from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import func, select

from ..access import Actor
from ..extensions import db
from ..models import HumanTask, User, uai_with_check_letter
from . import accounts
from .cases import Pupil, open_case
from .procedures import start_procedure
from .tasks import complete_task

DEPARTEMENT = "75"
COLLEGE = uai_with_check_letter("0759991")
LYCEE = uai_with_check_letter("0759992")
USERS = {  # username: (role, establishments, département)
    "ass.demo": ("ass", (COLLEGE, LYCEE), None),
    "direction.demo": ("direction", (COLLEGE,), None),
    "ctsd.demo": ("ctsd", (), DEPARTEMENT),
    "auditeur.demo": ("auditeur", (), DEPARTEMENT),
    "admin.demo": ("admin", (), None),
}

STEPS = {
    "recueillir_faits": {
        "date_constat": "2026-11-02", "source": "eleve",
        "faits": "Le 2 novembre, en fin de cours, l'élève est restée dans la salle et a dit à son "
                 "professeur principal qu'elle ne voulait pas rentrer chez elle le soir.",
        "paroles_eleve": "« À la maison ça crie tout le temps, j'ai peur quand il rentre. »",
        "contexte": "Salle 12, 16 h 30, en présence du professeur principal seul.",
        "direction_alertee": True, "personnes_associees": ["infirmier", "cpe"]},
    "qualifier_gravite": {
        "qualification": "information_preoccupante",
        "motif": "Propos évoquant un climat de violences au domicile, sans fait pénal caractérisé "
                 "rapporté à ce stade ; l'élève rentre chez elle ce soir."},
    "evaluer_situation": {
        "date_entretien_eleve": "2026-11-04", "entretien_famille": "non_realise_interet_enfant",
        "fratrie_concernee": True,
        "synthese": "Entretien avec l'élève le 4 novembre : propos constants, fatigue, baisse des "
                    "résultats depuis la rentrée. Un frère cadet scolarisé à l'école voisine.",
        "suite": "rediger_ip"},
    "rediger_ip": {
        "faits": "Le 2 novembre 2026, l'élève a confié au professeur principal ne pas vouloir "
                 "rentrer chez elle. Le 4 novembre, elle a rapporté à l'ASS : « j'ai peur quand il "
                 "rentre, il casse des choses ».",
        "actions_menees": "Entretien ASS le 4 novembre ; point infirmier ; vigilance de l'équipe "
                          "éducative.", "urgence": "ordinaire"},
    "informer_parents": {
        "parents_informes": False,
        "motif_non_information": "Les propos de l'élève désignent un adulte du foyer : informer "
                                 "les parents l'exposerait à des pressions (intérêt contraire)."},
    "viser_ip": {"date_visa": "2026-11-05", "observations": "Vu, transmission à effectuer sans délai."},
    "valider_ip": {"decision": "valider"},
    "transmettre_crip": {"date_transmission": "2026-11-06", "voie": "messagerie_securisee",
                         "copies": ["ia_dasen", "chef_etablissement"]},
    "enregistrer_accuse": {"date_accuse": "2026-11-09", "reference_crip": "CRIP75-2026-1148"},
}
RETURNED = {"decision": "renvoyer",
            "commentaire": "Merci de préciser la chronologie et de citer entre guillemets les "
                           "propos du 2 novembre."}
ACCOMPAGNEMENT = {"qualifier_gravite": {"qualification": "accompagnement_social",
                                        "motif": "Difficultés financières ponctuelles, famille "
                                                 "coopérante, pas de danger identifié."},
                  "organiser_accompagnement": {"actions_prevues": "Aide à la demande de fonds "
                                               "social collégien ; point dans un mois.",
                                               "orientation": "mds", "date_point_suivi": "2026-12-07"}}

IP = "information_preoccupante"
CASES = [  # pupil, establishment, procedure, the steps to complete, the data to use instead of STEPS
    (("MARTIN", "Léa", date(2013, 3, 14)), COLLEGE, IP, ["recueillir_faits"], {}),
    (("BERNARD", "Hugo", date(2012, 9, 2)), COLLEGE, IP,
     ["recueillir_faits", "qualifier_gravite", "evaluer_situation", "rediger_ip",
      "informer_parents", "viser_ip"], {}),
    (("DUBOIS", "Chloé", date(2011, 1, 27)), COLLEGE, IP,
     ["recueillir_faits", "qualifier_gravite", "evaluer_situation", "rediger_ip",
      "informer_parents", "viser_ip", "valider_ip"], {"valider_ip": RETURNED}),
    (("N'DIAYE", "Aïssatou", date(2012, 6, 11)), COLLEGE, IP,
     ["recueillir_faits", "qualifier_gravite", "evaluer_situation", "rediger_ip",
      "informer_parents", "viser_ip", "valider_ip", "transmettre_crip", "enregistrer_accuse"], {}),
    (("LEFÈVRE", "Noé", date(2009, 11, 30)), LYCEE, IP,
     ["recueillir_faits", "qualifier_gravite", "organiser_accompagnement"], ACCOMPAGNEMENT),
    # the other procedures, each at its first step
    (("GARCIA", "Lucas", date(2012, 4, 19)), COLLEGE, "signalement", [], {}),
    (("MOREAU", "Inès", date(2011, 10, 8)), COLLEGE, "harcelement", [], {}),
    (("ROUX", "Zoé", date(2013, 7, 23)), COLLEGE, "mediation", [], {}),
    (("PETIT", "Nathan", date(2014, 2, 5)), COLLEGE, "inclusion_handicap", [], {}),
    (("FAURE", "Manon", date(2010, 12, 1)), COLLEGE, "absenteisme", [], {}),
]


def load_demo(if_empty: bool = False) -> dict[str, tuple[str, str]] | None:
    """Create the demo; return {username: (role, password)}, or None when users already exist."""
    if if_empty and db.session.scalar(select(func.count()).select_from(User)):
        db.session.rollback()
        return None
    system = Actor.system()
    accounts.add_establishment(system, COLLEGE, "Collège des Tilleuls (démo)", DEPARTEMENT)
    accounts.add_establishment(system, LYCEE, "Lycée Simone-Veil (démo)", DEPARTEMENT)
    passwords, actors = {}, {}
    for username, (role, establishments, departement) in USERS.items():
        password = secrets.token_urlsafe(12)
        user = accounts.create_user(system, username, role, password, establishments, departement)
        passwords[username] = (role, password)
        actors[role] = Actor(user.id, username, role, frozenset(e.id for e in user.establishments),
                             departement)
    for (last, first, born), uai, process_id, steps, overrides in CASES:
        case = open_case(actors["ass"], Pupil(last, first, born), uai)
        procedure_id = start_procedure(actors["ass"], case.id, process_id).procedure_id
        for step in steps:
            _complete(actors, procedure_id, step, overrides.get(step) or STEPS[step])
    return passwords


def _complete(actors: dict[str, Actor], procedure_id: int, step: str, data: dict) -> None:
    # the task is looked up, not read through `inbox`: nobody viewed an inbox, and the demo's
    # trail holds only what the demo users did
    task = db.session.scalar(select(HumanTask).where(
        HumanTask.procedure_id == procedure_id, HumanTask.spec_id == step, HumanTask.state == "ready"))
    if task is None or task.role not in actors:
        raise LookupError(f"demo: no ready task {step} on procedure {procedure_id}")
    complete_task(actors[task.role], task.id, data)

"""Realistic form payloads for the user tasks of `mediation` (médiation école–famille).

One payload per task, valid against its form (`bpmn/mediation/forms/<task>.json`), with every
field a social worker or a head of school would fill. One story runs through them: a 4e pupil of
a collège whose mother contests the punishments given by a teacher, November 2026 to January
2027. Defaults follow the main path: request admissible, every party consents, the mediation
goes on after the family interview, agreement at the first joint meeting, validated by the
principal, respected at the follow-up meeting.
"""
from __future__ import annotations

from tests.samples import Payload, sampler

VALID: dict[str, Payload] = {
    "recevoir_demande": {
        "date_demande": "2026-11-16",
        "demandeur": "famille",
        "demandeur_precision": "Mme Benali, mère de l'élève",
        "canal": "telephone",
        "categorie_objet": "relation_eleve_enseignant",
        "urgence": "prioritaire",
        "parties": "Mme Benali — mère\nYanis Benali — élève de 4e B\nM. Roche — professeur de "
                   "mathématiques\nMme Garnier — principale",
        "expose": "Mme Benali indique que son fils a reçu quatre punitions de M. Roche depuis la "
                  "rentrée des vacances d'automne (3, 6, 10 et 13 novembre), qu'elle juge injustes. Elle "
                  "dit ne plus réussir à échanger avec l'enseignant et envisage de garder Yanis à la "
                  "maison les jours de mathématiques.",
    },
    "analyser_recevabilite": {
        "date_analyse": "2026-11-18",
        "recevabilite": "recevable",
        "motif": "Différend sur des punitions et rupture de la communication entre la famille et un "
                 "enseignant. Aucun élément de danger ni d'infraction ; pas de procédure disciplinaire "
                 "engagée ; les punitions ne sont pas des décisions susceptibles de recours. Médiation "
                 "possible.",
        "avis_sollicites": ["direction"],
    },
    "recueillir_consentements": {
        "date_recueil": "2026-11-20",
        "forme_consentement": "ecrit",
        "neutralite_expliquee": True,
        "limites_confidentialite_expliquees": True,
        "consentement_famille": True,
        "consentement_eleve": True,
        "consentement_etablissement": True,
    },
    "entretien_famille": {
        "date_entretien": "2026-11-24",
        "personnes_rencontrees": ["mere", "eleve"],
        "synthese": "Mme Benali et Yanis ont exposé leur point de vue. Yanis dit ne pas comprendre les "
                    "consignes données à l'oral et « se faire punir quand il demande ». La mère souhaite "
                    "être prévenue avant une punition et pouvoir rencontrer l'enseignant.",
        "attentes_famille": "Un rendez-vous avec M. Roche ; des consignes écrites au tableau ; un moyen "
                            "simple de joindre le professeur principal.",
        "suite_entretien": "poursuivre",
    },
    "entretien_equipe": {
        "date_entretien": "2026-11-26",
        "personnes_rencontrees": ["enseignant", "professeur_principal", "cpe", "direction", "ass"],
        "synthese": "M. Roche indique que les punitions ont sanctionné des bavardages répétés (3, 6, "
                    "10 et 13 novembre). Le professeur principal observe que Yanis suit bien dans les "
                    "autres matières. Le CPE n'a reçu aucun appel de la famille avant le 16 novembre.",
        "propositions": "Consignes écrites au tableau en mathématiques ; placement de Yanis au premier "
                        "rang ; point mensuel du professeur principal avec la famille.",
    },
    "preparer_rencontre": {
        "date_rencontre": "2026-12-03",
        "horaire": "17 h – 18 h",
        "lieu": "Salle de réunion du collège, rez-de-chaussée",
        "participants": ["famille", "eleve", "enseignant", "professeur_principal", "ass"],
        "ordre_du_jour": "Rappel du cadre de la rencontre\nPoint de vue de Yanis et de sa mère\nPoint "
                         "de vue de M. Roche\nConsignes et punitions en mathématiques\nCommunication "
                         "entre la famille et le collège",
        "interprete": False,
    },
    "conduire_rencontre": {
        "date_rencontre": "2026-12-03",
        "participants_presents": ["famille", "eleve", "enseignant", "professeur_principal", "ass"],
        "cadre_rappele": True,
        "synthese": "Chacun a pu s'exprimer. M. Roche a expliqué le motif des punitions ; Yanis a dit "
                    "avoir du mal à suivre les consignes orales. Mme Benali souhaite être informée plus "
                    "tôt. Les parties se sont entendues sur des consignes écrites, un placement au "
                    "premier rang et un point mensuel avec le professeur principal.",
        "issue_rencontre": "accord",
    },
    "formaliser_accord": {
        "date_accord": "2026-12-03",
        "engagements": [
            {"action": "Écrire les consignes au tableau en début d'heure", "responsable": "M. Roche",
             "echeance": "dès le 7 décembre"},
            {"action": "Placer Yanis au premier rang en mathématiques", "responsable": "M. Roche",
             "echeance": "7 décembre"},
            {"action": "Lever la main avant de parler en cours", "responsable": "Yanis",
             "echeance": "dès le 7 décembre"},
            {"action": "Appeler le professeur principal en cas de désaccord", "responsable": "Mme Benali",
             "echeance": "au besoin"},
            {"action": "Point mensuel avec la famille", "responsable": "Mme Durand, professeure principale",
             "echeance": "8 janvier"},
        ],
        "delai_suivi": "P6W",
        "accord_relu": True,
        "signataires": ["famille", "eleve", "etablissement", "ass"],
    },
    "valider_accord": {
        "date_validation": "2026-12-04",
        "decision": "valider",
    },
    "rencontre_suivi": {
        "date_rencontre": "2027-01-14",
        "participants_presents": ["famille", "eleve", "professeur_principal", "ass"],
        "bilan": "Consignes écrites au tableau : tenu.\nPlacement au premier rang : tenu.\nLever la "
                 "main : tenu, une remarque le 5 janvier.\nAppel au professeur principal : tenu (un "
                 "appel le 15 décembre).\nPoint mensuel : tenu le 8 janvier.",
        "respect_accord": "respecte",
    },
    "relancer_suivi": {
        "date_relance": "2027-01-15",
        "moyen": "telephone",
        "parties_relancees": ["famille", "etablissement"],
        "commentaire": "Mme Benali était en déplacement ; la rencontre est fixée au 21 janvier à 17 h.",
        "echeance_suivi": "P2W",
    },
    "clore_orienter": {
        "date_cloture": "2027-01-14",
        "orientation": "equipe_educative",
        "motif": "Les engagements de l'accord n'ont été tenus qu'en janvier ; de nouvelles difficultés "
                 "d'apprentissage sont apparues dans plusieurs disciplines. Une équipe éducative est "
                 "proposée à la famille pour envisager un bilan et des aménagements.",
        "parties_informees": True,
    },
}

sample = sampler(VALID)  # sample(task_id, **overrides): a copy of VALID[task_id] (tests/samples.py)

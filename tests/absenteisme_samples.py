"""Realistic form payloads for the user tasks of `absenteisme`.

One payload per task, valid against its form (`bpmn/absenteisme/forms/<task>.json`), with every
field a school would fill. One story runs through them: a 4e pupil of a collège, school year
2026-2027, absent on Monday and Friday mornings since September. Defaults follow the main path:
second degree, ASS asked to support the dialogue, 5 unjustified demi-journées in the month
(`suite` `poursuivre`, no IP), avertissement sent by the IA-DASEN, no enquête ordered.
"""
from __future__ import annotations

from tests.samples import Payload, sampler

VALID: dict[str, Payload] = {
    "ouvrir_dossier": {
        "annee_scolaire": "2026-2027",
        "degre": "second_degre",
        "classe": "4e B",
        "date_ouverture": "2026-10-05",
        "absences_constatees": "Absences les lundis et vendredis matin depuis la rentrée : 7 et 11 "
                               "septembre, 18 et 28 septembre, 2 octobre (5 demi-journées). La mère a "
                               "justifié le 7 septembre par un rendez-vous médical ; les autres absences "
                               "n'ont pas été justifiées malgré les appels du jour même.",
        "famille_contactee": True,
        "personne_suivi": "M. Lemaire, conseiller principal d'éducation",
    },
    "engager_dialogue": {
        "date_dialogue": "2026-10-09",
        "modalites": "entretien",
        "participants": "Mme Benali (mère), M. Lemaire (CPE), Mme Garnier (principale adjointe)",
        "motifs_avances": "La mère indique que son fils « a mal au ventre le lundi » et qu'elle part "
                          "travailler à 6 h, avant l'heure du bus.",
        "synthese": "La mère souhaite que son fils retrouve une scolarité régulière. Il est convenu "
                    "d'un appel du CPE à 8 h 30 en cas d'absence et d'un rendez-vous avec l'infirmière "
                    "scolaire. L'élève dit s'ennuyer en cours et avoir peu d'amis dans la classe.",
        "ass_sollicitee": True,
        "motif_sollicitation": "Maux de ventre répétés le lundi, isolement en classe et horaires de "
                               "travail de la mère : une évaluation par l'ASS est proposée et acceptée "
                               "par la mère.",
    },
    "soutenir_dialogue": {
        "date_intervention": "2026-10-14",
        "actions": ["entretien_eleve", "entretien_famille"],
        "causes_reperees": ["refus_scolaire_anxieux", "charge_familiale"],
        "synthese_partagee": "L'élève exprime une anxiété importante avant les cours d'EPS du lundi. "
                             "Il accompagne le matin sa sœur de 7 ans à l'école élémentaire quand sa "
                             "mère travaille tôt. Un suivi par l'infirmière et un aménagement de "
                             "l'accueil du matin sont proposés.",
        "orientations": "Consultation au centre médico-psychologique ; demande d'accueil périscolaire "
                        "du matin pour la sœur auprès de la mairie.",
    },
    "compter_absences": {
        "mois": "octobre",
        "demi_journees_non_justifiees": 5,
        "demi_journees_justifiees": 1,
        "observations": "Absences les lundis 5, 12 et 19 octobre et les vendredis 9 et 16 octobre au "
                        "matin ; appels du CPE sans réponse les 12 et 19 octobre.",
        "engager_ip": False,
        "suite": "poursuivre",
    },
    "reunir_equipe_educative": {
        "date_reunion": "2026-11-03",
        "participants": "Mme Benali (mère), Mme Roche (directrice), M. Petit (enseignant de CM2), "
                        "Mme Diallo (psychologue de l'Éducation nationale)",
        "responsables_presents": True,
        "causes_identifiees": "Difficultés de l'élève à se lever seul le matin ; trajet non accompagné "
                              "depuis septembre.",
        "mesures_proposees": "Accueil périscolaire du matin dès 7 h 30\nPoint hebdomadaire avec "
                             "l'enseignant\nRendez-vous avec la psychologue de l'Éducation nationale",
    },
    "reunir_commission_educative": {
        "date_reunion": "2026-11-05",
        "participants": "Mme Benali (mère), Mme Garnier (principale adjointe), M. Lemaire (CPE), "
                        "Mme Faure (professeure principale), Mme Colin (ASS)",
        "responsables_presents": True,
        "causes_identifiees": "Anxiété avant les cours d'EPS du lundi, isolement dans la classe, "
                              "accompagnement de la sœur cadette le matin.",
        "mesures_proposees": "Entretien hebdomadaire avec le CPE\nAménagement de l'EPS après avis de "
                             "l'infirmière\nTutorat par un élève de 3e\nAccueil du matin pour la sœur "
                             "à l'école élémentaire",
    },
    "faire_signer_document": {
        "document_signe": True,
        "date_signature": "2026-11-05",
        "mesures_retenues": "Entretien hebdomadaire avec le CPE\nAménagement de l'EPS\nTutorat par un "
                            "élève de 3e\nAppel de la mère au collège avant 8 h 30 en cas d'absence",
    },
    "mettre_en_place_dispositif": {
        "date_reunion": "2027-01-14",
        "membres_reunis": "Mme Garnier (principale adjointe), M. Lemaire (CPE), Mme Faure (professeure "
                          "principale), Mme Colin (ASS), Mme Perrin (infirmière)",
        "famille_associee": True,
        "referent_nom": "M. Lemaire",
        "referent_fonction": "cpe",
        "engagements": "L'élève : venir chaque lundi et passer voir le CPE à 8 h\nLa mère : prévenir "
                       "le collège avant 8 h 30 de toute absence\nLe collège : entretien hebdomadaire "
                       "et point mensuel avec la famille",
        "date_point_suivi": "2027-02-11",
    },
    "transmettre_dasen": {
        "date_transmission": "2026-11-06",
        "voie": "direct_dsden",
        "pieces_jointes": ["releve_absences", "compte_rendu_reunion", "document_signe"],
        "synthese": "Élève de 4e absent 5 demi-journées sans motif légitime en octobre, après 4 en "
                    "septembre. Dialogue engagé le 9 octobre, soutien de l'ASS, commission éducative "
                    "réunie le 5 novembre ; document de synthèse signé par la mère.",
    },
    "enregistrer_suites_dasen": {
        "date_information": "2026-11-20",
        "avertissement_adresse": True,
        "date_avertissement": "2026-11-18",
        "enquete_sociale_ordonnee": False,
        "convocation_famille": False,
        "saisine_procureur": False,
        "autres_mesures": "La division de la vie scolaire propose un point avec la famille en janvier "
                          "si les absences persistent.",
    },
    "relancer_dasen": {
        "date_relance": "2026-12-07",
        "moyen": "courriel",
        "interlocuteur": "Mme Brun, division de la vie scolaire de la DSDEN",
        "commentaire": "Le dossier est en cours d'instruction ; l'avertissement doit partir dans la "
                       "semaine.",
        "delai_suites_dasen": "P15D",
    },
    "conduire_enquete_sociale": {
        "date_conclusions": "2027-02-04",
        "investigations": ["entretien_eleve", "entretien_famille", "visite_domicile"],
        "causes": ["refus_scolaire_anxieux", "charge_familiale"],
        "conclusions": "Visite à domicile le 28 janvier avec l'accord de la mère. L'élève accompagne "
                       "sa sœur à l'école deux matins par semaine ; une anxiété scolaire est décrite "
                       "par la mère et confirmée par l'élève. La famille accepte un suivi au centre "
                       "médico-psychologique.",
        "preconisations": "Maintenir le référent et l'aménagement de l'EPS ; solliciter l'accueil "
                          "périscolaire du matin pour la sœur.",
        "engager_ip_enquete": False,
    },
}

sample = sampler(VALID)  # sample(task_id, **overrides): a copy of VALID[task_id] (tests/samples.py)

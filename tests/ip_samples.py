"""Realistic form payloads for the user tasks of `information_preoccupante`.

One payload per task, valid against its form (`bpmn/information_preoccupante/forms/<task>.json`),
with every field a social worker would fill. One story runs through them: a 5e pupil of a
collège, March 2026. Defaults follow the main path: qualification `information_preoccupante`,
evaluation `suite` `rediger_ip`, parents informed, CTSD `decision` `valider`.
"""
from __future__ import annotations

from tests.samples import Payload, sampler

VALID: dict[str, Payload] = {
    "recueillir_faits": {
        "date_constat": "2026-03-02",
        "source": "eleve",
        "faits": "Le lundi 2 mars 2026 à 8 h 10, l'élève est arrivé au collège avec une trace rouge "
                 "d'environ 5 cm sur l'avant-bras gauche, constatée par le CPE à l'entrée. Depuis le "
                 "retour des vacances d'hiver (23 février), il a été absent 4 demi-journées sans "
                 "justificatif et s'est endormi deux fois en cours (professeurs de mathématiques et "
                 "d'histoire-géographie, 26 février et 2 mars).",
        "paroles_eleve": "« C'est rien, je suis tombé. » puis, au bureau de l'infirmière : « Quand mon "
                         "beau-père a bu, il vaut mieux ne pas être dans la cuisine. »",
        "contexte": "Le 2 mars à 10 h, au bureau de l'infirmière, où le CPE l'avait accompagné ; "
                    "présentes : l'infirmière et l'ASS. L'élève a parlé après que l'infirmière lui a "
                    "demandé comment s'était passé son week-end.",
        "direction_alertee": True,
        "personnes_associees": ["infirmier", "cpe", "enseignant"],
    },
    "qualifier_gravite": {
        "qualification": "information_preoccupante",
        "motif": "Trace sur l'avant-bras constatée le 2 mars, propos de l'élève évoquant la "
                 "consommation d'alcool d'un adulte du foyer, absences et fatigue en cours depuis "
                 "le 23 février. Pas de violence grave décrite ni de refus de rentrer au domicile : "
                 "risque de danger sans urgence pénale. Avis pris auprès du CTSD le 2 mars.",
        "avis_sollicites": ["ctsd"],
    },
    "organiser_accompagnement": {
        "actions_prevues": "Entretien avec l'élève et sa mère le 9 mars ; aide à la constitution d'un "
                           "dossier de fonds social collégien pour la demi-pension ; point mensuel avec "
                           "le CPE sur l'assiduité. La famille accepte l'accompagnement proposé.",
        "orientation": "mds",
        "date_point_suivi": "2026-04-06",
    },
    "evaluer_situation": {
        "date_entretien_eleve": "2026-03-03",
        "entretien_famille": "realise",
        "echanges_equipe": "Professeur principal (3 mars) : baisse des résultats depuis janvier, élève "
                           "isolé en récréation. Infirmière : deux passages à l'infirmerie en février "
                           "pour maux de tête. CPE : 4 demi-journées d'absence non justifiées depuis "
                           "le 23 février.",
        "fratrie_concernee": True,
        "synthese": "Entretien avec l'élève le 3 mars : il confirme ses propos du 2 mars et dit "
                    "s'occuper de sa sœur de 6 ans le soir. Entretien avec la mère le 4 mars : elle "
                    "indique que son compagnon « traverse une mauvaise passe » et refuse d'en dire "
                    "plus. Une sœur est scolarisée à l'école élémentaire du secteur.",
        "suite": "rediger_ip",
    },
    "rediger_ip": {
        "faits": "Le 26 février 2026, l'élève s'est endormi en cours de mathématiques. Le 2 mars à "
                 "8 h 10, le CPE a constaté une trace rouge d'environ 5 cm sur son avant-bras gauche ; "
                 "l'élève s'est endormi le même jour en histoire-géographie. Depuis le 23 février, "
                 "4 demi-journées d'absence sans justificatif. Le 3 mars, l'élève a confirmé à l'ASS "
                 "ses propos de la veille.",
        "paroles_rapportees": "Le 2 mars, à l'infirmière et à l'ASS : « Quand mon beau-père a bu, il "
                              "vaut mieux ne pas être dans la cuisine. » Le 3 mars, à l'ASS : « Le soir "
                              "c'est moi qui fais manger ma sœur. »",
        "contexte_revelation": "Le 2 mars à 10 h, au bureau de l'infirmière, en présence de "
                               "l'infirmière et de l'ASS, à la suite d'une question ouverte sur son "
                               "week-end.",
        "situation_familiale": "L'élève vit avec sa mère, le compagnon de celle-ci et sa sœur de "
                               "6 ans. Autorité parentale exercée par la mère ; le père réside dans "
                               "un autre département.",
        "actions_menees": "Entretiens de l'ASS avec l'élève (3 mars) et avec la mère (4 mars) ; "
                          "passages à l'infirmerie ; signalement des absences à la famille par le "
                          "CPE ; avis du CTSD pris le 2 mars.",
        "besoins_identifies": "Sécurité au domicile, sommeil, assiduité ; prise en compte de la "
                              "situation de la sœur.",
        "urgence": "ordinaire",
        "co_redacteurs": "Mme Leroy, infirmière scolaire ; M. Petit, CPE",
    },
    "informer_parents": {
        "parents_informes": True,
        "date_information": "2026-03-06",
        "modalites": "entretien",
        "informes_par": "Mme Garnier, principale, et l'ASS du collège",
        "reaction_parents": "La mère a dit : « Je comprends, je préfère que quelqu'un nous aide. » "
                            "Elle a demandé à être tenue informée des suites.",
    },
    "viser_ip": {
        "date_visa": "2026-03-06",
        "observations": "Vu. Absences du 23 février au 6 mars signalées à la famille par courrier "
                        "du 27 février, restées sans réponse.",
    },
    "valider_ip": {
        "decision": "valider",
    },
    "transmettre_crip": {
        "date_transmission": "2026-03-09",
        "voie": "messagerie_securisee",
        "copies": ["ia_dasen", "chef_etablissement", "ass"],
        "reference_envoi": "MSS-2026-03-09-0412",
    },
    "transmettre_crip_direction": {
        "date_transmission": "2026-03-09",
        "voie": "plateforme_departementale",
        "copies": ["ia_dasen", "ctsd"],
        "reference_envoi": "PLATEFORME-CD-2026-0977",
    },
    "enregistrer_accuse": {
        "date_accuse": "2026-03-11",
        "reference_crip": "CRIP-2026-0887",
    },
    "enregistrer_retour": {
        "date_retour": "2026-05-28",
        "suite_donnee": "evaluation_en_cours",
        "precisions": "Courrier de la CRIP du 27 mai : « Une évaluation de la situation de l'enfant "
                      "et de sa sœur a été confiée à l'équipe pluridisciplinaire du territoire. »",
        "suivi_scolaire": "Entretien mensuel avec l'ASS ; point d'assiduité hebdomadaire avec le CPE ; "
                          "tutorat par le professeur principal jusqu'à la fin de l'année.",
    },
    "relancer_crip": {
        "date_relance": "2026-06-10",
        "moyen": "courriel",
        "interlocuteur": "Mme Roussel, référente de la CRIP",
        "commentaire": "La CRIP indique que l'évaluation est en cours et qu'un courrier de retour "
                       "sera adressé à l'établissement.",
        "delai_retour_crip": "P1M",
    },
}

sample = sampler(VALID)  # sample(task_id, **overrides): a copy of VALID[task_id] (tests/samples.py)

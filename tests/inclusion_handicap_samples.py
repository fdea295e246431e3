"""Realistic form payloads for the user tasks of `inclusion_handicap`.

One payload per task, valid against its form (`bpmn/inclusion_handicap/forms/<task>.json`). One
story runs through them: a CE2 pupil of an école élémentaire, autumn 2026, whose équipe éducative
decides a first request to the MDPH; the family accepts the social worker's help, lodges the
file, the CDAPH grants a mutualised AESH and adapted equipment for three years, and the ESS meets
every year. Only decisions and dates are recorded, never medical details. Defaults follow that
path: `reponse` `pps_mdph`, `accompagnement` `accepte`, `depot` `depose`, decision `accord`
judged `satisfaisante`, ESS `issue_ess` `fin_suivi`.
"""
from __future__ import annotations

from tests.samples import Payload, sampler

VALID: dict[str, Payload] = {
    "convoquer_reunion": {
        "date_reunion": "2026-11-30",
        "participants_invites": ["famille", "enseignants", "enseignant_referent", "psy_en", "ass"],
        "famille_invitee": True,
        "objet": "Difficultés persistantes en lecture et en écriture depuis le CP malgré le PPRE et "
                 "l'aide du RASED ; l'élève a besoin d'être accompagné pour entrer dans les "
                 "consignes écrites et décroche après dix minutes de travail seul.",
    },
    "apporter_evaluation_sociale": {
        "entretien_famille": "realise",
        "date_entretien": "2026-11-25",
        "synthese_partagee": "Entretien avec la mère le 25 novembre : elle élève seule ses deux enfants et "
                             "travaille en horaires décalés. Elle souhaite que son fils soit aidé en classe et "
                             "ne connaît pas les démarches auprès de la MDPH. Elle accepte que ces éléments "
                             "soient partagés avec l'équipe.",
        "points_attention": ["periscolaire", "demarches"],
        "information_preoccupante": False,
    },
    "decider_reponse": {
        "instance": "equipe_educative",
        "date_reunion": "2026-11-30",
        "famille_presente": True,
        "reponse": "pps_mdph",
        "motif": "Malgré le PPRE (depuis janvier 2026) et deux périodes d'aide du RASED, l'élève ne peut "
                 "pas copier une consigne ni travailler seul plus de dix minutes ; l'équipe et la famille "
                 "estiment qu'une aide humaine et du matériel adapté sont nécessaires : demande à la MDPH.",
    },
    "elaborer_pai": {
        "date_signature": "2026-12-07",
        "demande_par": "famille",
        "accord_famille": True,
        "participants": ["famille", "medecin_en", "enseignants", "periscolaire"],
        "temps_couverts": ["scolaire", "periscolaire", "sorties"],
        "sans_diagnostic": True,
    },
    "enregistrer_avis_medecin": {
        "avis_medecin": "donne",
        "date_avis": "2026-12-10",
        "famille_informee": True,
    },
    "elaborer_pap": {
        "date_pap": "2027-01-05",
        "famille_associee": True,
        "amenagements": ["supports_adaptes", "temps_majore", "lecture_oralisee"],
        "enseignants_informes": True,
        "sans_diagnostic": True,
    },
    "reviser_pap": {
        "date_revision": "2027-06-15",
        "suite_pap": "fin_pap",
        "motif": "Les aménagements sont intégrés à la pratique de la classe ; l'élève lit seul les "
                 "consignes et termine ses évaluations dans le temps imparti. La famille est d'accord.",
    },
    "rappeler_revision_pap": {
        "date_prevue": "2028-01-11",
        "famille_informee": True,
    },
    "renseigner_geva_premiere": {
        "date_geva_sco": "2026-11-30",
        "transmis_a": "enseignant_referent",
        "remis_famille": True,
    },
    "renseigner_geva_reexamen": {
        "date_ess": "2027-05-20",
        "enseignant_referent": "Mme Lefèvre, enseignante référente du secteur de Saint-Quentin",
        "evolutions_proposees": ["aide_humaine", "orientation"],
        "remis_famille": True,
    },
    "proposer_accompagnement": {
        "date_proposition": "2026-12-01",
        "accompagnement": "accepte",
        "commentaire": "La mère accepte un rendez-vous le 8 décembre pour remplir le formulaire ensemble.",
    },
    "accompagner_famille": {
        "actions": ["explication_droits", "aide_formulaire", "pieces"],
        "date_dernier_entretien": "2026-12-08",
        "elements_sociaux": "Mère seule avec deux enfants, horaires de travail décalés : garde "
                            "périscolaire à prévoir en cas d'aménagement du temps scolaire.",
    },
    "enregistrer_depot_mdph": {
        "depot": "depose",
        "date_depot": "2026-12-14",
        "dossier_complet": True,
        "numero_dossier": "02-2026-118734",
    },
    "enregistrer_decision_cdaph": {
        "date_notification": "2027-03-22",
        "sens_decision": "accord",
        "decisions": ["orientation_milieu_ordinaire", "aide_humaine_mutualisee", "materiel_pedagogique_adapte"],
        "date_debut": "2027-04-01",
        "date_fin": "2030-03-31",
        "duree_droits": "P3Y",
        "avis_famille": "satisfaisante",
    },
    "relancer_mdph": {
        "date_relance": "2027-04-15",
        "moyen": "courriel",
        "reponse_mdph": "Le dossier passe en commission le 6 mai 2027 ; la notification suivra sous quinze jours.",
        "famille_informee": True,
    },
    "enregistrer_recours": {
        "recours": "rapo",
        "date_rapo": "2027-04-10",
        "conciliation": False,
        "motif": "La famille demande une aide humaine individuelle au lieu d'une aide mutualisée.",
    },
    "rappeler_delai_recours": {
        "date_contact": "2027-05-24",
        "moyen": "telephone",
        "commentaire": "La mère indique avoir envoyé son recours à la MDPH le 12 mai ; elle transmettra "
                       "l'accusé de réception.",
    },
    "enregistrer_reponse_rapo": {
        "date_reponse": "2027-06-03",
        "issue_rapo": "decision_maintenue",
        "voies_recours_expliquees": True,
    },
    "relancer_cdaph_rapo": {
        "date_relance": "2027-06-14",
        "moyen": "courrier",
        "famille_informee": True,
        "commentaire": "Courrier de relance adressé à la MDPH ; la famille a reçu l'adresse du pôle social.",
    },
    "mettre_en_oeuvre_pps": {
        "date_mise_en_oeuvre": "2027-04-06",
        "mesures": ["aesh_mutualisee", "mpa", "amenagements"],
        "aesh": "affectee",
        "date_entretien_accueil": "2027-04-08",
        "commentaire": "AESH présente 12 heures par semaine en français et en mathématiques ; ordinateur "
                       "portable livré le 6 avril, utilisé pour les écrits longs.",
    },
    "tenir_ess": {
        "date_ess": "2027-11-16",
        "participants": ["famille", "enseignants", "enseignant_referent", "aesh"],
        "bilan": "L'élève copie désormais les consignes courtes seul et utilise l'ordinateur pour les écrits "
                 "longs ; l'aide de l'AESH reste nécessaire en production d'écrit.",
        "issue_ess": "fin_suivi",
        "motif": "La famille déménage dans un autre département à la fin du mois ; le PPS suit l'élève.",
    },
    "rappeler_ess": {
        "date_prevue": "2028-04-18",
        "enseignant_referent_contacte": True,
        "famille_informee": True,
    },
    "preparer_renouvellement": {
        "date_contact": "2029-10-05",
        "renouvellement": "demande",
        "motif": "La famille souhaite le maintien de l'aide humaine pour l'entrée au collège.",
    },
}

sample = sampler(VALID)  # sample(task_id, **overrides): a copy of VALID[task_id] (tests/samples.py)

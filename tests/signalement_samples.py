"""Realistic form payloads for the user tasks of `signalement`.

One payload per task, valid against its form (`bpmn/signalement/forms/<task>.json`), with every
field a school would fill. One story runs through them: a 4e pupil of a collège confides in her
professeure principale on Thursday 19 November 2026 that her stepfather hits her, and says she is
afraid to go home. Defaults follow that path: danger `retour_impossible`, copy to the CRIP without
a complementary IP, parents not informed (presumed author in the household), follow-up closed.
"""
from __future__ import annotations

from tests.samples import Payload, sampler

VALID: dict[str, Payload] = {
    "recueillir_parole": {
        "date_heure_revelation": "2026-11-19T16:05:00+01:00",
        "lieu": "Salle 204, à la fin du cours de français",
        "source": "paroles_eleve",
        "recueilli_par": "Mme Camille Roux, professeure de français, professeure principale de 4e B",
        "personnes_presentes": "Mme Roux seule avec l'élève, porte ouverte ; l'ASS est arrivée à 16 h 20.",
        "contexte": "L'élève est restée après la sonnerie en pleurant. Mme Roux lui a demandé si elle "
                    "voulait parler. L'élève a relevé sa manche gauche avant de parler.",
        "paroles": [
            {"question": "« Tu veux m'en parler ? »",
             "propos": "« Il m'a tapé avec la ceinture hier soir parce que j'avais pas fait la vaisselle. »"},
            {"question": "« Qu'est-ce qui s'est passé ? »", "propos": "« C'est mon beau-père. »"},
            {"question": "« Tu veux dire autre chose ? »",
             "propos": "« Je veux pas rentrer ce soir, il va être là. »"},
        ],
        "constatations": "Deux marques rouges allongées d'environ 8 cm sur l'avant-bras gauche, vues "
                         "quand l'élève a relevé sa manche ; l'élève n'a pas été examinée.",
        "direction_alertee": True,
        "ctsd_informe": True,
        "danger_immediat": "retour_impossible",
        "motif_danger": "L'élève dit ne pas vouloir rentrer ce soir car l'adulte qu'elle met en cause "
                        "sera au domicile ; marques récentes visibles sur l'avant-bras.",
    },
    "mettre_en_securite": {
        "secours_appeles": [],
        "motif_sans_secours": "L'élève n'est pas blessée gravement et n'a pas besoin de soins "
                              "urgents ; c'est le retour au domicile qui est en cause.",
        "prise_en_charge": "surveillance_etablissement",
        "adulte_referent": "Mme Lefèvre, infirmière scolaire, à l'infirmerie",
        "mesures_prises": "16 h 25 : l'élève est accompagnée à l'infirmerie et reste avec "
                          "l'infirmière. 16 h 30 : la principale prévient la vie scolaire que "
                          "l'élève ne doit être remise à personne sans son accord.",
    },
    "appeler_parquet": {
        "date_heure_appel": "2026-11-19T16:40:00+01:00",
        "appelant": "Mme Garnier, principale du collège",
        "service_appele": "Permanence du parquet des mineurs, tribunal judiciaire",
        "interlocuteur": "M. Caron, substitut du procureur de permanence",
        "consignes_recues": "« Gardez l'élève au collège, une patrouille du commissariat vient la "
                            "chercher pour la conduire à l'hôtel de police. Ne prévenez pas la "
                            "famille. Envoyez l'écrit ce soir à l'adresse de la permanence. »",
        "devenir_eleve": "pris_en_charge",
    },
    "rediger_signalement": {
        "date_signalement": "2026-11-19",
        "signataire": "Mme Camille Roux, professeure de français, collège Jean-Moulin, "
                      "0 00 00 00 00 ; avec l'appui de Mme Benali, ASS du collège",
        "signe_par_recueillant": True,
        "faits": "Le jeudi 19 novembre 2026 vers 16 h 05, en salle 204, à la fin du cours de "
                 "français, l'élève est restée en pleurant et a montré son avant-bras gauche. Deux "
                 "marques rouges allongées d'environ 8 cm y étaient visibles.",
        "propos_verbatim": "Le 19 novembre vers 16 h 05, à Mme Roux : « Il m'a tapé avec la ceinture "
                           "hier soir parce que j'avais pas fait la vaisselle. » « C'est mon "
                           "beau-père. » « Je veux pas rentrer ce soir, il va être là. »",
        "constatations_physiques": "Deux marques rouges allongées d'environ 8 cm, face externe de "
                                   "l'avant-bras gauche, vues sans examen.",
        "certificat_medical": "aucun",
        "contexte_familial": "L'élève vit avec sa mère, le compagnon de celle-ci et un demi-frère de "
                             "3 ans. Autorité parentale exercée par la mère et le père, qui réside "
                             "dans un autre département.",
        "personnes_mises_en_cause": "Compagnon de la mère (identité connue de l'établissement), "
                                    "beau-père de l'élève, vivant au domicile",
        "mesures_immediates": "Direction et ASS alertées à 16 h 15 ; CTSD informée à 16 h 35 ; élève "
                              "gardée à l'infirmerie ; parquet appelé à 16 h 40 ; élève confiée à "
                              "une patrouille de police à 17 h 20 sur consigne du parquet.",
    },
    "confirmer_par_ecrit": {
        "date_heure_envoi": "2026-11-19T18:10:00+01:00",
        "moyen": "courriel_permanence",
        "destinataire": "Permanence du parquet des mineurs, tribunal judiciaire",
        "signalement_signe_joint": True,
        "reference_envoi": "Courriel du 19/11/2026 18 h 10, accusé de lecture reçu",
    },
    "relancer_confirmation": {
        "date_heure_relance": "2026-11-19T21:00:00+01:00",
        "personne_contactee": "Mme Garnier, principale du collège",
        "difficulte": "La professeure principale n'avait pas pu relire l'écrit avant de partir.",
        "appui_apporte": "Relecture par téléphone avec l'ASS ; envoi par la principale convenu à "
                         "21 h 30.",
    },
    "adresser_copies": {
        "copie_crip_adressee": True,
        "date_copie_crip": "2026-11-20",
        "voie_copie_crip": "messagerie_securisee",
        "copies_hierarchiques": ["ia_dasen", "ctsd"],
        "autres_copies": "",
        "ip_complementaire": "copie_seule",
        "motif_ip": "Le parquet a pris en charge la protection de l'élève le 19 novembre ; la CRIP "
                    "reçoit la copie du signalement, qui mentionne le demi-frère de 3 ans.",
    },
    "decider_information_parents": {
        "auteur_presume_du_foyer": True,
        "consigne_parquet_information": False,
        "parents_informes": False,
        "motif": "L'auteur présumé vit au domicile et le parquet a demandé de ne pas prévenir la "
                 "famille (appel du 19 novembre à 16 h 40).",
    },
    "suivre_signalement": {
        "date_point": "2026-12-18",
        "soutien_eleve": "Entretiens hebdomadaires avec l'ASS depuis le 23 novembre ; aménagement "
                         "des devoirs pendant deux semaines ; relais vers la maison des adolescents.",
        "retour_parquet": "Le commissariat a indiqué le 24 novembre que l'élève est accueillie chez "
                          "sa grand-mère sur décision du juge des enfants.",
        "evenement": "cloture",
        "justification": "L'élève est protégée et suivie par le service éducatif désigné par le juge ; "
                         "aucune réquisition en cours.",
    },
    "repondre_requisition": {
        "date_reception": "2026-11-26",
        "autorite_requerante": "police",
        "reference_requisition": "PV 2026/004512, brigade de protection des familles",
        "pieces_demandees": "Extraits du registre d'appel de l'élève du 1er septembre au 19 novembre.",
        "date_reponse": "2026-11-27",
        "pieces_transmises": "Extraits du registre d'appel (4e B), du 1er septembre au 19 novembre 2026",
    },
    "faire_point_suivi": {
        "date_point": "2026-12-21",
        "participants": "Mme Benali, ASS ; M. Morel, CTSD",
        "synthese": "L'élève est assidue et accueillie chez sa grand-mère ; aucune nouvelle "
                    "réquisition depuis le 26 novembre ; l'équipe a besoin d'un temps d'échange.",
        "suites": "Réunion de l'équipe pédagogique avec l'ASS le 7 janvier.",
    },
}

sample = sampler(VALID)  # sample(task_id, **overrides): a copy of VALID[task_id] (tests/samples.py)

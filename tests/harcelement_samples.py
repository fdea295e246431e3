"""Realistic form payloads for the user tasks of `harcelement` (protocole pHARe).

One payload per task, valid against its form (`bpmn/harcelement/forms/<task>.json`), with every
field a school team would fill. One story runs through them: a 5e pupil of a collège, insulted
and excluded by three classmates in class, at the canteen and in a class group chat, March 2026;
the first-degree tasks (équipe éducative, suspension, persistence, IA-DASEN) follow a variant of
it in a CM2 class. Defaults follow the main path: second degree, qualification `harcelement`
(protocol B) without penal offence nor danger at home, family informed, MPP review `efficace`,
no suspension, behaviour `a_cesse`, disciplinary procedure engaged, case closed.
"""
from __future__ import annotations

from tests.samples import Payload, sampler

VALID: dict[str, Payload] = {
    "enregistrer_alerte": {
        "date_alerte": "2026-03-02",
        "source": "famille",
        "canal": "telephone",
        "recueillie_par": "M. Petit, CPE",
        "faits_rapportes": "La mère de L. M. (5e B) a appelé la vie scolaire le 2 mars à 9 h : depuis "
                           "janvier, trois élèves de la classe traitent sa fille de « boulet » en cours, "
                           "l'empêchent de s'asseoir à leur table à la cantine et ont créé un groupe de "
                           "messagerie « sans L. » où circulent des photos d'elle prises en classe. "
                           "L. M. refuse de venir au collège depuis le 27 février.",
        "lieux": ["classe", "cantine", "en_ligne"],
        "plateformes_en_ligne": "Groupe de messagerie instantanée de la classe",
        "eleves_concernes": "L. M., 5e B, élève ciblée\nT. R., 5e B, auteur présumé\n"
                            "S. D., 5e B, autrice présumée\nK. B., 5e B, auteur présumé\n"
                            "A. N., 5e B, témoin (déléguée de classe)",
    },
    "ouvrir_dossier": {
        "date_ouverture": "2026-03-02",
        "degre": "second_degre",
        "responsable_traitement": "Mme Garnier, principale, avec M. Petit, CPE, coordonnateur pHARe",
        "equipe_ressource": "M. Petit, CPE\nMme Leroy, infirmière\nMme Haddad, professeure de "
                            "SVT\nM. Blanc, AED\nL'ASS du collège",
        "ien_informe": False,
        "personnes_informees": ["infirmier", "cpe", "ass"],
    },
    "entendre_eleve_cible": {
        "date_entretien": "2026-03-03",
        "mene_par": "L'ASS du collège et M. Petit, CPE",
        "propos_eleve": "« Ils disent que je suis un boulet et que personne ne veut de moi. » « Sur le "
                        "groupe ils ont mis une photo de moi en train de manger, tout le monde a "
                        "rigolé. » « J'ai plus envie de venir. »",
        "signes_observes": ["isolement", "absences", "troubles_sommeil"],
        "mesures_protection": ["surveillance_renforcee", "adulte_referent", "lieu_ressource",
                               "signalement_contenus"],
        "precisions_mesures": "Adulte référent : Mme Haddad. Accès libre à la vie scolaire pendant les "
                              "récréations. Photos signalées à la plateforme via le 3018 le 3 mars.",
    },
    "informer_famille_cible": {
        "famille_informee": True,
        "date_information": "2026-03-03",
        "modalites": "entretien",
        "informee_par": "Mme Garnier, principale, et l'ASS du collège",
        "reaction_famille": "La mère a dit : « Je suis soulagée qu'on la croie. » Elle souhaite que sa "
                            "fille revienne au collège la semaine prochaine.",
        "numero_3018_communique": True,
    },
    "qualifier_situation": {
        "qualification": "harcelement",
        "motif": "Moqueries répétées depuis janvier par trois élèves, mise à l'écart à la cantine et "
                 "photos diffusées sur un groupe de classe : répétition, rapport de force à trois "
                 "contre une, isolement et refus scolaire depuis le 27 février.",
        "criteres": ["repetition", "duree", "desequilibre", "isolement", "retentissement"],
        "infraction_penale": False,
        "danger_famille": False,
        "personnes_consultees": "Équipe ressource pHARe (réunion du 3 mars), ASS, infirmière",
    },
    "declarer_faits_etablissement": {
        "date_declaration": "2026-03-04",
        "niveau": "niveau_2",
        "reference_declaration": "FE-2026-0312",
        "declaration_anonymisee": True,
        "referent_informe": True,
        "date_information_referent": "2026-03-04",
    },
    "conduire_entretiens_mpp": {
        "date_premier_entretien": "2026-03-05",
        "intervenants": "M. Petit, CPE, et Mme Haddad, professeure de SVT, formés à la méthode",
        "nombre_eleves_rencontres": 5,
        "roles_rencontres": ["intimidateurs_presumes", "eleves_suiveurs", "eleve_cible"],
        "synthese": "Les trois élèves rencontrés un par un ont reconnu que L. M. « n'allait pas bien ». "
                    "Chacun a proposé une action : l'inviter à la table de la cantine, retirer les "
                    "photos, ne plus répondre sur le groupe.",
        "engagements": "T. R. : retirer les photos le jour même. S. D. : proposer à L. M. de travailler "
                       "en binôme. K. B. : quitter le groupe « sans L. ».",
    },
    "faire_revue_mpp": {
        "date_revue": "2026-03-19",
        "situation_eleve_cible": "L. M. dit le 19 mars : « Ça va mieux, ils me laissent tranquille. » "
                                 "Elle déjeune avec deux élèves de la classe.",
        "efficacite": "efficace",
        "justification": "Plus aucun fait rapporté depuis le 6 mars ; photos retirées, groupe supprimé "
                         "(vérifié avec la déléguée) ; retour en classe sans absence.",
    },
    "relancer_revue_mpp": {
        "date_relance": "2026-03-21",
        "date_revue_prevue": "2026-03-24",
        "commentaire": "Revue reportée : la CPE était en formation. Mesures de protection maintenues.",
    },
    "entendre_temoins": {
        "nombre_temoins": 2,
        "entretiens": "5 mars, A. N., 5e B, entendue par M. Petit, CPE\n"
                      "5 mars, J. P., 5e B, entendu par Mme Haddad, professeure de SVT",
        "entendus_separement": True,
        "synthese": "Les deux témoins confirment les surnoms en cours depuis janvier et l'existence du "
                    "groupe « sans L. » ; A. N. rapporte : « Tout le monde a vu la photo. »",
    },
    "entendre_auteurs": {
        "nombre_auteurs": 3,
        "entretiens": "6 mars, 9 h, T. R., 5e B, principale et CPE\n6 mars, 9 h 30, S. D., 5e B, "
                      "principale et CPE\n6 mars, 10 h, K. B., 5e B, principale et CPE",
        "entendus_separement": True,
        "reconnaissance_faits": "partiellement",
        "synthese": "T. R. reconnaît avoir créé le groupe : « C'était pour rire. » S. D. et K. B. "
                    "reconnaissent les surnoms mais pas la photo. Tous trois acceptent de retirer les "
                    "contenus.",
    },
    "recevoir_familles": {
        "familles_recues": ["famille_cible", "familles_auteurs"],
        "entretiens": "9 mars, mère de L. M., principale et ASS\n10 mars, parents de T. R., principale "
                      "et CPE\n10 mars, mère de S. D., principale et CPE\n11 mars, père de K. B., "
                      "principale et CPE",
        "synthese": "La mère de L. M. demande que sa fille ne change pas de classe. Les familles des "
                    "auteurs disent ignorer l'existence du groupe ; le père de K. B. : « Je vais "
                    "regarder son téléphone avec lui. »",
        "plainte_envisagee": False,
    },
    "decider_mesures": {
        "date_decision": "2026-03-12",
        "mesures_protection": ["surveillance_renforcee", "adulte_referent"],
        "mesures_educatives": ["reflexion", "engagement", "fiche_suivi"],
        "punitions": ["retenue"],
        "orientations": ["psy_en"],
        "motivation": "Faits répétés et reconnus en partie ; retenue et travail de réflexion sur le "
                      "cyberharcèlement pour les trois élèves, fiche de suivi d'un mois ; L. M. garde "
                      "sa classe et son adulte référent.",
    },
    "reunir_equipe_educative": {
        "date_reunion": "2026-03-16",
        "participants": "Mme Morel, directrice\nM. Durand, enseignant de CM2\nMme Roux, psychologue "
                        "de l'Éducation nationale\nLes parents de T. R.",
        "parents_auteur_invites": True,
        "mesures_educatives": "Contrat d'engagement signé par l'élève et ses parents ; place changée en "
                              "classe ; entretien hebdomadaire avec la psychologue.",
        "suspension_conservatoire": "non",
    },
    "suspendre_acces": {
        "date_debut": "2026-03-17",
        "duree_suspension_jours": 3,
        "motif": "Bousculades répétées dans la cour malgré l'équipe éducative du 16 mars, dont une "
                 "chute de l'élève ciblé le 17 mars au matin.",
        "parents_informes": True,
        "continuite_pedagogique": "Plan de travail de trois jours remis aux parents le 17 mars.",
    },
    "constater_persistance": {
        "date_constat": "2026-03-30",
        "persistance": "a_cesse",
        "observations": "Aucun fait rapporté depuis le 17 mars par l'enseignant, les surveillants ou "
                        "l'élève ciblé.",
    },
    "saisir_dasen": {
        "date_saisine": "2026-04-02",
        "motif": "Nouvelles bousculades le 30 mars et le 1er avril malgré l'équipe éducative et la "
                 "suspension de trois jours.",
        "suite_donnee": "en_attente",
        "precisions": "Saisine transmise par l'IEN de circonscription le 2 avril.",
    },
    "statuer_procedure_disciplinaire": {
        "procedure_disciplinaire": "engagee",
        "instance": "chef_etablissement",
        "date_engagement": "2026-03-13",
        "justification": "Diffusion de photos et moqueries répétées reconnues : procédure engagée contre "
                         "T. R., créateur du groupe ; les deux autres élèves relèvent des mesures "
                         "éducatives décidées le 12 mars.",
        "faits_hors_etablissement": False,
    },
    "conduire_entretien_suivi": {
        "date_entretien": "2026-04-13",
        "personnes_rencontrees": ["eleve_cible", "famille_cible"],
        "evolution": "apaisee",
        "synthese": "L. M. : « Je n'ai plus peur de venir. » Sa mère confirme qu'elle dort mieux. "
                    "Aucun fait nouveau rapporté par l'équipe.",
    },
    "relancer_suivi": {
        "date_relance": "2026-04-14",
        "date_suivi_prevue": "2026-04-16",
        "commentaire": "Entretien de suivi fixé avec l'ASS et la mère de L. M.",
    },
    "clore_ou_rouvrir": {
        "date_decision": "2026-04-20",
        "decision": "clore",
        "justification": "Aucun fait depuis le 6 mars ; l'élève et sa famille confirment l'apaisement "
                         "lors du suivi du 13 avril.",
        "famille_informee": True,
    },
}

sample = sampler(VALID)  # sample(task_id, **overrides): a copy of VALID[task_id] (tests/samples.py)

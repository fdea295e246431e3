"""What screens need to read well in French: labels, dates in Paris time."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime

from flask import Flask

from workflows.protocol import PROTOCOL_SCHEMA

from ..forms import PARIS, block_fields, display_value, path_title
from ..models import ROLES

STATUS_LABELS = {"running": "En cours", "waiting": "En attente d'une réponse ou d'un délai",
                 "completed": "Terminée", "cancelled": "Annulée"}
STATE_LABELS = {"ready": "à faire", "completed": "complétée", "cancelled": "annulée"}
EVENT_LABELS = {
    "case_opened": "Dossier ouvert", "case_viewed": "Dossier consulté",
    "diagram_viewed": "Schéma de la procédure consulté",
    "note_added": "Note ajoutée au dossier social confidentiel",
    "notes_viewed": "Dossier social confidentiel consulté",
    "cases_listed": "Liste des dossiers consultée", "inbox_viewed": "Étapes à faire consultées",
    "timeline_viewed": "Chronologie consultée", "task_viewed": "Étape consultée",
    "procedure_started": "Procédure démarrée", "procedure_completed": "Procédure terminée",
    "task_created": "Étape ouverte", "task_completed": "Étape complétée",
    "task_cancelled": "Étape annulée", "timer_fired": "Délai légal échu",
    "transmission_validated": "Transmission validée par le CTSD",
    "transmission_returned": "Transmission renvoyée par le CTSD",
    "transmission_sent": "Transmission à la CRIP enregistrée",
    "user_logged_in": "Connexion", "user_logged_out": "Déconnexion",
    "login_failed": "Échec de connexion", "user_created": "Utilisateur créé",
    "token_created": "Jeton d'API créé", "establishment_added": "Établissement ajouté",
    "password_changed": "Mot de passe changé",
    "protocol_viewed": "Protocole départemental consulté",
    "task_draft_saved": "Brouillon d'étape enregistré",
    "document_generated": "Document produit", "document_downloaded": "Document téléchargé",
    "protocol_changed": "Protocole départemental modifié",
    "audit_checkpoint_signed": "Point de contrôle de la piste d'audit signé",
    "case_exported": "Dossier exporté avec ses preuves",
    "session_expired": "Session expirée", "account_locked": "Compte verrouillé après des échecs de connexion",
    "user_disabled": "Utilisateur désactivé (sessions fermées, jetons révoqués)",
    "user_enabled": "Utilisateur réactivé et déverrouillé", "token_revoked": "Jeton d'API révoqué",
    "password_verified": "Mot de passe vérifié (code de vérification attendu)",
    "totp_enrolment_started": "Double authentification : enrôlement commencé",
    "totp_enabled": "Double authentification activée", "totp_reset": "Double authentification réinitialisée",
    "user_reauthenticated": "Identité confirmée (ré-authentification)",
    "reauthentication_failed": "Échec de ré-authentification",
    # declared by the diagrams (completionEvent, decisionEvents)
    "parents_informed": "Parents informés", "parents_not_informed": "Parents non informés (motivé)",
    "immediate_danger_reported": "Danger immédiat signalé",
    "signalement_sent": "Signalement confirmé par écrit au parquet",
    "crip_copy_sent": "Copie du signalement adressée à la CRIP",
    "complementary_ip_decided": "Information préoccupante complémentaire décidée",
    "mediation_agreement_signed": "Accord de médiation validé",
    "mediation_agreement_returned": "Accord de médiation à amender", "mediation_closed": "Médiation close",
    "incident_reported": "Fait déclaré (Faits établissement)",
    "conflict_qualified": "Situation qualifiée de conflit",
    "intimidation_qualified": "Situation qualifiée d'intimidation",
    "harassment_qualified": "Situation qualifiée de harcèlement",
    "shared_concern_succeeded": "Préoccupation partagée efficace",
    "shared_concern_failed": "Préoccupation partagée sans effet suffisant",
    "measures_decided": "Mesures décidées", "educational_team_convened": "Équipe éducative réunie",
    "suspension_decided": "Suspension conservatoire décidée", "behaviour_persisted": "Persistance constatée",
    "dasen_seized": "IA-DASEN saisi", "disciplinary_procedure_started": "Procédure disciplinaire engagée",
    "disciplinary_procedure_declined": "Procédure disciplinaire non engagée",
    "follow_up_closed": "Suivi clos", "case_closed": "Dossier clos", "case_reopened": "Dossier rouvert",
    "mdph_request_decided": "Demande à la MDPH décidée", "pap_decided": "PAP décidé", "pai_decided": "PAI décidé",
    "common_support_decided": "Réponses de droit commun décidées", "geva_sco_completed": "GEVA-Sco renseigné",
    "social_assessment_recorded": "Évaluation sociale enregistrée",
    "mdph_application_lodged": "Demande déposée à la MDPH",
    "mdph_application_declined": "La famille ne dépose pas de demande",
    "cdaph_decision_recorded": "Décision de la CDAPH enregistrée", "rapo_lodged": "Recours (RAPO) formé",
    "rapo_waived": "Pas de recours", "rapo_decision_changed": "Décision modifiée après recours",
    "pps_implemented": "PPS mis en œuvre", "ess_held": "ESS tenue",
    "mdph_review_requested": "Réexamen demandé à la MDPH", "renewal_requested": "Renouvellement demandé",
    "renewal_declined": "Renouvellement non demandé", "pap_established": "PAP établi",
    "pap_reviewed": "PAP révisé", "pai_established": "PAI établi",
    "dasen_referral_sent": "Dossier transmis à l'IA-DASEN",
    "dasen_warning_recorded": "Avertissement de l'IA-DASEN enregistré",
    "social_inquiry_ordered": "Enquête sociale demandée", "social_inquiry_completed": "Enquête sociale remise",
    "prosecutor_referral_recorded": "Saisine du procureur par l'IA-DASEN enregistrée",
    "ip_requested": "Information préoccupante décidée", "attendance_file_closed": "Dossier d'assiduité clos",
}
ROLE_LABELS = {**ROLES, "systeme": "Vigie (automatique)"}


def date_fr(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.astimezone(PARIS).date()
    return value.strftime("%d/%m/%Y")


def datetime_fr(value: datetime | None, seconds: bool = False) -> str:
    if value is None:
        return "—"
    return value.astimezone(PARIS).strftime("%d/%m/%Y à %H:%M:%S" if seconds else "%d/%m/%Y à %H:%M")


_ISO_DURATION = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?")
_UNITS = (("an", "ans"), ("mois", "mois"), ("semaine", "semaines"), ("jour", "jours"),
          ("heure", "heures"), ("minute", "minutes"))


def duration_fr(value: str) -> str:
    """`P1M` -> « 1 mois », `PT4H` -> « 4 heures », `P1Y6M` -> « 1 an 6 mois »."""
    match = _ISO_DURATION.fullmatch(value or "")
    if not match:
        return value
    parts = [f"{n} {units[0] if int(n) == 1 else units[1]}"
             for n, units in zip(match.groups(), _UNITS, strict=True) if n]
    return " ".join(parts) or value


def datetime_local(value: str | None) -> str:
    """An RFC 3339 value as `<input type="datetime-local">` shows it, in Paris time."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)  # what the person typed, shown back with its error
    return (moment.astimezone(PARIS) if moment.tzinfo else moment).strftime("%Y-%m-%dT%H:%M")


def iso_datetime_fr(value: str) -> str:
    """An ISO 8601 time written by Vigie (a checkpoint's) in Paris time."""
    return datetime_fr(datetime.fromisoformat(value.replace("Z", "+00:00")))


def register(app: Flask) -> None:
    app.add_template_filter(iso_datetime_fr)
    app.add_template_filter(lambda kind: EVENT_LABELS.get(kind, kind), "event_label")
    app.add_template_filter(datetime_local)
    app.add_template_filter(duration_fr)
    app.add_template_filter(date_fr)
    app.add_template_filter(datetime_fr)
    app.jinja_env.globals.update(
        roles=ROLE_LABELS, status_labels=STATUS_LABELS, state_labels=STATE_LABELS,
        event_labels=EVENT_LABELS, display=display_value, protocol_schema=PROTOCOL_SCHEMA,
        block_fields=block_fields, path_title=path_title,
        now=lambda: datetime.now(UTC))

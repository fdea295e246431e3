"""What screens need to read well in French: labels, dates in Paris time."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime

from flask import Flask

from workflows.protocol import PROTOCOL_SCHEMA

from ..forms import PARIS, display_value
from ..models import ROLES

STATUS_LABELS = {"running": "En cours", "waiting": "En attente d'une réponse ou d'un délai",
                 "completed": "Terminée", "cancelled": "Annulée"}
STATE_LABELS = {"ready": "à faire", "completed": "complétée", "cancelled": "annulée"}
EVENT_LABELS = {
    "case_opened": "Dossier ouvert", "case_viewed": "Dossier consulté",
    "cases_listed": "Liste des dossiers consultée",
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
    "protocol_changed": "Protocole départemental modifié",
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


def register(app: Flask) -> None:
    app.add_template_filter(datetime_local)
    app.add_template_filter(duration_fr)
    app.add_template_filter(date_fr)
    app.add_template_filter(datetime_fr)
    app.jinja_env.globals.update(
        roles=ROLE_LABELS, status_labels=STATUS_LABELS, state_labels=STATE_LABELS,
        event_labels=EVENT_LABELS, display=display_value, protocol_schema=PROTOCOL_SCHEMA,
        now=lambda: datetime.now(UTC))

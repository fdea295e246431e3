"""The departmental protocol: what each département sets, not the code (DOMAIN.md §8.1).

Child-protection protocols are signed per département between the conseil départemental, the
parquet and the IA-DASEN (art. L226-3 CASF): the route of an information préoccupante (direct to
the CRIP, or via the CTSD), the copies, the recipients and the internal deadlines differ. A
procedure receives the protocol in force when it starts, as the flat variables below, so that
a later change applies to procedures started afterwards only.

Legal deadlines (the CRIP's three months, L226-5 CASF; the four demi-journées of R131-7) are not
here: they are fixed by law and written in the diagrams.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_DURATION = r"^P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?)?$"
_RECIPIENTS = {"type": "array", "maxItems": 12, "uniqueItems": True,
               "items": {"type": "string", "minLength": 2, "maxLength": 120}}


def _delay(title: str, description: str) -> dict[str, Any]:
    return {"type": "string", "pattern": _DURATION, "maxLength": 20, "title": title,
            "description": description + " Durée ISO 8601 (P1D : un jour ; PT4H : quatre heures ; "
                                         "P2W : deux semaines ; P1M : un mois)."}


#: JSON Schema of a departmental protocol; its property names are the procedure variables.
PROTOCOL_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Protocole départemental",
    "type": "object",
    "additionalProperties": False,
    "required": ["route_ip", "copies_ip", "copies_signalement", "destinataire_crip",
                 "destinataire_parquet", "delai_confirmation_signalement",
                 "delai_suivi_signalement", "delai_revue_mpp", "delai_suivi_harcelement"],
    "properties": {
        "route_ip": {
            "type": "string", "title": "Circuit de l'information préoccupante",
            "oneOf": [{"const": "ctsd", "title": "Par le CTSD (validation à la DSDEN), puis la CRIP"},
                      {"const": "direct", "title": "Directement à la CRIP par l'établissement"}]},
        "copies_ip": {**_RECIPIENTS, "title": "Copies d'une information préoccupante"},
        "copies_signalement": {**_RECIPIENTS, "title": "Copies d'un signalement au procureur"},
        "destinataire_crip": {"type": "string", "minLength": 2, "maxLength": 300,
                              "title": "CRIP du département (service, adresse sécurisée)"},
        "destinataire_parquet": {"type": "string", "minLength": 2, "maxLength": 300,
                                 "title": "Parquet des mineurs (tribunal, permanence)"},
        "delai_confirmation_signalement": _delay(
            "Délai de confirmation écrite d'un signalement",
            "L'appel au parquet est confirmé par écrit le jour même ; au-delà, le CTSD est alerté."),
        "delai_suivi_signalement": _delay(
            "Point de suivi d'un signalement avec le CTSD", "Après la transmission au parquet."),
        "delai_revue_mpp": _delay(
            "Revue des entretiens de préoccupation partagée",
            "Délai du protocole pHARe de l'établissement entre deux revues (souvent 15 jours)."),
        "delai_suivi_harcelement": _delay(
            "Entretien de suivi après les mesures", "Suivi de l'élève ciblé et de sa famille."),
    },
}

#: The protocol of a département that has not set its own: route via the CTSD (the most common).
DEFAULT_PROTOCOL: dict[str, Any] = {
    "route_ip": "ctsd",
    "copies_ip": ["IA-DASEN (service social en faveur des élèves)", "CTSD"],
    "copies_signalement": ["CRIP du département", "IA-DASEN (service social en faveur des élèves)",
                           "CTSD"],
    "destinataire_crip": "CRIP du conseil départemental",
    "destinataire_parquet": "Parquet des mineurs du tribunal judiciaire",
    "delai_confirmation_signalement": "PT4H",
    "delai_suivi_signalement": "P1M",
    "delai_revue_mpp": "P15D",
    "delai_suivi_harcelement": "P1M",
}

#: Names every instance receives at its start (the checks accept them in expressions).
PROTOCOL_NAMES = frozenset(PROTOCOL_SCHEMA["properties"])


def protocol_problems(values: Mapping[str, Any]) -> dict[str, list[str]]:
    """French messages per field; empty when `values` is a valid protocol."""
    from jsonschema import Draft202012Validator

    problems: dict[str, list[str]] = {}
    for error in Draft202012Validator(PROTOCOL_SCHEMA).iter_errors(dict(values)):
        field = error.path[0] if error.path else (
            re.findall(r"'([^']+)'", error.message) or ["protocole"])[0]
        problems.setdefault(str(field), []).append(_message(error))
    return problems


def _message(error: Any) -> str:
    kind = error.validator
    if kind == "required":
        return "Champ obligatoire."
    if kind == "additionalProperties":
        return "Champ inconnu du protocole."
    if kind == "pattern":
        return "Durée attendue au format ISO 8601 (par exemple P1D, PT4H, P2W, P1M)."
    if kind == "oneOf":
        return "Valeur non prévue : « ctsd » ou « direct »."
    return f"Valeur refusée ({kind})."

"""PDF documents (WeasyPrint), in French: the fiche de transmission d'une information préoccupante
and the signalement au procureur, produced from the data entered with the departmental recipients
and copies of the protocol the procedure started with; and the readable copy of a case export.

A task declares the document it produces (`producesDocument`), and when (`producesDocumentWhen`,
`field=value` read in its data, then in the protocol).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from weasyprint import HTML

# WeasyPrint warns, at every document, that HarfBuzz-Subset (not packaged in Debian 12) will be
# required by its future versions; the fonts are subset with fontTools meanwhile.
logging.getLogger("weasyprint").setLevel(logging.ERROR)


@dataclass(frozen=True)
class Kind:
    title: str
    steps: tuple[str, ...]  # the tasks whose data the document reproduces, in this order
    recipient: str  # protocol field
    copies: str  # protocol field
    legal: str


KINDS = {
    "fiche_ip": Kind(
        "Fiche de transmission d'une information préoccupante",
        ("recueillir_faits", "evaluer_situation", "rediger_ip", "informer_parents", "viser_ip", "valider_ip"),
        "destinataire_crip", "copies_ip",
        "Transmise sans délai au président du conseil départemental (CRIP) en application de l'article "
        "L226-2-1 du code de l'action sociale et des familles. Les parents ont été informés au préalable, "
        "sauf intérêt contraire de l'enfant (même article). Le président du conseil départemental informe "
        "l'émetteur des suites données dans un délai de trois mois (art. L226-5 CASF)."),
    "signalement": Kind(
        "Signalement au procureur de la République",
        ("recueillir_parole", "mettre_en_securite", "appeler_parquet", "rediger_signalement"),
        "destinataire_parquet", "copies_signalement",
        "Adressé en application de l'article 40 du code de procédure pénale et de l'article L226-4 du "
        "code de l'action sociale et des familles ; copie adressée au président du conseil départemental "
        "(CRIP). Ce document rapporte des faits et des propos ; il ne qualifie pas une infraction."),
}


@dataclass(frozen=True)
class Section:
    title: str
    author: str
    at: datetime
    rows: tuple[tuple[str, str], ...]


def wanted(properties: dict[str, str], data: dict[str, Any], protocol: dict[str, Any]) -> str | None:
    """The kind of document a task produces with this data, if any."""
    kind = properties.get("producesDocument")
    if kind not in KINDS:
        return None
    condition = properties.get("producesDocumentWhen", "")
    if condition:
        name, _, value = condition.partition("=")
        actual = data[name] if name in data else protocol.get(name)
        if str(actual) != value:
            return None
    return kind


def render_pdf(kind: str, *, case: Any, sections: list[Section], protocol: dict[str, Any],
               made_at: datetime) -> bytes:
    """The PDF of a document; the HTML template is `templates/documents/document.html`."""
    spec = KINDS[kind]
    template = current_app.jinja_env.get_template("documents/document.html")  # no request needed
    html = template.render(kind=spec, case=case, sections=sections, recipient=protocol.get(spec.recipient),
                           copies=protocol.get(spec.copies) or [], made_at=made_at)
    return HTML(string=html).write_pdf()


def export_pdf(export: dict[str, Any], labels: dict[str, str], roles: dict[str, str]) -> bytes:
    """The readable PDF of a case export made by `usecases.audit.export_case` (same content as
    its JSON, with how to check it)."""
    template = current_app.jinja_env.get_template("documents/export.html")
    return HTML(string=template.render(export=export, labels=labels, roles=roles)).write_pdf()

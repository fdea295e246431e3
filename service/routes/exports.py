"""Downloads: a case export (the JSON with its proofs, or the readable PDF), a document, the
timeline as a spreadsheet (CSV)."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from flask import Response

from ..documents import export_pdf
from ..forms import PARIS
from .presentation import EVENT_LABELS, ROLE_LABELS

#: what a spreadsheet reads as the start of a formula (OWASP, « CSV injection »)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TIMELINE_COLUMNS = ("N°", "Date (heure de Paris)", "Qui", "Rôle", "Événement", "Étape", "Champ", "Valeur",
                    "Empreinte")


def export_response(data: dict[str, Any], kind: str) -> Response:
    name = f"vigie-dossier-{data['case']['id']}-{data['checkpoint']['tree_size']}"
    if kind == "pdf":
        body, mimetype, name = export_pdf(data, EVENT_LABELS, ROLE_LABELS), "application/pdf", name + ".pdf"
    else:
        body = json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
        mimetype, name = "application/json", name + ".json"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})


def document_response(document: Any) -> Response:
    """A stored document as a PDF download, its SHA-256 in a header to compare with the trail."""
    return Response(document.content, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="document-{document.id}.pdf"',
        "Cache-Control": "no-store", "X-Content-SHA256": document.sha256})


def csv_cell(value: Any) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula (= + - @, tab, carriage
    return) gets a leading apostrophe, so `=HYPERLINK("http://…")` typed in a form is never run."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def timeline_csv_response(case_id: int, entries: Iterable[Any]) -> Response:
    """The timeline of a case as CSV, one row per declared field (one for an event without data),
    for a spreadsheet: UTF-8 with a BOM (accents in Excel), `;` between cells (French locale),
    every cell neutralised by `csv_cell`; no pupil name in the file name; never cached."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(TIMELINE_COLUMNS)
    for entry in entries:
        event = entry.event
        head = (event.seq, event.created_at.astimezone(PARIS).strftime("%Y-%m-%d %H:%M:%S"),
                entry.actor or "Vigie (automatique)", ROLE_LABELS.get(event.actor_role, event.actor_role or ""),
                EVENT_LABELS.get(event.event_type, event.event_type), entry.payload.get("name", ""))
        rows = list(entry.rows)
        for key in ("comment", "purpose"):
            if not rows and entry.payload.get(key):
                rows = [({"comment": "Commentaire", "purpose": "Motif"}[key], entry.payload[key])]
        for label, value in rows or [("", "")]:
            writer.writerow([csv_cell(cell) for cell in (*head, label, value, event.hash)])
    return Response(out.getvalue().encode("utf-8"), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="chronologie-dossier-{case_id}.csv"',
        "Cache-Control": "no-store"})

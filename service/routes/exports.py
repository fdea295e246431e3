"""Downloads: a case export (the JSON with its proofs, or the readable PDF), a document."""
from __future__ import annotations

import json
from typing import Any

from flask import Response

from ..documents import export_pdf
from .presentation import EVENT_LABELS, ROLE_LABELS


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

"""The OpenAPI 3 document of /api/v1, built with apispec from the marshmallow schemas."""
from __future__ import annotations

from functools import lru_cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from . import schemas as s

ERRORS = {
    "400": "Corps de requête mal formé",
    "401": "Authentification requise",
    "403": "Rôle ou couloir non autorisé",
    "404": "Introuvable ou hors de votre périmètre",
    "409": "L'étape n'est plus à faire ou la procédure a changé",
    "413": "Requête trop volumineuse",
    "422": "Données refusées (détail par champ dans `fields`)",
}

#: (path, method, summary, request schema, success code, response schema, error codes)
ENDPOINTS = [
    ("/procedures", "get", "Procédures disponibles", None, "200", "ProcessListOut", "401"),
    ("/cases", "post", "Ouvrir un dossier pour un·e élève", "CaseIn", "201", "CreatedOut",
     "400 401 403 413 422"),
    ("/cases/{case_id}", "get", "Le dossier, ses procédures et leur statut (lecture tracée)", None,
     "200", "CaseOut", "401 403 404"),
    ("/cases/{case_id}/procedures", "post", "Démarrer une procédure sur le dossier", "ProcedureIn",
     "201", "StartedOut", "400 401 403 404 413 422"),
    ("/tasks", "get", "Mes étapes à faire", None, "200", "TaskListOut", "401"),
    ("/tasks/{task_id}", "get", "Une étape : formulaire (JSON Schema) et données (lecture tracée)",
     None, "200", "TaskDetailOut", "401 403 404"),
    ("/tasks/{task_id}/complete", "post", "Compléter une étape", "CompleteIn", "200",
     "CompletionOut", "400 401 403 404 409 413 422"),
    ("/tasks/{task_id}/draft", "put", "Enregistrer un brouillon de l'étape (non validé, non transmis)",
     "DraftIn", "200", "DraftOut", "400 401 403 404 409 413 422"),
    ("/cases/{case_id}/timeline", "get", "Chronologie d'audit du dossier (lecture tracée)", None,
     "200", "TimelineOut", "401 403 404"),
    ("/cases/{case_id}/documents", "get", "Documents du dossier (fiche de transmission, signalement) : "
     "id, nom, empreinte SHA-256, adresse de téléchargement", None, "200", "DocumentListOut", "401 403 404"),
    ("/cases/{case_id}/notes", "get", "Dossier social confidentiel de l'ASS : notes d'entretien et "
     "informations familiales (ASS et CTSD seulement ; lecture tracée, le texte jamais)", None, "200",
     "NoteListOut", "401 403 404"),
    ("/cases/{case_id}/notes", "post", "Ajouter une note au dossier social confidentiel (ASS) ; une note "
     "ne se modifie pas, une correction est une nouvelle note", "NoteIn", "201", "NoteOut",
     "400 401 403 404 413 422"),
    ("/cases/{case_id}/documents/{document_id}", "get", "Télécharger un document (application/pdf ; tracé)",
     None, "200", None, "401 403 404"),
    ("/cases/{case_id}/export", "post",
     "Exporter le dossier avec la preuve d'inclusion de chaque événement (auditeur ; tracé avec son "
     "motif) ; format pdf : application/pdf", "ExportIn", "200", "ExportOut", "400 401 403 404 413 422"),
    ("/audit/verify", "get", "Vérifier la chaîne d'audit (auditeur, administrateur)", None, "200",
     "VerifyOut", "401 403"),
    ("/departements/{code}/protocol", "get", "Protocole départemental en vigueur (lecture tracée)",
     None, "200", "ProtocolOut", "401 403 404"),
    ("/departements/{code}/protocol", "put",
     "Publier une nouvelle version du protocole (CTSD du département, administrateur) ; elle vaut "
     "pour les procédures démarrées ensuite", "ProtocolIn", "200", "ProtocolOut",
     "400 401 403 404 413 422"),
    ("/openapi.json", "get", "Ce document", None, "200", None, ""),
]

PDF = {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
#: success responses in other media types than JSON (a PDF download, the PDF form of an export)
OTHER_CONTENT = {("/cases/{case_id}/documents/{document_id}", "get"): PDF,
                 ("/cases/{case_id}/export", "post"): PDF,
                 ("/openapi.json", "get"): {"application/json": {"schema": {"type": "object"}}}}

PARAMETERS = {
    "case_id": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
    "task_id": {"type": "string", "maxLength": 36},
    "code": {"type": "string", "maxLength": 3},
    "document_id": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
}


@lru_cache(maxsize=1)
def spec_dict() -> dict:
    spec = APISpec(title="Vigie", version="1", openapi_version="3.0.3",
                   info={"description": "API de Vigie : dossiers, procédures, étapes, piste d'audit. "
                                        "Authentification par jeton « Bearer » (vigie token create)."},
                   servers=[{"url": "/api/v1"}], plugins=[MarshmallowPlugin()])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    names = {e[3] for e in ENDPOINTS if e[3]} | {e[5] for e in ENDPOINTS if e[5]} | {"ErrorOut"}
    # a list registers its items' schema as it goes: the items first, under their own name
    for name in sorted(names, key=lambda n: (n.endswith("ListOut"), n)):
        spec.components.schema(name, schema=getattr(s, name))
    operations: dict[str, dict] = {}
    for path, method, summary, request, code, response, errors in ENDPOINTS:
        operation: dict = {"summary": summary, "responses": {}}
        if path != "/openapi.json":
            operation["security"] = [{"bearer": []}]
        params = [p.strip("{}") for p in path.split("/") if p.startswith("{")]
        if params:
            operation["parameters"] = [{"name": p, "in": "path", "required": True, "schema": PARAMETERS[p]}
                                       for p in params]
        if request:
            operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": request}}}
        ok = {"description": "Succès"}
        if response:
            ok["content"] = {"application/json": {"schema": response}}
        if (path, method) in OTHER_CONTENT:
            ok["content"] = {**ok.get("content", {}), **OTHER_CONTENT[path, method]}
        operation["responses"][code] = ok
        for error in errors.split():
            operation["responses"][error] = {"description": ERRORS[error],
                                             "content": {"application/json": {"schema": "ErrorOut"}}}
        operations.setdefault(path, {})[method] = operation
    for path, by_method in operations.items():
        spec.path(path=path, operations=by_method)
    return spec.to_dict()

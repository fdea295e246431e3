"""Domain errors and HTTP errors, mapped once: JSON for the API, a French page for screens."""
from __future__ import annotations

import logging
import traceback

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..errors import VigieError
from ..extensions import db

log = logging.getLogger("vigie")

HTTP_MESSAGES = {
    400: ("bad_request", "Requête invalide."),
    401: ("unauthorized", "Authentification requise."),
    403: ("forbidden", "Accès refusé."),
    404: ("not_found", "Page ou ressource introuvable."),
    405: ("method_not_allowed", "Méthode non autorisée pour cette adresse."),
    413: ("payload_too_large", "Requête trop volumineuse."),
    415: ("unsupported_media_type", "Type de contenu non pris en charge : envoyez du JSON."),
    429: ("too_many_requests", "Trop de tentatives depuis cette adresse : patientez quelques minutes avant "
                               "de réessayer."),
    500: ("server_error", "Erreur interne : l'opération n'a pas été enregistrée."),
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best_match(["application/json", "text/html"]) == "application/json")


def error_response(status: int, code: str, message: str, fields: dict | None = None, **extra):
    if wants_json():
        body = {"error": code, "message": message, "fields": fields or {}}
        body.update(extra)
        return jsonify(body), status
    return render_template("errors/error.html", status=status, message=message, fields=fields or {}), status


def register(app: Flask) -> None:
    @app.errorhandler(VigieError)
    def domain_error(error: VigieError):
        db.session.rollback()
        return error_response(error.status, error.code, error.message, error.fields, **error.details)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        db.session.rollback()
        return error_response(400, "csrf_failed",
                              "Jeton de sécurité (CSRF) manquant ou expiré : rechargez la page et recommencez.")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        db.session.rollback()
        code, message = HTTP_MESSAGES.get(error.code or 500, ("http_error", "Erreur."))
        if error.code == 413:
            limit = app.config.get("MAX_CONTENT_LENGTH") or 0
            message = f"Requête trop volumineuse : {limit // 1024} Kio au maximum."
        return error_response(error.code or 500, code, message)

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        db.session.rollback()
        # type and code lines only: an exception's message may quote submitted data
        log.error("unhandled %s on %s %s\n%s", type(error).__name__, request.method,
                  request.url_rule, "".join(traceback.format_tb(error.__traceback__)))
        return error_response(500, *HTTP_MESSAGES[500])

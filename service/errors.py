"""Domain errors, defined once; `routes/errors.py` maps them to HTTP once."""
from __future__ import annotations


class VigieError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None, **details):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.details = details


class NotAuthenticated(VigieError):
    status, code = 401, "unauthorized"


class Forbidden(VigieError):
    """The role may not do this at all, or the task belongs to another lane."""

    status, code = 403, "forbidden"


class NotFound(VigieError):
    """Unknown, or outside the caller's scope: the two are not told apart."""

    status, code = 404, "not_found"


class Conflict(VigieError):
    """The step is no longer ready, or the procedure changed since it was read."""

    status, code = 409, "conflict"


class ValidationFailed(VigieError):
    """Input refused; `fields` maps each field to its French messages."""

    status, code = 422, "validation_failed"


class EngineRefused(VigieError):
    """The engine refused the step (limit reached, expression refused); nothing was written."""

    status, code = 422, "engine_refused"

"""Persistence: one module per aggregate. Models add and flush; only use cases commit."""
from .audit import AuditEvent
from .case import NOTE_KINDS, Case, CaseNote
from .establishment import DEPARTEMENTS, Departement, Establishment, uai_with_check_letter, valid_departement, valid_uai
from .procedure import Document, HumanTask, Procedure, ProcessVersion, TaskDraft, TaskSubmission
from .protocol import DepartmentalProtocol
from .user import ROLES, ApiToken, User, UserSession, user_establishment

__all__ = [
    "AuditEvent", "Case", "CaseNote", "NOTE_KINDS", "Document", "DepartmentalProtocol", "DEPARTEMENTS",
    "Departement", "Establishment",
    "uai_with_check_letter", "valid_departement", "valid_uai", "HumanTask", "Procedure",
    "ProcessVersion", "TaskDraft", "TaskSubmission", "ROLES", "ApiToken", "User", "UserSession",
    "user_establishment",
]

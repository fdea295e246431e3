"""marshmallow schemas of the JSON API: what it accepts (`*In`) and what it returns (`*Out`).

Error messages are French; unknown fields are refused.
"""
from __future__ import annotations

import re
from datetime import date

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates

from ..models import NOTE_KINDS
from ..usecases.notes import MAX_NOTE_CHARS

_REQUIRED = "Ce champ est obligatoire."
_NULL = "Ce champ ne peut pas être vide (null)."
#: letters of any script, with inner spaces, apostrophes, hyphens and dots: « N'Diaye », « Le Goff »
NAME = re.compile(r"^[^\W\d_](?:[^\W\d_]|[ '’.-](?=[^\W\d_]))*\.?$")


class _Messages:
    default_error_messages = {"required": _REQUIRED, "null": _NULL,
                              "validator_failed": "Valeur invalide."}


class Str(_Messages, fields.String):
    default_error_messages = {"invalid": "Texte attendu.", "invalid_utf8": "Texte mal encodé."}


class Int(_Messages, fields.Integer):
    default_error_messages = {"invalid": "Nombre entier attendu.", "too_large": "Nombre trop grand."}


class Day(_Messages, fields.Date):
    default_error_messages = {"invalid": "Date attendue au format AAAA-MM-JJ.",
                              "format": "Date attendue au format AAAA-MM-JJ."}


class Obj(_Messages, fields.Dict):
    default_error_messages = {"invalid": "Objet JSON attendu."}


class Sub(_Messages, fields.Nested):
    default_error_messages = {"type": "Objet JSON attendu."}


class Any(_Messages, fields.Raw):
    pass


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE

    error_messages = {"unknown": "Champ inconnu.", "type": "Objet JSON attendu."}


def _length(low: int, high: int) -> validate.Length:
    return validate.Length(low, high, error=f"Entre {low} et {high} caractères.")


class PupilIn(StrictSchema):
    last_name = Str(required=True, validate=[_length(1, 100), validate.Regexp(
        NAME, error="Nom invalide : lettres, espaces, apostrophes, tirets.")])
    first_name = Str(required=True, validate=[_length(1, 100), validate.Regexp(
        NAME, error="Prénom invalide : lettres, espaces, apostrophes, tirets.")])
    birth_date = Day(required=True)

    @validates("birth_date")
    def _plausible(self, value: date, **_kwargs) -> None:
        if value > date.today():
            raise ValidationError("La date de naissance est dans le futur.")
        if value.year < 1980:
            raise ValidationError("Date de naissance invraisemblable pour un·e élève.")


class CaseIn(StrictSchema):
    pupil = Sub(PupilIn, required=True)
    establishment = Str(required=True, validate=validate.Length(
                            equal=8, error="Code UAI : 8 caractères (ex. 0751234J)."),
                        metadata={"description": "Code UAI de l'établissement (ex. 0751234J)"})


class ProcedureIn(StrictSchema):
    procedure = Str(required=True, validate=_length(1, 100),
                    metadata={"description": "Identifiant de la procédure (GET /procedures)"})


class CompleteIn(StrictSchema):
    data = Any(required=True, metadata={
        "description": "Les valeurs du formulaire, valides contre le JSON Schema de l'étape (`form`)",
        "type": "object"})
    version = Int(metadata={"description": "Version de la procédure lue ; 409 si elle a changé"})


class ProtocolIn(StrictSchema):
    protocol = Any(required=True, metadata={
        "description": "Le protocole complet, valide contre `schema` de GET /departements/{code}/protocol",
        "type": "object"})
    reason = Str(required=True, validate=_length(5, 500),
                 metadata={"description": "Motif de la modification, conservé dans le journal"})


class DraftIn(StrictSchema):
    data = Any(required=True, metadata={
        "description": "Les valeurs saisies jusqu'ici, non validées (seuls les champs du formulaire sont gardés)",
        "type": "object"})


class ExportIn(StrictSchema):
    purpose = Str(required=True, validate=_length(5, 300),
                  metadata={"description": "Motif de l'export, conservé dans la piste d'audit"})
    format = Str(load_default="json", validate=validate.OneOf(["json", "pdf"], error="« json » ou « pdf »."),
                 metadata={"description": "json (vérifiable par vigie audit prove) ou pdf (lisible)"})


class NoteIn(StrictSchema):
    kind = Str(required=True, validate=validate.OneOf(list(NOTE_KINDS), error="Type de note inconnu."),
               metadata={"description": "entretien_eleve, entretien_famille, situation_familiale, "
                                        "echange_partenaire ou autre"})
    body = Str(required=True, validate=_length(1, MAX_NOTE_CHARS))


# ---------------------------------------------------------------- responses

class ErrorOut(Schema):
    error = fields.String(required=True)
    message = fields.String(required=True)
    fields = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True)


class ProcessOut(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    version = fields.String(required=True)
    documentation = fields.String(allow_none=True)


class ProcessListOut(Schema):
    procedures = fields.List(fields.Nested(ProcessOut), required=True)


class TaskOut(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    element = fields.String(required=True, attribute="spec_id")
    lane = fields.String(allow_none=True)
    role = fields.String(required=True)
    state = fields.String(required=True)
    case_id = fields.Integer(required=True)
    procedure_id = fields.Integer(required=True)
    process_id = fields.String(required=True, attribute="procedure.process_id")
    ready_at = fields.DateTime(required=True)
    due_at = fields.DateTime(allow_none=True)
    waits_for_external = fields.Boolean(required=True)


class TaskListOut(Schema):
    tasks = fields.List(fields.Nested(TaskOut), required=True)


class ReviewOut(Schema):
    element = fields.String(required=True, attribute="spec_id")
    name = fields.String(required=True)
    submitted_by = fields.String(required=True)
    submitted_at = fields.DateTime(required=True)
    data = fields.Dict(required=True)


class TaskDetailOut(TaskOut):
    form = fields.Dict(required=True)
    data = fields.Dict(required=True)
    instructions = fields.String(allow_none=True)
    documentation = fields.String(allow_none=True)
    procedure_version = fields.Integer(required=True)
    review = fields.List(fields.Nested(ReviewOut), required=True)
    protocol = fields.Dict(required=True, metadata={
        "description": "Valeurs du protocole départemental utiles à l'étape (destinataires, copies)"})
    draft_saved_at = fields.String(allow_none=True, metadata={
        "description": "Si `data` est un brouillon : quand il a été enregistré"})


class ProcedureOut(Schema):
    id = fields.Integer(required=True)
    process_id = fields.String(required=True)
    name = fields.String(required=True)
    version = fields.String(required=True)
    status = fields.String(required=True)
    next_timer_at = fields.DateTime(allow_none=True)
    end_event = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True)
    started_at = fields.DateTime(required=True)
    completed_at = fields.DateTime(allow_none=True)
    current_tasks = fields.List(fields.Nested(TaskOut), required=True)
    parent_id = fields.Integer(allow_none=True, metadata={
        "description": "La procédure dont le déroulement a engagé celle-ci sur le dossier"})
    protocol_version = fields.Integer(required=True, metadata={
        "description": "Version du protocole départemental appliqué (0 : protocole par défaut)"})


class PupilOut(Schema):
    last_name = fields.String(required=True)
    first_name = fields.String(required=True)
    birth_date = fields.Date(required=True)


class EstablishmentOut(Schema):
    uai = fields.String(required=True)
    name = fields.String(required=True)
    departement = fields.String(required=True)


class CaseOut(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True)
    opened_at = fields.DateTime(required=True)
    pupil = fields.Nested(PupilOut, required=True)
    establishment = fields.Nested(EstablishmentOut, required=True)
    procedures = fields.List(fields.Nested(ProcedureOut), required=True)


class CreatedOut(Schema):
    id = fields.Integer(required=True)


class StartedOut(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True)


class CompletionProcedureOut(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True)
    version = fields.Integer(required=True)


class CompletionOut(Schema):
    status = fields.String(required=True)
    procedure = fields.Nested(CompletionProcedureOut, required=True)
    next_tasks = fields.List(fields.Nested(TaskOut), required=True)


class EventOut(Schema):
    seq = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    event_type = fields.String(required=True)
    actor = fields.String(allow_none=True)
    actor_role = fields.String(allow_none=True)
    procedure_id = fields.Integer(allow_none=True)
    task_id = fields.String(allow_none=True)
    payload = fields.Dict(required=True)
    prev_hash = fields.String(required=True)
    hash = fields.String(required=True)


class TimelineOut(Schema):
    case_id = fields.Integer(required=True)
    events = fields.List(fields.Nested(EventOut), required=True)


class VerifyOut(Schema):
    ok = fields.Boolean(required=True)
    events = fields.Integer(required=True)
    head = fields.String(required=True)
    broken_seq = fields.Integer(allow_none=True)
    reason = fields.String(allow_none=True)


class ProtocolOut(Schema):
    departement = fields.String(required=True)
    departement_name = fields.String(required=True)
    version = fields.Integer(required=True, metadata={"description": "0 : protocole par défaut"})
    protocol = fields.Dict(required=True)
    reason = fields.String(allow_none=True)
    created_at = fields.DateTime(allow_none=True)
    created_by = fields.String(allow_none=True)
    schema = fields.Dict(required=True, metadata={"description": "JSON Schema du protocole"})


class ExportOut(Schema):
    format = fields.String(required=True, metadata={"description": "vigie-case-export/1"})
    exported_at = fields.String(required=True)
    exported_by = fields.String(required=True)
    purpose = fields.String(required=True)
    case = fields.Dict(required=True)
    checkpoint = fields.Dict(required=True, metadata={"description": "Point de contrôle signé (Ed25519)"})
    events = fields.List(fields.Dict(), required=True, metadata={
        "description": "Événements du dossier, chacun avec sa preuve d'inclusion (RFC 6962)"})


class DraftOut(Schema):
    task_id = fields.String(required=True)
    saved_at = fields.DateTime(required=True)


class DocumentOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "fiche_ip ou signalement"})
    sha256 = fields.String(required=True, metadata={"description": "Empreinte, aussi dans la piste d'audit"})
    created_at = fields.DateTime(required=True)
    url = fields.String(required=True, metadata={"description": "Téléchargement (PDF, tracé)"})


class DocumentListOut(Schema):
    documents = fields.List(fields.Nested(DocumentOut), required=True)


class NoteOut(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    body = fields.String(required=True)
    sha256 = fields.String(required=True, metadata={"description": "Empreinte du texte, seule dans la piste d'audit"})
    author = fields.String(required=True)
    created_at = fields.DateTime(required=True)


class NoteListOut(Schema):
    notes = fields.List(fields.Nested(NoteOut), required=True)

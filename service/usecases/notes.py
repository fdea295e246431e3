"""The ASS's confidential social file: notes of interviews and family information.

Only the ASS of the case's establishment writes them; the ASS and the CTSD of the département
read them; the direction, the auditors and the administrators never do. The audit trail records
each note's SHA-256 and each reading, never the text, so an auditor can prove that no note was
rewritten without reading it.
"""
from __future__ import annotations

import hashlib

from sqlalchemy import select

from ..access import CONFIDENTIAL_READERS, CONFIDENTIAL_WRITERS, Actor, require_case, require_role
from ..errors import ValidationFailed
from ..extensions import db
from ..models import NOTE_KINDS, Case, CaseNote
from .unit_of_work import unit_of_work

MAX_NOTE_CHARS = 20_000


def add_note(actor: Actor, case_id: int, kind: str, body: str) -> CaseNote:
    """Add a note to the case's confidential social file.

    :raises Forbidden, NotFound: role or scope; :raises ValidationFailed: kind or text.
    """
    require_role(actor, CONFIDENTIAL_WRITERS, "écrire dans le dossier social confidentiel")
    errors: dict[str, list[str]] = {}
    if kind not in NOTE_KINDS:
        errors["kind"] = ["Choisissez le type de note."]
    text = (body or "").strip()
    if not text:
        errors["body"] = ["Ce champ est obligatoire."]
    elif len(text) > MAX_NOTE_CHARS:
        errors["body"] = [f"{MAX_NOTE_CHARS} caractères au plus."]
    with unit_of_work(actor) as uow:
        case = require_case(actor, db.session.get(Case, case_id), "écrire dans le dossier social confidentiel")
        if errors:
            raise ValidationFailed("La note n'a pas été enregistrée.", errors)
        note = CaseNote(case_id=case.id, author_id=actor.user_id, kind=kind, body=text,
                        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())
        db.session.add(note)
        db.session.flush()
        uow.record("note_added", case_id=case.id, note_id=note.id, kind=kind, sha256=note.sha256)
    return note


def read_notes(actor: Actor, case_id: int) -> tuple[Case, tuple[CaseNote, ...]]:
    """The case's confidential notes, oldest first; the reading is audited.

    :raises Forbidden: for the direction, the auditors, the administrators; :raises NotFound:
    """
    require_role(actor, CONFIDENTIAL_READERS, "consulter le dossier social confidentiel")
    with unit_of_work(actor) as uow:
        case = require_case(actor, db.session.get(Case, case_id), "consulter le dossier social confidentiel")
        notes = tuple(db.session.scalars(select(CaseNote).where(CaseNote.case_id == case.id)
                                         .order_by(CaseNote.id)))
        uow.record("notes_viewed", case_id=case.id, shown=len(notes))
    return case, notes

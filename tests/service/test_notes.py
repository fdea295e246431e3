"""The ASS's confidential social file: the ASS writes, the ASS and the CTSD read, nobody else.

The direction sees what it co-signs (the IP it signs, the documents), never the notes nor the
ASS's interview steps; the audit trail keeps each note's SHA-256 and each reading, never the text.
"""
from __future__ import annotations

import hashlib
import json

import pytest
import sqlalchemy as sa

from service.errors import Forbidden, NotFound, ValidationFailed
from service.extensions import db
from service.models import AuditEvent, CaseNote
from service.usecases.notes import add_note, read_notes
from tests.factories import make_case
from tests.helpers import fingerprint

SECRET = "La mère confie que son compagnon la menace quand il a bu (entretien du 4 mars)."


def test_the_ass_writes_and_the_ass_and_the_ctsd_read(world):
    case = make_case(world.ass)
    note = add_note(world.actor("ass"), case.id, "entretien_famille", f"  {SECRET}  ")
    assert note.body == SECRET and note.sha256 == hashlib.sha256(SECRET.encode()).hexdigest()
    for role in ("ass", "ctsd"):
        _, found = read_notes(world.actor(role), case.id)
        assert [n.body for n in found] == [SECRET]


@pytest.mark.parametrize("role", ["direction", "auditeur", "admin"])
def test_the_direction_the_auditors_and_the_administrators_never_read_them(world, role):
    case = make_case(world.ass)
    add_note(world.actor("ass"), case.id, "entretien_eleve", SECRET)
    with pytest.raises(Forbidden):
        read_notes(world.actor(role), case.id)
    with pytest.raises(Forbidden):
        add_note(world.actor(role), case.id, "autre", "Tentative.")


def test_out_of_scope_the_case_does_not_exist_and_only_the_ass_writes(world):
    case = make_case(world.ass)
    for role in ("ass2", "ctsd2"):
        with pytest.raises(NotFound):
            read_notes(world.actor(role), case.id)
    with pytest.raises(NotFound):
        add_note(world.actor("ass2"), case.id, "autre", "Tentative.")
    with pytest.raises(Forbidden):
        add_note(world.actor("ctsd"), case.id, "autre", "Le CTSD lit, il n'écrit pas ici.")


def test_a_refused_note_changes_nothing(world):
    case = make_case(world.ass)
    db.session.commit()
    before = fingerprint()
    for kind, body, field in (("autre", "   ", "body"), ("diagnostic", "Texte.", "kind"),
                              ("autre", "x" * 20_001, "body")):
        with pytest.raises(ValidationFailed) as refused:
            add_note(world.actor("ass"), case.id, kind, body)
        assert list(refused.value.fields) == [field]
    assert fingerprint() == before


def test_the_trail_keeps_the_fingerprint_and_each_reading_never_the_text(world):
    case = make_case(world.ass)
    note = add_note(world.actor("ass"), case.id, "situation_familiale", SECRET)
    read_notes(world.actor("ctsd"), case.id)
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.case_id == case.id)).all()
    payloads = [(e.event_type, json.loads(e.payload)) for e in events]
    assert [p["sha256"] for kind, p in payloads if kind == "note_added"] == [note.sha256]
    assert [p["shown"] for kind, p in payloads if kind == "notes_viewed"] == [1]
    assert not any("compagnon" in e.payload for e in events)


def test_a_note_cannot_be_rewritten_nor_deleted(world):
    case = make_case(world.ass)
    note_id = add_note(world.actor("ass"), case.id, "autre", SECRET).id
    for statement in (sa.update(CaseNote).where(CaseNote.id == note_id).values(body="Réécrit."),
                      sa.delete(CaseNote).where(CaseNote.id == note_id)):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            db.session.execute(statement)
            db.session.flush()
        db.session.rollback()
    assert db.session.get(CaseNote, note_id).body == SECRET

"""Drafts: what a social worker typed is kept, unvalidated, until she completes the step."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from service.errors import Conflict, Forbidden
from service.extensions import db
from service.models import AuditEvent, TaskDraft
from service.usecases.procedures import start_procedure
from service.usecases.tasks import complete_task, save_draft, view_task
from tests.factories import make_case
from tests.helpers import ready_task
from tests.ip_samples import sample


def test_a_draft_is_kept_unvalidated_shown_back_and_removed_on_completion(world):
    case = make_case(world.ass)
    start_procedure(world.actor("ass"), case.id, "information_preoccupante")
    task = ready_task(world.actor("ass"), "recueillir_faits")
    partial = {"faits": "Le 2 mars, l'élève est arrivée en pleurs.", "date_constat": "2026-13-45",
               "champ_inconnu": "écarté"}
    save_draft(world.actor("ass"), task.id, partial)
    details = view_task(world.actor("ass"), task.id)
    assert details.data == {"faits": partial["faits"], "date_constat": "2026-13-45"}  # not validated
    assert details.draft_saved_at is not None
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event_type == "task_draft_saved")).one()
    assert json.loads(event.payload)["fields"] == ["date_constat", "faits"]
    assert "pleurs" not in event.payload  # a draft is not a declaration: its content stays out
    complete_task(world.actor("ass"), task.id, sample("recueillir_faits"))
    assert db.session.get(TaskDraft, task.id) is None


def test_only_the_lane_of_a_ready_step_saves_a_draft(world):
    case = make_case(world.ass)
    start_procedure(world.actor("ass"), case.id, "information_preoccupante")
    task = ready_task(world.actor("ass"), "recueillir_faits")
    with pytest.raises(Forbidden):
        save_draft(world.actor("direction"), task.id, {"faits": "x"})
    complete_task(world.actor("ass"), task.id, sample("recueillir_faits"))
    with pytest.raises(Conflict):
        save_draft(world.actor("ass"), task.id, {"faits": "trop tard"})

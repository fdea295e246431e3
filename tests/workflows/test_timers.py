"""Timers: due time survives save/restore, fires only when due, creates a person's task."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from workflows import RUNNING, WorkflowEngine

from .diagrams import timer_bundle

T0 = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


def test_boundary_timer_creates_the_chase_task_after_three_months(tmp_path):
    engine = WorkflowEngine(tmp_path)
    bundle = timer_bundle('"P3M"')
    with time_machine.travel(T0, tick=False):
        run, result = engine.start(bundle)
    assert result.snapshot.next_timer_at == datetime(2026, 4, 15, 9, 0, tzinfo=UTC)
    waiting = result.snapshot.ready[0]
    saved = run.dump()

    with time_machine.travel(T0 + timedelta(days=89), tick=False):
        run = engine.restore(bundle, saved)
        early = run.advance()
    assert early.events == ()
    assert [t.spec_id for t in early.snapshot.ready] == ["attendre"]

    with time_machine.travel(datetime(2026, 4, 15, 9, 1, tzinfo=UTC), tick=False):
        run = engine.restore(bundle, saved)
        fired = run.advance()
    kinds = {(e.kind, e.spec_id) for e in fired.events}
    assert kinds == {("timer_fired", "delai"), ("task_cancelled", "attendre"),
                     ("task_created", "relancer")}
    assert run.task(waiting.id).state == "cancelled"
    assert fired.snapshot.status == RUNNING
    assert fired.snapshot.next_timer_at is None

    run = engine.restore(bundle, run.dump())
    with time_machine.travel(datetime(2026, 4, 16, tzinfo=UTC), tick=False):
        again = run.complete(fired.snapshot.ready[0].id, {})
    assert [t.spec_id for t in again.snapshot.ready] == ["attendre"]
    assert again.snapshot.next_timer_at == datetime(2026, 7, 16, tzinfo=UTC)
    done = engine.restore(bundle, run.dump()).complete(again.snapshot.ready[0].id, {})
    assert done.snapshot.status == "completed" and done.snapshot.end_event == "fin"


def test_timer_expression_may_name_a_variable(tmp_path):
    engine = WorkflowEngine(tmp_path)
    with time_machine.travel(T0, tick=False):
        _, result = engine.start(timer_bundle('"P15D"'))
    assert result.snapshot.next_timer_at == T0 + timedelta(days=15)

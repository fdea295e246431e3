"""Months are counted as the law counts them, for due dates and for the engine's timers."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from workflows import WorkflowEngine
from workflows.run import iso_duration

from .diagrams import timer_bundle


@pytest.mark.parametrize("start, duration, end", [
    (datetime(2026, 1, 31, 9, tzinfo=UTC), "P1M", datetime(2026, 2, 28, 9, tzinfo=UTC)),
    (datetime(2028, 1, 31, 9, tzinfo=UTC), "P1M", datetime(2028, 2, 29, 9, tzinfo=UTC)),
    (datetime(2026, 1, 31, 9, tzinfo=UTC), "P3M", datetime(2026, 4, 30, 9, tzinfo=UTC)),
    (datetime(2026, 11, 30, 9, tzinfo=UTC), "P3M", datetime(2027, 2, 28, 9, tzinfo=UTC)),
    (datetime(2026, 3, 9, 14, 30, tzinfo=UTC), "P3M", datetime(2026, 6, 9, 14, 30, tzinfo=UTC)),
    (datetime(2026, 8, 31, 9, tzinfo=UTC), "P1Y6M", datetime(2028, 2, 29, 9, tzinfo=UTC)),
    (datetime(2026, 3, 2, 9, tzinfo=UTC), "P15D", datetime(2026, 3, 17, 9, tzinfo=UTC)),
    (datetime(2026, 3, 2, 9, tzinfo=UTC), "P1MT4H", datetime(2026, 4, 2, 13, tzinfo=UTC)),
])
def test_a_deadline_in_months_ends_on_the_same_day_or_the_last_day_of_a_shorter_month(start, duration, end):
    assert start + iso_duration(duration, start) == end


def test_a_boundary_timer_of_one_month_from_31_january_fires_on_28_february(tmp_path):
    engine = WorkflowEngine(tmp_path)
    bundle = timer_bundle('"P1M"')
    with time_machine.travel(datetime(2026, 1, 31, 9, tzinfo=UTC), tick=False):
        run, result = engine.start(bundle)
    assert result.snapshot.next_timer_at == datetime(2026, 2, 28, 9, tzinfo=UTC)
    with time_machine.travel(datetime(2026, 2, 28, 9, tzinfo=UTC) - timedelta(minutes=1), tick=False):
        assert not [e for e in run.advance().events if e.kind == "timer_fired"]
    with time_machine.travel(datetime(2026, 2, 28, 9, 1, tzinfo=UTC), tick=False):
        assert [e.kind for e in run.advance().events if e.kind == "timer_fired"] == ["timer_fired"]

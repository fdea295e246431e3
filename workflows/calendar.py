"""Legal durations in months and years, counted as French law counts them.

A deadline of « trois mois » from 31 January ends on 30 April, and one of « un mois » from
31 January on 28 (or 29) February: the same day number in the target month, or its last day when
that month is shorter (code de procédure civile, art. 641 and 642; the administration counts the
same way). SpiffWorkflow 3.2.0 adds the lengths of the months instead, which moves a one-month
deadline from 31 January to 3 March. Every timer and due date of the engine uses this function.
"""
from __future__ import annotations

from calendar import monthrange
from datetime import UTC, datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition


def add_months(start: datetime, months: int) -> datetime:
    """`start` moved by whole months, on the same day number or the last day of a shorter month."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return start.replace(year=year, month=month, day=min(start.day, monthrange(year, month)[1]))


def timedelta_from_start(parsed_duration: dict[str, Any], start: datetime | None = None) -> timedelta:
    """Drop-in for `TimerEventDefinition.get_timedelta_from_start` (same arguments, same result
    type), with calendar months; a fraction of a month counts in days of the month reached."""
    start = start or datetime.now(UTC)
    parsed = dict(parsed_duration)
    months = parsed.pop("years", 0) * 12 + parsed.pop("months", 0)
    whole = int(months)
    end = add_months(start, whole)
    extra_days = (months - whole) * monthrange(end.year, end.month)[1]
    return (end - start) + timedelta(days=parsed.pop("days", 0) + extra_days, **parsed)


def install() -> None:
    """Make SpiffWorkflow's timers count months as the law does (idempotent)."""
    TimerEventDefinition.get_timedelta_from_start = staticmethod(timedelta_from_start)

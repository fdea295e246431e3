"""What the timeline screen derives from the events: filters, who viewed, and form diffs."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from ..forms import PARIS

READS = ("case_viewed", "diagram_viewed", "notes_viewed", "timeline_viewed", "task_viewed", "case_exported")


@dataclass(frozen=True)
class Viewer:
    name: str
    role: str | None
    reads: int
    last: datetime
    kinds: tuple[str, ...]


def parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def filtered(entries: Iterable, user: str | None, start: date | None, end: date | None) -> list:
    """The entries by `user` (a user name) between `start` and `end` (Paris days, inclusive)."""
    out = []
    for entry in entries:
        day = entry.event.created_at.astimezone(PARIS).date()
        if user and entry.actor != user:
            continue
        if (start and day < start) or (end and day > end):
            continue
        out.append(entry)
    return out


def viewers(entries: Iterable) -> list[Viewer]:
    """Who read the case, how many times, last when: the access review of an auditor."""
    found: dict[tuple, list] = {}
    for entry in entries:
        if entry.event.event_type in READS:
            found.setdefault((entry.actor or "Vigie", entry.event.actor_role), []).append(entry)
    return sorted((Viewer(name, role, len(items), max(e.event.created_at for e in items),
                          tuple(sorted({e.event.event_type for e in items})))
                   for (name, role), items in found.items()), key=lambda v: v.last, reverse=True)


def form_diffs(entries: Iterable) -> dict[int, list[tuple[str, str, str]]]:
    """For each form submitted again (after a return, a new meeting…), what changed since the
    previous submission of the same step: {seq: [(label, before, after)]}."""
    previous: dict[tuple, dict[str, str]] = {}
    diffs: dict[int, list[tuple[str, str, str]]] = {}
    for entry in entries:
        if entry.event.event_type != "task_completed":
            continue
        key = (entry.event.procedure_id, entry.payload.get("element"))
        now = dict(entry.rows)
        if key in previous:
            before = previous[key]
            changes = [(label, before.get(label, "—"), now.get(label, "—"))
                       for label in list(dict.fromkeys([*before, *now])) if before.get(label) != now.get(label)]
            diffs[entry.event.seq] = changes
        previous[key] = now
    return diffs

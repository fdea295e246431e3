"""Every path of a diagram: a depth-first walk over each task's choices and over the timers.

A *path* is the sequence of steps an instance goes through from its start to an end event. At
every state the explorer restores the instance from its saved state (as the service does between
two requests) and branches on:

- each choice listed for the first ready task (a named dict of form values; a task with no
  listed choice has one, its sample payload). The full payload is validated against the task's
  form, and the task is completed with its engine fields only, as the service does;
- firing the next timer, when one is set: the clock jumps just past it.

Tasks ready at the same time on parallel branches are completed in one fixed order (the tasks a
person can do first, then external waits, by spec id). A task is completed at most `max_visits`
times on one path and at most `max_timers` timers fire on one path, which bounds the loops.
The clock moves one hour per step, so the due dates differ from step to step.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jsonschema
import time_machine
from lxml import etree

from workflows import COMPLETED, Bundle, SavedState, Snapshot, TaskView, WorkflowEngine
from workflows.checks import FLOW_NODES, NS

TIMER = "⏱"
STEP = timedelta(hours=1)
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday, Paris winter time + 1 h

Payload = Callable[[str, Mapping[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Step:
    spec_id: str  # the task completed, or the timer event that fired
    choice: str  # the name of the choice, "" for the only one, TIMER for a timer


@dataclass(frozen=True)
class Path:
    steps: tuple[Step, ...]
    end_event: str
    outcome: str
    elements: frozenset[str]  # bpmn ids of every element completed on the way

    def did(self, spec_id: str, choice: str | None = None) -> bool:
        return any(s.spec_id == spec_id and (choice is None or s.choice == choice) for s in self.steps)

    def index(self, spec_id: str) -> int:
        return next(i for i, s in enumerate(self.steps) if s.spec_id == spec_id)

    def __str__(self) -> str:
        return " → ".join(f"{s.spec_id}[{s.choice}]" if s.choice else s.spec_id for s in self.steps)


@dataclass
class Exploration:
    paths: list[Path]

    @property
    def ends(self) -> Counter:
        return Counter(p.end_event for p in self.paths)

    @property
    def elements(self) -> set[str]:
        return set().union(*(p.elements for p in self.paths))

    def through(self, spec_id: str, choice: str | None = None) -> list[Path]:
        return [p for p in self.paths if p.did(spec_id, choice)]


@dataclass
class _State:
    saved: SavedState
    snapshot: Snapshot
    now: datetime
    steps: tuple[Step, ...]
    visits: Counter
    timers: int
    elements: frozenset[str]


def explore(engine: WorkflowEngine, bundle: Bundle, payload: Payload,
            choices: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None, *,
            start_data: Mapping[str, Any] | None = None, start_at: datetime = START,
            max_visits: int = 2, max_timers: int = 2, max_paths: int = 20_000,
            check: Callable[[TaskView, datetime], None] | None = None) -> Exploration:
    """Walk every path of `bundle`; `check(view, now)` is called on every task that becomes ready."""
    choices = choices or {}
    validators: dict[str, jsonschema.Validator] = {}

    def validate(view: TaskView, data: dict[str, Any]) -> None:
        spec_id = view.spec_id
        if spec_id not in validators:
            form = bundle.form(view.spec.form_file)
            validators[spec_id] = jsonschema.Draft202012Validator(
                form, format_checker=jsonschema.FormatChecker())
        validators[spec_id].validate(data)

    def checked(state: _State) -> _State:
        if check is not None:
            for view in state.snapshot.ready:
                check(view, state.now)
        return state

    with time_machine.travel(start_at, tick=False):
        run, result = engine.start(bundle, dict(start_data or {}))
        first = _State(run.dump(), result.snapshot, start_at, (), Counter(), 0,
                       frozenset(run.completed_path()))
    paths: list[Path] = []
    stack = [checked(first)]
    while stack:
        state = stack.pop()
        if state.snapshot.status == COMPLETED:
            paths.append(Path(state.steps, state.snapshot.end_event, state.snapshot.outcome,
                              state.elements))
            assert len(paths) <= max_paths, f"more than {max_paths} paths: add a bound"
            continue
        branches = []
        if state.snapshot.ready:
            view = sorted(state.snapshot.ready,
                          key=lambda v: (v.waits_for_external, v.spec_id))[0]
            if state.visits[view.spec_id] < max_visits:
                for name, values in (choices.get(view.spec_id) or {"": {}}).items():
                    branches.append((view, name, values))
        if state.snapshot.next_timer_at is not None and state.timers < max_timers:
            branches.append((None, TIMER, {}))
        assert branches or state.snapshot.ready, f"dead end after {_fmt(state.steps)}"
        for view, name, values in reversed(branches):
            now = (state.snapshot.next_timer_at + timedelta(minutes=1) if view is None
                   else state.now + STEP)
            with time_machine.travel(now, tick=False):
                run = engine.restore(bundle, state.saved)
                assert [v.id for v in run.snapshot().ready] == [v.id for v in state.snapshot.ready]
                if view is None:
                    result = run.advance()
                    fired = [e.spec_id for e in result.events if e.kind == "timer_fired"]
                    assert fired, f"no timer fired at {now} after {_fmt(state.steps)}"
                    step, visits = Step(fired[0], TIMER), state.visits
                else:
                    data = payload(view.spec_id, values)
                    validate(view, data)
                    engine_data = {k: data[k] for k in view.spec.engine_fields if k in data}
                    result = run.complete(view.id, engine_data)
                    assert run.task(view.id).state == "completed"
                    step, visits = Step(view.spec_id, name), state.visits + Counter([view.spec_id])
                stack.append(checked(_State(
                    run.dump(), result.snapshot, now, state.steps + (step,), visits,
                    state.timers + (view is None), state.elements | set(run.completed_path()))))
    return Exploration(paths)


def flow_nodes(bundle: Bundle) -> set[str]:
    """The ids of every flow node of the diagram (what a complete exploration must pass through)."""
    root = etree.fromstring(bundle.bpmn.encode("utf-8"))
    return {node.get("id") for tag in FLOW_NODES for node in root.iterfind(f".//bpmn:{tag}", NS)}


def end_events(bundle: Bundle) -> set[str]:
    """The end events of the process itself (those of a sub-process are never an outcome)."""
    root = etree.fromstring(bundle.bpmn.encode("utf-8"))
    return {node.get("id") for node in root.iterfind("bpmn:process/bpmn:endEvent", NS)}


def _fmt(steps: tuple[Step, ...]) -> str:
    return " → ".join(s.spec_id for s in steps) or "the start"

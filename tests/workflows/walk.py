"""One instance of a procedure, walked step by step through the engine façade, as the service does.

Before every step the instance is restored from its saved state (as between two requests) and the
round trip is checked; the full payload of a task is validated against its form, and the task is
completed with its engine fields only. After every step the ready tasks go through the `check`
hook and the status must be `expected_status(ready spec ids)`.
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import datetime
from typing import Any

import jsonschema

from workflows import COMPLETED, RUNNING, WAITING, Bundle, StepResult, TaskView, WorkflowEngine
from workflows.run import iso_duration

#: `(spec_id, **overrides) -> payload`, such as the `sample` of a `tests/<procedure>_samples.py`
Payload = Callable[..., dict[str, Any]]
#: a spec id, `(spec_id, overrides)` or `(spec_id, overrides, spec ids ready afterwards)`
Step = str | tuple[str, Mapping[str, Any]] | tuple[str, Mapping[str, Any], set[str]]


def schema_validator(schema: Mapping[str, Any]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def form_validator(bundle: Bundle, spec_id: str) -> jsonschema.Draft202012Validator:
    """The validator of the form of the user task `spec_id` (`forms/<spec_id>.json`)."""
    return schema_validator(bundle.form(f"forms/{spec_id}.json"))


def status_rule(external: Collection[str]) -> Callable[[set[str]], str]:
    """The status expected with these tasks ready: completed with none, waiting when each of them waits
    for the outside (`external`), running otherwise."""

    def expected_status(ready: set[str]) -> str:
        if not ready:
            return COMPLETED
        return WAITING if ready <= set(external) else RUNNING

    return expected_status


def ready_check(lanes: Mapping[str, str], external: Collection[str] = ()) -> Callable[..., None]:
    """`check(view, now=None)` for a ready task: its lane (`lanes[spec_id]`), its external wait flag, ready
    at `now` at the latest, and `due_at` = ready time + `dueIn`."""

    def check(view: TaskView, now: datetime | None = None) -> None:
        assert view.lane == lanes[view.spec_id], f"{view.spec_id} in lane {view.lane!r}"
        assert view.waits_for_external == (view.spec_id in external)
        assert view.ready_since is not None and view.ready_since <= (now or view.ready_since)
        due_in = view.spec.properties["dueIn"]
        assert view.due_at == view.ready_since + iso_duration(due_in, view.ready_since)

    return check


class Walker:
    """One instance of `bundle`, saved after every step and restored before the next."""

    def __init__(self, engine: WorkflowEngine, bundle: Bundle, payload: Payload,
                 start_data: Mapping[str, Any] | None = None, *,
                 check: Callable[[TaskView], None] | None = None,
                 expected_status: Callable[[set[str]], str] | None = None):
        self.engine, self.bundle, self.payload = engine, bundle, payload
        self.check, self.expected_status = check, expected_status
        self.lanes_seen: dict[str, str] = {}
        run, self.result = engine.start(bundle, dict(start_data or {}))
        self.saved = run.dump()
        self._check_ready()

    @property
    def snapshot(self):
        return self.result.snapshot

    @property
    def ready(self) -> set[str]:
        return {view.spec_id for view in self.snapshot.ready}

    def view(self, spec_id: str) -> TaskView:
        """The single ready task of this spec."""
        found = [view for view in self.snapshot.ready if view.spec_id == spec_id]
        assert len(found) == 1, f"{spec_id}: {len(found)} ready, ready={sorted(self.ready)}"
        return found[0]

    def do(self, spec_id: str, expect: set[str] | None = None, /, **overrides: Any) -> StepResult:
        """Complete `spec_id` with its payload updated with `overrides`; when given, `expect` is the set
        of spec ids ready afterwards."""
        run = self.engine.restore(self.bundle, self.saved)
        restored = run.snapshot()
        assert [v.id for v in restored.ready] == [v.id for v in self.snapshot.ready]  # lossless round trip
        view = self.view(spec_id)
        data = self.payload(spec_id, **overrides)
        schema_validator(self.bundle.form(view.spec.form_file)).validate(data)
        self.result = run.complete(view.id, {k: data[k] for k in view.spec.engine_fields if k in data})
        self.saved = run.dump()
        assert run.task(view.id).state == "completed"
        if expect is not None:
            assert self.ready == expect, f"after {spec_id}: ready={sorted(self.ready)}"
        self._check_ready()
        return self.result

    def follow(self, steps: Iterable[Step]) -> None:
        for step in steps:
            spec_id, overrides, *expect = (step, {}) if isinstance(step, str) else step
            self.do(spec_id, *expect, **overrides)

    def advance(self) -> StepResult:
        """Fire the timers due at the current (frozen) time."""
        run = self.engine.restore(self.bundle, self.saved)
        self.result = run.advance()
        self.saved = run.dump()
        self._check_ready()
        return self.result

    def task_state(self, task_id: str) -> str:
        return self.engine.restore(self.bundle, self.saved).task(task_id).state

    def _check_ready(self) -> None:
        """The status, then every ready task through the `check` hook; their lanes are recorded."""
        if self.expected_status is not None:
            assert self.snapshot.status == self.expected_status(self.ready), f"ready={sorted(self.ready)}"
        for view in self.snapshot.ready:
            assert view.state == "ready"
            if self.check is not None:
                self.check(view)
            self.lanes_seen[view.spec_id] = view.lane

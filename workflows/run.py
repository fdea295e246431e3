"""A live instance behind the façade: its ready tasks, completing them, firing timers.

SpiffWorkflow objects stay inside; every public method returns a frozen view (`views.py`).
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.defaults import EndEvent
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException, TaskNotFoundException
from SpiffWorkflow.util.task import TaskState

from . import views
from .errors import EngineLimitReached, ScriptError, TaskNotFound, TaskNotReady, WorkflowStuck
from .specs import ParsedProcess, describe_spec

if TYPE_CHECKING:
    from .engine import WorkflowEngine

_LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR


class WorkflowRun:
    """One live instance. Methods return frozen views; the SpiffWorkflow object stays inside."""

    def __init__(self, engine: WorkflowEngine, parsed: ParsedProcess, wf: BpmnWorkflow):
        self._engine = engine
        self._parsed = parsed
        self._wf = wf

    @property
    def content_hash(self) -> str:
        return self._parsed.bundle.content_hash

    @property
    def script_engine_is_restricted(self) -> bool:
        return self._wf.script_engine is self._engine._script_engine

    # ---------------------------------------------------------------- reading

    def snapshot(self) -> views.Snapshot:
        """Status, ready human tasks and next timer. :raises WorkflowStuck, EngineLimitReached:"""
        self._check_depth()
        ready = tuple(sorted((self._view(t) for t in self._tasks() if self._is_ready_human(t)),
                             key=lambda v: (v.ready_since or datetime.min.replace(tzinfo=UTC),
                                            v.spec_id)))
        timer = self._next_timer()
        end = self._end_reached()
        if end is not None:
            return views.Snapshot(views.COMPLETED, ready, timer, end.bpmn_id, self._name_of(end))
        if any(not t.waits_for_external for t in ready):
            return views.Snapshot(views.RUNNING, ready, timer)
        if ready or timer is not None:
            return views.Snapshot(views.WAITING, ready, timer)
        raise WorkflowStuck("la procédure n'attend plus rien mais n'a atteint aucun événement de fin")

    def task(self, task_id: str) -> views.TaskView:
        """Any human task of the instance, whatever its state. :raises TaskNotFound:"""
        return self._view(self._find(task_id))

    def completed_path(self) -> list[str]:
        """Bpmn ids of the elements completed so far, in order (for the living diagram)."""
        done = [t for t in self._tasks() if t.state == TaskState.COMPLETED
                and getattr(t.task_spec, "bpmn_id", None)]
        done.sort(key=lambda t: t.last_state_change)
        return [t.task_spec.bpmn_id for t in done]

    def current_elements(self) -> list[str]:
        """Bpmn ids of what the instance waits on now: ready human tasks and armed timers."""
        return sorted({t.task_spec.bpmn_id for t in self._tasks()
                       if getattr(t.task_spec, "bpmn_id", None)
                       and (self._is_ready_human(t) or (t.state == TaskState.WAITING and _is_timer(t.task_spec)))})

    # ---------------------------------------------------------------- acting

    def complete(self, task_id: str, engine_data: dict[str, Any]) -> views.StepResult:
        """Complete a ready human task with the values its gateways need, then run the engine.

        :raises TaskNotFound, TaskNotReady, ScriptError, EngineLimitReached, WorkflowStuck:
        """
        task = self._find(task_id)
        if task.state != TaskState.READY or not task.task_spec.manual:
            raise TaskNotReady(f"l'étape « {self._name(task)} » n'est pas à faire",
                               state=self._state_name(task), task_name=self._name(task))
        refuse_reserved_keys(engine_data)

        def act() -> None:
            task.set_data(**engine_data)
            task.run()

        return self._step(act, self._states())

    def advance(self) -> views.StepResult:
        """Fire the timers that are due now and run the engine. :raises ScriptError, ...:"""
        return self._step(self._wf.refresh_timers, self._states())

    def dump(self) -> views.SavedState:
        return self._engine.dump(self)

    # ---------------------------------------------------------------- internals

    def _step(self, act, before: dict[UUID, int]) -> views.StepResult:
        try:
            act()
            while True:  # do_engine_steps() ends with refresh_timers(): a due timer needs one more pass
                self._wf.do_engine_steps()
                if self._wf.get_next_task(state=TaskState.READY, manual=False) is None:
                    break
        except SpiffWorkflowException as e:
            raise _script_error(e) from e
        snapshot = self.snapshot()
        return views.StepResult(snapshot, tuple(self._events(before)))

    def _tasks(self) -> Iterator[Any]:
        """Every task of the instance and of its subprocesses, without SpiffWorkflow's depth limit."""
        yield from self._wf.tasks.values()
        for sub in self._wf.subprocesses.values():
            yield from sub.tasks.values()

    def _states(self) -> dict[UUID, int]:
        return {t.id: t.state for t in self._tasks()}

    def _find(self, task_id: str) -> Any:
        try:
            task = self._wf.get_task_from_id(UUID(str(task_id)))
        except (ValueError, TaskNotFoundException):
            task = None
        if task is None or not task.task_spec.manual:
            raise TaskNotFound(f"aucune étape {task_id} dans cette procédure")
        return task

    @staticmethod
    def _is_ready_human(task: Any) -> bool:
        return task.state == TaskState.READY and task.task_spec.manual

    @staticmethod
    def _name(task: Any) -> str:
        return task.task_spec.bpmn_name or task.task_spec.name

    @staticmethod
    def _name_of(spec: Any) -> str:
        return spec.bpmn_name or spec.bpmn_id or spec.name

    @staticmethod
    def _state_name(task: Any) -> str:
        return TaskState.get_name(task.state).lower()

    def _view(self, task: Any) -> views.TaskView:
        spec = task.task_spec
        iteration = sum(1 for t in self._tasks()
                        if t.task_spec is spec and t.state == TaskState.COMPLETED and t is not task)
        ready_since = (datetime.fromtimestamp(task.last_state_change, UTC)
                       if task.last_state_change else None)
        described = self._parsed.tasks.get(spec.bpmn_id) or describe_spec(spec)
        due = described.properties.get("dueIn")
        due_at = ready_since + iso_duration(due, ready_since) if due and ready_since else None
        return views.TaskView(id=str(task.id), spec=described, state=self._state_name(task),
                              ready_since=ready_since, due_at=due_at, iteration=iteration)

    def _events(self, before: dict[UUID, int]) -> Iterator[views.EngineEvent]:
        for task in self._tasks():
            old, new, spec = before.get(task.id), task.state, task.task_spec
            bpmn_id = getattr(spec, "bpmn_id", None)
            if old == new or bpmn_id is None:
                continue
            kind = None
            if spec.manual and new == TaskState.READY:
                kind = "task_created"
            elif spec.manual and new == TaskState.CANCELLED and old in (TaskState.READY, TaskState.WAITING):
                kind = "task_cancelled"
            elif new == TaskState.COMPLETED and _is_timer(spec):
                kind = "timer_fired"
            elif new == TaskState.COMPLETED and isinstance(spec, EndEvent) and task.workflow is self._wf:
                kind = "end_reached"
            if kind is not None:
                yield views.EngineEvent(kind, str(task.id), bpmn_id, self._name(task))
            starts = _starts_procedure(spec)
            if starts and new == TaskState.COMPLETED:
                yield views.EngineEvent(views.PROCEDURE_REQUESTED, str(task.id), bpmn_id, self._name(task),
                                        starts)

    def _next_timer(self) -> datetime | None:
        due = []
        for event in self._wf.waiting_events():
            if "Timer" in event.event_type and isinstance(event.value, str):
                due.append(TimerEventDefinition.get_datetime(event.value))
        return min(due) if due else None

    def _end_reached(self) -> Any:
        """The top-level end event that completed (its spec), if nothing else is left to do."""
        end = None
        for task in self._tasks():
            if task.state & TaskState.NOT_FINISHED_MASK and task.state & TaskState.DEFINITE_MASK:
                return None
            if (task.workflow is self._wf and task.state == TaskState.COMPLETED
                    and isinstance(task.task_spec, EndEvent)):
                end = task.task_spec
        return end

    def _check_depth(self) -> None:
        for task in self._tasks():
            if not task.state & _LIVE:
                continue
            depth, parent = 0, task.parent
            while parent is not None:
                depth, parent = depth + 1, parent.parent
            if depth > self._engine.max_depth:
                raise EngineLimitReached(
                    f"la procédure a atteint la limite du moteur ({depth} étapes enchaînées, "
                    f"maximum {self._engine.max_depth}) : l'étape est refusée pour ne pas la "
                    "déclarer terminée à tort", task_name=self._name(task))


def iso_duration(expression: str, start: datetime) -> timedelta:
    """An ISO 8601 duration (`P3M`, `P1DT2H`) as a timedelta from `start` (months vary).

    :raises ValueError: when the expression is not a duration.
    """
    try:
        parsed = TimerEventDefinition.parse_iso_duration(expression)
    except Exception as e:  # SpiffWorkflow raises a bare Exception('Invalid duration')
        raise ValueError(f"durée ISO 8601 invalide : {expression!r}") from e
    return TimerEventDefinition.get_timedelta_from_start(parsed, start)


def _starts_procedure(spec: Any) -> str | None:
    """The `startsProcedure` property of an event: the procedure to start on the same case."""
    extensions = getattr(spec, "extensions", None) or {}
    return (extensions.get("properties") or {}).get("startsProcedure") or None


def _is_timer(spec: Any) -> bool:
    definition = getattr(spec, "event_definition", None)
    return isinstance(definition, TimerEventDefinition)


def refuse_reserved_keys(value: Any) -> None:
    """`typename` anywhere in task data breaks the serializer (spiff-arena#1712); `_x` is internal."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "typename" or str(key).startswith("_"):
                raise ValueError(f"nom de donnée réservé : {key}")
            refuse_reserved_keys(item)
    elif isinstance(value, list):
        for item in value:
            refuse_reserved_keys(item)


def _script_error(e: SpiffWorkflowException) -> ScriptError:
    spec = getattr(e, "task_spec", None)
    name = getattr(spec, "bpmn_name", None) or getattr(spec, "name", None)
    line = getattr(e, "line_number", None) or None
    detail = str(e).splitlines()[0] if str(e) else type(e).__name__
    return ScriptError(f"expression refusée ou en erreur : {detail}", task_name=name, line=line)

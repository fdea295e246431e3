"""The engine façade: start, restore, ready tasks, complete, advance, dump.

Only this package imports SpiffWorkflow. The service gets frozen dataclasses (`views.py`) and
`WorkflowRun` objects whose methods return them.

Persistence split (DESIGN.md): the spec is never serialized with an instance. The serializer
writes a reference `{"hash", "name"}` in place of each process spec, and restores it from the
parsed bundle of that hash, cached here. A stored instance therefore only holds its state.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs import AdHocSubprocessSpec, BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.defaults import EndEvent
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException, TaskNotFoundException
from SpiffWorkflow.spiff.serializer import DEFAULT_CONFIG as SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from . import views
from .errors import (
    EngineLimitReached,
    ScriptError,
    TaskNotFound,
    TaskNotReady,
    UnknownProcess,
    WorkflowError,
    WorkflowStuck,
)
from .script_env import restricted_script_engine
from .specs import Bundle, ParsedProcess, describe_spec, parse_bundle, read_bundles

#: SpiffWorkflow's TaskIterator stops at depth 1,000 and then reports the workflow completed.
#: Refuse any step that would leave a live task deeper than this margin below it.
DEFAULT_MAX_DEPTH = 900
SPEC_REF = "VigieProcessSpecRef"
_LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR


class WorkflowEngine:
    """Parses bundles once per content hash and creates or restores workflow runs.

    Parsed specs are shared by every engine of the process: they are immutable once parsed,
    and keyed by the content hash of their files.
    """

    _parsed: dict[str, ParsedProcess] = {}
    _hash_of_spec: dict[int, str] = {}
    _lock = threading.Lock()

    def __init__(self, bpmn_dir: Path | str, max_depth: int = DEFAULT_MAX_DEPTH):
        self.bpmn_dir = Path(bpmn_dir)
        self.max_depth = max_depth
        self._disk: tuple[tuple, dict[str, Bundle]] | None = None
        self._script_engine = restricted_script_engine()
        registry = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)
        for spec_class in (BpmnProcessSpec, AdHocSubprocessSpec):
            registry.register(spec_class, self._spec_to_ref, self._spec_from_ref, SPEC_REF)
        self._serializer = BpmnWorkflowSerializer(registry)

    # ---------------------------------------------------------------- bundles on disk

    def bundles(self) -> dict[str, Bundle]:
        """The bundles currently in `bpmn_dir`, re-read only when a file changed."""
        files = sorted(p for p in self.bpmn_dir.rglob("*") if p.is_file())
        signature = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
        disk = self._disk
        if disk is None or disk[0] != signature:
            disk = (signature, read_bundles(self.bpmn_dir))
            self._disk = disk
        return disk[1]

    def bundle(self, process_id: str) -> Bundle:
        """The current bundle of a procedure. :raises UnknownProcess:"""
        try:
            return self.bundles()[process_id]
        except KeyError:
            raise UnknownProcess(f"procédure inconnue : {process_id}") from None

    def catalog(self) -> list[views.ProcessInfo]:
        """Every procedure that can be started, at its current version."""
        out = []
        for bundle in self.bundles().values():
            parsed = self.parsed(bundle)
            out.append(views.ProcessInfo(bundle.process_id, parsed.name, bundle.content_hash,
                                         parsed.documentation))
        return out

    def parsed(self, bundle: Bundle) -> ParsedProcess:
        """Parse a bundle, once per content hash. :raises InvalidDiagram:"""
        key = bundle.content_hash
        found = self._parsed.get(key)
        if found is None:
            with self._lock:
                found = self._parsed.get(key)
                if found is None:
                    found = parse_bundle(bundle)
                    for spec in (found.spec, *found.subprocess_specs.values()):
                        self._hash_of_spec[id(spec)] = key
                    self._parsed[key] = found
        return found

    def describe(self, bundle: Bundle, spec_id: str) -> views.TaskSpecView:
        """A human task of a bundle, without any instance. :raises TaskNotFound:"""
        try:
            return self.parsed(bundle).tasks[spec_id]
        except KeyError:
            raise TaskNotFound(f"aucune étape {spec_id} dans {bundle.process_id}") from None

    def human_tasks(self, bundle: Bundle) -> list[views.TaskSpecView]:
        """Every human task of a bundle (for checks and documentation)."""
        return list(self.parsed(bundle).tasks.values())

    def known(self, content_hash: str) -> Bundle | None:
        """The bundle of a version already parsed in this process, if any."""
        parsed = self._parsed.get(content_hash)
        return parsed.bundle if parsed else None

    # ---------------------------------------------------------------- instances

    def start(self, bundle: Bundle) -> tuple[WorkflowRun, views.StepResult]:
        """Create an instance and run it until a person or a timer is needed.

        :raises InvalidDiagram, ScriptError, EngineLimitReached, WorkflowStuck:
        """
        parsed = self.parsed(bundle)
        wf = BpmnWorkflow(parsed.spec, dict(parsed.subprocess_specs),
                          script_engine=self._script_engine)
        run = WorkflowRun(self, parsed, wf)
        return run, run._step(lambda: None, {})

    def restore(self, bundle: Bundle, saved: views.SavedState) -> WorkflowRun:
        """Rebuild an instance from its stored state, with the restricted script engine set again.

        :raises WorkflowError: when the state cannot be read.
        """
        parsed = self.parsed(bundle)
        if saved.serializer_version != self._serializer.VERSION:
            raise WorkflowError(
                f"état enregistré au format {saved.serializer_version}, moteur au format "
                f"{self._serializer.VERSION} : migration à écrire et à tester (DESIGN.md)")
        try:
            wf = self._serializer.deserialize_json(saved.state_json)
        except (SpiffWorkflowException, KeyError, TypeError, ValueError) as e:
            raise WorkflowError(f"état illisible : {type(e).__name__}") from e
        wf.script_engine = self._script_engine  # never serialized: the default one is unrestricted
        return WorkflowRun(self, parsed, wf)

    def dump(self, run: WorkflowRun) -> views.SavedState:
        """Serialize an instance without its spec."""
        return views.SavedState(self._serializer.serialize_json(run._wf), self._serializer.VERSION)

    @property
    def serializer_version(self) -> str:
        return self._serializer.VERSION

    def _spec_to_ref(self, spec: Any) -> dict[str, str]:
        return {"hash": self._hash_of_spec[id(spec)], "name": spec.name}

    def _spec_from_ref(self, ref: dict[str, str]) -> Any:
        parsed = self._parsed.get(ref["hash"])
        if parsed is None:
            raise UnknownProcess(f"version {ref['hash'][:12]} non chargée")
        if parsed.spec.name == ref["name"]:
            return parsed.spec
        return parsed.subprocess_specs[ref["name"]]


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

    # ---------------------------------------------------------------- acting

    def complete(self, task_id: str, engine_data: dict[str, Any]) -> views.StepResult:
        """Complete a ready human task with the values its gateways need, then run the engine.

        :raises TaskNotFound, TaskNotReady, ScriptError, EngineLimitReached, WorkflowStuck:
        """
        task = self._find(task_id)
        if task.state != TaskState.READY or not task.task_spec.manual:
            raise TaskNotReady(f"l'étape « {self._name(task)} » n'est pas à faire",
                               state=self._state_name(task), task_name=self._name(task))
        _refuse_reserved_keys(engine_data)

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
            if old == new:
                continue
            bpmn_id = getattr(spec, "bpmn_id", None)
            if bpmn_id is None:
                continue
            if spec.manual and new == TaskState.READY:
                kind = "task_created"
            elif spec.manual and new == TaskState.CANCELLED and old in (TaskState.READY, TaskState.WAITING):
                kind = "task_cancelled"
            elif new == TaskState.COMPLETED and _is_timer(spec):
                kind = "timer_fired"
            elif new == TaskState.COMPLETED and isinstance(spec, EndEvent) and task.workflow is self._wf:
                kind = "end_reached"
            else:
                continue
            yield views.EngineEvent(kind, str(task.id), bpmn_id, self._name(task))

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


def _is_timer(spec: Any) -> bool:
    definition = getattr(spec, "event_definition", None)
    return isinstance(definition, TimerEventDefinition)


def _refuse_reserved_keys(value: Any) -> None:
    """`typename` anywhere in task data breaks the serializer (spiff-arena#1712); `_x` is internal."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "typename" or str(key).startswith("_"):
                raise ValueError(f"nom de donnée réservé : {key}")
            _refuse_reserved_keys(item)
    elif isinstance(value, list):
        for item in value:
            _refuse_reserved_keys(item)


def _script_error(e: SpiffWorkflowException) -> ScriptError:
    spec = getattr(e, "task_spec", None)
    name = getattr(spec, "bpmn_name", None) or getattr(spec, "name", None)
    line = getattr(e, "line_number", None) or None
    detail = str(e).splitlines()[0] if str(e) else type(e).__name__
    return ScriptError(f"expression refusée ou en erreur : {detail}", task_name=name, line=line)

"""Plain, frozen values returned by the engine boundary. No SpiffWorkflow type crosses it."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

#: Procedure statuses, as published in the API (DESIGN.md, external contract).
RUNNING, WAITING, COMPLETED, CANCELLED = "running", "waiting", "completed", "cancelled"


@dataclass(frozen=True)
class ProcessInfo:
    """One procedure available for starting, at the version currently in `bpmn/`."""

    process_id: str
    name: str
    version: str  # content hash of the bundle (BPMN + forms + DMN)
    documentation: str | None = None


@dataclass(frozen=True)
class TaskSpecView:
    """What the diagram says about a human task: name, lane, guidance and `spiffworkflow` properties."""

    spec_id: str
    name: str
    lane: str | None
    documentation: str | None = None
    instructions: str | None = None
    properties: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def form_file(self) -> str | None:
        return self.properties.get("formJsonSchemaFilename")

    @property
    def engine_fields(self) -> tuple[str, ...]:
        return _names(self.properties.get("engineFields", ""))

    @property
    def review_tasks(self) -> tuple[str, ...]:
        return _names(self.properties.get("reviewTasks", ""))

    @property
    def waits_for_external(self) -> bool:
        return self.properties.get("waitsForExternal", "").lower() == "true"

    @property
    def protocol_fields(self) -> tuple[str, ...]:
        """Departmental protocol values the person needs on this task (recipients, copies)."""
        return _names(self.properties.get("protocolFields", ""))


@dataclass(frozen=True)
class TaskView:
    """A human task of an instance: its spec, its state and when it became ready."""

    id: str
    spec: TaskSpecView
    state: str  # ready | completed | cancelled | future...
    ready_since: datetime | None
    due_at: datetime | None = None  # ready_since + the `dueIn` property
    iteration: int = 0  # times this same task was completed before in the instance

    @property
    def spec_id(self) -> str:
        return self.spec.spec_id

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def lane(self) -> str | None:
        return self.spec.lane

    @property
    def waits_for_external(self) -> bool:
        return self.spec.waits_for_external


def _names(raw: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in raw.split(",") if name.strip())


#: Engine event kind: the flow passed an element whose `startsProcedure` names another procedure.
PROCEDURE_REQUESTED = "procedure_requested"


@dataclass(frozen=True)
class EngineEvent:
    """Something the engine did during a step: a task became ready, was cancelled, a timer fired,
    an end was reached, or the flow passed an event asking for another procedure."""

    kind: str  # task_created | task_cancelled | timer_fired | end_reached | procedure_requested
    task_id: str
    spec_id: str
    name: str
    starts: str | None = None  # procedure_requested: the process id to start on the same case


@dataclass(frozen=True)
class Snapshot:
    """Where an instance stands after a step: what a person must do next, and when a timer is due."""

    status: str
    ready: tuple[TaskView, ...]
    next_timer_at: datetime | None
    end_event: str | None = None  # bpmn id of the end event reached, when completed
    outcome: str | None = None  # its name, as drawn


@dataclass(frozen=True)
class SavedState:
    """The serialized instance without its spec (stored once per process version)."""

    state_json: str
    serializer_version: str


@dataclass(frozen=True)
class StepResult:
    """The outcome of start / complete / advance."""

    snapshot: Snapshot
    events: tuple[EngineEvent, ...]

"""Errors raised at the engine boundary. SpiffWorkflow exceptions never cross it."""
from __future__ import annotations


class WorkflowError(Exception):
    """Base class. `task_name` and `line` locate the failing element when known."""

    def __init__(self, message: str, *, task_name: str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.task_name = task_name
        self.line = line


class InvalidDiagram(WorkflowError):
    """A BPMN bundle does not parse or fails Vigie's checks."""

    def __init__(self, message: str, problems: list[str] | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.problems = problems or [message]


class UnknownProcess(WorkflowError):
    """No bundle (or stored version) for this process id or content hash."""


class TaskNotFound(WorkflowError):
    """No task with this id in the instance."""


class TaskNotReady(WorkflowError):
    """The task exists but can no longer be completed (already done, cancelled, not yet reached)."""

    def __init__(self, message: str, *, state: str, **kwargs):
        super().__init__(message, **kwargs)
        self.state = state


class ScriptError(WorkflowError):
    """A condition, script or timer expression failed or was refused by the restricted environment."""


class EngineLimitReached(WorkflowError):
    """The instance would grow past what SpiffWorkflow iterates reliably (task tree depth).

    Past a depth of 1,000 the engine stops seeing tasks and reports the workflow completed;
    Vigie refuses the step instead (DESIGN.md, engine limits).
    """


class WorkflowStuck(WorkflowError):
    """No end event was reached, yet nothing is ready or waiting: never report that as finished."""

"""Engine boundary: the only package that imports SpiffWorkflow. Never imports flask or service."""
from . import calendar as _calendar
from .engine import WorkflowEngine
from .errors import (
                     EngineLimitReached,
                     InvalidDiagram,
                     ScriptError,
                     TaskNotFound,
                     TaskNotReady,
                     UnknownProcess,
                     WorkflowError,
                     WorkflowStuck,
)
from .run import WorkflowRun
from .specs import Bundle, read_bundle, read_bundles
from .views import (
                     CANCELLED,
                     COMPLETED,
                     PROCEDURE_REQUESTED,
                     RUNNING,
                     WAITING,
                     EngineEvent,
                     ProcessInfo,
                     SavedState,
                     Snapshot,
                     StepResult,
                     TaskSpecView,
                     TaskView,
)

_calendar.install()  # legal months for every timer and due date (see calendar.py)

__all__ = [
    "WorkflowEngine", "WorkflowRun", "Bundle", "read_bundle", "read_bundles",
    "EngineLimitReached", "InvalidDiagram", "ScriptError", "TaskNotFound", "TaskNotReady",
    "UnknownProcess", "WorkflowError", "WorkflowStuck",
    "CANCELLED", "COMPLETED", "PROCEDURE_REQUESTED", "RUNNING", "WAITING", "EngineEvent", "ProcessInfo", "SavedState",
    "Snapshot", "StepResult", "TaskSpecView", "TaskView",
]

"""The engine façade: start, restore, ready tasks, complete, advance, dump.

Only this package imports SpiffWorkflow. The service gets frozen dataclasses (`views.py`) and
`WorkflowRun` objects whose methods return them.

Persistence split (DESIGN.md): the spec is never serialized with an instance. The serializer
writes a reference `{"hash", "name"}` in place of each process spec, and restores it from the
parsed bundle of that hash, cached here. A stored instance therefore only holds its state.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs import AdHocSubprocessSpec, BpmnProcessSpec
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.serializer import DEFAULT_CONFIG as SPIFF_CONFIG

from . import views
from .errors import (
    InvalidDiagram,
    TaskNotFound,
    UnknownProcess,
    WorkflowError,
)
from .run import WorkflowRun, refuse_reserved_keys
from .script_env import restricted_script_engine
from .specs import Bundle, ParsedProcess, parse_bundle, read_bundles

#: SpiffWorkflow's TaskIterator stops at depth 1,000 and then reports the workflow completed.
#: Refuse any step that would leave a live task deeper than this margin below it.
DEFAULT_MAX_DEPTH = 900
log = logging.getLogger("vigie.workflows")
SPEC_REF = "VigieProcessSpecRef"


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
        """Every procedure that can be started, at its current version. A diagram that does not
        parse is left out (and logged): it must not make the other procedures unavailable."""
        out = []
        for bundle in self.bundles().values():
            try:
                parsed = self.parsed(bundle)
            except InvalidDiagram as e:
                log.error("procédure %s écartée du catalogue : %s", bundle.process_id, e.message)
                continue
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

    def start(self, bundle: Bundle, data: dict[str, Any] | None = None
              ) -> tuple[WorkflowRun, views.StepResult]:
        """Create an instance with `data` (e.g. the departmental protocol) in its first task,
        and run it until a person or a timer is needed.

        :raises InvalidDiagram, ScriptError, EngineLimitReached, WorkflowStuck, ValueError:
        """
        parsed = self.parsed(bundle)
        wf = BpmnWorkflow(parsed.spec, dict(parsed.subprocess_specs),
                          script_engine=self._script_engine)
        if data:
            refuse_reserved_keys(data)
            wf.task_tree.set_data(**data)  # inherited by every task that follows
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

"""Process bundles: one folder of `bpmn/` (diagram, forms, decision tables), hashed and parsed.

A bundle is identified by the SHA-256 of its files, so an instance stays on the exact diagram
and forms it started with; the service stores the bundle once per hash (`process_version`).
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser import VALIDATOR, SpiffBpmnParser

from .errors import InvalidDiagram, UnknownProcess
from .views import TaskSpecView

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
FORM_PROPERTY = "formJsonSchemaFilename"


@dataclass(frozen=True)
class Bundle:
    """The files of one procedure, keyed by their path relative to the procedure folder."""

    process_id: str
    files: Mapping[str, str]

    @cached_property
    def content_hash(self) -> str:
        digest = hashlib.sha256()
        for path in sorted(self.files):
            digest.update(path.encode() + b"\0" + self.files[path].encode() + b"\0")
        return digest.hexdigest()

    @property
    def bpmn_path(self) -> str:
        return f"{self.process_id}.bpmn"

    @property
    def bpmn(self) -> str:
        try:
            return self.files[self.bpmn_path]
        except KeyError:
            raise InvalidDiagram(f"{self.process_id} : fichier {self.bpmn_path} absent") from None

    def form(self, path: str) -> dict[str, Any]:
        """The JSON Schema stored at `path` in this bundle (parsed once, shared: do not mutate)."""
        return self._forms[path]

    @cached_property
    def _forms(self) -> Mapping[str, dict[str, Any]]:
        forms = {}
        for path, text in self.files.items():
            if path.endswith(".json"):
                try:
                    forms[path] = json.loads(text)
                except ValueError as e:
                    raise InvalidDiagram(f"{self.process_id} : {path} n'est pas du JSON valide ({e})") from e
        return MappingProxyType(forms)

    def to_json(self) -> str:
        return json.dumps(dict(self.files), sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_json(cls, process_id: str, text: str) -> Bundle:
        return cls(process_id, MappingProxyType(json.loads(text)))


def read_bundle(folder: Path) -> Bundle:
    """Read `<folder>/<name>.bpmn`, `forms/*.json` and `*.dmn` as a bundle named after the folder.

    :raises UnknownProcess: when the folder has no diagram of its own name.
    """
    process_id = folder.name
    if not (folder / f"{process_id}.bpmn").is_file():
        raise UnknownProcess(f"aucun diagramme {process_id}.bpmn dans {folder}")
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in (".bpmn", ".dmn", ".json"):
            files[path.relative_to(folder).as_posix()] = path.read_text(encoding="utf-8")
    return Bundle(process_id, MappingProxyType(files))


def read_bundles(root: Path) -> dict[str, Bundle]:
    """Every procedure folder under `root` (a folder holding a diagram of its own name)."""
    return {folder.name: read_bundle(folder) for folder in sorted(root.iterdir())
            if folder.is_dir() and (folder / f"{folder.name}.bpmn").is_file()}


@dataclass(frozen=True)
class ParsedProcess:
    """A parsed bundle. Internal to `workflows/`: it holds SpiffWorkflow specs."""

    bundle: Bundle
    spec: Any
    subprocess_specs: Mapping[str, Any]
    name: str
    documentation: str | None
    tasks: Mapping[str, TaskSpecView]  # human tasks by bpmn id


def describe_spec(spec: Any) -> TaskSpecView:
    """The plain description of a task spec."""
    extensions = getattr(spec, "extensions", None) or {}
    return TaskSpecView(
        spec_id=spec.bpmn_id or spec.name, name=spec.bpmn_name or spec.name, lane=spec.lane,
        documentation=spec.documentation or None,
        instructions=extensions.get("instructionsForEndUser") or None,
        properties=MappingProxyType(dict(extensions.get("properties") or {})))


def parse_bundle(bundle: Bundle) -> ParsedProcess:
    """Parse a bundle with SpiffBpmnParser and the BPMN + spiffworkflow XSD validator.

    :raises InvalidDiagram: with the element and line when SpiffWorkflow refuses it.
    """
    parser = SpiffBpmnParser(validator=VALIDATOR)  # a fresh parser: they refuse duplicate ids
    try:
        for path, text in bundle.files.items():
            if path.endswith(".bpmn"):
                parser.add_bpmn_str(text.encode("utf-8"), filename=path)
            elif path.endswith(".dmn"):
                parser.add_dmn_str(text.encode("utf-8"), filename=path)
        spec = parser.get_spec(bundle.process_id)
        subprocess_specs = parser.get_subprocess_specs(bundle.process_id)
    except ValidationException as e:
        where = f" ({e.file_name}, ligne {e.line_number}, {e.id or e.tag})" if e.file_name else ""
        raise InvalidDiagram(f"{bundle.process_id} : diagramme refusé{where} : {e}",
                             task_name=getattr(e, "name", None) or None,
                             line=e.line_number or None) from e
    except (SpiffWorkflowException, etree.XMLSyntaxError, KeyError, ValueError) as e:
        raise InvalidDiagram(f"{bundle.process_id} : diagramme refusé : {e}") from e
    tasks = {t.bpmn_id: describe_spec(t) for s in (spec, *subprocess_specs.values())
             for t in s.task_specs.values() if t.manual and getattr(t, "bpmn_id", None)}
    return ParsedProcess(bundle, spec, MappingProxyType(dict(subprocess_specs)),
                         spec.description or bundle.process_id, process_documentation(bundle),
                         MappingProxyType(tasks))


def process_documentation(bundle: Bundle) -> str | None:
    """The `bpmn:documentation` of the process element (SpiffWorkflow does not keep it)."""
    root = etree.fromstring(bundle.bpmn.encode("utf-8"))
    for process in root.iter(f"{{{BPMN_NS}}}process"):
        if process.get("id") == bundle.process_id:
            doc = process.find(f"{{{BPMN_NS}}}documentation")
            return doc.text.strip() if doc is not None and doc.text else None
    return None

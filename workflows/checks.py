"""`vigie bpmn check`: everything that can be wrong in a bundle, found before anyone runs it."""
from __future__ import annotations

import ast
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from lxml import etree

from .engine import WorkflowEngine
from .errors import InvalidDiagram
from .protocol import PROTOCOL_NAMES
from .run import iso_duration
from .script_env import PUBLIC_NAMES, compile_eval, compile_exec
from .specs import BPMN_NS, Bundle

NS = {"bpmn": BPMN_NS, "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core"}
FLOW_NODES = ("task", "userTask", "manualTask", "scriptTask", "serviceTask", "businessRuleTask",
              "sendTask", "receiveTask", "callActivity", "subProcess", "startEvent", "endEvent",
              "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
              "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway")


def check_bundle(engine: WorkflowEngine, bundle: Bundle, lanes: Iterable[str],
                 procedures: Iterable[str] | None = None) -> list[str]:
    """French descriptions of every problem; an empty list means the bundle is sound.

    `procedures`: the process ids that can be started (default: the engine's bundles), which
    `startsProcedure` may name.
    """
    try:
        engine.parsed(bundle)
    except InvalidDiagram as e:
        return list(e.problems)
    root = etree.fromstring(bundle.bpmn.encode("utf-8"))
    problems: list[str] = []
    problems += _check_diagram_interchange(root)
    problems += _check_lanes(root, set(lanes))
    tasks = engine.human_tasks(bundle)
    defined = set(PUBLIC_NAMES) | PROTOCOL_NAMES  # the protocol is given to every instance
    for task in tasks:
        problems += [f"{task.spec_id} : {p}" for p in _check_task(bundle, task, {t.spec_id for t in tasks})]
        defined |= set(task.engine_fields)
    decision_problems, outputs = _check_decisions(root, bundle, defined)
    problems += decision_problems
    problems += _check_expressions(root, defined | outputs)
    known = set(engine.bundles() if procedures is None else procedures)
    problems += _check_linked_procedures(root, known)
    if not root.findtext(f".//bpmn:process[@id='{bundle.process_id}']/bpmn:documentation", namespaces=NS):
        problems.append("le processus n'a pas de documentation (cadre légal)")
    return [f"{bundle.process_id} : {p}" for p in problems]


def _check_linked_procedures(root: Any, known: set[str]) -> list[str]:
    """Every `startsProcedure` names a procedure that exists, on an event."""
    problems = []
    for prop in root.iterfind(".//spiffworkflow:property[@name='startsProcedure']", NS):
        owner = prop.getparent().getparent().getparent()
        target = prop.get("value")
        where = owner.get("id")
        if etree.QName(owner).localname not in ("intermediateThrowEvent", "endEvent"):
            problems.append(f"{where} : startsProcedure est réservé aux événements intermédiaires "
                            "ou de fin")
        if target not in known:
            problems.append(f"{where} : startsProcedure nomme une procédure inconnue « {target} »")
    return problems


def _check_diagram_interchange(root: Any) -> list[str]:
    shapes = {s.get("bpmnElement") for s in root.iterfind(".//bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement") for e in root.iterfind(".//bpmndi:BPMNEdge", NS)}
    problems = []
    for tag in FLOW_NODES + ("lane", "participant"):
        for node in root.iterfind(f".//bpmn:{tag}", NS):
            if node.get("id") not in shapes:
                problems.append(f"{node.get('id')} n'a pas de forme dans le diagramme (BPMNDI)")
    for flow in root.iterfind(".//bpmn:sequenceFlow", NS):
        if flow.get("id") not in edges:
            problems.append(f"{flow.get('id')} n'a pas de tracé dans le diagramme (BPMNDI)")
    return problems


def _check_lanes(root: Any, known: set[str]) -> list[str]:
    problems = []
    placed = set()
    for lane in root.iterfind(".//bpmn:lane", NS):
        if lane.get("name") not in known:
            problems.append(f"couloir « {lane.get('name')} » sans rôle (LANE_ROLES)")
        placed |= {ref.text for ref in lane.iterfind("bpmn:flowNodeRef", NS)}
    if placed:
        for tag in ("userTask", "manualTask", "task"):
            for node in root.iterfind(f".//bpmn:{tag}", NS):
                if node.get("id") not in placed:
                    problems.append(f"{node.get('id')} n'est dans aucun couloir")
    return problems


def _names_in_schema(schema: Any) -> Iterable[tuple[list[str], dict]]:
    """(required names, properties) of the schema and of its if/then/else and allOf parts."""
    if not isinstance(schema, dict):
        return
    yield schema.get("required", []), schema.get("properties", {})
    for key in ("then", "else", "if"):
        yield from _names_in_schema(schema.get(key))
    for part in schema.get("allOf", []):
        yield from _names_in_schema(part)


def _check_task(bundle: Bundle, task: Any, all_tasks: set[str]) -> list[str]:
    path = task.form_file
    if not path:
        return ["pas de formulaire (propriété formJsonSchemaFilename)"]
    if path not in bundle.files:
        return [f"formulaire {path} absent"]
    try:
        schema = bundle.form(path)
        Draft202012Validator.check_schema(schema)
    except (InvalidDiagram, SchemaError) as e:
        return [f"{path} : schéma invalide ({str(e).splitlines()[0]})"]
    problems = []
    props = schema.get("properties", {})
    if schema.get("type") != "object" or schema.get("additionalProperties") is not False:
        problems.append(f"{path} : un objet avec additionalProperties: false est attendu")
    for required, _ in _names_in_schema(schema):
        for name in required:
            if name not in props:
                problems.append(f"{path} : « {name} » est requis mais n'est pas une propriété")
    for name in props:
        if name == "typename" or name.startswith("_"):
            problems.append(f"{path} : nom de champ réservé « {name} »")
    for name in task.engine_fields:
        if name not in props:
            problems.append(f"engineFields : « {name} » n'est pas un champ du formulaire")
    due = task.properties.get("dueIn")
    if due:
        try:
            iso_duration(due, datetime.now(UTC))
        except ValueError:
            problems.append(f"dueIn « {due} » n'est pas une durée ISO 8601")
    for other in task.review_tasks:
        if other not in all_tasks:
            problems.append(f"reviewTasks : étape inconnue « {other} »")
    for name in task.protocol_fields:
        if name not in PROTOCOL_NAMES:
            problems.append(f"protocolFields : « {name} » n'est pas un champ du protocole départemental")
    choice = task.properties.get("loopChoice")
    if choice:
        name, _, value = choice.partition("=")
        options = [o.get("const") for o in props.get(name, {}).get("oneOf", [])] + props.get(name, {}).get("enum", [])
        if value not in options or not task.properties.get("loopLimit", "").isdigit():
            problems.append("loopChoice/loopLimit incohérents avec le formulaire")
    return problems


def _stored_names(tree: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def _owner(node: Any) -> str:
    """The id of the element an expression belongs to (a flow, or the event around a timer)."""
    while node is not None and not node.get("id"):
        node = node.getparent()
    return node.get("id") if node is not None else "?"


def _check_expressions(root: Any, defined: set[str]) -> list[str]:
    """Every script and expression compiles in the restricted environment and reads only
    names that a form's engine fields, a script or the allowlist provide."""
    problems, parsed = [], []
    for node in root.iterfind(".//bpmn:script", NS):
        parsed.append((_owner(node), node.text or "", compile_exec, "exec"))
    for tag in ("conditionExpression", "timeDuration", "timeDate", "timeCycle"):
        for node in root.iterfind(f".//bpmn:{tag}", NS):
            parsed.append((_owner(node), node.text or "", compile_eval, "eval"))
    trees = []
    for owner, text, restricted, mode in parsed:
        try:
            restricted(text)
            trees.append((owner, ast.parse(text, mode=mode)))
        except SyntaxError as e:
            problems.append(f"{owner} : expression refusée ({e})")
    known = defined.union(*(_stored_names(tree) for _, tree in trees))
    for owner, tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in known:
                problems.append(f"{owner} : « {node.id} » n'est fourni par aucun formulaire ni script")
    return problems


def _decision_tables(bundle: Bundle) -> tuple[dict[str, tuple[str, Any]], list[str]]:
    """Decision id -> (file, decision element) for every `.dmn` file of the bundle."""
    tables, problems = {}, []
    for path, text in sorted(bundle.files.items()):
        if not path.endswith(".dmn"):
            continue
        try:
            dmn = etree.fromstring(text.encode("utf-8"))
        except etree.XMLSyntaxError as e:
            problems.append(f"{path} : XML invalide ({e})")
            continue
        for decision in dmn.iter("{*}decision"):
            tables[decision.get("id")] = (path, decision)
    return tables, problems


def _loaded_names(tree: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _entry_tree(text: str) -> ast.AST:
    """A DMN input entry as SpiffWorkflow reads it: `?` is the input, `< 4` compares with it.

    :raises SyntaxError: when the restricted environment refuses it in both readings.
    """
    text = text.replace("?", "dmninputexpr")
    try:
        compile_eval(text)
        return ast.parse(text, mode="eval")
    except SyntaxError:
        compile_eval(f"dmninputexpr {text}")
        return ast.parse(f"dmninputexpr {text}", mode="eval")


def _check_decisions(root: Any, bundle: Bundle, defined: set[str]) -> tuple[list[str], set[str]]:
    """Every business rule task calls a decision of the bundle; each decision's expressions
    compile in the restricted environment and read only names that a form's engine fields,
    a script or the allowlist provide. Returns the problems and the names the decisions set."""
    tables, problems = _decision_tables(bundle)
    for task in root.iterfind(".//bpmn:businessRuleTask", NS):
        called = (task.findtext(".//spiffworkflow:calledDecisionId", namespaces=NS) or "").strip()
        if called not in tables:
            problems.append(f"{task.get('id')} : table de décision « {called} » absente du dossier")
    known = set(defined)
    for node in root.iterfind(".//bpmn:script", NS):
        try:
            compile_exec(node.text or "")
            known |= _stored_names(ast.parse(node.text or "", mode="exec"))
        except SyntaxError:
            pass  # reported by _check_expressions
    outputs: set[str] = set()
    for decision_id, (path, decision) in sorted(tables.items()):
        where = f"{path} ({decision_id})"
        for output in decision.iter("{*}output"):
            name = output.get("name") or output.get("label")
            if name:
                outputs.add(name)
            else:
                problems.append(f"{where} : une sortie n'a pas de nom")
        parsed = [(e.findtext("{*}text") or "", "input") for e in decision.iter("{*}inputExpression")]
        parsed += [(e.findtext("{*}text") or "", "entry") for e in decision.iter("{*}inputEntry")]
        parsed += [(e.findtext("{*}text") or "", "output") for e in decision.iter("{*}outputEntry")]
        for text, kind in parsed:
            text = text.strip()
            if kind == "entry" and text in ("", "-"):
                continue
            try:
                if kind == "entry":
                    tree = _entry_tree(text)
                else:
                    compile_eval(text)
                    tree = ast.parse(text, mode="eval")
            except SyntaxError as e:
                problems.append(f"{where} : expression refusée « {text} » ({e})")
                continue
            for name in sorted(_loaded_names(tree) - known - {"dmninputexpr"}):
                problems.append(f"{where} : « {name} » n'est fourni par aucun formulaire ni script")
    return problems, outputs

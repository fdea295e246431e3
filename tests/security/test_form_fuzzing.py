"""Hostile input on every task form: hypothesis submits random and malformed data to a ready task
of every form of every procedure (bpmn/<procedure>/forms/*.json).

Each procedure is driven through the use cases along a few paths of its diagram, computed by the
explorer (tests/workflows/explorer.py) so that together they reach every user task; each task is
fuzzed the first time it is ready, then completed with its sample payload to go on.

A payload is judged by the form the task publishes (its JSON Schema, as GET /tasks/{id} gives it):

- one the schema refuses is sent through the use case `complete_task`, the JSON API
  (`POST /api/v1/tasks/{id}/complete`) or the HTML form (`POST /tasks/{id}`, form-encoded): it must
  be refused — ValidationFailed / 422 with French messages keyed by field (413 for a body past
  the size limit) — and the database `fingerprint()` must not change (the HTML form's answer
  re-reads the task, an audited read: `task_viewed` events are the only rows it may add);
- one the schema accepts must be accepted: `complete_task` runs to its commit, which is turned
  into a rollback (a dry run), so the task stays ready for the next example.

Never a 500, never an exception other than those. Bounded and deterministic: `EXAMPLES` per form,
derandomized hypothesis.
"""
from __future__ import annotations

import importlib
import json
import re
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import sqlalchemy as sa
import time_machine
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from service.errors import ValidationFailed
from service.extensions import db
from service.forms import from_html
from service.models import AuditEvent, HumanTask, Procedure
from service.usecases import unit_of_work as uow_module
from service.usecases.procedures import start_procedure
from service.usecases.protocols import set_protocol
from service.usecases.tasks import complete_task, task_form
from service.usecases.timers import fire_due_timers
from tests.conftest import AuthActions
from tests.factories import World, make_case, token_for
from tests.helpers import fingerprint
from tests.workflows.explorer import START, STEP, TIMER, explore
from tests.workflows.explorer import Path as WalkPath
from workflows import WorkflowEngine
from workflows.protocol import DEFAULT_PROTOCOL

EXAMPLES = 16  # per form
BPMN = Path(__file__).resolve().parents[2] / "bpmn"
MINUTE = timedelta(minutes=1)

#: per procedure, the explorations of its path tests (module, choices, protocol, explore options),
#: whose paths together pass through every user task
EXPLORATIONS = {
    "information_preoccupante": [("test_ip_paths", "CHOICES", {}, {}),
                                 ("test_ip_paths", "CHOICES", {"route_ip": "direct"}, {})],
    "signalement": [("test_signalement_paths", "CHOICES", {}, {})],
    "mediation": [("test_mediation_paths", "CHOICES", {}, {})],
    "harcelement": [("test_harcelement_paths", "CHOICES", {}, {"max_visits": 1})],
    "absenteisme": [("test_absenteisme_paths", "CHOICES", {}, {"max_timers": 1}),
                    ("test_absenteisme_paths", "PERSISTENCE_CHOICES", {}, {"max_visits": 3, "max_timers": 0})],
    "inclusion_handicap": [("test_inclusion_handicap_paths", "CHOICES", {}, {"max_visits": 1, "max_timers": 1}),
                           ("test_inclusion_handicap_paths", "LOOP_CHOICES", {}, {"max_timers": 1})],
}

#: words of a message that was not translated (jsonschema's own messages are English)
ENGLISH = re.compile(r"\b(is not|is a required|is too|does not|Additional properties|Failed|expected|"
                     r"should|must|valid under)\b", re.IGNORECASE)


class DryRun(Exception):
    """Raised instead of the commit: the use case accepted the data and got to its commit."""


# ---------------------------------------------------------------- payloads

HOSTILE_TEXTS = ["", " ", "\x00", "a\x00b", "=HYPERLINK(\"http://evil\")", "+1", "-1", "@SUM(A1)",
                 "<script>alert(1)</script>", "'; DROP TABLE procedure; --", "{{ 7*7 }}", "\u202egnp.exe",
                 "🙂" * 40, "é" * 10_001, "x" * 70_000, "2026-02-30", "2026-13-01", "12", "true", "null",
                 "NaN", "1e309", "P1M", "0", "\t\r\n", "ℌ𝔢𝔩𝔩𝔬", "\ufeff"]
DEEP: Any = "fond"
for _ in range(200):
    DEEP = [DEEP]

scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from(HOSTILE_TEXTS)
           | st.text(max_size=30))
junk = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=10) | st.just(DEEP)


def valid_value(prop: Mapping[str, Any]) -> st.SearchStrategy:
    """Values a field's schema accepts, for the simple shapes the forms use (others: junk)."""
    consts = [o["const"] for o in prop.get("oneOf", []) if "const" in o] or prop.get("enum")
    kind = prop.get("type")
    if consts:
        return st.sampled_from(consts)
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(prop.get("minimum", -1000), prop.get("maximum", 10**6))
    if kind == "number":
        return st.floats(prop.get("minimum", -1000), prop.get("maximum", 10**6), allow_nan=False)
    if kind == "string" and prop.get("format") == "date":
        return st.dates().map(lambda d: d.isoformat())
    if kind == "string" and prop.get("format") == "date-time":
        return st.datetimes(timezones=st.just(START.tzinfo)).map(lambda d: d.isoformat())
    if kind == "string":
        low, high = prop.get("minLength", 0), min(prop.get("maxLength", 200), 200)
        return st.text(min_size=low, max_size=max(low, high))
    if kind == "array":
        items = prop.get("items", {})
        low, high = prop.get("minItems", 0), min(prop.get("maxItems", 3), 3)
        return st.lists(valid_value(items), min_size=low, max_size=max(low, high),
                        unique_by=(lambda v: json.dumps(v, sort_keys=True)) if prop.get("uniqueItems") else None)
    if kind == "object":
        props = prop.get("properties", {})
        required = [k for k in prop.get("required", []) if k in props]
        optional = [k for k in props if k not in required]
        return st.fixed_dictionaries({k: valid_value(props[k]) for k in required},
                                     optional={k: valid_value(props[k]) for k in optional})
    return junk


def edge_value(prop: Mapping[str, Any]) -> st.SearchStrategy:
    """Values at a field's limits, on both sides: the longest text and one character more, the
    bounds of a number and one past them, a choice and a near miss, an impossible date."""
    out: list[Any] = []
    if "maxLength" in prop:
        out += ["x" * prop["maxLength"], "x" * (prop["maxLength"] + 1), "é" * (prop["maxLength"] + 1)]
    if "minLength" in prop:
        out += ["x" * prop["minLength"], "x" * max(prop["minLength"] - 1, 0), " " * prop["minLength"]]
    for bound, step in (("minimum", -1), ("maximum", 1)):
        if bound in prop:
            out += [prop[bound], prop[bound] + step, str(prop[bound])]
    consts = [o["const"] for o in prop.get("oneOf", []) if "const" in o] or prop.get("enum") or []
    out += [f"{c}x" if isinstance(c, str) else not c for c in consts[:3]] + [c.upper() for c in consts[:3]
                                                                            if isinstance(c, str)]
    if prop.get("format") == "date":
        out += ["2026-02-29", "2028-02-29", "2026-3-2", "02/03/2026", "2026-03-02T10:00:00+01:00"]
    if prop.get("format") == "date-time":
        out += ["2026-03-02T10:30:00", "2026-03-02T25:30:00+01:00", "2026-03-02 10:30:00+01:00"]
    if prop.get("type") == "array":
        items = [o["const"] for o in prop.get("items", {}).get("oneOf", []) if "const" in o]
        if items:
            out += [[items[0], items[0]], items + ["autre"], []]
        if "maxItems" in prop:
            out += [[{}] * (prop["maxItems"] + 1)]
    if prop.get("type") == "boolean":
        out += ["true", "false", 1, 0, "oui"]
    return st.sampled_from(out) if out else junk


def wrong_type(value: Any) -> st.SearchStrategy:
    """The same value in another JSON type: numbers and booleans as text, text as a number, lists."""
    return st.sampled_from([str(value), json.dumps(value), [value], {"valeur": value}, 12, True, None])


@st.composite
def payloads(draw, schema: Mapping[str, Any], sample: dict[str, Any]) -> Any:
    """Random objects, mutated samples, schema-shaped values and plain garbage."""
    props = schema.get("properties", {})
    names = list(props) or ["champ"]
    kind = draw(st.sampled_from(["garbage", "random", "mutated", "mutated", "valid", "valid"]))
    if kind == "garbage":
        return draw(junk)
    if kind == "random":
        return draw(st.dictionaries(st.sampled_from(names) | st.text(max_size=15), junk, max_size=8))
    if kind == "valid":
        data = draw(valid_value({**schema, "type": "object"}))
        return {**sample, **data} if draw(st.booleans()) else data
    data = dict(sample)
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(["drop", "junk", "type", "unknown", "valid", "hostile", "edge", "edge"]))
        name = draw(st.sampled_from(sorted(data) or names))
        if how == "drop":
            data.pop(name, None)
        elif how == "junk":
            data[name] = draw(junk)
        elif how == "type":
            data[name] = draw(wrong_type(data.get(name, "x")))
        elif how == "unknown":
            data[draw(st.text(min_size=1, max_size=15))] = draw(junk)
        elif how == "valid" and name in props:
            data[name] = draw(valid_value(props[name]))
        elif how == "edge" and name in props:
            data[name] = draw(edge_value(props[name]))
        else:
            data[name] = draw(st.sampled_from(HOSTILE_TEXTS))
    return data


def form_fields(payload: Any, prefix: str = "") -> list[tuple[str, str]]:
    """A JSON payload as an HTML form sends it: dotted names, lists as repeated names, text values."""
    out: list[tuple[str, str]] = []
    if isinstance(payload, dict):
        for key, value in payload.items():
            name = f"{prefix}{key}"
            if isinstance(value, dict):
                out += form_fields(value, name + ".")
            elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                for i, item in enumerate(value):
                    out += form_fields(item, f"{name}.{i}.")
            elif isinstance(value, list):
                out += [(name, v if isinstance(v, str) else json.dumps(v)) for v in value]
            else:
                out.append((name, value if isinstance(value, str) else json.dumps(value)))
    elif prefix == "":
        out.append(("données", payload if isinstance(payload, str) else json.dumps(payload)))
    return [(k, v) for k, v in out if not k.startswith("_")]  # _ajouter, _brouillon: other buttons


# ---------------------------------------------------------------- paths through every form

def _explorations(engine: WorkflowEngine, process_id: str) -> list[tuple[dict, dict, WalkPath]]:
    """(protocol, choices, path) for every path of the procedure's explorations."""
    out = []
    for module_name, choices_name, protocol, options in EXPLORATIONS[process_id]:
        module = importlib.import_module(f"tests.workflows.{module_name}")
        choices = getattr(module, choices_name)
        start = {**DEFAULT_PROTOCOL, **protocol}
        found = explore(engine, module.BUNDLE, lambda s, v, m=module: m.sample(s, **v), choices,
                        start_data=start, **options)
        out += [(protocol, choices, path) for path in found.paths]
    return out


def covering_paths(engine: WorkflowEngine, process_id: str) -> list[tuple[dict, dict, WalkPath]]:
    """Few paths that together complete every user task of the procedure (greedy set cover)."""
    forms = {f.stem for f in (BPMN / process_id / "forms").glob("*.json")}
    candidates = _explorations(engine, process_id)
    chosen, covered = [], set()
    while True:
        best = max(candidates, key=lambda c: len({s.spec_id for s in c[2].steps} & forms - covered))
        gain = {s.spec_id for s in best[2].steps} & forms - covered
        if not gain:
            break
        chosen.append(best)
        covered |= gain
    assert covered == forms, f"{process_id}: no explored path reaches {sorted(forms - covered)}"
    return chosen


# ---------------------------------------------------------------- the fuzzing

def _state() -> tuple:
    """fingerprint() and the audit events other than audited reads of a task."""
    events = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                               .where(AuditEvent.event_type != "task_viewed"))
    db.session.rollback()
    counts, procedures, tasks = fingerprint()
    return tuple(c for c in counts if c[0] != "audit_event"), procedures, tasks, events


def _check_messages(fields: Any, payload: Any, where: str) -> None:
    """Messages keyed by field (an unknown key named "" is keyed by itself), each a French sentence."""
    assert isinstance(fields, dict) and fields, f"{where}: no field errors: {fields!r}"
    for name, messages in fields.items():
        assert isinstance(name, str) and (name or "" in payload), f"{where}: field {name!r}"
        assert isinstance(messages, list) and messages, f"{where}: {name}: {messages!r}"
        for message in messages:
            assert isinstance(message, str) and message and not ENGLISH.search(message), \
                f"{where}: {name}: not French: {message!r}"


class Fuzzer:
    def __init__(self, app, world: World, monkeypatch):
        self.app, self.world, self.monkeypatch = app, world, monkeypatch
        self.tokens = {role: token_for(getattr(world, role)) for role in ("ass", "direction", "ctsd")}
        db.session.commit()
        self.browsers = {}
        for role in ("ass", "direction", "ctsd"):
            client = app.test_client()
            assert AuthActions(client).login(getattr(world, role).username).status_code == 302
            self.browsers[role] = client
        self.api = app.test_client()
        self.stats = {"forms": 0, "examples": 0, "refused": 0, "accepted": 0,
                      "by_channel": {"use case": 0, "api": 0, "html": 0}}
        self.failures: list[str] = []

    def fuzz(self, task: HumanTask, sample: dict[str, Any]) -> None:
        """EXAMPLES payloads against the ready `task`; it is still ready afterwards."""
        role, task_id, element = task.role, task.id, task.spec_id
        actor = self.world.actor(role)
        schema = task_form(actor, task_id).schema
        validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
        self.stats["forms"] += 1
        before = _state()

        @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(payload=payloads(schema, sample), channel=st.sampled_from(["use case", "api", "html"]))
        def one(payload, channel):
            where = f"{element} [{channel}] {json.dumps(payload, ensure_ascii=False)[:300]}"
            try:
                self._one(actor, role, task_id, validator, payload, channel, where)
            except AssertionError as e:
                self.failures.append(str(e)[:1200])
            except Exception as e:  # noqa: BLE001 (a crash is a finding, reported with the rest)
                self.failures.append(f"{where}: {type(e).__name__}: {str(e)[:300]}")
            if _state() != before:
                self.failures.append(f"{where}: the database changed")
                raise AssertionError(f"{where}: the database changed; cannot go on with this task")

        one()

    def _one(self, actor, role, task_id, validator, payload, channel, where) -> None:
        self.stats["examples"] += 1
        if channel == "html":
            fields = form_fields(payload)
            payload = from_html(validator.schema, MultiDict(fields))  # what the route will validate
        valid = validator.is_valid(payload)
        if valid or channel == "use case":
            channel = "use case"
            self.stats["by_channel"][channel] += 1
            self._use_case(actor, task_id, payload, valid, where)
        elif channel == "api":
            self.stats["by_channel"][channel] += 1
            response = self.api.post(f"/api/v1/tasks/{task_id}/complete", json={"data": payload},
                                     headers={"Authorization": f"Bearer {self.tokens[role]}"})
            assert response.status_code in (413, 422), f"{where}: {response.status_code} {response.data[:300]!r}"
            assert response.is_json and response.json["message"], where
            if response.status_code == 422:
                _check_messages(response.json["fields"], payload, where)
            self.stats["refused"] += 1
        else:
            self.stats["by_channel"][channel] += 1
            response = self.browsers[role].post(f"/tasks/{task_id}", data=MultiDict(fields))
            assert response.status_code in (413, 422), f"{where}: HTML {response.status_code}"
            if response.status_code == 422:
                assert "vigie-error-summary" in response.get_data(as_text=True), f"{where}: no error summary"
            self.stats["refused"] += 1

    def _use_case(self, actor, task_id, payload, valid: bool, where: str) -> None:
        def refuse_commit(_self):
            raise DryRun

        with self.monkeypatch.context() as patch:
            patch.setattr(uow_module.UnitOfWork, "commit", refuse_commit)
            try:
                complete_task(actor, task_id, payload)
            except DryRun:
                assert valid, f"{where}: accepted, though its published schema refuses it"
                self.stats["accepted"] += 1
                return
            except ValidationFailed as e:
                assert not valid, f"{where}: refused ({e.fields}), though its published schema accepts it"
                _check_messages(e.fields, payload, where)
                self.stats["refused"] += 1
                return
        raise AssertionError(f"{where}: completed without reaching its commit")


def _drive(fuzzer: Fuzzer, world: World, process_id: str, choices: dict, path: WalkPath,
           fuzzed: set[str], payload: Callable[..., dict]) -> None:
    """Replay `path` through the use cases on a new case; fuzz each task not fuzzed yet when ready."""
    case = make_case(world.ass)
    db.session.commit()
    now = START
    with time_machine.travel(now, tick=False):
        procedure_id = start_procedure(world.actor("ass"), case.id, process_id).procedure_id
    for step in path.steps:
        if step.choice == TIMER:
            due = db.session.scalar(sa.select(Procedure.next_timer_at).where(Procedure.id == procedure_id))
            db.session.rollback()
            assert due is not None, f"{process_id}: no timer set before {step.spec_id}"
            now = due + MINUTE
            with time_machine.travel(now, tick=False):
                fire_due_timers(now)
            continue
        now += STEP
        ready = db.session.scalars(sa.select(HumanTask).where(
            HumanTask.procedure_id == procedure_id, HumanTask.spec_id == step.spec_id,
            HumanTask.state == "ready")).all()
        assert len(ready) == 1, f"{process_id}: {step.spec_id} ready {len(ready)} times"
        task = ready[0]
        role, task_id = task.role, task.id
        db.session.rollback()
        if step.spec_id not in fuzzed:
            fuzzed.add(step.spec_id)
            fuzzer.fuzz(db.session.get(HumanTask, task_id), payload(step.spec_id, {}))
        values = (choices.get(step.spec_id) or {}).get(step.choice, {})
        with time_machine.travel(now, tick=False):
            complete_task(world.actor(role), task_id, payload(step.spec_id, values))


@pytest.mark.parametrize("process_id", sorted(EXPLORATIONS))
def test_every_form_refuses_hostile_input_and_changes_nothing(app, tmp_path, monkeypatch, process_id):
    started = time.perf_counter()
    world = World()
    fuzzer = Fuzzer(app, world, monkeypatch)
    engine = WorkflowEngine(tmp_path / "explorer")
    paths = covering_paths(engine, process_id)
    fuzzed: set[str] = set()
    current: dict = {}
    for protocol, choices, path in paths:
        if protocol != current:  # the département's protocol the next procedure starts with
            set_protocol(world.actor("ctsd"), "75", {**DEFAULT_PROTOCOL, **protocol}, "Essai de route")
            current = protocol
        module = importlib.import_module(f"tests.workflows.{EXPLORATIONS[process_id][0][0]}")
        _drive(fuzzer, world, process_id, choices, path, fuzzed, lambda s, v, m=module: m.sample(s, **v))
    forms = {f.stem for f in (BPMN / process_id / "forms").glob("*.json")}
    assert fuzzed == forms
    s = fuzzer.stats
    print(f"\n{process_id}: {s['forms']} forms, {len(paths)} paths, {s['examples']} examples "
          f"({s['by_channel']}), {s['refused']} refused, {s['accepted']} accepted (dry run), "
          f"{len(fuzzer.failures)} failures, {time.perf_counter() - started:.1f} s")
    assert not fuzzer.failures, "\n\n".join(f[:600] for f in fuzzer.failures[:15])

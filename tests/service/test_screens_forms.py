"""Every form of every procedure can be filled on its screen: each field has an input the
templates render, and a realistic payload typed into the HTML form comes back identical."""
from __future__ import annotations

import importlib
from datetime import datetime
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from service.forms import PARIS, fields, from_html, validate
from workflows import WorkflowEngine, read_bundles

ROOT = Path(__file__).resolve().parents[2]
BUNDLES = read_bundles(ROOT / "bpmn")
KINDS = {"text", "textarea", "date", "datetime", "boolean", "radio", "select", "checkboxes",
         "integer", "number", "group", "repeat"}
SAMPLES = {"information_preoccupante": "tests.ip_samples"}


def samples(process_id: str):
    return importlib.import_module(SAMPLES.get(process_id, f"tests.{process_id}_samples")).VALID


def typed(schema, payload, prefix: str = "", form: MultiDict | None = None) -> MultiDict:
    """What a browser posts for `payload` (blocks and groups under dotted names)."""
    form = MultiDict() if form is None else form
    for item in fields(schema, prefix):
        value = payload.get(item.label)
        if value is None:
            continue
        if item.kind == "repeat":
            for i, block in enumerate(value):
                typed(item.extra["items"], block, f"{item.name}.{i}.", form)
        elif item.kind == "group":
            typed(schema["properties"][item.label], value, f"{item.name}.", form)
        elif item.kind == "checkboxes":
            for v in value:
                form.add(item.name, v)
        elif item.kind == "boolean":
            form.add(item.name, "true" if value else "false")
        elif item.kind == "datetime":
            moment = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(PARIS)
            form.add(item.name, moment.strftime("%Y-%m-%dT%H:%M"))
        else:
            form.add(item.name, str(value))
    return form


@pytest.mark.parametrize("process_id", sorted(BUNDLES))
def test_every_task_screen_round_trips_its_sample_payload(tmp_path, process_id):
    bundle = BUNDLES[process_id]
    valid = samples(process_id)
    for task in WorkflowEngine(tmp_path).human_tasks(bundle):
        schema = bundle.form(task.form_file)
        assert {f.kind for f in fields(schema)} <= KINDS, task.spec_id
        payload = valid[task.spec_id]
        back = from_html(schema, typed(schema, payload))
        assert validate(schema, back) == {}, task.spec_id
        for name, value in payload.items():
            if value in ([], ""):  # an empty input is not posted: the same as leaving the field out
                assert name not in back
            elif schema["properties"][name].get("format") == "date-time":  # minutes, in Paris time
                assert datetime.fromisoformat(back[name]) == datetime.fromisoformat(
                    value.replace("Z", "+00:00")).replace(second=0), (task.spec_id, name)
            else:
                assert back[name] == value, (task.spec_id, name)

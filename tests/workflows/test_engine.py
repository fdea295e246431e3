"""The engine façade: spec stored apart, restore, restricted scripts, depth guard."""
from __future__ import annotations

import json
from types import MappingProxyType

import pytest
from SpiffWorkflow.util.task import TaskState

from workflows import (
    COMPLETED,
    PROCEDURE_REQUESTED,
    RUNNING,
    Bundle,
    EngineLimitReached,
    InvalidDiagram,
    ScriptError,
    TaskNotFound,
    TaskNotReady,
    WorkflowEngine,
)
from workflows.engine import SPEC_REF

from .diagrams import gateway_bundle, linking_bundle, loop_bundle


def save_restore(engine, bundle, run):
    """Round trip through JSON text, as the database does."""
    return engine.restore(bundle, run.dump())


def test_state_holds_a_reference_not_the_spec(engine):
    bundle = gateway_bundle("again == True")
    run, _ = engine.start(bundle)
    state = json.loads(run.dump().state_json)
    assert state["spec"] == {"hash": bundle.content_hash, "name": "essai_condition",
                             "typename": SPEC_REF}
    assert state["subprocess_specs"] == {}
    assert "task_specs" not in run.dump().state_json


def test_a_fresh_engine_restores_from_the_stored_bundle(engine, tmp_path):
    bundle = gateway_bundle("again == True")
    run, _ = engine.start(bundle)
    task = run.snapshot().ready[0]
    saved = run.dump()
    other = WorkflowEngine(tmp_path)  # a new process: nothing cached
    restored = other.restore(Bundle.from_json(bundle.process_id, bundle.to_json()), saved)
    result = restored.complete(task.id, {"again": True})
    assert result.snapshot.status == COMPLETED
    assert result.snapshot.end_event == "fin_oui"


def test_an_instance_keeps_its_version_when_the_files_change(engine):
    old = gateway_bundle("again == True")
    new = gateway_bundle("again == False")
    assert old.content_hash != new.content_hash
    run, _ = engine.start(old)
    engine.parsed(new)  # the new version is known too
    restored = save_restore(engine, old, run)
    task = restored.snapshot().ready[0]
    assert restored.complete(task.id, {"again": True}).snapshot.end_event == "fin_oui"


@pytest.mark.parametrize("condition", [
    "().__class__.__base__.__subclasses__()",
    "__import__('os')",
    "[c for c in ().__class__.__mro__]",
    "again.__class__",
    "open('/etc/passwd')",
])
def test_escapes_in_a_gateway_condition_are_refused(engine, condition):
    bundle = gateway_bundle(condition)
    run, _ = engine.start(bundle)
    task = run.snapshot().ready[0]
    restored = save_restore(engine, bundle, run)
    assert restored.script_engine_is_restricted
    with pytest.raises(ScriptError) as caught:
        restored.complete(task.id, {"again": True})
    assert "refusée" in caught.value.message


def test_a_restored_workflow_gets_the_restricted_engine_again(engine):
    bundle = gateway_bundle("again == True")
    run, _ = engine.start(bundle)
    restored = save_restore(engine, bundle, run)
    assert restored.script_engine_is_restricted
    # what the trap looks like: the serializer alone hands back an unrestricted engine
    raw = engine._serializer.deserialize_json(run.dump().state_json)
    assert raw.script_engine is not engine._script_engine


def test_allowed_expressions_still_work(engine):
    bundle = gateway_bundle("again and len([x for x in range(3)]) == 3 and max(1, 2) == 2")
    run, _ = engine.start(bundle)
    result = run.complete(run.snapshot().ready[0].id, {"again": True})
    assert result.snapshot.end_event == "fin_oui"


def test_completing_twice_or_an_unknown_task_is_refused(engine):
    bundle = gateway_bundle("again == True")
    run, _ = engine.start(bundle)
    task = run.snapshot().ready[0]
    run.complete(task.id, {"again": False})
    with pytest.raises(TaskNotReady) as caught:
        run.complete(task.id, {"again": False})
    assert caught.value.state == "completed"
    with pytest.raises(TaskNotFound):
        run.complete("00000000-0000-0000-0000-000000000000", {})
    with pytest.raises(TaskNotFound):
        run.complete("pas-un-uuid", {})


def test_reserved_keys_never_reach_the_task_data(engine):
    bundle = gateway_bundle("again == True")
    run, _ = engine.start(bundle)
    task = run.snapshot().ready[0]
    for data in ({"typename": "x"}, {"again": {"typename": "x"}}, {"_secret": 1}):
        with pytest.raises(ValueError):
            run.complete(task.id, data)
    assert run.task(task.id).state == "ready"


def test_the_loop_never_reports_completed_past_the_engine_depth(engine):
    """DESIGN.md, engine limits: past depth 1,000 SpiffWorkflow says `is_completed()`."""
    bundle = loop_bundle()
    run, result = engine.start(bundle)
    refused_at = None
    for turn in range(600):
        saved = run.dump()
        if turn % 50 == 0:
            run = engine.restore(bundle, saved)
        task = result.snapshot.ready[0]
        try:
            result = run.complete(task.id, {"again": True})
        except EngineLimitReached as e:
            refused_at = turn
            assert "limite du moteur" in e.message
            break
        assert result.snapshot.status == RUNNING
    assert refused_at is not None, "the guard never fired"
    # the refused step is not saved: from the last saved state the loop can still be left
    run = engine.restore(bundle, saved)
    final = run.complete(run.snapshot().ready[0].id, {"again": False})
    assert final.snapshot.status == COMPLETED and final.snapshot.end_event == "fin"


def test_raw_spiffworkflow_silently_completes_past_depth_1000(engine):
    """Documents the limit the guard exists for: no end event, yet is_completed() is True."""
    bundle = loop_bundle()
    run, result = engine.start(bundle)
    wf = run._wf
    for _ in range(400):
        tasks = wf.get_tasks(state=TaskState.READY, manual=True)
        if not tasks:
            break
        tasks[0].set_data(again=True)
        tasks[0].run()
        wf.do_engine_steps()
    assert wf.is_completed()
    assert not any(t.task_spec.bpmn_id == "fin" and t.state == TaskState.COMPLETED
                   for t in wf.tasks.values())
    with pytest.raises(EngineLimitReached):
        run.snapshot()


def test_bundle_hash_depends_on_every_file():
    a = Bundle("p", MappingProxyType({"p.bpmn": "x", "forms/a.json": "{}"}))
    b = Bundle("p", MappingProxyType({"p.bpmn": "x", "forms/a.json": "{ }"}))
    c = Bundle("p", MappingProxyType({"p.bpmn": "x", "forms/b.json": "{}"}))
    assert len({a.content_hash, b.content_hash, c.content_hash}) == 3


@pytest.mark.parametrize("again, requested, end", [
    (True, [("engager_signalement", "signalement"), ("fin_ip", "information_preoccupante")], "fin_ip"),
    (False, [], "fin"),
])
def test_events_with_starts_procedure_are_reported_when_the_flow_passes_them(
        engine, again, requested, end):
    bundle = linking_bundle()
    run, result = engine.start(bundle)
    assert not [e for e in result.events if e.kind == PROCEDURE_REQUESTED]
    run = save_restore(engine, bundle, run)
    result = run.complete(result.snapshot.ready[0].id, {"again": again})
    assert [(e.spec_id, e.starts) for e in result.events if e.kind == PROCEDURE_REQUESTED] == requested
    assert result.snapshot.status == COMPLETED and result.snapshot.end_event == end


def test_start_data_reaches_every_task_and_reserved_names_are_refused(engine):
    bundle = gateway_bundle("route_ip == 'direct'")
    run, result = engine.start(bundle, {"route_ip": "direct"})
    result = run.complete(result.snapshot.ready[0].id, {})
    assert result.snapshot.end_event == "fin_oui"
    with pytest.raises(ValueError):
        engine.start(bundle, {"protocole": {"typename": "x"}})


def test_a_diagram_that_does_not_parse_leaves_the_others_in_the_catalog(tmp_path, caplog):
    for process_id, text in (("essai_condition", gateway_bundle("again").files["essai_condition.bpmn"]),
                             ("essai_casse", "<bpmn:definitions>pas un diagramme")):
        folder = tmp_path / process_id
        (folder / "forms").mkdir(parents=True)
        (folder / f"{process_id}.bpmn").write_text(text, encoding="utf-8")
        (folder / "forms" / "saisir.json").write_text('{"type": "object"}', encoding="utf-8")
    engine = WorkflowEngine(tmp_path)
    assert [p.process_id for p in engine.catalog()] == ["essai_condition"]
    assert "essai_casse écartée du catalogue" in caplog.text
    with pytest.raises(InvalidDiagram):
        engine.start(engine.bundle("essai_casse"))

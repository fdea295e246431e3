"""`vigie bpmn check` finds what would break at run time, before anyone runs it."""
from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import pytest

from service.access import LANE_ROLES
from tests.workflows.diagrams import bundle, gateway_bundle, user_task
from workflows import Bundle, WorkflowEngine, read_bundles
from workflows.checks import check_bundle


@pytest.fixture
def engine(tmp_path):
    return WorkflowEngine(tmp_path)


SHIPPED = read_bundles(Path(__file__).resolve().parents[2] / "bpmn")


@pytest.mark.parametrize("process_id", sorted(SHIPPED))
def test_every_shipped_diagram_passes(engine, process_id):
    assert check_bundle(engine, SHIPPED[process_id], LANE_ROLES) == []


def problems(engine, bundle_):
    return "\n".join(check_bundle(engine, bundle_, LANE_ROLES))


def test_missing_diagram_interchange_and_documentation_are_reported(engine):
    found = problems(engine, gateway_bundle("again == True"))
    assert "saisir n'a pas de forme dans le diagramme" in found
    assert "f1 n'a pas de tracé" in found
    assert "pas de documentation" in found


def test_a_condition_reading_an_unknown_name_or_refused_is_reported(engine):
    assert "« sortie » n'est fourni par aucun formulaire" in problems(engine, gateway_bundle("sortie == 1"))
    assert "expression refusée" in problems(engine, gateway_bundle("again.__class__"))
    assert "n'est fourni" not in problems(engine, gateway_bundle("again and len([1]) == 1"))


def test_form_problems_are_reported(engine):
    body = f"""<bpmn:startEvent id="debut" />{user_task("saisir", "Saisir", "absent")}<bpmn:endEvent id="fin" />
    <bpmn:sequenceFlow id="f1" sourceRef="debut" targetRef="saisir" />
    <bpmn:sequenceFlow id="f2" sourceRef="saisir" targetRef="fin" />"""
    base = bundle("essai_formulaire", body, ("saisir",))
    files = dict(base.files)
    files["forms/saisir.json"] = ('{"type": "object", "required": ["manquant"], '
                                  '"properties": {"typename": {"type": "string"}}}')
    found = problems(engine, Bundle("essai_formulaire", MappingProxyType(files)))
    assert "« manquant » est requis mais n'est pas une propriété" in found
    assert "nom de champ réservé « typename »" in found
    assert "additionalProperties: false" in found
    assert "engineFields : « absent »" in found

"""`vigie bpmn check` finds what would break at run time, before anyone runs it."""
from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import pytest

from service.access import LANE_ROLES
from tests.workflows.diagrams import bundle, gateway_bundle, linking_bundle, user_task
from workflows import Bundle, WorkflowEngine, read_bundles
from workflows.checks import check_bundle


@pytest.fixture
def engine(tmp_path):
    return WorkflowEngine(tmp_path)


SHIPPED = read_bundles(Path(__file__).resolve().parents[2] / "bpmn")


@pytest.mark.parametrize("process_id", sorted(SHIPPED))
def test_every_shipped_diagram_passes(engine, process_id):
    assert check_bundle(engine, SHIPPED[process_id], LANE_ROLES, SHIPPED) == []


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


DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs_niveau" name="Niveau" namespace="urn:essai">
  <decision id="niveau" name="Niveau">
    <decisionTable id="table_niveau" hitPolicy="UNIQUE">
      <input id="entree"><inputExpression id="expr" typeRef="number"><text>{input}</text></inputExpression></input>
      <output id="sortie" name="niveau" typeRef="string" />
      <rule id="r1"><inputEntry id="r1_in"><text>{entry}</text></inputEntry>
        <outputEntry id="r1_out"><text>"bas"</text></outputEntry></rule>
      <rule id="r2"><inputEntry id="r2_in"><text>-</text></inputEntry>
        <outputEntry id="r2_out"><text>"haut"</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>"""


def decision_bundle(decision_id="niveau", input_="again", entry="== True", condition='niveau == "bas"'):
    """start -> saisir (engine field `again`) -> business rule task -> gateway(condition) -> ends."""
    body = f"""
    <bpmn:startEvent id="debut" />
    {user_task("saisir", "Saisir", "again")}
    <bpmn:businessRuleTask id="decider">
      <bpmn:extensionElements>
        <spiffworkflow:calledDecisionId>{decision_id}</spiffworkflow:calledDecisionId>
      </bpmn:extensionElements>
    </bpmn:businessRuleTask>
    <bpmn:exclusiveGateway id="choix" default="f_non" />
    <bpmn:endEvent id="fin_oui" /><bpmn:endEvent id="fin_non" />
    <bpmn:sequenceFlow id="f1" sourceRef="debut" targetRef="saisir" />
    <bpmn:sequenceFlow id="f2" sourceRef="saisir" targetRef="decider" />
    <bpmn:sequenceFlow id="f3" sourceRef="decider" targetRef="choix" />
    <bpmn:sequenceFlow id="f_oui" sourceRef="choix" targetRef="fin_oui">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_non" sourceRef="choix" targetRef="fin_non" />"""
    base = bundle("essai_decision", body, ("saisir",))
    files = dict(base.files)
    files["niveau.dmn"] = DMN.format(input=input_, entry=entry)
    return Bundle("essai_decision", MappingProxyType(files))


def test_a_decision_output_is_a_name_later_conditions_may_read(engine):
    found = problems(engine, decision_bundle())
    assert "n'est fourni" not in found and "décision" not in found
    assert "« sortie » n'est fourni" in problems(engine, decision_bundle(condition='sortie == "bas"'))


def test_a_decision_input_reading_an_unknown_name_is_reported(engine):
    found = problems(engine, decision_bundle(input_="absences_du_mois"))
    assert "niveau.dmn (niveau) : « absences_du_mois » n'est fourni par aucun formulaire ni script" in found


def test_a_refused_decision_expression_is_reported(engine):
    assert "expression refusée" in problems(engine, decision_bundle(entry="again.__class__"))
    assert "expression refusée" in problems(engine, decision_bundle(input_="again._x"))


def test_a_missing_decision_is_reported(engine):
    found = problems(engine, decision_bundle(decision_id="absente"))
    assert "absente" in found


def test_a_linked_procedure_must_exist(engine):
    found = "\n".join(check_bundle(engine, linking_bundle(), LANE_ROLES, {"signalement"}))
    assert [line for line in found.splitlines() if "startsProcedure" in line] == [
        "essai_lien : fin_ip : startsProcedure nomme une procédure inconnue « information_preoccupante »"]
    both = "\n".join(check_bundle(engine, linking_bundle(), LANE_ROLES,
                                  {"signalement", "information_preoccupante"}))
    assert "startsProcedure" not in both


def test_protocol_fields_must_be_fields_of_the_departmental_protocol(engine):
    extra = '<spiffworkflow:property name="protocolFields" value="destinataire_crip,adresse_du_maire" />'
    body = f"""<bpmn:startEvent id="debut" /><bpmn:endEvent id="fin" />
    <bpmn:sequenceFlow id="f1" sourceRef="debut" targetRef="saisir" />
    <bpmn:sequenceFlow id="f2" sourceRef="saisir" targetRef="fin" />
    {user_task("saisir", "Saisir", "")}"""
    form_property = '<spiffworkflow:property name="formJsonSchemaFilename"'
    body = body.replace(form_property, extra + form_property)
    found = problems(engine, bundle("essai_protocole", body, ("saisir",)))
    assert "protocolFields : « adresse_du_maire » n'est pas un champ du protocole départemental" in found
    assert "destinataire_crip" not in found

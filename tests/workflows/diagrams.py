"""Small in-memory bundles for engine tests (no DI: the engine does not need it)."""
from __future__ import annotations

from types import MappingProxyType
from xml.sax.saxutils import escape

from workflows import Bundle

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
  id="defs" targetNamespace="https://vigie.test">
"""
FORM = '{"type": "object", "properties": {"again": {"type": "boolean"}}}'


def user_task(task_id: str, name: str, engine_fields: str = "", extra: str = "") -> str:
    fields = (f'<spiffworkflow:property name="engineFields" value="{engine_fields}" />'
              if engine_fields else "")
    return f"""
    <bpmn:userTask id="{task_id}" name="{escape(name)}">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="forms/{task_id}.json" />
        {fields}
      </spiffworkflow:properties></bpmn:extensionElements>{extra}
    </bpmn:userTask>"""


def bundle(process_id: str, body: str, forms: tuple[str, ...] = ()) -> Bundle:
    text = HEAD + f'<bpmn:process id="{process_id}" name="Essai" isExecutable="true">{body}' \
        "</bpmn:process></bpmn:definitions>"
    files = {f"{process_id}.bpmn": text}
    files.update({f"forms/{name}.json": FORM for name in forms})
    return Bundle(process_id, MappingProxyType(files))


def gateway_bundle(condition: str) -> Bundle:
    """start -> saisir (engine field `again`) -> gateway(condition) -> fin_oui / default fin_non."""
    body = f"""
    <bpmn:startEvent id="debut"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    {user_task("saisir", "Saisir", "again")}
    <bpmn:exclusiveGateway id="choix" default="f_non" />
    <bpmn:endEvent id="fin_oui" /><bpmn:endEvent id="fin_non" />
    <bpmn:sequenceFlow id="f1" sourceRef="debut" targetRef="saisir" />
    <bpmn:sequenceFlow id="f2" sourceRef="saisir" targetRef="choix" />
    <bpmn:sequenceFlow id="f_oui" sourceRef="choix" targetRef="fin_oui">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{escape(condition)}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_non" sourceRef="choix" targetRef="fin_non" />"""
    return bundle("essai_condition", body, ("saisir",))


def loop_bundle() -> Bundle:
    """start -> merge -> reviser (engine field `again`) -> gateway: again -> merge, else end."""
    body = f"""
    <bpmn:startEvent id="debut" />
    <bpmn:exclusiveGateway id="fusion" />
    {user_task("reviser", "Réviser", "again")}
    <bpmn:exclusiveGateway id="encore" default="f_fin" />
    <bpmn:endEvent id="fin" />
    <bpmn:sequenceFlow id="f1" sourceRef="debut" targetRef="fusion" />
    <bpmn:sequenceFlow id="f2" sourceRef="fusion" targetRef="reviser" />
    <bpmn:sequenceFlow id="f3" sourceRef="reviser" targetRef="encore" />
    <bpmn:sequenceFlow id="f_encore" sourceRef="encore" targetRef="fusion">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">again</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_fin" sourceRef="encore" targetRef="fin" />"""
    return bundle("essai_boucle", body, ("reviser",))


def timer_bundle(duration: str = '"P3M"') -> Bundle:
    """start -> attendre (boundary timer -> relancer -> back) -> end."""
    body = f"""
    <bpmn:startEvent id="debut" />
    <bpmn:exclusiveGateway id="fusion" />
    {user_task("attendre", "Enregistrer le retour")}
    <bpmn:boundaryEvent id="delai" name="Délai dépassé" attachedToRef="attendre" cancelActivity="true">
      <bpmn:timerEventDefinition>
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">{escape(duration)}</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    {user_task("relancer", "Relancer")}
    <bpmn:endEvent id="fin" />
    <bpmn:sequenceFlow id="f1" sourceRef="debut" targetRef="fusion" />
    <bpmn:sequenceFlow id="f2" sourceRef="fusion" targetRef="attendre" />
    <bpmn:sequenceFlow id="f3" sourceRef="attendre" targetRef="fin" />
    <bpmn:sequenceFlow id="f4" sourceRef="delai" targetRef="relancer" />
    <bpmn:sequenceFlow id="f5" sourceRef="relancer" targetRef="fusion" />"""
    return bundle("essai_delai", body, ("attendre", "relancer"))


def linking_bundle() -> Bundle:
    """start -> saisir (engine field `again`) -> again ? throw event asking for a signalement
    -> end asking for an IP; else a plain end."""
    starts = ('<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property '
              'name="startsProcedure" value="{}" /></spiffworkflow:properties></bpmn:extensionElements>')
    body = f"""
    <bpmn:startEvent id="debut" />
    {user_task("saisir", "Saisir", "again")}
    <bpmn:exclusiveGateway id="choix" default="f_non" />
    <bpmn:intermediateThrowEvent id="engager_signalement" name="Engager un signalement">
      {starts.format("signalement")}</bpmn:intermediateThrowEvent>
    <bpmn:endEvent id="fin_ip" name="Orientée vers une IP">{starts.format("information_preoccupante")}</bpmn:endEvent>
    <bpmn:endEvent id="fin" name="Close" />
    <bpmn:sequenceFlow id="f1" sourceRef="debut" targetRef="saisir" />
    <bpmn:sequenceFlow id="f2" sourceRef="saisir" targetRef="choix" />
    <bpmn:sequenceFlow id="f_oui" sourceRef="choix" targetRef="engager_signalement">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">again</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f3" sourceRef="engager_signalement" targetRef="fin_ip" />
    <bpmn:sequenceFlow id="f_non" sourceRef="choix" targetRef="fin" />"""
    return bundle("essai_lien", body, ("saisir",))

"""Task forms: the JSON Schema published for a task, its validation in French, HTML form decoding.

The schema is the whole rule: the server validates with it and nothing else, so a client that
validates against the published schema before sending is never refused (DESIGN.md).
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from .audit import canonical_json

PARIS = ZoneInfo("Europe/Paris")

FORMATS = FormatChecker()
TYPE_LABELS = {"string": "un texte", "boolean": "oui ou non", "integer": "un nombre entier",
               "number": "un nombre", "array": "une liste", "object": "un objet",
               "null": "une valeur vide"}
FORMAT_MESSAGES = {"date": "Date invalide : format attendu AAAA-MM-JJ.",
                   "date-time": "Date et heure invalides : format attendu AAAA-MM-JJTHH:MM:SS avec le "
                                "fuseau (par exemple 2026-03-02T10:30:00+01:00).",
                   "time": "Heure invalide : format attendu HH:MM:SS avec le fuseau (10:30:00+01:00).",
                   "email": "Adresse électronique invalide."}
ROOT = "données"
UNKNOWN_FIELD = "Champ inconnu : il ne fait pas partie de ce formulaire."


# ---------------------------------------------------------------- validation

@lru_cache(maxsize=512)
def _validator(schema_json: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads(schema_json), format_checker=FORMATS)


def validator(schema: Mapping[str, Any]) -> Draft202012Validator:
    return _validator(canonical_json(schema))


def validate(schema: Mapping[str, Any], data: Any) -> dict[str, list[str]]:
    """Field → French messages; empty when `data` satisfies the schema."""
    errors: dict[str, list[str]] = {}
    if not isinstance(data, dict):
        return {"data": ["Les données doivent être un objet JSON (des champs et leurs valeurs)."]}
    for error in validator(schema).iter_errors(data):
        for name, message in _messages(error):
            bucket = errors.setdefault(name, [])
            if message not in bucket:
                bucket.append(message)
    return errors


def _messages(error: ValidationError) -> Iterable[tuple[str, str]]:
    path = [str(p) for p in error.absolute_path]
    if path and path[-1].isdigit() and not isinstance(error.instance, dict):
        path = path[:-1]  # an item of a list of choices: the error is the list's
    name = ".".join(path) if path else ROOT
    kind, expected = error.validator, error.validator_value
    custom = error.schema.get("errorMessage") if isinstance(error.schema, dict) else None
    if isinstance(custom, dict) and kind in custom:
        yield name, custom[kind]
        return
    if kind == "required":
        instance = error.instance if isinstance(error.instance, dict) else {}
        for missing in expected:
            if missing not in instance:
                yield (".".join(path + [missing]) if path else missing), "Ce champ est obligatoire."
        return
    if kind == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        for extra in sorted(set(error.instance) - allowed):
            yield (".".join([*path, extra]) if path else extra), UNKNOWN_FIELD
        return
    yield name, _message(kind, expected, error)


def _message(kind: str, expected: Any, error: ValidationError) -> str:
    if kind == "type":
        types = expected if isinstance(expected, list) else [expected]
        return "Valeur attendue : " + " ou ".join(TYPE_LABELS.get(t, t) for t in types) + "."
    if kind in ("enum", "oneOf", "const"):
        return "Valeur non autorisée : choisissez une des options proposées."
    if kind == "format":
        return FORMAT_MESSAGES.get(expected, "Format invalide.")
    if kind == "minLength":
        return "Ce champ ne peut pas être vide." if expected == 1 else f"Au moins {expected} caractères."
    if kind == "maxLength":
        return f"Texte trop long : {expected} caractères au maximum."
    if kind == "pattern":
        return "Format invalide."
    if kind == "minimum":
        return f"La valeur doit être supérieure ou égale à {expected}."
    if kind == "maximum":
        return f"La valeur doit être inférieure ou égale à {expected}."
    if kind == "minItems":
        return f"Choisissez au moins {expected} élément(s)."
    if kind == "maxItems":
        return f"{expected} éléments au maximum."
    if kind == "uniqueItems":
        return "Chaque élément ne peut figurer qu'une fois."
    return "Valeur refusée par le formulaire."


# ---------------------------------------------------------------- HTML forms

@dataclass(frozen=True)
class Field:
    """One input of a task screen, derived from the schema."""

    name: str
    title: str
    kind: str  # text | textarea | date | datetime | boolean | radio | select | checkboxes |
    #            integer | number | group (an object) | repeat (an array of objects)
    required: bool
    description: str | None = None
    options: tuple[tuple[str, str], ...] = ()
    max_length: int | None = None
    required_when: str | None = None  # French sentence for conditional requirements
    visible_when: tuple[dict[str, Any], ...] = ()  # shown while one holds: {field, value, negate}
    extra: dict[str, Any] = field(default_factory=dict)
    children: tuple[Field, ...] = ()  # group: its fields (see block_fields for a repeat)
    label: str = ""  # the field's own name, `name` being its full dotted path


def path_title(schema: Mapping[str, Any], name: str) -> str:
    """A dotted field path as a person reads it: `paroles.1.texte` -> « Paroles n° 2 — Texte »."""
    parts, node = [], schema
    for segment in name.split("."):
        if segment.isdigit():
            parts[-1] = f"{parts[-1]} n° {int(segment) + 1}" if parts else segment
            node = node.get("items", {})
            continue
        node = node.get("properties", {}).get(segment, {})
        parts.append(node.get("title", segment))
    return " — ".join(parts)


def block_fields(repeat: Field, index: int) -> list[Field]:
    """The fields of block `index` of a repeatable block, named `<repeat>.<index>.<field>`."""
    return fields(repeat.extra["items"], f"{repeat.name}.{index}.")


def _options(prop: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    if "oneOf" in prop:
        return tuple((o["const"], o.get("title", str(o["const"]))) for o in prop["oneOf"] if "const" in o)
    if "enum" in prop:
        return tuple((str(v), str(v)) for v in prop["enum"])
    return ()


def _conditions(schema: Mapping[str, Any], prefix: str = "") -> dict[str, list[dict[str, Any]]]:
    """`if/then/else` on one field's value: for each field required only under such a condition,
    the conditions, as {field, value, negate, hint}; `field` is the controlling input's name.

    `if {x: const v} then required [y]` makes y required when x is v; `else required [z]`
    when x is something else than v (a boolean: the other answer).
    """
    out: dict[str, list[dict[str, Any]]] = {}
    props = schema.get("properties", {})
    for clause in [schema, *schema.get("allOf", [])]:
        condition = clause.get("if", {}).get("properties", {})
        if len(condition) != 1:
            continue
        (name, test), = condition.items()
        if "const" not in test:
            continue
        label = props.get(name, {}).get("title", name)
        value = test["const"]
        shown = {True: "Oui", False: "Non"}.get(value) if isinstance(value, bool) else None
        if shown is None:
            shown = dict(_options(props.get(name, {}))).get(value, str(value))
        raw = ("true" if value else "false") if isinstance(value, bool) else str(value)  # as the form sends it
        for branch, negate in (("then", False), ("else", True)):
            for required in clause.get(branch, {}).get("required", []):
                if negate and isinstance(value, bool):
                    hint = f"Obligatoire si « {label} » est « {'Non' if value else 'Oui'} »."
                    rule = {"field": prefix + name, "value": "false" if value else "true", "negate": False}
                else:
                    verb = "n'est pas" if negate else "est"
                    hint = f"Obligatoire si « {label} » {verb} « {shown} »."
                    rule = {"field": prefix + name, "value": raw, "negate": negate}
                out.setdefault(required, []).append({**rule, "hint": hint})
    return out


def fields(schema: Mapping[str, Any], prefix: str = "") -> list[Field]:
    """The inputs of a form, in the schema's order; objects become groups of fields and arrays of
    objects repeatable blocks, their inputs named by dotted paths (`paroles.0.texte`)."""
    required = set(schema.get("required", []))
    conditions = _conditions(schema, prefix)
    out = []
    for name, prop in schema.get("properties", {}).items():
        kind = _kind(prop)
        children = tuple(fields(prop, f"{prefix}{name}.")) if kind == "group" else ()
        extra = {"items": prop["items"], "max_items": prop.get("maxItems")} if kind == "repeat" else {}
        out.append(Field(name=prefix + name, title=prop.get("title", name), kind=kind,
                         required=name in required, description=prop.get("description"),
                         options=_options(prop.get("items", {}) if kind == "checkboxes" else prop),
                         max_length=prop.get("maxLength"), extra=extra, children=children, label=name,
                         required_when=" ".join(c["hint"] for c in conditions.get(name, ())) or None,
                         visible_when=tuple({k: c[k] for k in ("field", "value", "negate")}
                                            for c in conditions.get(name, ()))
                         if name not in required and not prop.get("x-always-shown") else ()))
    return out


def _kind(prop: Mapping[str, Any]) -> str:
    kind = prop.get("type")
    if kind == "boolean":
        return "boolean"
    if kind == "object":
        return "group"
    if kind == "array":
        return "repeat" if prop.get("items", {}).get("type") == "object" else "checkboxes"
    if kind in ("integer", "number"):
        return kind
    if prop.get("format") == "date":
        return "date"
    if prop.get("format") == "date-time":
        return "datetime"
    if "oneOf" in prop or "enum" in prop:
        return "radio" if len(_options(prop)) <= 5 else "select"
    return "textarea" if (prop.get("maxLength") or 0) > 300 else "text"


def from_html(schema: Mapping[str, Any], form: Any, prefix: str = "") -> dict[str, Any]:
    """Decode an HTML form (a MultiDict) into JSON values, by the schema's types.

    Empty inputs are left out so that « obligatoire » is reported rather than an empty text;
    values that do not convert are kept as text so the schema reports their type. A group
    becomes an object, a repeatable block an item of its array; empty ones are left out.
    """
    data: dict[str, Any] = {}
    for item in fields(schema, prefix):
        if item.kind == "group":
            value = from_html(schema["properties"][item.label], form, item.name + ".")
            if value:
                data[item.label] = value
            continue
        if item.kind == "repeat":
            items = [from_html(schema["properties"][item.label]["items"], form, f"{item.name}.{i}.")
                     for i in block_indexes(form, item.name)]
            items = [one for one in items if one]
            if items:
                data[item.label] = items
            continue
        if item.kind == "checkboxes":
            values = [v for v in form.getlist(item.name) if v != ""]
            if values:
                data[item.label] = values
            continue
        raw = form.get(item.name)
        if raw is None or raw == "":
            continue
        if item.kind == "boolean":
            data[item.label] = {"true": True, "false": False}.get(raw, raw)
        elif item.kind == "datetime":
            data[item.label] = _paris_to_rfc3339(raw)
        elif item.kind in ("integer", "number"):
            try:
                data[item.label] = int(raw) if item.kind == "integer" else float(raw.replace(",", "."))
            except ValueError:
                data[item.label] = raw
        else:
            data[item.label] = raw.replace("\r\n", "\n")
    return data


def block_indexes(form: Any, name: str) -> list[int]:
    """The indexes of the blocks of a repeat posted in `form` (`name.<i>.…`), in order."""
    found = set()
    start = name + "."
    for key in form.keys():
        if key.startswith(start):
            head = key[len(start):].split(".", 1)[0]
            if head.isdigit() and len(head) < 4:
                found.add(int(head))
    return sorted(found)


def display_value(schema: Mapping[str, Any], name: str, value: Any) -> str:
    """A submitted value as a person reads it (labels for choices, Oui/Non, JJ/MM/AAAA)."""
    prop = schema.get("properties", {}).get(name, {})
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, dict):
        return _record(prop, value)
    if isinstance(value, list) and any(isinstance(v, dict) for v in value):
        item = prop.get("items", {})
        return " ; ".join(f"{i}) {_record(item, v) if isinstance(v, dict) else v}"
                          for i, v in enumerate(value, 1))
    if isinstance(value, list):
        labels = dict(_options(prop.get("items", {})))
        return ", ".join(labels.get(v, str(v)) for v in value)
    labels = dict(_options(prop))
    if value in labels:
        return labels[value]
    if prop.get("format") == "date" and isinstance(value, str) and len(value) == 10:
        return f"{value[8:10]}/{value[5:7]}/{value[0:4]}"
    if prop.get("format") == "date-time" and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        if moment.tzinfo is not None:
            moment = moment.astimezone(PARIS)
        return moment.strftime("%d/%m/%Y à %H:%M")
    return str(value)


def _record(schema: Mapping[str, Any], value: Mapping[str, Any]) -> str:
    """An object as a person reads it: « Titre : valeur, Titre : valeur »."""
    props = schema.get("properties", {})
    return ", ".join(f"{props.get(k, {}).get('title', k)} : {display_value(schema, k, v)}"
                     for k, v in value.items())


def _paris_to_rfc3339(raw: str) -> str:
    """`2026-03-02T10:30` typed in a browser (Paris time) -> `2026-03-02T10:30:00+01:00`;
    anything else is kept as typed, so the schema reports it."""
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return raw
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=PARIS)
    return moment.isoformat(timespec="seconds")

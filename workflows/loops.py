"""The schema a task publishes, once the diagram's loop limit is reached."""
from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from .views import TaskSpecView


def effective_schema(schema: Mapping[str, Any], spec: TaskSpecView, iteration: int) -> dict[str, Any]:
    """The task's schema, with the loop limit applied when it is reached.

    A task with properties `loopLimit=N` and `loopChoice=field=value` may take `value` at most
    N times: from then on `value` is no longer offered, so the published schema still tells
    the whole rule (DESIGN.md, engine limits). `loopLimitMessage` says why, in the task's words.
    """
    limit, choice = spec.properties.get("loopLimit"), spec.properties.get("loopChoice")
    if not (limit and choice and "=" in choice) or iteration < int(limit):
        return schema  # type: ignore[return-value]
    name, value = choice.split("=", 1)
    narrowed = copy.deepcopy(dict(schema))
    prop = narrowed["properties"][name]
    message = spec.properties.get("loopLimitMessage") or (
        f"Ce choix n'est plus proposé : l'étape a déjà été faite {limit} fois dans cette "
        "procédure, la limite prévue par le diagramme.")
    if "oneOf" in prop:
        prop["oneOf"] = [option for option in prop["oneOf"] if option.get("const") != value]
    if "enum" in prop:
        prop["enum"] = [option for option in prop["enum"] if option != value]
    prop["description"] = message
    prop.setdefault("errorMessage", {}).update({"oneOf": message, "enum": message})
    return narrowed

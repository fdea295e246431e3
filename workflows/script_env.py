"""The only globals that diagram expressions see: gateway conditions, scripts, timers, DMN cells.

Every expression is compiled with RestrictedPython's `compile_restricted_*`, which rewrites
attribute, item and iteration access into guard calls and rejects names starting with `_`
at compile time. Passing `safe_globals` to a plain eval is escapable through
`().__class__.__base__.__subclasses__()` (SPIFFWORKFLOW.md §4.2); compiling is not.

The serializer does not keep the script engine: `engine.WorkflowEngine` sets this one again
after every restore. This is defence in depth, not an OS sandbox: diagrams come only from
the reviewed `bpmn/` folder, never from users.
"""
from __future__ import annotations

import operator
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, limited_builtins, safe_builtins
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)
from SpiffWorkflow.bpmn.script_engine import BasePythonScriptEngineEnvironment, PythonScriptEngine

_INPLACE = {
    "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "|=": operator.ior, "&=": operator.iand,
}

# Plain functions and types only: never a module (uuid.os, json.codecs.sys lead to os).
_EXTRA_BUILTINS = (dict, list, tuple, set, frozenset, sorted, zip, sum, min, max, any, all,
                   enumerate, map, filter, reversed)


def _inplacevar(op: str, x: Any, y: Any) -> Any:
    return _INPLACE[op](x, y)


def _builtins() -> dict[str, Any]:
    names = dict(safe_builtins)
    names.update(limited_builtins)
    names.update({fn.__name__: fn for fn in _EXTRA_BUILTINS})
    return names


ALLOWED_GLOBALS: dict[str, Any] = {
    "__builtins__": _builtins(),
    "_getattr_": safer_getattr,
    "_getitem_": default_guarded_getitem,
    "_getiter_": default_guarded_getiter,
    "_write_": full_write_guard,
    "_inplacevar_": _inplacevar,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "datetime": datetime,
    "date": date,
    "timedelta": timedelta,
}

#: Names a diagram may read without defining them (used by `bpmn check`).
PUBLIC_NAMES = frozenset(ALLOWED_GLOBALS["__builtins__"]) | {"datetime", "date", "timedelta"}


@lru_cache(maxsize=4096)
def compile_exec(script: str):
    """Compile a script task or pre/post-script; raises SyntaxError when refused."""
    result = compile_restricted_exec(script, filename="<string>")
    if result.errors:
        raise SyntaxError("; ".join(result.errors))
    return result.code


@lru_cache(maxsize=4096)
def compile_eval(expression: str):
    """Compile a condition, timer or DMN expression; raises SyntaxError when refused."""
    result = compile_restricted_eval(expression, filename="<string>")
    if result.errors:
        raise SyntaxError("; ".join(result.errors))
    return result.code


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """Script environment for SpiffWorkflow: restricted compile, allowlisted globals."""

    def __init__(self) -> None:
        super().__init__(dict(ALLOWED_GLOBALS))

    def evaluate(self, expression, context, external_context=None):
        namespace = dict(self.globals)
        namespace.update(external_context or {})
        namespace.update(context)
        return eval(compile_eval(expression), namespace)  # noqa: S307 - restricted bytecode

    def execute(self, script, context, external_context=None):
        namespace = dict(self.globals)
        namespace.update(external_context or {})
        namespace.update(context)
        exec(compile_exec(script), namespace)  # noqa: S102 - restricted bytecode
        hidden = set(self.globals) | set(external_context or {})
        for key in list(context):
            if key not in namespace:
                context.pop(key)
        for key, value in namespace.items():
            if key in hidden or key.startswith("_") or callable(value):
                continue
            context[key] = value
        return True

    def call_service(self, context, **kwargs):
        raise NotImplementedError("Vigie's diagrams have no service tasks")


def restricted_script_engine() -> PythonScriptEngine:
    """A fresh script engine bound to the restricted environment."""
    return PythonScriptEngine(environment=RestrictedEnvironment())

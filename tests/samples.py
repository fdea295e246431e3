"""What every `tests/<procedure>_samples.py` shares: a payload per user task, copied with overrides.

Each module defines `VALID` (one realistic payload per task, valid against its form) and
`sample = sampler(VALID)`, so that

    sample("valider_ip", decision="renvoyer")      # overrides
    sample("informer_parents", modalites=None)     # None removes a key
"""
from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

Payload = dict[str, Any]


def sample_of(valid: Mapping[str, Payload], task_id: str, **overrides: Any) -> Payload:
    """A deep copy of `valid[task_id]` updated with `overrides`; an override of None removes the key."""
    payload = copy.deepcopy(valid[task_id])
    for key, value in overrides.items():
        if value is None:
            payload.pop(key, None)
        else:
            payload[key] = copy.deepcopy(value)
    return payload


def sampler(valid: Mapping[str, Payload]) -> Callable[..., Payload]:
    """`sample(task_id, **overrides)` over `valid` (see `sample_of`)."""

    def sample(task_id: str, **overrides: Any) -> Payload:
        """A deep copy of `VALID[task_id]` updated with `overrides`; an override of None removes the key."""
        return sample_of(valid, task_id, **overrides)

    return sample

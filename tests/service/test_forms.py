"""Form values between the browser, the JSON Schema and the screens (dates and times in Paris)."""
from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from service.forms import display_value, fields, from_html, validate
from service.routes.presentation import datetime_local

SCHEMA = {"type": "object", "additionalProperties": False, "required": ["appel"],
          "properties": {"appel": {"type": "string", "format": "date-time", "title": "Heure de l'appel"}}}


@pytest.mark.parametrize("typed, stored", [
    ("2026-03-02T10:30", "2026-03-02T10:30:00+01:00"),  # winter time
    ("2026-07-02T10:30", "2026-07-02T10:30:00+02:00"),  # summer time
])
def test_a_date_time_typed_in_paris_is_stored_with_its_offset_and_shown_back(typed, stored):
    assert [f.kind for f in fields(SCHEMA)] == ["datetime"]
    data = from_html(SCHEMA, MultiDict({"appel": typed}))
    assert data == {"appel": stored} and validate(SCHEMA, data) == {}
    assert datetime_local(stored) == typed
    assert display_value(SCHEMA, "appel", "2026-03-02T09:30:00Z") == "02/03/2026 à 10:30"


@pytest.mark.parametrize("value", ["hier soir", "2026-03-02 10:30", "2026-03-02T10:30:00",
                                   "2026-02-30T10:30:00+01:00"])
def test_a_date_time_without_offset_or_impossible_is_refused_in_french(value):
    assert validate(SCHEMA, {"appel": value}) == {"appel": [
        "Date et heure invalides : format attendu AAAA-MM-JJTHH:MM:SS avec le fuseau "
        "(par exemple 2026-03-02T10:30:00+01:00)."]}

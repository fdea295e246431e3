"""The audit trail: append-only, hash-chained. The database refuses UPDATE and DELETE (triggers)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime


class AuditEvent(db.Model):
    """One event. Ids are plain columns, not foreign keys: the trail outlives anything it names."""

    __tablename__ = "audit_event"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_role: Mapped[str | None] = mapped_column(String(20))
    case_id: Mapped[int | None] = mapped_column(Integer)
    procedure_id: Mapped[int | None] = mapped_column(Integer)
    task_id: Mapped[str | None] = mapped_column(String(36))
    event_type: Mapped[str] = mapped_column(String(60))
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: 1: SHA-256(prev_hash ‖ JSON), before migration 0003; 2: RFC 6962 leaf (see audit/chain.py)
    hash_version: Mapped[int] = mapped_column(Integer, server_default="1")

    __table_args__ = (
        Index("ix_audit_event_case", "case_id", "seq"),
        Index("ix_audit_event_actor", "actor_id", "seq"),
    )

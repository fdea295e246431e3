"""Departmental protocols: one row per version, never updated; the newest is in force."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class DepartmentalProtocol(db.Model):
    """A version of a département's protocol (route, copies, recipients, internal deadlines)."""

    __tablename__ = "departmental_protocol"
    __table_args__ = (UniqueConstraint("departement_code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    departement_code: Mapped[str] = mapped_column(ForeignKey("departement.code"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    settings: Mapped[str] = mapped_column(Text)  # canonical JSON, valid against PROTOCOL_SCHEMA
    reason: Mapped[str] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def values(self) -> dict[str, Any]:
        return json.loads(self.settings)

    @classmethod
    def in_force(cls, departement_code: str) -> DepartmentalProtocol | None:
        return db.session.scalars(select(cls).where(cls.departement_code == departement_code)
                                  .order_by(cls.version.desc()).limit(1)).first()

"""A case: one pupil, one establishment, the procedures run for them."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .establishment import Establishment
from .types import UTCDateTime, utcnow


class Case(db.Model):
    __tablename__ = "pupil_case"  # CASE is an SQL keyword

    id: Mapped[int] = mapped_column(primary_key=True)
    establishment_id: Mapped[int] = mapped_column(ForeignKey("establishment.id"), index=True)
    pupil_last_name: Mapped[str] = mapped_column(String(100))
    pupil_first_name: Mapped[str] = mapped_column(String(100))
    pupil_birth_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    establishment: Mapped[Establishment] = relationship(lazy="joined")
    procedures: Mapped[list[Procedure]] = relationship(  # noqa: F821
        back_populates="case", order_by="Procedure.id")

    @property
    def pupil_name(self) -> str:
        return f"{self.pupil_last_name.upper()} {self.pupil_first_name}"

"""A case: one pupil, one establishment, the procedures run for them."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text
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


#: kinds of confidential note -> French label
NOTE_KINDS = {
    "entretien_eleve": "Entretien avec l'élève",
    "entretien_famille": "Entretien avec la famille",
    "situation_familiale": "Situation familiale",
    "echange_partenaire": "Échange avec un partenaire",
    "autre": "Autre",
}


class CaseNote(db.Model):
    """A note of the ASS's confidential social file: interviews, family information.

    Read by the ASS and the CTSD only (never the direction). Append-only (database triggers):
    a correction is a new note. The audit trail keeps each note's SHA-256, never its text.
    """

    __tablename__ = "case_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("pupil_case.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(30))
    body: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User] = relationship(lazy="joined")  # noqa: F821

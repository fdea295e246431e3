"""Users, their roles and scopes, and API tokens."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .establishment import Departement, Establishment
from .types import UTCDateTime, utcnow

#: role code -> French label (DESIGN.md, users)
ROLES = {
    "ass": "Assistant·e de service social",
    "direction": "Direction d'établissement",
    "ctsd": "Conseiller·ère technique départemental·e",
    "auditeur": "Auditeur·rice",
    "admin": "Administrateur·rice",
}

user_establishment = Table(
    "user_establishment", db.metadata,
    Column("user_id", ForeignKey("user_account.id"), primary_key=True),
    Column("establishment_id", ForeignKey("establishment.id"), primary_key=True),
)


class User(db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    departement_code: Mapped[str | None] = mapped_column(ForeignKey("departement.code"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    departement: Mapped[Departement | None] = relationship()
    establishments: Mapped[list[Establishment]] = relationship(secondary=user_establishment,
                                                               lazy="selectin")

    # flask-login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(lazy="joined")

"""Users, their roles and scopes, and API tokens."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, String, Table
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
    #: consecutive failed logins (password or second factor); reset by a success or a lock
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: TOTP secret, encrypted with a key derived from SECRET_KEY (never logged); None: not enrolled
    totp_secret: Mapped[str | None] = mapped_column(String(255))
    #: a secret being enrolled, until the user confirms it with a first code
    totp_pending_secret: Mapped[str | None] = mapped_column(String(255))
    #: the time step of the last code accepted: a code is never accepted twice
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger())
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


class UserSession(db.Model):
    """A browser session, server side: the Flask cookie carries a random id whose SHA-256 is here.

    Logging out, a timeout or disabling the user ends the row; a cookie whose row is ended (or
    missing) authenticates nobody, even though its signature is still valid.
    """

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: the last time the password (and code) were entered again, for sensitive actions
    reauthenticated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: logout | idle | expired | disabled | password
    end_reason: Mapped[str | None] = mapped_column(String(20))

    user: Mapped[User] = relationship(lazy="joined")

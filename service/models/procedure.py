"""Process versions, running procedures, the inbox and the legal record of submitted forms."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, select
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship, undefer

from ..extensions import db
from .case import Case
from .protocol import DepartmentalProtocol
from .types import UTCDateTime, utcnow


class ProcessVersion(db.Model):
    """A procedure's bundle (BPMN + forms + DMN), stored once per content hash."""

    __tablename__ = "process_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100), index=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    bundle: Mapped[str] = deferred(mapped_column(Text))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Procedure(db.Model):
    """One running procedure: its state blob, status and next timer. `version` detects lost updates."""

    __tablename__ = "procedure"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("pupil_case.id"), index=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    status: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = deferred(mapped_column(Text))
    serializer_version: Mapped[str] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(Integer, default=1)
    next_timer_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    end_event: Mapped[str | None] = mapped_column(String(100))
    outcome: Mapped[str | None] = mapped_column(String(200))  # the end event's name
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: the departmental protocol version it started with (None: the default protocol)
    protocol_id: Mapped[int | None] = mapped_column(ForeignKey("departmental_protocol.id"))
    #: the procedure whose flow started this one on the same case (triage IP <-> signalement)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("procedure.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    case: Mapped[Case] = relationship(back_populates="procedures")
    process_version: Mapped[ProcessVersion] = relationship(lazy="joined", innerjoin=True)
    protocol: Mapped[DepartmentalProtocol | None] = relationship()

    @property
    def protocol_version(self) -> int:
        """The departmental protocol version it started with; 0 for the default protocol."""
        return self.protocol.version if self.protocol else 0

    __mapper_args__ = {"version_id_col": version}

    @property
    def process_id(self) -> str:
        return self.process_version.process_id

    @classmethod
    def get_for_update(cls, procedure_id: int) -> Procedure | None:
        """The row, locked until commit (FOR UPDATE on PostgreSQL; BEGIN IMMEDIATE on SQLite)."""
        query = (select(cls).where(cls.id == procedure_id).with_for_update(of=cls)
                 .options(undefer(cls.state)).execution_options(populate_existing=True))
        return db.session.scalars(query).first()


class HumanTask(db.Model):
    """The inbox: every human task that became ready, kept after it is done or cancelled.

    The id is the SpiffWorkflow task id, stable across saves.
    """

    __tablename__ = "human_task"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("pupil_case.id"), index=True)
    establishment_id: Mapped[int] = mapped_column(ForeignKey("establishment.id"))
    departement_code: Mapped[str] = mapped_column(String(3))
    spec_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    lane: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20), default="ready")
    iteration: Mapped[int] = mapped_column(Integer, default=0)
    waits_for_external: Mapped[bool] = mapped_column(default=False)
    ready_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    procedure: Mapped[Procedure] = relationship()
    case: Mapped[Case] = relationship()
    completed_by: Mapped[User | None] = relationship()  # noqa: F821

    __table_args__ = (
        Index("ix_human_task_inbox_establishment", "state", "role", "establishment_id"),
        Index("ix_human_task_inbox_departement", "state", "role", "departement_code"),
    )


class TaskSubmission(db.Model):
    """What a person declared on a task: the legal record, outside the engine's state."""

    __tablename__ = "task_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("human_task.id"), index=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id"), index=True)
    spec_id: Mapped[str] = mapped_column(String(100))
    data: Mapped[str] = mapped_column(Text)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    submitted_by: Mapped[User] = relationship()  # noqa: F821


class TaskDraft(db.Model):
    """A form being filled, saved unvalidated so that an interruption loses nothing. One per task;
    removed when the task is completed. Not a declaration: the trail records that it was saved."""

    __tablename__ = "task_draft"

    task_id: Mapped[str] = mapped_column(ForeignKey("human_task.id"), primary_key=True)
    data: Mapped[str] = mapped_column(Text)
    saved_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Document(db.Model):
    """A document produced from the data entered (fiche de transmission, signalement), kept as
    generated; its SHA-256 is in the audit trail."""

    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("pupil_case.id"), index=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id"))
    kind: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    sha256: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

"""Extensions, created unbound and bound in `create_app`."""
from __future__ import annotations

from contextvars import ContextVar

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


#: Sessions live for one request (or one CLI pass). Not expiring on commit lets the response be
#: built from what the use case just wrote, without reloading every row; use cases that must see
#: other writers' changes lock and re-read the rows they depend on (`populate_existing`).
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
#: per client IP, on the login steps only (no default limit); storage from RATELIMIT_STORAGE_URI
limiter = Limiter(key_func=get_remote_address)


#: set by `unit_of_work`: the transaction about to begin will write
WRITE_INTENT: ContextVar[bool] = ContextVar("vigie_write_intent", default=False)


def configure_sqlite(engine: Engine) -> None:
    """SQLite: foreign keys, WAL, and BEGIN IMMEDIATE for use cases that write.

    A use case takes the write lock when its transaction begins, so two requests never read the
    same procedure version before either writes: what `SELECT … FOR UPDATE` does on PostgreSQL.
    Reads begin DEFERRED and, in WAL mode, never block a writer.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):  # pragma: no cover - driver callback
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):  # pragma: no cover - driver callback
        connection.exec_driver_sql("BEGIN IMMEDIATE" if WRITE_INTENT.get() else "BEGIN")

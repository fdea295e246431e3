"""Every setting, read from the environment. Nothing here performs I/O at import time."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def database_url(value: str | None, instance_path: str) -> str:
    """`DATABASE_URL`, defaulting to a SQLite file under `instance/`; plain `postgresql://` uses psycopg 3."""
    if not value:
        return f"sqlite:///{Path(instance_path) / 'vigie.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if value.startswith(prefix):
            return "postgresql+psycopg://" + value[len(prefix):]
    return value


#: values seen in examples and tutorials; refused in production whatever their length
KNOWN_DEFAULT_SECRETS = frozenset({"dev", "secret", "changeme", "change-me", "change_me", "development",
                                   "secret-key", "secret_key", "your-secret-key", "clé de test", "bench",
                                   "please-change-this-secret-key-in-production"})


def secret_key(instance_path: str, production: bool) -> str:
    """`SECRET_KEY` from the environment, else `instance/secret_key`, created on first start.

    In production a missing, short or well-known key is an error: sessions must not survive on a
    guessable value.
    """
    value = os.environ.get("SECRET_KEY")
    if value:
        if production and (len(value) < 32 or value.lower() in KNOWN_DEFAULT_SECRETS):
            raise RuntimeError("SECRET_KEY refusé en production : une valeur aléatoire d'au moins 32 "
                               "caractères est exigée (python -c 'import secrets; print(secrets.token_hex(32))')")
        return value
    path = Path(instance_path) / "secret_key"
    if path.is_file():
        return path.read_text().strip()
    if production:
        raise RuntimeError("SECRET_KEY manquant : définissez-le dans l'environnement (production)")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(secrets.token_hex(32))
    path.chmod(0o600)
    return path.read_text().strip()


def static_settings() -> dict:
    """Settings that do not come from the environment."""
    return {
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # remember-me is not offered (a session needs its server-side row); its cookie, were it
        # ever set, would get the same flags
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "VIGIE_SESSION_IDLE_MINUTES": 30,
        "VIGIE_SESSION_MAX_HOURS": 10,
        "VIGIE_TOTP_REQUIRED": False,
        "VIGIE_LOGIN_RATE_LIMIT": "10 per minute; 60 per hour",
        "RATELIMIT_STORAGE_URI": "memory://",
        "VIGIE_PROXY_COUNT": 0,
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "VIGIE_BPMN_DIR": str(PROJECT_ROOT / "bpmn"),
        "MAX_CONTENT_LENGTH": 256 * 1024,
        "VIGIE_BRANDING": "neutre",
    }


def load(instance_path: str) -> dict:
    """The configuration of a Vigie instance, from the environment.

    VIGIE_ENV            development (default) or production
    DATABASE_URL         SQLAlchemy URL; default sqlite under instance/
    SECRET_KEY           session signing key; default instance/secret_key (created, dev only)
    VIGIE_BPMN_DIR       the procedures folder; default <project>/bpmn
    VIGIE_MAX_BODY_BYTES largest accepted request body; default 256 KiB
    VIGIE_AUDIT_KEY      Ed25519 key signing the audit checkpoints; default instance/audit_ed25519.pem
                         (created on the first checkpoint; keep it off the database server)
    VIGIE_CHECKPOINT_DIR where checkpoints are written, to be copied elsewhere; default instance/checkpoints
    VIGIE_BRANDING       etat (the State brand block and the Marianne font, for services of the State
                         only) or neutre (default: demos and forks do not wear the State identity)
    VIGIE_SESSION_IDLE_MINUTES  a session unused this long ends; default 30
    VIGIE_SESSION_MAX_HOURS     a session ends this long after the login, used or not; default 10
    VIGIE_LOGIN_RATE_LIMIT      login attempts per client IP (Flask-Limiter syntax); default
                                "10 per minute; 60 per hour"
    VIGIE_RATELIMIT_STORAGE     where the per-IP counters live; default memory:// (one process),
                                e.g. redis://host:6379 when several processes serve Vigie
    VIGIE_PROXY_COUNT           how many reverse proxies stand before Vigie and set X-Forwarded-For;
                                default 0 (the client is the peer). Behind a proxy, set it, or every
                                client shares the proxy's address and its login limit
    The TOTP second factor is mandatory for ctsd, auditeur and admin when VIGIE_ENV=production.
    """
    env = os.environ.get("VIGIE_ENV", "development")
    production = env == "production"
    out = static_settings()
    out.update({
        "VIGIE_ENV": env,
        "SECRET_KEY": secret_key(instance_path, production),
        "SQLALCHEMY_DATABASE_URI": database_url(os.environ.get("DATABASE_URL"), instance_path),
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        # `__Host-`: the browser keeps the cookie only if Secure, for this host alone, on path /
        "SESSION_COOKIE_NAME": "__Host-vigie" if production else "session",
        "VIGIE_TOTP_REQUIRED": production,
    })
    for name in ("VIGIE_SESSION_IDLE_MINUTES", "VIGIE_SESSION_MAX_HOURS"):
        if os.environ.get(name):
            value = int(os.environ[name])
            if value <= 0:
                raise RuntimeError(f"{name}={value} : un nombre entier positif est attendu")
            out[name] = value
    if os.environ.get("VIGIE_LOGIN_RATE_LIMIT"):
        out["VIGIE_LOGIN_RATE_LIMIT"] = os.environ["VIGIE_LOGIN_RATE_LIMIT"]
    if os.environ.get("VIGIE_RATELIMIT_STORAGE"):
        out["RATELIMIT_STORAGE_URI"] = os.environ["VIGIE_RATELIMIT_STORAGE"]
    if os.environ.get("VIGIE_PROXY_COUNT"):
        out["VIGIE_PROXY_COUNT"] = int(os.environ["VIGIE_PROXY_COUNT"])
    out["VIGIE_AUDIT_KEY"] = os.environ.get("VIGIE_AUDIT_KEY") or str(Path(instance_path) / "audit_ed25519.pem")
    out["VIGIE_CHECKPOINT_DIR"] = (os.environ.get("VIGIE_CHECKPOINT_DIR")
                                   or str(Path(instance_path) / "checkpoints"))
    branding = os.environ.get("VIGIE_BRANDING", "neutre")
    if branding not in ("etat", "neutre"):
        raise RuntimeError(f"VIGIE_BRANDING={branding!r} : valeurs possibles « etat » ou « neutre »")
    out["VIGIE_BRANDING"] = branding
    if os.environ.get("VIGIE_BPMN_DIR"):
        out["VIGIE_BPMN_DIR"] = os.environ["VIGIE_BPMN_DIR"]
    if os.environ.get("VIGIE_MAX_BODY_BYTES"):
        out["MAX_CONTENT_LENGTH"] = int(os.environ["VIGIE_MAX_BODY_BYTES"])
    return out

"""The password policy (OWASP ASVS 5.0, V6.2): length, common passwords, the username.

The list of common passwords ships in `service/data/common_passwords.txt` (source and licence
in its header). A password is compared in lower case and without spaces, then without the
digits and signs padded around it: padding a common password to reach the length does not make
it less common.
"""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

MIN_LENGTH = 12
#: argon2 hashes anything, but an unbounded input is a cheap way to burn CPU
MAX_LENGTH = 256
COMMON_PASSWORDS = Path(__file__).parent / "data" / "common_passwords.txt"
_PADDING = re.compile(r"^[\d\W_]+|[\d\W_]+$")


@cache
def common_passwords() -> frozenset[str]:
    with COMMON_PASSWORDS.open(encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _forms(password: str) -> set[str]:
    squeezed = "".join(password.lower().split())
    forms = {squeezed, _PADDING.sub("", squeezed)}
    for unit in range(1, len(squeezed) // 2 + 1):  # "azertyazerty": a common word repeated
        if len(squeezed) % unit == 0 and squeezed[:unit] * (len(squeezed) // unit) == squeezed:
            forms.add(squeezed[:unit])
            break
    return {form for form in forms if len(form) >= 4}


def is_common(password: str) -> bool:
    """True if the password is, or pads, or repeats a password of the shipped list."""
    return bool(_forms(password) & common_passwords())


def password_problems(password: str, username: str | None = None) -> list[str]:
    """What is wrong with a new password, in French; empty when it is acceptable."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Le mot de passe doit compter au moins {MIN_LENGTH} caractères.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Le mot de passe doit compter au plus {MAX_LENGTH} caractères.")
    if password.strip() != password or not password.strip():
        problems.append("Le mot de passe ne doit pas commencer ni finir par un espace.")
    if is_common(password):
        problems.append("Ce mot de passe fait partie des mots de passe les plus courants : choisissez-en un autre "
                        "(une phrase de plusieurs mots, par exemple).")
    name = (username or "").strip().lower()
    if len(name) >= 3 and name in "".join(password.lower().split()):
        problems.append("Le mot de passe ne doit pas contenir l'identifiant.")
    return problems

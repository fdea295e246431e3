"""SECURITY.md keeps the authorisation matrix of the code, word for word, in both languages' reach."""
from __future__ import annotations

from pathlib import Path

from service.access_matrix import matrix_markdown

ROOT = Path(__file__).resolve().parents[1]


def test_security_md_shows_the_matrix_the_code_enforces():
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    shown = text.split("<!-- matrice:début -->\n", 1)[1].split("\n<!-- matrice:fin -->", 1)[0]
    assert shown == matrix_markdown().rstrip(), "SECURITY.md : régénérer la matrice (python -m service.access_matrix)"
    assert "# Vigie security (English)" in text and "## Signaler une vulnérabilité" in text

"""Imports point one way (STYLE.md §1): routes → usecases → models/audit/workflows → SpiffWorkflow."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                found.add(".".join(base + ([node.module] if node.module else [])))
            else:
                found.add(node.module or "")
    return found


def files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("path", files("workflows"), ids=str)
def test_workflows_import_neither_flask_nor_service(path):
    bad = {m for m in imports(path) if m.split(".")[0] in ("flask", "service", "flask_sqlalchemy")}
    assert not bad


@pytest.mark.parametrize("path", files("service"), ids=str)
def test_spiffworkflow_is_imported_only_in_workflows(path):
    assert not {m for m in imports(path) if m.startswith("SpiffWorkflow")}


LOWER = ("service/usecases", "service/models", "service/audit", "service/access.py", "service/forms.py",
         "service/errors.py")


@pytest.mark.parametrize("path", [p for p in files("service") if str(p.relative_to(ROOT)).startswith(LOWER)], ids=str)
def test_lower_layers_never_import_routes_or_api(path):
    bad = {m for m in imports(path) if m.startswith(("service.routes", "service.api", "service.cli"))}
    assert not bad


@pytest.mark.parametrize("path", files("service/models") + files("service/audit") + files("service/routes")
                         + files("service/api") + files("workflows"), ids=str)
def test_only_use_cases_commit(path):
    assert ".commit()" not in path.read_text()


@pytest.mark.parametrize("path", files("service/usecases"), ids=str)
def test_use_cases_never_read_the_request(path):
    """Use cases take plain values and an actor, so the CLI and jobs can call them (STYLE.md §4)."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in ("flask", "flask_login"):
            assert not {a.name for a in node.names} & {"request", "g", "session", "current_user"}


@pytest.mark.parametrize("path", sorted((ROOT / "tests" / "workflows").rglob("*.py")), ids=str)
def test_engine_tests_need_neither_flask_nor_the_database(path):
    assert not {m for m in imports(path) if m.split(".")[0] in ("flask", "service", "sqlalchemy")}

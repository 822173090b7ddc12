"""Conventions that keep the code base readable, checked rather than hoped for."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["people", "accounts", "core", "programmes", "cms", "certificates", "audit", "privacy"]
FEATURE_APPS = {"programmes", "cms", "certificates", "audit", "privacy", "core"}


def python_files(app):
    return [p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]


def imported_top_levels(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_the_foundation_imports_no_feature_app():
    """people and accounts are what every app stands on (STYLE.md): they import no feature
    app; feature apps reach them through hooks, registries and selectors instead."""
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_top_levels(path) & FEATURE_APPS)
        for app in ("people", "accounts")
        for path in python_files(app)
        if imported_top_levels(path) & FEATURE_APPS
    }
    assert offenders == {}

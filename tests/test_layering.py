"""Imports point one way: app.py -> handlers -> storage -> bot. `bot` stays pure."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FORBIDDEN = {
    "bot": {
        "slack_bolt",
        "slack_sdk",
        "sqlmodel",
        "sqlalchemy",
        "alembic",
        "psycopg",
        "aiohttp",
        "dotenv",
        "handlers",
        "storage",
        "app",
        "requests",
        "urllib",
        "http",
        "socket",
        "sqlite3",
    },
    "storage": {"slack_bolt", "slack_sdk", "aiohttp", "handlers", "app"},
    "handlers": {"sqlmodel", "sqlalchemy", "alembic", "psycopg", "sqlite3", "app"},
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_only_what_its_layer_may(package):
    files = sorted((ROOT / package).rglob("*.py"))
    assert files or package == "handlers", f"{package}/ has no modules"
    offences = {
        str(f.relative_to(ROOT)): sorted(imported_modules(f) & FORBIDDEN[package])
        for f in files
        if imported_modules(f) & FORBIDDEN[package]
    }
    assert offences == {}


def test_the_layering_test_can_catch_an_offence(tmp_path):
    offender = tmp_path / "bad.py"
    offender.write_text("import sqlmodel\nfrom slack_sdk.web import WebClient\n")
    assert imported_modules(offender) & FORBIDDEN["bot"] == {"sqlmodel", "slack_sdk"}

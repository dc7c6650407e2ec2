"""Imports point one way: app.py -> cli -> handlers -> storage -> bot. `bot` stays pure, and the
simulated Slack (fakeslack) is for the tests, the demo and the benchmarks: the app never imports it."""

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
        "cli",
        "fakeslack",
        "requests",
        "urllib",
        "http",
        "socket",
        "sqlite3",
    },
    "storage": {"slack_bolt", "slack_sdk", "aiohttp", "handlers", "app", "cli", "fakeslack"},
    "handlers": {"sqlmodel", "sqlalchemy", "alembic", "psycopg", "sqlite3", "app", "cli", "fakeslack"},
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


def simulated_slack_imports(path: Path) -> list[str]:
    """Where a module reaches for the simulated Slack: an import of it (at any depth, in any function),
    or its name handed to importlib."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names = [node.value]
        else:
            continue
        found.extend(f"line {node.lineno}: {name}" for name in names if name.split(".")[0] == "fakeslack")
    return found


def test_handlers_never_import_the_simulated_slack():
    """The app must speak to the real Slack only; fakeslack is for the tests, cli/demo.py and benchmarks/."""
    files = sorted((ROOT / "handlers").rglob("*.py"))
    assert files, "handlers/ has no modules"
    offences = {str(f.relative_to(ROOT)): simulated_slack_imports(f) for f in files if simulated_slack_imports(f)}
    assert offences == {}


@pytest.mark.parametrize(
    "source",
    [
        "from fakeslack import FakeSlack\n",
        "import fakeslack.server as server\n",
        "def later():\n    from fakeslack.state import Workspace\n",
        "import importlib\n\nslack = importlib.import_module('fakeslack')\n",
    ],
)
def test_the_simulated_slack_check_can_catch_an_offence(tmp_path, source):
    offender = tmp_path / "bad.py"
    offender.write_text(source)
    assert simulated_slack_imports(offender)
    assert "fakeslack" in imported_modules(offender) or "importlib" in source

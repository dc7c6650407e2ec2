"""The dispatch imports only the chosen command's module: `safe-contact rules` loads neither the
Slack libraries, nor the app, nor the database. Checked in a fresh process, as a person runs it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

COMMAND_MODULES = {
    "cli.serve",
    "cli.import_programs",
    "cli.rules",
    "cli.audit",
    "cli.report",
    "cli.demo",
    "cli.purge",
    "cli.barriers",
}
HEAVY = {"handlers", "slack_bolt", "slack_sdk", "aiohttp", "fakeslack", "storage", "sqlmodel", "sqlalchemy", "alembic"}


def imported_modules(*args: str, tmp_path: Path) -> set[str]:
    """Every module `python app.py ARGS` imported, as `-X importtime` reports them on standard error."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'safe_contact.db'}"
    result = subprocess.run(
        [sys.executable, "-X", "importtime", str(ROOT / "app.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    lines = [line for line in result.stderr.splitlines() if line.startswith("import time:")]
    assert lines, result.stderr
    return {line.rsplit("|", 1)[1].strip() for line in lines[1:]}  # the first line is the header


def test_rules_imports_no_slack_library_no_handler_and_no_database(tmp_path):
    modules = imported_modules("rules", tmp_path=tmp_path)
    assert "cli.rules" in modules and "bot.rules" in modules  # the measurement saw the command run
    loaded = {name for name in modules if name.split(".")[0] in HEAVY}
    assert loaded == set()
    assert modules & COMMAND_MODULES == {"cli.rules"}
    assert not (tmp_path / "safe_contact.db").exists()


@pytest.mark.parametrize(
    ("args", "module"),
    [
        pytest.param(("serve",), "cli.serve", id="serve"),
        pytest.param(("import", "missing.toml"), "cli.import_programs", id="import"),
        pytest.param(("audit",), "cli.audit", id="audit"),
        pytest.param(("report",), "cli.report", id="report"),
        pytest.param(("purge",), "cli.purge", id="purge"),
        pytest.param(("barriers", "--minors-group", "S1", "--adults-group", "S2"), "cli.barriers", id="barriers"),
    ],
)
def test_each_command_imports_its_own_module_and_no_other_command(tmp_path, args, module):
    assert imported_modules(*args, tmp_path=tmp_path) & COMMAND_MODULES == {module}


def test_every_command_module_is_listed_here():
    on_disk = {f"cli.{path.stem}" for path in (ROOT / "cli").glob("*.py")} - {"cli.__init__"}
    shared = {"cli.output", "cli.database", "cli.logs"}
    assert on_disk - shared == COMMAND_MODULES

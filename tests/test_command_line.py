"""The command line, run as a person runs it: `python app.py ...` in a fresh process."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import storage
from bot.rules import CATALOGUE

ROOT = Path(__file__).resolve().parent.parent


def run(*args, tmp_path, database=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env["DATABASE_URL"] = database or f"sqlite:///{tmp_path / 'safe_contact.db'}"
    return subprocess.run(
        [sys.executable, str(ROOT / "app.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )


def stored_program(tmp_path, program_id="splash-2026"):
    engine = storage.create_engine_from_url(f"sqlite:///{tmp_path / 'safe_contact.db'}")
    try:
        with storage.session_scope(engine) as session:
            return storage.get_program(program_id, session=session)
    finally:
        engine.dispose()


def test_rules_lists_all_sixteen_symbols(tmp_path):
    result = run("rules", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    for rule in CATALOGUE:
        assert rule.symbol in result.stdout and rule.severity.label in result.stdout
    assert "16 rules." in result.stdout


def test_rules_as_json(tmp_path):
    import json

    rows = json.loads(run("rules", "--format", "json", tmp_path=tmp_path).stdout)
    assert [r["symbol"] for r in rows] == [r.symbol for r in CATALOGUE]


def test_import_the_example_twice(tmp_path):
    first = run("import", str(ROOT / "examples" / "program.toml"), tmp_path=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Imported splash-2026" in first.stdout and "9 people" in first.stdout
    once = stored_program(tmp_path)
    second = run("import", str(ROOT / "examples" / "program.toml"), tmp_path=tmp_path)
    assert second.returncode == 0, second.stderr
    assert stored_program(tmp_path) == once
    assert len(once.roster) == 9


def copy_example(tmp_path, roster_text=None):
    folder = tmp_path / "program"
    shutil.copytree(ROOT / "examples", folder)
    if roster_text is not None:
        (folder / "roster.csv").write_text(roster_text)
    return folder / "program.toml"


def test_a_bad_role_is_refused_and_changes_nothing(tmp_path):
    good = copy_example(tmp_path)
    assert run("import", str(good), tmp_path=tmp_path).returncode == 0
    before = stored_program(tmp_path)
    roster = (
        (ROOT / "examples" / "roster.csv")
        .read_text()
        .replace("Sam Staff,sam@mit.edu,U0STAFF001,staff", "Sam Staff,sam@mit.edu,U0STAFF001,teacher")
    )
    roster = roster.replace("Jo Participant", "Jo Renamed")
    bad = copy_example(tmp_path / "bad", roster)
    result = run("import", str(bad), tmp_path=tmp_path)
    assert result.returncode == 2
    assert f"{bad.parent / 'roster.csv'}:5: role 'teacher'" in result.stderr
    assert "Nothing was imported" in result.stderr
    assert stored_program(tmp_path) == before


def test_several_files_are_all_or_nothing(tmp_path):
    good = copy_example(tmp_path)
    other = copy_example(tmp_path / "other")
    other.write_text(
        other.read_text()
        .replace('"splash-2026"', '"other-2026"')
        .replace('alert_channel = "C0ALERTS01"', 'alert_channel = "#alerts"')
    )
    result = run("import", str(good), str(other), tmp_path=tmp_path)
    assert result.returncode == 2 and "alert_channel" in result.stderr
    assert not (tmp_path / "safe_contact.db").exists() or stored_program(tmp_path) is None


def test_a_changed_roster_replaces_the_old_one(tmp_path):
    good = copy_example(tmp_path)
    assert run("import", str(good), tmp_path=tmp_path).returncode == 0
    roster = good.parent / "roster.csv"
    roster.write_text("\n".join(line for line in roster.read_text().splitlines() if "Lee Staff" not in line) + "\n")
    assert run("import", str(good), tmp_path=tmp_path).returncode == 0
    names = {p.name for p in stored_program(tmp_path).roster}
    assert "Lee Staff" not in names and len(names) == 8


@pytest.mark.parametrize("command", ["audit"])
def test_later_commands_say_so(tmp_path, command):
    result = run(command, tmp_path=tmp_path)
    assert result.returncode == 2 and "not part of this release yet" in result.stderr


@pytest.mark.parametrize("args", [(), ("serve",)])
def test_serving_without_the_slack_settings_names_them_in_one_line(tmp_path, args):
    result = run(*args, tmp_path=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "SLACK_SIGNING_SECRET" in result.stderr and "SLACK_BOT_TOKEN" in result.stderr
    assert not (tmp_path / "safe_contact.db").exists()  # refused before touching anything


def test_unknown_command_is_a_usage_error(tmp_path):
    result = run("explode", tmp_path=tmp_path)
    assert result.returncode == 2 and "invalid choice" in result.stderr

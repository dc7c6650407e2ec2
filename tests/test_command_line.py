"""The command line, run as a person runs it: `python app.py ...` in a fresh process."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import storage
from bot.rules import CATALOGUE

ROOT = Path(__file__).resolve().parent.parent


def run(*args, tmp_path, database=None, settings=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env["DATABASE_URL"] = database or f"sqlite:///{tmp_path / 'safe_contact.db'}"
    env.update(settings or {})
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


def test_rules_lists_every_symbol(tmp_path):
    result = run("rules", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    for rule in CATALOGUE:
        assert rule.symbol in result.stdout and rule.severity.label in result.stdout
    assert f"{len(CATALOGUE)} rules." in result.stdout


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


# -- tenancy: a program belongs to one workspace, a channel to one program --------------------------

OAUTH = {"SLACK_CLIENT_ID": "1111.2222", "SLACK_CLIENT_SECRET": "fake-client-secret"}


def program_file(tmp_path, name: str, program_id: str, **settings: str):
    """A copy of the example named `name`.toml with another id and the settings given (TOML values:
    a line with the key is replaced, else the setting is added to [program])."""
    folder = tmp_path / name
    shutil.copytree(ROOT / "examples", folder, dirs_exist_ok=True)
    text = (ROOT / "examples" / "program.toml").read_text().replace('"splash-2026"', f'"{program_id}"')
    for key, value in settings.items():
        if f"\n{key} = " in text:
            text = "\n".join(f"{key} = {value}" if line.startswith(f"{key} = ") else line for line in text.splitlines())
        else:
            text = text.replace("[program]\n", f"[program]\n{key} = {value}\n", 1)
    path = folder / f"{name}.toml"
    path.write_text(text)
    return path


def test_with_oauth_a_program_without_a_workspace_is_refused_at_import(tmp_path):
    result = run("import", str(ROOT / "examples" / "program.toml"), tmp_path=tmp_path, settings=OAUTH)
    assert result.returncode == 2
    assert str(ROOT / "examples" / "program.toml") in result.stderr
    assert "'splash-2026' names no workspace" in result.stderr and 'add team_id = "T' in result.stderr
    assert not (tmp_path / "safe_contact.db").exists()
    placed = program_file(tmp_path, "placed", "splash-2026", team_id='"T0TEAM0001"')
    assert run("import", str(placed), tmp_path=tmp_path, settings=OAUTH).returncode == 0


def test_with_oauth_serve_refuses_to_start_with_a_program_without_a_workspace(tmp_path):
    example = str(ROOT / "examples" / "program.toml")
    assert run("import", example, tmp_path=tmp_path).returncode == 0  # one workspace: as before
    result = run("serve", tmp_path=tmp_path, settings={**OAUTH, "SLACK_SIGNING_SECRET": "secret", "PORT": "1"})
    assert result.returncode == 2
    assert f"{example}: program.team_id: program 'splash-2026' names no workspace" in result.stderr
    assert "import the file(s) again" in result.stderr


def test_two_programs_naming_the_same_channel_are_refused(tmp_path):
    first = program_file(tmp_path, "first", "first-2026")
    second = program_file(tmp_path, "second", "second-2026", channels='["C0GENERAL1", "C0OTHER001"]')
    result = run("import", str(first), str(second), tmp_path=tmp_path)
    assert result.returncode == 2
    assert f"{first} and {second}: channel 'C0GENERAL1' is a space of both 'first-2026' and 'second-2026'" in (
        result.stderr
    )
    assert not (tmp_path / "safe_contact.db").exists()

    assert run("import", str(first), tmp_path=tmp_path).returncode == 0
    later = run("import", str(second), tmp_path=tmp_path)
    assert later.returncode == 2
    assert f"{first} (imported earlier)" in later.stderr and "'C0GENERAL1'" in later.stderr
    assert stored_program(tmp_path, "second-2026") is None
    assert run("import", str(first), tmp_path=tmp_path).returncode == 0  # importing itself again is no conflict


def test_two_programs_claiming_one_workspace_are_refused_unless_they_list_their_channels(tmp_path):
    # Its own channels (the session window's included), and the workspace not claimed whole.
    apart = {"channels": '["C0OTHER001"]', "session_channels": '["C0OTHER002"]', "channel": '"C0OTHER002"'}
    first = program_file(tmp_path, "first", "first-2026", team_id='"T0TEAM0001"')
    second = program_file(tmp_path, "second", "second-2026", team_id='"T0TEAM0001"', whole_workspace="false", **apart)
    unplaced = program_file(tmp_path, "third", "third-2026", **apart)
    result = run("import", str(first), str(second), tmp_path=tmp_path)
    assert result.returncode == 2
    assert "'first-2026' claims every channel of workspace 'T0TEAM0001'" in result.stderr
    assert "whole_workspace = false" in result.stderr
    beside = run("import", str(first), str(unplaced), tmp_path=tmp_path)
    assert beside.returncode == 2 and "'third-2026' names no workspace (so it runs there too)" in beside.stderr

    shared = program_file(tmp_path, "first", "first-2026", team_id='"T0TEAM0001"', whole_workspace="false")
    both = run("import", str(shared), str(second), tmp_path=tmp_path)
    assert both.returncode == 0, both.stderr
    assert stored_program(tmp_path, "first-2026").whole_workspace is False


def test_audit_of_an_export_writes_the_report_and_exits_1_with_findings(tmp_path):
    from export_builder import Export, message, user

    assert run("import", str(ROOT / "examples" / "program.toml"), tmp_path=tmp_path).returncode == 0
    users = [user("U0STAFF001", "Sam Staff", "sam@mit.edu"), user("U0MINOR001", "Alex", "alex@example.org")]
    export = Export(users).conversation(
        "dms.json", "D0DM000001", ["U0STAFF001", "U0MINOR001"], messages=[message("U0STAFF001", "hi Alex")]
    )
    archive = export.zip(tmp_path / "export.zip")
    result = run("audit", "--export", str(archive), "--format", "json", "--output", "out.json", tmp_path=tmp_path)
    assert result.returncode == 1, result.stderr
    document = json.loads((tmp_path / "out.json").read_text())
    assert "dm-adult-minor" in {f["rule"] for f in document["findings"]} and result.stdout == ""
    assert result.stderr == ""  # no progress bar when standard error is not a terminal
    text = run("audit", "--export", str(archive), "--program", "splash-2026", tmp_path=tmp_path)
    assert text.returncode == 1 and "finding(s):" in text.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        pytest.param(("audit", "--export", "missing.zip"), "missing.zip: no such file or folder", id="missing-archive"),
        pytest.param(("audit", "--program", "nope", "--export", "x.zip"), "no program 'nope'", id="unknown-program"),
        pytest.param(("audit",), "set SLACK_BOT_TOKEN to audit the live workspace", id="no-token-no-export"),
        pytest.param(("report", "--since", "last week"), "is not a date", id="bad-since"),
    ],
)
def test_bad_audit_and_report_input_is_one_line_and_exit_2(tmp_path, args, words):
    assert run("import", str(ROOT / "examples" / "program.toml"), tmp_path=tmp_path).returncode == 0
    result = run(*args, tmp_path=tmp_path)
    assert result.returncode == 2 and words in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_audit_and_report_before_any_import_say_so(tmp_path):
    for command in ("audit", "report"):
        result = run(command, tmp_path=tmp_path)
        assert result.returncode == 2 and "no program is imported" in result.stderr


def test_the_report_of_a_program_without_incidents(tmp_path):
    assert run("import", str(ROOT / "examples" / "program.toml"), tmp_path=tmp_path).returncode == 0
    result = run("report", "--format", "html", tmp_path=tmp_path)
    assert result.returncode == 0 and "0 incident(s)." in result.stdout and result.stdout.startswith("<!doctype html>")


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


def test_the_progress_bar_redraws_one_line(capsys):
    from cli.output import progress_bar

    draw = progress_bar("Reading")
    draw(3, 10)
    draw(10, 10)
    err = capsys.readouterr().err
    assert err.count("\r") == 2 and "\n" not in err
    assert "[#########.....................] 3/10" in err and "10/10 conversations" in err

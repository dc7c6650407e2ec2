"""Program file and roster parsing: a good file, and every kind of bad one reported as file:line."""

from pathlib import Path

import pytest

from bot.config import ProgramFileError, Settings, load_program, parse_roster
from bot.model import BackgroundCheck, Conversation, ConversationKind, EnforcementMode, Role

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
HEADER = "name,email,slack_id,role,guardian_of,background_check,recording_consent\n"


def test_the_example_program_loads_completely():
    program = load_program(EXAMPLES / "program.toml")
    assert program.id == "splash-2026" and program.alert_channel == "C0ALERTS01"
    assert program.institution_domains == ("mit.edu",)
    assert program.mode is EnforcementMode.ENFORCE
    assert len(program.roster) == 9
    assert {p.role for p in program.roster} == set(Role)
    [session] = program.sessions
    assert session.channel == "C0SESSION1" and session.start.utcoffset().total_seconds() == -4 * 3600
    robin = next(p for p in program.roster if p.name == "Robin Parent")
    assert robin.slack_id is None and robin.guardian_of == ("jo@example.org",)
    lee = next(p for p in program.roster if p.name == "Lee Staff")
    assert lee.background_check is BackgroundCheck.PENDING and not lee.is_program_adult


def roster(rows: str, header: str = HEADER):
    return parse_roster(header + rows, source="roster.csv")


def test_columns_in_any_order_and_unknown_columns_ignored():
    people, problems = roster(
        "minor,Alex,ALEX@Example.org,yes,shirt size M\n",
        header="role,name,email,recording_consent,notes\n",
    )
    assert problems == []
    assert people[0].email == "alex@example.org" and people[0].recording_consent


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        pytest.param(
            "Sam,sam@mit.edu,,teacher,,cleared,\n",
            "roster.csv:2: role 'teacher' is not one of",
            id="bad-role",
        ),
        pytest.param("Sam,not-an-email,,staff,,cleared,\n", "roster.csv:2: email 'not-an-email'", id="bad-email"),
        pytest.param(",sam@mit.edu,,staff,,cleared,\n", "roster.csv:2: name is empty", id="no-name"),
        pytest.param("Sam,sam@mit.edu,sam,staff,,cleared,\n", "roster.csv:2: slack_id 'sam'", id="bad-slack-id"),
        pytest.param(
            "Sam,sam@mit.edu,,staff,,maybe,\n",
            "roster.csv:2: background_check 'maybe'",
            id="bad-background-check",
        ),
        pytest.param("Al,al@example.org,,minor,,,sure\n", "roster.csv:2: recording_consent 'sure'", id="bad-consent"),
        pytest.param(
            "Al,al@example.org,,minor,,cleared,\n",
            "background_check applies to adults",
            id="check-on-a-minor",
        ),
        pytest.param(
            "Pat,pat@example.org,,guardian,,,\n",
            "roster.csv:2: a guardian must name",
            id="guardian-without-minor",
        ),
        pytest.param(
            "Pat,pat@example.org,,guardian,nobody@example.org,,\n",
            "roster.csv:2: guardian_of 'nobody@example.org' is not a minor on this roster",
            id="guardian-of-unknown-minor",
        ),
        pytest.param(
            "Sam,sam@mit.edu,,staff,al@example.org,cleared,\n",
            "only for guardians",
            id="guardian-of-on-staff",
        ),
        pytest.param(
            "Sam,sam@mit.edu,,staff,,cleared,\nSam2,SAM@mit.edu,,staff,,cleared,\n",
            "roster.csv:3: email 'sam@mit.edu' is already on line 2",
            id="duplicate-email",
        ),
    ],
)
def test_bad_rows_name_the_line_and_the_value(rows, expected):
    _, problems = roster(rows)
    assert any(expected in p for p in problems), problems


def test_every_bad_row_is_reported_not_just_the_first():
    _, problems = roster("A,a@mit.edu,,boss,,,\nB,b@mit.edu,,staff,,cleared,\nC,c@mit.edu,,chief,,,\n")
    assert [p.split(":")[1] for p in problems] == ["2", "4"]


def test_line_numbers_count_quoted_newlines_and_blank_lines():
    _, problems = roster('"Sam\nSmith",sam@mit.edu,,staff,,cleared,\n\nBo,bo@mit.edu,,dean,,,\n')
    assert problems == ["roster.csv:5: role 'dean' is not one of minor, staff, program_admin, dlc_admin, guardian"]


def test_missing_required_columns():
    _, problems = roster("x,y\n", header="name,role\n")
    assert problems == [
        "roster.csv:1: missing column(s) email (columns: name, email, slack_id, role, guardian_of, "
        "background_check, recording_consent)"
    ]


def test_adult_without_stated_check_is_not_cleared():
    [sam], _ = roster("Sam,sam@mit.edu,,staff,,,\n")
    assert sam.background_check is BackgroundCheck.PENDING


def write_program(tmp_path, body: str, roster_text: str = HEADER + "A,a@mit.edu,,program_admin,,cleared,\n"):
    (tmp_path / "roster.csv").write_text(roster_text)
    path = tmp_path / "program.toml"
    path.write_text(body)
    return path


GOOD = """
[program]
id = "p-1"
name = "P"
alert_channel = "C0ALERTS01"
institution_domains = ["mit.edu"]
roster = "roster.csv"
"""


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            GOOD.replace('"p-1"', '"Splash 2026"'), "program.id: 'Splash 2026' must be lowercase", id="bad-id"
        ),
        pytest.param(
            GOOD.replace('"C0ALERTS01"', '"#alerts"'),
            "program.alert_channel: '#alerts'",
            id="channel-name-not-id",
        ),
        pytest.param(
            GOOD.replace('["mit.edu"]', "[]"),
            "program.institution_domains: name at least one",
            id="no-domains",
        ),
        pytest.param(
            GOOD.replace('"roster.csv"', '"missing.csv"'),
            "program.roster: 'missing.csv' not found",
            id="missing-roster",
        ),
        pytest.param(GOOD + "alert_chanel = 'C1'\n", "program.alert_chanel: unknown setting", id="typo"),
        pytest.param(GOOD + '[enforcement]\nmode = "loud"\n', "enforcement.mode: 'loud'", id="bad-mode"),
        pytest.param(
            GOOD + '[[program.sessions]]\nchannel = "C0S1"\nstart = 2026-07-06T14:00:00\n'
            "end = 2026-07-06T16:00:00-04:00\n",
            "sessions[1].start",
            id="session-without-offset",
        ),
        pytest.param(
            GOOD + '[[program.sessions]]\nchannel = "C0S1"\nstart = 2026-07-06T16:00:00-04:00\n'
            "end = 2026-07-06T14:00:00-04:00\n",
            "ends (",
            id="session-ends-before-start",
        ),
        pytest.param(
            GOOD + '[[program.sessions]]\nchannel = "C0S1"\nstart = 2026-07-06T14:00:00-04:00\n',
            "program.sessions[1].end: is required (a date and time with a UTC offset",
            id="session-without-end",
        ),
        pytest.param(
            GOOD + '[[program.sessions]]\nchannel = "C0S1"\nend = 2026-07-06T14:00:00-04:00\n',
            "program.sessions[1].start: is required",
            id="session-without-start",
        ),
        pytest.param(
            GOOD + '[[program.sessions]]\nchannel = "C0S1"\nstart = 2026-07-06T14:00:00-04:00\nend = 2026-07-06\n',
            "program.sessions[1].end: datetime.date(2026, 7, 6) must be a date and time",
            id="session-ends-on-a-date",
        ),
        pytest.param(GOOD + "dlc = 5\n", "program.dlc: must be text, not 5", id="dlc-not-text"),
        pytest.param(
            GOOD + 'safety_contact = ["a@mit.edu"]\n',
            "program.safety_contact: must be text",
            id="safety-contact-not-text",
        ),
        pytest.param(
            GOOD + 'team_id = "T0TEAM0001"\nwhole_workspace = "no"\n',
            "program.whole_workspace: must be true or false, not 'no'",
            id="whole-workspace-not-a-boolean",
        ),
        pytest.param(
            GOOD + "whole_workspace = false\n",
            "program.whole_workspace: needs team_id",
            id="whole-workspace-without-a-workspace",
        ),
        pytest.param(
            GOOD + 'allowed_contacts = ["617-253-1000", "call me maybe"]\n',
            "program.allowed_contacts: 'call me maybe' is neither an email address nor a phone number",
            id="allowed-contact-neither",
        ),
        pytest.param(
            GOOD + 'allowed_contacts = ["office@mit"]\n',
            "program.allowed_contacts: 'office@mit' is not an email address",
            id="allowed-contact-bad-email",
        ),
        pytest.param(
            GOOD + 'allowed_contacts = "+16172531000"\n',
            "program.allowed_contacts: must be a list of text",
            id="allowed-contacts-not-a-list",
        ),
        pytest.param(
            GOOD + 'phone_regions = ["XX"]\n',
            "program.phone_regions: 'XX' is not a region code",
            id="unknown-phone-region",
        ),
        pytest.param("[program\nid=", "not valid TOML", id="not-toml"),
        pytest.param("title = 'x'\n", "missing the [program] table", id="no-program-table"),
    ],
)
def test_bad_program_files(tmp_path, body, expected):
    path = write_program(tmp_path, body)
    with pytest.raises(ProgramFileError) as error:
        load_program(path)
    assert any(expected in p and str(path) in p for p in error.value.problems), error.value.problems


def test_allowed_contacts_are_kept_as_e164_numbers_and_lower_case_addresses(tmp_path):
    body = GOOD + 'allowed_contacts = ["(617) 253-1000", "+44 20 7946 0958", "Youth-Programs@MIT.edu"]\n'
    program = load_program(write_program(tmp_path, body))
    assert program.allowed_contacts == ("+16172531000", "+442079460958", "youth-programs@mit.edu")
    assert program.phone_regions == ("US",)


def test_phone_regions_read_national_numbers_in_their_formats(tmp_path):
    body = GOOD + 'phone_regions = ["gb", "US"]\nallowed_contacts = ["020 7946 0958"]\n'
    program = load_program(write_program(tmp_path, body))
    assert program.phone_regions == ("GB", "US") and program.allowed_contacts == ("+442079460958",)


def test_the_example_program_allows_its_office(tmp_path):
    program = load_program(EXAMPLES / "program.toml")
    assert program.allowed_contacts == ("+16172531000", "youth-programs@mit.edu")


def test_missing_program_file(tmp_path):
    with pytest.raises(ProgramFileError, match="no such program file"):
        load_program(tmp_path / "nope.toml")


def test_sessions_make_their_channels_session_channels(tmp_path):
    body = (
        GOOD + '[[program.sessions]]\nchannel = "C0S1"\nstart = 2026-07-06T14:00:00-04:00\n'
        "end = 2026-07-06T16:00:00-04:00\n"
    )
    program = load_program(write_program(tmp_path, body))
    assert program.session_channels == ("C0S1",)


def test_a_program_sharing_its_workspace_has_only_its_listed_channels_as_spaces(tmp_path):
    body = GOOD + 'team_id = "T0TEAM0001"\nwhole_workspace = false\nchannels = ["C0MINE0001"]\n'
    program = load_program(write_program(tmp_path, body))
    mine = Conversation("C0MINE0001", ConversationKind.PUBLIC_CHANNEL, team_id="T0TEAM0001")
    other = Conversation("C0OTHER001", ConversationKind.PUBLIC_CHANNEL, team_id="T0TEAM0001")
    assert program.team_id == "T0TEAM0001" and not program.claims_workspace
    assert program.is_program_space(mine) and not program.is_program_space(other)
    whole = load_program(write_program(tmp_path, GOOD + 'team_id = "T0TEAM0001"\n'))
    assert whole.claims_workspace and whole.is_program_space(other)  # as before: the whole workspace


def test_settings_defaults_and_secrets_stay_out_of_repr():
    settings = Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-secret", "SLACK_SIGNING_SECRET": "shh"})
    assert settings.port == 3000 and settings.database_url == "sqlite:///safe_contact.db"
    assert settings.api_url == "https://slack.com/api/"
    assert "xoxb-secret" not in repr(settings) and "shh" not in repr(settings)
    assert settings.missing_for_serve() == []
    assert Settings.from_env({}).missing_for_serve() == ["SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN"]
    assert Settings.from_env({"SLACK_API_URL": "http://127.0.0.1:9/api"}).api_url == "http://127.0.0.1:9/api/"


def test_a_bad_port_is_named():
    with pytest.raises(ValueError, match="PORT"):
        Settings.from_env({"PORT": "web"})


def test_the_sweep_interval_and_the_lease_are_whole_seconds_and_a_bad_one_is_named():
    settings = Settings.from_env({"SAFE_CONTACT_SWEEP_SECONDS": "120", "SAFE_CONTACT_LEASE_SECONDS": "30"})
    assert (settings.sweep_seconds, settings.lease_seconds) == (120, 30)
    assert (Settings.from_env({}).sweep_seconds, Settings.from_env({}).lease_seconds) == (300, 60)
    for name, bad in [("SAFE_CONTACT_SWEEP_SECONDS", "0"), ("SAFE_CONTACT_LEASE_SECONDS", "1.5")]:
        with pytest.raises(ValueError, match=name):
            Settings.from_env({name: bad})

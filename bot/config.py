"""Settings from the environment, and the program file and roster: parsed and validated completely,
so that every problem is reported at once as `file:line: reason` and nothing half-valid is used."""

from __future__ import annotations

import csv
import io
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import phonenumbers

from bot.detectors.allowlist import valid_e164
from bot.model import (
    DEFAULT_PHONE_REGIONS,
    BackgroundCheck,
    EnforcementMode,
    Person,
    Program,
    Role,
    SessionWindow,
    normalize_email,
)

DEFAULT_DATABASE_URL = "sqlite:///safe_contact.db"
DEFAULT_API_URL = "https://slack.com/api/"
#: Every interface: where a deployment behind a proxy or in a container is reached.
DEFAULT_HOST = "0.0.0.0"


@dataclass(frozen=True)
class Settings:
    """The environment contract (DESIGN section 4). Secrets never appear in `repr`."""

    bot_token: str = field(default="", repr=False)
    signing_secret: str = field(default="", repr=False)
    app_token: str = field(default="", repr=False)
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    api_url: str = DEFAULT_API_URL
    database_url: str = DEFAULT_DATABASE_URL
    port: int = 3000
    #: The address `serve` listens on (`HOST`): e.g. `127.0.0.1` behind a proxy on the same machine.
    host: str = DEFAULT_HOST
    encryption_key: str = field(default="", repr=False)
    log_level: str = "INFO"
    #: The address Slack and browsers reach the app at (`https://…`): connect links are built on it.
    public_url: str = ""
    #: An Enterprise Grid org admin's token, for information barriers (`safe-contact barriers`).
    org_admin_token: str = field(default="", repr=False)
    #: How long an incident's evidence (the only message text kept) is kept, in days.
    retention_days: int = 365
    #: How long a call must last, with the same people in it, before the call rules judge it
    #: (`SAFE_CONTACT_CALL_GRACE_SECONDS`): a ring nobody answers is not contact.
    call_grace_seconds: int = 30
    #: How often each workspace is swept, across all the processes on one database
    #: (`SAFE_CONTACT_SWEEP_SECONDS`).
    sweep_seconds: int = 300
    #: How long a process's lease on periodic work lasts unless renewed (`SAFE_CONTACT_LEASE_SECONDS`):
    #: the work of a process that died is taken over after at most this long.
    lease_seconds: int = 60
    #: Whether the app is distributed to other organisations outside the Slack Marketplace
    #: (`SAFE_CONTACT_DISTRIBUTED=1`), rather than the institution's own internal app: Slack then
    #: allows `conversations.history` and `.replies` once a minute, 15 messages a page.
    distributed: bool = False
    #: Slack's clock as the Web API budget reckons it (`SAFE_CONTACT_SLACK_TIME_SCALE`): 1 is Slack's
    #: own; against a fake Slack on a faster clock, its scale (0.01: a minute in 0.6 s); 0: no waiting.
    slack_time_scale: float = 1.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Read the settings; a bad PORT raises ValueError naming it."""
        port_text = env.get("PORT", "").strip() or "3000"
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ValueError(f"PORT must be a port number between 1 and 65535, not {port_text!r}")
        api_url = env.get("SLACK_API_URL", "").strip() or DEFAULT_API_URL
        retention_text = env.get("SAFE_CONTACT_RETENTION_DAYS", "").strip() or "365"
        if not retention_text.isdigit() or int(retention_text) < 1:
            raise ValueError(f"SAFE_CONTACT_RETENTION_DAYS must be a whole number of days, not {retention_text!r}")
        grace_text = env.get("SAFE_CONTACT_CALL_GRACE_SECONDS", "").strip() or "30"
        distributed_text = env.get("SAFE_CONTACT_DISTRIBUTED", "").strip().lower() or "0"
        scale_text = env.get("SAFE_CONTACT_SLACK_TIME_SCALE", "").strip() or "1"
        try:
            slack_time_scale = float(scale_text)
        except ValueError:
            slack_time_scale = -1.0
        if not 0 <= slack_time_scale <= 1:
            raise ValueError(f"SAFE_CONTACT_SLACK_TIME_SCALE is a number from 0 to 1, not {scale_text!r}")
        if distributed_text not in ("0", "1", "true", "false", "yes", "no"):
            raise ValueError(f"SAFE_CONTACT_DISTRIBUTED is 1 (distributed) or 0 (internal), not {distributed_text!r}")
        if not grace_text.isdigit():
            raise ValueError(f"SAFE_CONTACT_CALL_GRACE_SECONDS must be a whole number of seconds, not {grace_text!r}")
        sweep_seconds = _whole_seconds(env, "SAFE_CONTACT_SWEEP_SECONDS", "300")
        lease_seconds = _whole_seconds(env, "SAFE_CONTACT_LEASE_SECONDS", "60")
        return cls(
            bot_token=env.get("SLACK_BOT_TOKEN", "").strip(),
            signing_secret=env.get("SLACK_SIGNING_SECRET", "").strip(),
            app_token=env.get("SLACK_APP_TOKEN", "").strip(),
            client_id=env.get("SLACK_CLIENT_ID", "").strip(),
            client_secret=env.get("SLACK_CLIENT_SECRET", "").strip(),
            api_url=api_url if api_url.endswith("/") else api_url + "/",
            database_url=env.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL,
            port=int(port_text),
            host=env.get("HOST", "").strip() or DEFAULT_HOST,
            encryption_key=env.get("SAFE_CONTACT_ENCRYPTION_KEY", "").strip(),
            log_level=(env.get("LOG_LEVEL", "").strip() or "INFO").upper(),
            public_url=env.get("SAFE_CONTACT_PUBLIC_URL", "").strip().rstrip("/"),
            org_admin_token=env.get("SLACK_ORG_ADMIN_TOKEN", "").strip(),
            retention_days=int(retention_text),
            call_grace_seconds=int(grace_text),
            sweep_seconds=sweep_seconds,
            lease_seconds=lease_seconds,
            distributed=distributed_text in ("1", "true", "yes"),
            slack_time_scale=slack_time_scale,
        )

    @property
    def oauth_enabled(self) -> bool:
        return bool(self.client_id and self.client_secret)

    @property
    def authorize_url(self) -> str:
        """Slack's OAuth authorize page; beside a Web API other than Slack's (a local stand-in), that
        server's `oauth/v2/authorize`."""
        if self.api_url == DEFAULT_API_URL:
            return "https://slack.com/oauth/v2/authorize"
        return self.api_url.removesuffix("api/") + "oauth/v2/authorize"

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)

    def missing_for_serve(self) -> list[str]:
        """The variables the app cannot run without, by name."""
        missing = []
        if not self.signing_secret and not self.socket_mode:
            missing.append("SLACK_SIGNING_SECRET")
        if not self.bot_token and not self.oauth_enabled:
            missing.append("SLACK_BOT_TOKEN")
        return missing


def _whole_seconds(env: Mapping[str, str], name: str, default: str) -> int:
    """A setting of one second or more; a bad one raises ValueError naming it."""
    text = env.get(name, "").strip() or default
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{name} must be a whole number of seconds (1 or more), not {text!r}")
    return int(text)


class ProgramFileError(Exception):
    """A program file or roster that cannot be used. `problems` lists every one, as `file:line: reason`."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


ROSTER_COLUMNS = ("name", "email", "slack_id", "role", "guardian_of", "background_check", "recording_consent")
REQUIRED_ROSTER_COLUMNS = ("name", "email", "role")
_PROGRAM_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
_TEAM_ID = re.compile(r"^[TE][A-Z0-9]{2,}$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_PROGRAM_KEYS = {
    "id", "name", "dlc", "alert_channel", "institution_domains", "team_id", "channels",
    "session_channels", "safety_contact", "roster", "sessions", "whole_workspace", "allowed_contacts",
    "phone_regions",
}  # fmt: skip
_SESSION_KEYS = {"channel", "start", "end", "access_info"}
_CONSENT_VALUES = {"yes": True, "no": False, "": False}
_TIME_EXAMPLE = "a date and time with a UTC offset, like 2026-07-06T14:00:00-04:00"

#: Records one problem with a program setting: its key and the reason.
Problem = Callable[[str, str], None]


def load_program(path: Path | str) -> Program:
    """Read a program file and the roster it names. Raises ProgramFileError listing every problem."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProgramFileError([f"{path}: no such program file"]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ProgramFileError([f"{path}: cannot be read ({error})"]) from None
    except tomllib.TOMLDecodeError as error:
        raise ProgramFileError([f"{path}: not valid TOML: {error}"]) from None
    return parse_program(data, source=str(path), base_dir=path.parent)


def parse_program(data: Mapping[str, object], *, source: str, base_dir: Path) -> Program:
    """Validate a parsed program file and load its roster (relative to `base_dir`)."""
    problems: list[str] = []
    section = data.get("program")
    if not isinstance(section, dict):
        raise ProgramFileError([f"{source}: missing the [program] table"])

    def problem(key: str, reason: str) -> None:
        problems.append(f"{source}: program.{key}: {reason}")

    for key in sorted(set(section) - _PROGRAM_KEYS):
        problem(key, "unknown setting (check its spelling)")
    program_id = _text(section, "id", problem, required=True)
    if program_id and not _PROGRAM_ID.match(program_id):
        problem("id", f"{program_id!r} must be lowercase letters, digits and dashes")
    name = _text(section, "name", problem, required=True)
    alert_channel = _text(section, "alert_channel", problem, required=True)
    if alert_channel and not _CHANNEL_ID.match(alert_channel):
        problem("alert_channel", f"{alert_channel!r} is not a Slack channel id (like C0ALERTS01)")
    domains = _text_list(section, "institution_domains", problem)
    if not domains:
        problem("institution_domains", "name at least one institution domain (like mit.edu)")
    domains = [d.lower() for d in domains]
    for domain in domains:
        if not _DOMAIN.match(domain):
            problem("institution_domains", f"{domain!r} is not a domain name")
    dlc = _text(section, "dlc", problem)
    safety_contact = _text(section, "safety_contact", problem)
    team_id = _text(section, "team_id", problem) or None
    if team_id and not _TEAM_ID.match(team_id):
        problem("team_id", f"{team_id!r} is not a Slack workspace id (like T0TEAM0001)")
    whole_workspace = _whole_workspace(section, team_id, problem)
    channels = _channel_list(section, "channels", problem)
    session_channels = _channel_list(section, "session_channels", problem)
    sessions = _sessions(section.get("sessions", []), problem)
    phone_regions = _phone_regions(section, problem)
    allowed_contacts = _allowed_contacts(section, phone_regions, problem)
    mode = _mode(data.get("enforcement", {}), source, problems)

    roster_name = _text(section, "roster", problem, required=True)
    roster: list[Person] = []
    if roster_name:
        roster_path = base_dir / roster_name
        try:
            roster_text = roster_path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            problem("roster", f"{roster_name!r} not found (looked for {roster_path})")
        except (OSError, UnicodeDecodeError) as error:
            problem("roster", f"{roster_name!r} cannot be read ({error})")
        else:
            roster, roster_problems = parse_roster(roster_text, source=str(roster_path))
            problems.extend(roster_problems)
    if problems:
        raise ProgramFileError(problems)
    session_channel_ids = tuple(dict.fromkeys([*session_channels, *(s.channel for s in sessions)]))
    return Program(
        id=program_id,
        name=name,
        alert_channel=alert_channel,
        institution_domains=tuple(domains),
        dlc=dlc,
        team_id=team_id,
        channels=tuple(channels),
        session_channels=session_channel_ids,
        safety_contact=safety_contact,
        whole_workspace=whole_workspace,
        allowed_contacts=tuple(allowed_contacts),
        phone_regions=tuple(phone_regions),
        mode=mode,
        roster=tuple(roster),
        sessions=tuple(sessions),
    )


def parse_roster(text: str, *, source: str) -> tuple[list[Person], list[str]]:
    """Parse a roster CSV. Returns the people and every problem as `source:line: reason`.

    Columns may come in any order and unknown columns are ignored. Emails compare
    case-insensitively. A guardian must name minors that are on the same roster."""
    problems: list[str] = []
    reader = csv.DictReader(io.StringIO(text))
    header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_ROSTER_COLUMNS if c not in header]
    if missing:
        return [], [f"{source}:1: missing column(s) {', '.join(missing)} (columns: {', '.join(ROSTER_COLUMNS)})"]
    reader.fieldnames = header
    rows: list[tuple[int, Person]] = []
    first_line: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        values = {k: (v or "").strip() for k, v in row.items() if k is not None and isinstance(v, str)}
        if not any(values.values()):
            continue
        person, row_problems = roster_person(values)
        problems.extend(f"{source}:{line}: {p}" for p in row_problems)
        if person is None:
            continue
        if person.email in first_line:
            problems.append(f"{source}:{line}: email {person.email!r} is already on line {first_line[person.email]}")
            continue
        first_line[person.email] = line
        rows.append((line, person))
    minors = {p.email for _, p in rows if p.is_minor}
    for line, person in rows:
        problems.extend(f"{source}:{line}: {p}" for p in guardian_problems(person, minors))
    return [p for _, p in rows], problems


def guardian_problems(person: Person, minors: set[str]) -> list[str]:
    """A guardian must name minors (`minors`: the roster minors' emails) that are on the same roster."""
    return [
        f"guardian_of {email!r} is not a minor on this roster" for email in person.guardian_of if email not in minors
    ]


def roster_person(values: Mapping[str, str]) -> tuple[Person | None, list[str]]:
    """One roster row's person (values keyed by column), or None and every problem with it."""
    problems: list[str] = []
    role_text = values.get("role", "").lower()
    try:
        role = Role(role_text)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        return None, [f"role {values.get('role', '')!r} is not one of {allowed}"]
    name = values.get("name", "")
    if not name:
        problems.append("name is empty")
    email = normalize_email(values.get("email"))
    if not _EMAIL.match(email):
        problems.append(f"email {values.get('email', '')!r} is not an email address")
    slack_id = values.get("slack_id", "") or None
    if slack_id and not _USER_ID.match(slack_id):
        problems.append(f"slack_id {slack_id!r} is not a Slack user id (like U0123ABCD)")
    guardian_of = tuple(normalize_email(e) for e in values.get("guardian_of", "").split(";") if e.strip())
    if role is Role.GUARDIAN and not guardian_of:
        problems.append("a guardian must name their minor(s) in guardian_of")
    if role is not Role.GUARDIAN and guardian_of:
        problems.append(f"guardian_of {values['guardian_of']!r} is only for guardians, not {role.value}")
    for other in guardian_of:
        if not _EMAIL.match(other):
            problems.append(f"guardian_of {other!r} is not an email address")
    check_text = values.get("background_check", "").lower()
    background_check = None
    if check_text:
        try:
            background_check = BackgroundCheck(check_text)
        except ValueError:
            problems.append(f"background_check {values['background_check']!r} is not cleared or pending")
        if role is Role.MINOR:
            problems.append("background_check applies to adults, not minors")
    elif role in (Role.STAFF, Role.PROGRAM_ADMIN, Role.DLC_ADMIN):
        background_check = BackgroundCheck.PENDING  # an unstated check is not a cleared one
    consent_text = values.get("recording_consent", "").lower()
    if consent_text not in _CONSENT_VALUES:
        problems.append(f"recording_consent {values['recording_consent']!r} is not yes or no")
    elif consent_text == "yes" and role is not Role.MINOR:
        problems.append("recording_consent applies to minors only")
    if problems:
        return None, problems
    return (
        Person(
            name=name,
            email=email,
            role=role,
            slack_id=slack_id,
            guardian_of=guardian_of,
            background_check=background_check,
            recording_consent=_CONSENT_VALUES.get(consent_text, False),
        ),
        [],
    )


def _text(section: Mapping[str, object], key: str, problem: Problem, *, required: bool = False) -> str:
    value = section.get(key, "")
    if not isinstance(value, str):
        problem(key, f"must be text, not {value!r}")
        return ""
    value = value.strip()
    if required and not value:
        problem(key, "is required")
    return value


def _whole_workspace(section: Mapping[str, object], team_id: str | None, problem: Problem) -> bool:
    """`whole_workspace` (default true): with `team_id`, whether every channel of the workspace is a
    program space. Without `team_id` there is no workspace to claim."""
    value = section.get("whole_workspace", True)
    if not isinstance(value, bool):
        problem("whole_workspace", f"must be true or false, not {value!r}")
        return True
    if "whole_workspace" in section and not team_id:
        problem("whole_workspace", "needs team_id: it says whether the program claims every channel of that workspace")
    return value


def _phone_regions(section: Mapping[str, object], problem: Problem) -> list[str]:
    """`phone_regions` (default US): the regions whose national phone formats people write."""
    if "phone_regions" not in section:
        return list(DEFAULT_PHONE_REGIONS)
    regions = [r.upper() for r in _text_list(section, "phone_regions", problem)]
    known = phonenumbers.SUPPORTED_REGIONS
    for region in regions:
        if region not in known:
            problem("phone_regions", f"{region!r} is not a region code libphonenumber knows (like US, GB, DE)")
    if not regions:
        problem("phone_regions", "name at least one region (like US), or leave the setting out")
    return [r for r in regions if r in known] or list(DEFAULT_PHONE_REGIONS)


def _allowed_contacts(section: Mapping[str, object], regions: list[str], problem: Problem) -> list[str]:
    """`allowed_contacts`: phone numbers (read in the program's regions, kept as E.164) and email
    addresses (kept in lower case) staff may share; anything else is a problem naming the value."""
    allowed: list[str] = []
    for value in _text_list(section, "allowed_contacts", problem):
        if "@" in value:
            if _EMAIL.match(value):
                allowed.append(normalize_email(value))
            else:
                problem("allowed_contacts", f"{value!r} is not an email address")
            continue
        number = valid_e164(value, regions)
        if number is None:
            problem("allowed_contacts", f"{value!r} is neither an email address nor a phone number")
        else:
            allowed.append(number)
    return list(dict.fromkeys(allowed))


def _text_list(section: Mapping[str, object], key: str, problem: Problem) -> list[str]:
    value = section.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problem(key, f"must be a list of text, not {value!r}")
        return []
    return [v.strip() for v in value if v.strip()]


def _channel_list(section: Mapping[str, object], key: str, problem: Problem) -> list[str]:
    channels = _text_list(section, key, problem)
    for channel in channels:
        if not _CHANNEL_ID.match(channel):
            problem(key, f"{channel!r} is not a Slack channel id (like C0GENERAL1)")
    return channels


def _sessions(value: object, problem: Problem) -> list[SessionWindow]:
    if not isinstance(value, list):
        problem("sessions", "must be [[program.sessions]] tables")
        return []
    sessions = []
    for index, entry in enumerate(value, start=1):
        key = f"sessions[{index}]"
        if not isinstance(entry, dict):
            problem(key, "must be a table with channel, start and end")
            continue
        for unknown in sorted(set(entry) - _SESSION_KEYS):
            problem(f"{key}.{unknown}", "unknown setting (check its spelling)")
        channel = entry.get("channel", "")
        if not isinstance(channel, str) or not _CHANNEL_ID.match(channel):
            problem(f"{key}.channel", f"{channel!r} is not a Slack channel id")
        start, end = _session_time(entry, key, "start", problem), _session_time(entry, key, "end", problem)
        if start is not None and end is not None and end <= start:
            problem(key, f"ends ({end.isoformat()}) before it starts ({start.isoformat()})")
        access_info = entry.get("access_info", "")
        if not isinstance(access_info, str):
            problem(f"{key}.access_info", "must be text")
            access_info = ""
        if start is not None and end is not None and isinstance(channel, str):
            sessions.append(SessionWindow(channel=channel, start=start, end=end, access_info=access_info.strip()))
    return sessions


def _session_time(entry: Mapping[str, object], key: str, name: str, problem: Problem) -> datetime | None:
    """A session's `start` or `end`: a date and time that says its UTC offset (TOML's offset
    date-time), else None with the problem recorded."""
    when = entry.get(name)
    if isinstance(when, datetime) and when.utcoffset() is not None:
        return when
    problem(f"{key}.{name}", f"is required ({_TIME_EXAMPLE})" if when is None else f"{when!r} must be {_TIME_EXAMPLE}")
    return None


def _mode(section: object, source: str, problems: list[str]) -> EnforcementMode:
    if not isinstance(section, dict):
        problems.append(f"{source}: enforcement must be a table")
        return EnforcementMode.ENFORCE
    text = section.get("mode", "enforce")
    try:
        return EnforcementMode(text)
    except ValueError:
        problems.append(f"{source}: enforcement.mode: {text!r} is not enforce or observe")
        return EnforcementMode.ENFORCE

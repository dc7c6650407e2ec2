"""Parsing the slash commands' text. Slack escapes mentions (the manifest sets `should_escape`):
a channel arrives as `<#C123|name>` and a person as `<@U123|name>`; bare ids are accepted too. Each
parser returns what the command needs or raises `UsageError` with the usage line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from bot.access import USAGE, Command

_CHANNEL = re.compile(r"^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>$|^([CG][A-Z0-9]{2,})$")
_USER = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$|^([UW][A-Z0-9]{2,})$")
_CLOCK = re.compile(r"^\d{1,2}:\d{2}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIMED = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{1,2}:\d{2}")
#: The longest live session a command may schedule: a typo in a date should not make a week-long one.
LONGEST_SESSION = timedelta(hours=12)


class UsageError(ValueError):
    """A command's text that cannot be used; the message says why and shows the usage line."""

    def __init__(self, command: Command, reason: str):
        super().__init__(f"{reason}\nUsage: `{USAGE[command]}`")
        self.command = command
        self.reason = reason


def channel_id(token: str) -> str | None:
    """The channel id in `<#C123|name>` or `C123`, or None when the token is not a channel."""
    match = _CHANNEL.match(token)
    return (match.group(1) or match.group(2)) if match else None


def user_id(token: str) -> str | None:
    match = _USER.match(token)
    return (match.group(1) or match.group(2)) if match else None


def _split(text: str) -> list[str]:
    return (text or "").split()


def parse_channel_and_rest(text: str, command: Command) -> tuple[str | None, str]:
    """An optional leading #channel and the free text after it (a lockdown's reason)."""
    words = _split(text)
    if words and words[0].startswith("<#") and channel_id(words[0]) is None:
        raise UsageError(command, f"{words[0]} is not a channel.")
    if words and (found := channel_id(words[0])):
        return found, " ".join(words[1:])
    return None, " ".join(words)


def parse_channel_only(text: str, command: Command) -> str | None:
    """An optional #channel and nothing else (`/minors-status`, `/minors-unlock`)."""
    channel, rest = parse_channel_and_rest(text, command)
    if rest:
        raise UsageError(command, f"I did not understand {rest!r}.")
    return channel


@dataclass(frozen=True, slots=True)
class ConsentRequest:
    user_id: str
    granted: bool
    note: str


def parse_consent(text: str) -> ConsentRequest:
    words = _split(text)
    if len(words) < 2:
        raise UsageError(Command.CONSENT, "Name the minor and say granted or revoked.")
    minor = user_id(words[0])
    if minor is None:
        raise UsageError(Command.CONSENT, f"{words[0]} is not a person: mention them, like @Alex.")
    decision = words[1].lower()
    if decision not in ("granted", "revoked"):
        raise UsageError(Command.CONSENT, f"{words[1]!r} is neither granted nor revoked.")
    return ConsentRequest(minor, decision == "granted", " ".join(words[2:]))


@dataclass(frozen=True, slots=True)
class SessionRequest:
    channel: str
    start: datetime
    end: datetime
    access_info: str


def parse_session(text: str, *, zone: tzinfo, now: datetime) -> SessionRequest:
    """`#channel START END [access info]`. START is `YYYY-MM-DDTHH:MM` (or `YYYY-MM-DD HH:MM`), with
    an offset (`-04:00`, `Z`) or else in `zone` (the asker's time zone); END is the same, or `HH:MM`
    on START's day."""
    words = _joined_dates(_split(text))
    if len(words) < 3:
        raise UsageError(Command.SESSION, "Give the channel, the start and the end.")
    channel = channel_id(words[0])
    if channel is None:
        raise UsageError(Command.SESSION, f"{words[0]} is not a channel.")
    start = _moment(words[1], zone, Command.SESSION)
    if _CLOCK.match(words[2]):
        end = datetime.combine(start.date(), _clock(words[2], Command.SESSION), start.tzinfo)
    else:
        end = _moment(words[2], zone, Command.SESSION)
    if end <= start:
        raise UsageError(Command.SESSION, "The session must end after it starts.")
    if end - start > LONGEST_SESSION:
        raise UsageError(Command.SESSION, "A live session can last at most 12 hours; check the dates.")
    if end <= now:
        raise UsageError(Command.SESSION, "That session has already ended.")
    return SessionRequest(channel, start.astimezone(UTC), end.astimezone(UTC), " ".join(words[3:]))


def time_zone_needed(text: str) -> bool:
    """Whether `/minors-session`'s START or END is a date and time without an offset, and so in the
    asker's time zone (an END given as `HH:MM` takes START's)."""
    for word in _joined_dates(_split(text))[1:3]:
        if not _TIMED.match(word):
            continue
        try:
            if datetime.fromisoformat(word.replace("z", "Z")).tzinfo is None:
                return True
        except ValueError:
            continue  # not a moment: parsing says so, whatever the zone
    return False


def _joined_dates(words: list[str]) -> list[str]:
    """`2026-07-06 14:00` written with a space is one moment: join a bare date with the time after it."""
    joined: list[str] = []
    for word in words:
        clock = word.split("+")[0].split("-")[0].rstrip("Zz")
        # Only START and END (the second and third words): the access information is left as written.
        if 2 <= len(joined) <= 3 and _DATE.match(joined[-1]) and _CLOCK.match(clock):
            joined[-1] = f"{joined[-1]}T{word}"
        else:
            joined.append(word)
    return joined


def _moment(word: str, zone: tzinfo, command: Command) -> datetime:
    if not _TIMED.match(word):
        raise UsageError(command, f"{word!r} is not a date and time like 2026-07-06T14:00.")
    try:
        moment = datetime.fromisoformat(word.replace("z", "Z"))
    except ValueError:
        raise UsageError(command, f"{word!r} is not a date and time like 2026-07-06T14:00.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment


def _clock(word: str, command: Command) -> time:
    hours, minutes = (int(part) for part in word.split(":"))
    if hours > 23 or minutes > 59:
        raise UsageError(command, f"{word!r} is not a time of day.")
    return time(hours, minutes)


def parse_since(text: str, *, today: date) -> date | None:
    """`/minors-report [since]`: a date (`YYYY-MM-DD`), `Nd` for the last N days, or nothing (all)."""
    words = _split(text)
    if not words:
        return None
    if len(words) > 1:
        raise UsageError(Command.REPORT, f"I did not understand {' '.join(words[1:])!r}.")
    word = words[0].lower()
    if re.fullmatch(r"\d{1,4}d", word):
        return today - timedelta(days=int(word[:-1]))
    try:
        return date.fromisoformat(word)
    except ValueError:
        raise UsageError(Command.REPORT, f"{words[0]!r} is not a date like 2026-07-01 or a span like 7d.") from None

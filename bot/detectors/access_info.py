"""The access-information detector: what identifies a session's meeting (its join links, meeting ID
and passcodes, read from the session window's access information) and whether a text gives it away.

A session's access information is written once, by an administrator, and read against every
message: `meeting_access` reads it (remembered per string), and `revealed` answers for a message
with a few substring checks, normalising the text only when one of them passed."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from bot.detectors.text import _flatten_slack, _mask, _on, _split_url, _urls, _words
from bot.model import Program, SessionWindow

#: Meeting services whose links join a meeting. A link elsewhere (an agenda, the policy page) in the
#: same access information is not a secret, unless it carries a passcode.
MEETING_HOSTS = tuple(
    _words(
        "zoom.us zoomgov.com zoom.com meet.google.com teams.microsoft.com teams.live.com webex.com "
        "gotomeeting.com meet.goto.com global.gotomeeting.com whereby.com meet.jit.si bluejeans.com chime.aws"
    )
)
#: Path ends that open any meeting of a site: the meeting is named by the query, not the path.
_LAUNCHERS = _words("join j.php m.php start launch")
#: Query parameters that carry a passcode, and those that name the meeting.
_PASSCODE_PARAMETERS = _words("pwd passcode password p")
_MEETING_PARAMETERS = _words("confno mtid meetingid")
#: Slack itself: a channel or huddle link is only for members of the workspace, no secret.
_SLACK_HOSTS = ("slack.com",)

#: A meeting number as people write it: 9 to 15 digits (Zoom 9-11, Webex 9-11, Teams 12-15), in
#: groups separated by a space, dot or dash.
_MEETING_NUMBER = r"\d(?:[ \u00a0.\-]?\d){8,14}"
_LABELLED_ID = re.compile(
    r"\b(?:meeting|webinar|conference|event)\s*(?:id|number|no\.?|#)\s*(?:is\s*)?[:#=]?\s*(" + _MEETING_NUMBER + r")"
    r"|\baccess\s+code\s*(?:is\s*)?[:#=]?\s*(" + _MEETING_NUMBER + r")",
    re.IGNORECASE,
)
_LABELLED_PASSCODE = re.compile(
    r"\b(?:passcode|pass\s+code|password|pwd|pin)\s*(?:is\s*:?|[:=])\s*([^\s,;<>|]+)", re.IGNORECASE
)
_PASSCODE_TRAILING = ".,;:!?)]}'\"#*"
_MEET_CODE = re.compile(r"[a-z]{3}-[a-z]{4}-[a-z]{3}")
_ZOOM_HOSTS = ("zoom.us", "zoomgov.com", "zoom.com")
#: A separator between two digits: removed before meeting numbers are compared.
_DIGIT_SEPARATOR = re.compile(r"(?<=\d)[ \u00a0.\-](?=\d)")
#: The fewest characters a passcode needs to give a meeting away on its own.
PASSCODE_ALONE = 6


@dataclass(frozen=True, slots=True)
class MeetingAccess:
    """What identifies one meeting in a text. `links` are join links as host and path (the host in
    lower case, no scheme, no query), or a meeting's identifying query value (a Webex MTID);
    `meeting_ids` its numbers (digits only) or Meet codes; `passcodes` those that give it away on
    their own; `short_passcodes` the rest, which count only next to the meeting's number."""

    links: tuple[str, ...] = ()
    meeting_ids: tuple[str, ...] = ()
    passcodes: tuple[str, ...] = ()
    short_passcodes: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.links or self.meeting_ids or self.passcodes)

    @property
    def markers(self) -> tuple[str, ...]:
        """Substrings one of which any text that gives the meeting away contains: the quick check.
        A meeting number is marked by its first three digits, which stay together however people
        space it ("812 3456 7890", "812-3456-7890")."""
        numbers = (i[:3] if i.isdigit() else i for i in self.meeting_ids)
        return tuple(dict.fromkeys([*self.links, *numbers, *self.passcodes]))


@lru_cache(maxsize=1024)
def meeting_access(access_info: str) -> MeetingAccess:
    """What in a session's access information identifies its meeting.

    Example: "Zoom <https://mit.zoom.us/j/81234567890?pwd=Ab12Cd|Join> Passcode: 482913" ->
    links ("mit.zoom.us/j/81234567890",), meeting ids ("81234567890",), passcodes ("Ab12Cd", "482913").
    A Slack channel ("#session-1", "<#C0123|session-1>") is no secret: nothing."""
    plain = _flatten_slack(access_info)
    links: list[str] = []
    ids: list[str] = []
    passcodes: list[str] = []
    spans = _urls(plain)
    for _, _, url in spans:
        _read_link(url, links, ids, passcodes)
    prose = _mask(plain, spans)
    for m in _LABELLED_ID.finditer(prose):
        ids.append(_DIGIT_SEPARATOR.sub("", m.group(1) or m.group(2)))
    passcodes.extend(m.group(1).rstrip(_PASSCODE_TRAILING) for m in _LABELLED_PASSCODE.finditer(prose))
    passcodes = [p for p in dict.fromkeys(passcodes) if p]
    return MeetingAccess(
        links=tuple(dict.fromkeys(links)),
        meeting_ids=tuple(dict.fromkeys(ids)),
        passcodes=tuple(p for p in passcodes if _alone(p)),
        short_passcodes=tuple(p for p in passcodes if not _alone(p)),
    )


def _alone(passcode: str) -> bool:
    """A passcode gives a meeting away on its own when it is long enough and not a plain word (which
    any sentence may hold)."""
    return len(passcode) >= PASSCODE_ALONE and not passcode.isalpha()


def _read_link(url: str, links: list[str], ids: list[str], passcodes: list[str]) -> None:
    host, segments, query = _split_url(url)
    parameters = dict(_parameter(p) for p in query.split("&") if "=" in p)
    carries_passcode = any(k in _PASSCODE_PARAMETERS and k != "p" for k in parameters)
    if _on(host, *_SLACK_HOSTS) or not (_on(host, *MEETING_HOSTS) or carries_passcode):
        return
    if segments and segments[-1].lower() not in _LAUNCHERS:
        links.append(host + "/" + "/".join(segments))
    for key, value in parameters.items():
        if key in _PASSCODE_PARAMETERS and value:
            passcodes.append(value)
        elif key in _MEETING_PARAMETERS and value:
            (ids if value.isdigit() else links).append(value)
    if _on(host, *_ZOOM_HOSTS) or _on(host, "teams.microsoft.com", "teams.live.com"):
        ids.extend(s for s in segments if s.isdigit() and 9 <= len(s) <= 15)
    if _on(host, "meet.google.com") and segments and _MEET_CODE.fullmatch(segments[0].lower()):
        ids.append(segments[0].lower())


def _parameter(pair: str) -> tuple[str, str]:
    key, _, value = pair.partition("=")
    return key.lower(), value.split("#", 1)[0]


def revealed(access: MeetingAccess, text: str) -> tuple[str, ...]:
    """What of the meeting `text` gives away: "join link", "meeting ID", "passcode" (empty: nothing).

    Only when one of the meeting's markers is in the text is more than a substring check made: the
    meeting number is then compared with the text's digits, separators removed."""
    if not text or not may_reveal(access.markers, text):
        return ()
    kinds: list[str] = []
    if any(_bounded(link, text, extra="-_") for link in access.links):
        kinds.append("join link")
    if _names_meeting(access, text):
        kinds.append("meeting ID")
        if any(_bounded(p, text) for p in access.short_passcodes):
            kinds.append("passcode")
    if "passcode" not in kinds and any(_bounded(p, text) for p in access.passcodes):
        kinds.append("passcode")
    return tuple(kinds)


def _names_meeting(access: MeetingAccess, text: str) -> bool:
    squeezed: str | None = None
    for meeting_id in access.meeting_ids:
        if not meeting_id.isdigit():
            if _bounded(meeting_id, text, extra="-"):
                return True
            continue
        if not _may_name(meeting_id, text):
            continue
        if squeezed is None:
            squeezed = _DIGIT_SEPARATOR.sub("", text)
        if _bounded(meeting_id, squeezed):
            return True
    return False


def _may_name(meeting_id: str, text: str) -> bool:
    """The quick check before a text's digits are compared with a meeting number: the number's first
    three digits (its marker) are in it."""
    return meeting_id[:3] in text


def _bounded(token: str, text: str, *, extra: str = "") -> bool:
    """`token` occurs in `text` not as part of a longer word or number ("zoom.us/j/123" is not in
    "zoom.us/j/1234"), nor, for a link, of a longer host label."""
    start = text.find(token)
    while start >= 0:
        end = start + len(token)
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if not _word_char(before, extra) and not _word_char(after, extra):
            return True
        start = text.find(token, start + 1)
    return False


def _word_char(c: str, extra: str) -> bool:
    return c.isalnum() or c in extra


# -- the sessions whose access information is still a secret ------------------------------------


def open_sessions(program: Program, now: datetime) -> tuple[tuple[SessionWindow, MeetingAccess], ...]:
    """The program's live and upcoming sessions (not ended at `now`) whose access information
    identifies a meeting, each with what identifies it. An ended session's link opens nothing."""
    return tuple((s, access) for s in program.sessions if s.end > now and (access := meeting_access(s.access_info)))


def sessions_revealed(program: Program, text: str, now: datetime) -> list[tuple[SessionWindow, tuple[str, ...]]]:
    """Each live or upcoming session of the program whose access information `text` gives away, with
    what of it (`revealed`)."""
    found = []
    for session, access in open_sessions(program, now):
        if kinds := revealed(access, text):
            found.append((session, kinds))
    return found


def access_markers(programs: Iterable[Program], now: datetime) -> dict[str, tuple[str, ...]]:
    """By program id, the markers of its live and upcoming sessions (programs without any left out):
    what a message anywhere in the workspace is checked for, with one substring check each, before
    it is judged as a possible leak."""
    markers = {}
    for program in programs:
        found = dict.fromkeys(m for _, access in open_sessions(program, now) for m in access.markers)
        if found:
            markers[program.id] = tuple(found)
    return markers


def may_reveal(markers: Iterable[str], text: str) -> bool:
    """The quick check: whether `text` holds any of the markers."""
    return any(m in text for m in markers)

"""Inert output: text that people or outsiders control (display and roster names, *Report a concern*
notes, message excerpts kept as evidence, channel and file names, a lockdown's reason, a consent's
note) made harmless for the place it is written. One helper per kind of output:

- `slack_text`: Slack mrkdwn (a message's `text`, `mrkdwn` text objects). Slack reads `&`, `<` and
  `>` as control characters (`<!channel>`, `<@U1>`, `<https://x|label>`); escaped as Slack's
  formatting reference asks (only those three), they are shown as typed and do nothing. `slack_line`
  is the same for a name, file name or reason inside a line: it cannot start a line of its own.
  `plain_text` objects need none of this (Slack shows them literally) and get raw text.
- `slack_quote`: a multi-line note or excerpt as a Slack quote, every line starting with `> `, so
  that no line of it escapes the quote.
- `csv_cell`: a spreadsheet cell that cannot be a formula (OWASP's CSV injection advice: a cell
  starting with `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'`).
- `plain_line`: text for a terminal or a text file, one line: line breaks become spaces and other
  control characters (ANSI escapes, C0 and C1, bidirectional overrides) a visible U+FFFD, so that a
  name cannot add a line, recolour the terminal or reorder what is shown.

Everything else is kept: accents, emoji (with their joiners), right-to-left scripts, apostrophes,
and Slack's formatting marks (`*`, `_`, `~`, backticks), which cannot notify anyone or hide a
link, and have no escape in mrkdwn that would not garble a name for the people who read it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

#: Slack's three control characters and their entities, `&` first so nothing is escaped twice.
_SLACK_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))
#: Characters that end a line on some screen: CR, LF, VT, FF, the file/group/record separators
#: (Python's `splitlines` breaks on them), NEL, and Unicode's line and paragraph separators.
_LINE_BREAKS = "\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029"
#: The bidirectional embeddings, overrides and isolates (the "Trojan Source" characters): they
#: reorder what follows them on screen. The left-to-right and right-to-left marks are kept: they
#: only settle the direction of neutral characters, as right-to-left names need.
_BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_CONTROL = re.compile(
    "[" + re.escape(_LINE_BREAKS) + "\t]|[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f" + _BIDI_CONTROLS + "]"
)
_REPLACEMENT = "\ufffd"
#: What a spreadsheet reads as the start of a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def slack_text(text: str) -> str:
    """`text` as Slack mrkdwn that shows it as written: `&`, `<` and `>` as entities.
    Example: "<!channel> Tom & Jerry" -> "&lt;!channel&gt; Tom &amp; Jerry"."""
    for raw, entity in _SLACK_ESCAPES:
        text = text.replace(raw, entity)
    return text


def slack_unescape(text: str) -> str:
    """Slack's entities back to the characters: text Slack sent (a command's text) as typed, or
    mrkdwn the app wrote as plain text for a file. `slack_unescape(slack_text(x)) == x`."""
    for raw, entity in reversed(_SLACK_ESCAPES):
        text = text.replace(entity, raw)
    return text


def slack_line(text: str) -> str:
    """A name, file name or reason inside a line of Slack mrkdwn: escaped, and on one line."""
    return slack_text(plain_line(text))


def slack_quote(text: str) -> str:
    """`text` as a Slack quote: every line escaped and starting with `> ` (an empty note is
    nothing). Example: "hi\\n<!here>" -> "> hi\\n> &lt;!here&gt;"."""
    if not text:
        return ""
    return "\n".join(f"> {slack_line(line)}" for line in _lines(text))


def _lines(text: str) -> list[str]:
    """`text` cut at every line break any screen shows (CRLF counts once)."""
    return re.split("\r\n|[" + re.escape(_LINE_BREAKS) + "]", text)


def plain_line(text: str) -> str:
    """`text` on one line, with nothing that can move, recolour or reorder what a terminal or an
    editor shows: line breaks and tabs become spaces, other control characters U+FFFD.
    Example: "Eve\\nCRITICAL" -> "Eve CRITICAL"; "\\x1b[2J" -> "\\ufffd[2J"."""
    return _CONTROL.sub(_control_replacement, text)


def _control_replacement(match: re.Match[str]) -> str:
    return " " if match.group(0) in _LINE_BREAKS or match.group(0) == "\t" else _REPLACEMENT


def csv_cell(value: str) -> str:
    """A CSV cell a spreadsheet shows as text: one starting like a formula gets a leading `'`.
    Example: "=HYPERLINK(...)" -> "'=HYPERLINK(...)"; "O'Brien" is unchanged."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_row(row: Mapping[str, object]) -> dict[str, object]:
    """Every text cell of a row made a `csv_cell`; numbers are left as they are."""
    return {key: csv_cell(value) if isinstance(value, str) else value for key, value in row.items()}

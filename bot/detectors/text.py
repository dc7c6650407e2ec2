"""Slack message text as the detectors read it, and the links in it: shared by every detector.

Slack markup is flattened to plain text (`_plain`), URLs are found (`_urls`) and blanked out of the
prose (`_mask`) so what is inside a link is read once, as a link, and a URL is split into host, path
and query (`_split_url`) without urllib, which `bot` may not import."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

_SLACK_ENTITY = re.compile(r"<([^<>|\s]+)(?:\|([^<>]*))?>")
_HTML_ESCAPES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))
_LINK_PREFIX = re.compile(r"^(?:(?:https?|ftp)://|mailto:|tel:)?(?:www\.)?", re.IGNORECASE)

#: A URL with a scheme, or a bare host with a path ("wa.me/123", "mit.zoom.us/rec/share/x").
_URL = re.compile(
    r"(?<![A-Za-z0-9@.+/-])"
    r"(?:(?:https?|ftp)://[^\s<>|\"'`]+"
    r"|(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?::\d{1,5})?/[^\s<>|\"'`]*)"
)
_URL_TRAILING = ".,;:!?]}*'\""
_SPACES = re.compile(r"\s+")


def _words(text: str) -> frozenset[str]:
    """A word list written as one string: easier to read and extend than a literal of quoted words."""
    return frozenset(text.split())


def _unescape(text: str) -> str:
    for escaped, plain in _HTML_ESCAPES:
        text = text.replace(escaped, plain)
    return text


def _same_link(target: str, label: str) -> bool:
    """True when a Slack link's label only repeats its target (`<https://wa.me/1|wa.me/1>`)."""
    t = _LINK_PREFIX.sub("", target).rstrip("/").lower()
    lab = _LINK_PREFIX.sub("", label.strip()).rstrip("/").lower()
    return not lab or lab == t or (len(lab) > 3 and lab in t)


def _flatten_slack(text: str) -> str:
    """Slack's message markup as plain text, so every detector reads the same thing.

    Slack sends links as `<https://…|label>`, emails as `<mailto:a@b.com|a@b.com>`, people as
    `<@U024BE7LH>`, channels as `<#C123|general>` and `&`, `<`, `>` escaped. Mentions become
    blanks (they are never contact details); a link keeps its target, and its label only when the
    label says something else, so `<mailto:a@b.com|a@b.com>` is one address, not two.
    Example: "mail <mailto:kid@gmail.com|kid@gmail.com> <@U1>" -> "mail  mailto:kid@gmail.com    ".
    """
    out: list[str] = []
    last = 0
    for m in _SLACK_ENTITY.finditer(text):
        out.append(_unescape(text[last : m.start()]))
        last = m.end()
        target, label = _unescape(m.group(1)), _unescape(m.group(2) or "")
        if target[:1] in "@#!":
            out.append(" ")
            continue
        if target.lower().startswith("tel:"):
            # "tel" stays as a word: it is the cue that makes a bare digit run a phone number.
            out.append(f" tel {label or target[4:]} ")
            continue
        out.append(f" {target} {'' if _same_link(target, label) else label} ")
    out.append(_unescape(text[last:]))
    return "".join(out)


def _plain(text: object) -> str:
    """A message's text as the detectors read it: Slack markup flattened, curly apostrophes straight,
    and anything that is not a string (None, a stray object) read as empty."""
    return _flattened(text) if isinstance(text, str) else ""


@lru_cache(maxsize=1)
def _flattened(text: str) -> str:
    # Kept for the last text only: the three detectors read each message in turn.
    return _flatten_slack(text).replace("’", "'")


def _urls(text: str) -> list[tuple[int, int, str]]:
    """Every URL in `text` as (start, end, url), without the sentence punctuation after it."""
    found = []
    for m in _URL.finditer(text):
        url = m.group(0).rstrip(_URL_TRAILING)
        while url.endswith(")") and url.count(")") > url.count("("):
            url = url[:-1].rstrip(_URL_TRAILING)
        if url:
            found.append((m.start(), m.start() + len(url), url))
    return found


def _mask(text: str, spans: Iterable[tuple[int, int, str]]) -> str:
    """`text` with each span blanked out, so what is inside a URL is not read again."""
    chars = list(text)
    for start, end, _ in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _split_url(url: str) -> tuple[str, list[str], str]:
    """A URL's host (lowercase, no port), path segments, and query (or, without one, "#" and the
    fragment). `bot` may not import urllib, and this is all the detectors need.
    Example: "https://Mit.Zoom.us:443/rec/share/x?a=1" -> ("mit.zoom.us", ["rec", "share", "x"], "a=1").
    """
    rest = url.split("://", 1)[1] if "://" in url else url
    cut = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    host = rest[:cut].rpartition("@")[2].split(":")[0].lower().rstrip(".")
    path, _, tail = rest[cut:].partition("?")
    path, hash_, fragment = path.partition("#")
    query = tail or (hash_ + fragment)
    return host, [s for s in path.split("/") if s], query


def _on(host: str, *domains: str) -> bool:
    """True when `host` is one of `domains` or a subdomain of one (on a label boundary)."""
    return any(host == d or host.endswith("." + d) for d in domains)


def _digits(s: str) -> str:
    return "".join(c for c in s if c.isdigit())

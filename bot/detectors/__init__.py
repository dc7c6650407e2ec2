"""Detectors that read a message's text and files: contact details, hazardous at-home activities and
session recordings. Standard library only; explainable word lists and small regexes; never raise."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from bot.model import SharedFile

# ---------------------------------------------------------------------------------------------------
# Slack markup and links, shared by every detector
# ---------------------------------------------------------------------------------------------------

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
_DIGIT_RUN = re.compile(r"\d+")


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


def _folded(text: str) -> str:
    """`text` case-folded for a case-sensitive search of lower-case words: what IGNORECASE would
    match, matches ("ſ", "K" and the dotless "ı" included; casefold leaves only "ı" to map)."""
    return text.casefold().replace("ı", "i")


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


# ---------------------------------------------------------------------------------------------------
# Contact details
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContactDetail:
    """One way to reach someone outside the program's spaces, as it appeared in a message."""

    kind: str  # "phone" | "email" | "handle" | "link"
    value: str  # the text that matched, as it appeared (used as incident evidence)
    platform: str = ""  # for handles and links: "whatsapp", "snapchat", "zoom-personal"…; "" otherwise


_Found = tuple[int, int, ContactDetail]

# --- phone numbers ---------------------------------------------------------------------------------

#: "+<country code> <groups>": E.164 allows 8 to 15 digits; separators are single spaces, dots or
#: hyphens, with an optional "(0)" or "(617)" group.
_PHONE_INTERNATIONAL = re.compile(
    r"(?<![\w+])\+[1-9]\d{0,2}(?:[ .-]?\(\d{1,4}\))?[ .-]?\d+(?:[ .-]\d+)*(?![\w+]|[.,-]\d)", re.ASCII
)
#: North American 3-3-4 numbers: "617-555-0134", "(617) 555-0134", "617.555.0134", "1-800-555-0199",
#: "617 555 0134". The second separator repeats the first or is a hyphen.
_PHONE_NANP = re.compile(
    r"(?<![\w#$€£¥/@.:+-])"
    r"(?:1(?P<ccsep>[ .-]))?"
    r"(?:\((?P<paren>\d{3})\) ?|(?P<area>\d{3})(?P<sep>[ .-]))"
    r"(?P<exchange>\d{3})(?P<sep2>(?(sep)(?:(?P=sep)|-)|[ .-]))\d{4}"
    r"(?![\w/-]|[.,:]\d)",
    re.ASCII,
)
#: An undivided run: "6175550134", "16175550134". Only a phone number when a cue says so.
_PHONE_BARE = re.compile(r"(?<![\w#$€£¥/@.:+-])1?\d{10}(?![\w/-]|[.,:]\d)", re.ASCII)
#: A national number with a trunk zero: "07946 095812", "020 7946 0958", "06 12 34 56 78".
_PHONE_NATIONAL = re.compile(r"(?<![\w#$€£¥/@.:+-])0\d+(?:[ .-]\d+)*(?![\w/-]|[.,:]\d)", re.ASCII)

#: Words that present a number as one to call or text.
_CALL_CUE = re.compile(
    r"\b(?:call(?:ing)?|ring|dial|texting|txt|sms|imessage|facetime|whatsapp|viber|telegram|phone|"
    r"telephone|tel|cellphone|text(?=\s+(?:me|us|him|her|them|at|to|or|on|my)\b|\s*[+(\d])|"
    r"signal(?=\s+(?:me|at|on|is|number)\b)|"
    r"(?:cell|mobile)(?=\s*(?:phone|number|no\b|#|:|is\b|at\b))|"
    r"reach\s+(?:me|us)|contact\s+(?:me|us)|get\s+in\s+touch|"
    r"(?:my|your|his|her|our|their)\s+(?:cell|mobile|number|digits))(?!\w)",
    re.IGNORECASE,
)
#: A number right after one of these is an identifier, not a phone number.
_NUMBER_ANTI_CUE = re.compile(
    r"\b(?:orders?|tickets?|invoices?|inv|accounts?|acct|id|isbn|issn|zip|zipcode|postal|postcode|room|"
    r"rm|case|tracking|ref|reference|confirmation|serial|sn|student|badge|po|sku|part|model|version|"
    r"page|pages|items?|receipt|transaction|txn|claim|policy|member|employee|customer|patient|pin|"
    r"code|otp|doi|pmid|arxiv|routing|iban|card|batch|lot|build|commit|issue|bug|job|request|ssn|"
    r"passport|licen[cs]e|vin|pmi|passcode)\b",
    re.IGNORECASE,
)
#: A cue after the number: "617 555 0134 (cell)", "6175550134 is my number".
_CALL_CUE_AFTER = re.compile(
    r"[\s,:(-]{0,3}(?:\(?(?:cell|mobile|mob|phone|tel|whatsapp|text\s+or\s+call)\)|"
    r"is\s+my\s+(?:cell|number|phone|mobile|whatsapp))",
    re.IGNORECASE,
)


#: Zoom and Webex list their bridges as "+1 646 558 8656 US (New York)" or "+16465588656,,912…#".
_DIAL_IN_AFTER = re.compile(r",,|\s+[A-Z]{2}(?:\s+[Tt]oll(?:-free)?)?\s*(?:\(|$)")
_DIAL_IN_BEFORE = re.compile(
    r"\b(?:dial\s+by\s+your\s+location|one\s+tap\s+mobile|dial[\s-]in(?:\s+numbers?)?|"
    r"join\s+by\s+(?:phone|telephone)|find\s+your\s+local\s+number)\b",
    re.IGNORECASE,
)


def _last_end(pattern: re.Pattern[str], text: str) -> int:
    return max((m.end() for m in pattern.finditer(text)), default=-1)


def _is_cued(text: str, start: int, end: int) -> bool:
    """True when the words around a number present it as a number to call or text.

    Why: a bare "6175550134" or a spaced "617 555 0134" is as often an id or a list of values as a
    phone number; "text me at 617 555 0134" is not. An identifier word ("order", "ticket", "id")
    between the cue and the number wins: "call about order 6175550134" is an order.
    """
    before = text[max(0, start - 50) : start + 1]  # the number's first character: "text 617…"
    cue, anti = _last_end(_CALL_CUE, before), _last_end(_NUMBER_ANTI_CUE, before)
    if anti > cue:
        return False
    return cue >= 0 or _CALL_CUE_AFTER.match(text, end, end + 30) is not None


def _is_identifier(text: str, start: int, end: int) -> bool:
    """True when an identifier word ("order #", "ticket", "ID:") is right before a number, or the
    number is a meeting's dial-in line ("+1 646 558 8656 US (New York)", "+16465588656,,912…#").

    Why: a pasted Zoom or Webex invitation lists the service's phone bridges; they reach the
    meeting, not a person.
    """
    before = text[max(0, start - 20) : start]
    if _last_end(_NUMBER_ANTI_CUE, before) > _last_end(_CALL_CUE, before):
        return True
    invitation = text[max(0, start - 150) : start]
    dial_in = _last_end(_DIAL_IN_BEFORE, invitation)
    return bool(_DIAL_IN_AFTER.match(text, end)) or (dial_in >= 0 and dial_in >= _last_end(_CALL_CUE, invitation))


def _digits(s: str) -> str:
    return "".join(c for c in s if c.isdigit())


def _international_phone(text: str, m: re.Match[str]) -> tuple[int, int] | None:
    """A "+" number with 8 to 15 digits (11 for "+1"), e.g. "+44 20 7946 0958", "+33 6 12 34 56 78".

    The plus sign is what people write before a country code and almost nothing else, so no cue is
    needed; trailing groups beyond E.164's 15 digits (or NANP's 11) are left off the value.
    """
    value, limit, count = m.group(0), 11 if m.group(0)[1] == "1" else 15, 0
    for n, group in enumerate(_DIGIT_RUN.finditer(value)):
        if n > 1 and count + len(group.group(0)) > limit:
            value = value[: group.start()].rstrip(" .-(")
            break
        count += len(group.group(0))
    end = m.start() + len(value)
    if (value[1] == "1" and count != 11) or not 8 <= count <= 15 or _is_identifier(text, m.start(), end):
        return None
    return m.start(), end


def _nanp_phone(text: str, m: re.Match[str]) -> bool:
    """A North American number: a valid area code and exchange (first digits 2-9) written with
    phone punctuation fires on its own ("617-555-0134", "(617) 555-0134"); spaced digits, or digits
    that break the numbering plan ("123-456-7890"), need a call/text cue.
    Example: "values 512 256 1024" is silent; "text me at 617 555 0134" fires.
    """
    area = m.group("paren") or m.group("area")
    valid = area[0] in "23456789" and m.group("exchange")[0] in "23456789"
    punctuated = bool(m.group("paren")) or m.group("sep") in (".", "-") or m.group("sep2") == "-"
    if _is_identifier(text, m.start(), m.end()):
        return False
    return (valid and punctuated) or _is_cued(text, m.start(), m.end())


#: The fewest digits a phone number found here has: 8 after a "+" (E.164), 9 with a trunk zero,
#: 10 otherwise. Every phone pattern is ASCII-only, so these are ASCII digits.
_PHONE_MIN_DIGITS = 8


def _may_hold_phone(text: str) -> bool:
    """Whether `text` has digits enough for a phone number (most messages have not)."""
    return sum(map(text.count, "0123456789")) >= _PHONE_MIN_DIGITS


def _phones(text: str) -> list[_Found]:
    """Phone numbers, by format and context. Dates, times, prices, versions, ids and timestamps
    have the wrong digit count or grouping ("2026-07-06", "v3.12.1", "1720280000.123456"), or an
    identifier word before them ("order #123456789"); bare and national runs need a cue.
    Example: "call +1 617 555 0134 or 617.555.0199" -> two phone numbers.
    """
    if not _may_hold_phone(text):
        return []
    found: list[_Found] = []
    taken = bytearray(len(text))

    def add(start: int, end: int) -> None:
        if not any(taken[start:end]):
            taken[start:end] = b"\x01" * (end - start)
            found.append((start, end, ContactDetail("phone", text[start:end])))

    for m in _PHONE_INTERNATIONAL.finditer(text):
        span = _international_phone(text, m)
        if span:
            add(*span)
    for m in _PHONE_NANP.finditer(text):
        if _nanp_phone(text, m):
            add(m.start(), m.end())
    for m in _PHONE_BARE.finditer(text):
        if _is_cued(text, m.start(), m.end()):
            add(m.start(), m.end())
    for m in _PHONE_NATIONAL.finditer(text):
        if 9 <= len(_digits(m.group(0))) <= 15 and _is_cued(text, m.start(), m.end()):
            add(m.start(), m.end())
    return found


# --- email addresses -------------------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![\w.%+@-])[A-Za-z0-9][A-Za-z0-9._%+-]*@(?P<domain>(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})"
    r"(?![\w-]|\.[A-Za-z0-9]|:[\w/~])"
)
_AT = r"(?:\s*[\[({]\s*at\s*[\])}]\s*|\s+at\s+)"
_DOT = r"(?:\s*[\[({]\s*dot\s*[\])}]\s*|\s+dot\s+|\.)"
_TLDS = r"(?:com|org|net|edu|gov|io|co|me|info|biz|us|uk|ca|au|de|fr|in|app|dev|ai)"
#: "kid123 [at] gmail [dot] com", "kid123 at gmail dot com".
_OBFUSCATED_EMAIL = re.compile(
    rf"(?<![\w.%+-])(?P<local>[A-Za-z0-9][A-Za-z0-9._%+-]*)(?P<at>{_AT})"
    rf"(?P<domain>[A-Za-z0-9-]+(?:{_DOT}[A-Za-z0-9-]+)*?{_DOT}{_TLDS})\b",
    re.IGNORECASE,
)
_OBFUSCATED_DOT = re.compile(r"\s*[\[({]\s*dot\s*[\])}]\s*|\s+dot\s+", re.IGNORECASE)
_EMAIL_CUE = re.compile(r"\b(?:e-?mail|mail|contact|reach|write)\b", re.IGNORECASE)
#: File names look like addresses ("icon@2x.png"); these endings are files, not domains.
_FILE_SUFFIXES = _words(
    "png jpg jpeg gif svg webp heic bmp tif tiff ico pdf js ts jsx tsx css scss py rb go rs java kt swift "
    "php sh md txt html htm json xml yml yaml toml ini cfg csv log lock mp3 mp4 mov wav doc docx xls xlsx "
    "ppt pptx"
)
#: RFC 2606 names: documentation examples, never anyone's real address.
_RESERVED_DOMAINS = tuple(_words("example.com example.org example.net example test invalid localhost local"))
#: Addresses nobody reads: no way to contact anyone.
_NO_REPLY = re.compile(r"^(?:no-?reply|do-?not-?reply|mailer-daemon|postmaster)\b", re.IGNORECASE)


def _institution_domains(domains: Iterable[str] | str | None) -> tuple[str, ...]:
    if isinstance(domains, str):
        domains = (domains,)
    cleaned = (d.strip().lstrip("@").strip(".").lower() for d in domains or () if isinstance(d, str))
    return tuple(d for d in cleaned if d)


def _is_personal_domain(domain: str, institution_domains: tuple[str, ...]) -> bool:
    """True unless the domain is an institution's (or a subdomain of one), a documentation
    example, or a file name. "math.mit.edu" is MIT's; "notmit.edu" is not.
    """
    domain = domain.lower().rstrip(".")
    if domain.rpartition(".")[2] in _FILE_SUFFIXES or _on(domain, *_RESERVED_DOMAINS):
        return False
    return not _on(domain, *institution_domains)


def _emails(text: str, institution_domains: tuple[str, ...]) -> list[_Found]:
    """Email addresses outside the institution's domains, plainly written or spelled out.

    Why: personal email is one of the channels the policy rules out, and the institution's own
    addresses (people and roles alike) are where program mail belongs. A spelled-out address
    ("kid at gmail dot com") counts with brackets around "at", or after a word like "email".
    Example: "email kid123@gmail.com or alice@mit.edu" -> kid123@gmail.com only (institution mit.edu).
    """
    found: list[_Found] = []
    for m in _EMAIL.finditer(text) if "@" in text else ():
        if _is_personal_domain(m.group("domain"), institution_domains) and not _NO_REPLY.match(m.group(0)):
            found.append((m.start(), m.end(), ContactDetail("email", m.group(0))))
    for m in _OBFUSCATED_EMAIL.finditer(text):
        bracketed = m.group("at").strip().lower() != "at"
        if not bracketed and not _EMAIL_CUE.search(text, max(0, m.start() - 40), m.start()):
            continue
        domain = _OBFUSCATED_DOT.sub(".", m.group("domain")).replace(" ", "")
        if _is_personal_domain(domain, institution_domains):
            found.append((m.start(), m.end(), ContactDetail("email", m.group(0))))
    return found


# --- messaging and social handles and links --------------------------------------------------------

_PLATFORM_WORDS = {
    "whatsapp": "whatsapp",
    "telegram": "telegram",
    "signal": "signal",
    "snapchat": "snapchat",
    "snap": "snapchat",
    "instagram": "instagram",
    "insta": "instagram",
    "ig": "instagram",
    "discord": "discord",
    "kik": "kik",
    "tiktok": "tiktok",
    "facebookmessenger": "facebook",
    "facebook": "facebook",
    "fb": "facebook",
    "messenger": "facebook",
    "twitter": "x",
    "x": "x",
    "wechat": "wechat",
    "weixin": "wechat",
    "line": "line",
    "skype": "skype",
    "viber": "viber",
    "imessage": "imessage",
    "facetime": "facetime",
    "roblox": "roblox",
}
#: Platform names that are also everyday words ("my signal is weak", "Snap: that was close"): after
#: these, only something shaped like a handle (digits, "_", ".", "@", "#1234") counts.
_AMBIGUOUS_WORDS = frozenset({"signal", "line", "telegram", "x", "snap", "ig", "fb", "messenger"})
#: "X" and "LINE" only in capitals: "line up" and "x" are ordinary words.
_PLATFORM_NAMES = (
    r"whats\s?app|telegram|signal|snapchat|snap|instagram|insta|ig|discord|kik|tik\s?tok|"
    r"facebook\s+messenger|facebook|fb|messenger|twitter|(?-i:X)|we\s?chat|weixin|(?-i:LINE)|skype|viber|"
    r"imessage|facetime|roblox"
)
_PLATFORM = rf"(?P<platform>{_PLATFORM_NAMES})"
_HANDLE = (
    r"(?P<handle>live:[A-Za-z0-9_.-]+|@?[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,38}[A-Za-z0-9_])?(?:#\d{4})?"
    r"|\+?\d[\d ().-]{5,20}\d)(?![\w@#]|[.-]\w)"
)
_HANDLE_NOUN = r"(?:handle|username|user\s*name|name|id|number|no\.?|account|acct|tag|code|contact|info|addy)"
_PRONOUN = r"(?:me|you|u)"

#: "add me on discord", "dm me on insta @kid", "let's move this to telegram".
_CONTACT_INVITE = re.compile(
    rf"\b(?:(?:add|message|msg|dm|pm|text|ping|contact|reach|find|follow|friend|call|join|hit|chat\s+with|"
    rf"talk\s+to|snap|facetime)\s+{_PRONOUN}(?:\s+up)?|hmu|let'?s\s+(?:talk|chat|continue|move\s+(?:this|it)|"
    rf"switch|take\s+(?:this|it)))\s+(?:on|via|over|through|in|at|using|to|over\s+to|onto)\s+{_PLATFORM}\b"
    rf"(?:\s*[:-]?\s*(?P<handle>@[A-Za-z0-9_](?:[A-Za-z0-9_.]{{0,38}}[A-Za-z0-9_])?))?",
    re.IGNORECASE,
)
#: "whatsapp me", "kik me", "snapchat me" — a platform used as a verb.
_PLATFORM_VERB = re.compile(
    r"\b(?P<platform>whats\s?app|kik|snapchat|telegram|skype|facetime|we\s?chat|viber|imessage)\s+me\b"
    r"(?!\s+(?:out|back|into|in|up|too)\b)",
    re.IGNORECASE,
)
#: "my snapchat is alex.cool22", "my discord username: kid#1234", "my whatsapp is +44 …".
_MY_HANDLE = re.compile(
    rf"\bmy\s+{_PLATFORM}(?:\s+{_HANDLE_NOUN})?\s*(?:is|:|=|-|–)\s*{_HANDLE}",
    re.IGNORECASE,
)
#: "snap: coolkid22", "Insta: @kid", "Discord: kid#1234", "LINE ID: kid_22".
_LABELLED_HANDLE = re.compile(
    rf"(?<![\w@]){_PLATFORM}(?:\s+{_HANDLE_NOUN})?\s*[:=]\s*{_HANDLE}",
    re.IGNORECASE,
)
#: "telegram @kid", "insta @kid", "tiktok is @kid".
_PLATFORM_AT_HANDLE = re.compile(
    rf"(?<![\w@/.]){_PLATFORM}\s+(?:(?:is|me|at|handle|username|id|account)\s+){{0,2}}"
    rf"(?P<handle>@[A-Za-z0-9_](?:[A-Za-z0-9_.]{{0,38}}[A-Za-z0-9_])?)(?![\w@])",
    re.IGNORECASE,
)
#: A platform's name where a word begins: every handle pattern (and Skype's link) needs one, so a text
#: without it is passed over with one search instead of six.
_ANY_PLATFORM = re.compile(rf"(?<!\w)(?:{_PLATFORM_NAMES})", re.IGNORECASE)
#: "skype:kid.22?call" — Skype's own link form.
_SKYPE_URI = re.compile(r"(?<![\w/])skype:(?!//)[A-Za-z0-9_.:-]+\?(?:call|chat|add|userinfo)\b", re.IGNORECASE)

#: Words that follow "my instagram is" in ordinary sentences and are not usernames.
_NOT_HANDLES = _words(
    """a an the so very really too just also still not no now down up out off on in over back gone dead
    new old open closed full empty same different great good bad fine ok okay cool nice private public
    hacked banned blocked broken deleted disabled suspended locked slow fast weird boring fun funny lame
    better worse best worst mine yours his hers theirs ours here there where what who how why when which
    that this these those it its my your our their and or but because since for to from with without
    about like kinda sorta probably definitely always never sometimes usually only almost literally
    basically actually honestly totally pretty quite super mostly inactive active offline online busy
    quiet muted annoying crazy wild insane free paid premium bigger smaller big small huge tiny cringe
    lit fire trash garbage junk spam clean set ready done finished updated outdated buggy laggy glitchy
    unavailable available restricted kind sort getting being was will has had can could would should
    is are be been am more less most least all any some none nothing something everything everywhere
    mainly where's what's it's i'm"""
)
_NOT_HANDLE_SUFFIXES = ("ing", "ed", "ly", "ful", "less", "ous", "ive", "able", "ible", "ness")
_MASS_MENTIONS = frozenset({"@here", "@channel", "@everyone"})


def _may_name_platform(text: str) -> bool:
    """Whether a messaging platform is named anywhere (no handle is offered without one)."""
    return _ANY_PLATFORM.search(text) is not None


def _platform_of(word: str) -> str:
    return _PLATFORM_WORDS.get(_SPACES.sub("", word.lower()), "")


def _looks_like_handle(token: str, strict: bool) -> bool:
    """True when a word after "my snapchat is" or "snap:" is plausibly a username.

    Strict (after an ambiguous platform word, or a label with a colon): it must look made up, with
    "@", a digit, "_", "." or "#". Otherwise any word will do except common English words and
    adjectives ("my instagram is private", "my discord is lagging").
    Example: "alex.cool22" yes; "coolkid" only when not strict; "down" never.
    """
    bare = token.lstrip("@")
    if token.lower() in _MASS_MENTIONS or len(bare) < 3:
        return False
    if not any(c.isalpha() for c in bare):
        # "Signal: 5.2 dB", "snap: 2 points": a number is a handle only when it is a phone number.
        return len(_digits(bare)) >= 7
    if token.startswith("@") or any(c.isdigit() or c in "_.#" for c in bare) or bare.startswith("live:"):
        return True
    if strict:
        return False
    low = bare.lower()
    return low not in _NOT_HANDLES and not (len(low) > 4 and low.endswith(_NOT_HANDLE_SUFFIXES))


def _handle_phrases(text: str) -> list[_Found]:
    """Messaging or social handles offered as a way to talk: "add me on discord", "whatsapp me",
    "my snapchat is alex.cool22", "snap: coolkid22", "telegram @kid".

    Why: moving a conversation to an app the program cannot see is what the policy forbids. A
    platform named in passing ("Instagram was founded in 2010", "signal processing", "line up"), a
    Slack mention, @here, or code like "@dataclass" is not an offer. A bare @handle, even in a quoted
    citation ("— @nasa on Twitter"), never fires: without a platform before it or an invitation it
    is a reference, not a way to reach the writer.
    Example: "my snapchat is alex.cool22" -> handle "my snapchat is alex.cool22" (snapchat).
    """
    if not _may_name_platform(text):
        return []
    candidates: list[_Found] = []
    for pattern, needs_handle in (
        (_MY_HANDLE, True),
        (_LABELLED_HANDLE, True),
        (_PLATFORM_AT_HANDLE, True),
        (_CONTACT_INVITE, False),
        (_PLATFORM_VERB, False),
    ):
        for m in pattern.finditer(text):
            word = m.group("platform")
            handle = m.groupdict().get("handle")
            if needs_handle:
                strict = pattern is _LABELLED_HANDLE or _SPACES.sub("", word.lower()) in _AMBIGUOUS_WORDS
                if not handle or not _looks_like_handle(handle, strict):
                    continue
            candidates.append((m.start(), m.end(), ContactDetail("handle", m.group(0), _platform_of(word))))
    for m in _SKYPE_URI.finditer(text):
        candidates.append((m.start(), m.end(), ContactDetail("link", m.group(0), "skype")))
    accepted: list[_Found] = []
    taken = bytearray(len(text))
    for start, end, detail in sorted(candidates, key=lambda c: (c[0], c[0] - c[1])):
        if not any(taken[start:end]):
            taken[start:end] = b"\x01" * (end - start)
            accepted.append((start, end, detail))
    return accepted


_INSTAGRAM_CONTENT = _words("p reel reels tv explore stories accounts about developer legal privacy terms web static")
_FACEBOOK_NOT_PROFILES = _words(
    """groups events watch photo photo.php photos story.php share sharer sharer.php posts pages hashtag
    help policies policy.php legal marketplace gaming login login.php privacy business ads notes reel
    reels videos live fundraisers dialog plugins tr"""
)
_X_NOT_PROFILES = _words(
    "i home search explore hashtag intent share settings login logout signup tos privacy notifications "
    "compose about jobs en"
)


def _link_platform(url: str) -> str:
    """The messaging or social platform a link reaches a person on, or "" if none.

    Invitations and profiles count (wa.me/…, t.me/…, discord.gg/…, instagram.com/name,
    tiktok.com/@name, m.me/…, zoom.us/my/name); content does not: a post, reel, video or tweet
    (instagram.com/p/…, x.com/nasa/status/…), a help page, or a Zoom meeting join link.
    Example: "https://chat.whatsapp.com/AbC" -> "whatsapp"; "instagram.com/p/Cx1" -> "".
    """
    host, segs, query = _split_url(url)
    first = segs[0].lower() if segs else ""
    rules: tuple[tuple[bool, str], ...] = (
        (_on(host, "wa.me") and bool(segs), "whatsapp"),
        (
            _on(host, "whatsapp.com") and (host.startswith(("chat.", "api.")) or first in {"send", "channel"}),
            "whatsapp",
        ),
        (_on(host, "t.me", "telegram.me", "telegram.dog") and (bool(segs) or host.count(".") > 1), "telegram"),
        (host in {"signal.me", "signal.group"} and bool(segs or query), "signal"),
        (_on(host, "snapchat.com") and first in {"add", "t"}, "snapchat"),
        (
            _on(host, "instagram.com", "instagr.am", "ig.me") and bool(first) and first not in _INSTAGRAM_CONTENT,
            "instagram",
        ),
        (_on(host, "discord.gg") and bool(segs), "discord"),
        (_on(host, "discord.com", "discordapp.com") and first in {"invite", "users", "channels"}, "discord"),
        (_on(host, "kik.me") and bool(segs), "kik"),
        (
            _on(host, "tiktok.com")
            and first.startswith("@")
            and not {"video", "photo", "live"} & {s.lower() for s in segs[1:]},
            "tiktok",
        ),
        (_on(host, "m.me") and bool(segs), "facebook"),
        (_on(host, "messenger.com") and first == "t", "facebook"),
        (
            _on(host, "facebook.com", "fb.com", "fb.me")
            and bool(first)
            and first not in _FACEBOOK_NOT_PROFILES
            and not (len(segs) > 1 and segs[1].lower() in {"posts", "videos", "photos", "reels", "events"}),
            "facebook",
        ),
        (
            _on(host, "x.com", "twitter.com")
            and bool(first)
            and first not in _X_NOT_PROFILES
            and "status" not in {s.lower() for s in segs},
            "x",
        ),
        (_on(host, "u.wechat.com") or (_on(host, "weixin.qq.com") and first == "r"), "wechat"),
        ((_on(host, "line.me") and "ti" in {s.lower() for s in segs}) or (_on(host, "lin.ee") and bool(segs)), "line"),
        (_on(host, "join.skype.com") and bool(segs), "skype"),
        (_on(host, "zoom.us", "zoom.com") and first == "my" and len(segs) > 1, "zoom-personal"),
    )
    return next((platform for matched, platform in rules if matched), "")


def _platform_links(urls: list[tuple[int, int, str]]) -> list[_Found]:
    """Links to messaging apps and personal profiles; see `_link_platform`."""
    found = []
    for start, end, url in urls:
        platform = _link_platform(url)
        if platform:
            found.append((start, end, ContactDetail("link", url, platform)))
    return found


def find_contact_details(text: str, institution_domains: Iterable[str] = ()) -> list[ContactDetail]:
    """Phone numbers, personal email addresses, and messaging or social handles and links in `text`.

    Why: the policy rules out private messaging, texting, chatting and personal email between a
    minor and a supervisor; a contact detail posted where a minor reads it opens that door. A false
    alarm in front of a parent is a defect too, so each kind needs a format and, where the format is
    ambiguous, a cue. Emails at an institution domain or its subdomains are fine; with no institution
    domains every email counts. What is inside a URL is read as a link only (its digits and query
    string addresses are not reported again). Each (kind, value) comes once, in text order.
    Example: "text me at 617-555-0134 or add me on discord" ->
    [phone "617-555-0134", handle "add me on discord" (discord)].
    """
    flat = _plain(text)
    urls = _urls(flat)
    masked = _mask(flat, urls)
    domains = _institution_domains(institution_domains)
    found = _phones(masked) + _emails(masked, domains) + _handle_phrases(masked) + _platform_links(urls)
    details: list[ContactDetail] = []
    seen: set[tuple[str, str]] = set()
    for _, _, detail in sorted(found, key=lambda f: (f[0], f[1])):
        if (detail.kind, detail.value) not in seen:
            seen.add((detail.kind, detail.value))
            details.append(detail)
    return details


# ---------------------------------------------------------------------------------------------------
# Hazardous activity at home
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HazardMatch:
    """An activity proposed in a message: forbidden at home ("hazard") or to ask about ("ask")."""

    category: str  # "chemical" | "biological" | "radiation" | "tools"
    level: str  # "hazard" (forbidden at home) | "ask" (tools/appliances: ask the safety contact first)
    phrase: str  # the matched words


#: Action verbs, base form only: "mixed", "uses" and "mixing" describe or narrate; they do not propose.
_CHEMICAL_VERBS = _words(
    """mix combine add pour heat boil burn ignite light make build create try extract concentrate distill
    distil dissolve melt use handle inhale sniff taste drink inject set_off detonate launch spray purify
    synthesize synthesise react cook test store experiment_with play_with grab buy throw shoot blow_up
    smash crush grind put open"""
)
#: Household chemicals are dangerous when mixed, heated or burned, not when used for cleaning.
_HOUSEHOLD_VERBS = _words(
    """mix combine add pour heat boil burn ignite light make cook react create try experiment_with
    play_with blow_up detonate inhale sniff drink taste concentrate distill distil synthesize purify"""
)
_PEROXIDE_VERBS = _words("concentrate boil heat distill distil purify make")
_BIOLOGICAL_VERBS = _words(
    """grow culture cultivate incubate swab collect plate streak breed make try use open handle
    experiment_with play_with inject eat drink spread mix keep sniff feed harvest sample inoculate dissect"""
)
_MOLD_VERBS = _words("grow culture cultivate breed incubate collect harvest sniff inhale open")
_RADIATION_VERBS = _words(
    """use take remove extract collect build make handle open hold try expose irradiate test put buy crush
    grind heat smash break experiment_with play_with take_apart eat lick concentrate purify dismantle
    disassemble crack_open pry_open"""
)
_DETECTOR_VERBS = _words("take_apart open remove break smash crush dismantle disassemble crack_open pry_open extract")
_TOOL_VERBS = _words(
    """use operate borrow grab get plug_in turn_on switch_on heat cut drill solder saw melt put bake blend
    preheat glue sand grind light run try fire_up start"""
)
#: Verbs that are a tool in themselves: "solder the wires", "microwave the soap".
_SELF_TOOL_VERBS = _words("solder weld microwave")
_SELF_TOOL_VERB = re.compile(rf"\b(?:{'|'.join(sorted(_SELF_TOOL_VERBS))})\b", re.IGNORECASE)
#: Verbs that break the link between an earlier action verb and a hazard: "use soap to kill bacteria".
_NEUTRAL_VERBS = _words(
    """kill wash clean disinfect destroy avoid prevent stop fight protect reduce learn study read watch
    discuss explain research draw label identify describe measure detect count observe see review
    understand sterilize sanitize dispose throw_away throw_out report"""
)
_ALL_VERBS = _CHEMICAL_VERBS | _BIOLOGICAL_VERBS | _RADIATION_VERBS | _TOOL_VERBS | _SELF_TOOL_VERBS | _NEUTRAL_VERBS
_VERB = re.compile(
    r"\b(?:" + "|".join(v.replace("_", r"\s+") for v in sorted(_ALL_VERBS, key=len, reverse=True)) + r")\b(?!')",
    re.IGNORECASE,
)

#: Hazard and tool terms, as regex alternatives. Specific terms come before general ones.
_STRONG_ACIDS = r"(?:sulfuric|sulphuric|hydrochloric|muriatic|nitric|hydrofluoric|perchloric|picric|chromic)\s+acids?"
#: Any other acid, except those of the kitchen and the body ("citric acid" for bath bombs, "amino acids").
_OTHER_ACIDS = (
    "".join(
        rf"(?<!{w} )"
        for w in sorted(_words("citric acetic ascorbic lactic amino folic fatty malic tartaric stearic nucleic"))
    )
    + r"acids?"
)
_BASES = r"lye|sodium\s+hydroxide|potassium\s+hydroxide|caustic\s+soda"
_EXPLOSIVES = (
    r"thermite|gunpowder|black\s+powder|flash\s+powder|fireworks?|firecrackers?|explosives|"
    r"explosive\s+(?:devices?|mixtures?|powders?)|nitroglycerine?|napalm|tatp|rocket\s+(?:fuel|propellant)|"
    r"(?:pipe|smoke|stink)\s+bombs?|(?<!bath )(?<!seed )(?<!photo )(?<!f-)bombs?"
)
_TOXIC_GASES = (
    r"(?:chlorine|mustard|toxic|poison(?:ous)?|hydrogen|chloramine)\s+(?:gas|gases|fumes|smoke)|"
    r"chloramines?|phosgene|hydrogen\s+sulfide|cyanide"
)
_REACTIVE_CHEMICALS = (
    r"potassium\s+(?:nitrate|chlorate|perchlorate|permanganate)|saltpet(?:er|re)|ammonium\s+nitrate|"
    r"sodium\s+metal|(?:white\s+)?phosphorus|(?:liquid|elemental)\s+mercury|chloroform|calcium\s+hypochlorite|"
    r"pool\s+(?:chemicals|shock|chlorine)|(?:concentrated|high[- ]strength|food[- ]grade|\d{2}\s?%)\s+"
    r"(?:hydrogen\s+)?peroxide"
)
#: Pharmacy-strength peroxide is first aid; it is a hazard once concentrated.
_PEROXIDE = r"(?:hydrogen\s+)?peroxide"
_HOUSEHOLD_CHEMICALS = (
    r"bleach|ammonia|drain\s+cleaners?|acetone|gasoline|petrol|kerosene|lighter\s+fluid|"
    r"(?:toxic\s+|hazardous\s+|dangerous\s+|household\s+|cleaning\s+)?chemicals"
)
_MICROBES = (
    r"bacteria|bacterium|bacterial\s+(?:cultures?|colonies|samples?)|microbes|micro-?organisms|pathogens|"
    r"e\.?\s?coli|salmonella|staph(?:ylococcus)?|streptococcus|petri\s+dish(?:es)?|agar(?:\s+plates?)?|"
    r"(?:cell|tissue|fungal|viral)\s+cultures?|blood\s+samples?|bodily\s+fluids?"
)
#: "Mold" is also the shape resin is poured into: only growing it is a hazard.
_MOLD = r"mou?lds?(?:\s+(?:cultures?|spores?|colon(?:y|ies)|samples?))?"
_CARCASSES = r"(?:dead|wild)\s+(?:animals?|birds?|mice|rats?|bats?)|roadkill"
_RADIOACTIVE = (
    r"radioactive(?:\s+(?:materials?|sources?|samples?|rocks?|ores?|isotopes?|substances?|elements?|minerals?|"
    r"glass|waste))?|americium(?:-241)?(?:\s+sources?)?|uranium(?:\s+(?:ore|glass|oxide))?|"
    r"thorium(?:\s+(?:lantern\s+)?mantles?)?|thoriated\s+\w+|radium(?:\s+(?:paint|dials?))?|polonium|plutonium|"
    r"c(?:a)?esium(?:-137)?|cobalt-60|strontium(?:-90)?|tritium|radiation\s+sources?|ionizing\s+radiation|"
    r"x-ray\s+(?:tubes?|machines?|sources?)|fiestaware|vaseline\s+glass"
)
#: Smoke detectors hold americium: opening one is the hazard; testing one is good practice.
_SMOKE_DETECTORS = r"smoke\s+(?:detector|alarm)s?"
#: A bare "drill" is as often a fire drill or a maths drill: only a power drill, or someone's drill.
_DRILLS = r"(?:power|electric|cordless|hand)\s+drills?|drill\s+press(?:es)?|(?<='s )drills?|(?<=your )drills?"
_TOOLS = (
    r"soldering\s+(?:irons?|stations?|guns?)|box\s+cutters?|utility\s+kni(?:fe|ves)|craft\s+kni(?:fe|ves)|"
    r"x-?acto(?:\s+kni(?:fe|ves))?|razor\s+blades?|scalpels?|"
    r"(?:hack|jig|circular|table|band|chain|miter|mitre|power|hand)\s?saws?(?!\s+puzzles?)|dremel|"
    r"rotary\s+tools?|(?:angle|bench)\s+grinders?|heat\s+guns?|hot[\s-]glue(?:\s+guns?)?|glue\s+guns?|"
    r"blow\s?torch(?:es)?|(?:butane|propane|kitchen)\s+torch(?:es)?|welders?|welding\s+\w+|nail\s+guns?|"
    r"staple\s+guns?|power\s+tools?|(?:belt|orbital|power)\s+sanders?|lathes?|laser\s+cutters?"
)
#: "Blender" is also the 3D software STEM programs teach: a kitchen blender is "the/a/your blender".
_APPLIANCES = (
    r"ovens?|stoves?|stovetops?|microwaves?(?:\s+ovens?)?|toaster(?:\s+ovens?)?|food\s+processors?|"
    r"(?:(?<=the )|(?<=a )|(?<=your )|(?<=my )|(?<='s ))blenders?(?!\s+(?:app|software|files?|models?|projects?))|"
    r"hot\s*plates?|pressure\s+cookers?|deep\s+fryers?|air\s+fryers?|(?:clothes|curling|flat)\s+irons?"
)


#: (alternatives, category, the verbs that make it an activity), one per word list.
_TERM_LISTS = (
    (_STRONG_ACIDS, "chemical", _CHEMICAL_VERBS),
    (_OTHER_ACIDS, "chemical", _CHEMICAL_VERBS),
    (_BASES, "chemical", _CHEMICAL_VERBS),
    (_EXPLOSIVES, "chemical", _CHEMICAL_VERBS),
    (_TOXIC_GASES, "chemical", _CHEMICAL_VERBS),
    (_REACTIVE_CHEMICALS, "chemical", _CHEMICAL_VERBS),
    (_PEROXIDE, "chemical", _PEROXIDE_VERBS),
    (_HOUSEHOLD_CHEMICALS, "chemical", _HOUSEHOLD_VERBS),
    (_MICROBES, "biological", _BIOLOGICAL_VERBS),
    (_MOLD, "biological", _MOLD_VERBS),
    (_CARCASSES, "biological", _words("dissect handle collect pick_up touch open")),
    (_RADIOACTIVE, "radiation", _RADIATION_VERBS),
    (_SMOKE_DETECTORS, "radiation", _DETECTOR_VERBS),
    (_DRILLS, "tools", _TOOL_VERBS),
    (_TOOLS, "tools", _TOOL_VERBS),
    (_APPLIANCES, "tools", _TOOL_VERBS),
)
#: (pattern, category, level, the verbs that make it an activity).
_TERMS = tuple(
    (re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE), category, "ask" if category == "tools" else "hazard", verbs)
    for alternatives, category, verbs in _TERM_LISTS
)
#: Every term of every list at once, read in case-folded text (`_folded`): a text this does not match
#: has no term. Case-sensitive on folded text rather than IGNORECASE, and "not after a word character"
#: rather than `\b` (every term begins with a letter or digit, so the two agree): Python's engine tries
#: each alternative at each position, and this is five times cheaper on an ordinary message.
_ANY_TERM = re.compile(r"(?<!\w)(?:" + "|".join(f"(?:{alternatives})" for alternatives, *_ in _TERM_LISTS) + r")\b")


def _may_hold_term(text: str) -> bool:
    """Whether any hazard, tool or appliance term is in `text` (one search for all the word lists)."""
    return _ANY_TERM.search(_folded(text)) is not None


_HOME = (
    r"(?:house|apartment|flat|kitchen|garage|basement|backyard|back\s+yard|yard|bathroom|bedroom|attic|shed|"
    r"garden|driveway|sink|bathtub|tub|home)"
)
_HOUSEHOLD = r"(?:stove|stovetop|hob|oven|microwave|fridge|freezer|smoke\s+(?:detector|alarm)s?)"
_FAMILY = (
    r"(?:own|family'?s?|parents'?|parent's|dad'?s|mom'?s|mum'?s|mother'?s|father'?s|brother'?s|sister'?s|"
    r"grandma'?s|grandpa'?s)"
)
#: Where or when an activity would happen outside supervision: at home, in your kitchen, on your
#: stove, homemade, DIY, "tonight" (an online program's evening is at home).
_HOME_CUE = re.compile(
    rf"\bat\s+(?:(?:your|ur|my|our)\s+)?(?:own\s+)?home\b|\bfrom\s+home\b|"
    rf"\b(?:at|in|inside|from|around|outside)\s+(?:your|ur|the|my|our)\s+(?:own\s+)?{_HOME}\b|"
    rf"\b(?:on|in|with|using)\s+(?:your|the|my|ur)\s+(?:own\s+)?{_HOUSEHOLD}\b|"
    rf"\byour\s+(?:{_FAMILY}\s+)?(?:{_HOME}|{_HOUSEHOLD})\b|"
    r"\bhome[\s-]?made\b|\bhomebrew(?:ed)?\b|\bhome\s+(?:lab|experiments?|science|chemistry)\b|"
    r"\bkitchen\s+(?:chemistry|science|lab)\b|\bdiy\b|\bdo[\s-]it[\s-]yourself\b|\byourself\b|\byour\s+own\b|"
    r"\byou\s+(?:make|made|build|built|mix|brew)\b|\btonight\b|\bthis\s+(?:evening|weekend)\b|"
    r"\bover\s+the\s+weekend\b|\bafter\s+(?:class|school|the\s+session)\b",
    re.IGNORECASE,
)
_HOME_CUE_NEGATED = re.compile(
    r"(?:\bnot|\bnever|n't|\binstead\s+of|\brather\s+than|\bexcept)\b[^.!?]{0,20}$", re.IGNORECASE
)
#: Supervised settings: the policy is about activities at home, not in a lab or class.
_LAB_CUE = re.compile(
    r"\b(?:in|at|inside)\s+(?:the\s+|a\s+|our\s+|your\s+school'?s?\s+|the\s+school\s+)?"
    r"(?:chem(?:istry)?\s+|bio(?:logy)?\s+|physics\s+|science\s+|school\s+)?(?:lab|labs|laboratory|classroom)\b|"
    r"\bfume\s+hood\b|\bunder\s+(?:\w+\s+)?supervision\b|\bsupervised\b|\blab\s+(?:session|bench|period|class)\b|"
    r"\bin\s+class\b",
    re.IGNORECASE,
)
_NEGATIONS = _words(
    """not no never don't dont doesn't didn't cannot can't cant shouldn't mustn't won't wouldn't couldn't
    isn't aren't avoid stop nobody none neither nor without dangerous unsafe illegal deadly forbidden
    prohibited banned warning"""
)
#: "don't forget to mix…" is an instruction, not a warning.
_NOT_NEGATING = _words("forget hesitate worry")
#: Words that may come before an imperative verb at the start of a clause.
_DISCOURSE = _words(
    """please pls plz now then first next so ok okay just also and or tonight today tomorrow later
    afterwards after that carefully quickly gently slowly finally simply step hey hi guys everyone kids
    all again lastly second third once quick fun idea challenge homework task bonus"""
)
#: A clause ending in these proposes what comes next: "you can mix", "let's make", "how to build".
_PROPOSAL_TAIL = re.compile(
    r"(?:\byou(?:'ll|'re\s+going\s+to|'re\s+gonna|\s+will|\s+can|\s+could|\s+should|\s+need\s+to|\s+have\s+to|"
    r"\s+must|\s+may|\s+might|\s+are\s+going\s+to|\s+are\s+gonna|\s+gonna|\s+want\s+to|\s+wanna|\s+get\s+to|"
    r"\s+ought\s+to|\s+to|\s+(?:guys|all|two)\s+(?:can|should|will|could))"
    r"|\blet'?s|\blet\s+us"
    r"|\bwe(?:'ll|\s+will|\s+can|\s+could|\s+should|\s+are\s+going\s+to|'re\s+going\s+to|\s+gonna|'re\s+gonna|"
    r"\s+need\s+to|\s+have\s+to)"
    r"|\bi(?:'ll|\s+will|\s+can|\s+could|\s+should|\s+am\s+going\s+to|'m\s+going\s+to|\s+gonna|'m\s+gonna|"
    r"\s+want\s+to|\s+wanna|\s+need\s+to|\s+plan\s+to|\s+might)"
    r"|\b(?:can|could|should|may|shall)\s+(?:i|we|you)"
    r"|\b(?:is|are)\s+to|\bhow\s+to|\bwhy\s+not|\btry\s+to|\bremember\s+to|\bgo\s+ahead\s+and|\bfeel\s+free\s+to|"
    r"\bbe\s+sure\s+to|\bmake\s+sure\s+(?:to|you)|\bdon'?t\s+forget\s+to|\bwant\s+to|\bplan\s+to|\bneed\s+to|"
    r"\bhelp\s+(?:you|them))\s*$",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"[,:;(\[\"“—–]|\s-\s|^\s*(?:\d+[.)]|[-*•])\s+")
#: "… and mix them", "… then heat it": the verb after a conjunction continues the clause before.
_CONJUNCTION = re.compile(r"\b(?:and|then|or|but|&)\b", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z0-9]+)*")
#: Sentence ends, lines and semicolons, but not the "1." of a numbered step.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])(?<!\b\d\.)(?<!\b\d\d\.)\s+|\n+|;")
_PRONOUN_OBJECT = _words("it them these those that this together both")
_VERB_REACH = 8  # words between a verb and the hazard it acts on ("use your smoke detector's americium")
_SENTENCE_LIMIT = 1000  # characters; longer runs are read in pieces, so a pathological text stays linear
_PHRASE_LIMIT = 120


def _sentences(text: str) -> list[str]:
    """Sentences (and lines), a line ending in ":" joined to the next ("At home:\\n1. mix…"), and
    any run longer than `_SENTENCE_LIMIT` cut at spaces: no real sentence is that long.
    """
    merged: list[str] = []
    for part in _SENTENCE_BREAK.split(text):
        if merged and merged[-1].rstrip().endswith(":") and len(merged[-1]) < _SENTENCE_LIMIT:
            merged[-1] += " " + part
        elif part.strip():
            merged.append(part)
    pieces = []
    for sentence in merged:
        while len(sentence) > _SENTENCE_LIMIT:
            cut = sentence.rfind(" ", _SENTENCE_LIMIT // 2, _SENTENCE_LIMIT)
            cut = cut if cut > 0 else _SENTENCE_LIMIT
            pieces.append(sentence[:cut])
            sentence = sentence[cut:]
        pieces.append(sentence)
    return pieces


def _has_home_cue(sentence: str) -> bool:
    """True when the sentence places the activity at home or unsupervised, and that place is not
    itself negated ("not at home", "don't try this at home").
    Example: "make chlorine gas in your kitchen" yes; "homework is due" and "the home page" no.
    """
    for m in _HOME_CUE.finditer(sentence):
        if not _HOME_CUE_NEGATED.search(sentence[max(0, m.start() - 25) : m.start()]):
            return True
    return False


def _is_negated(tokens: list[str], index: int) -> bool:
    """True when a negation or a warning word is among the four words before the verb.

    Why: "don't mix bleach and ammonia", "never heat acid at home" and "it is dangerous to make
    chlorine gas" are warnings, the very advice the policy wants given; they must stay silent.
    "Don't forget to mix …" is not a warning.
    """
    window = [t.lower() for t in tokens[max(0, index - 4) : index]]
    for i, word in enumerate(window):
        if word in _NEGATIONS and not (i + 1 < len(window) and window[i + 1] in _NOT_NEGATING):
            return True
    return False


@dataclass(frozen=True, slots=True)
class _Verb:
    start: int
    end: int
    index: int  # word index in the sentence
    base: str  # "mix", "set_off"


def _proposes(sentence: str, verb_start: int) -> bool | None:
    """True when the verb starting at `verb_start` is put to the reader: an imperative at the start
    of a clause ("Tonight, mix …", "1. heat …") or after "you can", "let's", "how to", "can I" and
    the like; None when it only continues an earlier verb after "and"/"then" ("get bleach and mix
    it"), so it proposes whatever that verb does.

    Why: "the professor demoed the reaction", "my brother tried to mix …" narrate; "mix …" and
    "you can make …" propose. Only a proposal is an activity the program must stop or ask about.
    """
    clause = _CLAUSE_BREAK.split(sentence[max(0, verb_start - 200) : verb_start])[-1]
    pieces = _CONJUNCTION.split(_HOME_CUE.sub(" ", clause))
    words = [w.strip("!?.'\"").lower() for w in pieces[-1].split()]
    if all(w in _DISCOURSE or w.isdigit() or not w for w in words):
        return None if len(pieces) > 1 else True
    return bool(_PROPOSAL_TAIL.search(" ".join(pieces[-1].split()[-6:])))


#: Up to three words after a verb, stopping at a preposition: "solder [the wires] at home".
_VERB_OBJECT = re.compile(r"(?:\s+(?!(?:at|in|on|with|and|then|to|for|until)\b)[\w'-]+){1,3}", re.IGNORECASE)
_Term = tuple[int, int, str, str, frozenset[str]]  # start, end, category, level, verbs that act on it


def _terms(sentence: str) -> list[_Term]:
    """The hazard and tool terms in a sentence, the first of any overlapping pair winning ("sulfuric
    acid" before "acid")."""
    if not _may_hold_term(sentence):
        return []  # most sentences: one search instead of one per word list
    found: list[_Term] = []
    for pattern, category, level, allowed in _TERMS:
        for m in pattern.finditer(sentence):
            if not any(s < m.end() and m.start() < e for s, e, *_ in found):
                found.append((m.start(), m.end(), category, level, allowed))
    return sorted(found)


def _proposed_verbs(sentence: str, terms: list[_Term], starts: list[int]) -> tuple[list[_Verb], dict[int, bool]]:
    """The sentence's verbs, and for each (by start) whether it is proposed (see `_proposes`). A word
    that is both a verb and a term is a verb only where a proposal's verb stands: "use the microwave"
    has a noun; "Microwave the soap" a verb.
    """
    verbs: list[_Verb] = []
    proposed: dict[int, bool] = {}
    for m in _VERB.finditer(sentence):
        v = _Verb(m.start(), m.end(), bisect_left(starts, m.start()), _SPACES.sub("_", m.group(0).lower()))
        says = _proposes(sentence, v.start)
        proposed[v.start] = says if says is not None else (not verbs or proposed[verbs[-1].start])
        if proposed[v.start] or not any(s < v.end and v.start < e for s, e, *_ in terms):
            verbs.append(v)
    return verbs, proposed


def _acting_verb(verbs: list[_Verb], term: _Term, tokens: list[re.Match[str]]) -> tuple[_Verb, int] | None:
    """The verb acting on a term, and where the phrase ends: the nearest verb before it (within
    `_VERB_REACH` words), else a verb just after it followed by "them"/"it" ("bleach and ammonia: mix
    them"). The verb must be one the term allows; a neutral verb in between ("use soap to kill
    bacteria") acts on nothing.
    """
    start, end, *_, allowed = term
    index = bisect_left(tokens, start, key=lambda t: t.start())
    i = bisect_left(verbs, start + 1, key=lambda v: v.end)
    if i and index - verbs[i - 1].index <= _VERB_REACH:
        if verbs[i - 1].base in allowed:
            return verbs[i - 1], end
        if verbs[i - 1].base in _NEUTRAL_VERBS:
            return None
    for v in verbs[i : i + 3]:
        close = v.start >= end and v.index - index <= 5 and v.index + 1 < len(tokens)
        if close and v.base in allowed and tokens[v.index + 1].group(0).lower() in _PRONOUN_OBJECT:
            return v, tokens[v.index + 1].end()
    return None


def _sentence_hazards(sentence: str) -> list[tuple[int, HazardMatch]]:
    """Hazards and tool uses one sentence proposes, with where each phrase starts; see
    `find_hazardous_activity`. One match per verb and category: "mix bleach and ammonia"."""
    terms = _terms(sentence)
    home = _has_home_cue(sentence)
    asks = any(level == "ask" for *_, level, _ in terms) or _SELF_TOOL_VERB.search(sentence)
    if not (asks or (terms and home)) or _LAB_CUE.search(sentence):
        return []
    tokens = list(_TOKEN.finditer(sentence))
    words = [t.group(0) for t in tokens]
    verbs, proposed = _proposed_verbs(sentence, terms, [t.start() for t in tokens])
    spans: dict[tuple[int, str, str], tuple[int, int]] = {}
    for term in terms:
        acting = _acting_verb(verbs, term, tokens)
        if acting is None or any(v.start < term[1] and term[0] < v.end for v in verbs):
            continue
        (verb, phrase_end), (start, _, category, level, _) = acting, term
        if (level == "hazard" and not home) or not proposed[verb.start] or _is_negated(words, verb.index):
            continue
        lo, hi = spans.get((verb.start, category, level), (verb.start, verb.end))
        spans[verb.start, category, level] = (min(lo, start), max(hi, phrase_end))
    for v in verbs:
        if v.base in _SELF_TOOL_VERBS and proposed[v.start] and not _is_negated(words, v.index):
            obj = _VERB_OBJECT.match(sentence, v.end)
            spans.setdefault((v.start, "tools", "ask"), (v.start, obj.end() if obj else v.end))
    return [
        (lo, HazardMatch(category, level, " ".join(sentence[lo:hi].split())[:_PHRASE_LIMIT]))
        for (_, category, level), (lo, hi) in spans.items()
    ]


def find_hazardous_activity(text: str) -> list[HazardMatch]:
    """Activities with chemical, biological or radiation hazards proposed for home (level
    "hazard"), and tools or appliances proposed for use (level "ask", category "tools").

    How: within one sentence, a hazard needs (1) a hazard term from a word list ("bleach",
    "sulfuric acid", "thermite", "bacteria", "petri dish", "americium", "uranium glass"), (2) an
    action verb in base form acting on it ("mix", "heat", "culture", "use") and allowed for that term
    (bleach is only a hazard mixed, heated or burned; peroxide only concentrated), (3) the verb put as
    a proposal (an imperative, "you can …", "let's …", "how to …"), (4) no negation or warning word
    just before the verb ("don't mix …", "it is dangerous to …"), and (5) an at-home or do-it-yourself
    cue ("at home", "in your kitchen", "on your stove", "homemade", "tonight"). A sentence about a lab,
    class or supervision is skipped. Tools need (1)-(4) but no home cue: in an online program the
    reader is at home, and asking first is cheap.
    Why: the policy forbids hazardous-materials activities at home and sends tool questions to the
    safety contact; talking about a subject ("we studied radiation in class") proposes nothing.
    Example: "Tonight, mix bleach and ammonia in your kitchen" ->
    [HazardMatch("chemical", "hazard", "mix bleach and ammonia")]. Hazards come first, then asks.
    """
    flat = _plain(text)
    if not _may_hold_term(flat) and not _SELF_TOOL_VERB.search(flat):
        return []  # no hazard, tool or appliance word anywhere: no sentence can propose one
    found: list[tuple[int, int, HazardMatch]] = []
    # A link's words are its author's, not the sender's: ".../how-to-mix-bleach-at-home" proposes nothing.
    for n, sentence in enumerate(_sentences(_mask(flat, _urls(flat)))):
        found.extend((n, pos, match) for pos, match in _sentence_hazards(sentence))
    ordered = sorted(found, key=lambda f: (f[2].level != "hazard", f[0], f[1]))
    result: list[HazardMatch] = []
    for *_, match in ordered:
        if match not in result:
            result.append(match)
    return result


# ---------------------------------------------------------------------------------------------------
# Recordings
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecordingMatch:
    """An audio or video file, or a link to a meeting recording, shared in a message."""

    kind: str  # "file" | "link"
    value: str  # file name or the URL


_MEDIA_TYPES = _words(
    """mp4 m4v mov qt quicktime m4a mp3 wav wave webm mkv avi aac ogg oga ogv opus flac 3gp 3g2 3gpp wma wmv
    flv mpg mpeg mpeg4 m2ts mts vob asf aiff aif aifc amr caf weba mka"""
)
_MEDIA_EXTENSION = re.compile(
    r"\.(?:" + "|".join(sorted(_MEDIA_TYPES - {"quicktime", "mpeg4", "wave"}, key=len, reverse=True)) + r")"
    r"(?=$|[?#&/\s]|%3F)",
    re.IGNORECASE,
)
_MEDIA_FILE_NAME = re.compile(
    r"(?<![\w./-])[\w.-]+\.(?:" + "|".join(sorted(_MEDIA_TYPES, key=len, reverse=True)) + r")\b", re.IGNORECASE
)
_SESSION = r"(?:session|class|meeting|call|lesson|workshop|zoom|huddle|webinar|office\s+hours|seminar|lab|tutoring)"
_WHEN = (
    r"(?:today'?s?|yesterday'?s?|tonight'?s?|this|last|our|the|this\s+week'?s|last\s+week'?s|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day'?s?)"
)
#: The text says the link is a recording of the program's own session.
_SESSION_RECORDING_CUE = re.compile(
    rf"\b(?:{_WHEN}\s+){{0,3}}{_SESSION}(?:\s+#?\d+)?(?:'s)?\s+(?:recordings?|video|vid|replay)\b|"
    rf"\b(?:recordings?|video|replay)\s+(?:of|from)\s+(?:{_WHEN}\s+){{0,3}}(?:{_SESSION}|today|yesterday|tonight|"
    rf"this\s+morning|last\s+night|week\s+\d+)\b|"
    rf"\brecorded\s+(?:{_WHEN}\s+){{0,3}}{_SESSION}s?\b|\b{_SESSION}(?:\s+#?\d+)?\s+(?:was|were|is|got)\s+recorded\b",
    re.IGNORECASE,
)
#: The text says the link is some recording (for file-sharing links: Drive, Dropbox, Box…).
_RECORDING_CUE = re.compile(
    r"\brecordings?\b|\brecorded\s+(?:video|lecture|talk|session|class|meeting|call|lesson|workshop|zoom|"
    r"huddle|webinar)s?\b|\bvideo\s+of\s+(?:the|our|today'?s|this|last)\b",
    re.IGNORECASE,
)
_FILE_SHARING_HOSTS = tuple(
    _words(
        "drive.google.com photos.google.com photos.app.goo.gl dropbox.com db.tt box.com onedrive.live.com 1drv.ms "
        "icloud.com sharepoint.com wetransfer.com we.tl"
    )
)
_VIDEO_SITES = tuple(_words("youtube.com youtu.be vimeo.com wistia.com wistia.net"))
_CUE_NEGATED = re.compile(r"(?:\bno|\bnot|n't|\bnever|\bwithout|\bwon't)\b(?:\s+\w+){0,3}\s*$", re.IGNORECASE)


def _is_media_file(file: SharedFile) -> bool:
    """True for an audio or video file, by mimetype ("video/mp4", "audio/x-m4a"), Slack filetype
    ("mp4", "mov", "m4a") or, when those are empty or generic ("binary"), the name's extension.
    Photos, PDFs and documents are not recordings.
    """
    mimetype = (getattr(file, "mimetype", "") or "").lower()
    filetype = (getattr(file, "filetype", "") or "").lower().lstrip(".")
    name = getattr(file, "name", "") or ""
    if mimetype.startswith(("audio/", "video/")) or filetype in _MEDIA_TYPES:
        return True
    unknown = mimetype in ("", "application/octet-stream") and filetype in ("", "binary")
    return unknown and _MEDIA_EXTENSION.search(name) is not None


def _recording_link_kind(url: str) -> str:
    """What a link says about being a recording: "recording" (a meeting-recording service or a media
    file), "file" (a file-sharing link, a recording only if the text says so), "video" (a video
    site, a session recording only if the text says so), or "".

    Zoom "/rec/…", Webex recording pages and RCID links, SharePoint "Recordings" folders and
    ":v:" video shares, Microsoft Stream, Loom and meeting recorders (Otter, Fathom, Fireflies,
    tl;dv, Grain) are recordings. A Zoom, Teams or Meet join link is not.
    Example: "https://mit.zoom.us/rec/share/abc" -> "recording"; "https://mit.zoom.us/j/123" -> "".
    """
    host, segs, query = _split_url(url)
    path = "/" + "/".join(segs).lower()
    first = segs[0].lower() if segs else ""
    decoded = url.replace("%2F", "/").replace("%2f", "/")
    if _MEDIA_EXTENSION.search(decoded.split("://", 1)[-1]):
        return "recording"
    recording = (
        (_on(host, "zoom.us", "zoom.com", "zoomgov.com") and first in {"rec", "recording", "recordings"})
        or (
            _on(host, "webex.com")
            and ("recording" in path or "ldr.php" in path or "lsr.php" in path or "rcid=" in query.lower())
        )
        or (_on(host, "sharepoint.com") and ("/recordings/" in path + "/" or first == ":v:" or "stream.aspx" in path))
        or (_on(host, "microsoftstream.com") and "video" in path)
        or _on(host, "stream.microsoft.com")
        or (_on(host, "loom.com") and first in {"share", "embed"})
        or (_on(host, "otter.ai") and first in {"u", "s", "note"})
        or (_on(host, "fathom.video") and first in {"share", "calls"})
        or (_on(host, "fireflies.ai") and first == "view")
        or (_on(host, "tldv.io") and bool(segs))
        or (_on(host, "grain.com") and first == "share")
    )
    if recording:
        return "recording"
    if _on(host, *_FILE_SHARING_HOSTS) or (_on(host, "docs.google.com") and first == "file"):
        return "file"
    if _on(host, *_VIDEO_SITES):
        return "video"
    return ""


def _says(pattern: re.Pattern[str], text: str) -> bool:
    """True when `pattern` occurs in `text` and is not negated just before ("no recording today")."""
    return any(not _CUE_NEGATED.search(text[max(0, m.start() - 30) : m.start()]) for m in pattern.finditer(text))


def find_recordings(text: str, files: Iterable[SharedFile] = ()) -> list[RecordingMatch]:
    """Audio and video files, and links to recordings of meetings, in a message.

    Files: any audio or video (see `_is_media_file`). Links: meeting-recording services always
    (see `_recording_link_kind`); a file-sharing link (Drive, Dropbox, Box, OneDrive) when the
    message calls it a recording or names a media file; a video-site link (YouTube, Vimeo) only when
    the message says it is a recording of the session, class or meeting, since most such links are
    public videos. A join link, a photo, a PDF and the words "record"/"recorded" alone are not.
    Why: recording sessions with minors needs a release signed by a parent or guardian.
    Example: "recording: https://mit.zoom.us/rec/share/abc" -> [RecordingMatch("link", "https://…")].
    """
    found = [
        RecordingMatch("file", getattr(f, "name", "") or getattr(f, "id", "") or "(unnamed file)")
        for f in files or ()
        if _is_media_file(f)
    ]
    flat = _plain(text)
    urls = _urls(flat)
    kinds = [(url, _recording_link_kind(url)) for _, _, url in urls]
    if not any(kind for _, kind in kinds):
        return list(dict.fromkeys(found))  # no link that could be a recording: the words do not matter
    prose = _mask(flat, urls)
    session = any(kind in ("file", "video") for _, kind in kinds) and _says(_SESSION_RECORDING_CUE, prose)
    some = session or _says(_RECORDING_CUE, prose) or _MEDIA_FILE_NAME.search(prose) is not None
    for url, kind in kinds:
        if kind == "recording" or (kind == "file" and some) or (kind == "video" and session):
            found.append(RecordingMatch("link", url))
    return list(dict.fromkeys(found))

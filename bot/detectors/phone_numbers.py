"""Phone numbers in a message's text, for the contact-details detector: by format ("+44 20 7946 0958",
"617-555-0134") and, where the format is ambiguous, by the words around the number."""

from __future__ import annotations

import re

from bot.detectors.text import _digits

_DIGIT_RUN = re.compile(r"\d+")

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


def _phones(text: str) -> list[tuple[int, int]]:
    """Where the phone numbers are, as (start, end), by format and context. Dates, times, prices,
    versions, ids and timestamps have the wrong digit count or grouping ("2026-07-06", "v3.12.1",
    "1720280000.123456"), or an identifier word before them ("order #123456789"); bare and national
    runs need a cue.
    Example: "call +1 617 555 0134 or 617.555.0199" -> two spans.
    """
    if not _may_hold_phone(text):
        return []
    found: list[tuple[int, int]] = []
    taken = bytearray(len(text))

    def add(start: int, end: int) -> None:
        if not any(taken[start:end]):
            taken[start:end] = b"\x01" * (end - start)
            found.append((start, end))

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

"""Phone numbers in a message's text, for the contact-details detector.

What is caught:
- numbers with a country code, after "+" or the "00" international prefix ("+44 20 7946 0958",
  "0044 20 7946 0958");
- North American numbers written with phone punctuation ("617-555-0134", "(617) 555-0134",
  "617.555.0134"), and the other groupings libphonenumber recognises as a valid number of one of
  the program's regions, with hyphens, dots, slashes or parentheses ("617-5550134",
  "617/555-0134", "617-555-01-34");
- spaced or undivided digits ("617 555 0134", "6175550134", "020 7946 0958") when the words around
  them present a number to call or text, including teens' shorthand ("hmu", "txt me", "ft me",
  "my digits", "my #");
- deliberate evasion, only next to such words: digits spelled out ("six one seven five five five
  ..."), the letter O for zero ("617 555 O134"), every digit spaced ("6 1 7 5 5 5 0 1 3 4"), and a
  number cut in three ("617 555 ... and then 0134").
Text is read after Unicode normalisation (NFKC, character by character so that positions stay):
fullwidth digits, every dash (en and em dash, non-breaking hyphen, minus sign) and every space.

What is left alone, and why:
- meetings' dial-in numbers and access information (Zoom, Google Meet "Join by phone", Microsoft
  Teams "Call in (audio only)", Webex "Join by phone / Access code", GoToMeeting): they reach a
  meeting, not a person;
- identifiers, dates, times, prices and codes (an order, ticket, case or student id, an ISBN,
  a zip code, a room, a passcode or a meeting ID, coordinates): the wrong grouping, a number
  libphonenumber finds invalid, or an identifier word right before them;
- a number named by an office ("campus police: 617-253-1212", "the front desk at 617-253-1000"):
  an institution's line, not a personal one, unless a personal word ("my", "me", "cell") comes
  between the office and the number;
- crisis and safety lines and the program's allowed contacts: see `bot.detectors.allowlist`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

from bot.detectors.text import _digits
from bot.model import DEFAULT_PHONE_REGIONS

_DIGIT_RUN = re.compile(r"\d+")

#: "+<country code> <groups>" or "00<country code> <groups>": E.164 allows 8 to 15 digits;
#: separators are single spaces, dots or hyphens, with an optional "(0)" or "(617)" group.
_PHONE_INTERNATIONAL = re.compile(
    r"(?<![\w+])(?:\+|00(?=[1-9]))[1-9]\d{0,2}(?:[ .-]?\(\d{1,4}\))?[ .-]?\d+(?:[ .-]\d+)*(?![\w+]|[.,-]\d)",
    re.ASCII,
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

#: Words that present a number as one to call or text, teens' shorthand included ("hmu", "txt",
#: "cll", "ft me" for FaceTime, "my digits", "my #"), and "Number:" as a line's label (after
#: another word, "Order number:", it is an identifier's).
_CALL_CUE = re.compile(
    r"\b(?:call(?:ing)?(?!\s+(?:out|off|it|roll|attendance|on\s+(?:you|someone|anyone|people|them)\b))|cll|ring|dial|texting|txt|txting|sms|imessage|facetime|whatsapp|viber|telegram|"
    r"phone|telephone|tel|cellphone|hmu|hit\s+me\s+up|ft(?=\s+me\b)|"
    r"text(?=\s+(?:me|us|him|her|them|at|to|or|on|my)\b|\s*[+(\d])|"
    r"signal(?=\s+(?:me|at|on|is|number)\b)|"
    r"(?:cell|mobile)(?=\s*(?:phone|number|no\b|#|:|is\b|at\b))|"
    r"reach\s+(?:me|us)|contact\s+(?:me|us)|(?:msg|message|dm|ping)\s+me(?=\s+(?:on|at|via)\b|\s*[:+(\d])|get\s+in\s+touch|"
    r"(?:text|txt|call)\s+it(?=\s*:|\s+to\s+(?:me|us)\b)|"
    r"(?:my|your|ur|his|her|our|their)\s+(?:cell|mobile|number|digits|num|numba|phone|#)|mine\s+is|"
    r"(?:number|num|digits|cell|phone)'s|(?m:^)\s*(?:phone\s+)?(?:number|num|digits)\s*[:=])(?!\w)",
    re.IGNORECASE,
)
#: A number right after one of these is an identifier, not a phone number.
_NUMBER_ANTI_CUE = re.compile(
    r"\b(?:orders?|tickets?|invoices?|inv|accounts?|acct|id|isbn|issn|zip|zipcode|postal|postcode|room|"
    r"rm|case|tracking|ref|reference|confirmation|serial|sn|student|badge|po|sku|part|model|version|"
    r"page|pages|items?|receipt|transaction|txn|claim|policy|member|employee|customer|patient|pin|"
    r"code|otp|doi|pmid|arxiv|routing|iban|card|batch|lot|build|commit|issue|bug|job|request|ssn|"
    r"passport|licen[cs]e|vin|pmi|passcode|password|booking|reservation|registration|application|"
    r"locker|seat|flight|lat|lng|lon|latitude|longitude|coordinates|gps)\b",
    re.IGNORECASE,
)
#: A cue after the number: "617 555 0134 (cell)", "6175550134 is my number".
_CALL_CUE_AFTER = re.compile(
    r"[\s,:(-]{0,3}(?:\(?(?:cell|mobile|mob|phone|tel|whatsapp|text\s+or\s+call)\)|"
    r"is\s+my\s+(?:cell|number|phone|mobile|whatsapp|digits|#))",
    re.IGNORECASE,
)

#: What follows a meeting's dial-in number: Zoom's and Teams' one-tap ",,912…#", a country and
#: city ("US (New York)", "United States, Seattle"), "US Toll", or the meeting's PIN or code.
_DIAL_IN_AFTER = re.compile(
    r",,|\s*#|[ \t]+[A-Z]{2}(?:[ \t]+[Tt]oll(?:[ -]?[Ff]ree)?)?[ \t]*(?:\(|\n|$)|\s*\(?[Tt]oll(?:[ -]?[Ff]ree)?\)?|"
    r"\s+[Cc]all-in\b|"
    r"\s+United\s+States|[\s,;]+(?:PIN|[Aa]ccess\s+[Cc]ode|(?:[Pp]hone\s+)?[Cc]onference\s+ID|[Mm]eeting\s+ID)\b",
)
#: The headings and labels of meeting access information: Zoom ("Dial by your location", "One tap
#: mobile"), Google Meet ("Join by phone", "More phone numbers", "PIN"), Teams ("Call in (audio
#: only)", "Phone Conference ID"), Webex ("Join by phone", "Access code", "Global call-in numbers"),
#: GoToMeeting ("dial in using your phone", "Access Code").
_DIAL_IN_BEFORE = re.compile(
    r"\b(?:dial\s+by\s+your\s+location|one\s+tap\s+mobile|dial[\s-]?in|call[\s-]?in|"
    r"join\s+by\s+(?:phone|telephone)|(?:more|local|other)\s+phone\s+numbers|find\s+(?:your|a)\s+local\s+number|"
    r"using\s+your\s+phone|use\s+your\s+phone|audio\s+only|conference\s+id|access\s+code|meeting\s+(?:id|number)|"
    r"passcode|toll[\s-]?free|toll|join\s+(?:zoom|the)\s+meeting|gotomeeting|goto\s+meeting|webex|"
    r"microsoft\s+teams|google\s+meet)\b",
    re.IGNORECASE,
)
#: An office or service that a number after it belongs to: "campus police: 617-253-1212",
#: "Front desk 617-253-1000", "the safety office at (617) 253-1000".
_OFFICE = re.compile(
    r"\b(?:police|security|public\s+safety|safety\s+office|dispatch|front\s+desk|main\s+office|"
    r"(?:program|camp|school|district|admissions?|registrar'?s?|dean'?s?|housing|main|head)\s+office|"
    r"reception|switchboard|help\s?desk|health\s+(?:services|center|centre)|nurse'?s?\s+office|"
    r"counseling\s+(?:center|services)|hotline|helpline|crisis\s+line|lifeline|poison\s+control|"
    r"department|dept|office\s+(?:line|number|phone))\b",
    re.IGNORECASE,
)
#: Words that make a number someone's own, whatever office is named: "my office number", "the
#: front desk closes at 5, then text me: …", "my cell".
_PERSONAL = re.compile(
    r"\b(?:my|mine|personal|private|cell|cellphone|mobile|home|direct|whatsapp|signal|hmu|txt|"
    r"(?:call|text|reach|ring|ft|contact|message)\s+me)\b",
    re.IGNORECASE,
)

#: Every word `_PERSONAL` needs, in lower case: one quick search says whether it can match at all.
_PERSONAL_HINT = re.compile(
    r"(?<![a-z])(?:m(?:y|ine|e)|p(?:ersonal|rivate)|cell|mobile|home|direct|whatsapp|signal|hmu|txt)(?![a-z])"
)

#: The characters case-insensitive matching reads as ASCII letters ("ſ" as "s", "ı" as "i").
_LOOK_ALIKES = ("ſ", "\u212a", "ı", "İ")


def _may_be_personal(text: str) -> bool:
    """Whether `_PERSONAL` can match `text`: one case-sensitive search of the lower-cased text, or a
    character that case-insensitive matching reads as an ASCII letter."""
    if not text.isascii() and any(c in text for c in _LOOK_ALIKES):
        return True
    return _PERSONAL_HINT.search(text.lower()) is not None


#: A personal cue right after a number cut into parts: "second half 0198 — text me".
_PERSONAL_AFTER = re.compile(
    r"[\s,;:.!()-]{0,4}(?:and\s+|then\s+|pls\s+|just\s+){0,2}" + _PERSONAL.pattern, re.IGNORECASE
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
    number is a meeting's dial-in line; see `_is_dial_in`."""
    before = text[max(0, start - 20) : start]
    if _last_end(_NUMBER_ANTI_CUE, before) > _last_end(_CALL_CUE, before):
        return True
    return _is_dial_in(text, start, end)


def _is_dial_in(text: str, start: int, end: int) -> bool:
    """True when a number is part of a meeting's access information: a dial-in marker right after
    it ("+16465588656,,912…#", "+1 646 558 8656 US (New York)", "+1-408-555-0100 US Toll",
    "(US) +1 347-555-0199 PIN: 123 456 789#"), or a heading or label of access information
    ("Join by phone", "Call in (audio only)", "Access code", "Meeting ID") within the 600
    characters before it (an invitation lists many bridges) with no personal cue between them and
    the number.

    Why: a pasted Zoom, Meet, Teams, Webex or GoToMeeting invitation lists the service's phone
    bridges; they reach the meeting, not a person. "Meeting ID: 912 …. Text me at 617-555-0134" is
    still a person's number: the cue comes after the heading.
    """
    if _DIAL_IN_AFTER.match(text, end):
        return True
    if _CALL_CUE_AFTER.match(text, end, end + 30):
        return False
    window = text[max(0, start - 600) : start]
    heading = _last_end(_DIAL_IN_BEFORE, window)
    return heading >= 0 and heading >= _last_end(_PERSONAL, window)


def _is_office_line(text: str, start: int) -> bool:
    """True when a number is named by an office or service right before it, in the same clause
    ("Campus police: 617-253-1212", "call the front desk at 617-253-1000"), and nothing in that
    clause makes it someone's own ("my office number", "after that text me on my cell").

    Why: an institutional number named by its office is the institution's to share. The rule is
    narrow on purpose: the office word must come before the number in the same clause (a sentence,
    a line, up to 45 characters), so "1-800-555-0199 is the helpline" or a number two sentences
    after "the office is closed" is still judged as a number.
    """
    before = text[max(0, start - 45) : start]
    clause = re.split(r"[.!?\n;]", before)[-1]
    return _OFFICE.search(clause) is not None and _PERSONAL.search(clause) is None


def _international_phone(text: str, m: re.Match[str]) -> tuple[int, int] | None:
    """A "+" number with 8 to 15 digits (11 for "+1"), e.g. "+44 20 7946 0958", "+33 6 12 34 56 78",
    or one after the "00" international prefix that libphonenumber finds valid ("0044 20 7946 0958").

    The plus sign is what people write before a country code and almost nothing else, so no cue is
    needed; trailing groups beyond E.164's 15 digits (or NANP's 11) are left off the value. "00"
    starts many identifiers too, so it needs a valid number.
    """
    value = m.group(0)
    plus = value.startswith("+")
    code_at = 1 if plus else 2
    limit = 11 if value[code_at] == "1" else 15
    count = 0 if plus else -2  # the "00" is the international prefix, no part of the number
    for n, group in enumerate(_DIGIT_RUN.finditer(value)):
        if n > 1 and count + len(group.group(0)) > limit:
            value = value[: group.start()].rstrip(" .-(")
            break
        count += len(group.group(0))
    end = m.start() + len(value)
    if (value[code_at] == "1" and count != 11) or not 8 <= count <= 15 or _is_identifier(text, m.start(), end):
        return None
    # A number libphonenumber cannot vouch for (a new range, one kept for fiction) is still a number
    # when the words around it offer it as one: "msg me on 00447700900456".
    national = "+" + _digits(value)[2:]
    if not plus and not _is_valid(national, "ZZ") and not (_is_possible(national) and _is_cued(text, m.start(), end)):
        return None
    return m.start(), end


@lru_cache(maxsize=1024)
def _is_possible(number: str) -> bool:
    try:
        return phonenumbers.is_possible_number(phonenumbers.parse(number, "ZZ"))
    except phonenumbers.NumberParseException:
        return False


@lru_cache(maxsize=1024)
def _is_valid(number: str, region: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(number, region))
    except phonenumbers.NumberParseException:
        return False


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


#: Separators of a number written with phone punctuation rather than only spaces.
_PHONE_PUNCTUATION = re.compile(r"\d[-./)]\s?\d|\(\d")
#: Digits in groups of any size joined by spaces, dots, hyphens, slashes or parentheses: the
#: groupings the patterns above do not know ("617-5550134", "617/555-0134", "617-555-01-34",
#: "61 75 55 01 34", "07911-123456"), for libphonenumber to judge; nine digits at least (the
#: lookahead), so that dates and decimals are passed over by the pattern itself.
_PHONE_GROUPED = re.compile(
    r"(?<![\w#$€£¥/@.:+-])(?=\(?(?:\d[ ./()-]{0,3}){9})"
    r"(?:\(\d{2,5}\)\s?|\d{1,5}(?:[ ./-]|\s?/\s?))(?:\d{1,5}(?:[ ./-]|\s?/\s?)){0,5}\d{1,7}"
    r"(?![\w/-]|[.,:]\d)",
    re.ASCII,
)


def _grouped_phone(text: str, m: re.Match[str], regions: Sequence[str]) -> bool:
    """Digits in an unusual grouping that libphonenumber finds a valid number of one of the
    program's regions (10 digits, 11 after a 1, or 9 to 11 after a trunk zero): with phone
    punctuation it fires on its own, spaced it needs a cue.
    Example: "my cell 617/555-0134" fires; "seeds 617 555 0134" does not.
    """
    value = m.group(0)
    digits = _digits(value)
    count = len(digits)
    if not (count == 10 or (count == 11 and digits[0] == "1") or (digits[0] == "0" and 9 <= count <= 11)):
        return False
    if not any(_is_valid(value, region) for region in regions) or _is_identifier(text, m.start(), m.end()):
        return False
    return _PHONE_PUNCTUATION.search(value) is not None or _is_cued(text, m.start(), m.end())


# --- evasion: spelled-out digits, O for zero, every digit spaced, a number cut up ------------------

_NUMBER_WORDS = {
    "zero": "0",
    "oh": "0",
    "o": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
_NUMBER_WORD_PATTERN = "zero|oh|one|two|three|four|five|six|seven|eight|nine"
#: A digit, a number word, or several glued together ("617", "six", "six17", "fivefive5",
#: "O1three4"), where the letters O, I and l may stand for 0 and 1 ("7I8", "Ol77"). Whether a
#: token holds a number at all is `_token_digits`'s to say ("lol" is letters only).
_NUMBER_TOKEN = re.compile(rf"(?<!\w)(?:{_NUMBER_WORD_PATTERN}|[0-9OoIl])+(?!\w)", re.IGNORECASE | re.ASCII)
_TOKEN_PART = re.compile(rf"{_NUMBER_WORD_PATTERN}|[0-9OoIl]", re.IGNORECASE | re.ASCII)
#: What may come between two tokens of one run: "6 1 7", "617-555", "six. one", "6|1|7".
_TOKEN_GAP = re.compile(r"[\s.\-/,()*_~|•]{0,4}", re.ASCII)
#: A North American number cut in three with a few words between the groups: "617 555 ... and
#: then 0134", "617 555. The rest is 0134".
_CUT_NUMBER = re.compile(
    r"(?<![\w.,])\d{3}(?![\w.,]\w)[^\d\n]{1,40}?(?<!\w)\d{3}(?![\w.,]\w)[^\d\n]{1,40}?(?<![\w.,])\d{4}(?!\w|[.,]\d)",
    re.ASCII,
)
#: The words that say which part of a number comes next ("the last four are", "first 3"): their
#: number word or digit counts the digits, it is none of them.
_PART_NAME = re.compile(
    r"\b(?:first|last|next|final|other|remaining)\s+(?:two|three|four|seven|[2347])(?:\s+(?:digits?|numbers?|nums?))?\b",
    re.IGNORECASE | re.ASCII,
)
#: What may come between the parts of a number cut up: a few connecting words ("and then", "the
#: rest is"), one line break at most, and no digit.
_CUT_GAP_MAX = 45


#: What makes a run of digits evasive rather than a format the patterns above read: the letter O,
#: I or l next to a digit, or single digits spaced out. With neither, and no number word, a text's
#: runs are left to those patterns (the quick way past dates, ids and meeting numbers).
_EVASIVE_DIGITS = re.compile(r"\d[OoIl]|[OoIl]\d|(?<!\w)\d[\s.\-/,*_~|•]{1,4}\d[\s.\-/,*_~|•]{1,4}\d(?!\w)", re.ASCII)
_LETTER_FOR_DIGIT = re.compile(r"\d[OoIl]|[OoIl]\d", re.ASCII)
_SPELLED_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _token_digits(token: str) -> tuple[str, int, int] | None:
    """A token's digits, how many number words and how many letters-for-digits it holds; None
    when it is no number: letters for digits only among real digits ("7I8", not "lol" or "Io"),
    and "o" or "oh" alone as zero."""
    lowered = token.lower()
    if lowered in _NUMBER_WORDS:
        return _NUMBER_WORDS[lowered], len(lowered) > 2, 0
    digits, words, letters = [], 0, 0
    for part in _TOKEN_PART.findall(token):
        low = part.lower()
        if low in _NUMBER_WORDS and len(low) > 1:
            digits.append(_NUMBER_WORDS[low])
            words += 1
        elif part.isdigit():
            digits.append(part)
        else:
            digits.append("0" if low == "o" else "1")
            letters += 1
    if letters and not any(c.isdigit() for c in token):
        return None
    return "".join(digits), words, letters


@dataclass(frozen=True, slots=True)
class _Group:
    """Number tokens with only separators between them: (start, end) in the text, their digits,
    how many tokens, number words and letters for digits they hold."""

    start: int
    end: int
    digits: str
    tokens: int
    words: int
    letters: int


def _groups(text: str) -> list[_Group]:
    """The runs of number tokens in `text`, the words that name a number's parts blanked out first."""
    if "first" in text.lower() or "last" in text.lower() or "next" in text.lower():
        text = _PART_NAME.sub(lambda m: " " * len(m.group(0)), text)
    groups: list[_Group] = []
    current: list[tuple[int, int, str, int, int]] = []

    def close() -> None:
        if current:
            groups.append(
                _Group(
                    current[0][0],
                    current[-1][1],
                    "".join(t[2] for t in current),
                    len(current),
                    sum(t[3] for t in current),
                    sum(t[4] for t in current),
                )
            )
            current.clear()

    for m in _NUMBER_TOKEN.finditer(text):
        read = _token_digits(m.group(0))
        if read is None:
            close()
            continue
        if current and not _TOKEN_GAP.fullmatch(text, current[-1][1], m.start()):
            close()
        current.append((m.start(), m.end(), read[0], read[1], read[2]))
    close()
    return groups


def _phone_length(digits: str) -> bool:
    return len(digits) == 10 or (len(digits) == 11 and digits[0] == "1")


def _joined(text: str, groups: list[_Group]) -> list[tuple[int, int, str, bool]]:
    """Numbers cut into two or three parts of three digits or more, with a few connecting words
    between them ("617-555 and then / the rest is 0134", "857 five five five, last four are oh
    one four two"): (start, end, digits, True) for each that holds a phone number's digits."""
    found = []
    for i, first in enumerate(groups):
        digits, last = first.digits, first
        for later in groups[i + 1 : i + 3]:
            gap = text[last.end : later.start]
            if len(digits) < 3 or len(later.digits) < 3 or len(gap) > _CUT_GAP_MAX or gap.count("\n") > 1:
                break
            if any(c.isdigit() for c in gap) or _UNIT_AFTER.match(text, last.end):
                break  # "617 points, then 555 ..., 1034": scores, not the parts of a number
            digits, last = digits + later.digits, later
            if _phone_length(digits):
                found.append((first.start, last.end, digits, True))
                break
    return found


def _runs(text: str) -> list[tuple[int, int, str, bool]]:
    """Candidate written-out numbers: (start, end, digits, cut) for each run of number tokens
    holding 10 digits, or 11 starting with 1, and each number cut into parts (`cut`). A run needs
    three tokens or a token written evasively ("six17", "7I8"); a text with fewer digits than a
    phone number needs three number words or letters for digits (what the quick check passes over)."""
    runs = []
    lower = text.lower()
    evasive = any(word in lower for word in _SPELLED_WORDS) or _EVASIVE_DIGITS.search(text) is not None
    few_digits = _digit_count(text) < _PHONE_MIN_DIGITS
    # A number cut into parts needs a personal cue ("my number", "text me"): only then are plain
    # digits read as tokens (the quick way past the dates and ids of ordinary messages).
    groups = _groups(text) if evasive or (not few_digits and _may_be_personal(text)) else []
    for group in groups if evasive else ():
        if group.tokens < 3 and not (group.words or group.letters):
            continue
        if few_digits and group.words < _SPELLED_MIN_WORDS and not group.letters:
            continue
        runs.extend(_windows(text, group))
    runs.extend(_joined(text, groups))
    for cut in _CUT_NUMBER.finditer(text):
        runs.append((cut.start(), cut.end(), _digits(cut.group(0)), True))
    return runs


def _windows(text: str, group: _Group) -> list[tuple[int, int, str, bool]]:
    """The first stretch of a run's tokens that holds a phone number's digits, as (start, end,
    digits, False)."""
    tokens = []
    for m in _NUMBER_TOKEN.finditer(text, group.start, group.end):
        read = _token_digits(m.group(0))
        if read is not None:
            tokens.append((m.start(), m.end(), read[0]))
    for i, (start, _, _) in enumerate(tokens):
        digits, last = "", i
        while last < len(tokens) and (len(digits) < 10 or (len(digits) == 10 and digits[0] == "1")):
            digits += tokens[last][2]
            last += 1
        if _phone_length(digits):
            return [(start, tokens[last - 1][1], digits, False)]
    return []


#: A unit right after digits: a measurement ("6 1 7 … 4 cm in each trial"), not a number to call.
_UNIT_AFTER = re.compile(
    r"\s*(?:%|°|mm|cm|km|m|kg|g|mg|ml|l|s|ms|min|mins|hrs?|points?|pts|degrees?|newtons?|n|volts?|v|grams?|"
    r"kilograms?|pounds?|lbs?|ounces?|oz|meters?|metres?|inch(?:es)?|feet|ft|seconds?|secs?|minutes?|hours?|"
    r"miles?|mph|laps?|times|reps|votes|people|kids|students)\b",
    re.IGNORECASE,
)


def _names_identifier(text: str) -> bool:
    """An identifier word in `text`, except "part": "the last part is 0134" is how a number is cut."""
    return any(m.group(0).lower() != "part" for m in _NUMBER_ANTI_CUE.finditer(text))


def _evasive_phones(text: str, regions: Sequence[str]) -> list[tuple[int, int]]:
    """Numbers written so that no pattern sees them: "six one seven five five five zero one three
    four", "617 555 O134", "6 1 7 5 5 5 0 1 3 4", "617 555 ... and then 0134".

    Only where the words around them are about calling or texting (a cue within 60 characters
    before or 40 after), and only a valid number of one of the program's regions, not a run of
    consecutive digits ("1 2 3 4 5 6 7 8 9 10") and not followed by a unit ("… 4 cm"): a list of
    scores, a countdown or a measurement is not a number. "Call out", "call on someone" and
    "call it" are not about calling anyone's phone.
    A number cut into parts needs more: a personal cue before it ("my number", "call me", "text me")
    or right after it ("... 0198 — text me")
    and no identifier word among its parts ("Call volume: 617 on Monday, 555 … Room 0134").
    """
    found = []
    for start, end, digits, cut in _runs(text):
        if digits in "01234567891011" or digits in "109876543210":
            continue
        if not any(_is_valid(digits, region) for region in regions):
            continue
        before = text[max(0, start - 60) : start]
        personal = _PERSONAL.search(before) or _PERSONAL_AFTER.match(text, end)
        if cut and (not personal or _names_identifier(text[start:end])):
            continue
        if _UNIT_AFTER.match(text, end):
            continue
        if _CALL_CUE.search(before + " " + text[end : end + 40]) and not _is_identifier(text, start, end):
            found.append((start, end))
    return found


# --- normalisation and the finder ------------------------------------------------------------------

#: Dashes and spaces NFKC leaves alone: every one is read as "-" or " ".
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u2043"
_SPACE_CHARACTERS = "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"


@lru_cache(maxsize=4096)
def _ascii_form(char: str) -> str:
    if char in _DASHES:
        return "-"
    if char in _SPACE_CHARACTERS:
        return " "
    folded = unicodedata.normalize("NFKC", char)
    return folded if len(folded) == 1 and folded.isascii() else char


def _normalised(text: str) -> str:
    """`text` with fullwidth digits and signs, every dash and every space as ASCII, character by
    character (NFKC where it gives one ASCII character), so that a position in it is a position in
    `text`: "６１７–５５５–０１３４" reads as "617-555-0134"."""
    if text.isascii():
        return text
    return "".join(c if c.isascii() else _ascii_form(c) for c in text)


#: The fewest digits a phone number found here has: 8 after a "+" (E.164), 9 with a trunk zero,
#: 10 otherwise (a written-out number is checked for separately).
_PHONE_MIN_DIGITS = 8


_NUMBER_WORD_BYTES = tuple(w.encode() for w in _SPELLED_WORDS)
#: A number spelled out needs this many number words when the text has fewer digits than a number.
_SPELLED_MIN_WORDS = 3


def _digit_count(text: str) -> int:
    """How many ASCII digits `text` has, counted on its bytes (a C loop; UTF-8 puts no ASCII digit
    inside another character)."""
    raw = text.encode("utf-8", "surrogatepass")
    return len(raw) - len(raw.translate(None, b"0123456789"))


#: A number word, alone or in a token glued to digits: what the evasion pass reads as a digit.
_NUMBER_WORD = re.compile("|".join(_SPELLED_WORDS), re.IGNORECASE | re.ASCII)


def _may_hold_phone(text: str) -> bool:
    """Whether `text` has digits enough for a phone number, or number words enough for one spelled
    out (most messages have neither). Counted on bytes first (a few C loops): only a text with the
    letters of three number words somewhere ("someone", "done") is searched for them as words,
    alone or glued to digits ("six17 fivefive5"), and only a text with half a number's digits for
    letters standing in for digits ("3l2 555 Ol77")."""
    count = _digit_count(text)
    if count >= _PHONE_MIN_DIGITS:
        return True
    if count >= _PHONE_MIN_DIGITS // 2 + 1 and _LETTER_FOR_DIGIT.search(text):
        return True
    lower = text.encode("utf-8", "surrogatepass").lower()
    if sum(map(lower.count, _NUMBER_WORD_BYTES)) < _SPELLED_MIN_WORDS:
        return False
    return sum(len(_NUMBER_WORD.findall(m.group(0))) for m in _NUMBER_TOKEN.finditer(text)) >= _SPELLED_MIN_WORDS


def _phones(text: str, regions: Sequence[str] = DEFAULT_PHONE_REGIONS) -> list[tuple[int, int]]:
    """Where the phone numbers are, as (start, end) in `text`, by format and context. Dates, times,
    prices, versions, ids and timestamps have the wrong digit count or grouping ("2026-07-06",
    "v3.12.1", "1720280000.123456"), or an identifier word before them ("order #123456789"); bare
    and national runs need a cue; office lines and dial-in numbers are left out.
    Example: "call +1 617 555 0134 or 617.555.0199" -> two spans.
    """
    text = _normalised(text)
    if not _may_hold_phone(text):
        return []
    regions = tuple(regions) or DEFAULT_PHONE_REGIONS
    if _digit_count(text) < _PHONE_MIN_DIGITS:  # number words only: nothing for the patterns to see
        return [span for span in _evasive_phones(text, regions) if not _is_office_line(text, span[0])]
    found: list[tuple[int, int]] = []
    taken = bytearray(len(text))

    def add(start: int, end: int) -> None:
        if not any(taken[start:end]):
            taken[start:end] = b"\x01" * (end - start)
            if not _is_office_line(text, start):
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
    for m in _PHONE_GROUPED.finditer(text):
        if _grouped_phone(text, m, regions):
            add(m.start(), m.end())
    for span in _evasive_phones(text, regions):
        add(*span)
    return sorted(found)

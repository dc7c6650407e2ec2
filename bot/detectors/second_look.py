"""A second look at a message the contact-details detector found nothing in, for the ways people hide
contact details from a bot on purpose. Each needs a contact cue, so that an ordinary message (a score, a
list, a spelling exercise) stays alone:

- **A number after a contact cue, however it is written**: the 20 or so characters after "text me",
  "my cell", "hmu", "digits r" ... read as digits, with number words ("five", "oh"), look-alike letters
  (I and l for 1, O for 0, S for 5, B for 8) and words glued to digits ("4one5") read as digits, and the
  words people put between the parts ("first half is", "then", "area code", "the rest is", "last
  four are") skipped; it counts when the digits make a valid number of one of the program's regions,
  or a possible one with a `00` or `+` country code.
- **Letters spaced out** ("s n a p : danny", "k a y l a . m 1 2 @ g m a i l . c o m", "@ nate . hoops"):
  the message is read again with the spaces taken out of such runs.
- **A username or friend code offered** where a platform is named ("signal me, username quietfox.07",
  "steam friend code 84729103").
- **Asking for someone else's contact** ("does anyone have priya's phone number").

Why: a participant who spaces out their number "so the bot can't read it" is exactly the contact the
policy forbids; the cue keeps a false alarm in front of a parent away."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

import phonenumbers

from bot.detectors.phone_numbers import _NUMBER_WORDS

#: What makes what follows a contact detail on offer.
_CUE = re.compile(
    r"\b(?:text|txt|call(?!\s+(?:it|out|on|roll|attendance|the|poison|campus|security|911|988))|cll|ring|ft|facetime|"
    r"hmu|hit\s+me\s+up|reach\s+me|my\s+(?:cell|number|num|digits|#|phone)|"
    r"(?:number|digits|cell|num|#)\s+(?:is|r|are|'s)|digits|text\s+it|numba)\b|(?<!\w)#(?=\s*(?:is|r)\b)",
    re.IGNORECASE,
)
#: How far after a cue the digits may run, and before a cue that comes after them ("... text it").
_AFTER = 70
_BEFORE = 50
#: Words people put between the parts of a number they cut up, skipped when reading it.
_FILLER = frozenset(
    [
        "is",
        "r",
        "are",
        "be",
        "then",
        "and",
        "the",
        "rest",
        "first",
        "second",
        "third",
        "half",
        "part",
        "last",
        "next",
        "me",
        "at",
        "on",
        "my",
        "cell",
        "number",
        "num",
        "digits",
        "it",
        "its",
        "it's",
        "u",
        "you",
        "text",
        "txt",
        "call",
        "hmu",
        "up",
        "hit",
        "ok",
        "so",
        "like",
        "um",
        "uh",
        "dots",
        "dashes",
        "after",
        "that",
        "ends",
        "with",
        "starts",
        "plus",
    ]
)
#: A number the first reading could read (written as phone numbers are): it decided about it already.
_WRITTEN_AS_A_NUMBER = re.compile(r"\d{3}[ .)-]{1,2}\d{3}[ .-]\d{4}|\+\d|\b1-8\d\d-")
#: A unit or count after the digits: a measurement, a score, a time, not a phone number.
_UNIT = frozenset(
    [
        "cm",
        "mm",
        "m",
        "km",
        "kg",
        "g",
        "lb",
        "lbs",
        "oz",
        "s",
        "sec",
        "secs",
        "seconds",
        "minutes",
        "mins",
        "min",
        "hours",
        "hrs",
        "points",
        "pts",
        "percent",
        "mph",
        "kph",
        "times",
    ]
)
#: "the last four are", "first three": counts of digits, not digits.
_COUNT_OF_DIGITS = re.compile(
    r"\b(?:last|first|next|final|other)\s+(?:one|two|three|four|five|six|seven)\b|\b(?:one|two|three|four)\s+digits\b",
    re.IGNORECASE,
)
#: Number words and the digits they stand for (the phone-number reader's own table).
_WORD_DIGITS = _NUMBER_WORDS
_LOOK_ALIKE = str.maketrans({"I": "1", "l": "1", "|": "1", "O": "0", "o": "0", "S": "5", "B": "8"})
_PIECE = re.compile(r"zero|oh|one|two|three|four|five|six|seven|eight|nine|\d|[IlOoSB|]", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z0-9|']+")
#: Runs of single characters spaced out: "s n a p", "k a y l a . m 1 2 @ g m a i l . c o m".
_SPACED = re.compile(r"(?<!\S)(?:[\w@.:_#+-] ){3,}[\w@.:_#+-](?!\S)")
_SPACED_PUNCTUATION = re.compile(r"(?<=\w) ?([.@]) (?=\w)|(?<=@) (?=\w)")
_USERNAME = re.compile(
    r"\b(?:user\s?name|handle|gamer\s?tag|ign|friend\s+code|tag)\s*(?:is|:|=|-|'s)?\s*@?(?P<name>[A-Za-z0-9][\w.#-]{2,31})",
    re.IGNORECASE,
)
_ASK_FOR_SOMEONES = re.compile(
    r"\b(?:have|got|know|get|send\s+me|give\s+me)\s+(?:\w+'s|his|her|their)\s+(?:phone\s+|cell\s+)?"
    r"(?:number|cell|digits|snap(?:chat)?|insta(?:gram)?|ig|discord|whatsapp|email|tiktok)\b",
    re.IGNORECASE,
)


#: A number spelled out needs words for its digits; one written with digits, a few of them at least.
_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_DIGITS_AT_LEAST = 3


def cued_numbers(text: str, regions: Sequence[str]) -> list[str]:
    """Numbers written to escape a bot, each as the text that holds it, where a contact cue offers them."""
    if sum(map(text.count, "0123456789")) < _DIGITS_AT_LEAST and sum(map(text.lower().count, _WORDS)) < 3:
        return []  # too few digits and no number word anywhere for a phone number: the common case
    found: list[str] = []
    for cue in _CUE.finditer(text):
        for window in (text[cue.end() : cue.end() + _AFTER], text[max(0, cue.start() - _BEFORE) : cue.start()]):
            if _number_in(window, regions):
                found.append(window.strip())
                break
    return found


def _number_in(window: str, regions: Sequence[str]) -> bool:
    """Whether the digits a window spells, its filler left out, are a phone number."""
    if _WRITTEN_AS_A_NUMBER.search(window):
        return False
    window = _AREA_CODE.sub(" ", _COUNT_OF_DIGITS.sub(" ", window))
    labelled = _LABEL_BEFORE_DIGITS.search(window)
    if labelled is not None:  # "call me when ur free:\n212 ...": what the cue offers starts after the label
        window = window[labelled.end() :]
    digits = ""
    for token in _TOKEN.findall(window):
        if token.lower() in _FILLER:
            continue
        spelled = _spelled(token)
        if spelled is None:
            if digits and token.lower() in _UNIT:
                return False
            break  # a word that is no digit: the number ended, or the cue introduced no number
        digits += spelled
        if len(digits) > 15:
            return False
    return not _counting(digits) and _is_phone(digits, tuple(regions))


_LABEL_BEFORE_DIGITS = re.compile(r"^[^\d:\n]{0,40}[:\n]+(?=\s*\S*\d)")
_AREA_CODE = re.compile(r"\barea\s+code\b", re.IGNORECASE)


def _counting(digits: str) -> bool:
    """Digits counted up or down ("1 2 3 4 5 6 7 8 9 10"): a sequence, not a number."""
    return digits in "12345678910111213" or digits in "10987654321"


def _spelled(token: str) -> str | None:
    """The digits a token spells ("4one5" 415, "six17" 617, "O134" 0134), or None for a word."""
    if token.lower() in _WORD_DIGITS:
        return _WORD_DIGITS[token.lower()]
    pieces = _PIECE.findall(token)
    if "".join(pieces).lower() != token.lower() or not any(p.isdigit() or len(p) > 1 for p in pieces):
        return None
    return "".join(_WORD_DIGITS.get(p.lower(), p.translate(_LOOK_ALIKE)) for p in pieces)


@lru_cache(maxsize=1024)
def _is_phone(digits: str, regions: tuple[str, ...]) -> bool:
    if len(digits) < 8 or len(set(digits)) < 3:
        return False
    if digits.startswith("00"):
        return _possible("+" + digits[2:])
    if len(digits) == 10 and ("US" in regions or "CA" in regions) and _NANP.match(digits):
        return True  # a North American number by its shape (555 numbers included: fiction or not)
    for region in regions:
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse(digits, region)):
                return True
        except phonenumbers.NumberParseException:
            continue
    return False


_NANP = re.compile(r"^[2-9]\d\d[2-9]\d{6}$")


def _possible(number: str) -> bool:
    try:
        return phonenumbers.is_possible_number(phonenumbers.parse(number, None))
    except phonenumbers.NumberParseException:
        return False


def unspaced(text: str, names_platform: Callable[[str], bool]) -> str | None:
    """The text with its spaced-out runs of letters closed up, and, where a platform or a mail
    service is named, its spaced dots and at signs too ("insta is @ nate . hoops", "my gmail is sunny
    dot rivera"); None when nothing closed up."""
    closed = _SPACED.sub(lambda m: m.group(0).replace(" ", ""), text) if _SPACED.search(text) else text
    spaced_marks = "@ " in closed or " ." in closed or " dot " in closed.lower()
    if spaced_marks and (names_platform(closed.replace("@", " ")) or _MAIL.search(closed)):  # an @ alone names none
        closed = _SPACED_PUNCTUATION.sub(lambda m: m.group(1) or "", closed)
        closed = _SPOKEN_DOT.sub(".", closed)
    return closed if closed != text else None


_MAIL = re.compile(r"\b(?:e-?mail|gmail|yahoo|hotmail|outlook|icloud|proton(?:mail)?|aol)\b", re.IGNORECASE)


_SPOKEN_DOT = re.compile(r"(?<=\w)\s+dot\s+(?=\w)", re.IGNORECASE)


def offered_usernames(text: str, names_platform: Callable[[str], bool]) -> list[str]:
    """Usernames and friend codes offered where a platform is named."""
    low = text.lower()
    if not any(word in low for word in ("user", "handle", "tag", "ign", "code")):
        return []
    offered = [m.group(0) for m in _USERNAME.finditer(text) if not m.group("name").isalpha() or "." in m.group("name")]
    return offered if offered and names_platform(text) else []


def asks_for_someones(text: str) -> list[str]:
    """Asking for another person's number, email or handle: "does anyone have priya's number?"."""
    if "'s " not in text and not any(word in text for word in (" his ", " her ", " their ")):
        return []
    return [m.group(0) for m in _ASK_FOR_SOMEONES.finditer(text)]

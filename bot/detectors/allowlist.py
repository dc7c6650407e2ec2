"""Contact details that are never off-platform contact: the program's `allowed_contacts`, its
`safety_contact`, and the built-in crisis and safety lines.

Why: a mentor who posts the program office's number, Poison Control or 988 in front of a minor is
doing what the policy asks; warning them about it (in front of a parent) is a false alarm. The
lines below are data: one place to add a line. Numbers are compared in E.164 ("+18002221222"),
addresses in lower case. Short service numbers (988, 911, 112, 999, 741741) are never reported at
all: no phone pattern finds fewer than eight digits."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

import phonenumbers

from bot.model import DEFAULT_PHONE_REGIONS

#: Crisis, emergency and child-safety lines people are told to call; E.164 where they have a full
#: number. US lines unless named otherwise.
CRISIS_LINES: dict[str, str] = {
    "+18002738255": "988 Suicide & Crisis Lifeline (its former number)",
    "+18002221222": "Poison Control",
    "+18004224453": "Childhelp National Child Abuse Hotline",
    "+18664887386": "The Trevor Project",
    "+18008435678": "NCMEC (National Center for Missing & Exploited Children)",
    "+18006624357": "SAMHSA National Helpline",
    "+18007997233": "National Domestic Violence Hotline",
    "+18006564673": "RAINN National Sexual Assault Hotline",
    "+18004483000": "Boys Town National Hotline",
    "+18006686868": "Kids Help Phone (Canada)",
    "+448001111": "Childline (UK)",
}
#: Service numbers too short to be found as phone numbers; listed so an administrator reading this
#: module sees them: 988 (US crisis line), 911/112/999 (emergency), 741741 (Crisis Text Line:
#: "text HOME to 741741"), 678678 (Trevor Project text line), 116111 (EU child helpline).
SHORT_SERVICE_NUMBERS = ("988", "911", "112", "999", "000", "741741", "678678", "116111", "116123")

_EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


@lru_cache(maxsize=256)
def _allowed_set(allowed: tuple[str, ...], regions: tuple[str, ...]) -> frozenset[str]:
    """Every allowed value as it is compared: E.164 numbers and lower-case addresses. A value may
    be free text ("Campus safety office, 617-253-1212"): each number and address in it counts."""
    values: set[str] = set(CRISIS_LINES)
    for item in allowed:
        if not isinstance(item, str) or not item.strip():
            continue
        values.update(m.group(0).lower() for m in _EMAIL_IN_TEXT.finditer(item))
        if item.strip().startswith("+") or item.strip()[:1].isdigit():
            number = e164(item.strip(), regions)
            if number:
                values.add(number)
                continue
        for region in regions:
            for match in phonenumbers.PhoneNumberMatcher(item, region):
                values.add(phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164))
    return frozenset(values)


def e164(number: str, regions: Sequence[str] = DEFAULT_PHONE_REGIONS) -> str | None:
    """A written phone number as E.164, read with its country code ("+", "00") or in the first of
    `regions` where it is a valid number (else the first where it parses); None when it parses in
    none."""
    digits = "".join(c for c in number if c.isdigit())
    text = "+" + digits[2:] if number.lstrip().startswith("00") else number
    valid = valid_e164(text, regions)
    if valid is not None:
        return valid
    for region in regions or DEFAULT_PHONE_REGIONS:
        try:
            return phonenumbers.format_number(phonenumbers.parse(text, region), phonenumbers.PhoneNumberFormat.E164)
        except phonenumbers.NumberParseException:
            continue
    return None


def valid_e164(text: str, regions: Sequence[str] = DEFAULT_PHONE_REGIONS) -> str | None:
    """A phone number written in one of `regions`' formats (or with its `+` country code), as
    E.164; None when it is no valid number in any of them."""
    for region in regions or DEFAULT_PHONE_REGIONS:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def is_allowed(kind: str, value: str, allowed: Iterable[str], regions: Sequence[str]) -> bool:
    """Whether a found phone number or email address is one staff may share: in `allowed` (the
    program's allowed contacts and safety contact) or a built-in crisis line."""
    values = _allowed_set(tuple(a for a in allowed if isinstance(a, str)), tuple(regions or DEFAULT_PHONE_REGIONS))
    if kind == "email":
        return value.strip().lower() in values
    if kind == "phone":
        number = e164(value, regions)
        return number is not None and number in values
    return False

"""Phone numbers and the allowlist: Unicode separators, the "00" prefix, groupings libphonenumber
knows, teens' cues, deliberate evasion next to contact words, dial-in numbers of every major meeting
service, office lines, crisis lines and the program's allowed contacts (the corpus
contact-phones.jsonl measures them by category; these pin the exact values and the rules)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.detectors import ContactDetail, find_contact_details
from bot.detectors.allowlist import e164, is_allowed
from bot.detectors.phone_numbers import _normalised, _phones

MIT = ("mit.edu",)


def phone(value):
    return ContactDetail("phone", value)


FIRES = [
    pytest.param("text me at 617–555–0134", "617–555–0134", id="en-dashes"),
    pytest.param("call 617‑555‑0134", "617‑555‑0134", id="non-breaking-hyphens"),
    pytest.param("my cell is ６１７-５５５-０１３４", "６１７-５５５-０１３４", id="fullwidth-digits"),
    pytest.param("call me on 0044 7700 900123", "0044 7700 900123", id="international-00"),
    pytest.param("my cell 617/555-0134", "617/555-0134", id="slash"),
    pytest.param("call me 617-5550134", "617-5550134", id="three-seven"),
    pytest.param("ring me at 617 555 01 34", "617 555 01 34", id="pairs-at-the-end"),
    pytest.param("hmu 617 555 0134", "617 555 0134", id="hmu"),
    pytest.param("ft me later 6175550134", "6175550134", id="ft-me"),
    pytest.param("my # is 617 555 0134", "617 555 0134", id="my-hash"),
    pytest.param(
        "text me six one seven five five five zero one three four",
        "six one seven five five five zero one three four",
        id="spelled-out",
    ),
    pytest.param("my number is 617 555 O134", "617 555 O134", id="letter-o"),
    pytest.param("text me: 6 1 7 5 5 5 0 1 3 4", "6 1 7 5 5 5 0 1 3 4", id="every-digit-spaced"),
    pytest.param("my number starts 617 555 ... and then 0134", "617 555 ... and then 0134", id="split"),
    pytest.param("Meeting ID: 912 3456 7890. Text me at 617-555-0134", "617-555-0134", id="cue-after-meeting-id"),
    pytest.param("my office number is 617-555-0134", "617-555-0134", id="my-office-is-personal"),
    pytest.param("my # is 7I8 555 O166", "7I8 555 O166", id="letters-for-one-and-zero"),
    pytest.param(
        "text me eight5seven fivefive5 zero1four2", "eight5seven fivefive5 zero1four2", id="digits-and-words-glued"
    ),
    pytest.param(
        "call me 857 five five five, last four are oh one four two",
        "857 five five five, last four are oh one four two",
        id="parts-named-in-words",
    ),
    pytest.param(
        "my number starts with 781-555 and then\nthe rest is 0166",
        "781-555 and then\nthe rest is 0166",
        id="split-across-a-line",
    ),
    pytest.param("msg me on 00447700900456", "00447700900456", id="00-without-spaces-possible-with-cue"),
    pytest.param("text it: 61 75 55 01 34", "61 75 55 01 34", id="pairs-with-text-it"),
]

SILENT = [
    pytest.param("Join by phone\n(US) +1 347-555-0199 PIN: 123 456 789#", id="google-meet"),
    pytest.param("Or call in (audio only)\n+1 323-555-0134,,123456789#   United States, Los Angeles", id="teams"),
    pytest.param("Join by phone\n+1-408-555-0100 United States Toll\nAccess code: 2345 678 9012", id="webex"),
    pytest.param("You can also dial in using your phone.\nUnited States: +1 (571) 317-3122", id="gotomeeting"),
    pytest.param("To join by phone dial +1 415 555 0132 and enter 987 654 321#", id="dial-after-heading"),
    pytest.param("Join by video system\nDial 25531234567@mit.webex.com", id="webex-video-system-address"),
    pytest.param("Dial by your location\n" + "• +1 646 931 3860 US\n" * 20, id="zoom-bridges-beyond-the-heading"),
    pytest.param("Campus police: 617-253-1212", id="campus-police"),
    pytest.param("Call the program office at (617) 253-1000", id="program-office"),
    pytest.param("call Poison Control at 1-800-222-1222", id="poison-control"),
    pytest.param("Trevor Project: 1 866 488 7386", id="trevor-project"),
    pytest.param("call or text 988, or text HOME to 741741", id="short-crisis-lines"),
    pytest.param("The team scored six one seven points", id="number-words-without-cue"),
    pytest.param("count down: five four three two one zero", id="countdown"),
    pytest.param("the sequence is 1 2 3 4 5 6 7 8 9 10, call it out", id="consecutive-digits"),
    pytest.param("the answers are 617 and 555, and then 0134 for the bonus", id="split-without-cue"),
    pytest.param("Scores ５ – ３, pages 120–135", id="fullwidth-scores"),
    pytest.param("ok everyone count with me: one two three four five six seven eight nine ten!", id="counting"),
    pytest.param(
        "we scored 617 points and then the other cabin got 555, text me if 1034 is the record", id="scores-cut"
    ),
    pytest.param("Wi-Fi code is 7I8O555O166, ask me if it doesn't work", id="code-with-letters"),
    pytest.param("your order 00447700900456 has shipped", id="00-order-number"),
    pytest.param("lol lol lol text me, it's 5 past 10", id="lol-is-no-number"),
]


@pytest.mark.parametrize(("text", "value"), FIRES)
def test_phone_numbers_fire(text, value):
    assert find_contact_details(text, MIT) == [phone(value)]


@pytest.mark.parametrize("text", SILENT)
def test_phone_numbers_stay_silent(text):
    assert find_contact_details(text, MIT) == []


def test_a_region_reads_its_own_national_groupings():
    assert find_contact_details("07911-123456 for the shop", regions=("GB",)) == [phone("07911-123456")]
    assert find_contact_details("07911-123456 for the shop", regions=("US",)) == []


@pytest.mark.parametrize(
    ("text", "allowed"),
    [
        pytest.param("call 617-253-4736", ["+16172534736"], id="e164"),
        pytest.param("call 617-253-4736", ["(617) 253-4736"], id="written-number"),
        pytest.param("call +1 617 253 4736", ["Dana Lee, EHS, 617-253-4736"], id="free-text-safety-contact"),
        pytest.param("write to EHS.Camp@gmail.com", ["ehs.camp@gmail.com"], id="email-any-case"),
    ],
)
def test_allowed_contacts_are_not_reported(text, allowed):
    assert find_contact_details(text, MIT) != []
    assert find_contact_details(text, MIT, allowed=allowed) == []


def test_an_allowed_number_does_not_hide_another():
    text = "office 617-253-1000, my cell 617-555-0134"
    assert find_contact_details(text, MIT, allowed=["+16172531000"]) == [phone("617-555-0134")]


def test_allowlist_reads_numbers_as_e164():
    assert e164("0044 20 7946 0958") == "+442079460958"
    assert e164("(617) 253-1000", ("US",)) == "+16172531000"
    assert e164("not a number") is None
    assert is_allowed("phone", "1-800-222-1222", (), ("US",))
    assert not is_allowed("handle", "+16172531000", ("+16172531000",), ("US",))


def test_slack_mailto_does_not_defeat_the_git_remote_guard():
    text = "git clone <mailto:git@github.com|git@github.com>:org/repo.git"
    assert find_contact_details(text, MIT) == []
    assert find_contact_details("<mailto:kid@gmail.com|kid@gmail.com>: my email", MIT) != []


UNICODE_TEXT = st.text(
    alphabet=st.sampled_from(list("0123456789 -.()/+#:Oo") + list("–—‑−０１２３４５６７８９\u00a0ﬁ①é🙂") + ["\n"]),
    max_size=60,
)
WORDS = st.sampled_from(
    [
        "text",
        "me",
        "call",
        "my",
        "number",
        "is",
        "hmu",
        "cell",
        "#",
        "six",
        "one",
        "seven",
        "five",
        "zero",
        "oh",
        "two",
        "nine",
        "and",
        "then",
        "...",
        "617",
        "555",
        "0134",
        "+1",
        "00",
        "44",
        "20",
        "7946",
        "0958",
        "Join",
        "by",
        "phone",
        "PIN:",
        "access",
        "code",
        "police",
        "office",
        ":",
        ",",
        ".",
    ]
)


@settings(max_examples=300, deadline=None)
@given(UNICODE_TEXT)
def test_normalisation_never_raises_and_keeps_positions(text):
    normal = _normalised(text)
    assert len(normal) == len(text)
    assert all(0 <= start < end <= len(text) for start, end in _phones(text))


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, max_size=20).map(" ".join))
def test_removing_the_digits_never_finds_more(text):
    without_digits = "".join(c for c in text if not c.isdigit())
    assert len(_phones(without_digits)) <= len(_phones(text))

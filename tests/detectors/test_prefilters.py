"""The detectors' quick checks (a message with no platform name, too few digits or no hazard word is
passed over with one cheap search) must never change a verdict: with them switched off, every
detector says exactly the same, on the corpora and on generated text built from the words the
detectors look for, in any case, with the characters that case-insensitive matching treats as
ASCII letters ("ſ", "K", "ı", "İ")."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.detectors import (
    contact_details,
    find_contact_details,
    find_hazardous_activity,
    hazardous_activity,
    phone_numbers,
)
from tests.detectors.test_contact_details import FIRES as CONTACT_FIRES
from tests.detectors.test_contact_details import SILENT as CONTACT_SILENT
from tests.detectors.test_hazardous_activity import FIRES as HAZARD_FIRES
from tests.detectors.test_hazardous_activity import SILENT as HAZARD_SILENT

#: Each quick check, in the module whose detector calls it: switching it off there is what takes effect.
GATES = (
    (phone_numbers, "_may_hold_phone"),
    (contact_details, "_may_name_platform"),
    (contact_details, "_may_hold_email"),
    (contact_details, "_may_ask"),
    (phone_numbers, "_may_be_personal"),
    (hazardous_activity, "_may_hold_term"),
)

WORDS = """bleach ammonia mix heat sulfuric acid acids citric lye sodium hydroxide thermite bomb bombs bath
peroxide hydrogen concentrated 35% bacteria petri dish agar mold mould spores grow culture dead bird
americium smoke detector open uranium glass cobalt-60 power drill drill your 's soldering iron solder
oven stove blender the microwave weld dry ice liquid nitrogen lithium battery button copper sulfate
lead weights mercury sodium metal acetone paint thinner pool shock chlorine tablets muriatic 35% 10 %
lantern mantles fiestaware germs blood pressure agar plate simulation candle lighter hot glue gun
e. coli e.coli x-acto drain cleaner acid-base at home tonight in your kitchen let's you can how to don't never
my snapchat snap insta instagram ig is : @kid alex.cool22 kid#1234 discord whatsapp me telegram X x
LINE line ID signal skype skype:kid.22?call add dm on text call me at sc - jomiller what's your ur do you
have drop are u ? i'm as jo.bsky.social Threads steam gmail yahoo icloud outlook (at) @ . dot jo m 22
@jo@mastodon.social git@github.com :org/repo <mailto:jo@gmail.com|jo@gmail.com> +44 20 7946 0958 617-555-0134
(617) 555-0134 6175550134 07946 095812 1 2 3 0 kid123@gmail.com kid at gmail dot com [at] [dot]
e-mail ß é 🙂 can i get number cell mobile phone # digits email personal not the school one is it ok if
just texted you instead mind shoot a 7I8 O166 six17 fivefive5 o1three4 first last four are oh and then
rest 0134 555 617 00447700900456 61 75 55 01 34 text it dc: luna_rae mine hotmail: kayla_2010 GroupMe
Jordan P. never share""".split()  # noqa: SIM905 (a word list reads better as text)
SEPARATORS = st.sampled_from(["", " ", "  ", ".", ", ", "\n", ": ", "-", "/", "'", "!"])


def look_alike(word: str) -> str:
    """The word with the letters IGNORECASE also matches by other characters: ſ, K, ı, İ."""
    return word.translate(str.maketrans({"s": "ſ", "k": "\u212a", "i": "ı", "I": "İ"}))


@st.composite
def detector_text(draw) -> str:
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=14))
    out = []
    for word in words:
        case = draw(st.sampled_from([str, str.upper, str.title, look_alike]))
        out.append(case(word) + draw(SEPARATORS))
    return "".join(out)


def verdicts(text: str) -> tuple:
    return find_contact_details(text, ("mit.edu",)), find_hazardous_activity(text)


def gated_to(answer: bool, text: str) -> tuple:
    with pytest.MonkeyPatch.context() as patched:
        for module, gate in GATES:
            patched.setattr(module, gate, lambda *_: answer)
        return verdicts(text)


def ungated(text: str) -> tuple:
    return gated_to(True, text)


CORPUS = [case.values[0] for case in CONTACT_FIRES + HAZARD_FIRES + CONTACT_SILENT + HAZARD_SILENT]


@pytest.mark.parametrize("text", CORPUS)
def test_the_quick_checks_change_no_verdict_on_the_corpora(text):
    assert verdicts(text) == ungated(text)


@settings(max_examples=400, deadline=None)
@given(detector_text())
def test_the_quick_checks_change_no_verdict_on_generated_text(text):
    assert verdicts(text) == ungated(text)


def test_the_quick_checks_do_pass_over_ordinary_text():
    """They are not vacuous: an ordinary message is passed over by every one of them."""
    text = "Can we go over problem 3 again on Tuesday at 3:30?"
    assert not any(getattr(module, gate)(text) for module, gate in GATES)
    assert all(
        getattr(module, gate)(sample)
        for (module, gate), sample in zip(
            GATES,
            ("call 617-555-0134", "my Insta", "jo at gmail", "what's ur cell", "text me", "ſulfuric acid"),
            strict=True,
        )
    )


def test_the_hazard_terms_quick_check_is_on():
    """The trie of the terms' first characters is built (Python's parser read as expected), and it
    passes over an ordinary message without the full search."""
    assert hazardous_activity._ANY_PREFIX is not None
    assert hazardous_activity._ANY_PREFIX.search("can we go over problem 3 again on tuesday?") is None
    assert hazardous_activity._ANY_PREFIX.search("grab some dry\u00a0ice") is not None


def test_switching_the_quick_checks_reaches_the_detectors():
    """The comparisons above mean something only if the patched checks are the ones the detectors
    call: with every check answering "no", a text that fires on each is passed over."""
    text = "text me at 617-555-0134, my snapchat is alex.cool22. Tonight, mix bleach and ammonia in your kitchen"
    contacts, hazards = verdicts(text)
    assert [detail.kind for detail in contacts] == ["phone", "handle"] and hazards
    assert gated_to(False, text) == ([], [])


@settings(max_examples=600, deadline=None)
@given(detector_text())
def test_each_quick_check_lets_through_whatever_its_patterns_match(text):
    """Checked against the patterns themselves, not only the verdicts built on them."""
    if not hazardous_activity._may_hold_term(text):
        assert not any(pattern.search(text) for pattern, *_ in hazardous_activity._TERMS)
    handle_patterns = (
        contact_details._MY_HANDLE,
        contact_details._LABELLED_HANDLE,
        contact_details._PLATFORM_THEN_HANDLE,
        contact_details._HANDLE_ON_PLATFORM,
        contact_details._CONTACT_INVITE,
        contact_details._PLATFORM_VERB,
        contact_details._ASK_HANDLE,
        contact_details._MY_NAME_ON,
        contact_details._SWAP_HANDLES,
        contact_details._PROPOSED_CALL,
        contact_details._ASK_AT,
        contact_details._INVITE_THERE,
        contact_details._HANDLE_AFTER_PLATFORM,
        contact_details._BLUESKY_HANDLE,
        contact_details._SKYPE_URI,
        contact_details._DISPLAY_NAME_ON,
    )
    if not contact_details._may_name_platform(text):
        assert not any(pattern.search(text) for pattern in handle_patterns)
    email_patterns = (
        contact_details._EMAIL,
        contact_details._FEDIVERSE,
        contact_details._MY_MAIL,
        contact_details._MAIL_ASK,
        contact_details._LABELLED_MAIL,
    )
    if not contact_details._may_hold_email(text):
        assert not any(pattern.search(text) for pattern in email_patterns)
        assert not contact_details._spelled_emails(text, ())
    if not contact_details._may_ask(text):
        asks = (contact_details._NUMBER_ASK, contact_details._PERSONAL_MAIL_ASK, contact_details._TEXT_ASK)
        assert not any(pattern.search(text) for pattern in asks)
    if not phone_numbers._may_be_personal(text):
        assert not phone_numbers._PERSONAL.search(text)

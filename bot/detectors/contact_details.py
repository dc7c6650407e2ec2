"""The contact-details detector: phone numbers (found by `phone_numbers`), personal email addresses,
and messaging or social handles and links, in a message's text.

Handles and links are read against one table, `PLATFORMS`: each platform's names as people write
them, the short forms teens use ("sc", "ig", "tt"), the names that are also ordinary words ("signal",
"steam", "dc"), and the links that reach a person on it (profiles and invitations, group-chat invites
included: chat.whatsapp.com, discord.gg, t.me/+..., groupme.com/join_group, signal.group). Adding a
platform is adding a row there; every pattern reads its names from the table.

What counts as a handle: a username offered ("my insta is @x", "sc - jomiller", "i'm jo_m22 on
discord", "add me on snap, it's jo.m22"), an invitation to a platform ("add me on discord", "hmu on
snap", "whatsapp me"), a profile or invitation link, and asking someone for theirs ("what's your
snap?", "do you have insta", "drop your discord"): asking a minor for a handle is the first step of
moving contact off the program's spaces. A short form as a label counts with a made-up username ("dc:
luna_rae", "ig mine is @x"), and so does a display name on an app that shows people by name ("my
GroupMe is Jordan P."). What does not: a platform talked about ("Discord is blocked at school",
"TikTok trends essay"), the program's own accounts ("follow us on Instagram @mitcamp"), content links
(a post, a video), a survey question ("Do you have TikTok? If so, ..."), asks addressed to nobody in
particular ("does anyone use Discord?"), Slack mentions and code.

What counts as an ask for a number or a text: "can i get ur number so we can ...", "what's your
cell?", "do you have a number I can text?", "is it ok if I just text you instead?". Not: the office
number, the Zoom link, "ask your parents for their number for the permission slip" (a guardian's
number, for the program's paperwork), "drop your answers", "never share your phone number".

What counts as an email: an address at any domain but the institution's, written plainly (Slack's
mailto links included), spaced or spelled out ("jo m 22 at gmail dot com", "jo.m22 (at) yahoo"), named
by its mail service ("my gmail is jomiller22", "hotmail: kayla_2010"), or asked for ("what's your
gmail?", "send me your email, the personal one"; a bare "what's your email?" is left alone). A git
remote ("git@github.com:org/repo.git", with or without Slack's mailto wrapping), a no-reply or role
address ("info@", "support@"), a file name ("icon@2x.png") and documentation domains (example.com) are
not personal addresses."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.detectors.access_info import MEETING_HOSTS
from bot.detectors.allowlist import is_allowed
from bot.detectors.phone_numbers import _phones
from bot.detectors.second_look import asks_for_someones, cued_numbers, offered_usernames, unspaced
from bot.detectors.text import _SPACES, _digits, _mask, _on, _plain, _split_url, _urls, _words
from bot.model import DEFAULT_PHONE_REGIONS


@dataclass(frozen=True, slots=True)
class ContactDetail:
    """One way to reach someone outside the program's spaces, as it appeared in a message."""

    kind: str  # "phone" | "email" | "handle" | "link"
    value: str  # the text that matched, as it appeared (used as incident evidence)
    platform: str = ""  # for handles and links: "whatsapp", "snapchat", "zoom-personal"…; "" otherwise


_Found = tuple[int, int, ContactDetail]


# --- words that are not usernames ------------------------------------------------------------------

#: File names look like addresses ("icon@2x.png"); these endings are files, not domains.
_FILE_SUFFIXES = _words(
    "png jpg jpeg gif svg webp heic bmp tif tiff ico pdf js ts jsx tsx css scss py rb go rs java kt swift "
    "php sh md txt html htm json xml yml yaml toml ini cfg csv log lock mp3 mp4 mov wav doc docx xls xlsx "
    "ppt pptx"
)

#: Words that follow "my instagram is" or "i'm ... on discord" in ordinary sentences and are not usernames.
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
    mainly where's what's it's i'm stuck bored live famous popular viral known verified big rarely barely
    hardly often again already around away home school class camp late early ugly pretty sus mid goated
    awesome amazing terrible horrible awful sad happy mad glad sorry sure right wrong true false real fake
    safe unsafe illegal allowed legal same one two three four five first last next him her them me us you
    we they i he she addicted obsessed way much many lots lot dumb stupid smart easy hard tough rough
    average normal strange faster slower cheaper harder easier older younger stronger weaker afk ready
    level logged signed"""
)
_NOT_HANDLE_SUFFIXES = ("ing", "ed", "ly", "ful", "less", "ous", "ive", "able", "ible", "ness")
_MASS_MENTIONS = frozenset({"@here", "@channel", "@everyone"})
#: Numbers with a unit or a time, versions, abbreviations: shaped like usernames, never one.
_NOT_HANDLE_SHAPES = re.compile(
    r"\d+(?:st|nd|rd|th|am|pm|a|p|k|m|min|mins|h|hr|hrs|s|sec|d|x|gb|mb|fps|p|v|yo|yrs?|lbs?|kg|cm|mm|ft|in)"
    r"|v?\d+(?:\.\d+)+\w?|(?:e\.g|i\.e|a\.m|p\.m|u\.s|etc|vs)\.?|[A-Za-z]\d{1,3}",
    re.IGNORECASE,
)


def _is_word(token: str) -> bool:
    """An ordinary word, not a username: in the list above, or an adjective- or verb-like ending."""
    low = token.lower()
    return low in _NOT_HANDLES or (len(low) > 4 and low.endswith(_NOT_HANDLE_SUFFIXES))


def _shaped_like_handle(token: str) -> bool:
    """A made-up word: "@jo", "jo_m22", "jo.m", "jo#1234", "live:jo" (not "3pm", "v2.1", "e.g.")."""
    bare = token.lstrip("@")
    if token.startswith("@") or bare.startswith(("live:", "u/")):
        return True
    if bare.rpartition(".")[2].lower() in _FILE_SUFFIXES:
        return False  # "solution_v2.py" is a file
    return any(c.isdigit() or c in "_.#" for c in bare) and not _NOT_HANDLE_SHAPES.fullmatch(bare)


def _looks_like_handle(token: str, strict: bool) -> bool:
    """True when a word after "my snapchat is" or "snap:" is plausibly a username.

    Strict (after a name that is also an ordinary word, or a label with a colon): it must look made
    up, with "@", a digit, "_", "." or "#". Otherwise any word will do except common English words and
    adjectives ("my instagram is private", "my discord is lagging").
    Example: "alex.cool22" yes; "coolkid" only when not strict; "down" never.
    """
    bare = token.lstrip("@")
    if token.lower() in _MASS_MENTIONS or len(bare) < 3 or _key(bare) in _PLATFORM_BY_NAME:
        return False  # "IG: Instagram" names a platform, not a user
    if not any(c.isalpha() for c in bare):
        # "Signal: 5.2 dB", "snap: 2 points": a number is a handle only when it is a phone number.
        return len(_digits(bare)) >= 7
    if _shaped_like_handle(token):
        return True
    return not strict and not _is_word(bare)


_CLAUSE_END = re.compile(
    r"\s*(?:$|[\n,;|)!?.]|[-–—]\s|\s(?:or|and|lol|lmao|haha|pls|plz|please|thx|thanks|if|so|btw|too|"
    r"add|follow|hmu|dm|text|there|rn)\b|\s*[^\w\s])",
    re.IGNORECASE,
)
_CLAUSE_START_WORDS = _words("and or also plus then")


def _at_clause_start(text: str, start: int) -> bool:
    """Whether `start` begins a clause: the text's start, or after a line break or punctuation."""
    before = text[max(0, start - 40) : start].rstrip()
    if not before or before[-1] in "\n,;:|/(•*-–—.!?>":
        return True
    return before.rsplit(None, 1)[-1].lower() in _CLAUSE_START_WORDS


def _ends_clause(text: str, end: int) -> bool:
    """Whether the clause ends at `end`: a username stands alone ("sc - jomiller, ig jo.m")."""
    return _CLAUSE_END.match(text, end) is not None


# --- email addresses -------------------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![\w.%+@-])[A-Za-z0-9][A-Za-z0-9._%+-]*@(?P<domain>(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})"
    r"(?![\w-]|\.[A-Za-z0-9]|:[\w/~])"
)
#: After an address, ":org/repo": a git remote ("git@github.com:org/repo.git"), also when Slack has
#: wrapped the address in a mailto link and the path comes after the link.
_GIT_PATH = re.compile(r"\s*:[\w~.-]*/")
_GIT_HOSTS = (
    "github.com",
    "gitlab.com",
    "bitbucket.org",
    "codeberg.org",
    "ssh.dev.azure.com",
    "vs-ssh.visualstudio.com",
)
_TLDS = r"(?:com|org|net|edu|gov|io|co|me|info|biz|us|uk|ca|au|de|fr|in|app|dev|ai)"
#: Mail services whose name alone, after "at", is an address's domain ("jo.m22 (at) yahoo").
_WEBMAIL = r"(?:gmail|googlemail|yahoo|ymail|hotmail|icloud|aol|proton\s?mail|proton|gmx|outlook)"
#: Mail services people have personal addresses at: an address spelled out there needs no cue.
_PERSONAL_MAIL_DOMAINS = _words(
    "gmail googlemail yahoo ymail hotmail outlook live msn icloud me mac aol protonmail proton pm gmx "
    "mail zoho yandex comcast verizon att qq 163"
)
_SPELLED_AT = re.compile(
    r"(?P<at>\s*[\[({<]\s*(?:at|@)\s*[\])}>]\s*|\s+at\s+|\s+@\s*|\s*@\s+|(?P<on>\s+on\s+)|(?P<bare>(?<=\w)@(?=\w)))",
    re.IGNORECASE,
)
_DOT = r"(?:\s*[\[({<]\s*(?:dot|\.)\s*[\])}>]\s*|\s+dot\s+|\s*\.\s*)"
_SPELLED_DOMAIN = re.compile(
    rf"(?P<domain>[A-Za-z0-9-]+(?:{_DOT}[A-Za-z0-9-]+)*?{_DOT}{_TLDS})(?![\w]|\.\w)|(?P<webmail>{_WEBMAIL})(?![\w@]|\.\w)",
    re.IGNORECASE,
)
_SPELLED_DOT = re.compile(_DOT, re.IGNORECASE)
_PLAIN_DOMAIN = re.compile(r"[A-Za-z0-9.-]+")
#: Up to three words before "at": "jo m 22 at gmail dot com" has a spaced local part.
_LOCAL_BEFORE = re.compile(
    r"(?:^|(?<=[\s:(\"']))((?:[A-Za-z0-9][A-Za-z0-9._%+-]*\s+){0,3}[A-Za-z0-9][A-Za-z0-9._%+-]*)$"
)
_LOCAL_STOP = _NOT_HANDLES | _words(
    "email e-mail mail address addy contact reach write personal is at me us it's its hi hey thanks thank cc ping"
)
_EMAIL_CUE = re.compile(r"\b(?:e-?mail|mail|contact|reach|write|addy|address)\b", re.IGNORECASE)
#: "my gmail is jomiller22", "hit my icloud jo.m22", "my yahoo: jo_m".
_MY_MAIL = re.compile(
    rf"\b(?:my|mine'?s?|on|via)\s+(?:personal\s+|other\s+|main\s+|new\s+)?(?P<provider>{_WEBMAIL})"
    r"(?:\s+(?:address|addy|acct|account|e-?mail|mail|id|username))?(?P<sep>\s*(?:is|'s|:|=|-|–|—)\s*|\s*,\s*|\s+)"
    r"(?:just\s+)?(?P<handle>[A-Za-z0-9][A-Za-z0-9._%+-]{1,40}[A-Za-z0-9])(?![\w@]|[.-]\w)",
    re.IGNORECASE,
)
_ASK_END = (
    r"(?=\s*(?:[?!.]|$)|\s+(?:too|tho|again|rn)\s*(?:[?!.,]|$)|\s*[^\w\s,'\"&(-]"
    r"|\s*,?\s+(?:so|then|lol|lmao|haha|pls|plz|please|bro|btw|in\s+case|and\s+(?:i|i'?ll|ill|we|u|you)|"
    r"dude|girl|real\s+quick|i|i'?ll|ill|we|here|below|to\s+me|in\s+(?:the\s+)?(?:chat|dms?|thread|gc|here)|"
    r"add\s+me|hmu|dm\s+me|follow\s+me)\b"
    r"|\s+or\s+\w+\s*(?:\?|$)|\s+right\s*\?)"
)
#: "what's your gmail?", "send me your personal email".
_MAIL_ASK = re.compile(
    r"\b(?:what'?s|whats|what\s+is|wats|drop|send|give|gimme|share|dm|can\s+i\s+(?:get|have)|could\s+i\s+(?:get|have))"
    rf"\s+(?:me\s+)?(?:your|ur)\s+(?:personal\s+e-?mail(?:\s+address)?|{_WEBMAIL}(?:\s+(?:address|addy))?){_ASK_END}",
    re.IGNORECASE,
)
#: "@jo@mastodon.social": a fediverse address, a handle (not an email: it starts with "@").
_FEDIVERSE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_]{1,30}@(?P<domain>(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})(?![\w-]|\.\w)")
#: The characters case-insensitive matching reads as ASCII letters ("ſ" as "s"): a text with one of
#: them is checked by pattern, not by the quick substring checks.
_LOOK_ALIKES = ("ſ", "\u212a", "ı", "İ")
_MAIL_WORDS = ("dot", "gmail", "googlemail", "yahoo", "ymail", "hotmail", "icloud", "aol", "proton", "gmx", "outlook")
_BRACKETED_AT = re.compile(r"[\[({<]\s*at\s*[\])}>]", re.IGNORECASE)
_AT_A_DOMAIN = re.compile(rf"at\s+[A-Za-z0-9-]+(?:\s*\.\s*[A-Za-z0-9-]+)*?\s*\.\s*{_TLDS}(?!\w)", re.IGNORECASE)
_MAY_HOLD_EMAIL = re.compile(
    rf"@|dot|{_WEBMAIL}|personal\s+e-?mail|{_BRACKETED_AT.pattern}|{_AT_A_DOMAIN.pattern}", re.IGNORECASE
)
#: RFC 2606 names: documentation examples, never anyone's real address.
_RESERVED_DOMAINS = tuple(_words("example.com example.org example.net example test invalid localhost local"))
#: Video systems' dial strings ("25531234567@mit.webex.com" in a Webex invitation): they join a
#: meeting, they reach nobody.
_MEETING_DOMAINS = (*MEETING_HOSTS, "zoomcrc.com", "t.plcm.vc", "pexip.me")
#: Addresses nobody reads: no way to contact anyone.
_NO_REPLY = re.compile(r"^(?:no-?reply|do-?not-?reply|mailer-daemon|postmaster)\b", re.IGNORECASE)
#: Placeholders in examples and code ("test@test.com", "your.name@domain.com"): nobody's address.
_PLACEHOLDER_ADDRESS = re.compile(
    r"^(?:test|user(?:name)?|your[._-]?(?:name|email)|john[._-]?doe|jane[._-]?doe|first[._-]?last|"
    r"firstname[._-]?lastname|foo|bar)@|@(?:test|domain|yourdomain|company|email|site)\.com$",
    re.IGNORECASE,
)
#: A login to a machine ("ssh jo@myserver.net", "scp f jo@host:~/"): an account, not an address.
_LOGIN_BEFORE = re.compile(r"\b(?:ssh|scp|sftp|rsync|mosh)\s+(?:-\S+\s+|\S+\s+){0,3}$", re.IGNORECASE)
#: An organisation's role addresses ("info@", "support@"): an office, not a person to be alone with.
_ROLE_ADDRESS = re.compile(
    r"^(?:info|contact|support|help|helpdesk|admin|office|hello|team|admissions|registrar|webmaster|press|media|"
    r"sales|billing|service|feedback|enquiries|inquiries|privacy|security|abuse|jobs|careers)(?=@|$)",
    re.IGNORECASE,
)


def _institution_domains(domains: Iterable[str] | str | None) -> tuple[str, ...]:
    if isinstance(domains, str):
        domains = (domains,)
    cleaned = (d.strip().lstrip("@").strip(".").lower() for d in domains or () if isinstance(d, str))
    return tuple(d for d in cleaned if d)


def _is_personal_domain(domain: str, institution_domains: tuple[str, ...]) -> bool:
    """True unless the domain is an institution's (or a subdomain of one), a documentation
    example, a meeting service's (a video system's dial string), or a file name. "math.mit.edu" is
    MIT's; "notmit.edu" is not.
    """
    domain = domain.lower().rstrip(".")
    if domain.rpartition(".")[2] in _FILE_SUFFIXES or _on(domain, *_RESERVED_DOMAINS, *_MEETING_DOMAINS):
        return False
    return not _on(domain, *institution_domains)


def _may_hold_email(text: str, low: str | None = None) -> bool:
    """Whether `text` could hold an address at all: an "@", "dot", "(at)", "at x.", a mail service's
    name. Most messages have none, and a few substring checks say so."""
    if "@" in text:
        return True
    if not text.isascii() and any(c in text for c in _LOOK_ALIKES):  # all look-alikes are non-ASCII
        return _MAY_HOLD_EMAIL.search(text) is not None
    low = text.lower() if low is None else low
    if any(word in low for word in _MAIL_WORDS) or ("personal" in low and "mail" in low):
        return True
    if "at" not in low:
        return False
    return (any(c in text for c in "[({<") and _BRACKETED_AT.search(text) is not None) or (
        "." in text and _AT_A_DOMAIN.search(text) is not None
    )


def _plain_emails(text: str, institution_domains: tuple[str, ...]) -> list[_Found]:
    """Addresses written as addresses: "kid123@gmail.com", Slack's mailto links included; not a git
    remote ("git@github.com:org/repo.git", wrapped in a mailto link or not), a no-reply address, a
    file name ("icon@2x.png") or an address at an institution domain."""
    found: list[_Found] = []
    for m in _EMAIL.finditer(text):
        domain = m.group("domain")
        if _GIT_PATH.match(text, m.end()) or (
            m.group(0).lower().startswith("git@") and _on(domain.lower(), *_GIT_HOSTS)
        ):
            continue
        address = m.group(0)
        if _LOGIN_BEFORE.search(text, max(0, m.start() - 60), m.start()):
            continue
        if _is_personal_domain(domain, institution_domains) and not (
            _NO_REPLY.match(address) or _ROLE_ADDRESS.match(address) or _PLACEHOLDER_ADDRESS.search(address)
        ):
            found.append((m.start(), m.end(), ContactDetail("email", m.group(0))))
    for m in _FEDIVERSE.finditer(text):
        if _is_personal_domain(m.group("domain"), institution_domains):
            found.append((m.start(), m.end(), ContactDetail("handle", m.group(0), "mastodon")))
    return found


def _local_part(text: str, at: int) -> tuple[int, str] | None:
    """The local part written before "at" (start, words), spaced ("jo m 22") or not ("jo.m22"),
    without the words that lead up to it ("email me at", "my email is"); None when there is none."""
    window_start = max(0, at - 64)
    m = _LOCAL_BEFORE.search(text[window_start:at])
    if m is None:
        return None
    tokens = list(re.finditer(r"\S+", m.group(1)))
    if tokens[-1].group(0).lower() in _LOCAL_STOP:
        return None
    first = len(tokens) - 1
    while first > 0:
        # An earlier word joins only when short, as the pieces of a spaced address are.
        token, later = tokens[first - 1].group(0), tokens[first].group(0)
        if token.lower() == "dot" and first >= 2 and tokens[first - 2].group(0).lower() not in _LOCAL_STOP:
            first -= 2  # "sunny dot dawson at gmail dot com"
            continue
        if token.lower() in _LOCAL_STOP or len(token) > 8 or len(later) > 3:
            break
        first -= 1
    start = window_start + m.start(1) + tokens[first].start()
    return start, text[start:at]


def _spelled_emails(text: str, institution_domains: tuple[str, ...]) -> list[_Found]:
    """Addresses spelled out or spaced to get past a filter: "kid123 [at] gmail [dot] com",
    "jo m 22 at gmail dot com", "jo m22 @ gmail . com", "jo.m22 (at) yahoo".

    A plain "at" is an address only at a personal mail service (gmail, yahoo ...) or after a word
    like "email": "look at google dot com" is not one. A mail service named without its ending
    ("(at) yahoo") needs brackets, a cue, or a made-up local part ("jo.m22").
    """
    found: list[_Found] = []
    for at in _SPELLED_AT.finditer(text):
        domain_match = _SPELLED_DOMAIN.match(text, at.end())
        if domain_match is None:
            continue
        local = _local_part(text, at.start())
        if local is None:
            continue
        start, local_text = local
        if _ROLE_ADDRESS.match(local_text):
            continue
        sign = at.group("at").strip().lower()
        bracketed = sign not in {"at", "@", "on"}
        if at.group("bare") and (domain_match.group("webmail") or _PLAIN_DOMAIN.fullmatch(domain_match.group(0))):
            continue  # "jo@gmail.com" is a plain address; "jo@gmail" is a mention of something
        cued = _EMAIL_CUE.search(text, max(0, start - 40), start) is not None
        made_up = _shaped_like_handle(local_text.replace(" ", ""))
        if domain_match.group("webmail"):
            if not (bracketed or cued or made_up) or (sign == "on" and not made_up):
                continue
        else:
            domain = _SPELLED_DOT.sub(".", domain_match.group("domain")).replace(" ", "").lower()
            if at.group("on") or not _is_personal_domain(domain, institution_domains):
                continue
            service = domain.split(".")[-2] if domain.count(".") else domain
            if not (bracketed or sign == "@" or cued or service in _PERSONAL_MAIL_DOMAINS):
                continue
        found.append((start, domain_match.end(), ContactDetail("email", text[start : domain_match.end()])))
    return found


#: "hotmail: kayla_2010", "yahoo - ben.ortiz11": a mail service as a label, then its username.
_LABELLED_MAIL = re.compile(
    rf"(?<![\w@./])(?P<provider>{_WEBMAIL})(?:\s+(?:address|addy|acct|account|id|username))?"
    r"\s*(?::|[-–—]+(?=\s))\s*(?P<handle>[A-Za-z0-9][A-Za-z0-9._%+-]{1,40}[A-Za-z0-9_])(?![\w@]|[.-]\w)",
    re.IGNORECASE,
)


def _named_mail_addresses(text: str) -> list[_Found]:
    """An address given by its mail service and local part ("my gmail is jomiller22", "hit my
    icloud jo.m22"), and asks for one ("what's your gmail?").

    After "is" or ":" any username-like word will do; without them ("hit my icloud jo.m22") or after
    "outlook", which is also an ordinary word, it must look made up.
    """
    found: list[_Found] = []
    for m in _MY_MAIL.finditer(text):
        handle = m.group("handle")
        strict = m.group("sep").strip() in {"", ","} or m.group("provider").lower() == "outlook"
        if _looks_like_handle(handle, strict) and (_shaped_like_handle(handle) or _ends_clause(text, m.end())):
            found.append((m.start(), m.end(), ContactDetail("email", m.group(0))))
    for m in _LABELLED_MAIL.finditer(text):
        # At a clause's start and made up ("gmail: marco.rossi.2009"), not a sentence about the
        # service ("gmail: check your spam folder").
        if _at_clause_start(text, m.start()) and _MADE_UP_NAME.fullmatch(m.group("handle")):
            found.append((m.start(), m.end(), ContactDetail("email", m.group(0))))
    for m in _MAIL_ASK.finditer(text):
        found.append((m.start(), m.end(), ContactDetail("email", m.group(0))))
    return found


def _emails(text: str, institution_domains: tuple[str, ...], low: str | None = None) -> list[_Found]:
    """Email addresses outside the institution's domains: plainly written, spaced or spelled out,
    or named by their mail service; and asks for someone's personal address.

    Why: personal email is one of the channels the policy rules out, and the institution's own
    addresses (people and roles alike) are where program mail belongs.
    Example: "email kid123@gmail.com or alice@mit.edu" -> kid123@gmail.com only (institution mit.edu).
    """
    if not _may_hold_email(text, low):
        return []
    return (
        _plain_emails(text, institution_domains)
        + _spelled_emails(text, institution_domains)
        + _named_mail_addresses(text)
    )


# --- asks for a number, an address or a text -------------------------------------------------------

#: The ways of asking someone for something of theirs: "what's your", "can i get ur", "send me your".
_ASK_VERB = (
    r"(?:what'?s|whats|what\s+is|wats|wat'?s|wuts?|drop|send|give|gimme|share|tell|post|dm|text|lmk|"
    r"let\s+me\s+know|lemme\s+(?:get|have)|(?:can|could|may)\s+i\s+(?:get|have|grab)|i\s+need|need)"
)
#: Asking for someone's phone number in ordinary words: "can i get ur number so we can ...",
#: "what's your cell?", "send me ur number and ill add u", "what's ur phone # btw". "Phone" alone
#: is left out ("what's your phone?" asks for a model as often), and so is anything not theirs:
#: "the office number", "their number for the permission slip".
_NUMBER_ASK = re.compile(
    rf"\b{_ASK_VERB}(?:\s+(?:me|us))?\s+(?:your|ur|yo)\s+(?:personal\s+|real\s+|own\s+|new\s+|actual\s+)?"
    r"(?:phone\s*(?:number|num|#|no\.?)|cell\s*(?:phone)?(?:\s*(?:number|num|#|no\.?))?|"
    rf"mobile(?:\s*(?:number|num|#|no\.?))?|number|num|numba|digits|\#)(?!\w)"
    rf"(?:{_ASK_END}|(?=\s+for\s+(?:the\s+)?(?:group\s*chat|gc|later|emergencies|carpool|ride)\b))"
    r"|\b(?:do|d|did)\s*(?:you|u|ya)\s+have\s+(?:a|an)\s+(?:phone\s+number|number|cell(?:\s*phone)?|mobile)"
    r"\s+(?:i|we)\s+(?:can|could)\s+(?:text|call|reach|message|use)\b",
    re.IGNORECASE,
)
#: Asking for an email address that is not the program's: "send me your email address, the
#: personal one not the camp one". A bare "what's your email?" is left alone: staff ask it to
#: share a document, and the address they get is the one the program holds.
_PERSONAL_MAIL_ASK = re.compile(
    rf"\b{_ASK_VERB}(?:\s+(?:me|us))?\s+(?:your|ur|yo)\s+(?:e-?mail(?:\s+address)?|addy)\b"
    r"(?=[^\n]{0,50}?(?:\b(?:personal|private|home|real|own)\b|\b(?:not\s+(?:the|ur|your)\s+|non-?)"
    r"(?:school|camp|program|programme|work|class|uni|college|student)\b))",
    re.IGNORECASE,
)
#: Asking to text or FaceTime instead: "is it ok if i just text you instead?", "would it be alright
#: if I texted you", "can u text me later?". Calling is left out: in Slack a call is a huddle.
_TEXT_ASK = re.compile(
    r"\b(?:(?:can|could|may|should|shall)\s+(?:i|we|you|u|ya)|"
    r"(?:is\s+it|would\s+it\s+be|it'?s|would\s+(?:you|u)\s+be|are\s+(?:you|u))\s+"
    r"(?:ok(?:ay)?|alright|all\s+right|fine|cool|chill)\s+(?:if|with\s+me|for\s+me\s+to)|"
    r"(?:do\s+(?:you|u)\s+|would\s+(?:you|u)\s+)?mind\s+if|ok(?:ay)?\s+if)\s+"
    r"(?:(?:i|we|you|u)\s+)?(?:just\s+|maybe\s+|like\s+)?"
    r"(?:(?:text(?:ed|ing)?|txt(?:ed|ing)?|facetime[d]?|imessage[d]?)(?:\s+(?:you|u|me|ya)\b|\s+instead\b)"
    r"|(?:shoot|send|drop)\s+(?:you|u|ya|me)\s+a\s+(?:text|txt)\b)",
    re.IGNORECASE,
)
#: A rule against sharing, right before what would be an ask: "never share your phone number".
_NEGATED_BEFORE = re.compile(r"\b(?:never|don'?t|dont|do\s+not|not|shouldn'?t|avoid)\s+(?:\w+\s+){0,2}$", re.IGNORECASE)


def _may_ask(text: str, low: str | None = None) -> bool:
    """Whether `text` has a word one of the asks above needs ("num", "cell", "mail", "text" ...):
    a chain of substring checks, several times quicker than one search, passes most messages over.
    A text with a character that case-insensitive matching reads as an ASCII letter ("ı" as "i") is
    searched as written."""
    if not text.isascii() and any(c in text for c in _LOOK_ALIKES):
        return True
    low = text.lower() if low is None else low
    return (
        "num" in low
        or "cell" in low
        or "text" in low
        or "txt" in low
        or "mail" in low
        or "#" in low
        or "mobile" in low
        or "digit" in low
        or "addy" in low
        or "facetime" in low
        or "imessage" in low
    )


def _contact_asks(text: str) -> list[_Found]:
    """Asking someone for their phone number, a personal email address, or to text instead: "can i
    get ur number so we can ...", "what's your cell?", "send me ur email, the personal one", "would
    it be ok if I texted you instead?".

    Why: asking a minor for a way to talk outside the program's spaces is the first step of moving
    there, whatever the platform. What is not someone's own is left alone: the office number, the
    Zoom link, "ask your parents for their number for the permission slip" (a guardian's number,
    for the program's own paperwork), "drop your answers in the thread", "what number did you get".
    """
    found: list[_Found] = []
    for pattern, kind in ((_NUMBER_ASK, "phone"), (_PERSONAL_MAIL_ASK, "email"), (_TEXT_ASK, "phone")):
        for m in pattern.finditer(text):
            if not _NEGATED_BEFORE.search(text, max(0, m.start() - 30), m.start()):
                found.append((m.start(), m.end(), ContactDetail(kind, m.group(0))))
    return found


# --- the platforms: one table ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Link:
    """Where a link reaches a person on a platform: its hosts (and their subdomains) and which
    paths are a person, a profile or an invitation rather than content (a post, a video, a help page).
    """

    hosts: tuple[str, ...]
    #: The first path segment must be one of these ("invite", "add"); None: any segment.
    first: frozenset[str] | None = None
    #: First segments that are the platform's own pages or content ("p", "reel", "help").
    not_first: frozenset[str] = frozenset()
    #: The first segment starts with this ("@" for tiktok.com/@name).
    prefix: str = ""
    #: Later segments that make it content ("status", "video").
    content: frozenset[str] = frozenset()
    #: Path segments needed at least (zoom.us/my/name needs 2); 0: the host alone is an invitation.
    segments: int = 1
    #: Only the hosts themselves, not their subdomains.
    exact: bool = False
    #: A fragment or query is enough without a path (signal.group/#Cj...).
    fragment: bool = False
    #: A subdomain names a person (name.t.me).
    people_subdomains: bool = False


@dataclass(frozen=True, slots=True)
class Platform:
    """A messaging, social, gaming or group-chat platform, by the names people write and the links
    that reach a person on it.

    `names` are its names as people write them, in any case (a space in one means the space is
    optional: "whats app" is also "whatsapp"); `short` are the short forms teens use ("sc", "ig"): a username after
    them counts in a labelled list ("sc - jomiller") as after the full name; `ordinary` are names
    that are also ordinary words or abbreviations ("signal", "steam", "dc" for Washington): after
    them only a username-shaped word counts (a digit, "_", ".", "@" or "#1234"); `capitals` count
    only as written ("X", "LINE"). `verb`: the name is used as a verb ("whatsapp me").
    """

    name: str
    names: tuple[str, ...] = ()
    short: tuple[str, ...] = ()
    ordinary: tuple[str, ...] = ()
    capitals: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    verb: bool = False


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

#: Every platform the detector knows. To add one, add a row: its names and short forms, and the
#: links that reach a person on it (profiles, invitations), leaving out its content links.
PLATFORMS: tuple[Platform, ...] = (
    Platform(
        "whatsapp",
        names=("whats app", "whatsap", "watsapp", "watsap", "whatapp"),
        ordinary=("wa",),
        links=(
            Link(("wa.me", "wa.link")),
            Link(("chat.whatsapp.com", "api.whatsapp.com"), segments=0),
            Link(("whatsapp.com",), first=_words("send channel")),
        ),
        verb=True,
    ),
    Platform(
        "telegram",
        ordinary=("telegram", "tele", "tg"),
        links=(Link(("t.me", "telegram.me", "telegram.dog"), people_subdomains=True),),
        verb=True,
    ),
    Platform("signal", ordinary=("signal",), links=(Link(("signal.me", "signal.group"), exact=True, fragment=True),)),
    Platform(
        "snapchat",
        names=("snap chat",),
        short=("snap", "sc"),
        links=(Link(("snapchat.com",), first=_words("add t")), Link(("snapchat.com",), prefix="@")),
        verb=True,
    ),
    Platform(
        "instagram",
        names=("insta gram",),
        short=("insta", "ig"),
        links=(Link(("instagram.com", "instagr.am", "ig.me"), not_first=_INSTAGRAM_CONTENT),),
    ),
    Platform(
        "discord",
        names=("discord",),
        ordinary=("disc", "dc"),
        links=(
            Link(("discord.gg",)),
            Link(("discord.com", "discordapp.com"), first=_words("invite users channels")),
        ),
    ),
    Platform("kik", names=("kik",), links=(Link(("kik.me",)),), verb=True),
    Platform(
        "tiktok",
        names=("tik tok",),
        short=("tt",),
        links=(Link(("tiktok.com",), prefix="@", content=_words("video photo live")),),
    ),
    Platform(
        "facebook",
        names=("facebook messenger", "facebook"),
        short=("fb",),
        ordinary=("messenger",),
        links=(
            Link(("m.me",)),
            Link(("messenger.com",), first=_words("t")),
            Link(
                ("facebook.com", "fb.com", "fb.me"),
                not_first=_FACEBOOK_NOT_PROFILES,
                content=_words("posts videos photos reels events"),
            ),
        ),
    ),
    Platform(
        "x",
        names=("twitter",),
        capitals=("X",),
        links=(Link(("x.com", "twitter.com"), not_first=_X_NOT_PROFILES, content=_words("status")),),
    ),
    Platform(
        "wechat",
        names=("we chat", "weixin"),
        links=(Link(("u.wechat.com",), segments=0), Link(("weixin.qq.com",), first=_words("r"))),
        verb=True,
    ),
    Platform("line", capitals=("LINE",), links=(Link(("line.me",), first=_words("ti r")), Link(("lin.ee",)))),
    Platform("skype", names=("skype",), links=(Link(("join.skype.com",)),), verb=True),
    Platform("viber", names=("viber",), links=(Link(("invite.viber.com",), segments=0, fragment=True),), verb=True),
    Platform("imessage", names=("imessage",), verb=True),
    Platform("facetime", names=("facetime",), verb=True),
    Platform("kakaotalk", names=("kakao talk", "kakao"), links=(Link(("open.kakao.com",)),)),
    Platform("groupme", names=("groupme",), links=(Link(("groupme.com",), first=_words("join_group contact")),)),
    Platform("bereal", names=("bereal",)),
    Platform("threads", ordinary=("threads",), links=(Link(("threads.net", "threads.com"), prefix="@"),)),
    Platform("bluesky", names=("bluesky", "bsky"), links=(Link(("bsky.app",), first=_words("profile"), segments=2),)),
    Platform(
        "mastodon",
        names=("mastodon",),
        links=(Link(("mastodon.social", "mastodon.online", "mstdn.social", "fosstodon.org"), prefix="@"),),
    ),
    Platform("reddit", names=("reddit",), links=(Link(("reddit.com",), first=_words("user u"), segments=2),)),
    Platform("youtube", names=("you tube",), ordinary=("yt",)),
    Platform("twitch", ordinary=("twitch",)),
    Platform(
        "steam", ordinary=("steam",), links=(Link(("steamcommunity.com",), first=_words("id profiles"), segments=2),)
    ),
    Platform("roblox", names=("roblox", "rblx"), links=(Link(("roblox.com",), first=_words("users"), segments=2),)),
    Platform(
        "minecraft", names=("minecraft", "mc server", "mc realm"), ordinary=("mc",), links=(Link(("realms.gg",)),)
    ),
    Platform("xbox", names=("xbox", "xbl", "gamer tag")),
    Platform("playstation", names=("psn", "playstation")),
    Platform("nintendo", names=("nintendo", "friend code"), ordinary=("switch",)),
    Platform("fortnite", names=("fortnite", "epic games"), ordinary=("epic",)),
    Platform(
        "random-chat",
        names=("omegle", "ome tv", "chatroulette", "emerald chat", "monkey app", "chatspin", "camsurf"),
        ordinary=("holla", "azar"),
    ),
    Platform("yubo", names=("yubo",)),
    Platform("wizz", names=("wizz",)),
    Platform("amino", ordinary=("amino",), links=(Link(("aminoapps.com",), first=_words("invite u")),)),
    Platform("vsco", names=("vsco",)),
    Platform("tumblr", names=("tumblr",)),
    Platform("linkedin", names=("linkedin",), links=(Link(("linkedin.com",), first=_words("in")),)),
    Platform("riot", names=("valorant", "riot id", "league of legends")),
    Platform("socials", names=("socials", "social media")),
    Platform(
        "linktree",
        names=("linktree",),
        links=(Link(("linktr.ee", "beacons.ai", "lnk.bio"), not_first=_words("s help marketplace")),),
    ),
    Platform("zoom-personal", links=(Link(("zoom.us", "zoom.com"), first=_words("my"), segments=2),)),
)


def _word_pattern(word: str) -> str:
    """A platform's name as a pattern: a space in it is optional ("whats app", "whatsapp")."""
    return r"\s?".join(re.escape(part) for part in word.split())


def _alternation(words: Iterable[str]) -> str:
    """The words as one alternation grouped by first letter (a search tries a few branches at each
    position, not every name), longest first so "snapchat" is preferred to "snap"."""
    by_letter: dict[str, list[str]] = {}
    for word in sorted(set(words), key=lambda w: (-len(w), w)):
        pattern = _word_pattern(word.lower())
        by_letter.setdefault(pattern[0], []).append(pattern[1:])
    return "|".join(f"{letter}(?:{'|'.join(rest)})" for letter, rest in sorted(by_letter.items()))


def _key(word: str) -> str:
    return _SPACES.sub("", word.lower())


#: Each name (lower case, spaces removed) -> its platform and its class: "name", "short" or "ordinary".
_PLATFORM_BY_NAME: dict[str, tuple[str, str]] = {
    _key(word): (platform.name, kind)
    for platform in PLATFORMS
    for kind, words in (
        ("name", platform.names),
        ("short", platform.short),
        ("ordinary", platform.ordinary + platform.capitals),
    )
    for word in words
}
_PLATFORM_NAMES = "|".join(
    [_alternation(w for p in PLATFORMS for w in (*p.names, *p.short, *p.ordinary))]
    + [f"(?-i:{_word_pattern(w)})" for p in PLATFORMS for w in p.capitals]
)
#: A platform's name as a word: not inside another word, a mention, a path or a file name ("discord.js").
_PLATFORM_WORD = rf"(?P<platform>{_PLATFORM_NAMES})(?!\w|[.-]\w)"
_PLATFORM = rf"(?<![\w@/.]){_PLATFORM_WORD}"
_HANDLE = (
    r"(?P<handle>live:[A-Za-z0-9_.-]+|u/[A-Za-z0-9_-]{3,20}"
    r"|@?[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,38}[A-Za-z0-9_])?(?:#\d{4})?"
    r"|\+?\d[\d ().-]{5,20}\d)(?![\w@#]|[.-]\w)"
)
_HANDLE_NOUN = (
    r"(?:handle|username|user\s*name|user|name|id|number|no\.?|account|acct|acc|tag|code|contact|info|addy|@|"
    r"server\s+ip|server|ip|realm\s+code|realm|friend\s+code|gamertag|gt|invite\s+link|invite|link|"
    r"group\s+chat|gc|profile|page|ign|in\s*game\s+name)"
)
_PRONOUN = r"(?:me|you|u)"

#: "add me on discord", "dm me on insta @kid", "hmu on snap", "let's move this to telegram".
_CONTACT_INVITE = re.compile(
    rf"\b(?:(?:add|message|msg|dm|pm|text|ping|contact|reach|find|follow|friend|call|join|hit|chat\s+with|connect\s+with|send|"
    rf"talk\s+to|snap|facetime|vc|look|search|added|followed|friended|messaged|dm'?e?d|texted|requested)\s+{_PRONOUN}"
    rf"(?:\s+(?:up|back))?(?P<object>(?:\s+(?!(?:on|via|over|you|u|i|we|they|he|she|that|which|who)\b)[\w'-]+){{0,4}}?)|hmu|addme|join\s+(?:the|my|our)\s+(?:vc|call|server|gc|group\s*chat|group)|(?:my\s+)?dms?\s+(?:are\s+|r\s+)?open|slide\s+(?:into|in)\s+my\s+dms?|hit\s+{_PRONOUN}\s+up|(?:accept|sent\s+(?:you|u)|send\s+(?:you|u))\s+(?:my\s+|a\s+)?"
    rf"(?:friend\s+|follow\s+)?request|"
    rf"(?:we|i)\s+(?:can|could|should)\s+(?:talk|chat|text|call|vc|dm|message)|"
    rf"let'?s\s+(?:talk|chat|call|vc|text|dm|hop|game|play|continue|move\s+(?:this|it)|switch|take\s+(?:this|it))|"
    rf"(?P<join>join))"
    rf"\s+(?:(?P<prep>on|via|over|through|in|at|using|to|over\s+to|onto)\s+(?:the\s+)?|(?(join)my\s+|(?!)))"
    rf"{_PLATFORM}"
    rf"(?:\s*[:-]?\s*(?P<handle>@[A-Za-z0-9_](?:[A-Za-z0-9_.]{{0,38}}[A-Za-z0-9_])?))?",
    re.IGNORECASE,
)
_VERB_NAMES = _alternation(w for p in PLATFORMS if p.verb for w in p.names)
#: "whatsapp me", "kik me", "snapchat me" — a platform used as a verb.
_PLATFORM_VERB = re.compile(
    rf"(?<![\w@/.])(?P<platform>{_VERB_NAMES})\s+me\b(?!\s+(?:out|back|into|in|up|too)\b)",
    re.IGNORECASE,
)
#: "my snapchat is alex.cool22", "my discord username: kid#1234", "my snap's jomiller", "my ig jo.m22".
_MY_HANDLE = re.compile(
    rf"\b(?:my|mine'?s?)\s+(?:main\s+|personal\s+|new\s+|other\s+|private\s+|priv\s+|spam\s+|second\s+)?{_PLATFORM}"
    rf"(?:\s+{_HANDLE_NOUN})?(?P<sep>\s*(?:is|are|'s|:|=|-|–|—)\s*|\s+)(?:just\s+|@\s+)?{_HANDLE}",
    re.IGNORECASE,
)
#: "my username on discord is lucas.b", "my @ on insta: lily.paints".
_MY_NAME_ON = re.compile(
    rf"\bmy\s+{_HANDLE_NOUN}\s+(?:on|for|in)\s+{_PLATFORM}(?P<sep>\s*(?:is|'s|:|=|-|–|—)\s*){_HANDLE}",
    re.IGNORECASE,
)
#: "snap: coolkid22", "Insta: @kid", "Discord: kid#1234", "LINE ID: kid_22", "sc - jomiller", "snap/ig: jo.m22".
_LABELLED_HANDLE = re.compile(
    rf"(?<![\w@/.])(?:(?:{_PLATFORM_NAMES})\s*[/&+]\s*){{0,3}}{_PLATFORM_WORD}"
    rf"(?P<noun>\s+{_HANDLE_NOUN})?\s*(?::|[-–—>→]+(?=\s))\s*(?:(?:mine\s+is|mine'?s|it'?s|its)\s+)?{_HANDLE}",
    re.IGNORECASE,
)
#: "telegram @kid", "insta jo.m22", "tiktok is @kid", "on discord as jo_m22".
_PLATFORM_THEN_HANDLE = re.compile(
    rf"{_PLATFORM}!?\s+(?P<cue>(?:(?:is|me|at|handle|username|user|id|account|acc|name|tag|as|under|it'?s|its|mine'?s|mine)\s+){{0,2}})"
    rf"{_HANDLE}",
    re.IGNORECASE,
)
#: "i'm jo_m22 on discord", "it's @jo.m on insta", "search jomiller22 on tiktok".
_HANDLE_ON_PLATFORM = re.compile(
    rf"\b(?P<cue>i'?m|im|i\s+am|it'?s|its|add|go(?:es)?\s+by|called|is)\s+{_HANDLE}"
    rf"\s+(?:on|@|in|for)\s+(?:the\s+)?{_PLATFORM}",
    re.IGNORECASE,
)
#: A platform named, and a few words on a made-up username introduced as one: "does anyone have
#: discord? add me its kev#2231", "join my minecraft realm, code is AbC123xyZ".
_HANDLE_AFTER_PLATFORM = re.compile(
    rf"{_PLATFORM}(?P<gap>[^\n]{{0,60}}?)\b(?P<cue>(?:add\s+me\s*[:,]?\s+)?(?:it'?s|its|i'?m|im|(?:new\s+)?one\s+is|"
    rf"(?:user\s*name|user|name|handle|tag|id|code)(?:\s+is|\s*:))|add\s+me|me\s*:)\s*[:,]?(?:\s+(?:now|just|still))?"
    rf"\s+{_HANDLE}",
    re.IGNORECASE,
)
#: Asking for someone's handle: "what's your snap?", "drop your discord", "do you have insta",
#: "are u on discord?", "can i get ur ig".
_ASK_HANDLE = re.compile(
    r"\b(?:(?P<what>what'?s|whats|what\s+is|wats|wat'?s|wuts?|wuz)"
    r"|(?P<give>drop|send|give|share|tell|post|dm|text|gimme|lmk|let\s+me\s+know|lemme\s+(?:get|have|see)"
    r"|(?:can|could|may)\s+i\s+(?:get|have)"
    r"|i\s+need|need|want)(?:\s+me)?"
    r")\s+(?:your|ur|yo|you'?re|youre)\s+"
    rf"(?P<noun0>{_HANDLE_NOUN}\s+(?:on|for|in)\s+)?{_PLATFORM}(?P<noun>\s+{_HANDLE_NOUN})?{_ASK_END}"
    r"|\b(?:(?:do|did|d'?|are|r)\s*)?(?:you\s+guys|you|u|ya|y'?all)\s+(?:have|got|use|on|still\s+(?:have|use|on)|be\s+on)"
    rf"\s+(?:a\s+|an\s+)?{_PLATFORM.replace('platform', 'platform2')}(?P<noun2>\s+{_HANDLE_NOUN})?{_ASK_END}"
    rf"|(?P<bare>(?<!\w)(?:your|ur)\s+|^\s*)"
    rf"{_PLATFORM.replace('platform', 'platform3')}(?P<noun3>\s+{_HANDLE_NOUN})?(?:\s+is)?\s*\?+(?P<alone>\s*$)?",
    re.IGNORECASE,
)
#: "wanna facetime later?", "can we snapchat tonight": proposing a call or chat on a platform.
_PROPOSED_CALL = re.compile(
    rf"\b(?:wanna|want\s+to|can\s+we|could\s+we|let'?s|lets|should\s+we|we\s+(?:can|could|should))\s+"
    rf"(?P<platform>{_VERB_NAMES})\b",
    re.IGNORECASE,
)
#: "drop ur @", "what's your @?": asking for a handle without naming the platform.
_ASK_AT = re.compile(
    rf"\b(?:what'?s|whats|wats|drop|send|give|gimme|lmk|can\s+i\s+(?:get|have))\s+(?:me\s+)?(?:your|ur)\s+@(?!\w)"
    rf"{_ASK_END}",
    re.IGNORECASE,
)
#: "wanna swap snaps?", "exchange socials": trading handles.
_SWAP_HANDLES = re.compile(
    rf"\b(?:exchange|swap|trade)\s+(?:our\s+|each\s+other'?s\s+)?(?P<platform>{_PLATFORM_NAMES})s?(?!\w)",
    re.IGNORECASE,
)
#: "tiktok is so addicting, follow me there @zoe": an invitation to a platform named just before.
_INVITE_THERE = re.compile(
    rf"{_PLATFORM}[^\n]{{0,60}}?\b(?:(?:add|follow|dm|message|msg|text|find|friend|hit)\s+me(?:\s+up)?|hmu)"
    r"\s+(?:on\s+|over\s+)?there\b",
    re.IGNORECASE,
)
#: "my GroupMe is Jordan P.", "i'm on groupme as Maya R.": a display name on an app that shows
#: people by name (a first name and an initial or a surname, capitalised as names are).
_DISPLAY_NAME_ON = re.compile(
    rf"\b(?:my\s+|(?:i'?m|im|i\s+am|find\s+me|add\s+me|search\s+me)\s+on\s+(?:the\s+)?){_PLATFORM}"
    r"(?:\s+(?:display\s+)?name)?\s*(?:\s(?:is|as|under)|'s|:)\s+"
    r"(?P<display>(?-i:[A-Z][a-z]{1,20}\s+(?:[A-Z]\.?|[A-Z][a-z]{1,20})))(?![\w'])",
    re.IGNORECASE,
)
#: "jo.bsky.social": a Bluesky handle is a domain name.
_BLUESKY_HANDLE = re.compile(r"(?<![\w.@-])@?[A-Za-z0-9-]{3,}\.bsky\.social(?![\w.-])", re.IGNORECASE)
#: A platform's name as a word, or a word for trading handles ("swap snaps"): every handle pattern (and
#: Skype's link) needs one, so a text without it is passed over with one search instead of a dozen.
_ANY_PLATFORM = re.compile(rf"(?<!\w)(?:(?:{_PLATFORM_NAMES})(?!\w)|(?:exchange|swap|trade)\s)", re.IGNORECASE)
_ANY_PLATFORM_LOWER = re.compile(
    rf"(?<!\w)(?:(?:{_alternation(w for p in PLATFORMS for w in (*p.names, *p.short, *p.ordinary))})(?!\w)"
    r"|(?:exchange|swap|trade)\s)"
)
_CAPITALS = tuple(w for p in PLATFORMS for w in p.capitals)
#: "skype:kid.22?call" — Skype's own link form.
_SKYPE_URI = re.compile(r"(?<![\w/])skype:(?!//)[A-Za-z0-9_.:-]+\?(?:call|chat|add|userinfo)\b", re.IGNORECASE)
#: "follow us on Instagram @mitcamp", "the camp's TikTok is @mitsummer": the program's own accounts.
_ORGANISATION_BEFORE = re.compile(
    r"\b(?:us|our|official|the\s+(?:\w+\s+){0,2}?(?:program|camp|club|lab|school|department|university|institute|"
    r"center|centre|museum|team|org|organi[sz]ation)(?:'s|s')?)\W+(?:\w+\W+){0,2}$",
    re.IGNORECASE,
)
#: In a labelled list, a plain word is a username when the message is offering one.
_OFFER_CUE = re.compile(
    r"\b(?:add|follow|hmu|hit\s+me|dm|message|msg|my|mine|here'?s|heres|it'?s|its)\b", re.IGNORECASE
)


def _may_name_platform(text: str, low: str | None = None) -> bool:
    """Whether a messaging platform is named anywhere (no handle is offered without one).

    Searched in the lower-cased text by a case-sensitive pattern, which is several times quicker;
    a text with a character that case-insensitive matching reads as an ASCII letter ("ſ" as "s")
    is searched as written.
    """
    if "@" in text:
        return True  # "drop ur @"
    if not text.isascii() and any(c in text for c in _LOOK_ALIKES):  # all look-alikes are non-ASCII
        return _ANY_PLATFORM.search(text) is not None
    low = text.lower() if low is None else low
    return _ANY_PLATFORM_LOWER.search(low) is not None or any(word in text for word in _CAPITALS)


def _platform_of(word: str) -> tuple[str, str]:
    """The platform a name in the text is, and the name's class ("name", "short", "ordinary")."""
    return _PLATFORM_BY_NAME.get(_key(word), ("", "ordinary"))


def _by_organisation(text: str, start: int) -> bool:
    return _ORGANISATION_BEFORE.search(text, max(0, start - 40), start) is not None


_CODE_AFTER = re.compile(r"\s*(?:=|\(|\[|\{|\.\w|->)")
_INTRODUCING = _words("i'm im").union({"i am", "go by", "goes by"})


def _offered_handle(pattern: re.Pattern[str], m: re.Match[str], text: str) -> bool:
    """Whether a pattern's match offers a username: the word after the platform's name looks like
    one for the way it was written.

    After "my <platform> is" or "<short form>:" in a list ("sc - jomiller") a plain word counts when
    it ends the clause and is not an ordinary word; after an ordinary-word name ("signal", "steam"),
    with no "is" or ":" ("insta jo.m22"), or a label with no offer around it ("TikTok: trends"), the
    word must look made up.
    """
    handle = m.group("handle")
    if not handle or _CODE_AFTER.match(text, m.end("handle")):
        return False  # "snap: Image = grab()", "ig: int = 5": code
    _, kind = _platform_of(m.group("platform"))
    if pattern in (_MY_HANDLE, _MY_NAME_ON):
        relaxed = kind != "ordinary" and bool(m.group("sep").strip())
    elif pattern is _LABELLED_HANDLE:
        relaxed = (kind == "short" or (kind == "name" and _OFFER_CUE.search(text) is not None)) and _at_clause_start(
            text, m.start()
        )
    elif pattern is _HANDLE_ON_PLATFORM:
        # "I'm noahplays on twitch": after "I'm" or "go by" any username-like word will do, even before
        # an ordinary-word name; after "add" or "it's" ("add campers on Snapchat") it must look made up.
        relaxed = _SPACES.sub(" ", m.group("cue").lower()) in _INTRODUCING
    elif pattern is _HANDLE_AFTER_PLATFORM and re.search(r"[.?!]", m.group("gap")) and len(m.group("gap").strip()) > 2:
        # Past the end of a sentence, only a handle marked as one: "discord? add me its kev#2231".
        return handle.startswith(("@", "u/")) or re.search(r"#\d{4}$", handle) is not None
    elif pattern is _PLATFORM_THEN_HANDLE:
        cue = m.group("cue").lower().split()
        relaxed = kind != "ordinary" and (cue in (["as"], ["under"]) or cue[:1] in (["mine"], ["mine's"], ["mines"]))
    else:
        relaxed = False
    if not _looks_like_handle(handle, not relaxed):
        return False
    introduced = pattern is _HANDLE_ON_PLATFORM and relaxed
    if (
        kind == "ordinary"
        and pattern not in (_MY_HANDLE, _MY_NAME_ON)
        and not introduced
        and not _marked_handle(m)
        and not _abbreviation_label(m, text)
    ):
        return False
    # "I'm noahplays on twitch": the username is followed by its platform, and the clause ends there.
    end = m.end() if pattern is _HANDLE_ON_PLATFORM else m.end("handle")
    return _shaped_like_handle(handle) or not handle[:1].isalpha() or _ends_clause(text, end)


def _marked_handle(m: re.Match[str]) -> bool:
    """After a name that is also an ordinary word, as a label ("X: x_1", "Steam: h2o_vapour"), only
    a handle marked as one counts: "@name", "name#1234", "u/name", "live:name", a phone number, or a
    word saying what it is ("signal number:", "steam id:")."""
    handle = m.group("handle")
    if handle.startswith(("@", "u/", "live:")) or re.search(r"#\d{4}$", handle) or len(_digits(handle)) >= 7:
        return True
    named = m.groupdict().get("noun") or m.groupdict().get("cue") or ""
    return bool(set(named.lower().split()) - {"is", "me", "at", "as", "it's", "its"})


#: A username as people make them up: words joined by "_" or ".", or letters then digits ("luna_rae",
#: "pixel.kid", "sky_w4lker", "name_", "kev22"), not a number with a unit ("4pm") or a plain word.
_MADE_UP_NAME = re.compile(
    r"@?[A-Za-z][A-Za-z0-9]*(?:[._][A-Za-z0-9]+)+_?|@?[A-Za-z][A-Za-z0-9]*_|@?[A-Za-z]{2,}[0-9]{1,4}", re.ASCII
)
#: The longest ordinary-word name read as an abbreviation ("dc", "disc", "tg", "wa", "yt").
_ABBREVIATION_LENGTH = 4


def _abbreviation_label(m: re.Match[str], text: str) -> bool:
    """After an ordinary-word name that is an abbreviation teens use ("dc: luna_rae", "disc -
    pixel.kid", "dc is sky_w4lker") at the start of a clause, a made-up username counts: "DC" for
    Washington is followed by dates, times and plain words ("DC: 4 days", "Trip to DC: bus at 7"),
    not by "luna_rae". Full ordinary words ("signal", "steam") still need a marked handle."""
    word = _key(m.group("platform"))
    return (
        2 <= len(word) <= _ABBREVIATION_LENGTH  # not "X": one letter is a variable's name
        and _MADE_UP_NAME.fullmatch(m.group("handle")) is not None
        and _at_clause_start(text, m.start())
    )


#: "Do you have TikTok? If so, describe a trend": a question about using a platform, not for a handle.
_SURVEY_AFTER = re.compile(
    r"[^.!?\n]{0,30}?\??\s*(?:if\s+(?:so|not|yes|you\s+do)|how\s+(?:often|much|long)|raise)\b", re.IGNORECASE
)


def _asked_handle(m: re.Match[str], text: str) -> tuple[str, bool]:
    """The platform a question asks someone's handle on, and whether it counts: a name that is also
    an ordinary word ("do you have signal?") needs a noun ("what's your signal username?"), and a
    bare "ur snap?" must begin its clause."""
    word = m.group("platform") or m.group("platform2") or m.group("platform3")
    noun = m.group("noun0") or m.group("noun") or m.group("noun2") or m.group("noun3")
    platform, kind = _platform_of(word)
    if kind == "ordinary" and not noun:
        return platform, False
    if m.group("bare") is not None and not (m.group("bare").strip() or m.group("alone") is not None):
        return platform, False  # "snap?" asks only as a message of its own
    if m.group("bare") and not _at_clause_start(text, m.start()):
        return platform, False
    if _SURVEY_AFTER.match(text, m.end()):
        return platform, False
    return platform, True


def _handle_phrases(text: str, low: str | None = None) -> list[_Found]:
    """Messaging or social handles offered as a way to talk, and asks for one: "add me on discord",
    "whatsapp me", "my snapchat is alex.cool22", "sc - jomiller", "i'm jo_m22 on discord",
    "telegram @kid", "what's your snap?", "do you have insta".

    Why: moving a conversation to an app the program cannot see is what the policy forbids, and
    asking a minor for their handle is the first step of it. A platform named in passing
    ("Instagram was founded in 2010", "signal processing", "line up", "Discord is blocked at school"),
    the program's own account ("follow us on Instagram @mitcamp"), a Slack mention, @here, or code
    like "@dataclass" is not an offer. A bare @handle, even in a quoted citation ("— @nasa on
    Twitter"), never fires: without a platform before it or an invitation it is a reference, not a
    way to reach the writer.
    Example: "my snapchat is alex.cool22" -> handle "my snapchat is alex.cool22" (snapchat).
    """
    if not _may_name_platform(text, low):
        return []
    candidates: list[_Found] = []
    for pattern in (
        _MY_HANDLE,
        _MY_NAME_ON,
        _LABELLED_HANDLE,
        _PLATFORM_THEN_HANDLE,
        _HANDLE_ON_PLATFORM,
        _HANDLE_AFTER_PLATFORM,
    ):
        for m in pattern.finditer(text):
            if _offered_handle(pattern, m, text) and not _by_organisation(text, m.start()):
                platform, _ = _platform_of(m.group("platform"))
                candidates.append((m.start(), m.end(), ContactDetail("handle", m.group(0), platform)))
    for m in _CONTACT_INVITE.finditer(text):
        platform, kind = _platform_of(m.group("platform"))
        prep = (m.group("prep") or "in").lower()
        if kind == "ordinary" and prep in {"in", "at"}:
            continue  # "find me in DC", "call me at Signal Hill"
        if m.group("object") and prep not in {"on", "via", "over", "through"}:
            continue  # "send you the slides on Discord" moves the talk there; "... to Discord" need not
        candidates.append((m.start(), m.end(), ContactDetail("handle", m.group(0), platform)))
    for m in _ASK_AT.finditer(text):
        candidates.append((m.start(), m.end(), ContactDetail("handle", m.group(0))))
    for pattern in (_INVITE_THERE, _PLATFORM_VERB, _SWAP_HANDLES, _PROPOSED_CALL):
        for m in pattern.finditer(text):
            platform, _ = _platform_of(m.group("platform"))
            candidates.append((m.start(), m.end(), ContactDetail("handle", m.group(0), platform)))
    for m in _ASK_HANDLE.finditer(text):
        platform, asks = _asked_handle(m, text)
        if asks:
            candidates.append((m.start(), m.end(), ContactDetail("handle", m.group(0), platform)))
    for m in _BLUESKY_HANDLE.finditer(text):
        candidates.append((m.start(), m.end(), ContactDetail("handle", m.group(0), "bluesky")))
    for m in _DISPLAY_NAME_ON.finditer(text):
        if not any(_is_word(name.rstrip(".")) for name in m.group("display").split()):
            platform, _ = _platform_of(m.group("platform"))
            candidates.append((m.start(), m.end(), ContactDetail("handle", m.group(0), platform)))
    for m in _SKYPE_URI.finditer(text):
        candidates.append((m.start(), m.end(), ContactDetail("link", m.group(0), "skype")))
    accepted: list[_Found] = []
    taken = bytearray(len(text))
    for start, end, detail in sorted(candidates, key=lambda c: (c[0], c[0] - c[1])):
        if not any(taken[start:end]):
            taken[start:end] = b"\x01" * (end - start)
            accepted.append((start, end, detail))
    return accepted


def _reaches_person(link: Link, host: str, segs: list[str], query: str) -> bool:
    """Whether a URL (host, path segments, query) is one of `link`'s: a person, a profile or an
    invitation on its platform, not its content."""
    if not (host in link.hosts if link.exact else _on(host, *link.hosts)):
        return False
    if not segs:
        return (
            link.segments == 0 or (link.fragment and bool(query)) or (link.people_subdomains and host not in link.hosts)
        )
    first = segs[0].lower()
    return (
        len(segs) >= link.segments
        and (link.first is None or first in link.first)
        and first not in link.not_first
        and (not link.prefix or (first.startswith(link.prefix) and len(first) > len(link.prefix)))
        and not link.content & {s.lower() for s in segs[1:]}
    )


def _link_platform(url: str) -> str:
    """The messaging or social platform a link reaches a person on, or "" if none (see `PLATFORMS`).

    Invitations and profiles count (wa.me/…, t.me/+…, discord.gg/…, groupme.com/join_group/…,
    instagram.com/name, tiktok.com/@name, zoom.us/my/name); content does not: a post, reel, video
    or tweet (instagram.com/p/…, x.com/nasa/status/…), a help page, or a Zoom meeting join link.
    Example: "https://chat.whatsapp.com/AbC" -> "whatsapp"; "instagram.com/p/Cx1" -> "".
    """
    host, segs, query = _split_url(url)
    return next(
        (
            platform.name
            for platform in PLATFORMS
            for link in platform.links
            if _reaches_person(link, host, segs, query)
        ),
        "",
    )


#: "the program's parent WhatsApp group: chat.whatsapp.com/...", "official Discord: discord.gg/...":
#: a link the program itself runs. "our" alone is not enough: "join our gc" is often a few campers.
_PROGRAM_LINK_BEFORE = re.compile(
    r"\b(?:official|the\s+(?:\w+\s+){0,2}?(?:program|camp|club|lab|school|department|university|institute|"
    r"center|centre|museum|organi[sz]ation)(?:'s|s'))\W+(?:\w+\W+){0,4}$",
    re.IGNORECASE,
)


def _platform_links(urls: list[tuple[int, int, str]], text: str = "") -> list[_Found]:
    """Links to messaging apps and personal profiles (see `_link_platform`), unless named as the
    program's own ("the camp's official Discord: discord.gg/...")."""
    found = []
    for start, end, url in urls:
        platform = _link_platform(url)
        if platform and not _PROGRAM_LINK_BEFORE.search(text, max(0, start - 80), start):
            found.append((start, end, ContactDetail("link", url, platform)))
    return found


def _with_bare_hosts(masked: str, urls: list[tuple[int, int, str]]) -> str:
    """The masked text with each link that is only a host name put back as that name.

    Why: Slack links a bare domain by itself ("jo.m22 at gmail.com" arrives as
    "jo.m22 at <http://gmail.com|gmail.com>"), and a server address or a Bluesky handle is a host
    name too; read as a link only, the address or handle around it would be lost.
    Example: "jo at http://gmail.com" (masked to "jo at ") -> "jo at gmail.com".
    """
    chars = None
    for start, end, url in urls:
        host, segs, query = _split_url(url)
        if segs or query or not host:
            continue
        chars = chars or list(masked)
        chars[start : start + len(host)] = host
        chars[start + len(host) : end] = " " * (end - start - len(host))
    return "".join(chars) if chars else masked


def find_contact_details(
    text: str,
    institution_domains: Iterable[str] = (),
    *,
    allowed: Iterable[str] = (),
    regions: Sequence[str] = DEFAULT_PHONE_REGIONS,
    second_look: bool = True,
) -> list[ContactDetail]:
    """Phone numbers, personal email addresses, and messaging or social handles and links in `text`.

    Why: the policy rules out private messaging, texting, chatting and personal email between a
    minor and a supervisor; a contact detail posted where a minor reads it opens that door. A false
    alarm in front of a parent is a defect too, so each kind needs a format and, where the format is
    ambiguous, a cue. Emails at an institution domain or its subdomains are fine; with no institution
    domains every email counts. What is inside a URL is read as a link only (its digits and query
    string addresses are not reported again). Each (kind, value) comes once, in text order.
    A number or address in `allowed` (the program's allowed contacts and safety contact, compared
    as E.164 numbers read in `regions` and lower-case addresses) or a built-in crisis line
    (`bot.detectors.allowlist`) is not reported.
    Example: "text me at 617-555-0134 or add me on discord" ->
    [phone "617-555-0134", handle "add me on discord" (discord)].
    """
    flat = _plain(text)
    urls = _urls(flat)
    masked = _mask(flat, urls)
    domains = _institution_domains(institution_domains)
    phones: list[_Found] = [
        (start, end, ContactDetail("phone", masked[start:end])) for start, end in _phones(masked, regions)
    ]
    readable = _with_bare_hosts(masked, urls)
    low = readable.lower()  # the quick checks' common input, lower-cased once
    found = (
        phones
        + _emails(readable, domains, low)
        + (_contact_asks(readable) if _may_ask(readable, low) else [])
        + _handle_phrases(readable, low)
        + _platform_links(urls, masked)
    )
    allowed = tuple(allowed)
    details: list[ContactDetail] = []
    seen: set[tuple[str, str]] = set()
    for _, _, detail in sorted(found, key=lambda f: (f[0], f[1])):
        if detail.kind in ("phone", "email") and is_allowed(detail.kind, detail.value, allowed, regions):
            continue
        if (detail.kind, detail.value) not in seen:
            seen.add((detail.kind, detail.value))
            details.append(detail)
    if not details and second_look:
        details = _second_look(masked, institution_domains, allowed, regions)
    return details


def _second_look(
    masked: str, institution_domains: Iterable[str], allowed: tuple[str, ...], regions: Sequence[str]
) -> list[ContactDetail]:
    """What is hidden from a first reading on purpose (`bot.detectors.second_look`): spaced-out
    letters read again closed up, numbers spelled after a contact cue, usernames and friend codes
    offered where a platform is named, and asking for someone else's contact."""
    closed = unspaced(masked, _may_name_platform)
    if closed is not None:
        found = find_contact_details(closed, institution_domains, allowed=allowed, regions=regions, second_look=False)
        if found:
            return found
    details = [ContactDetail("phone", value) for value in cued_numbers(masked, regions)]
    details += [ContactDetail("handle", value) for value in offered_usernames(masked, _may_name_platform)]
    details += [ContactDetail("handle", value) for value in asks_for_someones(masked)]
    return [d for d in details if not (d.kind == "phone" and is_allowed(d.kind, d.value, allowed, regions))]

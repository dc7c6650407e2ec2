"""The contact-details detector: phone numbers (found by `phone_numbers`), personal email addresses,
and messaging or social handles and links, in a message's text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.detectors.access_info import MEETING_HOSTS
from bot.detectors.allowlist import is_allowed
from bot.detectors.phone_numbers import _phones
from bot.detectors.text import _SPACES, _digits, _mask, _on, _plain, _split_url, _urls, _words
from bot.model import DEFAULT_PHONE_REGIONS


@dataclass(frozen=True, slots=True)
class ContactDetail:
    """One way to reach someone outside the program's spaces, as it appeared in a message."""

    kind: str  # "phone" | "email" | "handle" | "link"
    value: str  # the text that matched, as it appeared (used as incident evidence)
    platform: str = ""  # for handles and links: "whatsapp", "snapchat", "zoom-personal"…; "" otherwise


_Found = tuple[int, int, ContactDetail]


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
#: Video systems' dial strings ("25531234567@mit.webex.com" in a Webex invitation): they join a
#: meeting, they reach nobody.
_MEETING_DOMAINS = (*MEETING_HOSTS, "zoomcrc.com", "t.plcm.vc", "pexip.me")
#: Addresses nobody reads: no way to contact anyone.
_NO_REPLY = re.compile(r"^(?:no-?reply|do-?not-?reply|mailer-daemon|postmaster)\b", re.IGNORECASE)


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


#: What follows a git remote's host: ":org/repo.git".
_GIT_REMOTE_PATH = re.compile(r"\s*:[\w~/]")


def _is_mailto_git_remote(text: str, m: re.Match[str]) -> bool:
    """True when Slack wrapped a git remote's "git@github.com" as a mailto link
    (`<mailto:git@github.com|git@github.com>:org/repo.git`): flattened, the ":org/repo" follows
    after a space, out of the address pattern's reach."""
    return text[max(0, m.start() - 7) : m.start()].lower() == "mailto:" and bool(_GIT_REMOTE_PATH.match(text, m.end()))


def _emails(text: str, institution_domains: tuple[str, ...]) -> list[_Found]:
    """Email addresses outside the institution's domains, plainly written or spelled out.

    Why: personal email is one of the channels the policy rules out, and the institution's own
    addresses (people and roles alike) are where program mail belongs. A spelled-out address
    ("kid at gmail dot com") counts with brackets around "at", or after a word like "email".
    Example: "email kid123@gmail.com or alice@mit.edu" -> kid123@gmail.com only (institution mit.edu).
    """
    found: list[_Found] = []
    for m in _EMAIL.finditer(text) if "@" in text else ():
        if _is_mailto_git_remote(text, m):
            continue
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


def find_contact_details(
    text: str,
    institution_domains: Iterable[str] = (),
    *,
    allowed: Iterable[str] = (),
    regions: Sequence[str] = DEFAULT_PHONE_REGIONS,
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
    found = phones + _emails(masked, domains) + _handle_phrases(masked) + _platform_links(urls)
    allowed = tuple(allowed)
    details: list[ContactDetail] = []
    seen: set[tuple[str, str]] = set()
    for _, _, detail in sorted(found, key=lambda f: (f[0], f[1])):
        if detail.kind in ("phone", "email") and is_allowed(detail.kind, detail.value, allowed, regions):
            continue
        if (detail.kind, detail.value) not in seen:
            seen.add((detail.kind, detail.value))
            details.append(detail)
    return details

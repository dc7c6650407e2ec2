"""find_contact_details: phone numbers, personal email addresses, and messaging handles and links,
against a corpus that must fire and one that must stay silent (a false alarm in front of a parent is
a defect)."""

import pytest

from bot.detectors import ContactDetail, find_contact_details
from bot.detectors.contact_details import PLATFORMS, Platform

MIT = ("mit.edu",)

ZOOM_INVITATION = """Join Zoom Meeting
https://mit.zoom.us/j/91234567890?pwd=abc

Meeting ID: 912 3456 7890
Passcode: 123456

One tap mobile
+16465588656,,91234567890# US (New York)

Dial by your location
        +1 646 558 8656 US (New York)
        +44 203 481 5240 United Kingdom
Find your local number: https://mit.zoom.us/u/abc"""


def phone(value):
    return ContactDetail("phone", value)


def email(value):
    return ContactDetail("email", value)


def handle(value, platform):
    return ContactDetail("handle", value, platform)


def link(value, platform):
    return ContactDetail("link", value, platform)


FIRES = [
    # Phone numbers: US formats.
    pytest.param("text me at 617-555-0134 if you get stuck", [phone("617-555-0134")], id="us-hyphens-with-cue"),
    pytest.param("my cell is (617) 555-0134", [phone("(617) 555-0134")], id="us-parens"),
    pytest.param("617.555.0134 is the quickest way", [phone("617.555.0134")], id="us-dots-no-cue"),
    pytest.param("call +1 617 555 0134 after 5pm", [phone("+1 617 555 0134")], id="us-plus-one-spaced"),
    pytest.param("+1 (617) 555-0134", [phone("+1 (617) 555-0134")], id="us-plus-one-parens"),
    pytest.param("text 6175550134 when you're outside", [phone("6175550134")], id="us-bare-with-text-cue"),
    pytest.param("my number: 6175550134", [phone("6175550134")], id="us-bare-my-number"),
    pytest.param("phone: 16175550134", [phone("16175550134")], id="us-bare-eleven-digits"),
    pytest.param("1-800-555-0199 is the helpline", [phone("1-800-555-0199")], id="us-toll-free"),
    pytest.param("text me at 617 555 0134", [phone("617 555 0134")], id="us-spaced-with-cue"),
    pytest.param("617 555 0134 (cell)", [phone("617 555 0134")], id="us-spaced-cue-after"),
    pytest.param("call me at 617 555-0134 tonight", [phone("617 555-0134")], id="us-space-then-hyphen"),
    pytest.param(
        "call me before the meeting at 617-555-0134", [phone("617-555-0134")], id="meeting-is-not-an-identifier"
    ),
    pytest.param(
        "Meeting ID: 912 3456 7890. Text me at 617-555-0134 if it fails",
        [phone("617-555-0134")],
        id="phone-after-a-meeting-id",
    ),
    # Phone numbers: international.
    pytest.param("+44 20 7946 0958", [phone("+44 20 7946 0958")], id="intl-uk"),
    pytest.param("reach me on +33 6 12 34 56 78", [phone("+33 6 12 34 56 78")], id="intl-france"),
    pytest.param("+91 98765 43210 is my number", [phone("+91 98765 43210")], id="intl-india"),
    pytest.param("Büro: +49 30 901820", [phone("+49 30 901820")], id="intl-germany"),
    pytest.param("+44 (0)20 7946 0958", [phone("+44 (0)20 7946 0958")], id="intl-trunk-zero"),
    pytest.param("ring me on 020 7946 0958", [phone("020 7946 0958")], id="national-uk-with-cue"),
    pytest.param("my mobile is 06 12 34 56 78", [phone("06 12 34 56 78")], id="national-france-with-cue"),
    pytest.param("<tel:+16175550134|+1 617 555 0134>", [phone("+1 617 555 0134")], id="slack-tel-link"),
    # Email addresses.
    pytest.param("email me at sam.k@gmail.com", [email("sam.k@gmail.com")], id="email-gmail"),
    pytest.param("<mailto:kid123@gmail.com|kid123@gmail.com>", [email("kid123@gmail.com")], id="email-slack-mailto"),
    pytest.param("write to someone@notmit.edu", [email("someone@notmit.edu")], id="email-domain-boundary"),
    pytest.param(
        "my personal one is Alex.Smith+camp@Yahoo.co.uk.",
        [email("Alex.Smith+camp@Yahoo.co.uk")],
        id="email-plus-and-country-domain",
    ),
    pytest.param("kid123 [at] gmail [dot] com", [email("kid123 [at] gmail [dot] com")], id="email-bracketed"),
    pytest.param("email me: kid123 at gmail dot com", [email("kid123 at gmail dot com")], id="email-spelled-out"),
    # WhatsApp.
    pytest.param("wa.me/15551234567", [link("wa.me/15551234567", "whatsapp")], id="whatsapp-wa-me"),
    pytest.param(
        "join https://chat.whatsapp.com/AbCdEf123",
        [link("https://chat.whatsapp.com/AbCdEf123", "whatsapp")],
        id="whatsapp-group-link",
    ),
    pytest.param("just whatsapp me", [handle("whatsapp me", "whatsapp")], id="whatsapp-me"),
    pytest.param("add me on WhatsApp!", [handle("add me on WhatsApp", "whatsapp")], id="whatsapp-add-me-on"),
    pytest.param(
        "my whatsapp is +44 20 7946 0958",
        [handle("my whatsapp is +44 20 7946 0958", "whatsapp"), phone("+44 20 7946 0958")],
        id="whatsapp-my-number",
    ),
    # Telegram, Signal.
    pytest.param("t.me/coolkid22", [link("t.me/coolkid22", "telegram")], id="telegram-t-me"),
    pytest.param("telegram @coolkid", [handle("telegram @coolkid", "telegram")], id="telegram-at-handle"),
    pytest.param("https://signal.me/#eu/abc123", [link("https://signal.me/#eu/abc123", "signal")], id="signal-me"),
    pytest.param(
        "https://signal.group/#CjQKIPrY", [link("https://signal.group/#CjQKIPrY", "signal")], id="signal-group"
    ),
    pytest.param("message me on Signal", [handle("message me on Signal", "signal")], id="signal-message-me"),
    # Snapchat, Instagram.
    pytest.param("snap: coolkid22", [handle("snap: coolkid22", "snapchat")], id="snap-label"),
    pytest.param("my snapchat is alex.cool22", [handle("my snapchat is alex.cool22", "snapchat")], id="snapchat-my"),
    pytest.param(
        "https://www.snapchat.com/add/coolkid",
        [link("https://www.snapchat.com/add/coolkid", "snapchat")],
        id="snapchat-add-link",
    ),
    pytest.param("insta @coolkid", [handle("insta @coolkid", "instagram")], id="insta-at-handle"),
    pytest.param("my ig is coolkid_22", [handle("my ig is coolkid_22", "instagram")], id="ig-my"),
    pytest.param("instagram.com/coolkid", [link("instagram.com/coolkid", "instagram")], id="instagram-profile"),
    pytest.param("dm me on insta", [handle("dm me on insta", "instagram")], id="insta-dm-me-on"),
    # Discord, Kik, TikTok, Facebook, X, WeChat, LINE, Skype, Zoom personal rooms.
    pytest.param("discord.gg/abc123", [link("discord.gg/abc123", "discord")], id="discord-invite"),
    pytest.param(
        "https://discord.com/invite/abc123",
        [link("https://discord.com/invite/abc123", "discord")],
        id="discord-com-invite",
    ),
    pytest.param("my discord is name#1234", [handle("my discord is name#1234", "discord")], id="discord-tag"),
    pytest.param("add me on discord", [handle("add me on discord", "discord")], id="discord-add-me"),
    pytest.param("kik me", [handle("kik me", "kik")], id="kik-me"),
    pytest.param("my kik is coolkid", [handle("my kik is coolkid", "kik")], id="kik-my"),
    pytest.param(
        "follow me on tiktok @coolkid", [handle("follow me on tiktok @coolkid", "tiktok")], id="tiktok-follow"
    ),
    pytest.param("tiktok.com/@coolkid", [link("tiktok.com/@coolkid", "tiktok")], id="tiktok-profile"),
    pytest.param("m.me/alex.smith", [link("m.me/alex.smith", "facebook")], id="messenger-m-me"),
    pytest.param("x.com/coolkid", [link("x.com/coolkid", "x")], id="x-profile"),
    pytest.param("my wechat id is kid_2010", [handle("my wechat id is kid_2010", "wechat")], id="wechat"),
    pytest.param("text me on LINE", [handle("text me on LINE", "line")], id="line-capitalised"),
    pytest.param("skype: live:kid_2010", [handle("skype: live:kid_2010", "skype")], id="skype-live-id"),
    pytest.param(
        "my room: https://mit.zoom.us/my/alice.smith",
        [link("https://mit.zoom.us/my/alice.smith", "zoom-personal")],
        id="zoom-personal-room",
    ),
    pytest.param(
        "let's move this to telegram", [handle("let's move this to telegram", "telegram")], id="move-to-telegram"
    ),
    pytest.param(
        "<https://wa.me/15551234567|message me>",
        [link("https://wa.me/15551234567", "whatsapp")],
        id="slack-link-with-own-label",
    ),
    # Asks for a number, a personal address or a text, in ordinary words.
    pytest.param(
        "can i get ur number so we can sort out the carpool",
        [ContactDetail("phone", "can i get ur number")],
        id="ask-number",
    ),
    pytest.param("what's your cell? I'll text you", [ContactDetail("phone", "what's your cell")], id="ask-cell"),
    pytest.param(
        "is it ok if i just text you instead?",
        [ContactDetail("phone", "is it ok if i just text you")],
        id="ask-to-text",
    ),
    pytest.param(
        "send me your email, the personal one not the camp one",
        [ContactDetail("email", "send me your email")],
        id="ask-personal-email",
    ),
    pytest.param("drop your insta 👀👀", [handle("drop your insta", "instagram")], id="ask-with-emoji-after"),
    # A short form or a mail service as a label, a display name on a group app.
    pytest.param("dc: luna_rae", [handle("dc: luna_rae", "discord")], id="abbreviation-label"),
    pytest.param("ig mine is @sofi.draws", [handle("ig mine is @sofi.draws", "instagram")], id="short-form-mine-is"),
    pytest.param("hotmail: kayla_2010", [email("hotmail: kayla_2010")], id="mail-service-label"),
    pytest.param("my GroupMe is Jordan P.", [handle("my GroupMe is Jordan P.", "groupme")], id="display-name"),
]

SILENT = [
    # Dates, times, money.
    pytest.param("the session is on 2026-07-06 from 14:00-16:00", id="iso-date-and-time-range"),
    pytest.param("due 07/06/2026", id="us-date"),
    pytest.param("due 7.6.2026", id="dotted-date"),
    pytest.param("it costs $1,234.56", id="dollar-price"),
    pytest.param("it costs € 1 200", id="euro-price"),
    pytest.param("between 1999-2005", id="year-range"),
    # Identifiers.
    pytest.param("order #123456789", id="order-number"),
    pytest.param("order 6175550134 shipped", id="bare-order-number"),
    pytest.param("ticket 2026-001234", id="ticket"),
    pytest.param("invoice INV-2026-0042", id="invoice"),
    pytest.param("ISBN 978-0-13-468599-1", id="isbn-13"),
    pytest.param("ISBN 0-306-40615-2", id="isbn-10"),
    pytest.param("zip 02139-4307", id="zip-plus-four"),
    pytest.param("v3.12.1 is out", id="version"),
    pytest.param("reply to thread 1720280000.123456", id="slack-timestamp"),
    pytest.param("meet in room 32-123", id="room-number"),
    pytest.param("https://mit.slack.com/archives/C0123/p1720280000123456", id="long-id-in-url"),
    pytest.param("call ID 617-555-0134", id="identifier-shaped-like-a-phone"),
    pytest.param("card 4111 1111 1111 1111", id="card-number"),
    pytest.param("SSN-like 123-45-6789", id="ssn-shape"),
    pytest.param("server 192.168.100.254", id="ip-address"),
    pytest.param("tracking number 1Z999AA10123456784", id="tracking-number"),
    pytest.param("population 8,336,817", id="population"),
    # Maths and lists of numbers.
    pytest.param("pi is 3.14159", id="pi"),
    pytest.param("2+2=4", id="addition"),
    pytest.param("10^6 = 1000000", id="power-of-ten"),
    pytest.param("values 512 256 1024", id="spaced-values-no-cue"),
    pytest.param("+1 for that idea", id="plus-one"),
    pytest.param("the meeting is at GMT+10 or UTC +05:30", id="time-zones"),
    pytest.param("call 911 in an emergency", id="emergency-number"),
    pytest.param(ZOOM_INVITATION, id="zoom-invitation-dial-in-numbers"),
    # Institutional and non-personal emails.
    pytest.param("email me at sam@mit.edu", id="institutional-email"),
    pytest.param("bob@math.mit.edu", id="institution-subdomain"),
    pytest.param("ENVIRONMENT@MIT.EDU", id="institution-role-upper-case"),
    pytest.param("write to someone@example.com", id="reserved-example-domain"),
    pytest.param("git clone git@github.com:org/repo.git", id="git-remote"),
    pytest.param("icon@2x.png", id="image-file-name"),
    pytest.param("npm i pkg@1.2.3 @types/node", id="package-versions"),
    pytest.param("look at google dot com", id="spelled-out-without-email-cue"),
    pytest.param("replies go to noreply@zoom.us", id="no-reply-address"),
    # Platforms named in passing.
    pytest.param("Instagram was founded in 2010", id="instagram-history"),
    pytest.param("we discussed how Discord moderation works", id="discord-discussed"),
    pytest.param("signal processing is fun", id="signal-processing"),
    pytest.param("wait for the traffic signal", id="traffic-signal"),
    pytest.param("a telegram from 1917", id="old-telegram"),
    pytest.param("line up in order", id="line-up"),
    pytest.param("snap your fingers", id="snap-fingers"),
    pytest.param("kick the ball", id="kick"),
    pytest.param("my signal is weak here", id="my-signal-is-weak"),
    pytest.param("My Instagram is private", id="my-instagram-is-private"),
    pytest.param("my tiktok is blowing up", id="my-tiktok-is-blowing-up"),
    pytest.param("Oh snap: that was close", id="oh-snap"),
    pytest.param("snap: 2 points for that", id="snap-a-small-number"),
    pytest.param("Signal: 5.2 dB", id="signal-a-measurement"),
    pytest.param("Discord: Moderation and Safety", id="discord-heading"),
    pytest.param("message me on Slack", id="slack-is-the-program-space"),
    pytest.param("WhatsApp uses end-to-end encryption", id="whatsapp-fact"),
    pytest.param("follow us on Instagram for program news", id="organisation-account"),
    # Slack markup and code.
    pytest.param("<@U024BE7LH> can you help?", id="slack-user-mention"),
    pytest.param("see <#C123|general>", id="slack-channel-mention"),
    pytest.param("@here @channel <!here> please read", id="mass-mentions"),
    pytest.param("use @dataclass or @Override", id="code-decorators"),
    # Citations and content links.
    pytest.param('"Stay hungry" — @jack on Twitter', id="quoted-citation"),
    pytest.param("As @nasa posted, the launch is at 9", id="bare-at-handle"),
    pytest.param("https://www.instagram.com/p/Cxyz123/", id="instagram-post"),
    pytest.param("https://x.com/nasa/status/1234567890123", id="tweet"),
    pytest.param("https://www.tiktok.com/@nasa/video/7234567890123456789", id="tiktok-video"),
    pytest.param("https://discord.com/developers/docs/intro", id="discord-docs"),
    pytest.param("join at https://mit.zoom.us/j/123456789", id="zoom-join-link"),
    pytest.param("can I get the office number? my dad needs to call", id="ask-office-number"),
    pytest.param("what's the zoom link for tomorrow?", id="ask-zoom-link"),
    pytest.param("please ask your parents for their number for the permission slip", id="ask-parents-number"),
    pytest.param("drop your answers in the thread 🙏", id="ask-answers"),
    pytest.param("what's your cell service like at the campsite?", id="cell-service"),
    pytest.param("Reminder: never share your phone number.", id="rule-against-sharing"),
    pytest.param("what's your school email so I can share the doc?", id="ask-school-email"),
    pytest.param("Trip to DC: bus leaves at 7am", id="dc-as-a-place"),
    pytest.param("X: x_1 and X = x_train", id="one-letter-label"),
    pytest.param("gmail: check your spam folder", id="mail-service-talk"),
    pytest.param("my GroupMe is Not Working again", id="display-name-words"),
]


@pytest.mark.parametrize(("text", "expected"), FIRES)
def test_contact_details_fire(text, expected):
    assert find_contact_details(text, MIT) == expected


@pytest.mark.parametrize("text", SILENT)
def test_contact_details_stay_silent(text):
    assert find_contact_details(text, MIT) == []


def test_corpora_are_large_enough():
    assert len(FIRES) >= 30 and len(SILENT) >= 30


def test_each_detail_is_reported_once_in_text_order():
    text = "call 617-555-0134 or kid@gmail.com, again: 617-555-0134, or add me on discord, kid@gmail.com"
    assert find_contact_details(text, MIT) == [
        phone("617-555-0134"),
        email("kid@gmail.com"),
        handle("add me on discord", "discord"),
    ]


def test_a_slack_link_is_reported_once_with_its_target():
    text = "<https://t.me/coolkid|t.me/coolkid> and <mailto:kid@gmail.com|kid@gmail.com>"
    assert find_contact_details(text, MIT) == [
        link("https://t.me/coolkid", "telegram"),
        email("kid@gmail.com"),
    ]


def test_slack_escapes_are_read_as_text():
    assert find_contact_details("Q&amp;A: text me at 617-555-0134 &gt; thanks", MIT) == [phone("617-555-0134")]


def test_what_is_inside_a_url_is_not_reported_again():
    text = "form: https://forms.example.org/new?email=kid@gmail.com&phone=6175550134"
    assert find_contact_details(text, MIT) == []
    assert find_contact_details("wa.me/16175550134", MIT) == [link("wa.me/16175550134", "whatsapp")]


@pytest.mark.parametrize(
    ("address", "domains", "fires"),
    [
        pytest.param("alice@mit.edu", ["mit.edu"], False, id="exact-domain"),
        pytest.param("bob@math.mit.edu", ["mit.edu"], False, id="subdomain"),
        pytest.param("Bob@Math.MIT.Edu", ["mit.edu"], False, id="address-case"),
        pytest.param("bob@math.mit.edu", ["MIT.EDU"], False, id="domain-list-case"),
        pytest.param("bob@mit.edu", [" @mit.edu "], False, id="domain-list-with-at-and-spaces"),
        pytest.param("someone@notmit.edu", ["mit.edu"], True, id="suffix-is-not-a-subdomain"),
        pytest.param("someone@mit.edu.evil.com", ["mit.edu"], True, id="prefix-is-not-the-domain"),
        pytest.param("kid123@gmail.com", ["mit.edu"], True, id="personal"),
        pytest.param("sam@harvard.edu", ["mit.edu", "harvard.edu"], False, id="second-institution"),
        pytest.param("alice@mit.edu", [], True, id="no-domains-every-email-fires"),
        pytest.param("alice@mit.edu", "mit.edu", False, id="a-single-string-is-one-domain"),
    ],
)
def test_institution_domains(address, domains, fires):
    assert find_contact_details(f"email {address}", domains) == ([email(address)] if fires else [])


def test_institution_domains_default_to_none():
    assert find_contact_details("alice@mit.edu") == [email("alice@mit.edu")]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param(None, id="none"),
        pytest.param("   \n\t  ", id="whitespace"),
        pytest.param("😀🧪☢️ 日本語 ١٢٣٤٥٦٧٨٩٠ ñ", id="unicode-and-emoji"),
        pytest.param("<<<>>>|||<@<#<!", id="broken-markup"),
        pytest.param("http://[::1", id="broken-url"),
    ],
)
def test_odd_input_never_raises(text):
    assert find_contact_details(text, MIT) == []


def test_contact_details_amid_unicode_and_emoji():
    assert find_contact_details("📱 text me 👉 617-555-0134 😀", MIT) == [phone("617-555-0134")]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a" * 100_000, id="letters"),
        pytest.param("1" * 100_000, id="digits"),
        pytest.param("1-" * 50_000, id="hyphenated-digits"),
        pytest.param("+1 " * 33_000, id="plus-ones"),
        pytest.param("a@" * 50_000, id="at-signs"),
        pytest.param("a." * 50_000, id="dots"),
        pytest.param("http://" * 14_000, id="schemes"),
        pytest.param("<a|" * 33_000, id="open-links"),
        pytest.param("snap: " * 16_000, id="labels"),
        pytest.param("my snapchat is " * 6_000, id="phrases"),
        pytest.param("a at b dot " * 9_000, id="spelled-out"),
        pytest.param("00 " * 33_000, id="trunk-zeros"),
    ],
)
def test_adversarial_100k_text_completes(text):
    assert isinstance(find_contact_details(text, MIT), list)


def test_long_ordinary_text_finds_the_one_detail():
    filler = "We talked about robots and sensors today. " * 2_500
    assert find_contact_details(filler + "text me at 617-555-0134. " + filler, MIT) == [phone("617-555-0134")]


# --- the platform table, handles and emails ---------------------------------------------------------


def _names(platform: Platform) -> tuple[str, ...]:
    return (*platform.names, *platform.short, *platform.ordinary, *platform.capitals)


def test_each_name_belongs_to_one_platform():
    keys = [name.lower().replace(" ", "") for platform in PLATFORMS for name in _names(platform)]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize(
    ("name", "platform"), [pytest.param(n, p.name, id=f"{p.name}-{n}") for p in PLATFORMS for n in _names(p)]
)
def test_every_name_in_the_table_is_read(name, platform):
    """A row of the table is all it takes: each of its names is found by the handle patterns."""
    text = f"my {name} is @jo_m22"
    assert find_contact_details(text, MIT) == [handle(text, platform)]


@pytest.mark.parametrize(
    ("url", "platform"),
    [
        pytest.param("https://groupme.com/join_group/98765432/AbCdEf", "groupme", id="groupme-invite"),
        pytest.param("https://t.me/+AbCdEfGh", "telegram", id="telegram-group-invite"),
        pytest.param("linktr.ee/avaartz", "linktree", id="linktree"),
        pytest.param("https://bsky.app/profile/june.bsky.social", "bluesky", id="bluesky-profile"),
        pytest.param("https://steamcommunity.com/id/darkmatter77", "steam", id="steam-profile"),
        pytest.param("https://www.reddit.com/user/quietcoder_14", "reddit", id="reddit-user"),
        pytest.param("https://www.threads.net/@kai.codes", "threads", id="threads-profile"),
        pytest.param("https://mastodon.social/@june", "mastodon", id="mastodon-profile"),
        pytest.param("https://invite.viber.com/?g2=AQBx", "viber", id="viber-invite"),
        pytest.param("https://open.kakao.com/o/gAbCdEf", "kakaotalk", id="kakao-open-chat"),
        pytest.param("https://realms.gg/AbCdEf12", "minecraft", id="minecraft-realm-invite"),
        pytest.param("https://www.roblox.com/users/123456/profile", "roblox", id="roblox-profile"),
    ],
)
def test_profile_and_invitation_links_of_the_table(url, platform):
    assert find_contact_details(f"here {url}", MIT) == [link(url, platform)]


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("https://www.reddit.com/r/learnpython/", id="subreddit"),
        pytest.param("https://bsky.app/search?q=robots", id="bluesky-search"),
        pytest.param("https://steamcommunity.com/market/", id="steam-market"),
        pytest.param("https://www.youtube.com/@nasa", id="youtube-channel"),
        pytest.param("https://www.twitch.tv/nasa", id="twitch-channel"),
        pytest.param("https://www.roblox.com/games/920587237/Adopt-Me", id="roblox-game"),
    ],
)
def test_content_links_of_the_table_stay_silent(url):
    assert find_contact_details(f"watch {url}", MIT) == []


def test_slack_mailto_wrapping_does_not_defeat_the_git_remote_guard():
    """Slack links "git@github.com" as a mailto; the remote's path then follows the link."""
    assert find_contact_details("git clone <mailto:git@github.com|git@github.com>:org/repo.git", MIT) == []
    assert find_contact_details("<mailto:jo@gmail.com|jo@gmail.com>: my personal one", MIT) == [email("jo@gmail.com")]


def test_an_address_whose_domain_slack_linked_is_read_whole():
    """Slack links a bare domain: "jo.m22 at gmail.com" arrives as "jo.m22 at <http://gmail.com|gmail.com>"."""
    assert [d.kind for d in find_contact_details("jo.m22 at <http://gmail.com|gmail.com>", MIT)] == ["email"]


@pytest.mark.parametrize(
    ("text", "kind", "platform"),
    [
        pytest.param("sc - jomiller", "handle", "snapchat", id="short-form-label"),
        pytest.param("i'm jo_m22 on discord", "handle", "discord", id="handle-before-platform"),
        pytest.param("what's your snap?", "handle", "snapchat", id="ask"),
        pytest.param("jo m 22 at gmail dot com", "email", "", id="spaced-spelled-out"),
        pytest.param("jo m22 @ gmail . com", "email", "", id="spaced-at-sign"),
        pytest.param("jo.m22 (at) yahoo", "email", "", id="service-without-ending"),
        pytest.param("my gmail is jomiller22", "email", "", id="my-provider"),
    ],
)
def test_new_handle_and_email_forms(text, kind, platform):
    found = find_contact_details(text, MIT)
    assert [(d.kind, d.platform) for d in found] == [(kind, platform)]

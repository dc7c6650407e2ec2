"""`safe-contact demo`: the real app against a simulated workspace (the same local Slack stand-in the
tests use, over HTTP), through a scripted program day, printed for a program administrator. It needs
no Slack account and no network, and leaves nothing behind."""

from __future__ import annotations

import asyncio
import logging
import re
import sys
import tempfile
import textwrap
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

from aiohttp import web

import storage
from bot.config import Settings
from bot.model import BackgroundCheck, Person, Program, Role, SessionWindow
from cli.database import open_database
from fakeslack import FakeSlack
from fakeslack.workspace import EVERYONE_EXCEPT_GUESTS
from handlers import SafeContactApp, create_app
from handlers.runtime import Timing

TEAM, BOT = "T0DEMO0001", "U0SAFEBOT1"
GENERAL, SESSION, ALERTS, PROJECT = "C0GENERAL1", "C0SESSION1", "C0ALERTS01", "C0PROJECT1"
SIGNING_SECRET = "demo-signing-secret"


def _person(
    name: str,
    role: str,
    uid: str | None,
    email: str,
    *,
    recording_consent: bool = False,
    guardian_of: tuple[str, ...] = (),
) -> Person:
    """A roster entry; the demo's staff and administrators are all cleared."""
    staff = role in ("staff", "program_admin", "dlc_admin")
    return Person(
        name=name,
        email=email,
        role=Role(role),
        slack_id=uid,
        background_check=BackgroundCheck.CLEARED if staff else None,
        guardian_of=guardian_of,
        recording_consent=recording_consent,
    )


def demo_program(now: datetime) -> Program:
    """A summer program with a live session running now."""
    roster = (
        _person("Avery Admin", "program_admin", "U0ADMIN001", "avery@university.edu"),
        _person("Blake Admin", "program_admin", "U0ADMIN002", "blake@university.edu"),
        _person("Dana DLC", "dlc_admin", "U0DLCADM01", "dana@university.edu"),
        _person("Sam Mentor", "staff", "U0STAFF001", "sam@university.edu"),
        _person("Lee Mentor", "staff", "U0STAFF002", "lee@university.edu"),
        _person("Alex Participant", "minor", "U0MINOR001", "alex@example.org", recording_consent=True),
        _person("Jo Participant", "minor", "U0MINOR002", "jo@example.org"),
        _person("Pat Parent", "guardian", "U0GUARD001", "pat@example.org", guardian_of=("alex@example.org",)),
        _person("Robin Parent", "guardian", "U0GUARD002", "robin@example.org", guardian_of=("jo@example.org",)),
    )
    window = SessionWindow(
        channel=SESSION,
        start=now - timedelta(minutes=30),
        end=now + timedelta(minutes=90),
        access_info="Join: https://meet.university.edu/j/123 · passcode 4411",
    )
    return Program(
        id="splash-demo",
        name="Splash Demo",
        alert_channel=ALERTS,
        institution_domains=("university.edu",),
        dlc="Educational Studies Program",
        channels=(GENERAL,),
        session_channels=(SESSION,),
        safety_contact="safety@university.edu",
        roster=roster,
        sessions=(window,),
    )


def demo_workspace(slack: FakeSlack, program: Program) -> None:
    # The program's workspace lets members (and so the app) remove people from public channels, so
    # that a lockdown of the public session channel can be carried out (Slack's default: admins only).
    slack.workspace.settings.remove_from_public_channels = EVERYONE_EXCEPT_GUESTS
    for person in program.roster:
        if person.slack_id:
            slack.add_user(person.slack_id, name=person.name, email=person.email)
    slack.add_user("U0INTRUDER", name="Casey Unknown", email="casey@freemail.example")
    everyone = [p.slack_id for p in program.roster if p.slack_id]
    slack.add_channel(GENERAL, name="general", members=[BOT, *everyone])
    slack.add_channel(
        SESSION, name="live-session", members=[BOT, "U0STAFF001", "U0STAFF002", "U0MINOR001", "U0MINOR002"]
    )
    slack.add_channel(
        ALERTS, name="safe-contact-alerts", private=True, members=[BOT, "U0ADMIN001", "U0ADMIN002", "U0DLCADM01"]
    )


@dataclass
class Step:
    title: str
    act: Callable[[], Awaitable[None]]


class Narrator:
    """Prints what Slack received from the app since the last step, in a program administrator's words."""

    def __init__(self, slack: FakeSlack, out: TextIO = sys.stdout) -> None:
        self.slack, self.out, self.seen = slack, out, 0

    def name(self, match: re.Match[str]) -> str:
        kind, ident = match.group(1), match.group(2)
        if kind == "@":
            user = self.slack.users.get(ident)
            return "@" + (user.name if user else ident)
        conversation = self.slack.conversations.get(ident)
        if conversation is not None and conversation.is_mpim:
            return "their group DM"
        return "#" + (conversation.name if conversation else ident)

    def readable(self, text: str) -> str:
        text = re.sub(r"<([@#])([A-Z0-9]+)(?:\|[^>]*)?>", self.name, text or "")
        return re.sub(r"<!date\^\d+\^[^|]*\|([^>]*)>", r"\1", text)

    def where(self, channel: str) -> str:
        if channel.startswith(("U", "W")):  # the app writes to a user id: a direct message from it
            return "direct message to " + self.readable(f"<@{channel}>")
        conversation = self.slack.conversations.get(channel)
        if conversation is not None and getattr(conversation, "is_im", False):
            other = next((m for m in conversation.members if m != BOT), "")
            return "direct message to " + self.readable(f"<@{other}>")
        return "in " + self.readable(f"<#{channel}>")

    def report(self) -> None:
        calls = self.slack.calls[self.seen :]
        self.seen = len(self.slack.calls)
        lines = []
        for call in calls:
            if not call.ok:
                continue
            params = call.params
            if call.method == "chat.postMessage":
                channel = params.get("channel", "")
                label = "ALERT " if channel == ALERTS and not params.get("thread_ts") else ""
                thread = " (thread)" if params.get("thread_ts") else ""
                text = self.readable(params.get("text", "")).split("\n\n")[0]  # a welcome's first paragraph
                lines.append(f"{label}{self.where(channel)}{thread}: {text}{_buttons(params.get('blocks'))}")
            elif call.method == "conversations.kick":
                who, where = f"<@{params.get('user', '')}>", f"<#{params.get('channel', '')}>"
                lines.append(f"removed {self.readable(who)} from {self.readable(where)}")
            elif call.method == "conversations.invite":
                who, where = f"<@{params.get('users', '')}>", f"<#{params.get('channel', '')}>"
                lines.append(f"invited {self.readable(who)} to {self.readable(where)}")
            elif call.method == "chat.update":
                lines.append(f"updated the alert {self.where(params.get('channel', ''))}")
        if not lines:
            lines = ["(nothing to do: no Web API call)"]
        for line in lines:
            print(textwrap.fill(line, 100, initial_indent="    -> ", subsequent_indent="       "), file=self.out)

    def answer(self, body: object) -> None:
        """A slash command's private answer, as the administrator sees it."""
        if not isinstance(body, dict):
            return
        texts = [body.get("text", "")]
        for block in body.get("blocks") or []:
            texts.append((block.get("text") or {}).get("text", ""))
            texts.extend(e.get("text", "") for e in block.get("elements") or [] if isinstance(e, dict))
        for text in (self.readable(t) for t in texts if t):
            for line in text.splitlines():
                indent = "    | "
                print(textwrap.fill(line, 100, initial_indent=indent, subsequent_indent=indent + "  "), file=self.out)


def _buttons(blocks: object) -> str:
    """The buttons a message carries, as `[Acknowledge] [Resolve]`."""
    if not isinstance(blocks, list):
        return ""
    labels = [
        e["text"]["text"]
        for b in blocks
        if isinstance(b, dict) and b.get("type") == "actions"
        for e in b.get("elements") or []
    ]
    return "".join(f" [{label}]" for label in labels)


async def program_day(out: TextIO = sys.stdout) -> FakeSlack:
    """Run the scripted day; returns the fake Slack with everything the app sent."""
    now = datetime.now(UTC).replace(microsecond=0)
    clock = {"now": now}
    with (
        tempfile.TemporaryDirectory(prefix="safe-contact-demo-") as folder,
        open_database(f"sqlite:///{Path(folder) / 'demo.db'}") as engine,
    ):
        program = demo_program(now)
        with storage.session_scope(engine) as session:
            storage.save_program(program, session=session)
        slack = FakeSlack(signing_secret=SIGNING_SECRET, team_id=TEAM, bot_user_id=BOT)
        await slack.start()
        demo_workspace(slack, program)
        # The fake Slack here enforces no limits: the budget need not wait for them either.
        settings = Settings(
            bot_token=slack.bot_token, signing_secret=SIGNING_SECRET, api_url=slack.base_url, slack_time_scale=0.0
        )
        app = create_app(settings, engine=engine, timing=Timing(poll_every=0.05), clock=lambda: clock["now"])
        runner = web.AppRunner(app.web_app())
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        port = runner.addresses[0][1]
        slack.events_url = f"http://127.0.0.1:{port}/slack/events"
        narrator = Narrator(slack, out)
        try:
            await app.start(background=False)
            for number, step in enumerate(_script(slack, app, clock, program, narrator), start=1):
                print(f"\n{number}. {step.title}", file=out)
                await step.act()
                await app.worker.drain()
                narrator.report()
        finally:
            await app.stop()
            await runner.cleanup()
            await slack.stop()
    return slack


def _script(
    slack: FakeSlack, app: SafeContactApp, clock: dict[str, datetime], program: Program, narrator: Narrator
) -> list[Step]:
    huddles: dict[str, str] = {}  # a huddle's call id by its conversation, for the scenes after its start

    async def connect(user: str) -> None:
        token = slack.connect_user(user)
        with storage.session_scope(app.runtime.engine) as session:
            storage.save_user_token(
                TEAM,
                user,
                token,
                scopes="im:history,mpim:history",
                seal=app.runtime.seal,
                now=clock["now"],
                session=session,
            )

    async def start() -> None:
        await connect("U0MINOR001")
        await connect("U0MINOR002")
        await app.sweep()

    async def mentor_dm() -> None:
        dm = slack.add_dm("U0STAFF001", "U0MINOR001")
        await slack.user_says("U0STAFF001", dm, "hey Alex, want help with your project after the session?")

    async def intruder() -> None:
        await slack.user_joins("U0INTRUDER", GENERAL)

    async def one_adult_left() -> None:
        await slack.user_leaves("U0STAFF002", SESSION)

    async def phone_in_group_dm() -> None:
        group = slack.add_group_dm(["U0MINOR002", "U0STAFF002", "U0MINOR001"])
        await slack.user_says("U0MINOR002", group, "my cell is 617-555-0142, text me later!")

    async def benign() -> None:
        await slack.user_says("U0MINOR001", GENERAL, "Can we go over problem 3 again on Tuesday at 3:30?")

    async def time_passes() -> None:
        clock["now"] += timedelta(minutes=16)
        await app.scheduled_checks()

    async def second_adult_back() -> None:
        await slack.user_joins("U0ADMIN001", SESSION)

    async def grace_passes() -> None:
        """The demo moves the app's clock past a call's grace period instead of waiting for it."""
        await app.worker.drain()
        grace = app.runtime.call_grace
        clock["now"] += grace + timedelta(seconds=1)
        passes = f"(the call's grace period, {grace.seconds} seconds, passes: the demo moves the app's clock on)"
        print("    " + passes, file=narrator.out)

    async def dm_huddle() -> None:
        dm = slack.add_dm("U0STAFF001", "U0MINOR001")
        call = await slack.start_huddle("U0STAFF001", dm)
        await app.worker.drain()
        clock["now"] += timedelta(seconds=5)  # it rings a moment before Alex answers
        await slack.join_huddle("U0MINOR001", call)
        await grace_passes()

    async def dm_huddle_ends() -> None:
        clock["now"] += timedelta(minutes=2)
        await slack.leave_huddle("U0MINOR001")
        await slack.leave_huddle("U0STAFF001")

    async def session_huddle() -> None:
        huddles[SESSION] = await slack.start_huddle("U0STAFF001", SESSION)
        for person in ("U0ADMIN001", "U0MINOR001", "U0MINOR002"):
            await slack.join_huddle(person, huddles[SESSION])
        await grace_passes()

    async def session_huddle_one_adult() -> None:
        await slack.leave_huddle("U0STAFF001")
        await grace_passes()

    async def session_huddle_second_adult() -> None:
        await slack.user_joins("U0STAFF002", SESSION)
        await app.worker.drain()
        await slack.join_huddle("U0STAFF002", huddles[SESSION])

    async def command(text: str) -> None:
        name, _, arguments = text.partition(" ")
        _, body = await slack.slash_command(name, text=arguments, user_id="U0ADMIN001", channel_id=SESSION)
        narrator.answer(body)
        await app.runtime.followups.wait()  # what needed Slack follows through the response_url
        for later in slack.responses_to(slack.deliveries[-1]):
            narrator.answer(later)

    async def status() -> None:
        await command(f"/minors-status <#{SESSION}|live-session>")

    async def lockdown() -> None:
        await slack.user_joins("U0INTRUDER", SESSION)
        await app.worker.drain()
        await command(f"/minors-lockdown <#{SESSION}|live-session> someone unknown joined the live session")
        await app.worker.drain()
        await slack.flush()  # the removals are announced as members leaving

    async def unlock() -> None:
        await command(f"/minors-unlock <#{SESSION}|live-session>")
        await app.worker.drain()
        await slack.flush()  # the invitations are announced as joins

    return [
        Step("Safe Contact starts: two participants have connected their accounts; it sweeps the workspace.", start),
        Step("A benign question in #general (an ordinary message).", benign),
        Step("Mentor Sam sends participant Alex a private direct message.", mentor_dm),
        Step("Someone who is not on the roster joins #general.", intruder),
        Step("Mentor Lee leaves #live-session during the live session: one adult is left.", one_adult_left),
        Step("Jo shares a phone number in a group DM with Lee and Alex.", phone_in_group_dm),
        Step("Sixteen minutes pass and nobody has acknowledged the alerts.", time_passes),
        Step("Program admin Avery joins #live-session: two adults again.", second_adult_back),
        Step("Avery checks the session from Slack: /minors-status #live-session.", status),
        Step("The intruder gets into #live-session; Avery closes it at once: /minors-lockdown.", lockdown),
        Step("The intruder is gone for good; Avery reopens the session: /minors-unlock.", unlock),
        Step("Sam calls Alex in their DM (a huddle) and Alex answers: they are alone in a call.", dm_huddle),
        Step("Two minutes later Alex hangs up, then Sam: the call has ended.", dm_huddle_ends),
        Step("Sam starts a huddle in #live-session; Avery, Alex and Jo join it.", session_huddle),
        Step("Mentor Sam leaves the huddle: Avery is the one adult left with Alex and Jo.", session_huddle_one_adult),
        Step("Mentor Lee comes back to #live-session and joins the huddle: two adults.", session_huddle_second_adult),
    ]


def run_demo() -> int:
    # What the app does is printed below each step; its own logs would only repeat it.
    logging.getLogger().setLevel(max(logging.WARNING, logging.getLogger().level))
    print("Safe Contact demo: a simulated program day in a simulated Slack workspace (no account, no network).")
    print("Every event is delivered to the real app over HTTP, signed as Slack signs it; below each is what")
    print("the app sent back to Slack.")
    asyncio.run(program_day())
    print("\nThat was the demo. To watch a real workspace, see README.md, 'Create the Slack app'.")
    return 0

"""Exactly once under a slow Slack and faults: two app instances on one PostgreSQL database, a Slack
that takes its time to answer, claims whose lease runs out, and the database cut off in the middle
of a round. Every alert, warning, notice and thread reply is posted once."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from builders import ALERTS, GENERAL, GUARD1, GUARD2, MINOR1, MINOR2, SESSION, STAFF1, program
from scenario_world import (
    BOT_USER,
    SCENARIO_DELIVERY,
    SIGNING_SECRET,
    TEAM,
    World,
    populate,
    quiet,
    start_world,
    stop_world,
)
from sqlalchemy import Engine
from sqlalchemy.engine import URL
from sqlmodel import select
from test_scenario_crash import AppProcess

import storage
from bot.config import Settings
from bot.model import SessionWindow
from fakeslack import FakeSlack
from handlers import SafeContactApp, create_app
from handlers.runtime import Timing
from handlers.scheduled.sweep import scheduled_checks
from storage.tables import InboxRow

pytestmark = pytest.mark.postgres
NOTICE = "live session is scheduled"


@dataclass
class CutOff:
    """A PostgreSQL role and schema of a test's own: the app connects as the role, and the test
    cuts it off (its connections ended, new ones refused) as a database blip does, then lets it back."""

    admin: Engine
    role: str
    url: URL

    def cut(self) -> None:
        with self.admin.begin() as connection:
            connection.exec_driver_sql(f"ALTER ROLE {self.role} NOLOGIN")
            connection.exec_driver_sql(
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{self.role}'"
            )

    def restore(self) -> None:
        with self.admin.begin() as connection:
            connection.exec_driver_sql(f"ALTER ROLE {self.role} LOGIN")


@pytest.fixture
def cut_off(postgres_url: URL, postgres_admin: Engine) -> Iterator[CutOff]:
    role = f"blip_{uuid.uuid4().hex[:12]}"
    with postgres_admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE ROLE {role} LOGIN")
        connection.exec_driver_sql(f"CREATE SCHEMA {role} AUTHORIZATION {role}")
    url = postgres_url.set(username=role).update_query_dict({"options": f"-csearch_path={role}"})
    yield CutOff(postgres_admin, role, url)
    with postgres_admin.begin() as connection:
        connection.exec_driver_sql(f"ALTER ROLE {role} LOGIN")
        connection.exec_driver_sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'")
        connection.exec_driver_sql("SET LOCAL lock_timeout = '10s'")
        connection.exec_driver_sql(f"DROP SCHEMA {role} CASCADE")
        connection.exec_driver_sql(f"DROP ROLE {role}")


@pytest.fixture
def cut_off_engine(cut_off: CutOff) -> Iterator[Engine]:
    engine = storage.create_engine_from_url(cut_off.url.render_as_string(hide_password=False))
    storage.migrate(engine)
    yield engine
    engine.dispose()


async def second_instance(world: World, name: str, timing: Timing | None = None) -> SafeContactApp:
    """Another app on the world's database, as a second process would be (its own worker and pool)."""
    settings = Settings(bot_token=world.slack.bot_token, signing_secret=SIGNING_SECRET, api_url=world.slack.base_url)
    second = create_app(settings, engine=world.engine, timing=timing or Timing(poll_every=0.05), clock=world.clock)
    await second.start(background=False)
    second.worker.name = name
    return second


def notices(world: World, guardian: str) -> list[dict]:
    return [m for m in world.direct_messages(guardian) if NOTICE in m["text"]]


def marker_of(message: dict) -> str | None:
    """The key the app posted a message with, as Slack keeps it (the message's metadata)."""
    return ((message.get("metadata") or {}).get("event_payload") or {}).get("key")


def doubled(messages: list[dict]) -> list[str]:
    """Texts posted more than once."""
    return [text for text, count in Counter(m["text"] for m in messages).items() if count > 1]


def inbox(engine: Engine) -> list[InboxRow]:
    with storage.session_scope(engine) as session:
        return list(session.exec(select(InboxRow)))


async def test_guardian_notices_are_sent_once_by_the_start_up_sweep_the_checks_and_a_second_process(
    tmp_path, postgres_engine
):
    """Slack answers slowly, the first scheduled check comes while the start-up sweep is still
    posting, and a second process does the same: each guardian is told once."""
    world, runner = await start_world(tmp_path, engine=postgres_engine, sweep=False)
    second = await second_instance(world, "second-instance:1")
    world.slack.answer_latencies["chat.postMessage"] = 0.4
    try:
        await asyncio.gather(
            world.app.sweep(),
            scheduled_checks(world.app.runtime, TEAM),
            second.sweep(),
            scheduled_checks(second.runtime, TEAM),
        )
        await world.settle()
        for guardian in (GUARD1, GUARD2):
            assert len(notices(world, guardian)) == 1, f"{guardian} was told {len(notices(world, guardian))} times"
        assert world.alerts_for("guardian-not-informed") == []  # being sent is not "not reached"
        await scheduled_checks(world.app.runtime, TEAM)  # a later check sends nothing again
        assert all(len(notices(world, g)) == 1 for g in (GUARD1, GUARD2))
    finally:
        await second.stop()
        await stop_world(world, runner)


async def test_past_the_lease_a_second_worker_does_not_do_again_what_the_first_is_doing(tmp_path, postgres_engine):
    """The first worker holds a round of alerts and warnings while Slack answers slowly; the lease
    runs out (the clock moves past it) and a second worker takes the claims as a dead worker's. The
    first checks its claim before each Slack call, and the second finds what the first posted: each
    alert and each warning is posted once."""
    world, runner = await start_world(tmp_path, engine=postgres_engine)
    second = await second_instance(world, "second-instance:1")
    try:
        world.connect(MINOR1)
        adults = [f"U0ADULT{n:03d}" for n in range(4)]
        for adult in adults:
            world.slack.add_user(adult, name=adult, email=f"{adult.lower()}@example.com")
            await world.slack.user_says(adult, world.slack.add_dm(adult, MINOR1), "hi, it's me")
        await world.app.worker.run_once()  # the events are judged: the alerts and warnings are queued
        world.slack.answer_latencies["chat.postMessage"] = 0.3
        first = asyncio.ensure_future(world.app.worker.run_once())
        await asyncio.sleep(0.5)  # the first worker is posting
        world.clock.advance(minutes=6)  # its claims are older than the lease now
        while not first.done():
            await second.worker.run_once()
            await asyncio.sleep(0.05)
        await first
        world.slack.answer_latencies.clear()
        await world.settle()
        await second.worker.drain()
        alerts = world.alerts_for("dm-adult-minor")
        assert len(alerts) == len(adults) and doubled(alerts) == []
        for adult in adults:
            warnings = world.direct_messages(adult)
            assert warnings and doubled(warnings) == [], f"{adult}'s warning was doubled"
    finally:
        await second.stop()
        await stop_world(world, runner)


async def test_a_live_workers_claims_are_renewed_while_slack_is_slow(tmp_path, postgres_engine):
    """A round of posts under a slow Slack takes longer than the 5-minute lease (the app's clock runs
    a minute every 0.2 s): the live worker renews its claims as it goes, so the other worker, asking
    all along, takes none of them."""
    world, runner = await start_world(tmp_path, engine=postgres_engine)
    second = await second_instance(world, "second-instance:1")
    try:
        world.connect(MINOR1)
        for n in range(3):
            adult = f"U0ADULT{n:03d}"
            world.slack.add_user(adult, name=adult, email=f"{adult.lower()}@example.com")
            await world.slack.user_says(adult, world.slack.add_dm(adult, MINOR1), "hi, it's me")
        await world.app.worker.run_once()
        world.slack.answer_latencies["chat.postMessage"] = 0.3  # six posts: 1.8 s, nine minutes
        first = asyncio.ensure_future(world.app.worker.run_once())
        await asyncio.sleep(0.1)  # the first worker has claimed the round
        taken = 0
        while not first.done():
            await asyncio.sleep(0.2)
            world.clock.advance(minutes=1)
            taken += await second.worker.run_once()
        assert await first >= 6
        assert taken == 0, f"the second worker took {taken} item(s) from a live worker"
        assert all(row.attempts == 1 for row in inbox(world.engine) if row.kind == "action")
    finally:
        await second.stop()
        await stop_world(world, runner)


async def test_a_database_blip_mid_round_strands_nothing_and_a_thread_reply_is_posted_once(
    tmp_path, cut_off, cut_off_engine
):
    """A backlog of alerts and thread replies; the database is cut off right after Slack accepted a
    thread reply, for a second and a half. The round's claims are given back as soon as the database
    answers (not after the 5-minute lease), and the retried reply finds its own post."""
    world, runner = await start_world(tmp_path, engine=cut_off_engine)
    try:
        world.connect(MINOR1)
        dm = world.slack.add_dm(STAFF1, MINOR1)
        await world.slack.user_says(STAFF1, dm, "hey, add me on snap")
        await world.settle()
        adults = [f"U0ADULT{n:03d}" for n in range(3)]
        for adult in adults:
            world.slack.add_user(adult, name=adult, email=f"{adult.lower()}@example.com")
            await world.slack.user_says(adult, world.slack.add_dm(adult, MINOR1), "hi, it's me")
        await world.slack.user_says(STAFF1, dm, "my snap is safe_staff1, add me")  # a reply in the alert's thread
        await world.app.worker.run_once()  # judged: the alerts, warnings and the thread reply are queued
        blipped = asyncio.Event()

        def cut_after_a_thread_reply(call) -> None:
            if not call.params.get("thread_ts"):
                world.slack.after_accepting["chat.postMessage"] = cut_after_a_thread_reply
                return
            cut_off.cut()
            asyncio.get_running_loop().call_later(1.5, lambda: (cut_off.restore(), blipped.set()))

        world.slack.after_accepting["chat.postMessage"] = cut_after_a_thread_reply
        with pytest.raises(storage.DatabaseError):
            await world.app.worker.run_once()  # the round fails half-way
        await blipped.wait()
        await world.app.worker.run_once()  # the next round, once the database answers: claims given back
        stranded = [row.id for row in inbox(world.engine) if row.status == "claimed"]
        assert stranded == [], f"{len(stranded)} item(s) stranded until the lease runs out"
        await world.settle()
        replies = [m for m in world.slack.posted(channel=ALERTS) if m.get("thread_ts")]
        assert replies and doubled(replies) == [], "a thread reply was posted twice"
        alerts = world.alerts_for("dm-adult-minor")
        assert len(alerts) == len(adults) + 1 and doubled(alerts) == []
        for adult in adults:
            assert doubled(world.direct_messages(adult)) == []
        assert {row.status for row in inbox(world.engine)} <= {"done"}
    finally:
        await stop_world(world, runner)


async def test_a_post_slack_made_but_whose_answer_timed_out_is_not_posted_again(world):
    """Slack makes each post but answers after the app stopped waiting: the app takes it as failed
    and retries, and each retry finds the post it made before (the alert, the warning, the update
    in the alert's thread) instead of posting it again."""
    world.app.runtime.api.client.timeout = 1
    world.slack.answer_latencies["chat.postMessage"] = 1.5
    await world.slack.user_says(MINOR1, GENERAL, "add me on snapchat: mina.codes")
    await world.slack.user_says(MINOR1, GENERAL, "or discord.gg/abcdef")
    for _ in range(6):  # each try times out; the retries come after their back-off
        await world.app.worker.drain()
        world.clock.advance(minutes=10)
    world.slack.answer_latencies.clear()
    await world.settle()
    [alert] = world.alerts_for("off-platform-contact")
    assert len(world.thread(alert)) == 1, "the update in the alert's thread was posted twice"
    assert doubled(world.alerts()) == []
    markers = Counter(marker_of(m) for m in world.slack.posted() if marker_of(m))
    assert [key for key, count in markers.items() if count > 1] == []  # each action posted once


async def test_a_completion_that_finds_the_claim_taken_changes_nothing(tmp_path, postgres_engine):
    """A worker whose claim another took meanwhile neither completes nor fails the item: it is the
    other's to finish."""
    world, runner = await start_world(tmp_path, engine=postgres_engine)
    try:
        world.connect(MINOR1)
        await world.slack.user_says(STAFF1, world.slack.add_dm(STAFF1, MINOR1), "hey, add me on snap")
        await world.app.worker.run_once()
        with storage.session_scope(world.engine) as session:
            [item] = storage.claim_events(world.app.worker.name, 1, now=world.clock(), session=session)
        with storage.session_scope(world.engine) as session:
            later = world.clock() + timedelta(minutes=6)
            [taken] = storage.claim_events("another-host:1", 1, now=later, session=session)
        assert taken.id == item.id
        await world.app.worker.process(item)
        [row] = [row for row in inbox(world.engine) if row.id == item.id]
        assert (row.status, row.claimed_by) == ("claimed", "another-host:1")
        assert world.alerts_for("dm-adult-minor") == []  # the check before the post stopped it
    finally:
        await stop_world(world, runner)


def test_two_processes_judging_the_same_thing_at_once_warn_once(postgres_engine):
    """Two processes judge the same situation at the same moment (the same check, an event and a
    sweep): one opens the incident and queues its alert and warnings; the other, losing the race on
    the incident, queues nothing again."""
    from builders import NOW, im, situation

    from handlers.worker.enforce import enforce

    prog = program()
    with storage.session_scope(postgres_engine) as session:
        storage.save_program(prog, session=session)
    dm = situation(im(MINOR1, STAFF1), prog=prog)
    first = storage.Session(postgres_engine)
    enforce(dm, session=first, now=NOW, team_id=TEAM)  # opened, not yet committed
    second_done = threading.Event()

    def second_process() -> None:
        with storage.session_scope(postgres_engine) as session:
            enforce(dm, session=session, now=NOW, team_id=TEAM)  # waits for the first's incident
        second_done.set()

    racer = threading.Thread(target=second_process)
    racer.start()
    time.sleep(0.5)  # the second is waiting on the incident's unique index
    first.commit()
    first.close()
    racer.join(timeout=10)
    assert second_done.is_set()
    actions = [row.payload for row in inbox(postgres_engine) if row.kind == "action"]
    ops = Counter((p["op"], p.get("user") or p.get("channel")) for p in actions)
    assert ops[("alert", None)] == 1
    assert [action for action, count in ops.items() if count > 1] == [], ops


def test_guardian_notice_claims_are_exclusive_until_their_lease_runs_out(postgres_engine):
    """The storage half: one claim at a time; an unreachable one may be tried again; a lapsed one is
    taken over ("again": look first); a sent one never."""
    from builders import NOW, program

    prog = program()
    with storage.session_scope(postgres_engine) as session:
        storage.save_program(prog, session=session)
    with storage.session_scope(postgres_engine) as session:
        window = storage.get_program(prog.id, session=session).sessions[0].id
    lease = timedelta(minutes=5)

    def claim(at):
        with storage.session_scope(postgres_engine) as session:
            return storage.claim_guardian_notice(window, "pat@example.org", now=at, lease=lease, session=session)

    assert claim(NOW) == "first"
    assert claim(NOW + timedelta(minutes=1)) is None
    assert claim(NOW + timedelta(minutes=6)) == "again"
    with storage.session_scope(postgres_engine) as session:
        storage.record_guardian_notice(window, "pat@example.org", status="unreachable", now=NOW, session=session)
    assert claim(NOW + timedelta(minutes=7)) == "first"
    with storage.session_scope(postgres_engine) as session:
        storage.record_guardian_notice(window, "pat@example.org", status="sent", now=NOW, session=session)
    assert claim(NOW + timedelta(hours=1)) is None


async def test_two_processes_a_slack_answering_in_four_seconds_and_a_database_blip_post_everything_once(
    tmp_path, cut_off, cut_off_engine
):
    """The issue's test, for real: two `safe-contact serve` processes on one PostgreSQL database,
    Slack taking 4 seconds to answer each post, the start-up sweeps and first scheduled checks of
    both at once, violations delivered to either, and the database cut off for 3 seconds right
    after Slack accepted a thread reply. Every alert, warning, notice and thread reply is posted once."""
    slow = 4.0
    start = datetime.now(UTC) + timedelta(days=1)
    window = SessionWindow(channel=SESSION, start=start, end=start + timedelta(hours=2), access_info="Zoom 123")
    prog = program(sessions=(window,))
    async with FakeSlack(
        signing_secret=SIGNING_SECRET, team_id=TEAM, bot_user_id=BOT_USER, delivery=SCENARIO_DELIVERY
    ) as slack:
        populate(slack, prog)
        token = slack.connect_user(MINOR1)
        with storage.session_scope(cut_off_engine) as session:
            storage.save_program(prog, session=session)
            storage.save_user_token(
                TEAM, MINOR1, token, scopes="im:history", seal=storage.TokenSeal(), now=start, session=session
            )
            for member in prog.roster:  # welcomed before, but for one: a welcome is among the notices
                if member.slack_id and member.slack_id != MINOR2:
                    storage.record_welcome(prog.id, member.slack_id, now=start, session=session)
        for method in ("chat.postMessage", "chat.update", "conversations.invite"):
            slack.answer_latencies[method] = slow
        blip: list[float] = []

        def cut_after_a_thread_reply(call) -> None:
            if not call.params.get("thread_ts"):
                slack.after_accepting["chat.postMessage"] = cut_after_a_thread_reply
                return
            cut_off.cut()
            blip.append(time.monotonic())
            asyncio.get_running_loop().call_later(3.0, cut_off.restore)

        slack.after_accepting["chat.postMessage"] = cut_after_a_thread_reply
        env = {"DATABASE_URL": cut_off.url.render_as_string(hide_password=False)}
        processes = [AppProcess(slack, tmp_path / "unused.db", env=env) for _ in range(2)]
        try:
            for process in processes:
                await process.start()
            urls = [f"http://127.0.0.1:{p.port}/slack/events" for p in processes]
            adults = ["U0ADULT000"]
            for adult in adults:
                slack.add_user(adult, name=adult, email=f"{adult.lower()}@example.com")
            said = [
                (STAFF1, "hey, add me on snap"),
                (adults[0], "hi, it's me"),
                (STAFF1, "my snap is safe_staff1, add me"),  # an update: a reply in the alert's thread
            ]
            for n, (adult, text) in enumerate(said):
                slack.events_url = urls[n % 2]  # a load balancer spreads Slack's deliveries
                await slack.user_says(adult, slack.add_dm(adult, MINOR1), text)
                await asyncio.sleep(0.5)

            def done() -> bool:
                with storage.session_scope(cut_off_engine) as session:
                    rows = session.exec(select(InboxRow.status)).all()
                return bool(blip) and all(status in ("done", "failed") for status in rows)

            await until_database(done, limit=120)
            await quiet(slack, seconds=slow + 1.0, limit=120)
        finally:
            for process in processes:
                await process.stop()
        assert blip, "Slack never got a thread reply: the blip never came"
        for guardian in (GUARD1, GUARD2):
            told = [m for m in slack.posted(channel=slack.add_dm(BOT_USER, guardian)) if NOTICE in m["text"]]
            assert len(told) == 1, f"{guardian} was told {len(told)} times"
        welcomes = slack.posted(channel=slack.add_dm(BOT_USER, MINOR2))
        assert len(welcomes) == 1
        alerts = [m for m in slack.posted(channel=ALERTS) if not m.get("thread_ts")]
        replies = [m for m in slack.posted(channel=ALERTS) if m.get("thread_ts")]
        assert len([a for a in alerts if "`dm-adult-minor`" in a["text"]]) == 2
        assert replies, "no thread reply was posted"
        assert doubled(alerts) == []
        # Each queued action (alert, warning, thread reply, welcome) and each notice marks its posts
        # with its own key: a key posted twice is something done twice.
        posts = slack.posted()
        assert all(marker_of(m) for m in posts), "a post without its key"
        markers = Counter(marker_of(m) for m in posts)
        assert [key for key, count in markers.items() if count > 1] == []
        with storage.session_scope(cut_off_engine) as session:
            statuses = Counter(session.exec(select(InboxRow.status)).all())
        assert set(statuses) == {"done"}, statuses


async def until_database(predicate, *, limit: float) -> None:
    """Wait for `predicate` (which asks the database: it may fail during the blip) to hold."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except storage.DatabaseError:
            pass
        await asyncio.sleep(0.25)
    raise AssertionError("it never happened")

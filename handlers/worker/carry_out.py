"""Carrying out queued Slack actions: alerts, thread updates, warnings, invitations, removals,
resolutions and escalations. Each outcome goes on the incident's timeline; an alert already posted is
never posted again. What Slack refuses for good (a removal the workspace's settings forbid, a
single-channel guest, a channel the app is not in) is recorded and told to the administrators at the
first refusal, with what to do by hand (`handlers.slack.refusals`), in the thread of the alert it
belongs to; passing errors (rate limits, outages) make the item retry."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import assert_never

from slack_sdk.errors import SlackApiError

import storage
from bot.enforcement import administrators
from bot.model import Incident, Lockdown, Program
from bot.report import incident_csv, incident_rows
from bot.rules import rule_by_symbol
from handlers.runtime import Runtime
from handlers.slack.api import PERMANENT_ERRORS, PermanentFailure, Posted, SlackApi
from handlers.slack.blocks import alert_blocks, alert_text, escalation_text, reminder_blocks
from handlers.slack.refusals import Attempt, what_to_do
from handlers.slack.views import lockdown_alert_text
from handlers.worker.claims import still_mine
from handlers.worker.queued import (
    DirectMessage,
    Escalation,
    Invitation,
    Kick,
    LockdownAlert,
    Post,
    PostAlert,
    QueuedAction,
    Resolution,
    SendReport,
    ThreadUpdate,
    action_key,
    from_payload,
)

log = logging.getLogger(__name__)


def action_job(runtime: Runtime) -> Callable[[storage.InboxItem], Awaitable[Callable[[storage.Session], None] | None]]:
    """The worker's job for queued actions: each is carried out with its workspace's bot. A payload
    that cannot be read raises `MalformedAction`: the item fails for good with the reason."""

    async def job(item: storage.InboxItem) -> Callable[[storage.Session], None] | None:
        action = from_payload(item.payload)
        team_id = item.team_id or runtime.team_id
        once = Once(key=action_key(item), retry=item.attempts > 1)
        return await carry_out(runtime.for_team(team_id), team_id, action, attempt=item.attempts, once=once)

    return job


@dataclass(frozen=True, slots=True)
class Once:
    """What makes an action's posts happen once: `key`, unique to the queued action (`queued.KEY`),
    goes with each of its messages as metadata, and a `retry` first looks for the message carrying
    it (the worker may have lost Slack's answer, its database, or its claim after Slack accepted)."""

    key: str | None = None
    retry: bool = False

    def marker(self, part: str = "") -> str | None:
        """The marker of one of the action's posts (`part` tells apart the several posts of one action)."""
        if self.key is None:
            return None
        return f"{self.key}:{part}" if part else self.key


#: How far back a retry looks for its own earlier post in a channel or DM (a thread is read whole).
LOOK_BACK = timedelta(days=1)


async def post_once(
    runtime: Runtime,
    once: Once,
    channel: str,
    text: str,
    *,
    part: str = "",
    blocks: list[dict] | None = None,
    thread_ts: str | None = None,
) -> Posted:
    """Post a message of a queued action exactly once. The claim is checked first (an item another
    worker took is left to it), and a retry finds the message it posted before instead of posting
    it again. A user id as `channel` is a direct message."""
    await still_mine()
    marker = once.marker(part)
    if once.retry and marker is not None:
        earlier = await _find_earlier(runtime, channel, marker, thread_ts)
        if earlier is not None:
            log.info("a retried action had posted before; not posting it again")
            return earlier
    return await runtime.api.post(channel, text, blocks=blocks, thread_ts=thread_ts, marker=marker)


async def _find_earlier(runtime: Runtime, channel: str, marker: str, thread_ts: str | None) -> Posted | None:
    try:
        conversation = await runtime.api.dm_channel(channel) if channel[:1] in ("U", "W") else channel
        oldest = (runtime.now() - LOOK_BACK).timestamp()
        return await runtime.api.find_marked(conversation, marker, oldest=oldest, thread_ts=thread_ts)
    except SlackApiError:
        return None  # cannot look: posting again is better than not at all


async def carry_out(runtime: Runtime, team_id: str, action: QueuedAction, *, attempt: int = 1, once: Once = Once()):
    """Carry out one queued action. Returns the database changes that record its outcome. `attempt`
    counts the tries: a retry may follow a crash after Slack accepted the action; `once` marks its
    posts so that a retry finds them."""
    if attempt > 1 and not once.retry:
        once = replace(once, retry=True)
    incident = _incident(runtime, _incident_id(action))
    try:
        match action:
            case PostAlert(under=under):
                program = _program(runtime, team_id, incident)
                thread_ts = _situation_thread(runtime, incident, program, under, attempt=attempt)
                return await _post_alert(runtime, incident, program, retry=attempt > 1, once=once, thread_ts=thread_ts)
            case ThreadUpdate() | Resolution():
                return await _post_in_thread(runtime, incident, action, once)
            case Post(channel=channel, text=text, thread_ts=thread_ts):
                posted = await post_once(runtime, once, channel, text, thread_ts=thread_ts)
                where = "in the thread" if thread_ts else "in the channel"
                return _note(runtime, incident, "warned", f"Posted {where} <#{posted.channel}>.")
            case DirectMessage(user=user, text=text):
                connect = runtime.connect_url(team_id) if user not in _connected(runtime, team_id) else None
                blocks = reminder_blocks(text, action.rule, action.program, connect_url=connect)
                await post_once(runtime, once, user, text, blocks=blocks)
                return _note(runtime, incident, "warned", f"Sent a direct message to <@{user}>.")
            case Invitation():
                return await _invite(runtime, incident, action, once)
            case Kick():
                return await _kick(runtime, action)
            case LockdownAlert():
                return await _post_lockdown_alert(runtime, action, retry=attempt > 1, once=once)
            case SendReport():
                return await _send_report(runtime, team_id, action)
            case Escalation(user=user):
                return await _escalate(runtime, incident, user, once)
            case _:
                assert_never(action)
    except SlackApiError as error:
        code = str(error.response.get("error") or "")
        if code not in PERMANENT_ERRORS:
            raise  # passing: the worker retries the item with back-off
        return await _could_not(runtime, team_id, incident, action, code, once)


def _incident_id(action: QueuedAction) -> int | None:
    """The incident the action is about, if any: its outcome goes on that incident's timeline."""
    match action:
        case Kick() | LockdownAlert() | SendReport():
            return None
        case _:
            return action.incident


def _connected(runtime: Runtime, team_id: str) -> frozenset[str]:
    with runtime.session() as session:
        return storage.connected_users(team_id, session=session)


def _incident(runtime: Runtime, incident_id: int | None) -> Incident | None:
    if incident_id is None:
        return None
    with runtime.session() as session:
        return storage.get_incident(incident_id, session=session)


def _program(runtime: Runtime, team_id: str, incident: Incident | None) -> Program | None:
    if incident is None:
        return None
    return next((p for p in runtime.cache.programs(team_id) if p.id == incident.program_id), None)


#: How many tries an alert waits for the alert of its situation (the call it is about) to be posted
#: before it is posted on its own: a few seconds, never an alert lost.
WAITS_FOR_ITS_SITUATION = 3


def _situation_thread(
    runtime: Runtime, incident: Incident | None, program: Program | None, under: int | None, *, attempt: int
) -> str | None:
    """The thread an alert goes in: that of its situation's alert (`PostAlert.under`), once posted in
    the same alert channel. None: the alert is posted on its own."""
    if under is None or incident is None or program is None or under == incident.id:
        return None
    situation = _incident(runtime, under)
    if situation is None:
        return None
    if situation.alert_ts and situation.alert_channel == program.alert_channel:
        return situation.alert_ts
    if not situation.alert_ts and attempt <= WAITS_FOR_ITS_SITUATION and not _alerted_by_dm(runtime, situation):
        raise AlertNotPostedYet(f"incident {situation.id}")
    return None


async def _post_alert(
    runtime: Runtime,
    incident: Incident | None,
    program: Program | None,
    *,
    retry: bool,
    once: Once,
    thread_ts: str | None = None,
):
    """Post the incident's alert once (in `thread_ts`, its situation's alert thread, when given). A
    retry first looks for it in the alert channel: the process may have died after Slack accepted
    the post and before its `ts` was stored."""
    if incident is None or program is None:
        raise PermanentFailure("the alert's incident or program no longer exists")
    if incident.alert_ts:
        return None  # posted already (this item is a retry after a crash)
    posted = None
    if retry:
        posted = (
            await _find_earlier(runtime, program.alert_channel, once.marker() or "", thread_ts)
            if thread_ts and once.marker()
            else await _posted_before(runtime, program.alert_channel, incident)
        )
    if posted is None:
        try:
            await still_mine()
            # The block naming the incident is the alert's marker (alerts posted before markers were
            # metadata are found by it too).
            posted = await runtime.api.post(
                program.alert_channel,
                alert_text(incident),
                blocks=alert_blocks(incident),
                marker=once.marker(),
                thread_ts=thread_ts,
            )
        except SlackApiError as error:
            if str(error.response.get("error") or "") not in ALERT_CHANNEL_GONE:
                raise
            return await _alert_administrators_directly(runtime, incident, program, str(error.response["error"]), once)

    def record(session: storage.Session) -> None:
        storage.set_alert_message(incident.id, channel=posted.channel, ts=posted.ts, session=session)
        storage.add_incident_event(
            incident.id,
            kind="alerted",
            detail=f"Alert posted in <#{posted.channel}>.",
            now=runtime.now(),
            session=session,
        )

    return record


#: Errors that mean the alert channel cannot take the alert: administrators are told directly instead.
ALERT_CHANNEL_GONE = frozenset({"not_in_channel", "channel_not_found", "is_archived"})


async def _posted_before(runtime: Runtime, channel: str, incident: Incident) -> Posted | None:
    """The incident's alert if the app already posted it (its Acknowledge/Resolve block names it)."""
    try:
        messages = await runtime.api.history(channel, oldest=incident.opened_at.timestamp() - 1)
    except SlackApiError:
        return None  # cannot look: posting again is better than no alert
    block_id = f"incident-{incident.id}"
    for message in messages:
        if message.get("bot_id") and any(b.get("block_id") == block_id for b in message.get("blocks") or []):
            log.info("the alert of incident %s was posted before a crash; not posting it again", incident.id)
            return Posted(channel=channel, ts=message["ts"])
    return None


async def _alert_administrators_directly(runtime: Runtime, incident: Incident, program: Program, code: str, once: Once):
    """The alert channel is gone or the app was removed from it: every administrator gets the alert by
    DM, so that nobody misses it, and is told to fix the alert channel."""
    admins = _administrators_of(runtime, incident.program_id)
    reason = what_to_do("other", code, channel=program.alert_channel)
    note = f"\n(The alert channel <#{program.alert_channel}> cannot take alerts: {reason}. Please fix it.)"
    log.warning(
        "incident %s: the alert channel refused the alert (%s); telling %d admin(s) directly",
        incident.id,
        code,
        len(admins),
    )
    for admin in admins:
        with contextlib.suppress(SlackApiError):
            await post_once(
                runtime, once, admin, alert_text(incident) + note, part=admin, blocks=alert_blocks(incident)
            )
    detail = f"The alert channel refused the alert ({reason}); the administrators were told by DM."
    now = runtime.now()

    def record(session: storage.Session) -> None:
        storage.add_incident_event(incident.id, kind="action-failed", detail=detail, now=now, session=session)
        storage.add_incident_event(incident.id, kind=ALERTED_BY_DM, detail=detail, now=now, session=session)

    return record


#: The incident event that says the alert went to each administrator by DM: its updates follow it there.
ALERTED_BY_DM = "alerted-by-dm"


def _alerted_by_dm(runtime: Runtime, incident: Incident) -> bool:
    with runtime.session() as session:
        return any(e.kind == ALERTED_BY_DM for e in storage.incident_timeline(incident.id, session=session))


async def _tell_administrators(runtime: Runtime, incident: Incident, text: str, once: Once) -> None:
    """An update of an incident whose alert went to the administrators by DM, sent the same way."""
    for admin in _administrators_of(runtime, incident.program_id):
        with contextlib.suppress(SlackApiError):
            await post_once(runtime, once, admin, f"Incident {incident.id} (`{incident.rule}`): {text}", part=admin)


def _administrators_of(runtime: Runtime, program_id: str) -> tuple[str, ...]:
    """The accounts of a program's administrators (program and DLC admins), in this workspace."""
    directory = next((d for p, d in runtime.cache.workspace(runtime.team_id) if p.id == program_id), None)
    return administrators(directory) if directory is not None else ()


class AlertNotPostedYet(Exception):
    """A thread update waits for its alert: the item is retried shortly."""


async def _post_in_thread(runtime: Runtime, incident: Incident | None, action: ThreadUpdate | Resolution, once: Once):
    if incident is None:
        raise PermanentFailure("the incident no longer exists")
    if not incident.alert_ts:
        if not rule_by_symbol(incident.rule).alerts:
            return None  # a reminder incident has no alert thread
        if _alerted_by_dm(runtime, incident):
            await _tell_administrators(runtime, incident, action.text, once)
            return None
        if isinstance(action, ThreadUpdate):
            raise AlertNotPostedYet(f"incident {incident.id}")
        return None
    await post_once(runtime, once, incident.alert_channel or "", action.text, thread_ts=incident.alert_ts)
    if isinstance(action, Resolution):
        await still_mine()
        await _refresh_alert(runtime.api, incident)
    return None


async def _refresh_alert(api: SlackApi, incident: Incident) -> None:
    """The alert shows the incident's current status; a resolved one loses its buttons."""
    try:
        await api.update(
            incident.alert_channel or "", incident.alert_ts or "", alert_text(incident), blocks=alert_blocks(incident)
        )
    except SlackApiError as error:
        log.info("could not refresh the alert of incident %s: %s", incident.id, error.response.get("error"))


async def refresh_alert(runtime: Runtime, incident_id: int) -> None:
    """After an administrator acknowledged or resolved an incident: show it on its alert."""
    incident = _incident(runtime, incident_id)
    if incident is not None and incident.alert_ts:
        await _refresh_alert(runtime.api, incident)


async def _invite(runtime: Runtime, incident: Incident | None, invite: Invitation, once: Once):
    await still_mine()
    outcome = await runtime.api.invite(invite.channel, invite.user)
    if outcome == "invited" and invite.reason:
        await post_once(runtime, once, invite.channel, f"<@{invite.user}> was invited. {invite.reason}")
    return _note(runtime, incident, "invited", f"<@{invite.user}> {outcome} in <#{invite.channel}>.")


async def _kick(runtime: Runtime, kick: Kick):
    """Take someone out of a locked-down channel. One already gone needs nothing. What Slack will not
    let the app do (#general, the workspace's settings, a channel it is not in) goes to `_could_not`."""
    try:
        await still_mine()
        await runtime.api.remove(kick.channel, kick.user)
    except SlackApiError as error:
        if str(error.response.get("error") or "") == "not_in_channel" and not await _still_there(runtime, kick):
            return None
        raise
    return None


async def _still_there(runtime: Runtime, kick: Kick) -> bool:
    """Slack answers `not_in_channel` both when the person is not in the channel (they left, or someone
    removed them) and when the app is not: look which."""
    try:
        return kick.user in await runtime.api.members(kick.channel)
    except SlackApiError:
        return True  # cannot look (a private channel the app is not in): better told than silent


def _lockdown(runtime: Runtime, lockdown_id: int | None) -> Lockdown | None:
    if lockdown_id is None:
        return None
    with runtime.session() as session:
        return storage.get_lockdown(lockdown_id, session=session)


async def _post_lockdown_alert(runtime: Runtime, action: LockdownAlert, *, retry: bool, once: Once):
    """Post the lockdown's alert once and remember its ts. A retry first looks for it in the alert
    channel (the process may have died after Slack accepted it)."""
    lockdown = _lockdown(runtime, action.lockdown)
    if lockdown is None or not lockdown.alert_channel:
        raise PermanentFailure("the lockdown or its alert channel is not recorded")
    if lockdown.alert_ts:
        return None
    posted = await _lockdown_alert_posted_before(runtime, lockdown) if retry else None
    if posted is None:
        posted = await post_once(runtime, once, lockdown.alert_channel, lockdown_alert_text(lockdown))
    return lambda session: storage.set_lockdown_alert(
        lockdown.id, channel=posted.channel, ts=posted.ts, session=session
    )


async def _lockdown_alert_posted_before(runtime: Runtime, lockdown: Lockdown) -> Posted | None:
    try:
        messages = await runtime.api.history(lockdown.alert_channel, oldest=lockdown.locked_at.timestamp() - 1)
    except SlackApiError:
        return None  # cannot look: posting again is better than no alert
    for message in messages:
        if message.get("bot_id") and str(message.get("text") or "").startswith(lockdown.alert_text):
            return Posted(channel=lockdown.alert_channel, ts=message["ts"])
    return None


async def _escalate(runtime: Runtime, incident: Incident | None, user: str, once: Once):
    if incident is None or not incident.is_open or incident.acknowledged_at is not None:
        return None  # acknowledged or resolved meanwhile: nobody needs chasing
    link = None
    if incident.alert_channel and incident.alert_ts:
        link = await runtime.api.permalink(incident.alert_channel, incident.alert_ts)
    await post_once(runtime, once, user, escalation_text(incident, link))
    return _note(runtime, incident, "escalated", f"Told <@{user}> directly.")


async def _could_not(
    runtime: Runtime, team_id: str, incident: Incident | None, action: QueuedAction, code: str, once: Once
):
    """Record an action Slack refused for good and tell the administrators at once what to do by
    hand: in the thread of the alert it belongs to (the incident's, or the lockdown's), else in the
    alert channel. A removal Slack refused is also named in the lockdown's alert."""
    detail = _refusal(runtime, action, code)
    log.warning("incident %s: %s", incident.id if incident else "-", detail)
    lockdown = _lockdown(runtime, action.lockdown) if isinstance(action, Kick | Invitation) else None
    with contextlib.suppress(SlackApiError):  # the timeline below still records it
        told = replace(once, key=once.marker("refused"))  # not the refused post's own marker
        if incident is not None and incident.alert_ts:
            await post_once(runtime, told, incident.alert_channel or "", detail, thread_ts=incident.alert_ts)
        elif incident is not None and _alerted_by_dm(runtime, incident):
            await _tell_administrators(runtime, incident, detail, told)
        elif lockdown is not None and lockdown.alert_ts:
            await post_once(runtime, told, lockdown.alert_channel, detail, thread_ts=lockdown.alert_ts)
        elif channel := _alert_channel(runtime, team_id, incident, action, lockdown):
            await post_once(runtime, told, channel, detail)
    # Whom the lockdown could not remove: its alert names them.
    refused = action.user if isinstance(action, Kick) and lockdown is not None and lockdown.in_force else None
    if lockdown is not None and refused and refused not in lockdown.refused:
        await _refresh_lockdown_alert(runtime, replace(lockdown, refused=(*lockdown.refused, refused)))
    if incident is None and refused is None:
        return None
    now = runtime.now()

    def record(session: storage.Session) -> None:
        if incident is not None:
            storage.add_incident_event(incident.id, kind="action-failed", detail=detail, now=now, session=session)
        if lockdown is not None and refused:
            storage.note_refused(lockdown.id, [refused], session=session)

    return record


def _alert_channel(
    runtime: Runtime, team_id: str, incident: Incident | None, action: QueuedAction, lockdown: Lockdown | None
) -> str | None:
    """Where a refusal is told when its alert has no thread (yet): the alert channel of the
    incident's program (not for reminders, which are never posted) or of the lockdown."""
    if incident is not None:
        program = _program(runtime, team_id, incident)
        return program.alert_channel if program is not None and rule_by_symbol(incident.rule).alerts else None
    if lockdown is not None and lockdown.alert_channel:
        return lockdown.alert_channel
    return action.alert_channel if isinstance(action, Kick) else None


async def _refresh_lockdown_alert(runtime: Runtime, lockdown: Lockdown) -> None:
    if not lockdown.alert_ts:
        return  # not posted yet: it will name them when it is
    try:
        await runtime.api.update(lockdown.alert_channel, lockdown.alert_ts, lockdown_alert_text(lockdown))
    except SlackApiError as error:
        log.info("could not refresh the alert of lockdown %s: %s", lockdown.id, error.response.get("error"))


def _refusal(runtime: Runtime, action: QueuedAction, code: str) -> str:
    """What the administrators are told: what Slack refused, its code, and what to do by hand."""
    attempt: Attempt
    match action:
        case Kick(channel=channel, user=user):
            attempt, tried = "remove", f"remove <@{user}> from <#{channel}>"
        case Invitation(channel=channel, user=user):
            attempt, tried = "invite", f"invite <@{user}> to <#{channel}>"
        case _:
            channel = getattr(action, "channel", "")
            return f"Could not {_attempted(action)}: {what_to_do('other', code, channel=channel)}."
    advice = what_to_do(attempt, code, user=user, channel=channel, kind=_kind(runtime, channel))
    return f":warning: Slack refused to {tried} (`{code}`): {advice}."


def _kind(runtime: Runtime, channel: str) -> str:
    """ "public" or "private" for a stored channel, "" when the app does not know it."""
    conversation = runtime.cache.conversation(channel)
    if conversation is None:
        return ""
    return "private" if conversation.kind.is_private else "public"


def _attempted(action: QueuedAction) -> str:
    """What the app tried to do, for the administrators."""
    match action:
        case Invitation(channel=channel, user=user):
            return f"invite <@{user}> to <#{channel}>"
        case DirectMessage(user=user):
            return f"send <@{user}> a direct message"
        case Post(channel=channel):
            return f"post in <#{channel}>"
        case Escalation(user=user):
            return f"tell <@{user}> directly"
        case PostAlert():
            return "post the alert"
        case _:
            return f"do {action.OP}"


def _note(runtime: Runtime, incident: Incident | None, kind: str, detail: str):
    if incident is None:
        return None
    now = runtime.now()
    return lambda session: storage.add_incident_event(incident.id, kind=kind, detail=detail, now=now, session=session)


def report_incidents(program_id: str, since: date | None, *, session: storage.Session) -> list[Incident]:
    """A program's incidents opened on or after `since` (all of them without it)."""
    start = datetime.combine(since, time(), UTC) if since else datetime(2000, 1, 1, tzinfo=UTC)
    return storage.incidents_since(program_id, start, session=session)


async def _send_report(runtime: Runtime, team_id: str, report: SendReport):
    """The incident record of the administrator's programs, as a CSV file in their DM with the app."""
    since = report.since
    rows = []
    with runtime.session() as session:
        for program, directory in runtime.cache.workspace(team_id):
            if program.id in report.programs:
                rows.extend(incident_rows(program, directory, report_incidents(program.id, since, session=session)))
    await still_mine()
    dm = await runtime.api.dm_channel(report.user)
    span = f" since {since.isoformat()}" if since else ""
    await runtime.api.client.files_upload_v2(
        channel=dm,
        content=incident_csv(rows),
        filename=f"safe-contact-incidents-{runtime.now().strftime('%Y%m%d')}.csv",
        title="Safe Contact incident record",
        initial_comment=f"The incident record: {len(rows)} incident(s){span}.",
    )
    return None

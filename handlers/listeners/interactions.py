"""Buttons, modals and the message shortcut. Acknowledge and Resolve work on alerts and on the App
Home dashboard, for the program's administrators only, and are written to the audit log; the
expectations' Acknowledge button records the acknowledgement; "Report a concern" goes to the
program's alert channel, never to a single adult; the roster modal edits or replaces the roster."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import replace

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

import storage
from bot.access import Command, may_use
from bot.model import AuditEntry, Conversation, Directory, Program
from bot.roster import RosterChange, remove_person, replace_roster, upsert_person
from handlers.listeners.failures import failure_answer
from handlers.runtime import Runtime
from handlers.situations import program_situation
from handlers.slack.api import api_error
from handlers.slack.blocks import (
    ACKNOWLEDGE_ACTION,
    CONDUCT_ACKNOWLEDGE_ACTION,
    CONNECT_ACTION,
    RESOLVE_ACTION,
    resolved_text,
)
from handlers.slack.views import CONCERN_CALLBACK, CONCERN_SHORTCUT, ROSTER_CALLBACK, concern_alert, concern_modal
from handlers.worker.carry_out import refresh_alert
from handlers.worker.enforce import enforce
from handlers.worker.home import publish_home
from handlers.worker.queued import Post, queue

log = logging.getLogger(__name__)

#: The largest roster file the app downloads: far above any program's roster, far below harm.
ROSTER_FILE_LIMIT = 2 * 1024 * 1024


def register(app: AsyncApp, runtime: Runtime) -> None:
    @app.action(ACKNOWLEDGE_ACTION)
    async def acknowledge(ack, body, respond):
        await ack()
        async with _answering(body, respond, "acknowledging an incident"):
            await _change_incident(_bound(runtime, body), body, respond, resolve=False)

    @app.action(RESOLVE_ACTION)
    async def resolve(ack, body, respond):
        await ack()
        async with _answering(body, respond, "resolving an incident"):
            await _change_incident(_bound(runtime, body), body, respond, resolve=True)

    @app.action(CONDUCT_ACKNOWLEDGE_ACTION)
    async def acknowledge_conduct(ack, body, respond):
        await ack()
        async with _answering(body, respond, "acknowledging the expectations"):
            await _acknowledge_conduct(_bound(runtime, body), body, respond)

    @app.action(CONNECT_ACTION)
    async def connect_link(ack):
        await ack()  # a link button: Slack opens the URL, the app has nothing to do

    @app.shortcut(CONCERN_SHORTCUT)
    async def report_concern(ack, body, client):
        await ack()
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id", "")
        view = concern_modal(channel, message.get("ts", ""), message.get("user", ""))
        await client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.view(CONCERN_CALLBACK)
    async def concern_sent(ack, body):
        await ack()
        await _route_concern(_bound(runtime, body), body)

    @app.view(ROSTER_CALLBACK)
    async def roster_saved(ack, body):
        try:
            errors = await _save_roster(_bound(runtime, body), body)
        except Exception as error:  # the form stays open with the answer, and nothing was saved
            errors = _form_error(body, failure_answer(error, doing="saving the roster"))
        if errors:
            await ack(response_action="errors", errors=errors)
        else:
            await ack()


def _bound(runtime: Runtime, body: dict) -> Runtime:
    """The runtime of the workspace the interaction comes from."""
    return runtime.for_team((body.get("team") or {}).get("id") or runtime.team_id)


@contextlib.asynccontextmanager
async def _answering(body: dict, respond, doing: str) -> AsyncIterator[None]:
    """Whatever goes wrong while handling a button, its presser is told (privately, where Slack gave a
    way to) as a command's asker would be; the log has the rest."""
    try:
        yield
    except Exception as error:
        await _tell(body, respond, failure_answer(error, doing=doing))


def _form_error(body: dict, answer: str) -> dict[str, str]:
    """A modal's answer to a failed submission: shown under its first input, where Slack shows errors."""
    blocks = (body.get("view") or {}).get("blocks") or []
    first = next((b.get("block_id") for b in blocks if isinstance(b, dict) and b.get("type") == "input"), None)
    return {first: answer} if first else {}


def _from_home(body: dict) -> bool:
    return (body.get("container") or {}).get("type") == "view"


async def _tell(body: dict, respond, text: str, *, replace_original: bool = False) -> None:
    """Answer the presser privately where Slack gave a way to (a message's buttons do, Home's do not)."""
    if body.get("response_url"):
        await respond(text=text, response_type="ephemeral", replace_original=replace_original)


def _user_and_team(runtime: Runtime, body: dict) -> tuple[str, str]:
    user = (body.get("user") or {}).get("id", "")
    team_id = (body.get("team") or {}).get("id") or runtime.team_id
    return user, team_id


async def _acknowledge_conduct(runtime: Runtime, body: dict, respond) -> None:
    """A participant or adult acknowledged the program's expectations: record it, and settle the
    reminder at once by judging the program again."""
    user, team_id = _user_and_team(runtime, body)
    program_id = str((body.get("actions") or [{}])[0].get("value", ""))
    programs = [(p, d) for p, d in runtime.cache.workspace(team_id) if p.id == program_id]
    if not programs or programs[0][1].person(user) is None:
        await _tell(body, respond, "This reminder is not for you.")
        return
    program, directory = programs[0]
    now = runtime.now()
    with runtime.session() as session:
        storage.record_acknowledgement(program_id, user, now=now, session=session)
        situation = program_situation(program, directory, team_id, runtime=runtime, session=session, now=now)
        enforce(situation, session=session, now=now, team_id=team_id)
    runtime.wake.set()
    await _tell(body, respond, f"Thank you: you acknowledged {program.name}'s expectations.", replace_original=True)
    if _from_home(body):
        await publish_home(runtime, team_id, user)


def is_administrator(runtime: Runtime, team_id: str, program_id: str, user_id: str) -> bool:
    """Program and DLC admins of the incident's program may act on it."""
    for program, directory in runtime.cache.workspace(team_id):
        if program.id == program_id:
            person = directory.person(user_id)
            return person is not None and person.is_admin
    return False


async def _change_incident(runtime: Runtime, body: dict, respond, *, resolve: bool) -> None:
    user, team_id = _user_and_team(runtime, body)
    try:
        incident_id = int((body.get("actions") or [{}])[0].get("value", ""))
    except ValueError:
        await _tell(body, respond, "That button does not name an incident.")
        return
    with runtime.session() as session:
        incident = storage.get_incident(incident_id, session=session)
    if incident is None or not is_administrator(runtime, team_id, incident.program_id, user):
        await _tell(body, respond, "Only the program's administrators can acknowledge or resolve its incidents.")
        return
    now = runtime.now()
    try:
        with runtime.session() as session:
            if resolve:
                detail = "Resolved from the App Home dashboard." if _from_home(body) else "Resolved from the alert."
                storage.resolve_incident(incident_id, actor=user, now=now, detail=detail, session=session)
            else:
                storage.acknowledge_incident(incident_id, actor=user, now=now, session=session)
            action = "resolve" if resolve else "acknowledge"
            entry = AuditEntry(
                at=now, actor=user, action=action, program_id=incident.program_id, detail={"incident": incident_id}
            )
            storage.record_audit(entry, session=session)
    except storage.InvalidTransition:
        await _tell(body, respond, f"Incident #{incident_id} is already {incident.status.value}.")
        if _from_home(body):
            await publish_home(runtime, team_id, user)
        return
    await refresh_alert(runtime, incident_id)
    if incident.alert_ts:
        note = resolved_text("", user) if resolve else f":eyes: Acknowledged by <@{user}>."
        await runtime.api.post(incident.alert_channel or "", note, thread_ts=incident.alert_ts)
    if _from_home(body):
        await publish_home(runtime, team_id, user)


# -- report a concern ----------------------------------------------------------------------------


async def _route_concern(runtime: Runtime, body: dict) -> None:
    """Post the concern in the alert channel of every program it may be about (the conversation's
    programs, the reporter's or the author's; all of the workspace's when none), and thank the
    reporter. Queued, so that it survives a crash; the note itself is not stored."""
    reporter, team_id = _user_and_team(runtime, body)
    view = body.get("view") or {}
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        metadata = {}
    channel, ts, author = metadata.get("channel", ""), metadata.get("ts", ""), metadata.get("author", "")
    note = ((view.get("state") or {}).get("values") or {}).get("note", {}).get("value", {}).get("value") or ""
    conversation = runtime.cache.conversation(channel)
    workspace = list(runtime.cache.workspace(team_id))
    programs = [p for p, d in workspace if _concerns(d, conversation, (reporter, author))] or [p for p, _ in workspace]
    permalink = await runtime.api.permalink(channel, ts) if channel and ts else None
    now = runtime.now()
    text = concern_alert(reporter, channel, author, permalink, note.strip())
    with runtime.session() as session:
        for program in programs:
            queue(Post(channel=program.alert_channel, text=text), team_id=team_id, session=session, now=now)
            entry = AuditEntry(
                at=now, actor=reporter, action="report_concern", program_id=program.id, detail={"channel": channel}
            )
            storage.record_audit(entry, session=session)
        thanks = (
            "Thank you for speaking up. The program's administrators have been told and will look into it."
            if programs
            else "Thank you. No program is set up in this workspace yet, so please tell an administrator directly."
        )
        queue(Post(channel=reporter, text=thanks), team_id=team_id, session=session, now=now)
    runtime.wake.set()
    log.info("a concern was reported to %d program(s)", len(programs))


def _concerns(directory: Directory, conversation: Conversation | None, people) -> bool:
    """A reported message is a program's business if its conversation is, or its reporter or author
    is on the program's roster."""
    if conversation is not None and directory.concerns(conversation):
        return True
    return any(u and directory.person(u) is not None for u in people)


# -- the roster modal ----------------------------------------------------------------------------


def _field(values: dict, block: str) -> dict:
    return (values.get(block) or {}).get("value") or {}


async def _save_roster(runtime: Runtime, body: dict) -> dict[str, str] | None:
    """Apply the roster modal; the errors to show by field, or None when saved (or nothing to do)."""
    user, team_id = _user_and_team(runtime, body)
    view = body.get("view") or {}
    program_id = view.get("private_metadata") or ""
    found = [(p, d) for p, d in runtime.cache.workspace(team_id) if p.id == program_id]
    if not found or not may_use(found[0][1].person(user), Command.ROSTER):
        return {"name": "Only the program's administrators can change its roster."}
    values = (view.get("state") or {}).get("values") or {}
    files = _field(values, "csv").get("files") or []
    row = _row_from_form(values)
    removal = (_field(values, "remove").get("value") or "").strip()
    if files and (any(row.values()) or removal):
        return {"csv": "Import a CSV, or add or remove one person: not both at once."}
    with runtime.session() as session:
        program = storage.get_program(program_id, session=session)
    if program is None:
        return {"name": "That program no longer exists."}
    if files:
        change = await _imported(runtime, program, files[0])
    elif any(row.values()):
        change = upsert_person(program.roster, row)
    elif removal:
        change = remove_person(program.roster, removal)
    else:
        return None
    if not change.ok:
        return dict(change.problems)
    with runtime.session() as session:
        storage.save_program(replace(program, roster=change.roster), session=session, now=runtime.now())
        detail: dict[str, object] = {
            "added": list(change.added),
            "updated": list(change.updated),
            "removed": list(change.removed),
        }
        if files:
            detail["file"] = str(files[0].get("name") or "")
        entry = AuditEntry(at=runtime.now(), actor=user, action="roster_change", program_id=program.id, detail=detail)
        storage.record_audit(entry, session=session)
    runtime.cache.invalidate()
    log.info(
        "roster of %s changed by %s: %d added, %d updated, %d removed",
        program.id,
        user,
        len(change.added),
        len(change.updated),
        len(change.removed),
    )
    return None


def _row_from_form(values: dict) -> dict[str, str]:
    """The form's person fields as roster columns (empty when not filled in)."""
    role = (_field(values, "role").get("selected_option") or {}).get("value") or ""
    check = (_field(values, "background_check").get("selected_option") or {}).get("value") or ""
    consent = "yes" if _field(values, "recording_consent").get("selected_options") else ""
    return {
        "name": (_field(values, "name").get("value") or "").strip(),
        "email": (_field(values, "email").get("value") or "").strip(),
        "role": role,
        "slack_id": _field(values, "slack_user").get("selected_user") or "",
        "guardian_of": (_field(values, "guardian_of").get("value") or "").strip(),
        "background_check": check,
        "recording_consent": consent,
    }


async def _imported(runtime: Runtime, program: Program, file: dict) -> RosterChange:
    name = str(file.get("name") or "roster.csv")
    try:
        data = await runtime.api.download_file(str(file.get("id") or ""), limit=ROSTER_FILE_LIMIT)
    except (SlackApiError, ValueError) as error:
        reason = api_error(error) if isinstance(error, SlackApiError) else str(error)
        return RosterChange(program.roster, problems={"csv": f"{name}: could not be read ({reason})"})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return RosterChange(program.roster, problems={"csv": f"{name}: is not UTF-8 text"})
    return replace_roster(program.roster, text, source=name)

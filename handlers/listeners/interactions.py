"""Buttons, modals and the message shortcut. Acknowledge and Resolve work on alerts and on the App
Home dashboard, for the program's administrators only, and are written to the audit log; the
expectations' Acknowledge button records the acknowledgement; "Report a concern" goes to the
program's alert channel, never to a single adult; the roster modal edits or replaces the roster.

Slack waits 3 seconds for the answer to a press, a shortcut or a form, and one Web API call can take
longer: each is answered from memory and the database alone (what it changes is recorded before the
answer), and what needs Slack follows: the alert and Home tab updated, the presser told through the
response_url, a modal opened (first thing, while its trigger_id is good), a roster CSV read."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

import storage
from bot.access import Command, may_use
from bot.inert import slack_line
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
from handlers.slack.parsing import incident_id_of
from handlers.slack.views import (
    CONCERN_CALLBACK,
    CONCERN_SHORTCUT,
    ROSTER_CALLBACK,
    concern_alert,
    concern_modal,
    roster_import_modal,
)
from handlers.worker.carry_out import refresh_alert
from handlers.worker.enforce import enforce
from handlers.worker.home import publish_home
from handlers.worker.queued import Post, queue

log = logging.getLogger(__name__)

#: The largest roster file the app downloads: far above any program's roster, far below harm.
ROSTER_FILE_LIMIT = 2 * 1024 * 1024


#: What a press leaves for after Slack has its answer: the Web API calls, and what the presser is told.
FollowUp = Callable[[], Awaitable[None]]


def register(app: AsyncApp, runtime: Runtime) -> None:
    app.action(ACKNOWLEDGE_ACTION)(
        _press(runtime, "acknowledging an incident", lambda r, b, say: _change_incident(r, b, say, resolve=False))
    )
    app.action(RESOLVE_ACTION)(
        _press(runtime, "resolving an incident", lambda r, b, say: _change_incident(r, b, say, resolve=True))
    )
    app.action(CONDUCT_ACKNOWLEDGE_ACTION)(_press(runtime, "acknowledging the expectations", _acknowledge_conduct))

    @app.action(CONNECT_ACTION)
    async def connect_link(ack):
        await ack()  # a link button: Slack opens the URL, the app has nothing to do

    @app.shortcut(CONCERN_SHORTCUT)
    async def report_concern(ack, body, respond):
        await ack()
        bound = _bound(runtime, body)
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id", "")
        view = concern_modal(channel, message.get("ts", ""), message.get("user", ""))

        async def open_form() -> None:
            # The first thing after the answer: a trigger_id opens a modal only within 3 s.
            await bound.api.client.views_open(trigger_id=body["trigger_id"], view=view)

        runtime.followups.start(_answering_later(body, respond, "opening the concern form", open_form), name="concern")

    @app.view(CONCERN_CALLBACK)
    async def concern_sent(ack, body):
        await ack()  # the form closes; the concern goes to the administrators after the answer
        runtime.followups.start(_concern_later(_bound(runtime, body), body), name="concern")

    @app.view(ROSTER_CALLBACK)
    async def roster_saved(ack, body):
        bound = _bound(runtime, body)
        try:
            saved = _save_roster(bound, body)
        except Exception as error:  # the form stays open with the answer, and nothing was saved
            saved = _form_error(body, failure_answer(error, doing="saving the roster"))
        if isinstance(saved, RosterImport):
            await ack(response_action="update", view=roster_import_modal(saved.program, saved.file_name))
            runtime.followups.start(_import_roster(bound, body, saved), name="roster import")
        elif saved:
            await ack(response_action="errors", errors=saved)
        else:
            await ack()


def _bound(runtime: Runtime, body: dict) -> Runtime:
    """The runtime of the workspace the interaction comes from."""
    return runtime.for_team((body.get("team") or {}).get("id") or runtime.team_id)


def _press(runtime: Runtime, doing: str, handle: Callable[[Runtime, dict, Any], FollowUp | None]):
    """A button's listener. Slack waits 3 seconds for its answer and shows the presser a failure
    after that; Bolt (with `process_before_response`) sends it when the listener returns. So `handle`
    decides and records from memory and the database alone, and returns what needs Slack (updating
    the alert, republishing the Home tab, telling the presser), which runs once Slack has its answer."""

    async def listener(ack, body, respond):
        await ack()
        try:
            rest = handle(_bound(runtime, body), body, respond)
        except Exception as error:
            rest = _telling(body, respond, failure_answer(error, doing=doing))
        if rest is not None:
            runtime.followups.start(_answering_later(body, respond, doing, rest), name=doing)

    return listener


async def _answering_later(body: dict, respond, doing: str, rest: FollowUp) -> None:
    async with _answering(body, respond, doing):
        await rest()


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
        sent = await respond(text=text, response_type="ephemeral", replace_original=replace_original)
        if sent.status_code != 200:
            log.warning("Slack refused an answer posted to its response_url: HTTP %d %s", sent.status_code, sent.body)


def _telling(body: dict, respond, text: str) -> FollowUp:
    async def tell() -> None:
        await _tell(body, respond, text)

    return tell


def _user_and_team(runtime: Runtime, body: dict) -> tuple[str, str]:
    user = (body.get("user") or {}).get("id", "")
    team_id = (body.get("team") or {}).get("id") or runtime.team_id
    return user, team_id


def _acknowledge_conduct(runtime: Runtime, body: dict, respond) -> FollowUp:
    """A participant or adult acknowledged the program's expectations: record it, and settle the
    reminder at once by judging the program again; thank them after the answer."""
    user, team_id = _user_and_team(runtime, body)
    program_id = str((body.get("actions") or [{}])[0].get("value", ""))
    programs = [(p, d) for p, d in runtime.cache.workspace(team_id) if p.id == program_id]
    if not programs or programs[0][1].person(user) is None:
        return _telling(body, respond, "This reminder is not for you.")
    program, directory = programs[0]
    now = runtime.now()
    with runtime.session() as session:
        storage.record_acknowledgement(program_id, user, now=now, session=session)
        situation = program_situation(program, directory, team_id, runtime=runtime, session=session, now=now)
        enforce(situation, session=session, now=now, team_id=team_id)
    runtime.wake.set()

    async def thanked() -> None:
        thanks = f"Thank you: you acknowledged {slack_line(program.name)}'s expectations."
        await _tell(body, respond, thanks, replace_original=True)
        if _from_home(body):
            await publish_home(runtime, team_id, user)

    return thanked


def is_administrator(runtime: Runtime, team_id: str, program_id: str, user_id: str) -> bool:
    """Program and DLC admins of the incident's program may act on it."""
    for program, directory in runtime.cache.workspace(team_id):
        if program.id == program_id:
            person = directory.person(user_id)
            return person is not None and person.is_admin
    return False


def _change_incident(runtime: Runtime, body: dict, respond, *, resolve: bool) -> FollowUp:
    """Acknowledge or resolve the incident (recorded before the answer); the alert, its thread and the
    Home tab show it after."""
    user, team_id = _user_and_team(runtime, body)
    incident_id = incident_id_of((body.get("actions") or [{}])[0].get("value"))
    if incident_id is None:
        return _telling(body, respond, "That button does not name an incident.")
    with runtime.session() as session:
        incident = storage.get_incident(incident_id, session=session)
    if incident is None or not is_administrator(runtime, team_id, incident.program_id, user):
        return _telling(body, respond, "Only the program's administrators can acknowledge or resolve its incidents.")
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

        async def already() -> None:
            await _tell(body, respond, f"Incident #{incident_id} is already {incident.status.value}.")
            if _from_home(body):
                await publish_home(runtime, team_id, user)

        return already

    async def shown() -> None:
        await refresh_alert(runtime, incident_id)
        if incident.alert_ts:
            note = resolved_text("", user) if resolve else f":eyes: Acknowledged by <@{user}>."
            await runtime.api.post(incident.alert_channel or "", note, thread_ts=incident.alert_ts)
        if _from_home(body):
            await publish_home(runtime, team_id, user)

    return shown


# -- report a concern ----------------------------------------------------------------------------


async def _concern_later(runtime: Runtime, body: dict) -> None:
    """After the form closed: the concern's way to the administrators. Nobody can be answered if it
    fails (a submission has no response_url); the log has it."""
    try:
        await _route_concern(runtime, body)
    except Exception as error:
        failure_answer(error, doing="reporting a concern")


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


@dataclass(frozen=True, slots=True)
class RosterImport:
    """A roster CSV uploaded in the form, to be read once the form has its answer: Slack hands the
    file out only through calls that can take longer than a form's answer may."""

    program: Program
    file: dict
    user: str

    @property
    def file_name(self) -> str:
        return str(self.file.get("name") or "roster.csv")


def _save_roster(runtime: Runtime, body: dict) -> dict[str, str] | RosterImport | None:
    """Apply the roster modal (from memory and the database alone); the errors to show by field, the
    CSV to import after the answer, or None when saved (or nothing to do)."""
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
        return RosterImport(program, files[0], user)
    if any(row.values()):
        change = upsert_person(program.roster, row)
    elif removal:
        change = remove_person(program.roster, removal)
    else:
        return None
    if not change.ok:
        return dict(change.problems)
    _record_roster(runtime, program, change, user)
    return None


def _record_roster(runtime: Runtime, program: Program, change: RosterChange, user: str, *, file: str = "") -> None:
    with runtime.session() as session:
        storage.save_program(replace(program, roster=change.roster), session=session, now=runtime.now())
        detail: dict[str, object] = {
            "added": list(change.added),
            "updated": list(change.updated),
            "removed": list(change.removed),
        }
        if file:
            detail["file"] = file
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


async def _import_roster(runtime: Runtime, body: dict, pending: RosterImport) -> None:
    """After the form's answer: read the CSV, replace the roster if it is valid, and show the outcome
    in the form (`views.update`), where the administrator is looking."""
    program = pending.program
    try:
        change = await _imported(runtime, program, pending.file)
        if change.ok:
            _record_roster(runtime, program, change, pending.user, file=pending.file_name)
            outcome = (
                f":white_check_mark: The roster of {slack_line(program.name)} now has {len(change.roster)} people, "
                f"from {slack_line(pending.file_name)}: {len(change.added)} added, {len(change.updated)} updated, "
                f"{len(change.removed)} removed."
            )
        else:
            problems = "\n".join(f"• {slack_line(problem)}" for problem in change.problems.values())
            outcome = f":x: Nothing was changed: {slack_line(pending.file_name)} cannot be used.\n{problems}"
    except Exception as error:
        outcome = failure_answer(error, doing="importing a roster")
    view_id = (body.get("view") or {}).get("id") or ""
    try:
        await runtime.api.client.views_update(
            view_id=view_id, view=roster_import_modal(program, pending.file_name, done=outcome)
        )
    except SlackApiError as error:  # the form was closed: the roster's audit entry still says it
        log.warning("the roster form could not show the import's outcome: %s", api_error(error))


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

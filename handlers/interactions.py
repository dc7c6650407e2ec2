"""Buttons: an administrator acknowledges or resolves an incident from its alert. Each is written to
the audit log and shown on the alert; anyone else is told, privately, that only administrators can."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp

import storage
from bot.model import AuditEntry
from handlers.actions import refresh_alert
from handlers.blocks import ACKNOWLEDGE_ACTION, CONDUCT_ACKNOWLEDGE_ACTION, RESOLVE_ACTION, resolved_text
from handlers.enforce import enforce
from handlers.runtime import Runtime
from handlers.worker import program_situation

log = logging.getLogger(__name__)


def register(app: AsyncApp, runtime: Runtime) -> None:
    @app.action(ACKNOWLEDGE_ACTION)
    async def acknowledge(ack, body, respond):
        await ack()
        await _change_incident(runtime, body, respond, resolve=False)

    @app.action(RESOLVE_ACTION)
    async def resolve(ack, body, respond):
        await ack()
        await _change_incident(runtime, body, respond, resolve=True)

    @app.action(CONDUCT_ACKNOWLEDGE_ACTION)
    async def acknowledge_conduct(ack, body, respond):
        await ack()
        await _acknowledge_conduct(runtime, body, respond)


async def _acknowledge_conduct(runtime: Runtime, body: dict, respond) -> None:
    """A participant or adult acknowledged the program's expectations: record it, and settle the
    reminder at once by judging the program again."""
    user = (body.get("user") or {}).get("id", "")
    team_id = (body.get("team") or {}).get("id") or runtime.team_id
    program_id = str((body.get("actions") or [{}])[0].get("value", ""))
    programs = [(p, d) for p, d in runtime.cache.workspace(team_id) if p.id == program_id]
    if not programs or programs[0][1].person(user) is None:
        await respond(text="This reminder is not for you.", response_type="ephemeral", replace_original=False)
        return
    program, directory = programs[0]
    now = runtime.now()
    with runtime.session() as session:
        storage.record_acknowledgement(program_id, user, now=now, session=session)
        situation = program_situation(program, directory, team_id, runtime=runtime, session=session, now=now)
        enforce(situation, session=session, now=now, team_id=team_id)
    runtime.wake.set()
    await respond(text=f"Thank you: you acknowledged {program.name}'s expectations.", replace_original=True)


def is_administrator(runtime: Runtime, team_id: str, program_id: str, user_id: str) -> bool:
    """Program and DLC admins of the incident's program may act on it."""
    for program, directory in runtime.cache.workspace(team_id):
        if program.id == program_id:
            person = directory.person(user_id)
            return person is not None and person.is_admin
    return False


async def _change_incident(runtime: Runtime, body: dict, respond, *, resolve: bool) -> None:
    user = (body.get("user") or {}).get("id", "")
    team_id = (body.get("team") or {}).get("id") or runtime.team_id
    try:
        incident_id = int((body.get("actions") or [{}])[0].get("value", ""))
    except ValueError:
        await respond(text="That button does not name an incident.", response_type="ephemeral", replace_original=False)
        return
    with runtime.session() as session:
        incident = storage.get_incident(incident_id, session=session)
    if incident is None or not is_administrator(runtime, team_id, incident.program_id, user):
        await respond(
            text="Only the program's administrators can acknowledge or resolve its incidents.",
            response_type="ephemeral",
            replace_original=False,
        )
        return
    now = runtime.now()
    try:
        with runtime.session() as session:
            if resolve:
                storage.resolve_incident(
                    incident_id, actor=user, now=now, detail="Resolved from the alert.", session=session
                )
            else:
                storage.acknowledge_incident(incident_id, actor=user, now=now, session=session)
            action = "resolve" if resolve else "acknowledge"
            entry = AuditEntry(
                at=now, actor=user, action=action, program_id=incident.program_id, detail={"incident": incident_id}
            )
            storage.record_audit(entry, session=session)
    except storage.InvalidTransition:
        await respond(
            text=f"Incident #{incident_id} is already {incident.status.value}.",
            response_type="ephemeral",
            replace_original=False,
        )
        return
    await refresh_alert(runtime, incident_id)
    if incident.alert_ts:
        note = resolved_text("", user) if resolve else f":eyes: Acknowledged by <@{user}>."
        await runtime.api.post(incident.alert_channel or "", note, thread_ts=incident.alert_ts)

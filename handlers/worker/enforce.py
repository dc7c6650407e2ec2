"""From a situation to queued Slack actions, in one database transaction: evaluate the rules, plan
against the open incidents, open/update/resolve incidents, and queue each Slack action in the inbox
so that a crash or a failing Web API call never loses it nor doubles it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import storage
from bot.enforcement import (
    Action,
    Alert,
    Escalate,
    Invite,
    Record,
    Resolve,
    ThreadReply,
    Update,
    Warn,
    describe,
    plan,
)
from bot.engine import CALL_SCOPE_PREFIX, checked_scopes, evaluate
from bot.model import Finding, Situation
from bot.rules import CATALOGUE
from handlers.slack.blocks import resolved_text, update_text
from handlers.worker.queued import (
    DirectMessage,
    Escalation,
    Invitation,
    Post,
    PostAlert,
    QueuedAction,
    Resolution,
    ThreadUpdate,
    queue,
)

#: Logged for every decision, one line each, never with message text (the demo prints these).
activity = logging.getLogger("safe_contact.activity")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one evaluation decided: the actions' one-line descriptions."""

    findings: int
    actions: tuple[str, ...]


def enforce(situation: Situation, *, session: storage.Session, now: datetime, team_id: str) -> Outcome:
    """Evaluate `situation`, plan against its scope's open incidents, and record the plan.

    No finding and nothing to settle (a benign message) touches no table."""
    findings = evaluate(CATALOGUE, situation)
    checked = checked_scopes(CATALOGUE, situation, findings)
    if not findings and not checked:
        return Outcome(0, ())
    program = situation.program
    scopes = sorted({scope for _, scope in checked} | {f.scope for f in findings})
    incidents = [i for scope in scopes for i in storage.open_incidents(program.id, scope=scope, session=session)]
    actions = plan(findings, incidents, checked=checked, directory=situation.directory)
    recorder = _Recorder(program.id, team_id, session, now, {(i.rule, i.subject): i.id for i in incidents})
    for incident in incidents:  # the oldest open incident of a call is the call's alert
        if incident.scope.startswith(CALL_SCOPE_PREFIX):
            recorder.situations.setdefault(incident.scope, incident.id)
    descriptions = tuple(recorder.record(action) for action in actions)
    for line in descriptions:
        activity.info("%s: %s", program.id, line)
    return Outcome(len(findings), descriptions)


class _Recorder:
    """Records one plan: database changes now, Slack calls queued, each remedy tied to its incident."""

    def __init__(self, program_id: str, team_id: str, session: storage.Session, now: datetime, incidents: dict):
        self.program_id, self.team_id, self.session, self.now = program_id, team_id, session, now
        self.incidents: dict[tuple[str, str], int] = incidents
        #: Findings whose incident another process opened first (a race on the same event or check):
        #: that process queued the alert and the remedies, and they are not queued again here.
        self.lost: set[tuple[str, str]] = set()
        #: The incident whose alert stands for each call (one call is one situation): a call's later
        #: findings are alerted in its thread.
        self.situations: dict[str, int] = {}

    def queue(self, action: QueuedAction) -> None:
        queue(action, team_id=self.team_id, session=self.session, now=self.now)

    def incident(self, finding: Finding) -> int | None:
        return self.incidents.get((finding.rule, finding.subject))

    def record(self, action: Action) -> str:
        """Make the action's database changes and queue its Slack calls. Returns its description."""
        session, now = self.session, self.now
        match action:
            case Alert(finding) | Record(finding):
                opened, created = storage.open_incident(finding, program_id=self.program_id, now=now, session=session)
                self.incidents[(finding.rule, finding.subject)] = opened.id
                if not created:
                    self.lost.add((finding.rule, finding.subject))
                if created and isinstance(action, Alert):
                    under = self.situations.get(finding.scope) if finding.scope.startswith(CALL_SCOPE_PREFIX) else None
                    self.queue(PostAlert(incident=opened.id, under=under))
                    if finding.scope.startswith(CALL_SCOPE_PREFIX):
                        self.situations.setdefault(finding.scope, opened.id)
            case Warn(finding) | Invite(finding) | ThreadReply(finding) if (finding.rule, finding.subject) in self.lost:
                pass  # the remedy of an incident another process opened: it queued the remedy
            case Update(incident, finding):
                storage.update_incident(incident.id, finding, now=now, session=session)
                if not finding.scope.startswith(CALL_SCOPE_PREFIX):  # a call's thread tells who joined and left
                    self.queue(ThreadUpdate(incident=incident.id, text=update_text(finding)))
            case Warn(finding, text, users, channel):
                tied = self.incident(finding)
                if channel:
                    self.queue(Post(channel=channel, text=text, incident=tied, for_finding=True))
                for user in users:
                    self.queue(
                        DirectMessage(
                            user=user,
                            text=text,
                            rule=finding.rule,
                            program=self.program_id,
                            incident=tied,
                            for_finding=True,
                        )
                    )
            case Invite(finding, channel, user, reason):
                tied = self.incident(finding)
                self.queue(Invitation(channel=channel, user=user, reason=reason, incident=tied, for_finding=True))
            case ThreadReply(finding, channel, thread_ts, text):
                tied = self.incident(finding)
                self.queue(Post(channel=channel, text=text, thread_ts=thread_ts, incident=tied, for_finding=True))
            case Resolve(incident, reason):
                storage.resolve_incident(incident.id, actor=None, now=now, detail=reason, session=session)
                self.queue(Resolution(incident=incident.id, text=resolved_text(reason, None)))
            case Escalate(incident, recipients):
                if storage.mark_escalated(incident.id, now=now, session=session):
                    for user in recipients:
                        self.queue(Escalation(incident=incident.id, user=user))
        return describe(action)

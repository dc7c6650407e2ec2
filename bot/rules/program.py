"""Rules about the program as a whole: administrators' accounts and numbers, guardians' access
information, acknowledgements of the expectations, and account connection."""

from __future__ import annotations

from collections.abc import Iterator

from bot.inert import slack_line
from bot.model import Role, Severity, Situation, email_domain
from bot.onboarding import ACKNOWLEDGE_GRACE
from bot.rules.common import channel_ref, mention, person_label
from bot.rules.registry import Breach, Remedy, Scope, rule


def in_institution(email: str, domains: tuple[str, ...]) -> bool:
    """True when the email's domain is one of the institution's domains or a subdomain of one."""
    domain = email_domain(email)
    return bool(domain) and any(domain == d.lower() or domain.endswith("." + d.lower()) for d in domains)


@rule(
    "unverified-admin-account",
    severity=Severity.MEDIUM,
    clause="Program administrators (faculty, staff, or students) must use their institutional credentials "
    "at all times.",
    summary="A staff or admin account does not use an institutional email",
    scopes=(Scope.PROGRAM,),
)
def unverified_admin_account(s: Situation) -> Iterator[Breach]:
    """A staff member, program admin or DLC admin whose roster email, or whose workspace account's
    email, is not in the program's institution domains.

    Why: administrators must use their institutional credentials at all times, so that every adult
    with access to minors is a verified member of the institution. The check covers the account
    too, because an email can be changed in Slack after the roster was written.

    Example: facilitator Sam is on the roster as sam@mit.edu but signs in to Slack as
    sam.k@gmail.com. Administrators are alerted.
    """
    domains = s.program.institution_domains
    for person in s.program.roster:
        if not person.is_supervisor:
            continue
        user_id = s.directory.account_id(person)
        account = s.directory.account(user_id) if user_id else None
        emails = [person.email] + ([account.email] if account and account.email else [])
        bad = [e for e in emails if not in_institution(e, domains)]
        if bad:
            yield Breach(
                subject=f"person:{person.email}",
                summary=f"{person.role.value.replace('_', ' ')} {person_label(s, person)} uses "
                f"{slack_line(', '.join(dict.fromkeys(bad)))}, outside {slack_line(', '.join(domains))}.",
                people=(user_id,) if user_id else (),
            )


@rule(
    "too-few-program-admins",
    severity=Severity.MEDIUM,
    clause="Train multiple program administrators to be prepared to close the session in the event of "
    "inappropriate participant or mentor behavior.",
    summary="The program has fewer than two program admins in the workspace",
    scopes=(Scope.PROGRAM,),
)
def too_few_program_admins(s: Situation) -> Iterator[Breach]:
    """The program has fewer than two program admins with an account in the workspace.

    Why: someone must always be able to close a session at once; with a single administrator the
    program depends on one person being available. While the workspace's accounts have not been
    listed yet, admins known only by email cannot be counted and the rule reports nothing.

    Example: the roster lists one program admin. Administrators are alerted to train a second.
    """
    admins = [p for p in s.program.roster if p.role is Role.PROGRAM_ADMIN]
    with_account = s.directory.user_ids(admins)
    if len(with_account) >= 2:
        return
    if not s.directory.complete and len(admins) >= 2:
        return
    yield Breach(
        subject="program",
        summary=f"Program {slack_line(s.program.name)} has {len(with_account)} program admin(s) with a workspace "
        "account; at least two are needed to close a session at any time.",
        people=with_account,
    )


@rule(
    "guardian-not-informed",
    severity=Severity.MEDIUM,
    clause="Parents/guardians must be provided with access information to all virtual meetings and programs.",
    summary="Guardians have not all been sent a session's access information",
    scopes=(Scope.PROGRAM,),
)
def guardian_not_informed(s: Situation) -> Iterator[Breach]:
    """A scheduled live session (not yet ended) whose access information has not been sent to every
    guardian of the program's minors.

    Why: guardians must be given the access information for every virtual meeting, so that they
    can see what their children see. The app sends it itself; this rule reports the guardians it
    has not reached (no account, or the message failed).

    Example: the 14:00 session in #session-1 is scheduled; Jo's father has no Slack account, so the
    app cannot send it to him. Administrators are alerted to reach him another way.
    """
    guardians = [p for p in s.program.roster if p.role is Role.GUARDIAN and any(p.guards(m) for m in s.program.minors)]
    if not guardians:
        return
    for session in s.program.sessions:
        if session.end <= s.now or session.id is None:
            continue
        informed = s.guardians_informed.get(session.id, frozenset())
        missing = [g for g in guardians if g.email not in informed]
        if not missing:
            continue
        labels = ", ".join(person_label(s, g) for g in missing)
        yield Breach(
            subject=f"session:{session.id}",
            summary=f"The session in {channel_ref(session.channel)} at {session.start.isoformat(timespec='minutes')} "
            f"has not reached guardian(s) {labels}.",
            people=s.directory.user_ids(missing),
            channel=session.channel,
        )


@rule(
    "conduct-not-acknowledged",
    severity=Severity.INFO,
    clause="Provide guidance prior to the inception of any program of expectations of all program staff "
    "and each participant.",
    summary="A roster member active in the program has not acknowledged the expectations",
    scopes=(Scope.PROGRAM,),
    remedies=(Remedy.REMIND,),
    alerts=False,
)
def conduct_not_acknowledged(s: Situation) -> Iterator[Breach]:
    """A roster member who is active in program spaces has not acknowledged the program's
    expectations (conduct, and keeping access information confidential), and was not welcomed with
    them within the last day.

    Why: the policy asks that staff and every participant be given the expectations before the
    program starts. Everyone is welcomed with them and an Acknowledge button; those who have not
    pressed it a day later are reminded (not twice at once).

    Example: participant Alex was welcomed on Monday, posts in #splash-general, but never pressed
    Acknowledge. On Tuesday Alex gets a reminder with the button.
    """
    for person in s.program.roster:
        user_id = s.directory.account_id(person)
        if not user_id or user_id not in s.active_participants or user_id in s.acknowledged_users:
            continue
        welcomed_at = s.welcomed.get(user_id)
        if welcomed_at is not None and s.now - welcomed_at < ACKNOWLEDGE_GRACE:
            continue
        yield Breach(
            subject=f"user:{user_id}",
            summary=f"{mention(user_id)} has not acknowledged the program's expectations.",
            people=(user_id,),
        )


@rule(
    "monitoring-not-connected",
    severity=Severity.INFO,
    clause="Private messaging options should be turned off on participant accounts (the app can only "
    "see direct messages of accounts connected to it).",
    summary="A roster member has not connected their account",
    scopes=(Scope.PROGRAM,),
    remedies=(Remedy.REMIND,),
    alerts=False,
)
def monitoring_not_connected(s: Situation) -> Iterator[Breach]:
    """A roster member with a workspace account has not connected it to the app, so the app cannot
    see their direct messages.

    Why: Slack shows an app only what its bot, or a person who authorised it, can see. A direct
    message is covered when either party has connected; every DM rule depends on this. When the
    app does not know who has connected, the rule reports nothing.

    Example: facilitator Lee has never pressed Connect. Lee gets a reminder with the link, and
    `/minors-status` counts Lee as not covered.
    """
    if s.connected_users is None:
        return
    for person in s.program.roster:
        user_id = s.directory.account_id(person)
        if not user_id or user_id in s.connected_users:
            continue
        yield Breach(
            subject=f"user:{user_id}",
            summary=f"{mention(user_id)} ({person.role.value.replace('_', ' ')}) has not connected their account.",
            people=(user_id,),
        )

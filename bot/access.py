"""Who may do what: the slash commands and who may use them (DESIGN section 4). Facilitators and
administrators see status; program and DLC admins lock down, unlock, record consent, schedule
sessions, edit the roster and export reports; anyone may ask for help or report a concern. Minors,
guardians and accounts not on a roster never see other people's details."""

from __future__ import annotations

import enum
from collections.abc import Sequence

from bot.model import Person


class Command(enum.StrEnum):
    STATUS = "/minors-status"
    LOCKDOWN = "/minors-lockdown"
    UNLOCK = "/minors-unlock"
    CONSENT = "/minors-consent"
    SESSION = "/minors-session"
    ROSTER = "/minors-roster"
    REPORT = "/minors-report"
    HELP = "/minors-help"


class Audience(enum.Enum):
    """Who a command is for."""

    ANYONE = "anyone"
    FACILITATORS = "facilitators and administrators"
    ADMINISTRATORS = "program and DLC administrators"


AUDIENCE = {
    Command.STATUS: Audience.FACILITATORS,
    Command.LOCKDOWN: Audience.ADMINISTRATORS,
    Command.UNLOCK: Audience.ADMINISTRATORS,
    Command.CONSENT: Audience.ADMINISTRATORS,
    Command.SESSION: Audience.ADMINISTRATORS,
    Command.ROSTER: Audience.ADMINISTRATORS,
    Command.REPORT: Audience.ADMINISTRATORS,
    Command.HELP: Audience.ANYONE,
}

USAGE = {
    Command.STATUS: "/minors-status [#channel]",
    Command.LOCKDOWN: "/minors-lockdown [#channel] [reason]",
    Command.UNLOCK: "/minors-unlock [#channel]",
    Command.CONSENT: "/minors-consent @minor granted|revoked [note]",
    Command.SESSION: "/minors-session #channel START END [access info]",
    Command.ROSTER: "/minors-roster",
    Command.REPORT: "/minors-report [since YYYY-MM-DD]",
    Command.HELP: "/minors-help",
}

PURPOSE = {
    Command.STATUS: "a channel's safe-contact compliance at a glance; without a channel, the program's",
    Command.LOCKDOWN: "close a session at once: remove everyone but the program's cleared adults",
    Command.UNLOCK: "reopen a locked-down channel and bring its roster members back",
    Command.CONSENT: "record a minor's recording release, granted or revoked",
    Command.SESSION: "schedule a live session; guardians are sent its access information",
    Command.ROSTER: "view and edit the roster, or import a roster CSV",
    Command.REPORT: "the incident record as a CSV file, sent to you",
    Command.HELP: "what Safe Contact does and the commands you may use",
}


def may_use(person: Person | None, command: Command) -> bool:
    """Whether a roster person (None: an account on no roster) may use `command`.

    Facilitators count once their background check is cleared: an adult still waiting for it
    supervises nobody, and sees nobody's details."""
    audience = AUDIENCE[command]
    if audience is Audience.ANYONE:
        return True
    if person is None:
        return False
    if audience is Audience.ADMINISTRATORS:
        return person.is_admin
    return person.is_admin or person.is_program_adult


def commands_for(people: Sequence[Person | None]) -> list[Command]:
    """The commands someone holding these roster entries (one per program) may use, in menu order."""
    return [c for c in Command if any(may_use(p, c) for p in people or [None])]


def refusal(command: Command) -> str:
    """The short, friendly answer to someone who may not use `command`: it reveals nobody's details."""
    return (
        f"`{command.value}` is for the program's {AUDIENCE[command].value}. If something worries you, "
        "use the *Report a concern* shortcut on a message, or talk to a program administrator or your "
        "parent or guardian. `/minors-help` lists what you can do."
    )


def stays_in_lockdown(person: Person | None) -> bool:
    """Only the program's cleared adults stay in a locked-down channel: minors, guardians, adults
    still waiting for their background check and accounts on no roster are taken out."""
    return person is not None and person.is_program_adult

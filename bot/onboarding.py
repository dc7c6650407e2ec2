"""What people are told when they arrive: the program's expectations in plain language, by role
(the policy asks for them "prior to the inception of any program"), and for guardians what they
can see and how to reach the administrators. Also shown on everyone's App Home."""

from __future__ import annotations

from datetime import timedelta

from bot.inert import slack_line
from bot.model import Person, Program, Role

#: How long after the welcome a member who has not acknowledged it is reminded.
ACKNOWLEDGE_GRACE = timedelta(hours=24)

_EVERYONE = (
    "Conversations with participants happen in the program's channels, where other adults and "
    "guardians can see them: no private or group direct messages with participants.",
    "No phone numbers, personal email addresses or other messaging apps: all contact stays here.",
    "Access information for live sessions (links, passcodes) is for program staff, parents and "
    "participants only: please do not share it.",
)
_ADULTS = (
    "At least two program adults are present in every live session, and a DLC administrator has "
    "access to every private space with participants.",
    "Only adults with a cleared background check supervise participants; administrators use their "
    "institutional accounts.",
    "Recordings that include participants need a release signed by each participant's parent or guardian.",
    "Activities with chemical, biological or radiation hazards are never assigned for home.",
)
_MINORS = (
    "If anything makes you uncomfortable, tell a program administrator or your parent or guardian, "
    "or use *Report a concern* on the message. You will never be in trouble for asking.",
    "Please don't do activities with chemicals, biological materials or radiation at home, and ask "
    "before using tools or appliances for the program.",
)
_GUARDIANS = (
    "You are sent the access information for every live session, so you can join and see what your child sees.",
    "You are invited to the private spaces your child is in; program channels are open to you too.",
    "Anything that worries you: use *Report a concern* on a message, or write to the program's administrators.",
)


def expectations(role: Role | None) -> tuple[str, ...]:
    """The rules in plain language that apply to someone with `role` (None: not on a roster)."""
    if role is None:
        return _EVERYONE
    if role is Role.MINOR:
        return _EVERYONE[:2] + _MINORS
    if role is Role.GUARDIAN:
        return _GUARDIANS + _EVERYONE[1:]
    return _EVERYONE + _ADULTS


def welcome_text(program: Program, person: Person, admins: tuple[str, ...]) -> str:
    """The first message a roster member gets: who the program is, the expectations, what to press
    (Slack mrkdwn: the program's name escaped)."""
    name = slack_line(program.name)
    intro = {
        Role.MINOR: f"Welcome to {name}! Safe Contact helps keep the program safe for everyone.",
        Role.GUARDIAN: (
            f"Hello! You are listed as a parent or guardian in {name}. Safe Contact helps keep "
            "the program safe and keeps you informed."
        ),
    }.get(
        person.role,
        f"Welcome to {name}. Safe Contact enforces the program's safe-contact policy for minors.",
    )
    rules = "\n".join(f"• {line}" for line in expectations(person.role))
    reach = ""
    if admins:
        reach = "\nThe program's administrators: " + ", ".join(f"<@{a}>" for a in admins) + "."
    closing = "Please press *Acknowledge* once you have read them."
    return f"{intro}\n\n*The program's expectations*\n{rules}{reach}\n\n{closing}"

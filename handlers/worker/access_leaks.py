"""Which programs a message outside their business must still be judged for: a message that gives
away one of their sessions' access information is a leak wherever it is posted."""

from __future__ import annotations

from bot.detectors.access_info import may_reveal
from bot.model import Directory, Message, Program
from handlers.runtime import Runtime


def access_leaks(
    runtime: Runtime, team_id: str, message: Message, judged: list[tuple[Program, Directory]]
) -> list[tuple[Program, Directory]]:
    """The workspace's programs, other than those `judged` already judge the conversation for, whose
    live or upcoming session's access information the message may give away. A message that holds
    none of their markers (nearly every one) costs a substring check per marker and nothing else;
    the `access-info-shared` rule decides the rest."""
    if not message.text:
        return []
    markers = runtime.cache.access_markers(team_id, runtime.now())
    if not markers:
        return []  # no live or upcoming session of the workspace has a secret to give away
    named = {program_id for program_id, found in markers.items() if may_reveal(found, message.text)}
    named -= {program.id for program, _ in judged}
    if not named:
        return []
    return [(p, d) for p, d in runtime.cache.workspace(team_id) if p.id in named]

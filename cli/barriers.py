"""`safe-contact barriers`: check (or --apply) the Enterprise Grid information barrier between a
program's minors and its adults."""

from __future__ import annotations

import asyncio
import sys

from slack_sdk.errors import SlackApiError

from bot.config import Settings
from bot.model import Program
from cli.database import open_database, the_program
from cli.output import EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK, warn
from handlers.audit.barriers import ORG_ADMIN_SCOPES, check_barriers
from handlers.slack.api import SlackApi, api_error

NEEDS_ORG_ADMIN = """safe-contact barriers: set SLACK_ORG_ADMIN_TOKEN to check or apply information barriers.
Information barriers are an Enterprise Grid feature: with a barrier between an identity-provider
group of the program's minors and one of its supervising adults, Slack itself refuses DMs, group
DMs and calls between them. What is needed:
  1. an Enterprise Grid org, with information barriers enabled by Slack;
  2. two IdP groups: the program's minors, and its staff and administrators (not the guardians);
  3. the app installed at org level by an org admin or owner, with the user scopes
     {scopes}; that admin's user token (xoxp-…) in SLACK_ORG_ADMIN_TOKEN.
Without it, Safe Contact still detects every such DM through connected accounts."""

REFUSALS = {
    "not_an_admin": "the token is not an org admin's",
    "feature_not_enabled": "information barriers are not enabled for this org",
    "missing_scope": "the token lacks a scope (see `safe-contact barriers` without a token)",
    "no_such_subteam": "a group id is not a user group of the org",
    "primary_usergroup_not_found": "the minors' group is not an IdP group of the org",
    "barriered_from_usergroups_not_found": "the adults' group is not an IdP group of the org",
}


def barriers(settings: Settings, *, program_id: str | None, minors_group: str, adults_group: str, apply: bool) -> int:
    """Check the barrier between a program's minors and adults; with `apply`, put it in place."""
    if not settings.org_admin_token:
        print(NEEDS_ORG_ADMIN.format(scopes=", ".join(ORG_ADMIN_SCOPES)), file=sys.stderr)
        return EXIT_BAD_INPUT
    with open_database(settings.database_url) as engine:
        program = the_program(engine, program_id, "barriers")
    if program is None:
        return EXIT_BAD_INPUT
    return asyncio.run(_barriers(program, settings, minors_group=minors_group, adults_group=adults_group, apply=apply))


async def _barriers(program: Program, settings: Settings, *, minors_group: str, adults_group: str, apply: bool) -> int:
    api = SlackApi.connect(settings.org_admin_token, settings.api_url)
    try:
        report, change = await check_barriers(
            api, program, minors_group=minors_group, adults_group=adults_group, apply=apply
        )
    except SlackApiError as error:
        code = api_error(error)
        warn("barriers", f"Slack refused: {REFUSALS.get(code, code)}.")
        return EXIT_BAD_INPUT
    if change:
        print(f"Applied: {change}.")
    if report.barrier is not None:
        print(f"Barrier {report.barrier.id} separates {minors_group} and {adults_group} (im, mpim, call).")
    for problem in report.problems:
        print(f"- {problem}")
    print(f"{program.name}: " + ("minors and adults are kept apart." if report.ok else "not yet kept apart."))
    return EXIT_OK if report.ok else EXIT_FINDINGS

"""What the person who ran a command, pressed a button or submitted a form is told when it could not be
done: one mapping from failures to answers, for commands and interactions alike. The answer names
Slack's error code at most; the log has the rest, never a token or a message's text."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.commands import UsageError
from handlers.slack.api import api_error

log = logging.getLogger(__name__)

#: When nothing better can be said: the failure was not the asker's doing, and trying again may work.
TRY_AGAIN = "Safe Contact could not do that just now. Please try again in a minute."


def failure_answer(error: Exception, *, doing: str) -> str:
    """The answer for `error`, raised while doing `doing` (a command's name, a button's purpose),
    logged as it deserves: a bad argument is the asker's to fix and is not logged; a Slack refusal is a
    WARNING with its code; anything else is an ERROR with its traceback."""
    if isinstance(error, UsageError):
        return str(error)
    if isinstance(error, SlackApiError):
        log.warning("%s failed: %s", doing, api_error(error))
        return f"Slack did not let Safe Contact do that ({api_error(error)}). Please try again."
    log.exception("%s failed: %s", doing, type(error).__name__)
    return TRY_AGAIN

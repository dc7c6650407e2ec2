"""Logging for every command: one format, `LOG_LEVEL`, and two filters on what reaches the output.

- The same problem, over and over (a full file-descriptor table makes asyncio log its accept error
  on every try, hundreds of thousands of times a minute), is written once per interval, the next
  time with how many were left out.
- At DEBUG only the app's own loggers speak below INFO: the libraries' debugging (slack_sdk's and
  Bolt's request and response bodies, aiohttp's, the drivers') holds what people wrote."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
#: Seconds during which a message logged again is counted instead of written.
REPEAT_INTERVAL = 60.0
#: The loggers whose DEBUG lines are the app's (module loggers, `safe_contact.*`).
APP_LOGGERS = ("bot", "handlers", "storage", "cli", "fakeslack", "safe_contact", "__main__")


class RepeatsCounted(logging.Filter):
    """Writes a message (by logger, level and first line) once per `interval`; the ones in between
    are counted, and the next one written says how many there were. The first line is the message
    with its arguments: "inbox item 7 failed" and "inbox item 8 failed" are two problems, each
    written, while a flood of the same one (an attacker's malformed requests, asyncio's accept
    error, whose socket is on a later line) is one line a minute."""

    def __init__(self, interval: float = REPEAT_INTERVAL, clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self.interval = interval
        self.clock = clock
        #: (logger, level, template) -> (when it was last written, how many were left out since)
        self._seen: dict[tuple[str, int, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.levelno, template_of(record))
        now = self.clock()
        written, left_out = self._seen.get(key, (float("-inf"), 0))
        if now - written < self.interval:
            self._seen[key] = (written, left_out + 1)
            return False
        self._seen[key] = (now, 0)
        if left_out:  # said on the first line, before any detail below it
            first, newline, rest = str(record.msg).partition("\n")
            record.msg = f"{first} (and {left_out} more like it in the last {self.interval:.0f} s){newline}{rest}"
        if len(self._seen) > 10_000:  # templates are few; a flood of distinct ones is not kept
            self._seen = {key: self._seen[key]}
        return True


def template_of(record: logging.LogRecord) -> str:
    """What makes two records the same message: its first line, arguments in (asyncio's accept
    error puts the socket, a different one each time, on the lines after)."""
    try:
        message = record.getMessage()
    except (TypeError, ValueError):  # arguments that do not fit the template: the template alone
        message = str(record.msg)
    return message.split("\n", 1)[0][:200]


class AppDebugOnly(logging.Filter):
    """Below INFO, only the app's own loggers' records pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.INFO or is_app_logger(record.name)


def is_app_logger(name: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in APP_LOGGERS)


def configure_logging(level: str) -> None:
    """Log to standard error at `level`, through both filters; Alembic says only what goes wrong."""
    logging.basicConfig(level=level, format=FORMAT)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RepeatsCounted) for f in handler.filters):
            handler.addFilter(RepeatsCounted())
            handler.addFilter(AppDebugOnly())
    # Alembic announces each of its plugins at INFO on every start; its warnings still show.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, logging.getLogger().level))

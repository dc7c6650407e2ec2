"""What the commands share for their output: the exit statuses, one-line warnings on standard error,
writing a report to --output, and the progress bar. Light on purpose: `rules` imports it."""

from __future__ import annotations

import sys
from collections.abc import Callable

from bot.inert import plain_line

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2

Progress = Callable[[int, int], None]


def warn(command: str, line: str) -> None:
    """One line on standard error, named for the command: `safe-contact audit: ...`. One line it
    stays: a channel's or a file's name in it cannot add lines or send the terminal escapes."""
    print(f"safe-contact {command}: {plain_line(line)}", file=sys.stderr)


def write_output(text: str, output: str | None, command: str) -> bool:
    """The text on standard output, or in the file --output names; False (and a line why) when it cannot be written."""
    if not output:
        sys.stdout.write(text)
        return True
    try:
        with open(output, "w", encoding="utf-8", newline="") as file:
            file.write(text)
    except OSError as error:
        warn(command, f"cannot write {output}: {error.strerror}")
        return False
    return True


def progress_bar(label: str) -> Progress:
    """A one-line progress bar on standard error (the caller draws it only on a terminal)."""

    def draw(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} conversations")
        sys.stderr.flush()

    return draw

"""The logging set-up every command uses: a problem repeated is written once a minute with a count,
and below INFO only the app's own loggers speak (the libraries' DEBUG lines carry payloads)."""

from __future__ import annotations

import asyncio
import io
import logging
import subprocess
import sys

from cli.logs import RepeatsCounted

ACCEPT_ERROR = "socket.accept() out of system resource"


def accept_failed(loop: asyncio.AbstractEventLoop, fd: int) -> None:
    """What asyncio's accept loop reports when the process has no file descriptor left."""
    loop.call_exception_handler(
        {"message": ACCEPT_ERROR, "exception": OSError(24, "Too many open files"), "socket": f"<socket fd={fd}>"}
    )


def test_asyncios_accept_error_repeated_thousands_of_times_is_written_once_a_minute_with_a_count():
    stream, now = io.StringIO(), [0.0]
    handler = logging.StreamHandler(stream)
    handler.addFilter(RepeatsCounted(clock=lambda: now[0]))
    asyncio_log = logging.getLogger("asyncio")
    asyncio_log.addHandler(handler)
    loop = asyncio.new_event_loop()
    try:
        for fd in range(3000):
            accept_failed(loop, fd)
        now[0] = 61.0
        accept_failed(loop, 3000)
        logging.getLogger("asyncio").warning("something else")
    finally:
        loop.close()
        asyncio_log.removeHandler(handler)
    written = stream.getvalue()
    assert written.count(ACCEPT_ERROR) == 2
    assert f"{ACCEPT_ERROR} (and 2999 more like it in the last 60 s)" in written
    assert "something else" in written


SET_UP_AND_LOG = """
import logging
from cli.logs import configure_logging
configure_logging("DEBUG")
for attempt in range(1000):
    logging.getLogger("asyncio").error("socket.accept() out of system resource\\nsocket: %d", attempt)
logging.getLogger("slack_bolt.AsyncApp").debug("Responding with status: 200 body: QUOKKA-4417")
logging.getLogger("aiohttp.server").debug("QUOKKA-4417")
logging.getLogger("handlers.worker.loop").debug("the app's own debugging")
"""


def test_the_set_up_every_command_uses_counts_repeats_and_keeps_library_debugging_out():
    done = subprocess.run([sys.executable, "-c", SET_UP_AND_LOG], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("out of system resource") == 1
    assert "QUOKKA" not in done.stderr
    assert "the app's own debugging" in done.stderr

"""The backstage: an event loop in a thread of its own for everything that may wait on the
database (the worker, the sweeps, the scheduled checks, retention, commands and buttons and their
follow-ups), so that none of it can hold up the loop that answers Slack.

The app's database calls are synchronous, and a database that hangs (a stalled connection, a table a
migration holds) holds the thread that called it, for as long as the database takes. On one event
loop, that froze every acknowledgement and `/healthz`. So the HTTP server and the Socket Mode
connection have the first loop to themselves: there, events are handed to the inbox writer's own
thread (`handlers.listeners.events`) and `/healthz` to a probe in a thread of its own, each awaited
with a deadline; commands and buttons are dispatched here, also awaited with a deadline
(`answer_in_time`). Everything else is started here by `SafeContactApp.start`.

Crossing between the loops happens only through `asyncio.run_coroutine_threadsafe` and
`call_soon_threadsafe`; the runtime's `wake` may be set from either (`handlers.runtime.Wake`)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import queue
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class Backstage:
    """An event loop running in a daemon thread, from `start` to `stop`."""

    def __init__(self, name: str = "backstage"):
        self.name = name
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        started = threading.Event()
        loop = asyncio.new_event_loop()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(started.set)
            loop.run_forever()

        self._thread = threading.Thread(target=run, name=self.name, daemon=True)
        self._thread.start()
        started.wait()
        self.loop = loop

    def submit(self, work: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Run `work` on the backstage loop; its outcome, for any thread."""
        if self.loop is None:
            raise RuntimeError("the backstage is not running")
        return asyncio.run_coroutine_threadsafe(work, self.loop)

    async def run(self, work: Coroutine[Any, Any, T]) -> T:
        """Run `work` on the backstage loop and await its outcome from another loop."""
        return await asyncio.wrap_future(self.submit(work))

    def call(self, callback: Callable[..., object], *args: object) -> None:
        """Call `callback(*args)` on the backstage loop, soon."""
        if self.loop is None:
            raise RuntimeError("the backstage is not running")
        self.loop.call_soon_threadsafe(callback, *args)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the loop (what still runs on it is cancelled) and wait for its thread."""
        loop, thread = self.loop, self._thread
        if loop is None or thread is None:
            return
        self.loop = None

        async def cancel_the_rest() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            asyncio.get_running_loop().stop()

        with contextlib.suppress(RuntimeError):  # already closed
            asyncio.run_coroutine_threadsafe(cancel_the_rest(), loop)
        thread.join(timeout)
        if not thread.is_alive():
            loop.close()
        else:  # stuck in a database call: a daemon thread, it goes with the process
            log.warning("the backstage loop did not stop within %.0f s", timeout)


class OneThread:
    """One daemon thread that runs the calls given to it, in order: the inbox writer's and the health
    probe's. A call that hangs holds only this thread, and being a daemon, the thread never keeps the
    process from exiting (a `ThreadPoolExecutor`'s are joined at exit, however long they hang)."""

    def __init__(self, name: str):
        self.name = name
        self._calls: queue.SimpleQueue[tuple[Callable[[], Any], concurrent.futures.Future[Any]]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, call: Callable[[], T]) -> concurrent.futures.Future[T]:
        """Run `call()` in the thread, after those given before it; its outcome."""
        outcome: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._calls.put((call, outcome))
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name=self.name, daemon=True)
                self._thread.start()
        return outcome

    def _serve(self) -> None:
        while True:
            call, outcome = self._calls.get()
            if not outcome.set_running_or_notify_cancel():
                continue
            try:
                outcome.set_result(call())
            except BaseException as error:  # handed to whoever awaits it
                outcome.set_exception(error)

"""The claim on the inbox item a worker is dealing with: what a job asks before each Slack call it
makes for the item. A claim's lease runs out (`storage.STALE_CLAIM`) and another worker may then take
the item as a dead worker's; a job that went on regardless would do in Slack what the other does too.
Asking renews the lease (the heartbeat of an item that makes many calls) and raises `ClaimLost` once
the item is another worker's, so that nothing more is done for it here."""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

#: Renews the claim of the item being dealt with; False when it is no longer this worker's.
Renew = Callable[[], Awaitable[bool]]

_current: contextvars.ContextVar[Renew | None] = contextvars.ContextVar("inbox_claim", default=None)


class ClaimLost(Exception):
    """The item is another worker's now (this worker's lease ran out): it is left to that worker."""


@contextmanager
def holding(renew: Renew) -> Iterator[None]:
    """While the body runs, `still_mine` asks `renew` (the worker sets it for each item it deals with)."""
    token = _current.set(renew)
    try:
        yield
    finally:
        _current.reset(token)


async def still_mine() -> None:
    """Before a Slack call for the current item: renew its claim, or raise `ClaimLost` if another
    worker holds it. Outside a worker (a tool, a test calling a job directly) there is no claim."""
    renew = _current.get()
    if renew is not None and not await renew():
        raise ClaimLost("the item's claim was taken by another worker")

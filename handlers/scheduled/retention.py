"""Retention: message text is kept only as incidents' evidence, and only for the retention period
(`SAFE_CONTACT_RETENTION_DAYS`, 365 by default); processed inbox items, which may still hold a failed
event's text, go after a day. Run daily by the app and on demand by `safe-contact purge`."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import storage

log = logging.getLogger(__name__)

#: How long a processed inbox item is kept: long enough to drop any redelivery Slack makes (minutes).
INBOX_KEPT = timedelta(days=1)
#: How long an ended call is remembered: a late event about it is still understood meanwhile, and its
#: incidents keep what mattered for good.
ENDED_CALLS_KEPT = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Purged:
    evidence: int
    inbox: int


def purge(engine: storage.Engine, *, now: datetime, retention_days: int) -> Purged:
    """Blank evidence older than the retention period and delete processed inbox items; what went."""
    with storage.session_scope(engine) as session:
        evidence = storage.purge_evidence(now - timedelta(days=retention_days), session=session)
        inbox = storage.purge_inbox(now - INBOX_KEPT, session=session)
        storage.purge_used_once(now, session=session)  # past them nothing can be replayed
        storage.purge_ended_calls(now - ENDED_CALLS_KEPT, session=session)
    purged = Purged(evidence=evidence, inbox=inbox)
    log.info("retention: blanked the evidence of %d incident(s), deleted %d inbox item(s)", evidence, inbox)
    return purged

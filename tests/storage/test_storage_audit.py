"""The audit log of administrator actions."""

from datetime import UTC, datetime, timedelta

from storage_samples import NOW

from bot.model import AuditEntry
from storage import audit_entries, record_audit, session_scope


def test_entries_come_back_in_order(engine):
    later = AuditEntry(NOW + timedelta(minutes=5), "U0ADMIN1", "lockdown", "splash-2026", {"channel": "C0SESSION1"})
    first = AuditEntry(NOW, "command line", "import", "splash-2026", {"people": 9, "sessions": 1})
    global_entry = AuditEntry(NOW + timedelta(minutes=1), "U0DLC1", "purge", None, {"incidents": 3})
    with session_scope(engine) as session:
        ids = [record_audit(entry, session=session) for entry in (later, first, global_entry)]
    with session_scope(engine) as session:
        everything = audit_entries(session=session)
        program = audit_entries("splash-2026", session=session)
        recent = audit_entries(session=session, since=NOW + timedelta(minutes=1))
    assert everything == [
        AuditEntry(first.at, first.actor, first.action, first.program_id, first.detail, ids[1]),
        AuditEntry(global_entry.at, "U0DLC1", "purge", None, {"incidents": 3}, ids[2]),
        AuditEntry(later.at, later.actor, later.action, later.program_id, later.detail, ids[0]),
    ]
    assert [e.action for e in program] == ["import", "lockdown"]
    assert [e.action for e in recent] == ["purge", "lockdown"]
    assert all(e.at.tzinfo is UTC for e in everything)


def test_details_with_dates_and_sets_are_stored_readably(session):
    moment = datetime(2026, 7, 6, 14, 0, tzinfo=UTC)
    record_audit(
        AuditEntry(NOW, "U0ADMIN1", "session", "splash-2026", {"start": moment, "people": {"b", "a"}}),
        session=session,
    )
    (entry,) = audit_entries(session=session)
    assert entry.detail == {"start": "2026-07-06T14:00:00+00:00", "people": ["a", "b"]}

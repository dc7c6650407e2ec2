"""The workspace directory cache: accounts, conversations and memberships."""

from dataclasses import replace

import pytest
from storage_samples import NOW

from bot.model import Account, Conversation, ConversationKind
from storage import (
    account_by_email,
    add_member,
    conversations_with_member,
    get_conversation,
    list_accounts,
    remove_member,
    save_conversation,
    session_scope,
    upsert_accounts,
)

TEAM = "T0TEAM0001"
ALEX = Account("U0MINOR1", "Alex@Example.org", "Alex", TEAM)
SAM = Account("U0STAFF1", "sam@mit.edu", "Sam", TEAM, is_guest=True, is_external=True)
BOT = Account("U0BOT0001", "", "Helper", TEAM, is_bot=True)
ELSEWHERE = Account("U0MINOR1", "alex@example.org", "Alex elsewhere", "T0OTHER001", deleted=True)


def test_accounts_round_trip_per_workspace(session):
    upsert_accounts([SAM, ALEX, BOT, ELSEWHERE], session=session, now=NOW)
    assert list_accounts(TEAM, session=session) == [BOT, ALEX, SAM]
    assert list_accounts("T0OTHER001", session=session) == [ELSEWHERE]
    assert list_accounts("T0NOBODY01", session=session) == []


def test_upserting_refreshes_accounts(engine):
    with session_scope(engine) as session:
        upsert_accounts([ALEX, SAM], session=session, now=NOW)
    renamed = replace(ALEX, name="Alex Renamed", email="alex@new.example.org", deleted=True)
    with session_scope(engine) as session:
        assert list_accounts(TEAM, session=session) == [ALEX, SAM]  # loads them into the session
        upsert_accounts([renamed, renamed], session=session, now=NOW)
        assert list_accounts(TEAM, session=session) == [renamed, SAM]
    with session_scope(engine) as session:
        assert list_accounts(TEAM, session=session) == [renamed, SAM]


def test_many_accounts_at_once(session):
    accounts = [Account(f"U{n:08d}", f"user{n}@example.org", f"User {n}", TEAM) for n in range(3000)]
    upsert_accounts(accounts, session=session, now=NOW)
    upsert_accounts(accounts, session=session, now=NOW)
    assert len(list_accounts(TEAM, session=session)) == 3000


def test_an_account_without_a_workspace_is_refused(session):
    with pytest.raises(ValueError, match="team_id"):
        upsert_accounts([replace(ALEX, team_id="")], session=session)


@pytest.mark.parametrize("email", ["alex@example.org", "ALEX@EXAMPLE.ORG", " Alex@Example.org "])
def test_email_lookup_ignores_case(session, email):
    upsert_accounts([ALEX, SAM, ELSEWHERE], session=session, now=NOW)
    assert account_by_email(TEAM, email, session=session) == ALEX
    assert account_by_email("T0OTHER001", email, session=session) == ELSEWHERE


def test_email_lookup_prefers_a_live_account(session):
    old = Account("U0AAAAAAA", "sam@mit.edu", "Old Sam", TEAM, deleted=True)
    upsert_accounts([old, SAM], session=session, now=NOW)
    assert account_by_email(TEAM, "sam@mit.edu", session=session) == SAM
    assert account_by_email(TEAM, "", session=session) is None
    assert account_by_email(TEAM, "nobody@mit.edu", session=session) is None


DM = Conversation("D0DIRECT01", ConversationKind.IM, frozenset({"U0STAFF1", "U0MINOR1"}), team_id=TEAM)
GENERAL = Conversation(
    "C0GENERAL1", ConversationKind.PUBLIC_CHANNEL, frozenset({"U0STAFF1", "U0ADMIN1"}), "general", TEAM
)


def test_conversations_round_trip(session):
    archived = Conversation("G0PRIVATE1", ConversationKind.PRIVATE_CHANNEL, frozenset(), "secret", TEAM, True)
    for conversation in (DM, GENERAL, archived):
        save_conversation(conversation, session=session, now=NOW)
    assert get_conversation("D0DIRECT01", session=session) == DM
    assert get_conversation("C0GENERAL1", session=session) == GENERAL
    assert get_conversation("G0PRIVATE1", session=session) == archived
    assert get_conversation("C0UNKNOWN1", session=session) is None


def test_saving_a_conversation_replaces_its_members(engine):
    with session_scope(engine) as session:
        save_conversation(GENERAL, session=session, now=NOW)
    changed = replace(GENERAL, name="renamed", is_archived=True, members=frozenset({"U0ADMIN1", "U0MINOR2"}))
    with session_scope(engine) as session:
        save_conversation(changed, session=session, now=NOW)
    with session_scope(engine) as session:
        assert get_conversation("C0GENERAL1", session=session) == changed


def test_members_join_and_leave(session):
    save_conversation(GENERAL, session=session, now=NOW)
    assert add_member("C0GENERAL1", "U0MINOR1", session=session)
    assert add_member("C0GENERAL1", "U0MINOR1", session=session)  # twice: no error
    remove_member("C0GENERAL1", "U0ADMIN1", session=session)
    remove_member("C0GENERAL1", "U0NOBODY1", session=session)
    assert get_conversation("C0GENERAL1", session=session).members == {"U0STAFF1", "U0MINOR1"}


def test_joining_an_unknown_conversation_records_nothing(session):
    assert add_member("C0UNKNOWN1", "U0MINOR1", session=session) is False
    assert get_conversation("C0UNKNOWN1", session=session) is None


def test_conversations_with_member(session):
    for conversation in (DM, GENERAL):
        save_conversation(conversation, session=session, now=NOW)
    assert conversations_with_member(["U0MINOR1"], session=session) == [DM]
    assert conversations_with_member({"U0STAFF1", "U0ADMIN1"}, session=session) == [GENERAL, DM]
    assert conversations_with_member("U0ADMIN1", session=session) == [GENERAL]
    assert conversations_with_member([], session=session) == []
    assert conversations_with_member(["U0NOBODY1"], session=session) == []

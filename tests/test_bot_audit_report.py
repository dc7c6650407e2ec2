"""Who is who in an audit report: people by their account ids, named from the roster where the roster
knows them, and conversations by their ids."""

from builders import GENERAL, MINOR1, STRANGER, accounts_for, person, program, public, with_person

from bot.audit_report import Person, Space, people_and_spaces
from bot.model import Account, Directory


def test_people_are_keyed_by_account_id_and_named_from_the_roster():
    """A roster person without a `slack_id` is found by email; the report lists them under that
    account's id with their roster name and role (not under the account object, nor the account's
    own display name)."""
    newcomer = person("Riley", "staff", None, email="riley@mit.edu")
    prog = with_person(program(), newcomer)
    accounts = [*accounts_for(prog), Account(id="U0RILEY1", email="Riley@MIT.edu", name="riley-display")]
    people, spaces = people_and_spaces([Directory(prog, accounts)], [public(MINOR1)])
    assert all(isinstance(key, str) for key in people)
    assert people["U0RILEY1"] == Person("Riley", "staff")
    assert people[MINOR1] == Person("Alex", "minor")
    assert people[STRANGER] == Person(STRANGER, "not on the roster")
    assert spaces == {GENERAL: Space(GENERAL, "public_channel")}


def test_slackbot_and_apps_are_bots_in_a_report_not_people_missing_from_the_roster():
    prog = with_person(program(), person("Riley", "staff", None, email="riley@mit.edu"))
    accounts = [
        *accounts_for(prog),
        Account(id="USLACKBOT", name="Slackbot"),  # users.list says is_bot false; it is Slackbot all the same
        Account(id="U0OTHERBOT", name="Other App", is_bot=True, email="riley@mit.edu"),
    ]
    directory = Directory(prog, accounts)
    people, _ = people_and_spaces([directory], [])
    assert people["USLACKBOT"] == Person("Slackbot", "bot")
    assert people["U0OTHERBOT"] == Person("Other App", "bot")  # no roster match by its profile's address
    assert directory.person("U0OTHERBOT") is None

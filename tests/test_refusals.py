"""The one table of what Slack refuses for good and what an administrator does about it by hand: every
error Slack's reference lists for removing and inviting people is explained (or named as no refusal),
every explanation names the person and the channel and says who must act, and every explained code is
one the worker never retries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from handlers.slack.api import PERMANENT_ERRORS
from handlers.slack.refusals import NOT_REFUSALS, REFUSALS, refusal_codes, what_to_do

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "slack-reference" / "methods"
USER, CHANNEL = "U0GUARD1", "C0PROJECT1"
#: Explanations that have nobody to name: the app itself, or a channel nobody can join.
NAMES_NOBODY = {"cant_kick_self", "cant_invite_self", "is_archived"}


def reference_errors(method: str) -> set[str]:
    path = REFERENCE / f"{method}.json"
    if not path.exists():
        pytest.skip(f"Slack's method reference is not beside the project ({REFERENCE})")
    return set(json.loads(path.read_text())["errors"])


@pytest.mark.parametrize(
    ("method", "attempt"),
    [("conversations.kick", "remove"), ("conversations.invite", "invite")],
)
def test_every_error_slack_documents_for_removing_and_inviting_is_explained(method, attempt):
    explained = {code for tried, code, _ in REFUSALS if tried == attempt} | {"missing_scope"}
    assert reference_errors(method) - explained - NOT_REFUSALS == set()


@pytest.mark.parametrize(
    ("attempt", "code", "kind"),
    [key for key in REFUSALS if key[0] != "other"],
    ids=lambda value: value or "any",
)
def test_each_explanation_names_the_channel_and_the_person_and_who_acts(attempt, code, kind):
    text = what_to_do(attempt, code, user=USER, channel=CHANNEL, kind=kind)
    assert f"<#{CHANNEL}>" in text
    assert f"<@{USER}>" in text or code in NAMES_NOBODY
    assert "{" not in text and not text.endswith(".")  # filled in; the sentence is ended by the caller
    assert any(who in text for who in ("admin", "by hand", "Slack lets nobody", "ask", "nobody", "update the roster"))


def test_every_explained_code_is_permanent():
    assert refusal_codes() <= PERMANENT_ERRORS
    assert {"ura_max_channels", "restricted_action", "cant_kick_from_general", "org_user_not_in_team"} <= (
        PERMANENT_ERRORS
    )


def test_the_kind_of_channel_chooses_the_explanation_of_a_workspace_setting():
    public = what_to_do("remove", "restricted_action", user=USER, channel=CHANNEL, kind="public")
    private = what_to_do("remove", "restricted_action", user=USER, channel=CHANNEL, kind="private")
    unknown = what_to_do("remove", "restricted_action", user=USER, channel=CHANNEL)
    assert "from public channels (Slack's default)" in public
    assert "from private channels" in private and "default" not in private
    assert len({public, private, unknown}) == 3


def test_the_guardians_usual_refusal_says_what_an_admin_does():
    text = what_to_do("invite", "ura_max_channels", user=USER, channel=CHANNEL)
    assert text.startswith(f"<@{USER}> is a single-channel guest")
    assert "workspace admin must make them a multi-channel guest" in text


def test_an_unexplained_permanent_refusal_still_says_to_act_by_hand():
    assert what_to_do("remove", "something_new", user=USER, channel=CHANNEL).endswith(
        f"remove <@{USER}> from <#{CHANNEL}> by hand"
    )
    assert "by hand" in what_to_do("invite", "something_new", user=USER, channel=CHANNEL)
    assert "reinstall" in what_to_do("invite", "missing_scope", user=USER, channel=CHANNEL)

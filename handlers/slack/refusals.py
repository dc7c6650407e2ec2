"""What Slack refuses for good, and what an administrator does about it by hand: one table, by what
the app tried (removing someone, inviting someone, anything else) and Slack's error code. The
worker tells the administrators these at the first refusal; no retry changes Slack's answer.

The codes are those of Slack's method reference (`conversations.kick`, `conversations.invite`,
`chat.postMessage`). Who may remove people: slack.com/help/articles/201898668 (public channels:
"workspace owners and admins", Slack's default; private channels: "everyone except guests"; nobody
from #general). The app's bot counts as a member, never as an owner or admin."""

from __future__ import annotations

from typing import Literal

Attempt = Literal["remove", "invite", "other"]

#: (what was tried, Slack's error, the channel's kind or "" for any) -> what to do, with `{user}`,
#: `{channel}` (Slack mentions) to fill in. The first words say who must act.
REFUSALS: dict[tuple[Attempt, str, str], str] = {
    # -- conversations.kick ----------------------------------------------------------------------
    ("remove", "restricted_action", "public"): (
        "a workspace admin must remove {user} from {channel}: this workspace lets only workspace owners and "
        "admins remove people from public channels (Slack's default), and Safe Contact is neither. So that "
        "Safe Contact can do it next time, a workspace owner can let everyone except guests remove members "
        "(Workspace settings, Permissions, Channel Management), or sessions can be private channels"
    ),
    ("remove", "restricted_action", "private"): (
        "a workspace admin must remove {user} from {channel}: this workspace lets only workspace owners and "
        "admins remove people from private channels, and Safe Contact is neither. A workspace owner can let "
        "everyone except guests remove members (Workspace settings, Permissions, Channel Management)"
    ),
    ("remove", "restricted_action", ""): (
        "a workspace admin must remove {user} from {channel}: this workspace's settings do not let Safe Contact "
        "remove people there (Slack's default lets only workspace owners and admins remove people from public "
        "channels)"
    ),
    ("remove", "cant_kick_from_general", ""): (
        "Slack lets nobody remove anyone from #general ({channel}), where every member of the workspace is: if "
        "{user} must not be there, a workspace admin must deactivate the account or make it a guest of other "
        "channels only; hold sessions in other channels"
    ),
    ("remove", "method_not_supported_for_channel_type", ""): (
        "{channel} is a direct message or group DM, from which Slack lets nobody be removed: ask the adults in "
        "it to leave it, or a workspace admin can deactivate {user}'s account"
    ),
    ("remove", "not_in_channel", ""): (
        "Safe Contact is not a member of {channel}, so Slack will not let it remove anyone: remove {user} by hand, "
        "or add Safe Contact to the channel (/invite @Safe Contact) and lock it down again"
    ),
    ("remove", "channel_not_found", ""): (
        "Safe Contact cannot see {channel} (a private channel it is not in, or one that is gone): remove {user} by hand"
    ),
    ("remove", "not_supported", ""): (
        "{user} is an account of another organisation (Slack Connect): only an admin of the organisation that "
        "owns {channel} can remove them. Ask one, or stop sharing the channel with their organisation"
    ),
    ("remove", "cant_kick_self", ""): (
        "Safe Contact cannot remove itself: if it must leave {channel}, remove it by hand"
    ),
    ("remove", "user_not_found", ""): "{user}'s account no longer exists, so nobody is left to remove from {channel}",
    # -- conversations.invite --------------------------------------------------------------------
    ("invite", "ura_max_channels", ""): (
        "{user} is a single-channel guest and already in their one channel, so Slack adds them nowhere else: a "
        "workspace admin must make them a multi-channel guest (or a full member), then add them to {channel} "
        "by hand"
    ),
    ("invite", "user_is_restricted", ""): (
        "{user} is a guest whose channels do not include {channel}, and only a workspace admin can change "
        "that: a workspace admin must add {channel} to their channels (or make them a full member)"
    ),
    ("invite", "no_permission", ""): (
        "this workspace's settings do not let Safe Contact invite {user} to {channel}: a workspace admin (or "
        "someone allowed to invite there) must add them by hand"
    ),
    ("invite", "org_user_not_in_team", ""): (
        "{user} belongs to your Enterprise organisation but not to this workspace: an org admin must add them "
        "to this workspace, then anyone in {channel} can add them"
    ),
    ("invite", "invitee_cant_see_channel", ""): (
        "{channel} is not shared with any workspace of the organisation that {user} belongs to: an org admin "
        "must share it with one of their workspaces (or add them to this one), then add them"
    ),
    ("invite", "no_external_invite_permission", ""): (
        "{user} is an account of another organisation (Slack Connect), and Slack lets only people with "
        "permission to invite external people add them: someone with that permission must invite them to "
        "{channel} by hand"
    ),
    ("invite", "cant_invite", ""): (
        "Slack will not let {user} be added to {channel}: a workspace admin must add them by hand"
    ),
    ("invite", "cant_invite_self", ""): (
        "Safe Contact cannot invite itself: add it to {channel} by hand (/invite @Safe Contact)"
    ),
    ("invite", "not_in_channel", ""): (
        "Safe Contact is not a member of {channel}, so it cannot invite anyone there: add it (/invite @Safe "
        "Contact), or add {user} by hand"
    ),
    ("invite", "channel_not_found", ""): (
        "Safe Contact cannot see {channel} (a private channel it is not in, or one that is gone): add {user} by "
        "hand, or add Safe Contact to the channel"
    ),
    ("invite", "is_archived", ""): (
        "{channel} is archived, so nobody can be added: unarchive it first if it is still used"
    ),
    ("invite", "method_not_supported_for_channel_type", ""): (
        "{channel} is a direct message or group DM, to which Slack adds nobody: start a private channel with "
        "{user} and its members instead"
    ),
    ("invite", "user_not_found", ""): (
        "{user}'s account no longer exists, so nobody can be added to {channel}: update the roster"
    ),
    ("invite", "user_disabled", ""): (
        "{user}'s account is deactivated, so Slack adds it to no channel ({channel}): a workspace admin can "
        "reactivate it, or update the roster"
    ),
    # -- anything else (posts, direct messages, alerts) ---------------------------------------------
    ("other", "not_in_channel", ""): "Safe Contact is not a member of {channel}; add it, or act by hand",
    ("other", "channel_not_found", ""): "Safe Contact cannot see {channel}",
    ("other", "is_archived", ""): "the channel is archived",
    ("other", "user_not_found", ""): "the account no longer exists",
    ("other", "user_disabled", ""): "the account is deactivated",
    ("other", "cannot_dm_bot", ""): "that account is a bot",
    ("other", "restricted_action", ""): (
        "the channel's settings do not let Safe Contact post there; a workspace admin can allow it"
    ),
}

#: Errors of every Web API call that mean the app's token lacks what it needs.
_ANY = {
    "missing_scope": (
        "Safe Contact's installation lacks a permission it needs: reinstall the app from its manifest, then do "
        "it by hand this once"
    ),
    "not_allowed_token_type": "Safe Contact used the wrong kind of token: report this, and do it by hand",
}

#: Codes that mean the same thing whoever asks, with no table entry of their own: `already_in_channel`
#: (nothing to do), `external_channel_migrating` (passes), `no_user`/`app_cannot_join_channel` (the
#: app never sends them).
NOT_REFUSALS = frozenset({"already_in_channel", "external_channel_migrating", "no_user", "app_cannot_join_channel"})


def refusal_codes() -> frozenset[str]:
    """Every error code the table explains: Slack will answer the same however often it is asked."""
    return frozenset(code for _, code, _ in REFUSALS) | frozenset(_ANY)


def what_to_do(attempt: Attempt, code: str, *, user: str = "", channel: str = "", kind: str = "") -> str:
    """What an administrator does about Slack's `code` when the app tried `attempt` (`kind` is the
    channel's, "public" or "private", when known), with the people and channel mentioned."""
    text = REFUSALS.get((attempt, code, kind)) or REFUSALS.get((attempt, code, "")) or _ANY.get(code)
    if text is None:
        text = {
            "remove": "Slack will give the same answer however often it is asked: remove {user} from {channel} by hand",
            "invite": "Slack will give the same answer however often it is asked: add {user} to {channel} by hand",
            "other": "Slack will give the same answer however often it is asked",
        }[attempt]
    return text.format(user=f"<@{user}>" if user else "the account", channel=f"<#{channel}>" if channel else "it")

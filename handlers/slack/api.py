"""Every Web API call the app makes: paging, rate limits and retries, and the translation of Slack's
answers into `bot.model` objects. Nothing else in the project builds a Web API request."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import FormData
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.barriers import RESTRICTED_SUBJECTS
from bot.model import Account, Conversation, ConversationKind
from handlers.slack.budget import Budget
from handlers.slack.parsing import (
    account_from_user,
    conversation_from_info,
    conversation_kind,
    huddle_state,
    people_members,
)
from handlers.slack.refusals import refusal_codes

log = logging.getLogger(__name__)

#: Slack's recommended page size: fewer calls than the default 100, well under the 1,000 cap.
PAGE_SIZE = 200
#: Sweeps list every channel the app can see, public and private, archived ones aside.
BOT_CONVERSATION_TYPES = "public_channel,private_channel"
#: What a connected account lets the app see besides the bot's channels.
USER_CONVERSATION_TYPES = "private_channel,mpim,im"


#: Slack's answers meaning this token cannot see the thing asked about (another token may).
CANNOT_SEE_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "file_not_found",
        "user_not_found",
        "token_revoked",
        "token_expired",
        "invalid_auth",
        "account_inactive",
        "not_authed",
        "missing_scope",
        "no_permission",
        "access_denied",
        "team_access_not_granted",
        "ekm_access_denied",
    }
)


def cannot_see(error: Exception) -> bool:
    """Whether a failed call means the token cannot see what it asked about (not an outage)."""
    return isinstance(error, SlackApiError) and str(error.response.get("error") or "") in CANNOT_SEE_ERRORS


#: Slack errors that trying again will not fix: those the refusals table explains (removals and
#: invitations Slack will not make) and these.
PERMANENT_ERRORS = refusal_codes() | frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "user_not_found",
        "users_not_found",
        "cannot_dm_bot",
        "user_disabled",
        "user_is_restricted",
        "restricted_action",
        "method_not_supported_for_channel_type",
        "cant_invite",
        "cant_invite_self",
        "not_allowed_token_type",
        "missing_scope",
        "msg_too_long",
        "no_text",
        "invalid_blocks",
        "message_not_found",
        "cant_update_message",
        "ekm_access_denied",
        "team_access_not_granted",
    }
)


#: How often a call Slack refused for its rate (429) is tried again, each after its `Retry-After`.
RATE_LIMIT_RETRIES = 5


def retry_handlers(*, rate_limits: bool = True) -> list:
    """429: wait `Retry-After` and try again (unless `BudgetedClient` does, `rate_limits=False`);
    5xx and dropped connections: back off and retry."""
    backoff = BackoffRetryIntervalCalculator(backoff_factor=0.5)
    return [
        *([AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)] if rate_limits else []),
        AsyncServerErrorRetryHandler(max_retry_count=3, interval_calculator=backoff),
        AsyncConnectionErrorRetryHandler(max_retry_count=3, interval_calculator=backoff),
    ]


def posting_retry_handlers() -> list:
    """For a post, 5xx is tried again here (Slack answered: it made nothing; so is a 429, by
    `BudgetedClient`), a dropped connection is not: the request may have reached Slack, which then
    made the post, and sending it again blindly would post it twice. The worker's retry looks for it
    first (`SlackApi.find_marked`)."""
    backoff = BackoffRetryIntervalCalculator(backoff_factor=0.5)
    return [AsyncServerErrorRetryHandler(max_retry_count=3, interval_calculator=backoff)]


def web_client(token: str, base_url: str) -> AsyncWebClient:
    """A plain client (Bolt's, whose token comes with each request): slack_sdk waits out a 429."""
    return AsyncWebClient(token=token or None, base_url=base_url, retry_handlers=retry_handlers(), timeout=15)


class BudgetedClient(AsyncWebClient):
    """A client of one workspace whose every call first takes a token of the (workspace, method)
    budget (`handlers.slack.budget`), and whose 429s pause that budget for their `Retry-After`
    before the call is tried again (for every caller in the process, not only this one)."""

    def __init__(self, *, budget: Budget, team_id: str = "", **options: Any):
        super().__init__(**options)
        self.budget = budget
        #: The workspace the token belongs to ("" until `SlackApi.identity` says, for the token
        #: given at start): the budget's key, with the method.
        self.team_id = team_id

    async def api_call(
        self,
        api_method: str,
        *,
        http_verb: str = "POST",
        files: dict | None = None,
        data: dict | FormData | None = None,
        params: dict | None = None,
        json: dict | None = None,
        headers: dict | None = None,
        auth: dict | None = None,
    ) -> AsyncSlackResponse:
        channel = _channel_argument(data, params, json)
        for attempt in range(RATE_LIMIT_RETRIES + 1):
            await self.budget.take(self.team_id, api_method, channel=channel)
            try:
                return await super().api_call(
                    api_method,
                    http_verb=http_verb,
                    files=files,
                    data=data,
                    params=params,
                    json=json,
                    headers=headers,
                    auth=auth,
                )
            except SlackApiError as error:
                if error.response.status_code != 429 or attempt == RATE_LIMIT_RETRIES:
                    raise
                self.budget.pause(self.team_id, api_method, retry_after(error.response), channel=channel)
        raise AssertionError("unreachable: the last attempt returns or raises")


def _channel_argument(*arguments: object) -> str:
    """The `channel` a call names (a post's budget is per channel)."""
    for given in arguments:
        if isinstance(given, dict) and given.get("channel"):
            return str(given["channel"])
    return ""


def retry_after(response: Any) -> float:
    """A 429's `Retry-After`, in seconds (1 when Slack gave none readable)."""
    headers = {str(k).lower(): v for k, v in (response.headers or {}).items()}
    value = headers.get("retry-after")
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return max(0.0, float(str(value)))
    except ValueError:
        return 1.0


def budgeted_client(token: str, base_url: str, *, budget: Budget, team_id: str = "") -> BudgetedClient:
    handlers = retry_handlers(rate_limits=False)
    return BudgetedClient(
        budget=budget, team_id=team_id, token=token or None, base_url=base_url, retry_handlers=handlers, timeout=15
    )


#: The metadata event type of the app's own messages: its payload's "key" names what was posted.
MARKER_EVENT = "safe_contact_posted"


def marker_of(message: dict) -> str | None:
    """The key the app posted a message with (`SlackApi.post`'s `marker`), if any."""
    metadata = message.get("metadata")
    if not isinstance(metadata, dict) or metadata.get("event_type") != MARKER_EVENT:
        return None
    key = (metadata.get("event_payload") or {}).get("key")
    return key if isinstance(key, str) else None


@dataclass(frozen=True, slots=True)
class Posted:
    """Where a message was posted: the conversation id (a user id resolves to a DM) and its ts."""

    channel: str
    ts: str


class SlackApi:
    """The Web API as the app uses it, through one token (the bot's, or a connected user's)."""

    __slots__ = ("client",)

    def __init__(self, client: BudgetedClient):
        self.client = client

    @classmethod
    def connect(cls, token: str, base_url: str, *, budget: Budget | None = None, team_id: str = "") -> SlackApi:
        """The Web API through `token` (of workspace `team_id`), within `budget` (shared by every
        token of the process; a budget of its own without it)."""
        return cls(budgeted_client(token, base_url, budget=budget or Budget(), team_id=team_id))

    @property
    def budget(self) -> Budget:
        return self.client.budget

    def for_team(self, token: str, team_id: str) -> SlackApi:
        """The same Web API and budget through another workspace's bot token."""
        return SlackApi.connect(token, self.client.base_url, budget=self.budget, team_id=team_id)

    def as_user(self, token: str) -> SlackApi:
        """The same Web API through a connected user's token (for their DMs and private channels),
        within the same workspace's budget (Slack counts every token of an app in a workspace)."""
        return SlackApi.connect(token, self.client.base_url, budget=self.budget, team_id=self.client.team_id)

    async def identity(self) -> dict:
        """`auth.test`: who the token is (team_id, user_id, bot_id). The workspace it names is the
        budget's from now on, when nobody said which it was."""
        identity = response_data(await self.client.auth_test())
        if not self.client.team_id:
            self.client.team_id = str(identity.get("team_id") or "")
        return identity

    # -- reading the workspace ----------------------------------------------------------------

    async def _pages(self, method: str, key: str, **params: object) -> AsyncIterator[Any]:
        cursor = ""
        limit = self.budget.page_size(method, PAGE_SIZE)
        while True:
            response = await self.client.api_call(
                method, http_verb="GET", params={**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
            )
            for item in response.get(key) or []:
                yield item
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or ""
            if not cursor:
                return

    async def accounts(self, team_id: str) -> list[Account]:
        """Every account of the workspace (`users.list`, paged)."""
        accounts, _ = await self.accounts_and_calls(team_id)
        return accounts

    async def accounts_and_calls(self, team_id: str) -> tuple[list[Account], dict[str, str | None]]:
        """Every account of the workspace (`users.list`, paged), and the call each is in as its
        profile says (`huddle_state_call_id`; None: in none): the same pages, no call more."""
        accounts: list[Account] = []
        calls: dict[str, str | None] = {}
        async for user in self._pages("users.list", "members"):
            account = account_from_user(user, team_id)
            accounts.append(account)
            if not account.is_bot:
                calls[account.id] = huddle_state(user)
        return accounts, calls

    async def message_at(self, channel: str, ts: str) -> dict | None:
        """The message `ts` of a conversation as it is now (`conversations.history`, one message):
        how a huddle's root, which Slack keeps editing without telling, is read again."""
        response = await self.client.conversations_history(channel=channel, latest=ts, inclusive=True, limit=1)
        return next((m for m in response.get("messages") or [] if m.get("ts") == ts), None)

    async def account(self, user_id: str, *, team_id: str = "", enterprise_id: str | None = None) -> Account:
        """One account (`users.info`), as workspace `team_id` sees it: how an external member, whom
        `users.list` never lists, is read."""
        user = (await self.client.users_info(user=user_id))["user"]
        return account_from_user(user, team_id, enterprise_id=enterprise_id)

    async def file_info(self, file_id: str) -> dict:
        """A file's metadata (`files.info`): what a Slack Connect event's id-only file is."""
        return dict((await self.client.files_info(file=file_id))["file"])

    async def conversations(self, types: str) -> list[dict]:
        """The conversations of `types` the token can see, archived ones left out (`conversations.list`)."""
        return [c async for c in self._pages("conversations.list", "channels", types=types, exclude_archived=True)]

    async def members(self, channel: str) -> frozenset[str]:
        """A conversation's members (`conversations.members`, paged), Slackbot never among them."""
        return people_members([m async for m in self._pages("conversations.members", "members", channel=channel)])

    async def conversation(self, channel: str, *, team_id: str = "") -> Conversation:
        """A conversation with its members: `conversations.info`, then its members' pages."""
        info = (await self.client.conversations_info(channel=channel))["channel"]
        return await self.with_members(info, team_id=team_id)

    async def with_members(self, info: dict, *, team_id: str = "", owner: str = "") -> Conversation:
        """A listed conversation with its members. A DM's members need no call: `owner` (whose
        token listed it) and the other party named in the listing."""
        kind = conversation_kind(info)
        if kind is ConversationKind.IM and info.get("user") and owner:
            members = frozenset({owner, info["user"]})
        else:
            members = await self.members(info["id"])
        return conversation_from_info(info, members, team_id=team_id)

    async def dm_channel(self, user_id: str) -> str:
        """The app's direct-message channel with an account (`conversations.open`)."""
        return (await self.client.conversations_open(users=user_id))["channel"]["id"]

    async def history(self, channel: str, *, oldest: float, with_metadata: bool = False) -> list[dict]:
        """A conversation's messages since `oldest` (epoch seconds), oldest first
        (`conversations.history`, paged; only a member's token may read it). `with_metadata` asks
        for each message's `metadata` too (Slack leaves it out otherwise)."""
        extra = {"include_all_metadata": "true"} if with_metadata else {}
        pages = self._pages("conversations.history", "messages", channel=channel, oldest=oldest, **extra)
        messages = [m async for m in pages]
        return sorted(messages, key=lambda m: float(m.get("ts") or 0))

    async def replies(self, channel: str, thread_ts: str) -> list[dict]:
        """A thread's messages, its parent first, each with its `metadata` (`conversations.replies`)."""
        pages = self._pages(
            "conversations.replies", "messages", channel=channel, ts=thread_ts, include_all_metadata="true"
        )
        return [m async for m in pages]

    async def find_marked(
        self, channel: str, marker: str, *, oldest: float, thread_ts: str | None = None
    ) -> Posted | None:
        """The app's own message carrying `marker` (see `post`), if it is in the conversation (or in
        the thread `thread_ts`): a retry's way of telling that Slack accepted its post before."""
        if thread_ts:
            messages = await self.replies(channel, thread_ts)
        else:
            messages = await self.history(channel, oldest=oldest, with_metadata=True)
        for message in messages:
            if message.get("bot_id") and marker_of(message) == marker:
                return Posted(channel=channel, ts=str(message["ts"]))
        return None

    async def is_active(self, user_id: str) -> bool:
        """Whether the account is online now (`users.getPresence`)."""
        return (await self.client.users_getPresence(user=user_id)).get("presence") == "active"

    async def permalink(self, channel: str, ts: str) -> str | None:
        try:
            return (await self.client.chat_getPermalink(channel=channel, message_ts=ts)).get("permalink")
        except SlackApiError:
            return None  # a link is a convenience; the message goes out without it

    # -- acting ----------------------------------------------------------------------------------

    async def post(
        self,
        channel: str,
        text: str,
        *,
        blocks: list[dict] | None = None,
        thread_ts: str | None = None,
        marker: str | None = None,
    ) -> Posted:
        """`chat.postMessage`; a user id as `channel` is a direct message from the app. `marker`, a
        key unique to what is posted, goes with the message as its metadata (`MARKER_EVENT`), so that
        a retry finds the message (`find_marked`) instead of posting it twice."""
        metadata = {"event_type": MARKER_EVENT, "event_payload": {"key": marker}} if marker else None
        # slack_sdk leaves out the arguments that are None: no blocks, no thread, no metadata.
        response = await self._posting_client().chat_postMessage(
            channel=channel,
            text=text,
            unfurl_links=False,
            blocks=blocks or None,
            thread_ts=thread_ts or None,
            metadata=metadata,
        )
        return Posted(channel=response["channel"], ts=response["ts"])

    def _posting_client(self) -> AsyncWebClient:
        """The client as it is, but with `posting_retry_handlers` (a client holds no connection of
        its own: slack_sdk opens one per request unless given a session, which is shared)."""
        client = self.client
        return BudgetedClient(
            budget=client.budget,
            team_id=client.team_id,
            token=client.token,
            base_url=client.base_url,
            timeout=client.timeout,
            session=client.session,
            retry_handlers=posting_retry_handlers(),
        )

    async def update(self, channel: str, ts: str, text: str, *, blocks: list[dict] | None = None) -> None:
        await self.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks or [])

    async def invite(self, channel: str, user_id: str) -> str:
        """Invite an account; 'invited', or 'already there' when it was a member already."""
        try:
            await self.client.conversations_invite(channel=channel, users=user_id)
        except SlackApiError as error:
            if error.response.get("error") == "already_in_channel":
                return "already there"
            raise
        return "invited"

    async def download_file(self, file_id: str, *, limit: int) -> bytes:
        """A file's content (`files.info`, then its private URL with the token); ValueError when it is
        larger than `limit` bytes or cannot be fetched."""
        file = (await self.client.files_info(file=file_id))["file"]
        if int(file.get("size") or 0) > limit:
            raise ValueError(f"the file is larger than {limit // 1024} KB")
        url = file.get("url_private_download") or file.get("url_private")
        if not url:
            raise ValueError("Slack gave no address for the file")
        headers = {"Authorization": f"Bearer {self.client.token}"}
        async with aiohttp.ClientSession() as http, http.get(url, headers=headers) as response:
            if response.status != 200:
                raise ValueError(f"Slack answered HTTP {response.status}")
            data = await response.content.read(limit + 1)
        if len(data) > limit:
            raise ValueError(f"the file is larger than {limit // 1024} KB")
        return data

    # -- Enterprise Grid (an org admin's token) ------------------------------------------------

    async def barriers(self) -> list[dict]:
        """The org's information barriers (`admin.barriers.list`, paged)."""
        return [b async for b in self._pages("admin.barriers.list", "barriers")]

    async def group_members(self, usergroup: str) -> frozenset[str]:
        """The accounts in a user group (`usergroups.users.list`)."""
        return frozenset((await self.client.usergroups_users_list(usergroup=usergroup)).get("users") or [])

    async def save_barrier(self, primary: str, barriered_from: list[str], *, barrier_id: str | None) -> None:
        """Create the barrier, or widen the existing one, for DMs, group DMs and calls."""
        subjects = list(RESTRICTED_SUBJECTS)
        if barrier_id:
            await self.client.admin_barriers_update(
                barrier_id=barrier_id,
                primary_usergroup_id=primary,
                barriered_from_usergroup_ids=barriered_from,
                restricted_subjects=subjects,
            )
        else:
            await self.client.admin_barriers_create(
                primary_usergroup_id=primary, barriered_from_usergroup_ids=barriered_from, restricted_subjects=subjects
            )

    async def remove(self, channel: str, user_id: str) -> None:
        """`conversations.kick`: take an account out of a channel."""
        await self.client.conversations_kick(channel=channel, user=user_id)


def response_data(response: AsyncSlackResponse) -> dict[str, Any]:
    """A Web API answer's JSON body (slack_sdk types it as possibly bytes, which only file
    downloads return)."""
    data = response.data
    if not isinstance(data, dict):
        raise TypeError(f"{response.api_url} answered with {type(data).__name__}, not a JSON object")
    return data


def api_error(error: Exception) -> str:
    """Slack's error code, or the exception's type: never a token or a message text."""
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or f"HTTP {error.response.status_code}")
    return type(error).__name__


class PermanentFailure(Exception):
    """A queued action that can never be carried out as given (it names nothing that exists)."""


def is_permanent(error: Exception) -> bool:
    """Errors no retry will cure: Slack saying the thing does not exist or may not be done, and
    payloads missing what they must hold. Outages, rate limits and database hiccups are retried."""
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or "") in PERMANENT_ERRORS
    return isinstance(error, (ValueError, KeyError, TypeError, AttributeError))

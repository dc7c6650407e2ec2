"""OAuth: installing the app in a workspace (its bot token), and connecting a person's account (their
user token, the only way the app can see their DMs). Bolt's OAuth flow runs both at
`GET /slack/install` and `GET /slack/oauth_redirect`, with the project's own tables behind it:
installations and user tokens sealed at rest, and signed one-time states against forged callbacks
(nothing is stored until the browser comes back).
`/slack/install?connect=1` asks only for the user scopes, so that any member can connect in one click
without reinstalling the app."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import timedelta
from logging import Logger

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.oauth import AuthorizeUrlGenerator
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient

import storage
from bot.config import Settings
from handlers.runtime import Runtime
from handlers.scheduled.leased import sweep_lease

log = logging.getLogger(__name__)

#: The bot's scopes, each justified in the README (least privilege); `manifest.yml` lists the same.
BOT_SCOPES = (
    "channels:history",
    "channels:read",
    "channels:manage",
    "groups:history",
    "groups:read",
    "groups:write",
    "im:history",
    "im:read",
    "im:write",
    "mpim:history",
    "mpim:read",
    "chat:write",
    "commands",
    "files:read",
    "files:write",
    "users:read",
    "users:read.email",
)
#: What a connected account grants (DESIGN section 2): reading its DMs, group DMs and the private
#: channels it is in (`groups:history` is what the user event `message.groups` needs), and listing
#: the private conversations it is in.
USER_SCOPES = (
    "im:history",
    "im:read",
    "mpim:history",
    "mpim:read",
    "groups:history",
    "groups:read",
    "channels:read",
    "users:read",
)
#: How long a browser has between opening the install or connect link and approving it in Slack.
STATE_LIFETIME = timedelta(minutes=10)


class ProjectInstallationStore(AsyncInstallationStore):
    """Installations in the project's database: a workspace's bot token in `installations`, a
    connected person's token in `user_tokens` (both sealed with `SAFE_CONTACT_ENCRYPTION_KEY`)."""

    def __init__(self, runtime: Runtime):
        self.runtime = runtime

    @property
    def logger(self) -> Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        runtime, team = self.runtime, installation.team_id or ""
        with runtime.session() as session:
            if installation.bot_token:
                installed = storage.Installed(
                    team_id=team,
                    bot_token=installation.bot_token,
                    bot_user_id=installation.bot_user_id or "",
                    bot_id=installation.bot_id or "",
                    enterprise_id=installation.enterprise_id,
                    bot_scopes=",".join(installation.bot_scopes or []),
                )
                storage.save_installation(
                    installed,
                    installed_by=installation.user_id or "",
                    app_id=installation.app_id or "",
                    seal=runtime.seal,
                    now=runtime.now(),
                    session=session,
                )
            if installation.user_token and installation.user_id:
                storage.save_user_token(
                    team,
                    installation.user_id,
                    installation.user_token,
                    scopes=",".join(installation.user_scopes or []),
                    seal=runtime.seal,
                    now=runtime.now(),
                    session=session,
                )
            # A new or reinstalled workspace, or a new connection: looked at again, by the next
            # process whose sweep timer comes, whoever swept it last.
            storage.due_again(sweep_lease(team), session=session)
        runtime.forget_team(team)
        runtime.swept.discard(team)
        runtime.wake.set()
        log.info(
            "OAuth completed in %s: %s%s",
            team,
            "the app installed" if installation.bot_token else "",
            " an account connected" if installation.user_token else "",
        )

    async def async_find_bot(self, *, enterprise_id, team_id, is_enterprise_install=False) -> Bot | None:
        bound = self.runtime.for_team(team_id or "")
        if bound.team_id != team_id or not bound.api.client.token:
            return None
        return Bot(
            enterprise_id=enterprise_id,
            team_id=team_id,
            bot_token=bound.api.client.token,
            bot_id=bound.bot_id,
            bot_user_id=bound.bot_user_id,
            installed_at=0,
        )

    async def async_find_installation(
        self, *, enterprise_id, team_id, user_id=None, is_enterprise_install=False
    ) -> Installation | None:
        bot = await self.async_find_bot(enterprise_id=enterprise_id, team_id=team_id)
        if bot is None:
            return None
        return Installation(
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id or "",
            bot_token=bot.bot_token,
            bot_id=bot.bot_id,
            bot_user_id=bot.bot_user_id,
        )


class SignedStateStore(AsyncOAuthStateStore):
    """OAuth states that cost nothing until the browser comes back: a state is its expiry and a
    random nonce, signed with the app's client secret (HMAC-SHA256), so an anonymous
    `GET /slack/install` writes nothing. Coming back, the signature and the expiry are checked
    (Bolt has already checked the state cookie that binds it to the browser), then the state is
    used once in the database, so that any process can finish a flow and none twice."""

    def __init__(self, runtime: Runtime, secret: str):
        self.runtime = runtime
        self._key = hashlib.sha256(b"safe-contact oauth state\0" + secret.encode()).digest()

    @property
    def logger(self) -> Logger:
        return log

    async def async_issue(self, *args, **kwargs) -> str:
        expires = int((self.runtime.now() + STATE_LIFETIME).timestamp())
        unsigned = f"{expires}.{secrets.token_urlsafe(24)}"
        return f"{unsigned}.{self._signature(unsigned)}"

    async def async_consume(self, state: str) -> bool:
        if not self.genuine(state):
            return False
        with self.runtime.session() as session:
            return storage.use_once("oauth:" + state, now=self.runtime.now(), lifetime=STATE_LIFETIME, session=session)

    def genuine(self, state: str) -> bool:
        """Issued by this deployment (its signature) and not expired."""
        unsigned, _, signature = (state or "").rpartition(".")
        expires, _, nonce = unsigned.partition(".")
        if not (expires.isascii() and expires.isdigit() and nonce and len(expires) <= 12):
            return False
        if not hmac.compare_digest(signature, self._signature(unsigned)):
            return False
        return self.runtime.now().timestamp() <= int(expires)

    def _signature(self, unsigned: str) -> str:
        return hmac.new(self._key, unsigned.encode(), hashlib.sha256).hexdigest()


class ConnectingOAuthFlow(AsyncOAuthFlow):
    """Bolt's flow, with a second door: `?connect=1` asks a member for the user scopes only."""

    async def build_authorize_url(self, state: str, request: AsyncBoltRequest) -> str:
        if "connect" not in request.query:
            return await super().build_authorize_url(state, request)
        teams = request.query.get("team")
        generator = AuthorizeUrlGenerator(
            client_id=self.settings.client_id,
            scopes=[],
            user_scopes=list(USER_SCOPES),
            authorization_url=self.settings.authorization_url,
        )
        return generator.generate(state=state, team=teams[0] if teams else None)


def oauth_flow(settings: Settings, runtime: Runtime, client: AsyncWebClient) -> ConnectingOAuthFlow:
    """The install-and-connect flow; `oauth.v2.access` goes to `SLACK_API_URL` through `client`."""
    return ConnectingOAuthFlow(
        client=client,
        settings=AsyncOAuthSettings(
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            scopes=list(BOT_SCOPES),
            user_scopes=list(USER_SCOPES),
            authorization_url=settings.authorize_url,
            installation_store=ProjectInstallationStore(runtime),
            installation_store_bot_only=True,
            state_store=SignedStateStore(runtime, settings.client_secret),
            state_expiration_seconds=int(STATE_LIFETIME.total_seconds()),
            install_page_rendering_enabled=False,
        ),
    )


class WorkspaceAuthorize(AsyncAuthorize):
    """Bolt's authorization for each request: the workspace's bot from memory (no Web API call)."""

    def __init__(self, runtime: Runtime):
        super().__init__()
        self.runtime = runtime

    async def __call__(
        self,
        *,
        context: AsyncBoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        actor_enterprise_id: str | None = None,
        actor_team_id: str | None = None,
        actor_user_id: str | None = None,
    ) -> AuthorizeResult | None:
        bound = self.runtime.for_team(team_id or "")
        if not bound.api.client.token or (team_id and bound.team_id and bound.team_id != team_id):
            return None  # a workspace the app is not installed in
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=bound.team_id or team_id,
            bot_token=bound.api.client.token,
            bot_user_id=bound.bot_user_id or None,
            bot_id=bound.bot_id or None,
        )

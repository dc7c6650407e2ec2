"""What Slack makes of the mrkdwn an app sends: whom it notifies and the links it shows.

Slack reads `&`, `<` and `>` as control characters: `<@U1>` mentions a person, `<!channel>`,
`<!here>`, `<!everyone>` (and `<!group>`, a synonym of channel) notify a whole conversation,
`<!subteam^S1>` a user group, `<#C1>` names a channel, `<!date^…|fallback>` is a date, and any
other `<target>` or `<target|label>` is a link showing its label. What is escaped (`&lt;!channel&gt;`)
is shown as written and does nothing. A message's `text` and its blocks' `mrkdwn` text objects are
read so; `plain_text` objects (headers, labels, buttons) are shown literally, whatever they hold.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

#: A control sequence: `<`, anything but `<` and `>`, `>`.
_CONTROL = re.compile(r"<([^<>]*)>")
#: What `<!name>` notifies: the whole conversation (channel, group, everyone) or those online (here).
BROADCASTS = {"channel": "channel", "group": "channel", "here": "here", "everyone": "everyone"}
#: The methods whose arguments hold text Slack shows, and the key that holds it.
SHOWN_BY = {
    "chat.postMessage": "",
    "chat.postEphemeral": "",
    "chat.update": "",
    "chat.scheduleMessage": "",
    "views.open": "view",
    "views.push": "view",
    "views.update": "view",
    "views.publish": "view",
    "files.completeUploadExternal": "",
    "response_url": "",
    #: A command's or an interaction's answer, shown to the person who asked.
    "answer": "",
}


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    label: str

    @property
    def disguised(self) -> bool:
        """A link whose label says something other than where it leads."""
        return bool(self.label) and self.label.strip().rstrip("/") != self.url.rstrip("/")


@dataclass(frozen=True, slots=True)
class Shown:
    """One message or view as Slack shows it: whom it notifies and which links it shows."""

    method: str
    channel: str
    broadcasts: tuple[str, ...] = ()
    users: tuple[str, ...] = ()
    usergroups: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()

    @property
    def notifies_everyone(self) -> bool:
        return bool(self.broadcasts or self.usergroups)


def read(method: str, params: dict) -> Shown | None:
    """What Slack makes of a call's text (None for a method that shows none)."""
    if method not in SHOWN_BY:
        return None
    key = SHOWN_BY[method]
    payload = params.get(key) if key else params
    if not isinstance(payload, dict):
        return None
    texts = list(mrkdwn_texts(payload))
    if method == "files.completeUploadExternal" and isinstance(params.get("initial_comment"), str):
        texts.append(params["initial_comment"])
    broadcasts: list[str] = []
    users: list[str] = []
    groups: list[str] = []
    links: list[Link] = []
    for text in texts:
        for inside in _CONTROL.findall(text):
            target, _, label = inside.partition("|")
            if target.startswith("@"):
                users.append(target[1:])
            elif target.startswith("!subteam^"):
                groups.append(target.removeprefix("!subteam^"))
            elif target.startswith("!"):
                if target[1:] in BROADCASTS:
                    broadcasts.append(BROADCASTS[target[1:]])
            elif not target.startswith("#"):
                links.append(Link(target, label))
    channel = str(params.get("channel") or params.get("channel_id") or params.get("user_id") or "")
    return Shown(method, channel, tuple(broadcasts), tuple(users), tuple(groups), tuple(links))


def mrkdwn_texts(payload: object, *, top: bool = True) -> Iterator[str]:
    """Every text Slack reads as mrkdwn in a message or view: the message's `text` (unless it
    says `"mrkdwn": false`) and every `mrkdwn` text object in its blocks, however deep."""
    if isinstance(payload, dict):
        if top and isinstance(payload.get("text"), str) and payload.get("mrkdwn", True) is not False:
            yield payload["text"]
        if payload.get("type") == "mrkdwn" and isinstance(payload.get("text"), str):
            yield payload["text"]
        for value in payload.values():
            yield from mrkdwn_texts(value, top=False)
    elif isinstance(payload, list):
        for item in payload:
            yield from mrkdwn_texts(item, top=False)

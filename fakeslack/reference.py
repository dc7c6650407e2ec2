"""Checks against Slack's method reference (one JSON file per Web API method): that a call names a
real method with its required arguments, and that the scopes an app was granted allow it."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

#: Arguments a client library supplies itself rather than the caller.
_SUPPLIED_BY_THE_CLIENT = frozenset({"token"})


def find_reference_dir() -> Path | None:
    """`slack-reference/methods` in the `shared` folder beside the project, when it is there."""
    project = Path(__file__).resolve().parent.parent
    candidate = project.parent / "shared" / "slack-reference" / "methods"
    return candidate if candidate.is_dir() else None


@cache
def method_reference(method: str, reference_dir: Path) -> dict | None:
    path = reference_dir / f"{method}.json"
    return json.loads(path.read_text()) if path.is_file() else None


def check_call(method: str, params: dict, reference_dir: Path) -> list[str]:
    """What is wrong with a call, by Slack's reference: an unknown method or a missing argument."""
    reference = method_reference(method, reference_dir)
    if reference is None:
        return [f"{method}: not a Web API method"]
    required = set((reference.get("args") or {}).get("required") or []) - _SUPPLIED_BY_THE_CLIENT
    return [f"{method}: required argument {name!r} missing" for name in sorted(required) if name not in params]


def scope_problems(call, granted: dict[str, tuple[str, ...]], reference_dir: Path) -> list[str]:
    """A call its token's granted scopes (`granted["bot"]`, `granted["user"]`) would not allow: the
    method wants one of its scopes for that kind of token, and none was granted."""
    reference = method_reference(call.method, reference_dir) or {}
    kind = "bot" if (call.token or "").startswith("xoxb-") else "user"
    needed = set((reference.get("scope") or {}).get(kind) or [])
    if not needed or needed & set(granted[kind]) or reference.get("no_scope_required"):
        return []
    return [f"{call.method} with a {kind} token needs one of {sorted(needed)}"]

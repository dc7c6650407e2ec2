"""Enterprise Grid's Web API methods in the fake: information barriers (an org admin's token) and
the identity-provider user groups they keep apart."""

from __future__ import annotations

from fakeslack.web_api import Caller, method, page
from fakeslack.workspace import SlackError, Workspace


def _org_admin(caller: Caller) -> None:
    if not caller.is_org_admin:
        raise SlackError("not_an_admin")


def _barrier(workspace: Workspace, params: dict, barrier_id: str) -> dict:
    subjects = params.get("restricted_subjects")
    subjects = subjects.split(",") if isinstance(subjects, str) else list(subjects or [])
    if sorted(subjects) != ["call", "im", "mpim"]:
        raise SlackError("invalid_restricted_subjects")
    primary = params["primary_usergroup_id"]
    others = params["barriered_from_usergroup_ids"]
    others = others.split(",") if isinstance(others, str) else list(others)
    if primary not in workspace.usergroups:
        raise SlackError("primary_usergroup_not_found")
    if any(o not in workspace.usergroups for o in others):
        raise SlackError("barriered_from_usergroups_not_found")

    def group(group_id: str) -> dict:
        return {"id": group_id, "name": workspace.usergroups[group_id]["name"]}

    return {
        "id": barrier_id,
        "enterprise_id": workspace.installation.enterprise_id or "E0FAKEORG1",
        "primary_usergroup": group(primary),
        "barriered_from_usergroups": [group(o) for o in others],
        "restricted_subjects": subjects,
        "date_update": 1751812200,
    }


@method("admin.barriers.list")
def admin_barriers_list(workspace: Workspace, caller: Caller, params: dict) -> dict:
    _org_admin(caller)
    return page(list(workspace.barriers.values()), params, key="barriers")


@method("admin.barriers.create", required=("primary_usergroup_id", "barriered_from_usergroup_ids"))
def admin_barriers_create(workspace: Workspace, caller: Caller, params: dict) -> dict:
    _org_admin(caller)
    if any(b["primary_usergroup"]["id"] == params["primary_usergroup_id"] for b in workspace.barriers.values()):
        raise SlackError("barrier_already_exists")
    barrier = _barrier(workspace, params, workspace.new_id("Ba"))
    workspace.barriers[barrier["id"]] = barrier
    return {"barrier": barrier}


@method("admin.barriers.update", required=("barrier_id", "primary_usergroup_id", "barriered_from_usergroup_ids"))
def admin_barriers_update(workspace: Workspace, caller: Caller, params: dict) -> dict:
    _org_admin(caller)
    if params["barrier_id"] not in workspace.barriers:
        raise SlackError("barrier_not_found")
    barrier = _barrier(workspace, params, params["barrier_id"])
    workspace.barriers[barrier["id"]] = barrier
    return {"barrier": barrier}


@method("usergroups.users.list", required=("usergroup",))
def usergroups_users_list(workspace: Workspace, caller: Caller, params: dict) -> dict:
    group = workspace.usergroups.get(params["usergroup"])
    if group is None:
        raise SlackError("no_such_subteam")
    return {"users": list(group["users"])}

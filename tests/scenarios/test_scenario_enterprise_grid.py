"""In a workspace of an Enterprise Grid org, where every envelope, authorization and payload names
the org (and, installed at org level, no workspace in its authorization), the app watches and
answers as in any other workspace."""

from __future__ import annotations

import pytest
from builders import ADMIN1, GENERAL, SESSION, STAFF1, STRANGER

ORG = "E0FAKEORG1"


@pytest.mark.parametrize("org_level", [False, True], ids=["workspace-install", "org-level-install"])
async def test_in_a_grid_workspace_the_app_watches_and_answers_as_anywhere(started, org_level):
    world = await started(enterprise_id=ORG, is_enterprise_install=org_level)
    await world.slack.user_joins(STRANGER, GENERAL)
    await world.slack.user_says(STAFF1, GENERAL, "text me at (617) 555-0142 if you get stuck")
    await world.settle()
    assert len(world.alerts_for("unauthorized-member")) == 1
    assert len(world.alerts_for("off-platform-contact")) == 1
    status, _ = await world.slack.slash_command(
        "/minors-status", text=f"<#{SESSION}>", user_id=ADMIN1, channel_id=SESSION
    )
    await world.app.runtime.followups.wait()  # the answer follows through the response_url
    [answer] = world.slack.responses_to(world.slack.deliveries[-1])
    assert status == 200 and "Program adults present: 2" in str(answer)

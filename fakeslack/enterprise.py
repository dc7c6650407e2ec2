"""Where the app is installed, as Slack shows it in everything it sends: a workspace on its own, a
workspace of an Enterprise Grid org, or the whole org (an org-level install). The shapes are those
of Slack's Events API reference and of payloads Slack has sent:

- outside Grid an event's envelope has no `enterprise_id`, and `context_enterprise_id` is null;
- in a Grid org `enterprise_id` and `context_enterprise_id` name the org;
- an org-level install has no workspace in its authorization (`team_id` null, as is
  `context_team_id`) and says `is_enterprise_install: true`; the envelope's `team_id` is still the
  workspace where the event happened."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Installation:
    team_id: str
    #: The Enterprise Grid org the workspace belongs to; None outside Grid.
    enterprise_id: str | None = None
    enterprise_name: str = "Fake Org"
    #: Installed at org level (for every workspace of the org) rather than in one workspace.
    org_level: bool = False

    def authorization(self, user_id: str, *, is_bot: bool) -> dict:
        """One entry of an event's `authorizations`, exactly the fields the Events API shows."""
        return {
            "enterprise_id": self.enterprise_id,
            "team_id": None if self.org_level else self.team_id,
            "user_id": user_id,
            "is_bot": is_bot,
            "is_enterprise_install": self.org_level,
        }

    def envelope_context(self) -> dict:
        """The envelope's fields that say where the event happened and through which install."""
        context: dict = {"team_id": self.team_id}
        if self.enterprise_id:
            context["enterprise_id"] = self.enterprise_id
        context["context_team_id"] = None if self.org_level else self.team_id
        context["context_enterprise_id"] = self.enterprise_id
        return context

    def enterprise(self) -> dict | None:
        """The `enterprise` object of interaction payloads and OAuth answers."""
        return {"id": self.enterprise_id, "name": self.enterprise_name} if self.enterprise_id else None

    def interaction_context(self) -> dict:
        """Button presses, shortcuts and view submissions."""
        return {"enterprise": self.enterprise(), "is_enterprise_install": self.org_level}

    def command_context(self) -> dict:
        """A slash command's form fields (every value a string)."""
        fields = {"is_enterprise_install": str(self.org_level).lower()}
        if self.enterprise_id:
            fields.update(enterprise_id=self.enterprise_id, enterprise_name=self.enterprise_name)
        return fields

    def team_fields(self) -> dict:
        """What `team.info` adds in a Grid org."""
        return (
            {"enterprise_id": self.enterprise_id, "enterprise_name": self.enterprise_name} if self.enterprise_id else {}
        )

    def identity(self) -> dict:
        """What `auth.test` adds: the org, where there is one, and whether the install is org-wide."""
        fields: dict = {"is_enterprise_install": self.org_level}
        if self.enterprise_id:
            fields["enterprise_id"] = self.enterprise_id
        return fields

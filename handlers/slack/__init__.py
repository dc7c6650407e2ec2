"""Slack's side of the boundary: the Web API client, Slack JSON to `bot.model`, Block Kit builders
and views."""

"""Slack I/O: the only code that speaks to Slack. The Bolt app, its listeners and the worker arrive
with live monitoring; until then this package is empty on purpose."""

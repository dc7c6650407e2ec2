"""The domain, pure Python: people, programs, the rules and what follows from them. No Slack SDK, no
database."""

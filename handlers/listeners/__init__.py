"""What answers while Slack waits: storing events, slash commands, interactivity, OAuth."""

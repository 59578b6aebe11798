"""Wiring: configuration, database, Slack app factory, scheduler and the `crm-bot` CLI."""

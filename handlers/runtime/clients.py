"""Web API clients for the few Slack calls a listener makes before its ack."""

from __future__ import annotations

from slack_sdk import WebClient


def quick_client(client: WebClient, timeout: float) -> WebClient:
    """A client like `client` whose calls give up after `timeout` seconds: for the Slack calls a
    listener must make before its ack (a first-sight profile, the admin check, a permalink)."""
    return WebClient(token=client.token, base_url=client.base_url, timeout=timeout)

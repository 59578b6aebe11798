"""manifest.yml is a valid Slack app manifest and declares exactly what the app registers."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml
from slack_bolt import App
from sqlalchemy import create_engine

from bot.app import create_app
from bot.config import Settings
from crm.models import PLATFORMS
from crm.profiles import on_platform
from handlers.commands.dispatch import SUBCOMMANDS
from handlers.ids import COMMAND, Event, Shortcut
from tests.shared_files import shared_file
from tests.slack.listeners import registered

REPO = Path(__file__).resolve().parents[1]
MANIFEST = REPO / "manifest.yml"


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load(MANIFEST.read_text())


@pytest.fixture(scope="module")
def app() -> App:
    settings = Settings(slack_bot_token="xoxb-manifest-test", slack_signing_secret="s")
    # never connected: the test only reads which listeners are registered
    engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    return create_app(settings, engine=engine)


def test_manifest_validates_against_slacks_schema(manifest):
    # ../shared/slack/: skipped when absent, except in CI (tests/shared_files.py)
    schema = json.loads(shared_file("slack", "manifest.schema.1.0.0.json").read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(manifest), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_commands_match(manifest, app):
    declared = {c["command"] for c in manifest["features"]["slash_commands"]}
    assert declared == {COMMAND} == registered(app)["command"]


def test_the_usage_hint_names_every_subcommand_in_the_helps_order(manifest):
    (crm,) = manifest["features"]["slash_commands"]
    first_words = list(dict.fromkeys(name.split(" ", 1)[0] for name in SUBCOMMANDS))
    assert crm["usage_hint"].split(" | ") == [*first_words, "help"]


def test_shortcuts_match(manifest, app):
    shortcuts = manifest["features"].get("shortcuts", [])
    declared_message = {s["callback_id"] for s in shortcuts if s["type"] == "message"}
    declared_global = {s["callback_id"] for s in shortcuts if s["type"] == "global"}
    found = registered(app)
    assert declared_message == {s.value for s in Shortcut}
    # a shortcut registered with app.shortcut() (any type) counts for either kind
    assert declared_message == found["message_shortcut"] | (found["shortcut"] - declared_global)
    assert declared_global == found["global_shortcut"] | (found["shortcut"] - declared_message)


def test_events_match(manifest, app):
    declared = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    # A `message.<channel type>` subscription delivers events of type "message"; only DMs are read.
    assert {e for e in declared if e.startswith("message")} <= {"message.im"}
    as_types = {e.split(".")[0] for e in declared}
    assert as_types == {e.value for e in Event} == registered(app)["event"]


def test_each_event_has_the_scopes_it_needs(manifest):
    declared = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    needs = {"link_shared": {"links:read", "links:write"}, "message.im": {"im:history", "files:read"}}
    for event, needed in needs.items():
        assert event not in declared or needed <= scopes, (event, needed - scopes)
    # A file can only be shared in the bot's DM when users may write there.
    assert manifest["features"]["app_home"]["messages_tab_read_only_enabled"] is False


def test_unfurl_domains_are_hosts_of_profiles_the_app_knows(manifest):
    """Each domain Slack sends link_shared for is the host of a platform's profile links (so its
    links can match a creator); a host the identity rules do not know would unfurl nothing."""
    domains = manifest["features"]["unfurl_domains"]
    hosts = set()
    for platform in PLATFORMS:
        url = on_platform("maya", platform).url
        if url:
            hosts.add(urlsplit(url).hostname.removeprefix("www."))
    assert domains and set(domains) <= hosts, set(domains) - hosts


def test_socket_mode_and_interactivity_are_on(manifest):
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert "users:read.email" not in manifest["oauth_config"]["scopes"]["bot"]

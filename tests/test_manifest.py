"""manifest.yml is a valid Slack app manifest and declares exactly what the app registers."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from slack_bolt import App
from sqlalchemy import create_engine

from bot.app import create_app
from bot.config import Settings
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
    assert declared == {e.value for e in Event} == registered(app)["event"]


def test_socket_mode_and_interactivity_are_on(manifest):
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert "users:read.email" not in manifest["oauth_config"]["scopes"]["bot"]

"""bot/config.py: every missing or malformed setting is a ConfigError that names its variable."""

from __future__ import annotations

from pathlib import Path

import pytest
from dotenv import dotenv_values

from bot.config import DEFAULT_SLACK_API_URL, EXAMPLE_VALUES, ConfigError, Settings

REPO = Path(__file__).resolve().parents[1]
SECRET = "8f742231b10e8888abcd99eeefff85a5"
ISSUE_VARIABLES = {
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "DATABASE_URL",
    "CRM_ADMIN_USER_IDS",
    "CRM_ADMIN_CHANNEL",
    "CRM_TIMEZONE",
    "PORT",
    "HOST",
    "LOG_LEVEL",
}


def test_defaults_from_an_empty_environment():
    settings = Settings.from_env({})
    assert settings.slack_api_url == DEFAULT_SLACK_API_URL
    assert (settings.timezone, settings.port, settings.log_level) == ("UTC", 3000, "INFO")
    assert (settings.host, settings.bind_address) == ("0.0.0.0", "0.0.0.0:3000")
    assert settings.database_url is None and settings.admin_user_ids == frozenset()
    assert not settings.socket_mode


def test_values_are_parsed_and_normalised():
    settings = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": " xoxb-1-2-abc ",
            "SLACK_APP_TOKEN": "xapp-1-A1-xyz",
            "SLACK_API_URL": "http://127.0.0.1:9999/api",
            "DATABASE_URL": "postgres://crm:pw@db:5432/crm",
            "CRM_ADMIN_USER_IDS": "U0123ABCD, W0456EFGH,,",
            "CRM_TIMEZONE": "Europe/Berlin",
            "PORT": "8080",
            "HOST": "127.0.0.1",
            "LOG_LEVEL": "debug",
        }
    )
    assert settings.bind_address == "127.0.0.1:8080"
    assert settings.slack_bot_token == "xoxb-1-2-abc"
    assert settings.slack_api_url == "http://127.0.0.1:9999/api/"
    assert settings.admin_user_ids == frozenset({"U0123ABCD", "W0456EFGH"})
    assert (settings.port, settings.log_level, settings.tz.key) == (8080, "DEBUG", "Europe/Berlin")
    assert settings.socket_mode


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CRM_TIMEZONE", "Mars/Olympus_Mons"),
        ("CRM_TIMEZONE", "../../etc/passwd"),
        ("PORT", "http"),
        ("PORT", "0"),
        ("PORT", "65536"),
        ("PORT", "-1"),
        ("LOG_LEVEL", "LOUD"),
        ("DATABASE_URL", "mysql://crm@db/crm"),
        ("SLACK_API_URL", "slack.com/api"),
        ("SLACK_BOT_TOKEN", "xoxp-a-user-token"),
        ("SLACK_APP_TOKEN", "xoxb-not-an-app-token"),
        ("SLACK_BOT_TOKEN", "xoxb-123 456"),
        ("SLACK_BOT_TOKEN", "xoxb-1-2-abc\"'"),
        ("SLACK_BOT_TOKEN", "Bearer xoxb-1-2-abc"),
        ("SLACK_SIGNING_SECRET", "not-hex-at-all"),
        ("SLACK_SIGNING_SECRET", SECRET[:-1]),
        ("SLACK_SIGNING_SECRET", SECRET + "0"),
        ("HOST", "0.0.0.0:3000"),
        ("HOST", "my host"),
        ("HOST", "http://example.com"),
        ("CRM_ADMIN_USER_IDS", "alice,bob"),
        ("CRM_ADMIN_USER_IDS", "U123;U456"),
    ],
)
def test_malformed_setting_names_its_variable(variable, value):
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({variable: value})
    assert variable in str(raised.value)
    assert "\n" not in str(raised.value)  # one clear line


def test_require_slack_names_what_is_missing():
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN"):
        Settings.from_env({"SLACK_SIGNING_SECRET": SECRET}).require_slack()
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET"):
        Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1"}).require_slack()
    # Socket Mode needs no signing secret; HTTP mode with one is complete
    Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}).require_slack()
    Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": SECRET}).require_slack()


@pytest.mark.parametrize("variable", sorted(EXAMPLE_VALUES))
def test_the_example_value_from_env_example_is_refused_naming_the_variable(variable):
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({variable: EXAMPLE_VALUES[variable]})
    message = str(raised.value)
    assert message.startswith(f"{variable} still holds the example value from .env.example — paste your ")
    assert "\n" not in message


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SLACK_BOT_TOKEN", "xoxb-xxxx-xxxx-xxxxxxxx"),
        ("SLACK_BOT_TOKEN", "xoxb-paste-yours"),
        ("SLACK_BOT_TOKEN", "xoxb-..."),
        ("SLACK_APP_TOKEN", "xapp-<your-token>"),
        ("SLACK_SIGNING_SECRET", "your-secret-here"),
        ("SLACK_SIGNING_SECRET", "changeme"),
    ],
)
def test_placeholders_are_refused_without_echoing_the_value(variable, value):
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({variable: value})
    message = str(raised.value)
    assert message.startswith(f"{variable} holds a placeholder") and value not in message


def test_real_looking_values_are_accepted_even_with_chance_letters():
    settings = Settings.from_env(
        {
            # a random part may contain "xxx" or "your" by chance: only whole placeholder words count
            "SLACK_BOT_TOKEN": "xoxb-17653672481-19874698323-pdFZKVeTuE8skxxx7oOyourg",
            "SLACK_APP_TOKEN": "xapp-1-A0123ABC-7182818284-0a1b2c3d4e5f",
            "SLACK_SIGNING_SECRET": SECRET.upper(),
        }
    )
    assert settings.slack_bot_token.endswith("oOyourg") and settings.socket_mode


def test_commands_without_slack_ignore_the_slack_settings():
    """`migrate`, `demo-data` and `try` run with a .env that still holds the placeholders."""
    settings = Settings.from_env(dict(EXAMPLE_VALUES), with_slack=False)
    assert (settings.slack_bot_token, settings.slack_app_token, settings.slack_signing_secret) == (None,) * 3


def test_ipv6_host_is_bracketed_for_the_bind_address():
    assert Settings.from_env({"HOST": "::", "PORT": "8080"}).bind_address == "[::]:8080"
    assert Settings.from_env({"HOST": "[::1]"}).bind_address == "[::1]:3000"


def test_dot_env_is_read_and_the_environment_wins(monkeypatch, tmp_path):
    for name in ISSUE_VARIABLES | {"CRM_DATA_DIR"}:
        monkeypatch.delenv(name, raising=False)  # also undoes what load_dotenv sets
    (tmp_path / ".env").write_text("PORT=4000\nCRM_TIMEZONE=Asia/Tokyo\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PORT", "5000")

    settings = Settings.from_env()

    assert (settings.port, settings.timezone) == (5000, "Asia/Tokyo")


def test_env_example_documents_every_variable_and_parses():
    values = dotenv_values(REPO / ".env.example")
    assert set(values) >= ISSUE_VARIABLES
    text = (REPO / ".env.example").read_text()
    for name in ISSUE_VARIABLES:  # each variable has a comment right above it
        before = text.split(f"\n{name}=")[0].rstrip().splitlines()[-1]
        assert before.startswith("#"), name
    # The app token is empty (HTTP mode needs it empty); the bot token's placeholder is refused as such.
    assert values["SLACK_APP_TOKEN"] == "" and values["SLACK_BOT_TOKEN"] == EXAMPLE_VALUES["SLACK_BOT_TOKEN"]
    with pytest.raises(ConfigError, match=r"^SLACK_BOT_TOKEN still holds the example value"):
        Settings.from_env({k: v or "" for k, v in values.items()})
    filled = {k: v or "" for k, v in values.items()} | {"SLACK_BOT_TOKEN": "xoxb-1-2-abc"}
    assert not Settings.from_env(filled).socket_mode

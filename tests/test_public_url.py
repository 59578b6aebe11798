"""CRM_PUBLIC_URL and CRM_CLICK_RETENTION_DAYS: accepted forms, and errors that name the variable."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, Settings


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("https://crm.example.com", "https://crm.example.com"),
        ("https://crm.example.com/", "https://crm.example.com"),
        ("https://example.com/crm/", "https://example.com/crm"),  # behind a proxy's path prefix
        ("http://localhost:3000", "http://localhost:3000"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
        ("http://192.168.1.20:3000", "http://192.168.1.20:3000"),  # a phone on the LAN scans the QR
        ("http://crm.localhost", "http://crm.localhost"),
    ],
)
def test_public_url_accepted(given, stored):
    assert Settings.from_env({"CRM_PUBLIC_URL": given}).public_url == stored


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("http://crm.example.com", "uses plain http"),
        ("http://8.8.8.8", "uses plain http"),
        ("crm.example.com", "must be the https address"),
        ("ftp://crm.example.com", "must be the https address"),
        ("https://", "must be the https address"),
        ("https://crm.example.com:99999", "must be the https address"),
        ("https://crm.example.com/?a=1", "no query"),
        ("https://user:pw@crm.example.com", "no query"),
        ("https://crm.example.com/#x", "no query"),
    ],
)
def test_public_url_refused_naming_the_variable(given, says):
    with pytest.raises(ConfigError, match=r"^CRM_PUBLIC_URL=") as refused:
        Settings.from_env({"CRM_PUBLIC_URL": given})
    assert says in str(refused.value)


def test_unset_public_url_means_no_short_links():
    settings = Settings.from_env({})
    assert settings.public_url is None and settings.click_retention_days == 90


@pytest.mark.parametrize("given", ["6", "0", "-5", "3651", "ninety", "9.5", "٩٠"])
def test_retention_days_refused_out_of_range(given):
    with pytest.raises(ConfigError, match=r"^CRM_CLICK_RETENTION_DAYS=.*from 7 to 3650"):
        Settings.from_env({"CRM_CLICK_RETENTION_DAYS": given})


def test_retention_days_read():
    assert Settings.from_env({"CRM_CLICK_RETENTION_DAYS": "30"}).click_retention_days == 30

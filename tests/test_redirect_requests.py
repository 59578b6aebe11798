"""How bot/redirects.py reads a request: preview bots and prefetches, client class, referrer host,
and which paths carry a code (pure functions over the WSGI environ)."""

from __future__ import annotations

import pytest

from bot.redirects import client_class, is_prefetch_or_preview, link_code, referrer_host


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36",
            "mobile",
        ),
        ("Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148", "mobile"),
        ("Instagram 300.0 (iPhone14,2; iOS 17_0; en_US) AppleWebKit/420+", "mobile"),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 Safari/605.1.15", "desktop"),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", "desktop"),
        ("", "other"),
        ("python-requests/2.31", "other"),
    ],
)
def test_client_class(agent, expected):
    assert client_class(agent) == expected


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_USER_AGENT": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"},
        {"HTTP_USER_AGENT": "facebookexternalhit/1.1"},
        {"HTTP_USER_AGENT": "Twitterbot/1.0"},
        {"HTTP_USER_AGENT": "WhatsApp/2.23.20.0 A"},
        {"HTTP_USER_AGENT": "TelegramBot (like TwitterBot)"},
        {"HTTP_USER_AGENT": "Mozilla/5.0 (compatible; Discordbot/2.0)"},
        {"HTTP_USER_AGENT": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"},
        {"HTTP_USER_AGENT": "Mozilla/5.0 (iPhone) Mobile", "HTTP_PURPOSE": "prefetch"},
        {"HTTP_USER_AGENT": "Mozilla/5.0 (Windows NT 10.0)", "HTTP_SEC_PURPOSE": "prefetch;prerender"},
    ],
)
def test_previews_and_prefetches_are_not_people(headers):
    assert is_prefetch_or_preview(headers)


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148",
        "Mozilla/5.0 (Linux; Android 13; CUBOT_X30) Mobile",  # "bot" inside a phone's name
        "",
    ],
)
def test_people_are_counted(agent):
    assert not is_prefetch_or_preview({"HTTP_USER_AGENT": agent})


@pytest.mark.parametrize(
    ("referer", "host"),
    [
        ("https://l.instagram.com/?u=https%3A%2F%2Fx&e=secret", "l.instagram.com"),
        ("https://WWW.TikTok.com./@maya", "www.tiktok.com"),
        ("http://[::1]:8080/", None),
        ("android-app://com.google.android.gm/", None),
        ("javascript:alert(1)", None),
        ("https://exa mple.com/", None),
        ("", None),
        (None, None),
    ],
)
def test_referrer_host_only(referer, host):
    assert referrer_host(referer) == host


@pytest.mark.parametrize(
    ("path", "raw", "code"),
    [
        ("/l/Ab3dE7kQ", "/l/Ab3dE7kQ", "Ab3dE7kQ"),
        ("/l/Ab3dE7kQ", "/l/Ab3dE7kQ?fbclid=x", "Ab3dE7kQ"),
        ("/l/Ab3dE7kQ", None, "Ab3dE7kQ"),  # a server without RAW_URI: the decoded path is checked
        ("/l/Ab3dE7kQ", "/l/%41b3dE7kQ", None),  # percent-encoded
        ("/l/Ab3dE7kQ/", "/l/Ab3dE7kQ/", None),
        ("/l/Ab3", "/l/Ab3", None),
        ("/l/" + "A" * 17, "/l/" + "A" * 17, None),
    ],
)
def test_link_code(path, raw, code):
    environ = {"PATH_INFO": path} | ({"RAW_URI": raw} if raw is not None else {})
    assert link_code(environ) == code

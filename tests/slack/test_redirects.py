"""GET/HEAD /l/<code> through a real HTTP server in front of bot/wsgi.py, against real PostgreSQL.

The server is bot/public_http.py's (what Socket Mode runs; it passes RAW_URI as gunicorn does) in this
process, so every SQL statement the engine runs can be counted; gunicorn itself is exercised end to
end in test_redirects_gunicorn.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from sqlalchemy import Engine, event, func, select, text
from sqlalchemy.orm import Session

from bot.click_buffer import ClickBuffer
from bot.public_http import PublicServer
from bot.redirects import Redirects
from bot.wsgi import create_wsgi_app
from crm.models import LinkClick
from tests.links import assign
from tests.slack.harness import HttpResult, http_request

IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
DESKTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
PREVIEW_BOTS = (
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Twitterbot/1.0",
    "WhatsApp/2.23.20.0 A",
    "TelegramBot (like TwitterBot)",
    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
)


@dataclass
class Links:
    url: str
    engine: Engine
    buffer: ClickBuffer
    statements: list[str]

    def get(self, path: str, method: str = "GET", **headers: str) -> HttpResult:
        return http_request(self.url + path, method, headers=headers)

    def clicks(self) -> list[LinkClick]:
        self.buffer.flush()
        with Session(self.engine) as db:
            return list(db.scalars(select(LinkClick).order_by(LinkClick.id)))


@pytest.fixture
def links(slack_app) -> Iterator[Links]:
    engine = slack_app.engine
    buffer = ClickBuffer(engine, interval=3600)  # flushed by the test (or close()), not by the clock
    wsgi = create_wsgi_app(
        slack_app.app,
        engine,
        signing_secret=slack_app.settings.slack_signing_secret,
        redirects=Redirects(engine, buffer),
    )
    server = PublicServer(wsgi, "127.0.0.1", 0).start()
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield Links(f"http://127.0.0.1:{server.port}", engine, buffer, seen)
    finally:
        event.remove(engine, "before_cursor_execute", record)
        server.stop()
        buffer.close()


def test_get_redirects_to_the_current_utm_link_and_follows_a_landing_page_change(links):
    maya = assign(links.engine)
    first = links.get(f"/l/{maya.short_code}", User_Agent=IPHONE)
    assert first.status == 302
    assert first.headers["location"] == maya.utm_url
    assert first.headers["cache-control"] == "no-store"

    with links.engine.begin() as conn:  # someone edits the campaign's landing page
        conn.execute(text("UPDATE campaigns SET landing_url = 'https://shop.example.com/summer?x=1'"))
    second = links.get(f"/l/{maya.short_code}?fbclid=abc", User_Agent=IPHONE)
    assert second.status == 302
    assert second.headers["location"] == (
        "https://shop.example.com/summer?x=1&utm_source=instagram&utm_medium=influencer"
        "&utm_campaign=spring-sale&utm_content=maya"
    )
    assert len(links.clicks()) == 2


def test_head_answers_the_same_redirect_without_a_body_and_is_not_counted(links):
    maya = assign(links.engine)
    head = links.get(f"/l/{maya.short_code}", "HEAD", User_Agent=DESKTOP)
    assert (head.status, head.headers["location"], head.body) == (302, maya.utm_url, b"")
    assert head.headers["cache-control"] == "no-store"
    assert links.clicks() == []


def test_unknown_and_cancelled_links_are_a_small_404_page(links):
    maya = assign(links.engine)
    with Session(links.engine) as db, db.begin():
        db.execute(
            text("UPDATE campaign_influencers SET status = 'cancelled' WHERE id = :id"), {"id": maya.id}
        )
    for code in ("Zz9Zz9Zz", maya.short_code):
        page = links.get(f"/l/{code}", User_Agent=IPHONE)
        assert page.status == 404
        assert page.headers["content-type"].startswith("text/html")
        assert b"Link not found" in page.body and len(page.body) < 1_000
        assert page.headers["cache-control"] == "no-store"
    assert links.clicks() == []


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_other_methods_are_405(links, method):
    maya = assign(links.engine)
    links.statements.clear()
    answer = links.get(f"/l/{maya.short_code}", method)
    assert answer.status == 405 and answer.headers["allow"] == "GET, HEAD"
    assert links.statements == []


def test_malformed_codes_are_404_without_a_database_query(links):
    maya = assign(links.engine)
    encoded = "".join(f"%{ord(ch):02X}" for ch in maya.short_code)
    paths = [
        "/l/",
        "/l/short",
        "/l/" + "a" * 17,
        "/l/" + "a" * 5_000,
        f"/l/{maya.short_code}!",
        f"/l/{maya.short_code}/",
        f"/l/{maya.short_code}/extra",
        f"/l/{encoded}",  # the real code, percent-encoded
        f"/l/%2541{maya.short_code[1:]}",  # double encoding
        f"/l/{maya.short_code}%00",
        f"/l/{maya.short_code}%0d%0aSet-Cookie:x=1",
        "/l/..%2F..%2Fetc%2Fpasswd",
        "/l/%2e%2e/%2e%2e/healthz",
        f"/l/{maya.short_code[:4]}%20{maya.short_code[4:]}",
        "/l/Ab3dE7k%C4%B0",  # a non-ASCII letter
    ]
    links.statements.clear()
    for path in paths:
        answer = links.get(path, User_Agent=IPHONE)
        assert answer.status == 404, path
        assert "location" not in answer.headers
    assert links.statements == []


def test_a_flood_of_unknown_codes_writes_nothing(links):
    assign(links.engine)
    links.statements.clear()
    for n in range(300):
        assert links.get(f"/l/Unknown{n:04d}", User_Agent=IPHONE).status == 404
    links.buffer.close()
    assert links.buffer.recorded == 0
    assert all(statement.lstrip().upper().startswith("SELECT") for statement in links.statements)
    with Session(links.engine) as db:
        assert db.scalar(select(func.count()).select_from(LinkClick)) == 0


def test_preview_bots_and_prefetches_get_the_redirect_but_are_not_counted(links):
    maya = assign(links.engine)
    requests = [{"User_Agent": agent} for agent in PREVIEW_BOTS] + [
        {"User_Agent": IPHONE, "Purpose": "prefetch"},
        {"User_Agent": DESKTOP, "Sec_Purpose": "prefetch;prerender"},
    ]
    for headers in requests:
        answer = links.get(f"/l/{maya.short_code}", **headers)
        assert (answer.status, answer.headers["location"]) == (302, maya.utm_url), headers
    assert links.clicks() == []


def test_a_click_keeps_only_the_client_class_and_the_referrer_host(links):
    maya = assign(links.engine)
    links.get(f"/l/{maya.short_code}", User_Agent=IPHONE, Referer="https://l.instagram.com/?u=secret&e=x")
    links.get(f"/l/{maya.short_code}", User_Agent=DESKTOP, X_Forwarded_For="203.0.113.9")
    links.get(f"/l/{maya.short_code}", User_Agent="curl-like/1.0", Referer="javascript:alert(1)")
    got = sorted((c.client_class, c.referrer_host, c.assignment_id) for c in links.clicks())
    assert got == [
        ("desktop", None, maya.id),
        ("mobile", "l.instagram.com", maya.id),
        ("other", None, maya.id),
    ]
    with Session(links.engine) as db:  # nothing of the address or the full agent anywhere in the row
        rows = db.execute(text("SELECT l::text FROM link_clicks l")).scalars().all()
    assert not any("203.0.113.9" in row or "iPhone" in row or "secret" in row for row in rows)


def test_clicks_are_written_in_the_background_and_none_is_lost_on_close(links):
    maya, ben = assign(links.engine), assign(links.engine, handle="ben")
    for n in range(120):
        code = (maya if n % 3 else ben).short_code
        assert links.get(f"/l/{code}?{urlencode({'n': n})}", User_Agent=IPHONE).status == 302
    assert links.buffer.pending == 120  # nothing was written on the request path
    links.buffer.close()  # what a worker's exit does
    with Session(links.engine) as db:
        counted = dict(
            db.execute(select(LinkClick.assignment_id, func.count()).group_by(LinkClick.assignment_id)).all()
        )
    assert counted == {maya.id: 80, ben.id: 40}


def test_the_flusher_thread_writes_clicks_without_being_asked(slack_app):
    engine = slack_app.engine
    maya = assign(engine)
    buffer = ClickBuffer(engine, interval=0.05)
    try:
        server = PublicServer(
            create_wsgi_app(slack_app.app, engine, signing_secret="x", redirects=Redirects(engine, buffer)),
            "127.0.0.1",
            0,
        ).start()
        try:
            http_request(
                f"http://127.0.0.1:{server.port}/l/{maya.short_code}", headers={"User-Agent": IPHONE}
            )
        finally:
            server.stop()
        for _ in range(200):  # the flusher runs every 0.05 s; give it up to 10 s on a busy machine
            if buffer.recorded:
                break
            threading_event_wait(0.05)
        assert buffer.recorded == 1 and buffer.pending == 0
    finally:
        buffer.close()


def threading_event_wait(seconds: float) -> None:
    import threading

    threading.Event().wait(seconds)


def test_without_a_public_url_there_is_no_link_route(slack_http):
    assert slack_http.get("/l/Ab3dE7kQ").status == 404


def test_a_database_that_does_not_answer_is_a_503_page_not_a_crash(slack_app):
    from bot.public_http import make_link_engine
    from tests.slack.processes import free_port

    dead = make_link_engine(f"postgresql://crm@127.0.0.1:{free_port()}/crm")
    buffer = ClickBuffer(slack_app.engine, interval=3600)
    wsgi = create_wsgi_app(
        slack_app.app, slack_app.engine, signing_secret="x", redirects=Redirects(dead, buffer)
    )
    server = PublicServer(wsgi, "127.0.0.1", 0).start()
    try:
        answer = http_request(f"http://127.0.0.1:{server.port}/l/Ab3dE7kQ", headers={"User-Agent": IPHONE})
    finally:
        server.stop()
        buffer.close()
        dead.dispose()
    assert answer.status == 503 and b"Temporarily unavailable" in answer.body
    assert answer.headers["cache-control"] == "no-store" and buffer.recorded == 0

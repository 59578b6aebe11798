"""Where a request's CPU goes: ours and the baseline, one request at a time under cProfile.

Each app's WSGI callable is built in this process (as a gunicorn worker builds it) and called
directly with the same signed requests the load phases send, one after another. Ours acks first and
does its work after the ack (handlers/runtime/after_ack.py); here that work runs at once in the
request's thread (InThisThread), so the profile covers the signature check, Bolt, the ack and the
work (the transaction), as the baseline's covers its SELECT before its ack. Replies and App Home
refreshes, on background threads in both apps, are not seen. Times are the
thread's CPU time (time.thread_time), so waiting for PostgreSQL counts for nothing; self time is
summed by top-level package; cProfile's own overhead inflates code made of many small calls, so
read the split, not the milliseconds.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import time
from collections import defaultdict
from concurrent.futures import Executor, Future
from pathlib import Path

from slack_baseline import baseline_wsgi, create_baseline_app
from slack_load_support import KINDS, SECRET, ResponseUrls, request_for

from bot.app import create_app
from bot.server import make_listener_engine
from bot.wsgi import create_wsgi_app
from tests.slack.payloads import Payloads, SignedRequest

REPO = Path(__file__).resolve().parents[1]


class InThisThread(Executor):
    """Runs each task at once in the caller's thread (ours' work after the ack, for the profile)."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:
            future.set_exception(error)
        return future


def wsgi_environ(req: SignedRequest) -> dict:
    """The WSGI environ gunicorn builds for `req` (a POST to /slack/events)."""
    body = req.body.encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "QUERY_STRING": "",
        "CONTENT_TYPE": req.headers["Content-Type"],
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    for key, value in req.headers.items():
        if key.lower() != "content-type":
            environ["HTTP_" + key.upper().replace("-", "_")] = value
    return environ


def _package(filename: str) -> str:
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    if filename.startswith(str(REPO)):
        return Path(filename).relative_to(REPO).parts[0]
    if filename == "~":
        return "C functions (sockets, hashing, ...)"
    return "python stdlib"


def _profile(wsgi, requests: list[SignedRequest]) -> tuple[float, dict[str, float], str]:
    for req in requests[:20]:  # warm-up: auth.test, pool connections, imports
        wsgi(wsgi_environ(req), lambda *a: None)
    profiler = cProfile.Profile(time.thread_time)  # CPU time: not the waits for PostgreSQL
    began = time.process_time()
    profiler.enable()
    for req in requests[20:]:
        wsgi(wsgi_environ(req), lambda *a: None)
    profiler.disable()
    cpu = (time.process_time() - began) / (len(requests) - 20)
    stats = pstats.Stats(profiler)
    by_package: dict[str, float] = defaultdict(float)
    for (filename, _line, _name), (_cc, _nc, tt, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        by_package[_package(filename)] += tt
    total = sum(by_package.values())
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(12)
    return cpu, {k: v / total for k, v in by_package.items()}, out.getvalue()


def profile_ack_paths(settings, url: str, data, users: list[str], fake_url: str, n: int = 300) -> None:
    payloads = Payloads(SECRET, ResponseUrls(fake_url, "profile"))  # type: ignore[arg-type]
    user = users[-1]
    mix = [request_for(KINDS[i % 3], payloads, user, data[user][i % 50], i) for i in range(n + 20)]
    shows = [request_for("show", payloads, user, data[user][i % 50], i) for i in range(n + 20)]
    engine = make_listener_engine(url)
    app = create_app(settings, engine=engine, work=InThisThread())
    ours = create_wsgi_app(app, engine, signing_secret=SECRET)
    base = baseline_wsgi(create_baseline_app(settings, url), SECRET)
    print(f"\nProfile of ack and work, one request at a time in one thread, {n} requests each (cProfile)")
    for name, wsgi, requests in (
        ("ours mix", ours, mix),
        ("ours show", ours, shows),
        ("baseline", base, shows),
    ):
        cpu, split, top = _profile(wsgi, requests)
        parts = ", ".join(
            f"{pkg} {share:.0%}" for pkg, share in sorted(split.items(), key=lambda kv: -kv[1])[:8]
        )
        print(f"  {name}: {cpu * 1000:.2f} ms CPU per request under the profiler; self time: {parts}")
        if name == "ours mix":
            print("  ours mix, top functions by self time:")
            lines = [line for line in top.splitlines() if line.strip()][-13:]
            print("\n".join("    " + line.strip()[:150] for line in lines))
    engine.dispose()

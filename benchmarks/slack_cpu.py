"""CPU per request of ours, the baseline and the floor, one request at a time in this process.

    python benchmarks/slack_cpu.py [--requests 600] [--rounds 5]

The load benchmark (benchmarks/slack_load.py) measures capacity, but on these shared 2-core machines
its ratio moves by ±0.1 from round to round, mostly with the baseline. This script measures what
capacity follows from (CPU per completed request) without the load, so that a change can be judged
in a minute with a spread of about 1%:

- each app's WSGI callable is built in this process, as a gunicorn worker builds it, and called
  with the same signed requests the load phases send, one after another;
- ours' work after the ack runs at once in the request's thread (slack_profile.InThisThread); its
  reply, and both bare apps' replies, go out from their background pools to the fake Web API,
  which runs in its own process;
- a batch's CPU is this process's (every thread), read once the fake has received every reply of
  the batch. PostgreSQL's and the fake's CPU are not counted (the load benchmark reports them);
- the apps take turns, batch by batch, so that a drift of the machine touches all of them.

It prints each app's median CPU per request and ours over the baseline. The load benchmark's
capacity ratio is close to the inverse of the machine's CPU per request, which adds PostgreSQL,
the fake and the clients (about 1 ms for ours, 0.9 ms for the baseline) to these figures.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import statistics
import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from slack_baseline import baseline_wsgi, create_baseline_app, create_floor_app  # noqa: E402
from slack_load_support import (  # noqa: E402
    KINDS,
    SECRET,
    TOKEN,
    ResponseUrls,
    database_server_url,
    fresh_database,
    request_for,
    run_fake_slack,
    seed,
)
from slack_profile import InThisThread, wsgi_environ  # noqa: E402

from bot.app import create_app  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.migrate import upgrade  # noqa: E402
from bot.server import make_listener_engine  # noqa: E402
from bot.wsgi import create_wsgi_app  # noqa: E402
from tests.slack.payloads import Payloads  # noqa: E402

REPLY_WAIT = 30.0  # seconds a batch's replies may take to reach the fake before the run gives up


def _replies(fake_conn) -> int:
    fake_conn.send(("count", "response_url"))
    return fake_conn.recv()


def _batch(wsgi, environs: list[dict], fake_conn) -> float:
    """CPU ms per request of one batch, its replies included."""
    expected = _replies(fake_conn) + len(environs)
    began = time.process_time()
    for environ in environs:
        wsgi(environ, lambda *args: None)
    deadline = time.monotonic() + REPLY_WAIT
    while _replies(fake_conn) < expected:
        if time.monotonic() > deadline:
            raise RuntimeError("replies did not reach the fake Web API")
        time.sleep(0.002)
    return (time.process_time() - began) / len(environs) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=600, help="requests per batch")
    parser.add_argument("--rounds", type=int, default=5, help="batches per app")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")  # platformdirs, via pgserver
    print(f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} CPUs, {platform.platform()}")
    print(f"python {platform.python_version()}; date {datetime.now(UTC):%Y-%m-%d %H:%M UTC}")

    url = fresh_database(database_server_url())
    upgrade(url)
    data = seed(url, 2)
    fork = mp.get_context("fork")
    fake_conn, child_conn = fork.Pipe()
    fake = fork.Process(target=run_fake_slack, args=(child_conn, {}), daemon=True)
    fake.start()
    fake_url = fake_conn.recv()
    settings = Settings(
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=f"{fake_url}/api/",
        port=0,
        log_level="WARNING",
    )
    engine = make_listener_engine(url)
    apps = {
        "ours mix": create_wsgi_app(
            create_app(settings, engine=engine, work=InThisThread()), engine, signing_secret=SECRET
        ),
        "baseline": baseline_wsgi(create_baseline_app(settings, url), SECRET),
        "floor": baseline_wsgi(create_floor_app(settings, url), SECRET),
    }
    apps["ours show"] = apps["ours mix"]
    payloads = Payloads(SECRET, ResponseUrls(fake_url, "cpu"))
    user = sorted(data)[-1]
    per_app = args.requests * (args.rounds + 1)  # the first batch warms up

    def requests(kinds: tuple[str, ...], offset: int) -> list[dict]:
        made = (
            request_for(kinds[i % len(kinds)], payloads, user, data[user][i % 50], offset + i)
            for i in range(per_app)
        )
        return [wsgi_environ(req) for req in made]

    environs = {
        name: requests(KINDS if name == "ours mix" else ("show",), k * per_app) for k, name in enumerate(apps)
    }
    results: dict[str, list[float]] = {name: [] for name in apps}
    try:
        for r in range(args.rounds + 1):
            for name, wsgi in apps.items():
                ms = _batch(wsgi, environs[name][r * args.requests : (r + 1) * args.requests], fake_conn)
                if r > 0:
                    results[name].append(ms)
    finally:
        fake_conn.send(("stop",))
        fake.join(5)
        engine.dispose()

    print(f"\nCPU ms per request in this process (signature, Bolt, ack, work, reply), {args.rounds} batches")
    print(f"of {args.requests} requests each; PostgreSQL's and the fake Web API's CPU not included")
    medians = {name: statistics.median(values) for name, values in results.items()}
    for name, values in results.items():
        spread = f"{min(values):.3f}-{max(values):.3f}"
        print(f"  {name:10} median {medians[name]:.3f}  (batches {spread})")
    base = medians["baseline"]
    print(
        f"  ours mix / baseline {medians['ours mix'] / base:.2f}x, ours show / baseline"
        f" {medians['ours show'] / base:.2f}x, floor / baseline {medians['floor'] / base:.2f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

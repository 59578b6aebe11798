"""Pieces of benchmarks/slack_load.py: database and seed, the counting server, the fake Web API in its
own process, CPU accounting from /proc, and the load-generating client processes."""

from __future__ import annotations

import http.client
import itertools
import os
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import event, text

from bot.app import create_app
from bot.db import make_engine, normalize_url
from bot.server import CrmGunicorn, make_listener_engine
from bot.wsgi import create_wsgi_app
from handlers.ids import Action
from tests.slack.fake_slack import FakeSlack
from tests.slack.payloads import Payloads, SignedRequest

TEAM = "T0001"
SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench-0000000000-TOKEN"
STATUSES = ("contacted", "warm", "cold", "partnered", "saved")
KINDS = ("show", "status", "button")
HOME_THREAD_PREFIX = "crm-home"  # handlers/home_refresh.py's publisher threads
# What bot/errors.py tells a user when a listener fails after its ack (the HTTP answer was a 200).
ERROR_MARKS = ("Something went wrong", "temporarily unavailable")


# ---- database ----------------------------------------------------------------------------------
def database_server_url() -> str:
    override = os.environ.get("BENCH_DATABASE_URL")
    if override:
        return normalize_url(override).replace("postgresql+psycopg://", "postgresql://", 1)
    import pgserver

    server = pgserver.get_server(
        Path(tempfile.mkdtemp(prefix="crm-slack-bench-")) / "pgdata", cleanup_mode="delete"
    )
    return server.get_uri()


def fresh_database(server_url: str) -> str:
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"crm_slack_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(normalize_url(server_url)).set(database=name).render_as_string(hide_password=False)


def seed(url: str, users: int, per_user: int = 50) -> dict[str, list[tuple[str, str]]]:
    """Users UBENCH<i> (profiles known: no first-sight users.info), each with `per_user` relationships
    of 5 interactions; returns {slack user id: [(handle, influencer id)]}."""
    engine = make_engine(url)
    out: dict[str, list[tuple[str, str]]] = {}
    now = datetime.now(UTC)
    with engine.begin() as conn:
        for i in range(users):
            slack_id = f"UBENCH{i:04d}"
            user_id = conn.execute(
                text(
                    "INSERT INTO users (team_id, slack_user_id, display_name)"
                    " VALUES (:t, :u, :u) RETURNING id"
                ),
                {"t": TEAM, "u": slack_id},
            ).scalar_one()
            out[slack_id] = []
            for j in range(per_user):
                handle = f"creator{i:03d}x{j:03d}"
                inf_id = conn.execute(
                    text(
                        "INSERT INTO influencers (team_id, name, handle, platform) "
                        "VALUES (:t, :n, :h, 'instagram') RETURNING id"
                    ),
                    {"t": TEAM, "n": f"Creator {i}-{j}", "h": handle},
                ).scalar_one()
                conn.execute(
                    text(
                        "INSERT INTO user_influencers (user_id, influencer_id, status, notes, tags, priority)"
                        " VALUES (:u, :i, 'contacted', :notes, ARRAY['beauty','q3']::varchar[], 3)"
                    ),
                    {"u": user_id, "i": inf_id, "notes": "Met at VidCon. " * 20},
                )
                conn.execute(
                    text(
                        "INSERT INTO interactions (user_id, influencer_id, type, subject, interaction_date) "
                        "SELECT :u, :i, 'email', 'Intro ' || g, :now - g * interval '3 days' "
                        "FROM generate_series(1, 5) g"
                    ),
                    {"u": user_id, "i": inf_id, "now": now},
                )
                out[slack_id].append((handle, str(inf_id)))
    engine.dispose()
    return out


def postmaster_pid(url: str) -> int | None:
    """The PostgreSQL server's main process, if it runs on this machine (for CPU accounting)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            backend = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        return parent_of(backend)
    finally:
        engine.dispose()


# ---- server ------------------------------------------------------------------------------------
class CountingGunicorn(CrmGunicorn):
    """The production server, plus statement counters on each worker's engine (shared memory):
    statements on Home-publisher threads apart from those of the listeners (the commands)."""

    command_statements = None  # mp.Value, set before the fork
    home_statements = None
    counting = None  # mp.Value: 0 during the load phases, so counting costs the server nothing there

    def load(self):
        """CrmGunicorn.load(), with SQLAlchemy's before_cursor_execute counting every statement."""
        engine = make_listener_engine(self.database_url)
        event.listen(engine, "before_cursor_execute", _count_statement)
        app = create_app(self.settings, engine=engine)
        return create_wsgi_app(app, engine, signing_secret=self.settings.slack_signing_secret)

    def load_config(self) -> None:
        super().load_config()
        self.cfg.set("loglevel", "warning")


def _count_statement(*_args) -> None:
    if not CountingGunicorn.counting.value:
        return
    home = threading.current_thread().name.startswith(HOME_THREAD_PREFIX)
    counter = CountingGunicorn.home_statements if home else CountingGunicorn.command_statements
    with counter.get_lock():
        counter.value += 1


def serve(settings, url: str, command_counter, home_counter, counting) -> None:
    CountingGunicorn.command_statements = command_counter
    CountingGunicorn.home_statements = home_counter
    CountingGunicorn.counting = counting
    CountingGunicorn(settings, url, with_scheduler=False).run()


def run_fake_slack(conn) -> None:
    """The fake Web API in its own process; answers ("count", method) with the calls it received."""
    fake = FakeSlack().start()
    conn.send(fake.base_url)
    while True:
        message = conn.recv()
        if message[0] == "count":
            conn.send(len(fake.calls_to(message[1])))
        elif message[0] == "errors":  # error messages shown to users (failures after the ack)
            texts = [str(call.params.get("text") or "") for call in list(fake.calls)]
            conn.send(sum(any(mark in text for mark in ERROR_MARKS) for text in texts))
        elif message[0] == "reset":
            fake.reset()
            conn.send(True)
        else:
            break
    fake.stop()


class ResponseUrls:
    """What Payloads needs from a FakeSlack: fresh response_urls on the fake's server."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._seq = itertools.count(1)

    def response_url(self) -> str:
        return f"{self.base_url}/response/{next(self._seq)}"


# ---- CPU accounting ----------------------------------------------------------------------------
_TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()  # fields after "pid (comm) "


def parent_of(pid: int) -> int | None:
    fields = _stat(pid)
    return int(fields[1]) if fields else None


def process_tree(root: int) -> list[int]:
    """`root` and all its descendants, now."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))):
            children[int(fields[1])].append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def cpu_seconds(roots: list[int]) -> float:
    """User + system CPU of the processes under `roots` (live ones; ended children are not counted)."""
    total = 0
    for root in roots:
        for pid in process_tree(root):
            if fields := _stat(pid):
                total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / _TICKS


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (all cores, all users' processes)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / _TICKS


# ---- clients -----------------------------------------------------------------------------------
def request_for(kind: str, payloads: Payloads, user: str, rel: tuple[str, str], n: int) -> SignedRequest:
    handle, influencer_id = rel
    if kind == "show":
        return payloads.command(f"show @{handle}", user_id=user)
    if kind == "status":
        return payloads.command(f"status @{handle} {STATUSES[n % len(STATUSES)]}", user_id=user)
    return payloads.block_actions([Payloads.button(Action.SHOW, influencer_id, text="Show")], user_id=user)


class Client:
    """One keep-alive HTTP connection, as Slack keeps to a server."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def post(self, req: SignedRequest) -> int:
        try:
            self.conn.request("POST", "/slack/events", body=req.body.encode(), headers=req.headers)
            resp = self.conn.getresponse()
            resp.read()
            return resp.status
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            return 0


def _client(port: int, plan: list, job: tuple, offset: float, out: list) -> None:
    """One client's requests for `job` (see run_clients); appends (kind, latency, status) to `out`."""
    mode, start_at, duration = job[:3]
    client = Client(port)
    period = 1.0 / job[3] if mode == "paced" else 0.0
    first = start_at + period * offset  # paced clients are spread evenly over one period
    while time.monotonic() < start_at:
        time.sleep(0.001)
    for n in itertools.count():
        if mode == "paced":
            began = first + n * period
            if began >= start_at + duration:
                break
            if (wait := began - time.monotonic()) > 0:
                time.sleep(wait)
        else:
            began = time.monotonic()
            if began >= start_at + duration:
                break
        kind, req = plan[n % len(plan)]
        status = client.post(req)
        out.append((kind, time.monotonic() - began, status))


def run_clients(conn, port: int, fake_url: str, data, clients: list[int], users: list[str]) -> None:
    """A client process: for each job received, run `clients` (indexes into `users`) as threads and
    send back {kind: [(latency, status)]}. Jobs: ("closed", start_at, duration) sends the next request
    as soon as the previous one is answered; ("paced", start_at, duration, rate_per_client) sends on a
    fixed schedule and measures from the scheduled instant (a late answer delays the next send, and
    that delay is counted: no coordinated omission)."""
    payloads = Payloads(SECRET, ResponseUrls(fake_url))  # type: ignore[arg-type]
    while (job := conn.recv())[0] != "stop":
        outs: list[list] = []
        threads = []
        for index in clients:
            user, rels = users[index], data[users[index]]
            # Built (and signed) before the clock starts: only the HTTP exchange is measured.
            plan = [
                (KINDS[n % 3], request_for(KINDS[n % 3], payloads, user, rels[n % 50], n)) for n in range(150)
            ]
            outs.append([])
            args = (port, plan, job, index / len(users), outs[-1])
            threads.append(threading.Thread(target=_client, args=args))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        results: dict[str, list[tuple[float, int]]] = defaultdict(list)
        for kind, latency, status in (item for out in outs for item in out):
            results[kind].append((latency, status))
        conn.send(dict(results))

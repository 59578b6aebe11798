"""Pieces of benchmarks/slack_load.py: database and seed, the counting server, the fake Web API in its
own process, CPU accounting from /proc, and the load-generating client processes."""

from __future__ import annotations

import gc
import http.client
import itertools
import json
import os
import struct
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from sqlalchemy import event, text

from bot.app import create_app
from bot.db import make_engine, normalize_url
from bot.server import CrmGunicorn, make_listener_engine
from bot.wsgi import create_wsgi_app
from handlers.ids import Action
from tests.slack.fake_slack import RESPONSE_URL_PATH, Call, FakeSlack
from tests.slack.payloads import Payloads, SignedRequest

TEAM = "T0001"
SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench-0000000000-TOKEN"
STATUSES = ("contacted", "warm", "cold", "partnered", "saved")
KINDS = ("show", "status", "button")
HOME_THREAD_PREFIX = "crm-home"  # handlers/home_refresh.py's publisher threads
# What handlers/runtime/errors.py tells a user when a listener fails (in the ack's body for a slash
# command, else by response_url right after an empty ack): database unavailable, COMMIT unconfirmed,
# anything else.
UNAVAILABLE_MARKS = ("temporarily unavailable", "did not confirm in time")
ERROR_MARKS = (*UNAVAILABLE_MARKS, "Something went wrong")


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
                conn.execute(  # its primary profile: /crm resolves @handles through profiles
                    text(
                        "INSERT INTO influencer_profiles"
                        " (influencer_id, team_id, platform, handle, url, identity_key, is_primary)"
                        " VALUES (:i, :t, 'instagram', :h, :u, :k, true)"
                    ),
                    {
                        "i": inf_id,
                        "t": TEAM,
                        "h": handle,
                        "u": f"https://www.instagram.com/{handle}/",
                        "k": f"instagram:{handle}",
                    },
                )
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


class SlowFakeSlack(FakeSlack):
    """The fake Web API with an optional delay before every answer (Web API methods and response_url
    posts alike): Slack having a slow day; and, when `reply_conns` is set, every response_url post
    told to the client process that owns its prefix (see ReplyWatch)."""

    latency = 0.0
    # response_url prefix -> (lock, write end of a pipe to that client process). Empty: no telling.
    reply_conns: dict[str, tuple[threading.Lock, Any]] = {}

    def _wait_if_held(self, method: str) -> None:
        if self.latency:
            time.sleep(self.latency)
        super()._wait_if_held(method)

    def _record(self, call: Call) -> None:
        """FakeSlack's record, then, for a response_url post that succeeded, 8 bytes of arrival time
        (time.monotonic(), system-wide on Linux) and the path, down the owner's pipe: one write."""
        super()._record(call)
        if call.method != "response_url" or call.status >= 300 or not self.reply_conns:
            return
        owner = self.reply_conns.get(call.path[len(RESPONSE_URL_PATH) :].rpartition("-")[0])
        if owner is not None:
            lock, conn = owner
            data = _ARRIVAL.pack(time.monotonic()) + call.path.encode()
            with lock:  # handler threads share the pipe; a Connection is not thread-safe
                conn.send_bytes(data)


_ARRIVAL = struct.Struct("d")


def _marked(text: str, marks: tuple[str, ...]) -> bool:
    return any(mark in text for mark in marks)


def run_fake_slack(conn, reply_conns: dict | None = None) -> None:
    """The fake Web API in its own process, answering questions about the calls it received:
    ("count", method), ("errors",), ("replies",), ("latency", seconds), ("reset",), ("stop",).
    `reply_conns`: {response_url prefix: write end of a pipe}, where each reply to a response_url
    with that prefix is told as it arrives (a client process's ReplyWatch reads the other end)."""
    # socketserver listens with a backlog of 5: under load, connections from the servers' reply
    # threads overflowed it and waited out a SYN retransmit (1 s), which would count as reply latency.
    # This process is the fake's alone, so the class attribute is changed for it only.
    ThreadingHTTPServer.request_queue_size = 1024
    # The fake keeps every call it records (tens of thousands of parsed bodies per run). Python's
    # full collections walked them all: 100-200 ms pauses in this process, during which replies
    # waited and counted as the reply latency of whichever app was measured. Nothing recorded here
    # forms reference cycles, so reference counting frees it on reset; the cycle collector is off.
    gc.disable()
    fake = SlowFakeSlack()
    fake.reply_conns = {prefix: (threading.Lock(), c) for prefix, c in (reply_conns or {}).items()}
    fake.start()
    conn.send(fake.base_url)
    while True:
        message = conn.recv()
        if message[0] == "count":
            conn.send(len(fake.calls_to(message[1])))
        elif message[0] == "errors":  # error messages shown to users after an empty ack
            texts = [str(call.params.get("text") or "") for call in list(fake.calls)]
            conn.send(sum(_marked(text, ERROR_MARKS) for text in texts))
        elif message[0] == "replies":  # per response_url path: (replies, "unavailable" replies)
            replies: dict[str, list[int]] = defaultdict(lambda: [0, 0])
            for call in fake.calls_to("response_url"):
                seen = replies[call.path]
                seen[0] += 1
                seen[1] += _marked(str(call.params.get("text") or ""), UNAVAILABLE_MARKS)
            conn.send(dict(replies))
        elif message[0] == "latency":
            fake.latency = message[1]
            conn.send(True)
        elif message[0] == "reset":
            fake.reset()
            conn.send(True)
        else:
            break
    fake.stop()


class ResponseUrls:
    """What Payloads needs from a FakeSlack: fresh response_urls on the fake's server, unique across
    processes (`prefix`), so each reply the fake records names the request it answers."""

    def __init__(self, base_url: str, prefix: str = "main") -> None:
        self.base_url = base_url
        self.prefix = prefix
        self._seq = itertools.count(1)

    def response_url(self) -> str:
        return f"{self.base_url}{RESPONSE_URL_PATH}{self.prefix}-{next(self._seq)}"


class ReplyWatch:
    """In a client process: when each reply to one of its response_urls reached the fake Web API.

    The fake's process writes (arrival time, path) down a pipe as each reply is recorded
    (SlowFakeSlack._record); a dispatcher thread here reads them, keeps the first arrival per path
    and sets the Event of the client thread waiting for it. No HTTP exchange per request: one pipe
    write in the fake, one read, a dict update and an Event.set here. A client calls expect(path)
    before it sends the request, since a reply can reach the fake before the ack reaches the client.
    """

    def __init__(self, conn) -> None:
        self._conn = conn
        self._lock = threading.Lock()
        self._events: dict[str, threading.Event] = {}
        self._arrived: dict[str, float] = {}
        threading.Thread(target=self._dispatch, name="reply-watch", daemon=True).start()

    def expect(self, path: str) -> threading.Event:
        """An Event set when the reply to `path` arrives (already set if it has)."""
        event = threading.Event()
        with self._lock:
            self._events[path] = event
            if path in self._arrived:
                event.set()
        return event

    def arrival(self, path: str) -> float | None:
        """When the first reply to `path` reached the fake (time.monotonic()), or None."""
        with self._lock:
            return self._arrived.get(path)

    def forget(self, paths) -> None:
        with self._lock:
            for path in paths:
                self._events.pop(path, None)
                self._arrived.pop(path, None)

    def _dispatch(self) -> None:
        while True:
            try:
                data = self._conn.recv_bytes()
            except (EOFError, OSError):
                return
            (at,) = _ARRIVAL.unpack_from(data)
            path = data[_ARRIVAL.size :].decode()
            with self._lock:
                self._arrived.setdefault(path, at)
                event = self._events.get(path)
            if event is not None:
                event.set()


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


def response_path(req: SignedRequest) -> str:
    """The path of the response_url a request carries ("" if none)."""
    fields = parse_qs(req.body)
    if "payload" in fields:
        url = json.loads(fields["payload"][0]).get("response_url") or ""
    else:
        url = (fields.get("response_url") or [""])[0]
    return urlparse(url).path


class Client:
    """One keep-alive HTTP connection, as Slack keeps to a server."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def post(self, req: SignedRequest) -> tuple[int, bytes]:
        """(HTTP status, body); status 0 when the connection failed or timed out."""
        try:
            self.conn.request("POST", "/slack/events", body=req.body.encode(), headers=req.headers)
            resp = self.conn.getresponse()
            return resp.status, resp.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            return 0, b""


REPLY_TIMEOUT = 10.0  # seconds from a request's scheduled instant after which its reply counts as missing


def _ack_answers(status: int, body: bytes) -> bool:
    """Whether the ack itself carries the answer (a slash command's ack body is shown to the user:
    ours says "temporarily unavailable" there), so that no reply is to be waited for."""
    return status == 200 and body[:1] == b"{" and (b'"text"' in body or b'"blocks"' in body)


class Job:
    """One load phase for the client processes.

    mode "closed": each client sends its next request once the previous one is complete: acked, and
    its reply arrived at the fake Web API (or its ack carried the answer), or REPLY_TIMEOUT passed.
    "paced": `rate` requests/s in total over all clients, on a fixed schedule; a client waits for the
    ack only (never for the reply), latencies are measured from the scheduled instant, and replies
    are gathered after the schedule (up to REPLY_TIMEOUT after each request's scheduled instant).
    `kinds` is the rotation of request kinds.
    """

    MIX = KINDS

    def __init__(self, mode: str, port: int, duration: float, *, rate: float = 0.0, kinds=KINDS) -> None:
        self.mode, self.port, self.duration, self.rate, self.kinds = mode, port, duration, rate, tuple(kinds)
        self.start_at = 0.0  # set just before sending, the same instant for every client

    def plan_size(self) -> int:
        """Requests to build per client: more than it can send (a request is never sent twice,
        which the idempotency keys of writes would turn into a cheap replay)."""
        return int(self.duration * 60) + 50


@dataclass(frozen=True, slots=True)
class Result:
    """One request. `scheduled`: its instant (monotonic; the actual send in a closed loop);
    `latency`: ack latency from it; `service`: ack time from the actual send; `status`: the ack's
    HTTP status (0: connection failed); `ack_unavailable`: the ack's body says the CRM is unavailable;
    `ack_answers`: the ack's body is a message (no reply expected); `reply`: scheduled instant to the
    first reply's arrival at the fake Web API, None if none came within REPLY_TIMEOUT."""

    kind: str
    scheduled: float
    latency: float
    service: float
    status: int
    ack_unavailable: bool
    response_path: str
    ack_answers: bool = False
    reply: float | None = None

    @property
    def answered(self) -> float | None:
        """Completion: from the scheduled instant until the user has the answer and Slack its ack
        (the later of ack and reply; the ack alone when it carries the answer); None: not complete."""
        if self.status != 200:
            return None
        if self.ack_answers:
            return self.latency
        return None if self.reply is None else max(self.latency, self.reply)


def _client(plan: list, job: Job, period: float, offset: float, watch: ReplyWatch, out: list) -> None:
    """One client's requests for `job`; appends (kind, scheduled, sent, acked, status, body, path)
    per request to `out`. A closed-loop client waits for each reply (see Job)."""
    client = Client(job.port)
    first = job.start_at + period * offset  # paced clients are spread evenly over one period
    while time.monotonic() < job.start_at:
        time.sleep(0.001)
    for n in itertools.count():
        if n >= len(plan):
            break
        if job.mode == "paced":
            scheduled = first + n * period
            if scheduled >= job.start_at + job.duration:
                break
            if (wait := scheduled - time.monotonic()) > 0:
                time.sleep(wait)
        else:
            scheduled = time.monotonic()
            if scheduled >= job.start_at + job.duration:
                break
        kind, req, path = plan[n]
        replied = watch.expect(path)
        sent = time.monotonic()
        status, body = client.post(req)
        acked = time.monotonic()
        out.append((kind, scheduled, sent, acked, status, body, path))
        if job.mode == "closed" and status == 200 and not _ack_answers(status, body):
            replied.wait(max(0.0, scheduled + REPLY_TIMEOUT - time.monotonic()))


def _results(raw: list, watch: ReplyWatch) -> list[Result]:
    """Results of the sent requests, once each one's reply arrived or its REPLY_TIMEOUT passed."""
    results = []
    for kind, scheduled, sent, acked, status, body, path in raw:
        answers = _ack_answers(status, body)
        reply = None
        if status == 200 and not answers:
            if watch.arrival(path) is None:
                watch.expect(path).wait(max(0.0, scheduled + REPLY_TIMEOUT - time.monotonic()))
            arrived = watch.arrival(path)
            if arrived is not None and arrived - scheduled <= REPLY_TIMEOUT:
                reply = arrived - scheduled
        unavailable = _marked(body.decode("utf-8", "replace"), UNAVAILABLE_MARKS)
        results.append(
            Result(
                kind, scheduled, acked - scheduled, acked - sent, status, unavailable, path, answers, reply
            )
        )
    watch.forget(r.response_path for r in results)
    return results


def run_clients(
    conn, replies_conn, prefix: str, fake_url: str, data, clients: list[int], users: list[str]
) -> None:
    """A client process: for each Job received, run `clients` (indexes into `users`) as threads and
    send back their Results. Its response_urls start with `prefix`; the fake Web API tells it of each
    reply through `replies_conn` (ReplyWatch). A paced client sends on a fixed schedule and is
    measured from the scheduled instant (a late ack delays the next send, and that delay is counted:
    no coordinated omission)."""
    payloads = Payloads(SECRET, ResponseUrls(fake_url, prefix=prefix))  # type: ignore[arg-type]
    watch = ReplyWatch(replies_conn)
    while (job := conn.recv()) != "stop":
        outs: list[list] = []
        threads = []
        period = len(users) / job.rate if job.mode == "paced" else 0.0
        for index in clients:
            user, rels = users[index], data[users[index]]
            plan = []
            # Built (and signed) before the clock starts: only the HTTP exchange is measured.
            for n in range(job.plan_size()):
                kind = job.kinds[n % len(job.kinds)]
                req = request_for(kind, payloads, user, rels[n % len(rels)], n)
                plan.append((kind, req, response_path(req)))
            outs.append([])
            args = (plan, job, period, index / len(users), watch, outs[-1])
            threads.append(threading.Thread(target=_client, args=args))
        conn.send("ready")
        job.start_at = conn.recv()
        # No cycle collection inside the measured window (timeit does the same): a full collection
        # over the prebuilt plans paused this process for 200-370 ms, which counted as ack and reply
        # latency. Garbage made meanwhile waits until the window has ended.
        gc.disable()
        try:
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        finally:
            gc.enable()
        conn.send(_results([item for out in outs for item in out], watch))

"""The measuring half of benchmarks/slack_load.py: run a Job on the client processes, print its
figures (ack latency, and reply latency: until the reply reached the fake Web API, see Result.answered),
and compare ours with the baseline (capacity on completed requests, paced on the ack's p99)."""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from slack_load_support import (
    KINDS,
    REPLY_TIMEOUT,
    SECRET,
    Client,
    ResponseUrls,
    Result,
    cpu_seconds,
    machine_busy_seconds,
    request_for,
)

from tests.slack.payloads import Payloads

SLACK_ACK_WINDOW = 3.0  # seconds Slack waits for an ack
CAPACITY_TARGET = 0.6  # ours / baseline, closed loop


@dataclass(frozen=True)
class Server:
    name: str
    port: int
    pid: int


@dataclass(frozen=True)
class Figures:
    """What one load phase measured. `throughput`: completed requests/s (acked, and the reply
    arrived within REPLY_TIMEOUT or the ack carried the answer); `latencies_ms`: ack latencies of the
    200s; `answers_ms`: completion latencies (see Result.answered) of the completed requests."""

    throughput: float
    requests: int
    completed: int
    non_200: int
    late: int
    missing: int  # acked with a 200 but no reply within REPLY_TIMEOUT
    latencies_ms: list[float]
    answers_ms: list[float]

    @property
    def p50(self) -> float:
        return median(self.latencies_ms)

    @property
    def p99(self) -> float:
        return pct(self.latencies_ms, 0.99)

    @property
    def answer_p50(self) -> float:
        return median(self.answers_ms)

    @property
    def answer_p99(self) -> float:
        return pct(self.answers_ms, 0.99)


def pct(values: list[float], q: float) -> float:
    """The q-quantile (nearest rank); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def wait_until_quiet(counters, settle: float = 0.5, limit: float = 60.0) -> None:
    """Return once no statement has been executed for `settle` seconds (listeners finished)."""
    deadline = time.monotonic() + limit
    last = None
    while time.monotonic() < deadline:
        current = tuple(c.value for c in counters)
        if current == last:
            return
        last = current
        time.sleep(settle)


class Bench:
    def __init__(self, args, fake, counters, others: dict[str, list[int]], client_conns) -> None:
        """`fake`: (pipe to the fake Web API's process, its base URL); `counters`: statements in
        listeners and in the Home publisher (counted in phase 1 only); `others`: process ids, by
        name, whose CPU is accounted beside the server's."""
        (self.fake_conn, self.fake_url), self.args, self.counters = fake, args, counters
        self.others, self.client_conns = others, client_conns

    def ask_fake(self, *message):
        self.fake_conn.send(message)
        return self.fake_conn.recv()

    def cpu(self, server: Server) -> dict[str, float]:
        pids = {"server": [server.pid], **self.others}
        snapshot = {name: cpu_seconds(roots) for name, roots in pids.items() if roots}
        snapshot["machine"] = machine_busy_seconds()
        return snapshot

    def warm_up(self, server: Server, data, users: list[str]) -> None:
        """First auth.test per worker, pool connections, prepared statements: as many connections at
        once as the load phases use, so that every worker gets requests and opens the database
        connections they will need (one connection would reach one worker only, and round 1 would
        pay for the others' first connections and statements)."""
        payloads = Payloads(SECRET, ResponseUrls(self.fake_url, f"warm-{server.name}"))  # type: ignore[arg-type]
        kinds = KINDS if server.name == "ours" else ("show",)

        def warm(i: int) -> None:
            client, user = Client(server.port), users[i % len(users)]
            for kind in kinds:
                for n in range(10):
                    client.post(request_for(kind, payloads, user, data[user][n], n))

        with ThreadPoolExecutor(self.args.clients) as pool:
            list(pool.map(warm, range(self.args.clients)))
        time.sleep(1)

    def statements(self, server: Server, data, users: list[str]) -> None:
        n = self.args.per_kind
        print(f"\nSQL statements per command, ours ({n} requests each, one at a time, after warm-up):")
        print(f"  {'kind':8s}{'command':>9s}{'home':>7s}{'publishes':>11s}{'home/publish':>14s}")
        payloads = Payloads(SECRET, ResponseUrls(self.fake_url, "statements"))  # type: ignore[arg-type]
        client = Client(server.port)
        wait_until_quiet(self.counters)
        for kind in KINDS:
            for counter in self.counters:
                with counter.get_lock():
                    counter.value = 0
            publishes = self.ask_fake("count", "views.publish")
            for i in range(n):
                rel = data[users[1]][i % 50]
                status, _ = client.post(request_for(kind, payloads, users[1], rel, i))
                assert status == 200, (kind, status)
            wait_until_quiet(self.counters)  # including post-ack work (replies, App Home refresh)
            published = self.ask_fake("count", "views.publish") - publishes
            command, home = (c.value / n for c in self.counters)
            per_publish = f"{self.counters[1].value / published:14.2f}" if published else f"{'-':>14s}"
            print(f"  {kind:8s}{command:9.2f}{home:7.2f}{published:11d}{per_publish}")

    def run_job(self, job, started=None) -> list[Result]:
        """Send `job` to every client process; once all have built their requests, start them
        together (`started(start_at)` is called then) and gather their Results."""
        for conn in self.client_conns:
            conn.send(job)
        for conn in self.client_conns:
            assert conn.recv() == "ready"
        start_at = time.monotonic() + 0.5
        for conn in self.client_conns:
            conn.send(start_at)
        if started is not None:
            started(start_at)
        results: list[Result] = []
        for conn in self.client_conns:
            results.extend(conn.recv())
        return results

    def load(self, title: str, server: Server, job) -> Figures:
        time.sleep(2)  # the previous phase's post-ack work (replies, Home refreshes) settles
        errors_before = self.ask_fake("errors")
        before, began = self.cpu(server), time.monotonic()
        results = self.run_job(job)
        # The phase lasts until its last completion (closed loop: the clients end with it; paced:
        # when the server cannot keep up, answers come after the schedule has ended). Replies that
        # never came count up to their REPLY_TIMEOUT, when the clients stopped waiting for them.
        start_at = min(r.scheduled for r in results) if results else began
        ends = (r.scheduled + (r.answered if r.answered is not None else r.latency) for r in results)
        answered_for = max(job.duration, max(ends, default=0) - start_at)
        after, elapsed = self.cpu(server), time.monotonic() - began
        time.sleep(1)  # post-ack work of the last requests
        errors = self.ask_fake("errors") - errors_before
        ok = [r for r in results if r.status == 200]
        done = [r for r in ok if r.answered is not None]
        figures = Figures(
            throughput=len(done) / answered_for,
            requests=len(results),
            completed=len(done),
            non_200=len(results) - len(ok),
            late=sum(r.latency > SLACK_ACK_WINDOW for r in ok),
            missing=len(ok) - len(done),
            latencies_ms=[r.latency * 1000 for r in ok],
            answers_ms=[r.answered * 1000 for r in done],  # type: ignore[operator]
        )
        print(f"\n{title}")
        print(
            f"  requests: {len(results)}, completed {len(done)} in {answered_for:.1f} s"
            f" = {figures.throughput:.1f} completed/s; non-200: {figures.non_200};"
            f" acks over 3 s: {figures.late}; no reply within {REPLY_TIMEOUT:g} s: {figures.missing};"
            f" errors shown to users after the ack: {errors}"
        )
        print(
            f"  {'kind':8s}{'n':>7s}{'ack p50':>9s}{'p95':>7s}{'p99':>7s}{'max':>7s}"
            f"{'reply p50':>11s}{'p95':>7s}{'p99':>7s}{'max':>7s}  (ms)"
        )
        kinds = sorted({r.kind for r in results})
        for kind in [*kinds, "all"] if len(kinds) > 1 else kinds:
            ms = [r.latency * 1000 for r in ok if kind in ("all", r.kind)]
            answers = [r.answered * 1000 for r in done if kind in ("all", r.kind)]  # type: ignore[operator]
            if ms:
                line = f"  {kind:8s}{len(ms):7d}" + _quantiles(ms, 9)
                print(line + (_quantiles(answers, 11) if answers else f"{'-':>11s}"))
        used = {name: after[name] - before[name] for name in after}
        ours = sum(v for name, v in used.items() if name != "machine")
        per = max(1, len(results))
        parts = [f"{name} {used[name] * 1000 / per:.1f}" for name in used if name != "machine"]
        parts.append(f"other {max(0.0, used['machine'] - ours) * 1000 / per:.1f}")
        busy = used["machine"] / elapsed * 100
        print(f"  CPU ms per request: {', '.join(parts)}; machine busy {busy:.0f}% of one core")
        return figures


def _quantiles(ms: list[float], first: int) -> str:
    """p50, p95, p99 and max, the first column `first` wide."""
    return f"{median(ms):{first}.1f}{pct(ms, 0.95):7.1f}{pct(ms, 0.99):7.1f}{max(ms):7.1f}"


def ratio_report(capacity: dict[str, list[Figures]], paced: dict[str, list[Figures]], rate: float) -> None:
    """Ours / baseline, round by round and over all rounds, against the targets: capacity on
    completed requests (reply arrived), paced on the ack's p99; the paced reply p99 for information."""
    print("\nOurs / baseline, this run (ratios of the same run's figures)")
    print(
        f"  {'capacity, closed loop (completed/s)':38s}{'ours mix':>10s}{'ours show':>11s}{'baseline':>10s}"
        f"{'mix/base':>10s}{'show/base':>11s}"
    )
    rows = list(zip(capacity["ours"], capacity["ours-show"], capacity["baseline"], strict=True))
    for i, (mix, show, base) in enumerate(rows, 1):
        print(
            f"  {'round ' + str(i):38s}{mix.throughput:10.1f}{show.throughput:11.1f}{base.throughput:10.1f}"
            f"{mix.throughput / base.throughput:10.2f}{show.throughput / base.throughput:11.2f}"
        )
    mean = {name: statistics.mean(f.throughput for f in runs) for name, runs in capacity.items()}
    mix_ratio, show_ratio = mean["ours"] / mean["baseline"], mean["ours-show"] / mean["baseline"]
    print(
        f"  {'mean of the rounds':38s}{mean['ours']:10.1f}{mean['ours-show']:11.1f}{mean['baseline']:10.1f}"
        f"{mix_ratio:10.2f}{show_ratio:11.2f}"
    )
    missing = {name: sum(f.missing for f in runs) for name, runs in capacity.items()}
    print(
        f"  replies timed out ({REPLY_TIMEOUT:g} s): ours mix {missing['ours']}, ours show"
        f" {missing['ours-show']}, baseline {missing['baseline']}"
    )
    if "floor" in capacity:
        floors = capacity["floor"]
        per_round = ", ".join(
            f"{f.throughput:.1f}/s = {f.throughput / b.throughput:.2f}x"
            for f, b in zip(floors, capacity["baseline"], strict=True)
        )
        print(
            f"  conventions' floor (bare app written as CONVENTIONS.md asks): {per_round};"
            f" mean {mean['floor'] / mean['baseline']:.2f}x the baseline; ours mix"
            f" {mean['ours'] / mean['floor']:.2f}x, show {mean['ours-show'] / mean['floor']:.2f}x the floor"
        )
    verdict = "met" if mix_ratio >= CAPACITY_TARGET else "NOT met"
    print(
        f"  target: capacity >= {CAPACITY_TARGET}x the baseline -> mix {mix_ratio:.2f}x: {verdict};"
        f" show only {show_ratio:.2f}x: {'met' if show_ratio >= CAPACITY_TARGET else 'NOT met'}"
    )
    print(
        f"  {'paced ' + format(rate, '.0f') + ' req/s, ms: p99 (p50)':38s}{'ours ack':>16s}{'base ack':>16s}"
        f"{'ack p99 o/b':>13s}{'ours reply':>16s}{'base reply':>16s}{'reply p99 o/b':>15s}"
    )
    for i, (ours, base) in enumerate(zip(paced["ours"], paced["baseline"], strict=True), 1):
        print(
            f"  {'round ' + str(i):38s}{ours.p99:9.1f} ({ours.p50:4.1f}){base.p99:9.1f} ({base.p50:4.1f})"
            f"{ours.p99 / base.p99:13.2f}{ours.answer_p99:9.1f} ({ours.answer_p50:4.1f})"
            f"{base.answer_p99:9.1f} ({base.answer_p50:4.1f}){ours.answer_p99 / base.answer_p99:15.2f}"
        )
    acks = {name: [v for f in runs for v in f.latencies_ms] for name, runs in paced.items()}
    answers = {name: [v for f in runs for v in f.answers_ms] for name, runs in paced.items()}
    ours_p99, base_p99 = pct(acks["ours"], 0.99), pct(acks["baseline"], 0.99)
    ours_r99, base_r99 = pct(answers["ours"], 0.99), pct(answers["baseline"], 0.99)
    print(
        f"  {'all rounds pooled':38s}{ours_p99:9.1f} ({median(acks['ours']):4.1f})"
        f"{base_p99:9.1f} ({median(acks['baseline']):4.1f}){ours_p99 / base_p99:13.2f}"
        f"{ours_r99:9.1f} ({median(answers['ours']):4.1f})"
        f"{base_r99:9.1f} ({median(answers['baseline']):4.1f}){ours_r99 / base_r99:15.2f}"
    )
    missing = {name: sum(f.missing for f in runs) for name, runs in paced.items()}
    print(
        f"  paced replies missing (none within {REPLY_TIMEOUT:g} s): ours {missing['ours']},"
        f" baseline {missing['baseline']}"
    )
    print(
        f"  target: paced ack p99 no worse than the baseline's -> {ours_p99 / base_p99:.2f}x:"
        f" {'met' if ours_p99 <= base_p99 else 'NOT met'}; reply p99 {ours_r99 / base_r99:.2f}x (no target)"
    )

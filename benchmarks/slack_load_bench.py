"""The measuring half of benchmarks/slack_load.py: run a Job on the client processes, print its
figures, and compare ours with the baseline."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from slack_load_support import (
    KINDS,
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
    """What one load phase measured."""

    throughput: float
    requests: int
    non_200: int
    late: int
    latencies_ms: list[float]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms)

    @property
    def p99(self) -> float:
        return pct(self.latencies_ms, 0.99)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


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
        """First auth.test per worker, pool connections, prepared statements."""
        payloads = Payloads(SECRET, ResponseUrls(self.fake_url, f"warm-{server.name}"))  # type: ignore[arg-type]
        client = Client(server.port)
        kinds = KINDS if server.name == "ours" else ("show",)
        for kind in kinds:
            for n in range(10):
                client.post(request_for(kind, payloads, users[0], data[users[0]][n], n))
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
        # The clients end with their last answer, so this is the phase's real length: when the
        # server cannot keep up with a paced rate, answers arrive after the schedule has ended.
        start_at = min(r.scheduled for r in results) if results else began
        answered_for = max(
            job.duration, max((r.scheduled + r.latency for r in results), default=0) - start_at
        )
        after, elapsed = self.cpu(server), time.monotonic() - began
        time.sleep(1)  # post-ack work of the last requests
        errors = self.ask_fake("errors") - errors_before
        ok = [r for r in results if r.status == 200]
        figures = Figures(
            throughput=len(results) / answered_for,
            requests=len(results),
            non_200=len(results) - len(ok),
            late=sum(r.latency > SLACK_ACK_WINDOW for r in ok),
            latencies_ms=[r.latency * 1000 for r in ok],
        )
        print(f"\n{title}")
        print(
            f"  requests: {len(results)} answered in {answered_for:.1f} s"
            f" = {figures.throughput:.1f} requests/s;"
            f" non-200: {figures.non_200}; acks over 3 s: {figures.late};"
            f" errors shown to users after the ack: {errors}"
        )
        print(f"  {'kind':8s}{'n':>7s}{'p50 ms':>9s}{'p95 ms':>9s}{'p99 ms':>9s}{'max ms':>9s}")
        kinds = sorted({r.kind for r in results})
        for kind in [*kinds, "all"] if len(kinds) > 1 else kinds:
            ms = [r.latency * 1000 for r in ok if kind in ("all", r.kind)]
            if ms:
                print(
                    f"  {kind:8s}{len(ms):7d}{statistics.median(ms):9.1f}{pct(ms, 0.95):9.1f}"
                    f"{pct(ms, 0.99):9.1f}{max(ms):9.1f}"
                )
        used = {name: after[name] - before[name] for name in after}
        ours = sum(v for name, v in used.items() if name != "machine")
        per = max(1, len(results))
        parts = [f"{name} {used[name] * 1000 / per:.1f}" for name in used if name != "machine"]
        parts.append(f"other {max(0.0, used['machine'] - ours) * 1000 / per:.1f}")
        busy = used["machine"] / elapsed * 100
        print(f"  CPU ms per request: {', '.join(parts)}; machine busy {busy:.0f}% of one core")
        return figures


def ratio_report(capacity: dict[str, list[Figures]], paced: dict[str, list[Figures]], rate: float) -> None:
    """Ours / baseline, round by round and over all rounds, against the targets."""
    print("\nOurs / baseline, this run (ratios of the same run's figures)")
    print(
        f"  {'capacity, closed loop (req/s)':34s}{'ours mix':>10s}{'ours show':>11s}{'baseline':>10s}"
        f"{'mix/base':>10s}{'show/base':>11s}"
    )
    rows = list(zip(capacity["ours"], capacity["ours-show"], capacity["baseline"], strict=True))
    for i, (mix, show, base) in enumerate(rows, 1):
        print(
            f"  {'round ' + str(i):34s}{mix.throughput:10.1f}{show.throughput:11.1f}{base.throughput:10.1f}"
            f"{mix.throughput / base.throughput:10.2f}{show.throughput / base.throughput:11.2f}"
        )
    mean = {name: statistics.mean(f.throughput for f in runs) for name, runs in capacity.items()}
    mix_ratio, show_ratio = mean["ours"] / mean["baseline"], mean["ours-show"] / mean["baseline"]
    print(
        f"  {'mean of the rounds':34s}{mean['ours']:10.1f}{mean['ours-show']:11.1f}{mean['baseline']:10.1f}"
        f"{mix_ratio:10.2f}{show_ratio:11.2f}"
    )
    verdict = "met" if mix_ratio >= CAPACITY_TARGET else "NOT met"
    print(
        f"  target: capacity >= {CAPACITY_TARGET}x the baseline -> mix {mix_ratio:.2f}x: {verdict};"
        f" show only {show_ratio:.2f}x: {'met' if show_ratio >= CAPACITY_TARGET else 'NOT met'}"
    )
    print(
        f"  {'paced ' + format(rate, '.0f') + ' req/s, p99 ms (p50)':34s}{'ours mix':>16s}{'baseline':>16s}"
        f"{'p99 ours/base':>15s}"
    )
    for i, (ours, base) in enumerate(zip(paced["ours"], paced["baseline"], strict=True), 1):
        print(
            f"  {'round ' + str(i):34s}{ours.p99:9.1f} ({ours.p50:4.1f}){base.p99:9.1f} ({base.p50:4.1f})"
            f"{ours.p99 / base.p99:15.2f}"
        )
    pooled = {name: [v for f in runs for v in f.latencies_ms] for name, runs in paced.items()}
    ours_p99, base_p99 = pct(pooled["ours"], 0.99), pct(pooled["baseline"], 0.99)
    print(
        f"  {'all rounds pooled':34s}{ours_p99:9.1f} ({statistics.median(pooled['ours']):4.1f})"
        f"{base_p99:9.1f} ({statistics.median(pooled['baseline']):4.1f}){ours_p99 / base_p99:15.2f}"
    )
    print(
        f"  target: paced p99 no worse than the baseline's -> {ours_p99 / base_p99:.2f}x:"
        f" {'met' if ours_p99 <= base_p99 else 'NOT met'}"
    )

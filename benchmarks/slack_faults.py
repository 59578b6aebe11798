"""The fault phases of benchmarks/slack_load.py: PostgreSQL frozen, and Slack's Web API slow.

Frozen: every process of the embedded PostgreSQL that slack_load.py started gets SIGSTOP for
`frozen` seconds in the middle of a paced run (what a stalled disk, a hung VM or a network
partition looks like from the app: connections stay open and nothing answers). The processes
always get SIGCONT, also when the run fails.

Each request is then one of: served (a reply without an error went to its response_url), told
(the ack's body or a reply said the CRM is temporarily unavailable / did not confirm), or neither,
from what the fake Web API recorded by the end (SETTLE s after the clients stopped waiting for
replies). Beside that, the clients' own timing: "answered within 10 s" counts the requests whose
ack carried the answer, or whose reply reached the fake, within REPLY_TIMEOUT of the scheduled
instant; reply latency is from the scheduled instant to that reply (Result.answered).

Slow Slack: the fake Web API answers every call `latency` s late, response_url posts too (a reply
counts as arrived when the fake records it, after the delay). The paced clients never wait for
replies, so only the acks are in the schedule; the replies are counted and timed the same way.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter

from slack_load_bench import SLACK_ACK_WINDOW, Bench, Server, median, pct
from slack_load_support import REPLY_TIMEOUT, Job, Result, process_tree

BEFORE, AFTER = 5.0, 10.0  # seconds of the paced run before and after the freeze
# Seconds after the clients' results (which come once every reply arrived or timed out) before the
# fake's records are read: a reply's one retry.
SETTLE = 1.0


def _stop_and_continue(pids: list[int], at: float, frozen: float, window: dict) -> None:
    time.sleep(max(0.0, at - time.monotonic()))
    try:
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        window["start"] = time.monotonic()
        time.sleep(frozen)
    finally:
        for pid in pids:
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
        window["end"] = time.monotonic()


def _classify(results: list[Result], replies: dict[str, list[int]]) -> Counter:
    out: Counter = Counter()
    for r in results:
        sent, unavailable = replies.get(r.response_path, (0, 0))
        out["requests"] += 1
        out["non-200"] += r.status != 200
        out["acked after 3 s"] += r.latency > SLACK_ACK_WINDOW
        out["server took over 3 s"] += r.service > SLACK_ACK_WINDOW
        told = r.ack_unavailable or unavailable > 0
        out["told unavailable"] += told
        out["told in a 3 s ack"] += r.ack_unavailable and r.latency <= SLACK_ACK_WINDOW
        out["served"] += not told and sent > unavailable
        out["neither served nor told"] += not told and sent <= unavailable
        out[f"answered within {REPLY_TIMEOUT:g} s"] += r.answered is not None
    return out


def _print_counts(label: str, counts: Counter, results: list[Result]) -> None:
    keys = (
        "requests",
        "non-200",
        "acked after 3 s",
        "server took over 3 s",
        "told unavailable",
        "told in a 3 s ack",
        "served",
        "neither served nor told",
        f"answered within {REPLY_TIMEOUT:g} s",
    )
    print(f"  {label}: " + "; ".join(f"{key} {counts[key]}" for key in keys))
    ms = [r.latency * 1000 for r in results if r.status == 200]
    answers = [r.answered * 1000 for r in results if r.answered is not None]
    if ms:
        print(f"    ack latency ms: p50 {median(ms):.0f}, p99 {pct(ms, 0.99):.0f}, max {max(ms):.0f}")
    if answers:
        print(
            f"    reply latency ms (or the ack's, when it carried the answer): p50 {median(answers):.0f},"
            f" p99 {pct(answers, 0.99):.0f}, max {max(answers):.0f}"
        )


def with_database_frozen(
    bench: Bench, server: Server, postmaster: int, *, rate: float, frozen: float
) -> None:
    """A paced run at `rate` with PostgreSQL stopped for `frozen` s after the first BEFORE s."""
    time.sleep(2)
    pids = process_tree(postmaster)
    job = Job("paced", server.port, BEFORE + frozen + AFTER, rate=rate)
    window: dict[str, float] = {}
    freezer: list[threading.Thread] = []

    def started(start_at: float) -> None:
        thread = threading.Thread(target=_stop_and_continue, args=(pids, start_at + BEFORE, frozen, window))
        thread.start()
        freezer.append(thread)

    try:
        results = bench.run_job(job, started)
    finally:
        for thread in freezer:
            thread.join()
    time.sleep(SETTLE)
    replies = bench.ask_fake("replies")
    during = [r for r in results if window["start"] <= r.scheduled < window["end"]]
    outside = [r for r in results if not window["start"] <= r.scheduled < window["end"]]
    print(
        f"\nDatabase frozen: {server.name}, paced {rate:.0f} requests/s for {job.duration:.0f} s;"
        f" {len(pids)} PostgreSQL processes stopped (SIGSTOP) for {window['end'] - window['start']:.1f} s"
        f" from t={window['start'] - min(r.scheduled for r in results):.1f} s"
    )
    _print_counts("scheduled while frozen", _classify(during, replies), during)
    _print_counts("scheduled before or after", _classify(outside, replies), outside)
    late = [r for r in results if r.latency > SLACK_ACK_WINDOW]
    if late:
        first = min(r.scheduled for r in results)
        print(
            f"    acked after 3 s: scheduled from t={min(r.scheduled for r in late) - first:.1f} s"
            f" to t={max(r.scheduled for r in late) - first:.1f} s"
        )
    counts = _classify(results, replies)
    print(
        f"  target: 0 acked after 3 s -> {counts['acked after 3 s']}:"
        f" {'met' if counts['acked after 3 s'] == 0 else 'NOT met'};"
        f" every user told or served -> {counts['neither served nor told']} neither:"
        f" {'met' if counts['neither served nor told'] == 0 else 'NOT met'}"
        f" ({counts[f'answered within {REPLY_TIMEOUT:g} s']} of {counts['requests']} answered"
        f" within {REPLY_TIMEOUT:g} s)"
    )


def slow_slack(bench: Bench, server: Server, *, rate: float, latency: float, duration: float) -> None:
    """A paced run while the fake Web API answers every call `latency` s late."""
    time.sleep(2)
    bench.ask_fake("latency", latency)
    try:
        job = Job("paced", server.port, duration, rate=rate)
        results = bench.run_job(job)
        time.sleep(SETTLE)
        replies = bench.ask_fake("replies")
    finally:
        bench.ask_fake("latency", 0.0)
    ok = [r for r in results if r.status == 200]
    late = sum(r.latency > SLACK_ACK_WINDOW for r in ok)
    at_fake = sum(replies.get(r.response_path, (0, 0))[0] > 0 for r in results)
    ms = [r.latency * 1000 for r in ok]
    answers = [r.answered * 1000 for r in ok if r.answered is not None]
    print(
        f"\nSlack slow: {server.name}, every Web API call and response_url answered after {latency:g} s;"
        f" paced {rate:.0f} requests/s for {duration:.0f} s"
    )
    print(
        f"  requests {len(results)}; non-200 {len(results) - len(ok)}; acks after 3 s {late};"
        f" ack p50 {median(ms):.1f} ms, p99 {pct(ms, 0.99):.1f} ms, max {max(ms, default=0):.1f} ms"
    )
    print(
        f"  replies within {REPLY_TIMEOUT:g} s of the scheduled send: {len(answers)} of {len(results)};"
        f" reply p50 {median(answers):.0f} ms, p99 {pct(answers, 0.99):.0f} ms,"
        f" max {max(answers, default=0):.0f} ms; received by the fake by the end: {at_fake}"
    )
    print(f"  target: 0 late acks -> {late}: {'met' if late == 0 else 'NOT met'}")

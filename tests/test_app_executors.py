"""bot.app.Executors: a process that stops finishes what it acknowledged — the queued work first,
then the replies that work queued (bot/server.py calls shutdown() in gunicorn's worker_exit and when
Socket Mode stops)."""

from __future__ import annotations

import threading

from bot.app import Executors


def test_shutdown_finishes_queued_work_and_then_the_replies_it_queued():
    executors = Executors.new()
    gate = threading.Event()
    replied: list[int] = []

    def work(n: int) -> None:
        gate.wait(5)  # still running (or queued) when shutdown() is called
        executors.background.submit(replied.append, n)  # the reply, queued after the commit

    for n in range(12):  # more than the work threads: some wait in the queue
        executors.work.submit(work, n)
    threading.Timer(0.2, gate.set).start()
    executors.shutdown()

    assert sorted(replied) == list(range(12))

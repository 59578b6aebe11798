"""App Home refresh: at most one publish per user per interval, the latest state at its end."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import update

from crm.models import Relationship
from handlers.home_refresh import HomePublisher, HomeTarget


def _pipeline(call) -> str:
    return repr(call.view["blocks"])


def _set_status(crm, relationship: Relationship, status: str) -> None:
    with crm.session() as db:
        db.execute(update(Relationship).where(Relationship.id == relationship.id).values(status=status))


@pytest.fixture
def alice_and_maya(crm):
    alice = crm.user(display_name="Alice")
    return alice, crm.relationship("maya", status="saved")


def test_a_burst_of_changes_after_a_publish_publishes_once_the_last_state(
    slack_app, crm, fake_slack, alice_and_maya
):
    alice, maya = alice_and_maya
    publisher = HomePublisher(slack_app.app.client, slack_app.engine, min_interval=600.0)
    try:
        publisher.request(HomeTarget.of(alice))  # no publish before: at once
        publisher.drain()
        assert len(fake_slack.calls_to("views.publish")) == 1
        for status in ("contacted", "warm", "partnered"):
            _set_status(crm, maya, status)
            publisher.request(HomeTarget.of(alice))
        # One refresh waits for the end of the interval; nothing more is published meanwhile.
        assert (publisher.pending, publisher.waiting) == (1, 1)
        assert len(fake_slack.calls_to("views.publish")) == 1
        publisher.drain()  # publishes the waiting refresh now rather than in ten minutes
        first, last = fake_slack.calls_to("views.publish")
        assert "*Saved*\\n1" in _pipeline(first)
        assert "*Partnered*\\n1" in _pipeline(last) and "*Warm*\\n0" in _pipeline(last)
        assert (publisher.pending, publisher.waiting) == (0, 0)
    finally:
        publisher.shutdown()


def test_a_refresh_within_the_interval_waits_for_its_end_and_one_after_it_goes_at_once(
    slack_app, crm, fake_slack, alice_and_maya
):
    alice, maya = alice_and_maya
    interval = 1.0
    publisher = HomePublisher(slack_app.app.client, slack_app.engine, min_interval=interval)
    try:
        started = time.monotonic()
        publisher.request(HomeTarget.of(alice))
        publisher.drain()
        _set_status(crm, maya, "warm")
        publisher.request(HomeTarget.of(alice))
        assert publisher.waiting == 1  # within the interval
        deadline = time.monotonic() + 10
        while publisher.pending and time.monotonic() < deadline:  # no drain(): the timer releases it
            time.sleep(0.02)
        assert publisher.pending == 0
        _, second = fake_slack.calls_to("views.publish")
        assert time.monotonic() - started >= interval  # the second waited out the interval
        assert "*Warm*\\n1" in _pipeline(second)

        time.sleep(interval)  # the interval since the last publish is over
        _set_status(crm, maya, "cold")
        publisher.request(HomeTarget.of(alice))
        assert publisher.waiting == 0  # queued at once
        publisher.drain()
        assert "*Cold*\\n1" in _pipeline(fake_slack.calls_to("views.publish")[-1])
        assert len(fake_slack.calls_to("views.publish")) == 3
    finally:
        publisher.shutdown()


def test_shutdown_publishes_the_waiting_refreshes_or_drops_them(slack_app, crm, fake_slack, alice_and_maya):
    alice, _ = alice_and_maya
    for wait, publishes in ((True, 2), (False, 1)):
        before = len(fake_slack.calls_to("views.publish"))
        publisher = HomePublisher(slack_app.app.client, slack_app.engine, min_interval=600.0)
        publisher.request(HomeTarget.of(alice))
        publisher.drain()
        publisher.request(HomeTarget.of(alice))
        assert publisher.waiting == 1
        publisher.shutdown(wait=wait)
        assert publisher.pending == 0
        assert len(fake_slack.calls_to("views.publish")) - before == publishes

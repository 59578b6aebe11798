"""A user's Slack profile on first sight: users.info once, after the ack, and the follow-up at 09:00 local."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from crm.models import Influencer, Relationship, User
from handlers.profiles import ProfileFetcher, store_profile
from tests.handlers.conftest import USER_ID as ALICE
from tests.handlers.conftest import Crm, Run

NEW_YORK = ZoneInfo("America/New_York")


def _nine_tomorrow(tz: ZoneInfo, before: datetime, after: datetime) -> set[datetime]:
    """09:00 tomorrow in `tz`, for "today" read before and after the request (midnight may pass)."""
    days = {before.astimezone(tz).date(), after.astimezone(tz).date()}
    return {datetime.combine(d + timedelta(days=1), time(9), tz) for d in days}


def _follow_up_of(crm: Crm, handle: str) -> datetime:
    maya = crm.one(Influencer, Influencer.handle == handle)
    return crm.one(Relationship, Relationship.influencer_id == maya.id).follow_up_date


def test_first_command_asks_slack_once_and_the_follow_up_is_9am_in_the_users_zone(run, crm, fake_slack):
    fake_slack.set_user(ALICE, tz="America/New_York", display_name="Alice A", is_owner=True)
    crm.relationship("maya")  # seeded: the user exists, but Slack was never asked about them
    before = datetime.now(UTC)
    sent = run.command("followup @maya tomorrow")
    after = datetime.now(UTC)

    assert [c.params["user"] for c in sent.to("users.info")] == [ALICE]
    assert "Follow up with" in sent.text
    assert _follow_up_of(crm, "maya") in _nine_tomorrow(NEW_YORK, before, after)
    alice = crm.one(User, User.slack_user_id == ALICE)
    assert (alice.timezone, alice.display_name, alice.is_admin) == ("America/New_York", "Alice A", True)

    again = run.command("followup @maya in 2 days")
    assert not again.to("users.info")  # known now: no Web API call


def test_a_brand_new_user_is_created_and_looked_up_in_the_same_request(run, crm, fake_slack):
    fake_slack.set_user("UNEW000001", tz="Asia/Tokyo", real_name="Nao", display_name="")
    sent = run.command("add @maya", user_id="UNEW000001")
    assert "Added" in sent.text and len(sent.to("users.info")) == 1
    nao = crm.one(User, User.slack_user_id == "UNEW000001")
    assert (nao.timezone, nao.display_name, nao.is_admin) == ("Asia/Tokyo", "Nao", False)


def test_a_slow_users_info_costs_the_first_request_its_timeout_then_the_workspace_zone(
    slack_app, crm, fake_slack
):
    """users.info is asked before the transaction, bounded by PROFILE_TIMEOUT: the ack never
    waits for it, and when it does not answer the command goes on in the workspace zone (UTC here)."""
    fake_slack.set_user(ALICE, tz="America/New_York")
    crm.relationship("maya")
    fake_slack.hold("users.info")
    try:
        response = slack_app.dispatch(slack_app.payloads.command("followup @maya tomorrow"))
        assert response.status == 200  # acknowledged while users.info is still unanswered
        slack_app.executor.drain()  # the command finished, users.info still unanswered
    finally:
        fake_slack.release()
    slack_app.drain()
    assert _follow_up_of(crm, "maya").astimezone(UTC).time() == time(9)
    assert crm.one(User, User.slack_user_id == ALICE).display_name is None  # asked again later


def test_users_info_failing_keeps_the_workspace_zone_and_the_command_works(
    slack_app_factory, fake_slack, caplog
):
    slack = slack_app_factory(timezone="Europe/Berlin")  # CRM_TIMEZONE
    run, crm = Run(slack), Crm(slack)
    fake_slack.fail("users.info", status=500, times=None)
    before = datetime.now(UTC)
    with caplog.at_level(logging.WARNING, logger="handlers.profiles"):
        run.command("add @maya")
        sent = run.command("followup @maya tomorrow")
    after = datetime.now(UTC)

    assert "Follow up with" in sent.text
    assert _follow_up_of(crm, "maya") in _nine_tomorrow(ZoneInfo("Europe/Berlin"), before, after)
    alice = crm.one(User, User.slack_user_id == ALICE)
    assert (alice.timezone, alice.display_name) == ("Europe/Berlin", None)  # asked again later
    assert "users.info failed" in caplog.text
    # One failed look-up, not one per request: the fetcher waits before asking about Alice again.
    assert len(fake_slack.calls_to("users.info")) == 1


def test_a_zone_this_system_does_not_know_keeps_the_default_but_stores_the_name(run, crm, fake_slack):
    fake_slack.set_user(ALICE, tz="Mars/Olympus_Mons", tz_offset=0, display_name="Alice")
    run.command("add @maya")
    alice = crm.one(User, User.slack_user_id == ALICE)
    assert (alice.timezone, alice.display_name) == ("UTC", "Alice")
    assert not run.command("show @maya").to("users.info")


def test_a_home_tab_opened_first_is_drawn_in_the_users_zone(run, crm, fake_slack):
    fake_slack.set_user(ALICE, tz="Asia/Tokyo")
    sent = run.send(run.payloads.app_home_opened())
    assert len(sent.to("users.info")) == 1 and len(sent.to("views.publish")) == 1
    assert crm.one(User, User.slack_user_id == ALICE).timezone == "Asia/Tokyo"


def test_the_fetcher_asks_again_only_after_its_wait(db, fake_slack):
    from slack_sdk import WebClient

    from tests.factories import make_user

    client = WebClient(base_url=fake_slack.api_url, token="xoxb-test")
    user = make_user(db, slack_user_id="UWAIT00001")
    now = [0.0]
    fetcher = ProfileFetcher(retry_after=600, clock=lambda: now[0])
    fake_slack.fail("users.info", error="ratelimited", times=1)

    assert fetcher.look_up(client, user) is None  # fails
    assert fetcher.look_up(client, user) is None  # within the wait: not asked
    assert len(fake_slack.calls_to("users.info")) == 1 and user.display_name is None
    now[0] = 601.0
    info = fetcher.look_up(client, user)  # asked again, and it works
    store_profile(db, user, info)
    assert fetcher.look_up(client, user) is None  # known: not asked
    assert len(fake_slack.calls_to("users.info")) == 2 and user.display_name == "uwait00001"

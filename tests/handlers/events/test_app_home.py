"""App Home: published on app_home_opened with the viewer's own dashboard, and after their changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crm.models import Influencer, Relationship
from handlers.ids import Action
from tests.handlers.conftest import USER_ID

BOB = "UBOB000001"


def test_home_shows_my_dashboard_and_nobody_elses(run, crm):
    now = datetime.now(UTC)
    crm.relationship("late", name="Late Larry", follow_up_date=now - timedelta(days=2), status="warm")
    crm.relationship("strong", name="Strong Sue", relationship_strength=90, status="partnered")
    crm.relationship("secret", name="Bobs Secret", user=BOB, relationship_strength=99)
    sent = run.send(run.payloads.app_home_opened())
    (publish,) = sent.to("views.publish")
    assert publish.params["user_id"] == USER_ID
    view = publish.view
    text = repr(view["blocks"])
    assert view["type"] == "home"
    assert "Late Larry" in text and "Follow-ups due today* (1, overdue)" in text and "Strong Sue" in text
    assert "· Warm · due" in text  # the status as a word, never "None"
    assert "Bobs Secret" not in text
    assert "*Partnered*\\n1" in text
    buttons = [e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == [Action.HOME_ADD_INFLUENCER, Action.HOME_LOG_INTERACTION, Action.HOME_NEW_CAMPAIGN]


def test_the_heading_counts_agree_with_the_rows(run, crm):
    """Every row marked "(overdue)" is counted as overdue: a follow-up whose time passed a minute ago
    is overdue even though it is due today (the heading said "(2, 1 overdue)")."""
    now = datetime.now(UTC)
    crm.relationship("late", follow_up_date=now - timedelta(days=2))
    crm.relationship("minute", follow_up_date=now - timedelta(minutes=1))
    crm.relationship("far", follow_up_date=now + timedelta(days=3))
    blocks = run.send(run.payloads.app_home_opened()).to("views.publish")[0].view["blocks"]
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]
    rows = [t for t in texts if " · due " in t]
    assert len(rows) == 2 and all(t.endswith("(overdue)") for t in rows)
    assert "*Follow-ups due today* (2, all overdue)" in texts


def test_most_neglected_shows_how_long_each_went_without_contact(run, crm):
    now = datetime.now(UTC)
    crm.relationship("mid", name="Mid", status="warm", priority=5, last_contacted_at=now - timedelta(days=40))
    crm.relationship("old", name="Old", status="warm", priority=0, last_contacted_at=now - timedelta(days=90))
    blocks = run.send(run.payloads.app_home_opened()).to("views.publish")[0].view["blocks"]
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]
    (neglected,) = [t for t in texts if t.startswith("*Most neglected*")]
    assert neglected.index("*Old*") < neglected.index("*Mid*")
    assert "*Old* (@old · Instagram) · no contact for 90 days" in neglected
    assert "no contact for 40 days" in neglected


def test_other_tabs_and_event_retries_publish_nothing(run):
    assert not run.send(run.payloads.app_home_opened(tab="messages")).to("views.publish")
    assert not run.send(run.payloads.app_home_opened(retry_num=1)).to("views.publish")


def test_home_is_republished_after_each_change_i_make(run, crm):
    crm.relationship("maya", name="Maya Lopez")
    sent = run.command("status @maya partnered")
    (publish,) = sent.to("views.publish")
    assert publish.params["user_id"] == USER_ID and "*Partnered*\\n1" in repr(publish.view["blocks"])


def test_a_failing_views_publish_does_not_undo_the_change(run, crm, fake_slack):
    crm.relationship("maya")
    fake_slack.fail("views.publish", error="internal_error")
    sent = run.command("status @maya warm")
    assert "is now *warm*" in sent.text
    assert sent.to("views.publish")[0].status != 200 or not sent.to("views.publish")[0].response.get("ok")
    maya = crm.one(Influencer, Influencer.handle == "maya")
    assert crm.one(Relationship, Relationship.influencer_id == maya.id).status == "warm"


def test_home_log_button_opens_an_empty_log_modal(run):
    home = run.send(run.payloads.app_home_opened()).to("views.publish")[0].response["view"]
    view = run.click(Action.HOME_LOG_INTERACTION, view=home).opened
    assert view["callback_id"] == "interaction-log-submit"

"""`/crm cadence` and `/crm admin cadence` end to end: signed requests through the real app, the
database checked after each, refusals name the wrong words and change nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crm.models import CadenceDefault, Interaction, Relationship
from crm.strength import score
from handlers.ids import Field, FollowUpAction


def cadence_of(crm, rel) -> int | None:
    return crm.one(Relationship, Relationship.id == rel.id).cadence_days


@pytest.mark.parametrize(
    ("typed", "days"), [("2w", 14), ("3 weeks", 21), ("every other week", 14), ("1y", 365)]
)
def test_set_it(run, crm, typed, days):
    maya = crm.relationship("maya", name="Maya Lopez", status="warm")
    sent = run.command(f"cadence @maya {typed}")
    assert cadence_of(crm, maya) == days
    assert "Contact *Maya Lopez* every" in sent.text


def test_setting_it_answers_with_the_follow_up_it_schedules(run, crm):
    contacted = datetime.now(UTC) - timedelta(days=2)
    maya = crm.relationship("maya", name="Maya Lopez", status="warm", last_contacted_at=contacted)
    sent = run.command("cadence @maya 3w")
    rel = crm.one(Relationship, Relationship.id == maya.id)
    assert rel.follow_up_from_cadence and rel.follow_up_date > datetime.now(UTC) + timedelta(days=18)
    assert "Next follow-up: *" in sent.text and "(from your last contact)." in sent.text
    never = crm.relationship("ben", name="Ben", status="warm")  # no contact yet: nothing to count from
    assert "Next follow-up" not in run.command("cadence @ben 3w").text
    assert crm.one(Relationship, Relationship.id == never.id).follow_up_date is None


def test_a_name_of_several_words_then_the_cadence(run, crm):
    maya = crm.relationship("maya", name="Maya Lopez")
    run.command("cadence Maya Lopez 10 days")
    assert cadence_of(crm, maya) == 10


def test_a_name_ending_in_a_unit_word_is_a_name(run, crm):
    anna = crm.relationship("annaday", name="Anna Day", status="warm", cadence_days=21)
    shown = run.command("cadence Anna Day")
    assert "*Anna Day*: contact every 3 weeks." in shown.text
    assert cadence_of(crm, anna) == 21


def test_show_then_off(run, crm):
    maya = crm.relationship("maya", name="Maya Lopez", status="warm", cadence_days=14)
    shown = run.command("cadence @maya")
    assert "contact every 2 weeks" in shown.text and "Last contact: never" in shown.text
    assert cadence_of(crm, maya) == 14
    off = run.command("cadence @maya off")
    assert cadence_of(crm, maya) is None
    assert "No cadence for *Maya Lopez* any more" in off.text
    again = run.command("cadence @maya")
    assert "has no cadence" in again.text and "going cold after 30 days" in again.text


@pytest.mark.parametrize(
    ("typed", "named"),
    [
        ("2x", "“2x”"),
        ("soonish", "“soonish”"),
        ("0d", "“0d”"),
        ("2y", "“2y”"),
        ("400 days", "“400 days”"),
        ("2 fortnights", "“2 fortnights”"),
        ("every blue moon", "“every blue moon”"),
    ],
)
def test_wrong_cadences_are_refused_naming_the_words_and_nothing_changes(run, crm, typed, named):
    maya = crm.relationship("maya", name="Maya Lopez", cadence_days=7)
    sent = run.command(f"cadence @maya {typed}")
    text = sent.reply.params["text"]
    assert named in text and "2w" in text  # the words, and an example
    assert cadence_of(crm, maya) == 7


def test_a_mistyped_cadence_gives_the_command_as_meant(run, crm):
    maya = crm.relationship("maya", name="Maya Lopez", cadence_days=7)
    text = run.command('cadence "Maya Lopez" every 2 wekks').reply.params["text"]
    meant = '/crm cadence "Maya Lopez" every 2 weeks'
    assert f"“every 2 wekks” is not a cadence I understand. Did you mean “every 2 weeks”? {meant}" in text
    assert cadence_of(crm, maya) == 7
    assert "every 2 weeks" in run.command(meant.removeprefix("/crm ")).text
    assert cadence_of(crm, maya) == 14


def test_someone_else_is_not_found_and_unknown_creators_say_so(run, crm):
    crm.relationship("maya", user="UOTHER0001")  # maya is on someone else's list only
    sent = run.command("cadence @maya 2w")
    assert "isn't on your list" in sent.reply.params["text"]
    assert "@nobody" in run.command("cadence @nobody 2w").reply.params["text"]


def test_admin_sets_status_defaults_and_a_contact_then_schedules_by_it(run, crm):
    crm.user("UADMIN0001", display_name="Admin")  # CRM_ADMIN_USER_IDS in the test settings
    maya = crm.relationship("maya", name="Maya Lopez", status="warm")
    sent = run.command("admin cadence warm 3w", user_id="UADMIN0001")
    assert "*Warm* relationships: contact every 3 weeks" in sent.text
    assert crm.one(CadenceDefault, CadenceDefault.status == "warm").cadence_days == 21
    listing = run.command("admin cadence", user_id="UADMIN0001")
    assert "*warm*: every 3 weeks" in listing.text and "*partnered*: no cadence" in listing.text
    assert "(the workspace default for warm)" in run.command("cadence @maya").text
    wrong = run.command("admin cadence lukewarm 3w", user_id="UADMIN0001").reply.params["text"]
    assert "“lukewarm” is not a status" in wrong
    assert (
        "“3 fortnights”"
        in run.command("admin cadence warm 3 fortnights", user_id="UADMIN0001").reply.params["text"]
    )
    assert crm.one(CadenceDefault, CadenceDefault.status == "warm").cadence_days == 21
    run.command("admin cadence warm off", user_id="UADMIN0001")
    assert crm.count(CadenceDefault) == 0
    assert cadence_of(crm, maya) is None


def test_admin_cadence_is_refused_to_everyone_else(run, crm):
    crm.user(display_name="Alice")
    sent = run.command("admin cadence warm 3w")
    assert "Only CRM admins can set the workspace's default cadences." in sent.text
    assert crm.count(CadenceDefault) == 0


def test_the_card_shows_what_drives_the_strength(run, crm):
    maya = crm.relationship("maya", name="Maya Lopez", status="warm")
    now = datetime.now(UTC)
    items = [
        ("meeting", now - timedelta(days=3)),
        ("email", now - timedelta(days=5)),
        ("call", now - timedelta(days=120)),
    ]
    with crm.session() as db:
        for kind, when in items:
            db.add(
                Interaction(
                    user_id=maya.user_id, influencer_id=maya.influencer_id, type=kind, interaction_date=when
                )
            )
        db.get(Relationship, maya.id).last_contacted_at = now - timedelta(days=3)
    sent = run.command("show @maya")
    (section,) = [b["text"]["text"] for b in sent.reply.blocks if "What drives" in str(b)]
    lines = section.split("\n")
    assert lines[0] == f"*What drives the strength* ({score(items, now=now)} / 100)"
    assert lines[1] == "Last 90 days: 1 meeting · 1 email"
    assert lines[2] == "Last contact 3 days ago"
    assert (
        lines[3] == f"In 30 days, if nothing is logged: *{score(items, now=now + timedelta(days=30))}* / 100"
    )


def test_done_on_a_reminder_schedules_the_next_by_cadence(run, crm):
    past = datetime.now(UTC) - timedelta(hours=1)
    maya = crm.relationship("maya", name="Maya Lopez", status="warm", cadence_days=10, follow_up_date=past)
    sent = run.click(FollowUpAction.DONE, str(maya.id))
    due = crm.one(Relationship, Relationship.id == maya.id).follow_up_date
    assert due is not None and timedelta(days=9) < due - datetime.now(UTC) < timedelta(days=11)
    assert "next follow-up with *Maya Lopez*" in sent.text and "by the cadence" in sent.text
    assert crm.one(Relationship, Relationship.id == maya.id).follow_up_from_cadence is True


def test_logging_a_call_through_slack_sets_the_follow_up_by_cadence(run, crm):
    maya = crm.relationship("maya", name="Maya Lopez", status="warm", cadence_days=7)
    view = run.command("log @maya call").opened
    values = {
        Field.INTERACTION_INFLUENCER: str(maya.influencer_id),
        Field.INTERACTION_TYPE: "call",
        Field.INTERACTION_SUBJECT: "Catch-up",
    }
    assert run.submit(view, values).ack == {}
    saved = crm.one(Relationship, Relationship.id == maya.id)
    assert saved.follow_up_from_cadence is True
    assert timedelta(days=6) < saved.follow_up_date - datetime.now(UTC) < timedelta(days=8)

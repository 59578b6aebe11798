"""`/crm log @a @b #tag <type> text`: the same interaction logged with several creators at once, end to
end; what the user sees when a word names no one, the type is missing, there are too many; what
one Undo takes back (only what is unchanged since); and a replayed command."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from crm.interactions import LOG_AT_ONCE_MAX
from crm.models import Influencer, Interaction, Relationship
from handlers.blocks.text import BUTTON_VALUE
from handlers.ids import Action
from tests.handlers.conftest import undo_button

BOB = "UBOB000001"


def undo_of(sent) -> dict:
    return undo_button(sent, Action.LOG_UNDO)


def statuses(crm) -> dict:
    """handle → status of my relationships."""
    return crm.of_mine(Relationship.status)


def logged_with(crm) -> set[str]:
    with crm.session() as db:
        joined = select(Influencer.handle).join(Interaction, Interaction.influencer_id == Influencer.id)
        return set(db.scalars(joined))


def test_several_creators_are_logged_at_once_and_one_undo_takes_all_back(run, crm):
    crm.relationship("maya", name="Maya Lopez")
    crm.relationship("zoe", name="Zoe Quinn", status="warm")
    sent = run.command('log @maya @zoe email Sent the "winter" brief')
    assert "📝 Logged *Email* with 2 creators: *Maya Lopez*, *Zoe Quinn*" in sent.text
    assert 'Sent the "winter" brief' in sent.text and not sent.to("views.open")  # no form
    assert sorted(i.content for i in crm.all(Interaction)) == ['Sent the "winter" brief'] * 2
    assert statuses(crm) == {"maya": "contacted", "zoe": "warm"}
    assert sent.to("views.publish")
    undo = undo_of(sent)
    clicked = run.click(undo["action_id"], undo["value"])
    assert "↩️ Took back the email with 2 creators: *Maya Lopez*, *Zoe Quinn*." in clicked.text
    assert clicked.reply.params["replace_original"] is True and clicked.to("views.publish")
    assert crm.count(Interaction) == 0 and statuses(crm) == {"maya": "saved", "zoe": "warm"}
    again = run.click(undo["action_id"], undo["value"])
    assert "That log was taken back already." in again.text


def test_what_changed_since_the_log_stays_and_the_answer_names_whose(run, crm):
    crm.relationship("maya", name="Maya Lopez")
    crm.relationship("zoe", name="Zoe Quinn")
    undo = undo_of(run.command("log @maya @zoe call"))
    run.command("status @maya partnered")
    clicked = run.click(undo["action_id"], undo["value"])
    assert "What was changed since the log stays for *Maya Lopez*." in clicked.text
    assert statuses(crm) == {"maya": "partnered", "zoe": "saved"} and crm.count(Interaction) == 0


def test_a_tag_logs_with_your_creators_that_have_it_and_too_many_are_refused(run, crm):
    crm.relationship("maya", tags=["skincare"])
    crm.relationship("zoe", tags=["skincare"])
    crm.relationship("amy")
    crm.relationship("zed", user=BOB, tags=["skincare"])  # Bob's tag: not mine
    sent = run.command("log #skincare note Shortlisted for spring")
    assert "with 2 creators" in sent.text and "*Note*" in sent.text
    assert "moves Saved to Contacted" not in sent.text  # a note contacts no one
    assert logged_with(crm) == {"maya", "zoe"}
    for n in range(LOG_AT_ONCE_MAX):  # as many as one command takes: each fits in the one Undo
        crm.relationship(f"c{n}", status="partnered", tags=["big"], follow_up_date=datetime.now(UTC))
    most = run.command("log #big email Hello")
    assert f"with {LOG_AT_ONCE_MAX} creators" in most.text and crm.count(Interaction) == 2 + LOG_AT_ONCE_MAX
    undo = undo_of(most)
    assert len(undo["value"]) <= BUTTON_VALUE
    assert f"with {LOG_AT_ONCE_MAX} creators" in run.click(undo["action_id"], undo["value"]).text
    assert crm.count(Interaction) == 2
    crm.relationship("one-more", tags=["big"])
    refused = run.command("log #big email Hello")
    assert f"#big is on {LOG_AT_ONCE_MAX + 1} of your creators; at most {LOG_AT_ONCE_MAX}" in refused.text
    assert crm.count(Interaction) == 2  # nothing more written


def test_several_creators_need_a_type_and_no_file_and_each_must_be_found(run, crm):
    crm.relationship("maya")
    crm.relationship("zoe")
    no_type = run.command("log @maya @zoe agreed on two reels")
    assert "With several creators, give the type after them." in no_type.text
    a_file = run.command("log @maya @zoe file")
    assert "A file is logged with the form, one creator at a time" in a_file.text
    unknown = run.command("log @maya @nobody call")
    assert "No influencer matches “@nobody”" in unknown.text and "Nothing was changed." in unknown.text
    assert crm.count(Interaction) == 0
    assert not [c for s in (no_type, a_file, unknown) for c in s.to("views.open")]
    # One creator still opens the form to review.
    assert run.command("log @maya call").to("views.open")


def test_a_replayed_command_logs_once(run, crm):
    crm.relationship("maya")
    crm.relationship("zoe")
    request = run.payloads.command("log @maya @zoe meeting Kick-off")
    assert "with 2 creators" in run.send(request).text
    replayed = run.send(request)  # Slack's retry of the same command
    assert "already carried out" in replayed.text and crm.count(Interaction) == 2

"""The log-interaction modal submitted end to end: recorded once, validated inline, ids re-checked."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from crm.models import Interaction, Relationship
from handlers.ids import Action, Field
from tests.handlers.conftest import USER_ID

F = Field
ANSWERS = ("response_url", "chat.postEphemeral", "chat.postMessage")  # how an answer reaches the user


def open_log(run, crm, handle="maya"):
    rel = crm.relationship(handle)
    return rel, run.command(f"log @{handle} email").opened


def values(rel, **kw):
    base = {
        F.INTERACTION_INFLUENCER: str(rel.influencer_id),
        F.INTERACTION_TYPE: "email",
        F.INTERACTION_SUBJECT: "Rates for March",
        F.INTERACTION_CONTENT: "Sent the brief",
        F.INTERACTION_DATE: int((datetime.now(UTC) - timedelta(hours=2)).timestamp()),
    }
    base.update(kw)
    return base


def test_a_valid_submission_records_the_interaction_and_refreshes_home(run, crm):
    rel, view = open_log(run, crm)
    sent = run.submit(view, values(rel))
    assert sent.response.status == 200 and sent.ack == {}  # closes the modal
    interaction = crm.one(Interaction)
    assert (interaction.type, interaction.subject, interaction.content) == (
        "email",
        "Rates for March",
        "Sent the brief",
    )
    assert interaction.user_id == crm.user(USER_ID).id
    assert interaction.idempotency_key == f"view:{view['id']}:{view['hash']}"
    assert crm.one(Relationship).last_contacted_at is not None
    assert sent.to("views.publish")


def test_a_next_follow_up_picked_in_the_form_is_set_with_the_log(run, crm):
    rel = crm.relationship("maya", cadence_days=3)  # a contact would set one from the cadence
    view = run.command("log @maya email").opened
    (field,) = [b for b in view["blocks"] if b.get("block_id") == F.INTERACTION_FOLLOW_UP]
    assert field["optional"] is True and field["element"]["type"] == "datepicker"
    due = (datetime.now(UTC) + timedelta(days=10)).date()
    sent = run.submit(view, values(rel, **{F.INTERACTION_FOLLOW_UP: due}))
    assert sent.ack == {} and crm.count(Interaction) == 1
    saved = crm.one(Relationship)  # the date picked, not last contact + 3 days
    assert saved.follow_up_date.date() == due and saved.follow_up_from_cadence is False
    # Left empty, the follow-up stays as it was: set by hand, a later contact's cadence keeps it.
    again = run.command("log @maya call").opened
    assert run.submit(again, values(rel, **{F.INTERACTION_TYPE: "call"})).ack == {}
    assert crm.count(Interaction) == 2 and crm.one(Relationship).follow_up_date.date() == due


def test_a_follow_up_in_the_past_is_refused_inline_and_nothing_is_logged(run, crm):
    rel, view = open_log(run, crm)
    sent = run.submit(view, values(rel, **{F.INTERACTION_FOLLOW_UP: datetime(2020, 1, 1).date()}))
    assert list(sent.ack["errors"]) == [F.INTERACTION_FOLLOW_UP]
    assert "past" in sent.ack["errors"][F.INTERACTION_FOLLOW_UP]
    assert crm.count(Interaction) == 0 and crm.one(Relationship).follow_up_date is None


def test_the_same_view_submitted_twice_records_one_interaction(run, crm):
    rel, view = open_log(run, crm)
    first = run.submit(view, values(rel))
    second = run.submit(view, values(rel))
    assert first.ack == {} and second.ack == {}
    assert crm.count(Interaction) == 1


def test_missing_fields_are_reported_inline_and_nothing_is_written(run, crm):
    rel, view = open_log(run, crm)
    sent = run.submit(view, values(rel, **{F.INTERACTION_INFLUENCER: None, F.INTERACTION_TYPE: None}))
    assert sent.ack["response_action"] == "errors"
    assert set(sent.ack["errors"]) == {F.INTERACTION_INFLUENCER, F.INTERACTION_TYPE}
    assert crm.count(Interaction) == 0 and not sent.to("views.publish")


def test_a_future_date_is_refused(run, crm):
    rel, view = open_log(run, crm)
    later = int((datetime.now(UTC) + timedelta(days=2)).timestamp())
    sent = run.submit(view, values(rel, **{F.INTERACTION_DATE: later}))
    assert list(sent.ack["errors"]) == [F.INTERACTION_DATE]
    assert crm.count(Interaction) == 0


def test_crm_validation_lands_on_the_right_field(run, crm):
    rel, view = open_log(run, crm)
    sent = run.submit(
        view, values(rel, **{F.INTERACTION_CONTENT: "x" * 3000, F.INTERACTION_SUBJECT: "s" * 300})
    )
    assert list(sent.ack["errors"]) == [F.INTERACTION_SUBJECT]
    assert crm.count(Interaction) == 0


def test_file_type_needs_a_file_and_stores_its_permalink(run, crm):
    rel, view = open_log(run, crm)
    refused = run.submit(view, values(rel, **{F.INTERACTION_TYPE: "file_upload"}))
    assert list(refused.ack["errors"]) == [F.INTERACTION_FILE]
    file = {
        "id": "F0001",
        "name": "brief.pdf",
        "permalink": "https://acme.slack.com/files/U1/F0001/brief.pdf",
    }
    run.submit(view, values(rel, **{F.INTERACTION_TYPE: "file_upload", F.INTERACTION_FILE: [file]}))
    interaction = crm.one(Interaction)
    assert (interaction.type, interaction.file_url) == ("file_upload", file["permalink"])


def test_a_campaign_can_be_attached(run, crm):
    rel = crm.relationship("maya")
    campaign = crm.campaign("Spring Sale")
    view = run.command("log @maya").opened
    run.submit(view, values(rel, **{F.INTERACTION_CAMPAIGN: str(campaign.id)}))
    assert crm.one(Interaction).campaign_id == campaign.id


def test_forged_influencer_and_campaign_ids_are_refused(run, crm):
    rel = crm.relationship("maya")
    crm.campaign("Spring Sale")
    other_team = crm.influencer("elsewhere", team_id="T0THER0001")
    view = run.command("log @maya").opened
    sent = run.submit(view, values(rel, **{F.INTERACTION_INFLUENCER: str(other_team.id)}))
    assert list(sent.ack["errors"]) == [F.INTERACTION_INFLUENCER]
    sent = run.submit(view, values(rel, **{F.INTERACTION_INFLUENCER: "not-an-id"}))
    assert list(sent.ack["errors"]) == [F.INTERACTION_INFLUENCER]
    foreign_campaign = crm.campaign("Theirs", user="UBOB000001")
    with crm.session() as db:
        db.get(type(foreign_campaign), foreign_campaign.id).team_id = "T0THER0001"
    sent = run.submit(view, values(rel, **{F.INTERACTION_CAMPAIGN: str(foreign_campaign.id)}))
    assert list(sent.ack["errors"]) == [F.INTERACTION_CAMPAIGN]
    assert crm.count(Interaction) == 0


def test_a_tampered_private_metadata_is_refused(run, crm):
    rel, view = open_log(run, crm)
    for metadata in ("not json", json.dumps(["a"]), json.dumps({"src": 5})):
        sent = run.submit(dict(view, private_metadata=metadata), values(rel))
        assert sent.ack["response_action"] == "errors"
    assert crm.count(Interaction) == 0


def test_two_concurrent_submissions_of_one_view_record_one_interaction(run, crm):
    rel, view = open_log(run, crm)
    requests = [run.payloads.view_submission(view, values(rel)) for _ in range(2)]
    with ThreadPoolExecutor(2) as pool:
        responses = list(pool.map(run.slack.dispatch, requests))
    run.slack.drain()
    assert [r.status for r in responses] == [200, 200]
    assert crm.count(Interaction) == 1


def test_the_user_is_told_what_was_logged_where_they_opened_the_form(run, crm, fake_slack):
    crm.relationship("maya", name="Maya Lopez")
    command_url = fake_slack.response_url()
    view = run.command("log @maya call", response_url=command_url).opened
    rel = crm.one(Relationship)
    due = (datetime.now(UTC) + timedelta(days=10)).date()
    sent = run.submit(view, values(rel, **{F.INTERACTION_TYPE: "call", F.INTERACTION_FOLLOW_UP: due}))
    assert sent.ack == {}
    (answer,) = sent.to("response_url")  # the command's response_url, kept in the form's metadata
    assert answer.path and command_url.endswith(answer.path)  # the command's own response_url
    text = answer.params["blocks"][0]["text"]["text"]
    assert text.startswith("📝 Logged *Call* with *Maya Lopez* (@maya · Instagram)")
    assert "Rates for March" in text and f"Follow-up: {due:%a} {due.day} {due:%b %Y} 09:00" in text
    # What the log changed: a first call moves Saved to Contacted, and the strength grows from 0.
    strength = crm.one(Relationship).relationship_strength
    assert strength > 0 and f"Status: *Contacted* · Strength: {strength} / 100 · Follow-up:" in text
    assert answer.params["response_type"] == "ephemeral" and answer.params["replace_original"] is False
    # Submitted again (a double click): recorded once, answered once.
    again = run.submit(view, values(rel, **{F.INTERACTION_TYPE: "call", F.INTERACTION_FOLLOW_UP: due}))
    assert again.ack == {} and not again.to("response_url") and crm.count(Interaction) == 1


def test_a_form_from_app_home_is_answered_in_the_dm_with_undo_and_the_page_refreshes(run, crm):
    rel = crm.relationship("maya", name="Maya Lopez")
    view = run.click(Action.HOME_LOG_INTERACTION, view={"type": "home", "id": "VHOME"}).opened
    sent = run.submit(view, values(rel))
    assert sent.ack == {} and crm.count(Interaction) == 1
    assert sent.to("views.publish")
    (answer,) = [c for c in sent.calls if c.method in ANSWERS]  # App Home has no channel: the DM
    assert answer.method == "chat.postMessage" and answer.params["channel"] == USER_ID
    assert "📝 Logged *Email* with *Maya Lopez*" in answer.params["blocks"][0]["text"]["text"]
    undo = answer.params["blocks"][0]["accessory"]
    assert undo["action_id"] == Action.LOG_UNDO
    run.click(undo["action_id"], undo["value"])  # the mistake is one click from taken back
    assert crm.count(Interaction) == 0


def test_a_forged_reply_target_is_never_posted_to(run, crm):
    rel, view = open_log(run, crm)
    metadata = json.loads(view["private_metadata"])
    forged = {**metadata, "ru": "https://evil.example/hook", "ch": "C0FORGED01"}
    sent = run.submit(dict(view, private_metadata=json.dumps(forged)), values(rel))
    assert sent.ack == {} and crm.count(Interaction) == 1
    assert not sent.to("response_url")  # evil.example is not Slack: not posted to
    (ephemeral,) = sent.to("chat.postEphemeral")  # to the submitter alone, in that channel
    assert (ephemeral.params["channel"], ephemeral.params["user"]) == ("C0FORGED01", USER_ID)
    junk = {**metadata, "ru": "ftp://x", "ch": "<!channel>"}
    rel2 = crm.relationship("zoe")
    view2 = run.command("log @zoe email").opened
    sent = run.submit(dict(view2, private_metadata=json.dumps(junk)), values(rel2))
    assert sent.ack == {} and crm.count(Interaction) == 2
    (answer,) = [c for c in sent.calls if c.method in ANSWERS]  # neither used: the submitter's DM
    assert answer.method == "chat.postMessage" and answer.params["channel"] == USER_ID


def test_when_the_response_url_is_gone_the_answer_goes_ephemeral(run, crm, fake_slack):
    rel, view = open_log(run, crm)
    fake_slack.fail("response_url", status=404)
    sent = run.submit(view, values(rel))
    assert sent.ack == {} and [c.status for c in sent.to("response_url")] == [404]
    (ephemeral,) = sent.to("chat.postEphemeral")
    assert "Logged *Email*" in json.dumps(ephemeral.params)


def test_logging_for_a_creator_i_removed_is_recorded_and_answered(run, crm):
    # The log form lists everyone in the workspace; one taken off my list can still be logged.
    rel, view = open_log(run, crm)
    run.command("remove @maya")
    sent = run.submit(view, values(rel))
    assert sent.ack == {} and crm.count(Interaction) == 1
    (answer,) = sent.to("response_url")
    assert "📝 Logged *Email* with" in json.dumps(answer.params, ensure_ascii=False)

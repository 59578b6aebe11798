"""/crm campaign new|list|add|status, /crm utm and /crm admin, end to end."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from crm.models import Assignment, Campaign
from handlers.blocks.text import mrkdwn
from handlers.ids import Field
from handlers.ids import View as ViewId
from tests.handlers.conftest import USER_ID


def test_campaign_new_with_name_and_url_creates_it(run, crm):
    sent = run.command("campaign new Spring Sale 2026 https://shop.example.com/spring")
    campaign = crm.one(Campaign)
    assert (campaign.name, campaign.landing_url) == ("Spring Sale 2026", "https://shop.example.com/spring")
    assert campaign.user_id == crm.user(USER_ID).id
    assert "Created campaign *Spring Sale 2026*" in sent.text


@pytest.mark.parametrize(
    ("text", "name"), [("campaign new", None), ('campaign new "Spring Sale"', "Spring Sale")]
)
def test_campaign_new_with_something_missing_opens_the_modal(run, crm, text, name):
    view = run.command(text).opened
    assert view["callback_id"] == ViewId.NEW_CAMPAIGN
    name_block = next(b for b in view["blocks"] if b.get("block_id") == Field.CAMPAIGN_NAME)
    assert name_block["element"].get("initial_value") == name
    assert crm.count(Campaign) == 0


def test_campaign_new_duplicate_or_bad_url(run, crm):
    crm.campaign("Spring Sale")
    assert "already exists" in run.command("campaign new spring sale https://x.example.com").text
    assert (
        "Usage: `/crm campaign new"
        in run.command("campaign new Fall https://shop.example.com:99999/a").reply.params["text"]
    )
    assert crm.count(Campaign) == 1


def test_campaign_list(run, crm):
    crm.campaign("Spring Sale")
    crm.campaign("Fall Drop")
    text = run.command("campaign list").text
    assert "Spring Sale" in text and "Fall Drop" in text and "Campaigns (2)" in text
    assert "archived" not in text
    frob = run.command("campaign frob").reply.params["text"]
    assert "Campaign commands: new, list, show, edit, add, status" in frob


def test_archived_campaigns_leave_the_list_unless_all(run, crm):
    crm.campaign("Spring Sale")
    crm.campaign("Old Drop", status="archived")
    shown = run.command("campaign list")
    assert "Campaigns (1)" in shown.text and "Old Drop" not in shown.text
    assert "1 archived campaign not shown: `/crm campaign list all`" in shown.text
    everything = run.command("campaign list all").text
    assert "Campaigns (2)" in everything and "*Old Drop* · archived" in everything
    assert "Campaigns (2)" in run.command("campaigns all").text
    bad = run.command("campaign list archive").reply.params["text"]
    assert "takes only `all`" in bad and "“archive”" in bad and "Usage: `/crm campaign list [all]`" in bad


def test_campaign_new_refuses_a_last_word_meant_as_a_bad_landing_url(run, crm):
    quoted = run.command('campaign new "Bad URL" not-a-url').reply.params["text"]
    assert "“not-a-url” is not a landing URL" in quoted and "https://" in quoted
    assert "Usage: `/crm campaign new" in quoted
    no_scheme = run.command("campaign new Spring Sale shop.example.com/spring").reply.params["text"]
    assert "“shop.example.com/spring” is not a landing URL" in no_scheme
    assert "Did you mean https://shop.example.com/spring?" in no_scheme
    extra = run.command("campaign new “Spring Sale” shop example").reply.params["text"]
    assert "give just the landing URL; “shop example” is not one" in extra
    assert crm.count(Campaign) == 0
    # Unquoted words that do not look like a link are all the name: the form opens to add the URL.
    view = run.command("campaign new Spring Sale 2026").opened
    name = next(b for b in view["blocks"] if b.get("block_id") == Field.CAMPAIGN_NAME)
    assert name["element"]["initial_value"] == "Spring Sale 2026"
    run.command("campaign new 'Summer' https://shop.example.com/summer")
    assert crm.one(Campaign).name == "Summer"


def test_an_unknown_campaign_names_the_words_and_suggests_close_names(run, crm):
    crm.relationship("maya")
    assert "there are no campaigns yet" in run.command('utm "Spring Sale" @maya').reply.params["text"]
    crm.campaign("Spring Sale")
    crm.campaign("Spring Drop")
    crm.campaign("Fall Drop")
    edit = run.command("campaign edit Sprng Sale").reply.params["text"]
    assert "No campaign named “Sprng Sale”. Did you mean “Spring Sale”" in edit
    assert "Usage: `/crm campaign edit" in edit
    add = run.command("campaign add Fal Drop @maya").reply.params["text"]
    assert add.startswith("No campaign named “Fal Drop”. Did you mean “Fall Drop”")
    far = run.command('campaign status "Winter" @maya active').reply.params["text"]
    assert "No campaign named “Winter”; `/crm campaign list all` shows them all." in far
    assert "Did you mean" not in far


def test_campaign_status_for_an_unassigned_influencer_says_so_and_how_to_assign(run, crm):
    crm.relationship("x", name="x")
    crm.campaign("Spring Sale")
    text = run.command('campaign status "Spring Sale" @x active').reply.params["text"]
    assert text.startswith("“x” (@x · Instagram) is not assigned to “Spring Sale” by you. Assign them first")
    assert '`/crm campaign add "Spring Sale" @x`' in text
    assert crm.count(Assignment) == 0
    typo = run.command('campaign status "Spring Sale" @x activ').reply.params["text"]
    assert "“activ” is not an assignment status. Did you mean “active”?" in typo
    # The words people use for a status are understood as a guess, and the statuses are listed.
    done = run.command('campaign status "Spring Sale" @x done').reply.params["text"]
    assert "“done” is not an assignment status. Did you mean “completed”? " in done
    assert "Use planned, active, completed or cancelled." in done


def test_campaign_edit_opens_the_form_for_its_creator_only(run, crm):
    crm.campaign("Spring Sale", user="UBOB000001")
    refused = run.command("campaign edit Spring Sale")
    assert "Only the creator of “Spring Sale”" in refused.text and not refused.to("views.open")
    assert run.command("campaign edit Spring Sale", user_id="UBOB000001").opened["callback_id"] == (
        ViewId.EDIT_CAMPAIGN
    )
    assert "Which campaign?" in run.command("campaign edit").reply.params["text"]


def test_campaign_add_opens_the_assign_modal_with_default_utm(run, crm):
    crm.relationship("maya", platform="tiktok")
    crm.campaign("Spring Sale", utm_medium="creator")
    for text in ('campaign add "Spring Sale" @maya', "campaign add Spring Sale @maya"):
        view = run.command(text).opened
        assert view["callback_id"] == ViewId.ASSIGN_CAMPAIGN
        values = {
            b["block_id"]: b["element"].get("initial_value") for b in view["blocks"] if b["type"] == "input"
        }
        assert values[Field.ASSIGNMENT_UTM_SOURCE] == "tiktok"
        assert values[Field.ASSIGNMENT_UTM_MEDIUM] == "creator"
        assert values[Field.ASSIGNMENT_UTM_CAMPAIGN] == "spring-sale"
        assert values[Field.ASSIGNMENT_UTM_CONTENT] == "maya"
        assert "utm_source=tiktok" in repr(view["blocks"])
    assert crm.count(Assignment) == 0  # nothing is written until the modal is submitted


def test_campaign_add_of_someone_already_assigned_edits_that_assignment(run, crm):
    crm.relationship("maya", platform="tiktok")
    crm.campaign("Spring Sale")
    run.command('utm "Spring Sale" @maya')
    with crm.session() as db:
        db.execute(update(Assignment).values(notes="Reel in March"))
    view = run.command('campaign add "Spring Sale" @maya').opened
    assert view["title"]["text"] == "Edit assignment" and view["submit"]["text"] == "Save"
    assert "Already assigned by you · *planned*. Saving changes its tracking link and notes." in repr(
        view["blocks"]
    )
    notes = next(b for b in view["blocks"] if b.get("block_id") == Field.ASSIGNMENT_NOTES)
    assert notes["element"]["initial_value"] == "Reel in March"
    first = run.command('campaign add "Spring Sale" @maya', user_id="UBOB000001").opened  # not theirs
    assert first["title"]["text"] == "Assign to campaign"


def test_ambiguous_campaign_names_the_candidates(run, crm):
    crm.relationship("maya")
    crm.campaign("Spring Sale")
    crm.campaign("Spring Drop")
    text = run.command("campaign add Spring @maya").reply.params["text"]
    assert "Spring Sale" in text and "Spring Drop" in text


def test_utm_assigns_when_needed_and_shows_the_link(run, crm):
    crm.relationship("maya")
    crm.campaign("Spring Sale")
    sent = run.command('utm "Spring Sale" @maya')
    assignment = crm.one(Assignment)
    assert assignment.user_id == crm.user(USER_ID).id
    assert mrkdwn(assignment.utm_url, None) in sent.reply.params["text"]  # & is &amp; in Slack text
    assert "utm_campaign=spring-sale" in assignment.utm_url
    again = run.command('utm "Spring Sale" @maya')
    assert crm.count(Assignment) == 1 and "Tracking link for" in again.text


def test_a_campaign_named_in_part_before_a_handle_and_its_platform(run, crm):
    run.command("add @zoe instagram")
    run.command("add @zoe tiktok")
    crm.campaign("Winter Glow")
    # "Winter" alone names the campaign: the @handle starts the creator, with its platform.
    sent = run.command("utm Winter @zoe tiktok")
    assert "utm_source=tiktok" in crm.one(Assignment).utm_url and "Assigned" in sent.text
    assert "is now *active*" in run.command("campaign status Winter @zoe tiktok active").text
    assert crm.one(Assignment).status == "active"


def test_utm_for_a_teammates_assignment_is_a_conflict(run, crm):
    crm.relationship("maya")
    crm.campaign("Spring Sale")
    run.command('utm "Spring Sale" @maya', user_id="UBOB000001")
    sent = run.command('utm "Spring Sale" @maya')
    assert "already assigned" in sent.reply.params["text"]
    assert crm.count(Assignment) == 1


def test_campaign_status_moves_my_assignment(run, crm):
    crm.relationship("maya")
    crm.campaign("Spring Sale")
    run.command('utm "Spring Sale" @maya')
    assert "is now *active*" in run.command('campaign status "Spring Sale" @maya active').text
    assert crm.one(Assignment).status == "active"
    bad = run.command('campaign status "Spring Sale" @maya finished')
    assert "Usage: `/crm campaign status" in bad.reply.params["text"]
    theirs = run.command('campaign status "Spring Sale" @maya cancelled', user_id="UBOB000001")
    who = "“maya” (@maya · Instagram)"
    assert f"{who} is on “Spring Sale” through a teammate's assignment, not yours" in theirs.text
    assert "/crm campaign add" not in theirs.text  # they cannot assign maya too
    assert crm.one(Assignment).status == "active"
    # The US spelling is the same status.
    assert "is now *cancelled*" in run.command('campaign status "Spring Sale" @maya Canceled').text
    assert crm.one(Assignment).status == "cancelled"


def test_admin_refuses_everyone_else_and_shows_nothing(run, crm):
    crm.user(display_name="Alice")  # profile known: the only users.info is the admin check
    crm.relationship("maya", status="partnered")
    sent = run.command("admin")
    assert "Only CRM admins" in sent.text
    assert "partnered" not in sent.text.lower() and "Pipeline" not in sent.text
    assert [c.params["user"] for c in sent.to("users.info")] == [USER_ID]
    assert "Only CRM admins" in run.command("admin frob").text  # not even the usage line
    summary = run.command("admin summary").text
    assert "Only CRM admins can send the weekly summary." in summary


def test_admin_for_configured_admins_and_slack_workspace_admins(run, crm, fake_slack):
    crm.relationship("maya", status="partnered")
    crm.user("UADMIN0001", display_name="Admin")  # profile known: no first-sight users.info
    configured = run.command("admin", user_id="UADMIN0001")
    assert "CRM summary" in configured.text and "Pipeline now" in configured.text
    assert not configured.to("users.info")  # CRM_ADMIN_USER_IDS needs no lookup
    fake_slack.set_user("UOWNER0001", is_owner=True)
    assert "CRM summary" in run.command("admin 7", user_id="UOWNER0001").text
    fake_slack.set_user("UWSADMIN01", is_admin=True)
    assert "CRM summary" in run.command("admin", user_id="UWSADMIN01").text
    assert "Usage: `/crm admin" in run.command("admin 9999", user_id="UADMIN0001").reply.params["text"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("utm spring", "Name the campaign, then the creator."),
        ("campaign add spring", "Name the campaign, then the creator."),
        ("campaign status spring @maya", "Name the campaign, the creator and the new status."),
    ],
)
def test_a_command_missing_words_says_which(run, crm, text, problem):
    crm.campaign("Spring Sale")
    crm.relationship("maya")
    said = run.command(text).reply.params["text"]
    assert said.startswith(problem) and "Usage:" in said
    assert crm.count(Assignment) == 0

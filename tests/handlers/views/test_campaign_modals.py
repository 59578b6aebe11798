"""New-campaign and assign-to-campaign modals end to end."""

from __future__ import annotations

import json
from datetime import date

from crm.models import Assignment, Campaign
from handlers.ids import Action, Field
from handlers.ids import View as ViewId
from tests.handlers.conftest import USER_ID

F = Field


def test_new_campaign_modal_creates_it_and_shows_how_to_assign(run, crm):
    view = run.command("campaign new").opened
    sent = run.submit(
        view,
        {
            F.CAMPAIGN_NAME: "Spring Sale",
            F.CAMPAIGN_LANDING_URL: "https://shop.example.com/spring",
            F.CAMPAIGN_UTM_SOURCE: "Creators",
            F.CAMPAIGN_START: "2026-03-01",
            F.CAMPAIGN_END: "2026-03-31",
        },
    )
    assert sent.ack["response_action"] == "update"
    assert "/crm campaign add" in repr(sent.ack["view"]["blocks"])
    campaign = crm.one(Campaign)
    assert (campaign.name, campaign.utm_source, campaign.start_date) == (
        "Spring Sale",
        "creators",
        date(2026, 3, 1),
    )


def test_new_campaign_errors_are_inline(run, crm):
    crm.campaign("Spring Sale")
    view = run.click(Action.HOME_NEW_CAMPAIGN).opened
    assert view["callback_id"] == ViewId.NEW_CAMPAIGN
    base = {F.CAMPAIGN_NAME: "Fall", F.CAMPAIGN_LANDING_URL: "https://shop.example.com/fall"}
    cases = [
        ({F.CAMPAIGN_NAME: "SPRING SALE"}, F.CAMPAIGN_NAME),
        ({F.CAMPAIGN_LANDING_URL: "https://shop.example.com:99999/"}, F.CAMPAIGN_LANDING_URL),
        ({F.CAMPAIGN_START: "2026-03-10", F.CAMPAIGN_END: "2026-03-01"}, F.CAMPAIGN_END),
    ]
    for change, block in cases:
        sent = run.submit(view, {**base, **change})
        assert list(sent.ack["errors"]) == [block], change
    assert crm.count(Campaign) == 1


def assign_view(run, crm):
    crm.relationship("maya")
    campaign = crm.campaign("Spring Sale")
    return campaign, run.command('campaign add "Spring Sale" @maya').opened


def utm(**kw):
    base = {
        F.ASSIGNMENT_UTM_SOURCE: "instagram",
        F.ASSIGNMENT_UTM_MEDIUM: "influencer",
        F.ASSIGNMENT_UTM_CAMPAIGN: "spring-sale",
        F.ASSIGNMENT_UTM_CONTENT: "maya-reel",
    }
    base.update(kw)
    return base


def test_assign_submit_saves_edited_utm_and_shows_the_link_in_place(run, crm):
    _, view = assign_view(run, crm)
    sent = run.submit(view, utm(**{F.ASSIGNMENT_NOTES: "Reel in March"}))
    assignment = crm.one(Assignment)
    assert assignment.user_id == crm.user(USER_ID).id
    assert (assignment.utm_content, assignment.notes) == ("maya-reel", "Reel in March")
    assert sent.ack["response_action"] == "update"
    assert sent.ack["view"]["callback_id"] == ViewId.ASSIGNMENT_DONE
    assert "utm_content=maya-reel" in repr(sent.ack["view"]["blocks"])
    # Assigning again with other values updates the same assignment.
    again = run.command('campaign add "Spring Sale" @maya').opened
    content = next(b for b in again["blocks"] if b.get("block_id") == F.ASSIGNMENT_UTM_CONTENT)
    assert content["element"]["initial_value"] == "maya-reel"
    run.submit(again, utm(**{F.ASSIGNMENT_UTM_CONTENT: "maya-story"}))
    assert crm.count(Assignment) == 1
    assert "utm_content=maya-story" in crm.one(Assignment).utm_url


def test_assign_errors_are_inline_and_nothing_is_written(run, crm):
    _, view = assign_view(run, crm)
    sent = run.submit(view, utm(**{F.ASSIGNMENT_UTM_MEDIUM: "   "}))
    assert list(sent.ack["errors"]) == [F.ASSIGNMENT_UTM_MEDIUM]
    assert crm.count(Assignment) == 0


def test_assign_with_forged_metadata_or_a_teammates_assignment_is_refused(run, crm):
    campaign, view = assign_view(run, crm)
    elsewhere = crm.influencer("elsewhere", team_id="T0THER0001")
    forged = dict(view, private_metadata=json.dumps({"c": str(campaign.id), "i": str(elsewhere.id)}))
    assert run.submit(forged, utm()).ack["response_action"] == "errors"
    assert run.submit(dict(view, private_metadata="{}"), utm()).ack["response_action"] == "errors"
    run.command('utm "Spring Sale" @maya', user_id="UBOB000001")
    sent = run.submit(view, utm())
    assert "already assigned" in sent.ack["errors"][F.ASSIGNMENT_UTM_SOURCE]
    (only,) = crm.all(Assignment)
    assert only.user_id == crm.user("UBOB000001").id and only.utm_content == "maya"

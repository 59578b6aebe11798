"""New-campaign, edit-campaign and assign-to-campaign modals end to end."""

from __future__ import annotations

import json
from datetime import date

import pytest

from crm.campaigns import FIELD_LABELS
from crm.models import Assignment, Campaign
from handlers.ids import Action, Field
from handlers.ids import View as ViewId
from tests.handlers.conftest import USER_ID
from tests.handlers.slack_checks import check_view

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
    shown = sent.ack["view"]["blocks"][0]["text"]["text"]
    assert 'Assign influencers with `/crm campaign add "Spring Sale" @handle`' in shown
    assert "(several at once: `@maya @zoe #tag`)" in shown
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
    notes = next(b for b in again["blocks"] if b.get("block_id") == F.ASSIGNMENT_NOTES)
    assert notes["element"]["initial_value"] == "Reel in March"
    run.submit(again, utm(**{F.ASSIGNMENT_UTM_CONTENT: "maya-story", F.ASSIGNMENT_NOTES: "Story in April"}))
    assert crm.count(Assignment) == 1
    assert "utm_content=maya-story" in crm.one(Assignment).utm_url
    assert crm.one(Assignment).notes == "Story in April"
    # Notes emptied in the form are cleared.
    run.submit(run.command('campaign add "Spring Sale" @maya').opened, utm())
    assert crm.one(Assignment).notes is None


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


# --- edit ------------------------------------------------------------------------------------------


UTM_DEFAULTS = (F.CAMPAIGN_UTM_SOURCE, F.CAMPAIGN_UTM_MEDIUM, F.CAMPAIGN_UTM_CAMPAIGN)


def prefilled(view: dict) -> dict:
    """What the edit modal shows before the user changes anything, as submit values by block id."""
    values = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        values[block["block_id"]] = (
            element.get("initial_value")
            or element.get("initial_date")
            or (element.get("initial_option") or {}).get("value")
        )
    return values


def edit_view(run, crm, *, user: str = USER_ID, text: str = 'campaign edit "Spring Sale"'):
    return run.command(text, user_id=user).opened


def spring_sale(crm, **kw):
    kw.setdefault("start_date", date(2026, 3, 1))
    kw.setdefault("end_date", date(2026, 3, 31))
    return crm.campaign("Spring Sale", utm_source="creators", **kw)


def test_edit_modal_is_prefilled(run, crm):
    spring_sale(crm, status="paused")
    view = edit_view(run, crm)
    assert view["callback_id"] == ViewId.EDIT_CAMPAIGN
    assert prefilled(view) == {
        F.CAMPAIGN_NAME: "Spring Sale",
        F.CAMPAIGN_LANDING_URL: "https://shop.example.com/spring",
        F.CAMPAIGN_UTM_SOURCE: "creators",
        F.CAMPAIGN_UTM_MEDIUM: None,
        F.CAMPAIGN_UTM_CAMPAIGN: None,
        F.CAMPAIGN_START: "2026-03-01",
        F.CAMPAIGN_END: "2026-03-31",
        F.CAMPAIGN_STATUS: "paused",
    }


@pytest.mark.parametrize(
    ("change", "column", "expected"),
    [
        ({F.CAMPAIGN_NAME: "Spring Sale 2026"}, "name", "Spring Sale 2026"),
        (
            {F.CAMPAIGN_LANDING_URL: "https://shop.example.com/s26"},
            "landing_url",
            "https://shop.example.com/s26",
        ),
        ({F.CAMPAIGN_START: "2026-02-15"}, "start_date", date(2026, 2, 15)),
        ({F.CAMPAIGN_END: None}, "end_date", None),  # a cleared date picker clears the date
        ({F.CAMPAIGN_STATUS: "completed"}, "status", "completed"),
        ({F.CAMPAIGN_UTM_SOURCE: "Creator Program"}, "utm_source", "creator-program"),
        ({F.CAMPAIGN_UTM_SOURCE: None}, "utm_source", None),  # emptied: the platform again
        ({F.CAMPAIGN_UTM_MEDIUM: "social"}, "utm_medium", "social"),
    ],
)
def test_edit_saves_each_field_and_says_what_changed(run, crm, change, column, expected):
    spring_sale(crm)
    before = crm.one(Campaign)
    view = edit_view(run, crm)
    sent = run.submit(view, {**prefilled(view), **change})
    assert sent.ack["response_action"] == "update", sent.ack
    assert sent.ack["view"]["callback_id"] == ViewId.CAMPAIGN_SAVED
    after = crm.one(Campaign)
    assert getattr(after, column) == expected
    untouched = {"name", "landing_url", "start_date", "end_date", "status", "utm_source", "utm_medium"} - {
        column
    }
    assert {c: getattr(after, c) for c in untouched} == {c: getattr(before, c) for c in untouched}
    label = FIELD_LABELS[column]
    assert f"{label} changed" in repr(sent.ack["view"]["blocks"])
    check_view(sent.ack["view"])


def test_new_utm_defaults_apply_to_assignments_made_from_now_on(run, crm):
    spring_sale(crm)
    crm.relationship("maya")
    crm.relationship("zoe")
    run.command('utm "Spring Sale" @maya')  # made before the change
    view = edit_view(run, crm)
    sent = run.submit(view, {**prefilled(view), F.CAMPAIGN_UTM_MEDIUM: "social"})
    said = repr(sent.ack["view"]["blocks"])
    assert "utm_medium changed" in said and "links made already keep them" in said
    run.command('utm "Spring Sale" @zoe')
    media = {a.utm_content: a.utm_medium for a in crm.all(Assignment)}
    assert media == {"maya": "influencer", "zoe": "social"}
    too_long = run.submit(edit_view(run, crm), {**prefilled(view), F.CAMPAIGN_UTM_SOURCE: "x" * 101})
    assert list(too_long.ack["errors"]) == [F.CAMPAIGN_UTM_SOURCE]


def test_an_edit_form_opened_before_it_had_utm_defaults_keeps_them(run, crm):
    spring_sale(crm)
    view = edit_view(run, crm)
    old_form = {k: v for k, v in prefilled(view).items() if k not in UTM_DEFAULTS}
    view = dict(view, blocks=[b for b in view["blocks"] if b.get("block_id") not in UTM_DEFAULTS])
    assert run.submit(view, {**old_form, F.CAMPAIGN_NAME: "Spring Sale 2"}).ack["response_action"] == "update"
    assert crm.one(Campaign).utm_source == "creators"


def test_a_name_with_markup_is_saved_as_typed_and_shown_escaped(run, crm):
    spring_sale(crm)
    view = edit_view(run, crm)
    sent = run.submit(view, {**prefilled(view), F.CAMPAIGN_NAME: "<!here> Sale & *more*"})
    assert crm.one(Campaign).name == "<!here> Sale & *more*"
    check_view(sent.ack["view"])
    shown = repr(sent.ack["view"]["blocks"])
    assert "&lt;!here&gt; Sale &amp; *more*" in shown and "<!here>" not in shown


def test_a_new_landing_page_updates_every_link_and_says_how_many(run, crm):
    spring_sale(crm)
    crm.relationship("maya")
    crm.relationship("leo", user="UBOB000001")
    run.command('utm "Spring Sale" @maya')
    run.command('utm "Spring Sale" @leo', user_id="UBOB000001")  # a teammate's assignment too
    view = edit_view(run, crm)
    sent = run.submit(view, {**prefilled(view), F.CAMPAIGN_LANDING_URL: "https://shop.example.com/new?x=1"})
    shown = repr(sent.ack["view"]["blocks"])
    assert "2 tracking links now point to the new landing page" in shown
    links = [a.utm_url for a in crm.all(Assignment)]
    assert len(links) == 2 and all(
        u.startswith("https://shop.example.com/new?x=1&utm_source=") for u in links
    )
    # Only the name changed: no link is touched and none is counted.
    again = edit_view(run, crm)
    sent = run.submit(again, {**prefilled(again), F.CAMPAIGN_NAME: "Spring Sale II"})
    assert "tracking link" not in repr(sent.ack["view"]["blocks"])
    assert sorted(a.utm_url for a in crm.all(Assignment)) == sorted(links)


def test_edit_errors_are_inline_and_nothing_is_written(run, crm):
    spring_sale(crm)
    crm.campaign("Fall Drop")
    crm.relationship("maya")
    run.command('utm "Spring Sale" @maya')
    link = crm.one(Assignment).utm_url
    before = crm.one(Campaign, Campaign.name == "Spring Sale")
    view = edit_view(run, crm)
    cases = [
        ({F.CAMPAIGN_LANDING_URL: "ftp://shop.example.com/x"}, F.CAMPAIGN_LANDING_URL),
        ({F.CAMPAIGN_LANDING_URL: "https://shop.example.com:99999/"}, F.CAMPAIGN_LANDING_URL),
        ({F.CAMPAIGN_LANDING_URL: "https://x.io/" + "p" * 1990}, F.CAMPAIGN_LANDING_URL),  # links too long
        ({F.CAMPAIGN_START: "2026-04-10", F.CAMPAIGN_END: "2026-04-01"}, F.CAMPAIGN_END),
        ({F.CAMPAIGN_START: "2026-02-30"}, F.CAMPAIGN_START),  # forged: no such day
        ({F.CAMPAIGN_NAME: "fall drop"}, F.CAMPAIGN_NAME),
        ({F.CAMPAIGN_STATUS: "deleted"}, F.CAMPAIGN_STATUS),  # forged option
    ]
    for change, block in cases:
        sent = run.submit(view, {**prefilled(view), **change})
        assert list(sent.ack["errors"]) == [block], change
    after = crm.one(Campaign, Campaign.name == "Spring Sale")
    assert (after.landing_url, after.start_date, after.end_date, after.status) == (
        before.landing_url,
        before.start_date,
        before.end_date,
        before.status,
    )
    assert crm.one(Assignment).utm_url == link


def test_a_forged_campaign_id_is_refused_inline(run, crm):
    spring_sale(crm)
    teammates = crm.campaign("Bob's Drop", user="UBOB000001")
    with crm.session() as db:
        elsewhere = Campaign(team_id="T0THER0001", name="Elsewhere", landing_url="https://e.example.com/")
        db.add(elsewhere)
    view = edit_view(run, crm)
    for metadata in (
        json.dumps({"c": str(elsewhere.id)}),  # another workspace's campaign
        json.dumps({"c": str(teammates.id)}),  # a teammate's campaign in mine
        json.dumps({"c": "not-a-uuid"}),
        "{}",
    ):
        sent = run.submit(dict(view, private_metadata=metadata), {**prefilled(view), F.CAMPAIGN_NAME: "Mine"})
        assert sent.ack["response_action"] == "errors", metadata
        assert list(sent.ack["errors"]) == [F.CAMPAIGN_NAME]
    assert sorted(c.name for c in crm.all(Campaign)) == ["Bob's Drop", "Elsewhere", "Spring Sale"]


def test_only_the_creator_or_a_crm_admin_may_edit(run, crm):
    crm.user(USER_ID, display_name="Ana")
    spring_sale(crm)
    refused = run.command('campaign edit "Spring Sale"', user_id="UBOB000001")
    assert not refused.to("views.open")
    assert "Only the creator of “Spring Sale” (Ana) or a CRM admin can edit it" in refused.text
    # A form opened by the creator and submitted by someone else (a forged user) is refused too.
    view = edit_view(run, crm)
    sent = run.submit(view, {**prefilled(view), F.CAMPAIGN_NAME: "Bob's now"}, user_id="UBOB000001")
    assert "CRM admin" in sent.ack["errors"][F.CAMPAIGN_NAME]
    # CRM_ADMIN_USER_IDS (UADMIN0001 in the test settings) may edit anyone's campaign.
    admin_view = edit_view(run, crm, user="UADMIN0001")
    run.submit(admin_view, {**prefilled(admin_view), F.CAMPAIGN_STATUS: "archived"}, user_id="UADMIN0001")
    assert crm.one(Campaign).status == "archived" and crm.one(Campaign).name == "Spring Sale"


def test_a_double_submit_applies_once(run, crm):
    spring_sale(crm)
    crm.relationship("maya")
    run.command('utm "Spring Sale" @maya')
    view = edit_view(run, crm)
    values = {**prefilled(view), F.CAMPAIGN_LANDING_URL: "https://shop.example.com/v2"}
    first = run.submit(view, values)
    assert "1 tracking link now points" in repr(first.ack["view"]["blocks"])
    # Meanwhile the landing page is changed again elsewhere; the repeated submit must not undo that.
    with crm.session() as db:
        db.get(Campaign, crm.one(Campaign).id).landing_url = "https://shop.example.com/v3"
    second = run.submit(view, values)
    assert second.ack["response_action"] == "update"
    assert "Saved *Spring Sale*." in repr(second.ack["view"]["blocks"])
    assert crm.one(Campaign).landing_url == "https://shop.example.com/v3"


def _edit_buttons(blocks: list[dict]) -> list[dict]:
    return [
        e
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == Action.CAMPAIGN_EDIT
    ]


def test_the_edit_button_on_the_campaign_card_opens_the_modal(run, crm):
    spring_sale(crm)
    crm.campaign("Bob's Drop", user="UBOB000001")
    mine = crm.one(Campaign, Campaign.name == "Spring Sale")
    theirs = crm.one(Campaign, Campaign.name == "Bob's Drop")
    listed = run.command("campaign list")
    shows = [b["accessory"]["value"] for b in listed.reply.blocks if b.get("accessory")]
    assert sorted(shows) == sorted([str(mine.id), str(theirs.id)])  # every row has Show
    mine_card = run.click(Action.CAMPAIGN_SHOW, str(mine.id)).reply
    assert [b["value"] for b in _edit_buttons(mine_card.blocks)] == [str(mine.id)]
    their_card = run.click(Action.CAMPAIGN_SHOW, str(theirs.id)).reply
    assert _edit_buttons(their_card.blocks) == []  # not on a teammate's campaign
    view = run.click(Action.CAMPAIGN_EDIT, str(mine.id)).opened
    assert view["callback_id"] == ViewId.EDIT_CAMPAIGN and prefilled(view)[F.CAMPAIGN_NAME] == "Spring Sale"
    theirs = crm.one(Campaign, Campaign.name == "Bob's Drop")
    forged = run.click(Action.CAMPAIGN_EDIT, str(theirs.id))
    assert not forged.to("views.open") and "CRM admin" in forged.text

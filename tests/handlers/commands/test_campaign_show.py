"""`/crm campaign show` and the Show button on `/crm campaign list`: a campaign's card, end to end.

Who sees which assignments follows `/crm campaign export`: your own, or everyone's for a CRM admin
(UADMIN0001 in the test settings); the counts by status are the workspace's.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import update

from crm.models import Assignment, Campaign
from handlers.blocks.campaigns import ROSTER_ROWS
from handlers.blocks.text import link
from handlers.ids import Action
from tests.handlers.actions.test_short_links import add_clicks
from tests.handlers.commands.test_user_text_in_mrkdwn import LINK, assert_no_markup, everything_sent
from tests.handlers.conftest import PUBLIC_URL, TEAM_ID, USER_ID

BOB = "UBOB000001"
ADMIN = "UADMIN0001"


def rows(blocks: list[dict]) -> list[str]:
    """The card's assignment lines: the sections after the "… assignments (N)" title."""
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]
    titles = [
        i for i, t in enumerate(texts) if t.startswith(("*Your assignments", "*Everyone's assignments"))
    ]
    return texts[titles[0] + 1 :] if titles else []


def footer(blocks: list[dict]) -> str:
    (last,) = [b for b in blocks if b["type"] == "context"]
    return " ".join(e["text"] for e in last["elements"])


@pytest.fixture
def spring(run, crm) -> Campaign:
    """“Spring Sale”: Maya (active) and Zoe (planned) assigned by me, Lena by Bob (completed)."""
    crm.user(USER_ID, display_name="Ana")
    crm.user(BOB, display_name="Bob")
    campaign = crm.campaign("Spring Sale")
    crm.relationship("zoe", name="Zoe Park", platform="tiktok")
    crm.relationship("maya", name="Maya Lopez")
    crm.relationship("lena", name="Lena Berg", user=BOB)
    run.command('utm "Spring Sale" @zoe')
    run.command('utm "Spring Sale" @maya')
    run.command('campaign status "Spring Sale" @maya active')
    run.command('utm "Spring Sale" @lena', user_id=BOB)
    run.command('campaign status "Spring Sale" @lena completed', user_id=BOB)
    return campaign


def test_the_card_lists_my_assignments_running_first_with_their_links(run, crm, spring):
    sent = run.command("campaign show spring")
    blocks = sent.reply.blocks
    assert blocks[0]["text"]["text"] == "Spring Sale"
    summary = blocks[1]["text"]["text"]
    assert "*active*" in summary and "landing page" in summary
    assert "3 assignments: 1 planned, 1 active, 1 completed" in summary  # the workspace's
    assert "*Your assignments (2)*" in repr(blocks)
    maya, zoe = rows(blocks)
    assert maya.startswith("*Maya Lopez* (@maya · Instagram) · *active*")
    assert zoe.startswith("*Zoe Park* (@zoe · TikTok) · *planned*")
    url = crm.one(Assignment, Assignment.status == "active").utm_url
    assert link(url, "tracking link") in maya and "&amp;utm_medium=" in maya
    assert "Lena" not in repr(blocks)  # Bob's assignment
    assert "1 assignment by teammates not shown" in footer(blocks)
    assert sent.reply.params["text"] == "Spring Sale: 3 assignments"


def test_a_crm_admin_sees_everyones_assignments_and_who_made_them(run, crm, spring):
    blocks = run.command('campaign show "Spring Sale"', user_id=ADMIN).reply.blocks
    assert "*Everyone's assignments (3)*" in repr(blocks)
    maya, zoe, lena = rows(blocks)
    assert "assigned by Ana" in maya and "assigned by Ana" in zoe
    assert lena.startswith("*Lena Berg* (@lena · Instagram) · *completed* · assigned by Bob")
    assert "by teammates" not in footer(blocks)
    assert any(b["type"] == "actions" for b in blocks)  # a CRM admin may edit it


def test_someone_with_no_assignment_is_told_how_to_add_one(run, crm, spring):
    carl = "UCARL00001"
    blocks = run.command("campaign show spring", user_id=carl).reply.blocks
    assert rows(blocks) == []
    assert '`/crm campaign add "Spring Sale" @handle` (or several: `@maya @zoe #tag`)' in footer(blocks)
    assert "3 assignments by teammates not shown" in footer(blocks)
    assert not any(b["type"] == "actions" for b in blocks)  # only the creator or a CRM admin edits


def test_the_show_button_on_the_list_opens_the_same_card(run, crm, spring):
    listed = run.command("campaign list").reply.blocks
    (button,) = [b["accessory"] for b in listed if b.get("accessory")]
    assert (button["action_id"], button["value"]) == (Action.CAMPAIGN_SHOW, str(spring.id))
    clicked = run.click(Action.CAMPAIGN_SHOW, button["value"]).reply
    typed = run.command("campaign show spring").reply
    assert clicked.blocks == typed.blocks


def test_a_forged_campaign_id_shows_nothing(run, crm, spring):
    with crm.session() as db:
        elsewhere = Campaign(team_id="T0THER0001", name="Elsewhere", landing_url="https://e.example.com/")
        db.add(elsewhere)
    assert TEAM_ID != "T0THER0001"
    other = run.click(Action.CAMPAIGN_SHOW, str(elsewhere.id))
    assert "Campaign not found" in other.text and "Elsewhere" not in repr(other.calls)
    junk = run.click(Action.CAMPAIGN_SHOW, "not-a-uuid")
    assert "Spring Sale" not in repr(junk.calls) and junk.text


def test_an_unknown_or_missing_campaign_names_the_word(run, crm, spring):
    unknown = run.command("campaign show sprnig sale").reply.params["text"]
    assert "“sprnig sale”" in unknown and "Did you mean “Spring Sale”?" in unknown
    assert "Usage: `/crm campaign show &lt;campaign&gt;`" in unknown
    missing = run.command("campaign show").reply.params["text"]
    assert "Which campaign?" in missing


def test_short_links_and_their_clicks_when_they_are_on(links_run, crm):
    crm.campaign("Spring Sale")
    crm.relationship("maya", name="Maya Lopez")
    links_run.command('utm "Spring Sale" @maya')
    assignment = crm.one(Assignment)
    add_clicks(crm, assignment, 1, 2, 20)
    blocks = links_run.command("campaign show spring").reply.blocks
    (maya,) = rows(blocks)
    assert f"{PUBLIC_URL}/l/{assignment.short_code} · 3 clicks · 2 in the last 7 days" in maya
    assert "1 assignment: 1 planned · 3 clicks · 2 in the last 7 days" in blocks[1]["text"]["text"]


def test_a_long_roster_stops_below_slacks_block_limit_and_points_to_the_export(run, crm):
    crm.campaign("Spring Sale")
    for n in range(ROSTER_ROWS + 2):
        crm.relationship(f"creator{n:02d}")
        run.command(f'utm "Spring Sale" @creator{n:02d}')
    with crm.session() as db:
        db.execute(update(Assignment).values(status="active"))
    sent = run.command("campaign show spring")
    assert len(sent.reply.blocks) <= 50 and len(rows(sent.reply.blocks)) == ROSTER_ROWS
    assert f"*Your assignments ({ROSTER_ROWS + 2})*" in repr(sent.reply.blocks)
    assert '…and 2 more: `/crm campaign export "Spring Sale"`' in footer(sent.reply.blocks)


def test_names_on_the_card_are_escaped(run, crm):
    crm.campaign(f"Spring {LINK} <!channel>", user=BOB)
    crm.relationship("maya", name=f"Maya {LINK} <!here>")
    run.command("utm spring @maya")
    text = everything_sent(run.command("campaign show spring"))
    assert "Maya" in text and "Spring" in text
    assert_no_markup(text)


def choose(run, value: str, **kw):
    """Pick an option of a card row's menu (an overflow), as Slack sends it."""
    chosen = run.payloads.select(Action.CAMPAIGN_ROW, value, kind="overflow")
    return run.send(run.payloads.block_actions([chosen], **kw))


def menus(blocks: list[dict]) -> dict[str, list[str]]:
    """{row text's first line: its menu's option labels}, for rows that have a menu."""
    return {
        b["text"]["text"].split("\n")[0]: [o["text"]["text"] for o in b["accessory"]["options"]]
        for b in blocks
        if b.get("accessory", {}).get("type") == "overflow"
    }


def test_the_row_menu_moves_my_assignment_along_in_place(run, crm, spring):
    card = run.command("campaign show spring").reply.blocks
    maya_menu = menus(card)["*Maya Lopez* (@maya · Instagram) · *active*"]
    assert maya_menu == ["Back to planned", "Mark completed", "Mark cancelled", "Tracking link"]
    maya = crm.one(Assignment, Assignment.status == "active")
    (option,) = [
        o["value"]
        for b in card
        if b.get("accessory", {}).get("type") == "overflow"
        for o in b["accessory"]["options"]
        if o["text"]["text"] == "Mark completed" and str(maya.id) in o["value"]
    ]
    sent = choose(run, option)
    assert sent.reply.params["replace_original"] is True  # the card is redrawn where it was
    assert "*Maya Lopez* (@maya · Instagram) · *completed*" in repr(sent.reply.blocks)
    assert "3 assignments: 1 planned, 2 completed" in sent.reply.blocks[1]["text"]["text"]
    assert crm.one(Assignment, Assignment.id == maya.id).status == "completed"


def test_the_row_menu_shows_the_tracking_link_as_a_new_answer(links_run, crm):
    crm.campaign("Spring Sale")
    crm.relationship("maya", name="Maya Lopez")
    links_run.command('utm "Spring Sale" @maya')
    assignment = crm.one(Assignment)
    sent = choose(links_run, f"link:{assignment.id}")
    assert sent.reply.params.get("replace_original") is False
    assert f"{PUBLIC_URL}/l/{assignment.short_code}" in repr(sent.reply.blocks)
    assert "QR code" in repr(sent.reply.blocks)
    assert crm.one(Assignment).status == "planned"


def test_only_my_rows_have_a_menu_and_a_forged_choice_changes_nothing(run, crm, spring):
    admin_card = run.command("campaign show spring", user_id=ADMIN).reply.blocks
    assert menus(admin_card) == {}  # a CRM admin sees everyone's rows, but moves only their own
    lena = crm.one(Assignment, Assignment.status == "completed")  # Bob's
    for value in (f"cancelled:{lena.id}", f"link:{lena.id}", "cancelled:not-a-uuid", f"bogus:{lena.id}", ""):
        sent = choose(run, value)
        assert "not found" in sent.text.lower() or "could not be found" in sent.text, value
        assert not [c for c in sent.calls if c.params.get("replace_original")], value
    assert crm.one(Assignment, Assignment.id == lena.id).status == "completed"


def home_campaigns(sent) -> list[tuple[str, str]]:
    """(text, Show button value) of App Home's “Your open campaigns” rows in the last publish."""
    publish = sent.to("views.publish")[-1]
    return [
        (b["text"]["text"], b["accessory"]["value"])
        for b in publish.view["blocks"]
        if b.get("accessory", {}).get("action_id") == Action.CAMPAIGN_SHOW
    ]


def test_app_home_lists_my_open_campaigns_and_follows_their_changes(run, crm):
    campaign = crm.campaign("Spring Sale")
    crm.relationship("maya", name="Maya Lopez")
    home = run.send(run.payloads.app_home_opened())
    assert home_campaigns(home) == []  # none yet: no section at all
    assert "Your open campaigns" not in repr(home.to("views.publish")[-1].view)
    assigned = run.command("utm spring @maya")  # assigning refreshes App Home
    assert home_campaigns(assigned) == [("*Spring Sale* · active · yours: 1 planned", str(campaign.id))]
    shown = run.click(
        Action.CAMPAIGN_SHOW, str(campaign.id), view={"id": "VHOME", **home.to("views.publish")[-1].view}
    )
    (dm,) = shown.to("chat.postMessage")  # from App Home there is no channel: the card comes as a DM
    assert "Spring Sale" in json.dumps(dm.params)
    assignment = crm.one(Assignment)
    completed = choose(run, f"completed:{assignment.id}")
    assert home_campaigns(completed) == []  # nothing open on it any more


def test_an_archived_campaigns_card_offers_no_new_assignment(run, crm):
    crm.campaign("Old Drop", status="archived")
    blocks = run.command('campaign show "Old Drop"').reply.blocks
    assert "*archived*" in blocks[1]["text"]["text"]
    assert "takes no new assignments" in footer(blocks) and "campaign add" not in footer(blocks)

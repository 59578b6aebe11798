"""Pure modal and App Home builders: valid views (≤ 100 blocks) prefilled with what the user had."""

from __future__ import annotations

import json
import re
import uuid
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from crm.assignments import UtmValues
from crm.campaign_roster import CampaignLine
from crm.models import Interaction
from handlers.blocks.campaign_modals import assign_modal, assignment_done_modal, new_campaign_modal
from handlers.blocks.home import home_view
from handlers.blocks.modals import (
    add_influencer_modal,
    edit_interaction_modal,
    edit_relationship_modal,
    follow_up_modal,
    log_interaction_modal,
    notes_modal,
)
from handlers.forms import dump_metadata
from handlers.ids import Action, Field
from tests.handlers.blocks import samples as s
from tests.handlers.slack_checks import check_view

UTC = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")


def rendered(view) -> dict:
    body = view.to_dict()
    check_view(body)
    return body


def block(body: dict, block_id: str) -> dict:
    return next(b for b in body["blocks"] if b.get("block_id") == block_id)


def test_log_modal_prefills_the_influencer_type_and_shortcut_content():
    inf = s.influencer(name="Maya", handle="maya")
    camps = [s.campaign() for _ in range(150)]
    body = rendered(
        log_interaction_modal(
            influencer=inf,
            campaigns=camps,
            now=s.NOW,
            metadata=dump_metadata(src="https://x.slack.com/p1"),
            interaction_type="call",
            content="m" * 5000,
            source_url="https://x.slack.com/p1",
        )
    )
    assert block(body, Field.INTERACTION_INFLUENCER)["element"]["initial_option"]["value"] == str(inf.id)
    assert block(body, Field.INTERACTION_TYPE)["element"]["initial_option"]["value"] == "call"
    assert len(block(body, Field.INTERACTION_CONTENT)["element"]["initial_value"]) == 3000
    assert len(block(body, Field.INTERACTION_CAMPAIGN)["element"]["options"]) == 100
    assert block(body, Field.INTERACTION_DATE)["element"]["initial_date_time"] == int(s.NOW.timestamp())
    assert block(body, Field.INTERACTION_FILE)["element"]["type"] == "file_input"
    assert "cut to 3,000" in repr(body)
    assert json.loads(body["private_metadata"]) == {"src": "https://x.slack.com/p1"}
    bare = rendered(log_interaction_modal(influencer=None, campaigns=[], now=s.NOW, metadata="{}"))
    assert "initial_option" not in block(bare, Field.INTERACTION_INFLUENCER)["element"]
    assert not any(b.get("block_id") == Field.INTERACTION_CAMPAIGN for b in bare["blocks"])


def test_edit_modal_prefills_current_values_in_the_users_timezone():
    rel = s.relationship(
        status="cold", priority=4, tags=["a", "b"], notes="short", follow_up_date=s.NOW.replace(hour=23)
    )  # 00:xx next day in Berlin
    body = rendered(edit_relationship_modal(rel, rel.influencer, tz=BERLIN, metadata=dump_metadata(r=rel.id)))
    assert block(body, Field.RELATIONSHIP_STATUS)["element"]["initial_option"]["value"] == "cold"
    assert block(body, Field.RELATIONSHIP_PRIORITY)["element"]["initial_option"]["value"] == "4"
    tags = block(body, Field.RELATIONSHIP_TAGS)["element"]
    assert tags["type"] == "multi_external_select"
    assert [o["value"] for o in tags["initial_options"]] == ["a", "b"]
    assert block(body, Field.RELATIONSHIP_FOLLOW_UP)["element"]["initial_date"] == "2026-11-27"
    assert block(body, Field.RELATIONSHIP_NOTES)["element"]["initial_value"] == "short"


def test_edit_modal_with_notes_too_long_for_a_field_leaves_notes_out():
    rel = s.worst_relationship()
    body = rendered(edit_relationship_modal(rel, rel.influencer, tz=UTC, metadata="{}"))
    assert not any(b.get("block_id") == Field.RELATIONSHIP_NOTES for b in body["blocks"])
    assert "/crm note" in repr(body)


def test_notes_follow_up_and_add_modals():
    rel = s.worst_relationship()
    body = rendered(notes_modal(rel, rel.influencer, metadata=dump_metadata(i=rel.influencer_id)))
    assert "&lt;!channel&gt;" in repr(body) and "<!channel>" not in repr(body)
    assert block(body, Field.RELATIONSHIP_NOTE_APPEND)["optional"] is False
    body = rendered(follow_up_modal(rel, rel.influencer, tz=UTC, metadata="{}"))
    assert block(body, Field.RELATIONSHIP_FOLLOW_UP)["element"]["initial_date"] == "2026-11-23"
    rendered(add_influencer_modal())


def test_campaign_modals():
    body = rendered(new_campaign_modal(name="Spring", landing_url="https://shop.example.com"))
    assert block(body, Field.CAMPAIGN_NAME)["element"]["initial_value"] == "Spring"
    inf, camp = s.worst_influencer(), s.campaign(name="x" * 100)
    utm = UtmValues("instagram", "influencer", "spring", "maya", None)
    body = rendered(
        assign_modal(
            camp,
            inf,
            utm=utm,
            preview="https://e.com/?" + "u" * 5000,
            metadata=dump_metadata(c=camp.id, i=inf.id),
        )
    )
    assert block(body, Field.ASSIGNMENT_UTM_CONTENT)["element"]["initial_value"] == "maya"
    assert "initial_value" not in block(body, Field.ASSIGNMENT_UTM_TERM)["element"]
    again = rendered(
        assign_modal(
            camp, inf, utm=utm, preview="https://e.com/", metadata="{}", assigned="x" * 60, notes="n" * 5000
        )
    )
    assert again["submit"]["text"] == "Save"
    assert len(block(again, Field.ASSIGNMENT_NOTES)["element"]["initial_value"]) == 3_000
    done = rendered(assignment_done_modal(s.assignment(camp, inf), camp, inf, created=True))
    assert "submit" not in done


def dashboard(n: int, **kw):
    rels = [s.worst_relationship() for _ in range(n)]
    return SimpleNamespace(
        due=rels,
        due_count=n,
        overdue_count=n,
        pipeline={"saved": n, "contacted": 0, "warm": 0, "cold": 0, "partnered": 0},
        strongest=rels,
        neglected=rels,
        recent=[s.interaction(r.influencer, content=s.NASTY * 100) for r in rels],
        campaigns=[
            CampaignLine(uuid.uuid4(), s.NASTY * 20, "active", {"active": n, "planned": n}) for _ in range(n)
        ],
        campaign_count=n,
        **kw,
    )


def test_home_view_stays_valid_for_huge_dashboards_and_offers_the_three_buttons():
    body = rendered(home_view(dashboard(10_000), tz=UTC, now=s.NOW))
    actions = next(b for b in body["blocks"] if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == [
        Action.HOME_ADD_INFLUENCER,
        Action.HOME_LOG_INTERACTION,
        Action.HOME_NEW_CAMPAIGN,
    ]
    assert "/crm due" in repr(body)
    assert "`/crm campaign list` shows them all" in repr(body)  # the open campaigns beyond the first five
    nothing_due = dashboard(1)
    nothing_due.due, nothing_due.due_count, nothing_due.overdue_count = [], 0, 0
    assert "Nothing due" in repr(rendered(home_view(nothing_due, tz=UTC, now=s.NOW)))
    assert body["type"] == "home" and "submit" not in body


def section_texts(body: dict) -> list[str]:
    return [b["text"]["text"] for b in body["blocks"] if b["type"] == "section" and "text" in b]


def test_a_new_user_s_home_says_how_to_start_instead_of_showing_zeros():
    new = section_texts(rendered(home_view(dashboard(0), tz=UTC, now=s.NOW)))
    (start,) = [t for t in new if t.startswith("*Getting started*")]
    assert "`/crm add @maya tiktok`" in start and "`/crm import`" in start and "*Log to CRM*" in start
    # Every command the steps show is one the app answers.
    from handlers.commands.dispatch import SUBCOMMANDS

    shown = re.findall(r"`/crm (\w+)", start)
    assert shown and set(shown) <= {name.split(" ", 1)[0] for name in SUBCOMMANDS}
    assert not [t for t in new if t.startswith(("*Pipeline*", "*Strongest", "*Follow-ups due"))]
    # One relationship (or one interaction logged) and the dashboard is back, without the steps.
    one, logged_only = dashboard(1), dashboard(0)
    logged_only.recent = one.recent
    for used in (one, logged_only):
        texts = section_texts(rendered(home_view(used, tz=UTC, now=s.NOW)))
        assert "*Pipeline*" in texts and not [t for t in texts if t.startswith("*Getting started*")]


def test_the_edit_interaction_form_keeps_what_it_cannot_show():
    archived = s.campaign(name="Old launch", status="archived")
    inf = s.influencer(name=s.NASTY)
    interaction = Interaction(
        id=uuid.uuid4(),
        type="file_upload",
        subject="Brief",
        content="x" * 3_001,  # longer than a Slack text input
        file_url="https://files.slack.com/files-pri/T1-F1/brief.pdf",
        interaction_date=s.NOW,
        campaign_id=archived.id,
    )
    interaction.influencer, interaction.campaign = inf, archived
    others = [s.campaign() for _ in range(3)]  # the team's open campaigns: the archived one is not there
    metadata = dump_metadata(i=interaction.id, o="10")
    body = rendered(edit_interaction_modal(interaction, campaigns=others, tz=BERLIN, metadata=metadata))
    assert body["callback_id"] == "interaction-edit-submit"
    assert block(body, Field.INTERACTION_TYPE)["element"]["initial_option"]["value"] == "file_upload"
    chosen = block(body, Field.INTERACTION_CAMPAIGN)["element"]["initial_option"]
    assert chosen["text"]["text"] == "Old launch"
    assert not [b for b in body["blocks"] if b.get("block_id") == Field.INTERACTION_CONTENT]
    text = json.dumps(body, ensure_ascii=False)
    assert "Details are 3,001 characters" in text and "stays attached" in text and "<!channel>" not in text

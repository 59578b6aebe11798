"""Pure message builders: valid Block Kit (slack_sdk + our limit checks) even for the worst data."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from crm.campaigns import CampaignSummary
from handlers.blocks.admin import admin_refusal, admin_summary_message
from handlers.blocks.campaigns import assignment_link, campaign_list
from handlers.blocks.cards import relationship_card
from handlers.blocks.help import Usage, help_message
from handlers.blocks.lists import PAGE, candidates, relationship_list, search_results
from handlers.blocks.message import Message
from handlers.blocks.text import mrkdwn
from handlers.commands.dispatch import SUBCOMMANDS, usage_help
from handlers.ids import Action, Block
from tests.handlers.blocks import samples as s
from tests.handlers.slack_checks import check_message

UTC = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")


def rendered(message: Message) -> dict:
    body = message.to_dict()
    check_message(body)
    return body


def all_text(body: dict) -> str:
    return repr(body)


def mrkdwn_texts(node) -> list[str]:
    """Every string Slack parses as mrkdwn (mrkdwn text objects and the message's fallback text)."""
    if isinstance(node, list):
        return [t for item in node for t in mrkdwn_texts(item)]
    if not isinstance(node, dict):
        return []
    found = [node["text"]] if node.get("type") == "mrkdwn" or ("blocks" in node and "text" in node) else []
    return found + [
        t
        for key, value in node.items()
        if key != "text" or isinstance(value, dict | list)
        for t in mrkdwn_texts(value)
    ]


def test_card_shows_every_part_and_its_buttons_carry_the_influencer_id():
    inf = s.influencer(name="Maya Lopez", handle="maya", follower_count=12400)
    rel = s.relationship(
        inf,
        notes="Met at the spring event.",
        tags=["skincare", "vegan"],
        follow_up_date=s.NOW + timedelta(days=1),
        last_contacted_at=s.NOW - timedelta(days=3),
    )
    camp = s.campaign(name="Spring Sale")
    body = rendered(
        relationship_card(
            rel,
            inf,
            [s.interaction(inf, type="call", subject="Kick-off")],
            [s.assignment(camp, inf)],
            tz=BERLIN,
            now=s.NOW,
        )
    )
    text = all_text(body)
    for part in (
        "Maya Lopez",
        "@maya",
        "12,400 followers",
        "Warm",
        "3 / 5",
        "42 / 100",
        "3 days ago",
        "#skincare",
        "#vegan",
        "Met at the spring event.",
        "Kick-off",
        "Call",
        "Spring Sale",
    ):
        assert part in text, part
    actions = next(b for b in body["blocks"] if b.get("block_id") == Block.CARD_ACTIONS)
    assert [e["action_id"] for e in actions["elements"]] == [
        Action.CARD_LOG,
        Action.CARD_EDIT,
        Action.CARD_FOLLOW_UP,
    ]
    assert {e["value"] for e in actions["elements"]} == {str(inf.id)}
    assert "Maya Lopez" in body["text"]


def test_card_of_the_worst_relationship_is_valid_and_escaped():
    rel = s.worst_relationship()
    recent = [s.interaction(rel.influencer, subject=s.NASTY * 3, content="c" * 10_000) for _ in range(5)]
    camps = [s.campaign(name=("Camp " + s.NASTY)[:100]) for _ in range(60)]
    body = rendered(
        relationship_card(
            rel, rel.influencer, recent, [s.assignment(c, rel.influencer) for c in camps], tz=UTC, now=s.NOW
        )
    )
    parsed = " ".join(mrkdwn_texts(body))
    assert "<!channel>" not in parsed and "&lt;!channel&gt;" in parsed  # escaped, never a mention
    assert "<https://evil" not in parsed
    text = all_text(body)
    assert "…and" in text  # 60 campaigns: the rest is counted, not listed


def test_relationship_list_of_ten_thousand_shows_one_page_and_counts_the_rest():
    rels = [s.relationship(notes="n" * 3000) for _ in range(10_000)]
    body = rendered(relationship_list(rels, 10_000, title="Your relationships", tz=UTC, now=s.NOW, empty="-"))
    rows = [b for b in body["blocks"] if b.get("accessory")]
    assert len(rows) == PAGE
    assert {r["accessory"]["action_id"] for r in rows} == {Action.SHOW}
    assert "…and 9,980 more" in all_text(body)
    assert "10,000" in body["text"]


def test_relationship_list_worst_rows_and_empty_list():
    rels = [s.worst_relationship() for _ in range(PAGE)]
    rendered(relationship_list(rels, PAGE, title=s.NASTY * 5, tz=UTC, now=s.NOW, empty="-"))
    body = rendered(relationship_list([], 0, title="Yours", tz=UTC, now=s.NOW, empty="Nothing here."))
    assert body["text"] == "Nothing here."


def test_search_results_mark_what_is_not_on_my_list_with_an_add_button():
    mine = s.relationship()
    other = s.influencer(name="Zed")
    hits = [
        SimpleNamespace(influencer=mine.influencer, relationship=mine, rank=1.0),
        SimpleNamespace(influencer=other, relationship=None, rank=0.5),
    ]
    body = rendered(search_results("z", hits, tz=UTC, now=s.NOW))
    buttons = [b["accessory"] for b in body["blocks"] if b.get("accessory")]
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        (Action.SHOW, str(mine.influencer.id)),
        (Action.ADD_TO_LIST, str(other.id)),
    ]
    many = [SimpleNamespace(influencer=s.worst_influencer(), relationship=None, rank=0.1) for _ in range(500)]
    rendered(search_results(s.NASTY * 50, many, tz=UTC, now=s.NOW))
    assert "Nothing matches" in rendered(search_results("q", [], tz=UTC, now=s.NOW))["text"]


def test_candidates_carry_the_command_to_replay_and_fall_back_when_it_cannot_fit():
    found = [s.influencer(name="Maya", handle=f"maya{i}") for i in range(12)]
    body = rendered(
        candidates(
            "“maya” matches several influencers; pick one.", found, command="status", args=["maya", "warm"]
        )
    )
    buttons = next(b for b in body["blocks"] if b["type"] == "actions")["elements"]
    assert len(buttons) == 10
    assert '"c":"status"' in buttons[0]["value"] and '"a":["maya","warm"]' in buttons[0]["value"]
    long_note = ["maya", "x" * 3000]
    body = rendered(candidates("pick one", found[:2], command="note", args=long_note))
    buttons = next(b for b in body["blocks"] if b["type"] == "actions")["elements"]
    assert all('"c":"show"' in b["value"] for b in buttons)
    assert "too long" in all_text(body)


def test_campaign_list_and_tracking_link():
    summaries = [
        CampaignSummary(s.campaign(name=("C " + s.NASTY)[:100]), {"planned": 2, "active": 0})
        for _ in range(300)
    ]
    body = rendered(campaign_list(summaries))
    assert "…and 260 more" in all_text(body)
    assert "No campaigns yet" in rendered(campaign_list([]))["text"]
    inf, camp = s.influencer(handle="maya"), s.campaign(name="Spring Sale")
    body = rendered(assignment_link(s.assignment(camp, inf), camp, inf, created=True))
    assert "utm_content=maya" in body["text"]
    assert "&amp;utm_medium" in all_text(body["blocks"])  # & escaped inside the code block


def test_help_lists_every_subcommand_with_an_example():
    body = rendered(usage_help())
    text = all_text(body)
    for sub in SUBCOMMANDS.values():
        assert mrkdwn(sub.usage.usage, None) in text
        assert mrkdwn(sub.usage.example, None) in text
    many = [Usage(f"cmd{i} " + "x" * 200, "y" * 200, "/crm z") for i in range(60)]
    rendered(help_message(many))


@pytest.mark.parametrize("users", [0, 3, 1000])
def test_admin_summary(users):
    row = SimpleNamespace(
        user_name=s.NASTY,
        influencer_name="Maya",
        handle="maya",
        status="warm",
        strength=80,
        days_since_contact=None,
    )
    per_user = [
        SimpleNamespace(
            display_name=s.NASTY * 3,
            slack_user_id=f"U{i:08d}",
            total_influencers=10_000,
            partnered_influencers=3,
            total_campaigns=2,
            total_interactions=i,
            avg_relationship_strength=Decimal("41.5"),
        )
        for i in range(users)
    ]
    summary = SimpleNamespace(
        period=(s.NOW - timedelta(days=30), s.NOW),
        active_users=users,
        new_relationships=5,
        interactions_by_type={"email": 3, "call": 1, "meeting": 0, "note": 0, "file_upload": 0},
        status_funnel={"saved": 1, "contacted": 2, "warm": 3, "cold": 0, "partnered": 1},
        partnered_in_period=1,
        campaigns_by_status={"active": 2},
        assignments_by_status={"planned": 4},
        top_relationships=[row] * 5,
        going_cold=[row] * 10,
        per_user=per_user,
    )
    body = rendered(admin_summary_message(summary, tz=UTC, now=s.NOW))
    assert "file upload 0" in all_text(body)
    if users > 15:
        assert f"…and {users - 15:,} more users" in all_text(body)
    assert "Only CRM admins" in rendered(admin_refusal())["text"]


def test_a_message_over_fifty_blocks_is_refused_by_the_builder():
    from slack_sdk.models.blocks import DividerBlock

    with pytest.raises(ValueError):
        Message(text="x", blocks=[DividerBlock()] * 51)


def test_links_are_only_made_of_safe_http_urls():
    from handlers.blocks.text import link

    assert link("https://x.com/a?b=1&c=2", "go") == "<https://x.com/a?b=1&amp;c=2|go>"
    assert link("https://x.com/a|evil", "go") == ""
    assert link("javascript:alert(1)", "go") == ""
    assert link("https://x.com/" + "a" * 2000, "go") == ""
    assert link(None, "go") == ""

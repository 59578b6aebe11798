"""Pure message builders: valid Block Kit (slack_sdk + our limit checks) even for the worst data."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from crm.campaigns import CampaignSummary
from crm.followups import FOLLOW_UP_AT_ONCE_MAX
from crm.interactions import LOG_AT_ONCE_MAX, Logged, LogPoint, UndoneLog
from crm.models import Interaction
from crm.relationship_fields import TAGS_MAX
from crm.relationships import PRIORITY_AT_ONCE_MAX, STATUS_AT_ONCE_MAX, TAG_AT_ONCE_MAX, TagChange
from handlers.blocks.admin import admin_refusal, admin_summary_message
from handlers.blocks.campaigns import assignment_link, campaign_list
from handlers.blocks.cards import card_message
from handlers.blocks.follow_up_undo import (
    follow_up_set_message,
    follow_ups_set_message,
    parse_follow_ups_undo,
)
from handlers.blocks.help import Usage, help_message, run_meant
from handlers.blocks.lists import PAGE, ListQuery, candidates, relationship_list, search_results
from handlers.blocks.logged import log_undone_message, logged_message, logged_several_message, parse_log_undo
from handlers.blocks.message import Message
from handlers.blocks.text import BUTTON_VALUE, mrkdwn
from handlers.blocks.undo import (
    parse_priorities_undo,
    parse_statuses_undo,
    parse_tag_undo,
    priorities_set_message,
    statuses_set_message,
    tagged_several_message,
)
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
    inf = s.influencer(name="Maya Lopez", handle="maya", follower_count=12400, email="maya@example.com")
    rel = s.relationship(
        inf,
        notes="Met at the spring event.",
        tags=["skincare", "vegan"],
        follow_up_date=s.NOW + timedelta(days=1),
        last_contacted_at=s.NOW - timedelta(days=3),
    )
    camp = s.campaign(name="Spring Sale")
    card = s.card(rel, [s.interaction(inf, type="call", subject="Kick-off")], [s.assignment(camp, inf)])
    body = rendered(card_message(card, tz=BERLIN, now=s.NOW))
    text = all_text(body)
    for part in (
        "Maya Lopez",
        "@maya",
        "12,400 followers",
        "`maya@example.com`",  # in code: Slack makes no mailto link of user text
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
        Action.CARD_HISTORY,
    ]
    assert {e["value"] for e in actions["elements"]} == {str(inf.id)}
    assert "Maya Lopez" in body["text"]


def test_card_of_the_worst_relationship_is_valid_and_escaped():
    rel = s.worst_relationship()
    recent = [s.interaction(rel.influencer, subject=s.NASTY * 3, content="c" * 10_000) for _ in range(5)]
    camps = [s.campaign(name=("Camp " + s.NASTY)[:100]) for _ in range(60)]
    card = s.card(rel, recent, [s.assignment(c, rel.influencer) for c in camps])
    body = rendered(card_message(card, tz=UTC, now=s.NOW))
    parsed = " ".join(mrkdwn_texts(body))
    assert "<!channel>" not in parsed and "&lt;!channel&gt;" in parsed  # escaped, never a mention
    assert "<https://evil" not in parsed
    text = all_text(body)
    assert "…and" in text  # 60 campaigns: the rest is counted, not listed


LIST = ListQuery("list", statuses=("warm",), tag="skincare", min_priority=3)


def page_buttons_of(body) -> dict[str, dict]:
    block = next((b for b in body["blocks"] if b.get("block_id") == Block.LIST_PAGES), None)
    return {e["action_id"]: json.loads(e["value"]) for e in block["elements"]} if block else {}


def test_relationship_list_of_ten_thousand_shows_one_page_and_the_next_one_button():
    rels = [s.relationship(notes="n" * 3000) for _ in range(PAGE)]
    body = rendered(
        relationship_list(
            rels, 10_000, query=LIST, offset=40, title="Your relationships", tz=UTC, now=s.NOW, empty="-"
        )
    )
    rows = [b for b in body["blocks"] if b.get("accessory")]
    assert len(rows) == PAGE
    assert {r["accessory"]["action_id"] for r in rows} == {Action.SHOW}
    assert "Showing 41–60 of 10,000." in all_text(body)
    assert "10,000" in body["text"]
    expected = {"k": "list", "s": "warm", "t": "skincare", "p": 3}
    assert page_buttons_of(body) == {
        Action.LIST_PREVIOUS: {**expected, "o": 20},
        Action.LIST_NEXT: {**expected, "o": 60},
    }


def test_relationship_list_worst_rows_and_empty_list():
    rels = [s.worst_relationship() for _ in range(PAGE)]
    rendered(relationship_list(rels, PAGE, query=LIST, title=s.NASTY * 5, tz=UTC, now=s.NOW, empty="-"))
    body = rendered(
        relationship_list([], 0, query=LIST, title="Yours", tz=UTC, now=s.NOW, empty="Nothing here.")
    )
    assert body["text"] == "Nothing here."
    assert page_buttons_of(body) == {}


def test_search_results_mark_what_is_not_on_my_list_with_an_add_button():
    mine = s.relationship()
    other = s.influencer(name="Zed")
    hits = [
        SimpleNamespace(influencer=mine.influencer, relationship=mine, rank=1.0),
        SimpleNamespace(influencer=other, relationship=None, rank=0.5),
    ]
    find = ListQuery("find", text="z")
    body = rendered(search_results("z", hits, query=find, tz=UTC, now=s.NOW))
    buttons = [b["accessory"] for b in body["blocks"] if b.get("accessory")]
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        (Action.SHOW, str(mine.influencer.id)),
        (Action.ADD_TO_LIST, str(other.id)),
    ]
    assert "Instagram) · not on your list" in all_text(body)
    assert page_buttons_of(body) == {}
    many = [SimpleNamespace(influencer=s.worst_influencer(), relationship=None, rank=0.1) for _ in range(500)]
    for text, paged in ((s.NASTY, True), (s.NASTY * 50, False)):  # the second cannot fit in a button
        nasty = ListQuery("find", text=text)
        body = rendered(search_results(text, many, query=nasty, offset=20, has_next=True, tz=UTC, now=s.NOW))
        assert set(page_buttons_of(body)) == ({Action.LIST_PREVIOUS, Action.LIST_NEXT} if paged else set())
        assert paged or "use fewer words" in all_text(body)
    assert "Nothing matches" in rendered(search_results("q", [], query=find, tz=UTC, now=s.NOW))["text"]


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
        platform="youtube",
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
        as_of=s.NOW,
    )
    body = rendered(admin_summary_message(summary, tz=UTC, now=s.NOW))
    assert "file upload 0" in all_text(body)
    if users > 15:
        assert f"…and {users - 15:,} more users" in all_text(body)
    assert "Only CRM admins" in rendered(admin_refusal())["text"]


def test_admin_summary_says_as_of_when_in_the_admins_zone_and_counts_in_good_english():
    one = SimpleNamespace(
        display_name="Ana",
        slack_user_id="UANA",
        total_influencers=1,
        partnered_influencers=0,
        total_campaigns=1,
        total_interactions=1,
        avg_relationship_strength=None,
    )
    row = SimpleNamespace(
        user_name="Ana",
        influencer_name="Maya",
        handle="maya",
        platform="tiktok",
        status="warm",
        strength=80,
        days_since_contact=1,
    )
    summary = SimpleNamespace(
        period=(s.NOW - timedelta(days=30), s.NOW),
        active_users=1,
        new_relationships=1,
        interactions_by_type={"email": 1, "call": 0, "meeting": 0, "note": 0, "file_upload": 0},
        status_funnel={"saved": 0, "contacted": 0, "warm": 1, "cold": 0, "partnered": 0},
        partnered_in_period=0,
        campaigns_by_status={"active": 1},
        assignments_by_status={"planned": 0},
        top_relationships=[row],
        going_cold=[],
        per_user=[one],
        as_of=datetime(2026, 6, 15, 12, 5, tzinfo=UTC),
    )
    body = rendered(admin_summary_message(summary, tz=ZoneInfo("America/New_York"), now=s.NOW))
    text = all_text(body)
    assert "as of 08:05 EDT" in body["text"] and "as of 08:05 EDT" in text
    assert "1 active user," in body["text"] and "1 new relationship," in body["text"]
    assert body["text"].endswith("1 interaction")
    assert "Per user, all time" in text  # not the period's figures, as the interactions above
    assert "Ana: 1 influencer (0 partnered), 1 interaction, 1 campaign" in text
    assert "(@maya · TikTok) · Warm · strength 80 · 1 day since contact" in text


def test_platforms_are_labelled_from_one_table_everywhere():
    from crm.models import PLATFORMS
    from crm.profiles import PLATFORM_LABELS
    from handlers.blocks.fields import platform_select

    assert set(PLATFORM_LABELS) == set(PLATFORMS)
    assert [PLATFORM_LABELS[p] for p in ("tiktok", "youtube", "linkedin", "x")] == [
        "TikTok",
        "YouTube",
        "LinkedIn",
        "X",
    ]
    picker = platform_select().to_dict()["element"]["options"]
    assert [o["text"]["text"] for o in picker] == [PLATFORM_LABELS[p] for p in PLATFORMS]
    rel = s.relationship(s.influencer(platform="tiktok"))
    card = rendered(card_message(s.card(rel), tz=UTC, now=s.NOW))
    assert "· TikTok" in all_text(card) and "tiktok" not in all_text(card).replace("@", " ").split()
    found = [s.influencer(name="Maya", handle=f"maya{i}", platform="youtube") for i in range(2)]
    picks = rendered(candidates("pick one", found, command="show", args=["maya"]))
    assert "Maya (@maya0 · YouTube)" in all_text(picks)


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


def test_the_priority_picker_offers_every_priority_crm_accepts():
    from crm.relationship_fields import PRIORITY_MAX
    from handlers.blocks.fields import priority_select

    picker = priority_select().to_dict()["element"]["options"]
    assert [o["value"] for o in picker] == [str(p) for p in range(PRIORITY_MAX + 1)]


def test_the_log_undo_value_carries_both_points_exactly_and_no_user_text():
    inf = s.influencer(name=s.NASTY)
    rel = s.relationship(inf, status="contacted", follow_up_date=s.NOW + timedelta(microseconds=123))
    rel.follow_up_from_cadence = True
    interaction = Interaction(id=uuid.uuid4(), type="call", influencer=inf, influencer_id=inf.id)
    interaction.interaction_date, interaction.subject = s.NOW, s.NASTY
    rel.last_contacted_at = s.NOW - timedelta(days=3, microseconds=7)
    points = (LogPoint("saved", None, False), LogPoint("cold", s.NOW, False, s.NOW - timedelta(days=9)))
    for before in (None, *points):
        body = rendered(logged_message(interaction, rel, before=before, tz=BERLIN, now=s.NOW))
        (undo,) = [b["accessory"] for b in body["blocks"] if b.get("accessory")]
        assert undo["action_id"] == Action.LOG_UNDO and "evil" not in undo["value"]
        assert parse_log_undo(undo["value"]) == [(interaction.id, before, LogPoint.of(rel))]
        assert "<https://evil" not in all_text(body)


def test_the_log_undo_answer_escapes_the_name_and_says_what_stayed():
    inf = s.influencer(name=s.NASTY)
    rel = s.relationship(inf, status="partnered", follow_up_date=None)
    stayed = UndoneLog(inf, "meeting", rel, status_back=False, follow_up_back=True)
    body = rendered(log_undone_message([stayed], tz=BERLIN, now=s.NOW))
    text = all_text(body)
    assert "Took back the meeting with" in text and "<!channel>" not in text
    assert "Status: *Partnered* (set since the log)" in text and "Follow-up: none" in text
    assert "none (set since" not in text  # the follow-up is as before the log
    off = rendered(log_undone_message([UndoneLog(inf, "file_upload", None)], tz=BERLIN, now=s.NOW))
    assert "Took back the file with" in all_text(off) and "off your list again" in all_text(off)
    assert "taken back already" in all_text(rendered(log_undone_message([None], tz=BERLIN, now=s.NOW)))


def test_the_undo_of_the_most_creators_logged_at_once_fits_in_one_button():
    far = s.NOW + timedelta(days=9_000, microseconds=999_999)  # the longest instants
    worst = LogPoint("partnered", far, True, far)
    logged = []
    for _ in range(LOG_AT_ONCE_MAX):
        inf = s.influencer(name=s.NASTY)
        interaction = Interaction(id=uuid.uuid4(), type="meeting", influencer=inf, influencer_id=inf.id)
        interaction.interaction_date, interaction.content = s.NOW, s.NASTY
        logged.append(Logged(interaction, worst, worst))
    body = rendered(logged_several_message(logged, tz=BERLIN))
    (undo,) = [b["accessory"] for b in body["blocks"] if b.get("accessory")]
    assert len(undo["value"]) <= BUTTON_VALUE
    assert [entry[0] for entry in parse_log_undo(undo["value"])] == [item.interaction.id for item in logged]
    assert "<!channel>" not in all_text(body)


def test_a_tag_change_too_large_for_one_undo_button_says_how_to_reverse_it():
    added = [f"new-{n:02d}-{'x' * 23}" for n in range(TAGS_MAX)]  # 30 characters each, the most
    removed = [f"old-{n:02d}-{'x' * 23}" for n in range(TAGS_MAX)]
    ops = [f"+{t}" for t in added] + [f"-{t}" for t in removed]
    changes = [TagChange(s.relationship(tags=added), added, removed) for _ in range(TAG_AT_ONCE_MAX)]
    body = rendered(tagged_several_message(changes, ops))
    assert not [b for b in body["blocks"] if b.get("accessory")]
    assert "too large for one Undo button" in all_text(body)
    few = rendered(tagged_several_message(changes[:2], ops[:2]))
    (undo,) = [b["accessory"] for b in few["blocks"] if b.get("accessory")]
    assert len(parse_tag_undo(undo["value"])) == 2


def test_the_undo_of_the_most_statuses_or_follow_ups_set_at_once_fits_in_one_button():
    moved = [(s.relationship(status="partnered"), "contacted") for _ in range(STATUS_AT_ONCE_MAX)]
    body = rendered(statuses_set_message("partnered", moved))
    (undo,) = [b["accessory"] for b in body["blocks"] if b.get("accessory")]
    assert len(undo["value"]) <= BUTTON_VALUE
    assert len(parse_statuses_undo(undo["value"])[1]) == STATUS_AT_ONCE_MAX
    far = s.NOW + timedelta(days=9_000, microseconds=999_999)  # the longest instants
    had = [(s.relationship(follow_up_date=far), far, True) for _ in range(FOLLOW_UP_AT_ONCE_MAX)]
    body = rendered(follow_ups_set_message(far, had, tz=BERLIN))
    (undo,) = [b["accessory"] for b in body["blocks"] if b.get("accessory")]
    assert len(undo["value"]) <= BUTTON_VALUE
    assert len(parse_follow_ups_undo(undo["value"])[1]) == FOLLOW_UP_AT_ONCE_MAX


def test_one_follow_up_answer_escapes_the_name_and_offers_undo_only_for_a_change():
    rel = s.relationship(s.influencer(name=s.NASTY), follow_up_date=s.NOW)
    changed = rendered(follow_up_set_message(rel, s.NOW - timedelta(days=3), True, tz=BERLIN))
    assert "<!channel>" not in all_text(changed) and "<https://evil" not in all_text(changed)
    (undo,) = [b["accessory"] for b in changed["blocks"] if b.get("accessory")]
    set_to, [(influencer_id, had, by_cadence)] = parse_follow_ups_undo(undo["value"])
    assert (set_to, influencer_id, had, by_cadence) == (
        s.NOW,
        rel.influencer_id,
        s.NOW - timedelta(days=3),
        True,
    )
    same = rendered(follow_up_set_message(rel, s.NOW, False, tz=BERLIN))
    assert not [b for b in same["blocks"] if b.get("accessory")]


def test_the_run_button_is_clipped_to_fit_and_absent_when_its_command_does_not():
    name = "N" * 200
    block = run_meant(f'status "{name}" warm', f'status "{name}" warm').to_dict()
    check_message({"text": "x", "blocks": [block]})
    (button,) = block["elements"]
    assert len(button["text"]["text"]) <= 75 and button["text"]["text"].startswith("Run /crm status")
    assert button["value"] == f'status "{name}" warm'  # the whole command, not the label
    assert run_meant("x", "x" * (BUTTON_VALUE + 1)) is None
    assert run_meant("x", "") is None


def test_the_undo_of_the_most_priorities_set_at_once_fits_in_one_button():
    changed = [
        (s.relationship(inf=s.influencer(name=s.NASTY), priority=5), 0) for _ in range(PRIORITY_AT_ONCE_MAX)
    ]
    body = rendered(priorities_set_message(5, changed))
    (undo,) = [b["accessory"] for b in body["blocks"] if b.get("accessory")]
    assert len(undo["value"]) <= BUTTON_VALUE
    assert parse_priorities_undo(undo["value"]) == (5, [(r.influencer_id, 0) for r, _ in changed])
    assert "<!channel>" not in all_text(body)

"""The menu on each `/crm due` row, end to end: Done and Snooze redraw the list in place, Log opens
the form, Show posts the card; another user's or a forged choice changes nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from crm.models import Influencer, Relationship
from handlers.ids import Action
from tests.handlers.actions.test_paging import rows

BOB = "UBOB000001"
ANSWERS = ("response_url", "chat.postEphemeral", "chat.postMessage")


def menu(message, handle: str) -> dict[str, str]:
    """{option label: value} of the menu on `handle`'s row."""
    for block in message.blocks:
        if block.get("type") == "section" and f"(@{handle} " in block["text"]["text"]:
            return {o["text"]["text"]: o["value"] for o in block["accessory"]["options"]}
    raise AssertionError(f"no row for @{handle}")


def choose(run, value: str, **kw):
    chosen = run.payloads.select(Action.DUE_ROW, value, kind="overflow")
    return run.send(run.payloads.block_actions([chosen], message={"type": "message", "ts": "1.2"}, **kw))


def due_of(crm, handle: str):
    influencer = crm.one(Influencer, Influencer.handle == handle)
    return crm.one(Relationship, Relationship.influencer_id == influencer.id).follow_up_date


@pytest.fixture
def late(crm):
    """Two follow-ups overdue (ana, then ben) and one next week (cat)."""
    now = datetime.now(UTC)
    crm.relationship("ana", name="Ana Lee", follow_up_date=now - timedelta(days=3))
    crm.relationship("ben", name="Ben Cho", follow_up_date=now - timedelta(days=1))
    crm.relationship("cat", name="Cat Roy", follow_up_date=now + timedelta(days=3))


def test_each_due_row_has_the_menu_and_other_lists_keep_show(run, crm, late):
    due = run.command("due").reply
    assert rows(due) == ["ana", "ben"]
    assert list(menu(due, "ana")) == ["Done", "Snooze 1 day", "Snooze 1 week", "Log interaction", "Show card"]
    listed = run.command("list").reply
    accessories = [b["accessory"] for b in listed.blocks if b.get("accessory")]
    assert {a["action_id"] for a in accessories} == {Action.SHOW}


def test_done_clears_it_and_redraws_the_list_in_place(run, crm, late):
    due = run.command("due").reply
    sent = choose(run, menu(due, "ana")["Done"])
    (redrawn,) = sent.to("response_url")
    assert redrawn.params["replace_original"] is True
    assert redrawn.blocks[0]["elements"][0]["text"] == "✅ Done: follow-up with *Ana Lee* cleared"
    assert rows(redrawn) == ["ben"] and "Follow-ups due (1)" in json.dumps(redrawn.blocks)
    assert due_of(crm, "ana") is None
    assert sent.to("views.publish")  # App Home shows due follow-ups
    again = choose(run, menu(due, "ana")["Done"])  # a double click: the same state again
    assert due_of(crm, "ana") is None and rows(again.reply) == ["ben"]


def test_snooze_on_the_week_list_keeps_that_list(run, crm, late):
    week = run.command("due week").reply
    assert rows(week) == ["ana", "ben", "cat"]
    sent = choose(run, menu(week, "ana")["Snooze 1 day"])
    redrawn = sent.reply
    assert "Snoozed: follow-up with *Ana Lee* is now due" in redrawn.blocks[0]["elements"][0]["text"]
    assert "in the next 7 days" in json.dumps(redrawn.blocks)  # still the week's list
    assert rows(redrawn) == ["ben", "ana", "cat"]  # ana is due tomorrow now
    assert due_of(crm, "ana") > datetime.now(UTC)


def test_the_last_one_done_leaves_the_nothing_due_answer(run, crm):
    crm.relationship("ana", name="Ana Lee", follow_up_date=datetime.now(UTC) - timedelta(days=1))
    due = run.command("due").reply
    redrawn = choose(run, menu(due, "ana")["Done"]).reply
    assert "No follow-ups due today" in json.dumps(redrawn.blocks) and rows(redrawn) == []


def test_show_posts_the_card_and_log_opens_the_form(run, crm, late):
    due = run.command("due").reply
    shown = choose(run, menu(due, "ben")["Show card"]).reply
    assert shown.params.get("replace_original") is False and "Ben Cho" in json.dumps(shown.blocks)
    opened = choose(run, menu(due, "ben")["Log interaction"]).opened
    assert "Ben Cho" in json.dumps(opened["blocks"])
    assert "ru" in json.loads(opened["private_metadata"])  # the log's answer comes back to this list


def test_another_users_or_a_forged_choice_changes_nothing(run, crm, late):
    due = run.command("due").reply
    before = due_of(crm, "ana")
    for value in (menu(due, "ana")["Done"], menu(due, "ana")["Snooze 1 week"]):
        sent = choose(run, value, user_id=BOB)  # ana is on my list, not Bob's
        assert not [c for c in sent.calls if c.params.get("replace_original")]
        assert "doesn't exist or isn't yours" in sent.text
    ana_id = menu(due, "ana")["Done"].split(":")[2]
    for value in ("done:due:not-a-uuid", f"s99:due:{ana_id}", f"done:list:{ana_id}", ""):
        sent = choose(run, value)
        assert "could not be found" in sent.text and not sent.to("views.open"), value
    assert due_of(crm, "ana") == before


def home_due_menus(view: dict) -> dict[str, dict[str, str]]:
    """{handle: {option label: value}} of App Home's due rows."""
    return {
        b["text"]["text"].split(" (@", 1)[1].split(" ", 1)[0]: {
            o["text"]["text"]: o["value"] for o in b["accessory"]["options"]
        }
        for b in view["blocks"]
        if b.get("accessory", {}).get("action_id") == Action.DUE_ROW
    }


def test_app_homes_due_rows_have_the_menu_and_its_refresh_is_the_answer(run, crm, late):
    home = run.send(run.payloads.app_home_opened()).to("views.publish")[-1].view
    menus = home_due_menus(home)
    assert sorted(menus) == ["ana", "ben"]
    chosen = run.payloads.select(Action.DUE_ROW, menus["ana"]["Done"], kind="overflow")
    sent = run.send(run.payloads.block_actions([chosen], view={"id": "VHOME", **home}))
    assert due_of(crm, "ana") is None
    assert not [c for c in sent.calls if c.method in ANSWERS]  # no DM: the page shows it
    assert sorted(home_due_menus(sent.to("views.publish")[-1].view)) == ["ben"]

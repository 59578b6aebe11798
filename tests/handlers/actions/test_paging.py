"""Previous / Next under `/crm list`, `due` and `find`, end to end: the page replaces the message."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from crm.models import Relationship
from handlers.ids import Action, Block
from tests.handlers.conftest import TEAM_ID

BOB = "UBOB000001"


def rows(message) -> list[str]:
    """The @handles a list message shows, in order."""
    return [
        b["text"]["text"].split(" (@", 1)[1].split(" ", 1)[0]
        for b in message.blocks
        if b.get("type") == "section" and b.get("accessory")
    ]


def buttons(message) -> dict[str, str]:
    """{action_id: value} of the message's Previous / Next buttons."""
    for block in message.blocks:
        if block.get("block_id") == Block.LIST_PAGES:
            return {e["action_id"]: e["value"] for e in block["elements"]}
    return {}


def click(run, message, action_id: str):
    """Click a paging button of `message`; returns the one reply, which must replace the message."""
    sent = run.click(action_id, buttons(message)[action_id], message={"type": "message", "ts": "1.2"})
    page = sent.reply
    assert page.method == "response_url" and page.params["replace_original"] is True
    return page


def test_list_pages_forward_and_back_through_every_row_once(run, crm):
    for i in range(45):
        crm.relationship(f"creator{i:02d}", relationship_strength=90 - i)
    first = run.command("list").reply
    assert rows(first) == [f"creator{i:02d}" for i in range(20)]
    assert set(buttons(first)) == {Action.LIST_NEXT}  # nothing before the first page
    assert "1–20 of 45" in first.params["text"]

    second = click(run, first, Action.LIST_NEXT)
    assert rows(second) == [f"creator{i:02d}" for i in range(20, 40)]
    assert set(buttons(second)) == {Action.LIST_PREVIOUS, Action.LIST_NEXT}
    assert "21–40 of 45" in second.params["text"]

    third = click(run, second, Action.LIST_NEXT)
    assert rows(third) == [f"creator{i:02d}" for i in range(40, 45)]
    assert set(buttons(third)) == {Action.LIST_PREVIOUS}  # the last page: no Next
    assert "41–45 of 45" in third.params["text"]

    assert rows(click(run, third, Action.LIST_PREVIOUS)) == rows(second)


def test_the_filters_travel_with_the_page(run, crm):
    for i in range(25):
        crm.relationship(f"warm{i:02d}", status="warm", tags=["skincare"], priority=4)
    crm.relationship("coldone", status="cold", tags=["skincare"], priority=5)
    crm.relationship("lowone", status="warm", tags=["skincare"], priority=1)
    crm.relationship("untagged", status="warm", priority=5)
    first = run.command("list warm #skincare priority>=3").reply
    assert json.loads(buttons(first)[Action.LIST_NEXT]) == {
        "k": "list",
        "o": 20,
        "s": "warm",
        "t": "skincare",
        "p": 3,
    }
    second = click(run, first, Action.LIST_NEXT)
    assert len(rows(first)) == 20 and len(rows(second)) == 5
    assert set(rows(first) + rows(second)) == {f"warm{i:02d}" for i in range(25)}


def test_due_pages_and_keeps_its_cut_off(run, crm):
    now = datetime.now(UTC)
    for i in range(23):
        crm.relationship(f"late{i:02d}", follow_up_date=now - timedelta(days=30 - i))
    crm.relationship("later", follow_up_date=now + timedelta(days=3))
    first = run.command("due").reply
    second = click(run, first, Action.LIST_NEXT)
    assert rows(first) + rows(second) == [f"late{i:02d}" for i in range(23)]  # oldest first
    assert buttons(second) == {Action.LIST_PREVIOUS: json.dumps({"k": "due", "o": 0}, separators=(",", ":"))}


def test_due_week_pages_with_its_own_cut_off(run, crm):
    now = datetime.now(UTC)
    for i in range(22):
        crm.relationship(f"soon{i:02d}", follow_up_date=now + timedelta(hours=i + 1))
    crm.relationship("later", follow_up_date=now + timedelta(days=12))
    first = run.command("due week").reply
    assert buttons(first) == {Action.LIST_NEXT: json.dumps({"k": "week", "o": 20}, separators=(",", ":"))}
    second = click(run, first, Action.LIST_NEXT)
    assert rows(first) + rows(second) == [f"soon{i:02d}" for i in range(22)]  # soonest first, not "later"


def test_find_pages_without_counting_every_hit(run, crm):
    for i in range(25):
        crm.influencer(f"skinfluencer{i:02d}", name=f"Skin {i:02d}")
    first = run.command("find skin").reply
    assert len(rows(first)) == 20 and Action.LIST_NEXT in buttons(first)
    second = click(run, first, Action.LIST_NEXT)
    assert len(rows(second)) == 5 and set(buttons(second)) == {Action.LIST_PREVIOUS}
    assert set(rows(first)) | set(rows(second)) == {f"skinfluencer{i:02d}" for i in range(25)}
    assert "Results 21–25" in second.params["text"]


def test_one_page_has_no_buttons(run, crm):
    crm.relationship("amy")
    assert buttons(run.command("list").reply) == {}
    assert buttons(run.command("find amy").reply) == {}


def test_a_page_past_the_end_shows_the_last_page_not_an_empty_one(run, crm):
    for i in range(25):
        crm.relationship(f"creator{i:02d}")
    # A Next button made when the list was longer (rows were removed since).
    value = json.dumps({"k": "list", "o": 60})
    page = run.click(Action.LIST_NEXT, value).reply
    assert len(rows(page)) == 5 and "21–25 of 25" in page.params["text"]
    assert set(buttons(page)) == {Action.LIST_PREVIOUS}
    found = run.click(Action.LIST_NEXT, json.dumps({"k": "find", "o": 500, "q": "creator"})).reply
    assert len(rows(found)) == 20 and "Results 1–20" in found.params["text"]


def test_a_forged_page_shows_only_the_clickers_own_list(run, crm):
    crm.relationship("mine", status="warm")
    crm.relationship("theirs", user=BOB, status="warm")
    page = run.click(Action.LIST_NEXT, json.dumps({"k": "list", "o": 0, "s": "warm"})).reply
    assert rows(page) == ["mine"]
    bob_view = run.click(Action.LIST_NEXT, json.dumps({"k": "list", "o": 0}), user_id=BOB).reply
    assert rows(bob_view) == ["theirs"]


@pytest.mark.parametrize(
    "value",
    [
        "",
        "not json",
        "[]",
        '{"k": "list"}',  # no offset
        '{"k": "drop", "o": 0}',
        '{"k": "list", "o": -20}',
        '{"k": "list", "o": true}',
        '{"k": "list", "o": 1e3}',
        '{"k": "list", "o": 99999999999999999999999}',
        '{"k": "due", "o": 0, "s": "warm"}',  # a key `due` never carries
        '{"k": "list", "o": 0, "p": "3"}',
        '{"k": "list", "o": 0, "s": ["warm"]}',
        '{"k": "find", "o": 0}',  # find without its text
        '{"k": "list", "o": 0, "x": 1}',
    ],
)
def test_a_malformed_button_value_is_refused_and_changes_nothing(run, crm, value):
    crm.relationship("amy")
    sent = run.click(Action.LIST_NEXT, value)
    assert "no longer works" in sent.reply.params["text"]
    assert not any(c.params.get("replace_original") for c in sent.to("response_url"))
    assert crm.count(Relationship) == 1


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ({"k": "list", "o": 0, "s": "hot"}, "Status must be one of"),
        ({"k": "list", "o": 0, "p": 9}, "riority"),
        ({"k": "list", "o": 0, "t": "a,b"}, "tag"),
        ({"k": "find", "o": 0, "q": "   "}, "search"),
    ],
)
def test_forged_filters_are_validated_again_by_crm(run, crm, value, says):
    crm.relationship("amy")
    sent = run.click(Action.LIST_NEXT, json.dumps(value))
    assert says in sent.reply.params["text"]
    assert not any(c.params.get("replace_original") for c in sent.to("response_url"))


def test_a_long_search_text_still_fits_its_button(run, crm):
    text = "ö" * 5 + "😀" * 60
    for i in range(25):
        crm.influencer(f"h{i:02d}", name=f"{text} {i:02d}", team_id=TEAM_ID)
    first = run.command(f"find {text}").reply
    assert len(buttons(first)[Action.LIST_NEXT]) <= 2000
    assert len(rows(click(run, first, Action.LIST_NEXT))) == 5

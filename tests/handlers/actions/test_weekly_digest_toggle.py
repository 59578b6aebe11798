"""The weekly digest switch on App Home, end to end: off by default, Turn on / Turn off store the
clicking user's choice only, App Home is re-published showing it, a stale click sets the same state."""

from __future__ import annotations

from crm.models import User
from handlers.ids import Action, Block
from tests.handlers.conftest import USER_ID

BOB = "UBOB000001"


def digest_section(sent) -> dict:
    (publish,) = sent.to("views.publish")
    [section] = [b for b in publish.view["blocks"] if b.get("block_id") == Block.HOME_WEEKLY_DIGEST]
    return section


def opted_in(crm, slack_user_id: str) -> bool:
    return crm.one(User, User.slack_user_id == slack_user_id).weekly_digest_since is not None


def test_off_by_default_turned_on_then_off_from_app_home(run, crm):
    crm.user(BOB)
    crm.relationship("maya", name="Maya")
    section = digest_section(run.send(run.payloads.app_home_opened()))
    assert section["text"]["text"].startswith("*Weekly digest* · off")
    assert (section["accessory"]["action_id"], section["accessory"]["value"]) == (
        Action.HOME_WEEKLY_DIGEST,
        "on",
    )

    on = run.click(Action.HOME_WEEKLY_DIGEST, "on")
    assert opted_in(crm, USER_ID) and not opted_in(crm, BOB)
    section = digest_section(on)
    assert section["text"]["text"].startswith("*Weekly digest* · on")
    assert (section["accessory"]["text"]["text"], section["accessory"]["value"]) == ("Turn off", "off")

    reopened = digest_section(run.send(run.payloads.app_home_opened()))  # the Home tab opened later
    assert reopened["accessory"]["value"] == "off"

    since = crm.one(User, User.slack_user_id == USER_ID).weekly_digest_since
    run.click(Action.HOME_WEEKLY_DIGEST, "on")  # a double click, or a stale Home tab: still on, same date
    assert crm.one(User, User.slack_user_id == USER_ID).weekly_digest_since == since

    off = run.click(Action.HOME_WEEKLY_DIGEST, "off")
    assert not opted_in(crm, USER_ID)
    assert digest_section(off)["accessory"]["value"] == "on"


def test_a_forged_value_changes_nothing_and_says_so(run, crm):
    crm.user(USER_ID)
    sent = run.click(Action.HOME_WEEKLY_DIGEST, "yes please")
    assert "out of date" in sent.text
    assert not opted_in(crm, USER_ID)
    assert not sent.to("views.publish")

"""Link unfurls end to end: link_shared through the real app → chat.unfurl at the fake Web API, and
"Open my card" clicked inside an unfurl."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from crm.models import Assignment, InfluencerProfile
from crm.unfurls import UNFURL_LINKS_MAX
from handlers.ids import Action
from tests.handlers.conftest import TEAM_ID, USER_ID, check_message
from tests.slack.payloads import CHANNEL_ID

BOB = "UBOB000001"
CAROL = "UCAROL0001"
SECRETS = ("NOTE-zq81-secret", "TAG-zq81-secret", "SUBJECT-zq81-secret")


def link_shared(run, *urls: str, team_id: str = TEAM_ID, by_id: bool = True, **event_fields):
    """A link_shared event for `urls`, as Slack sends it for a message posted in CHANNEL_ID."""
    event = {
        "type": "link_shared",
        "channel": CHANNEL_ID,
        "is_bot_user_member": True,
        "user": USER_ID,
        "message_ts": "1700000123.000200",
        "links": [{"domain": urlsplit(u).hostname, "url": u} for u in urls],
        "event_ts": "1700000124.000300",
    }
    if by_id:
        event |= {"unfurl_id": "C0CAMPAIGN.1700000123.000200.abc123", "source": "conversations_history"}
    retry = event_fields.pop("retry_num", None)
    event |= event_fields
    kw = {"retry_num": retry} if retry is not None else {}
    return run.send(run.payloads.event(event, team_id=team_id, **kw))


def unfurl_of(sent) -> dict:
    (call,) = sent.to("chat.unfurl")
    assert call.response == {"ok": True}, call.response
    return call.params


def seed_maya(crm):
    """Maya, tracked by Alice and Bob, each with private notes, status, tags and a follow-up; on a
    TikTok profile too; assigned to two campaigns."""
    soon = datetime.now(UTC) + timedelta(days=3)
    rel = crm.relationship(
        "maya",
        name="Maya Lopez",
        status="partnered",
        notes=SECRETS[0],
        tags=[SECRETS[1].lower()],
        follow_up_date=soon,
    )
    crm.relationship("maya", user=BOB, status="cold", notes="bob private NOTE-bob-77", tags=["bobtag77"])
    with crm.session() as db:
        db.add(
            InfluencerProfile(
                influencer_id=rel.influencer_id,
                team_id=TEAM_ID,
                platform="tiktok",
                handle="maya.cooks",
                url="https://www.tiktok.com/@maya.cooks",
                identity_key="tiktok:maya.cooks",
            )
        )
    spring = crm.campaign("Spring <launch>")
    summer = crm.campaign("Summer", user=BOB)
    alice, bob = crm.user(USER_ID), crm.user(BOB)
    with crm.session() as db:
        db.add(
            Assignment(
                campaign_id=spring.id, influencer_id=rel.influencer_id, user_id=alice.id, status="completed"
            )
        )
        db.add(
            Assignment(
                campaign_id=summer.id, influencer_id=rel.influencer_id, user_id=bob.id, status="cancelled"
            )
        )
    return rel


def test_a_known_creators_link_is_unfurled_with_public_facts_only(run, crm):
    rel = seed_maya(crm)
    url = "https://www.instagram.com/maya/?igsh=abc123"
    params = unfurl_of(link_shared(run, url))
    assert params["unfurl_id"] == "C0CAMPAIGN.1700000123.000200.abc123"
    assert params["source"] == "conversations_history" and "channel" not in params
    (key,) = params["unfurls"]
    assert key == url  # keyed by the link exactly as Slack sent it
    shown = json.dumps(params["unfurls"])
    assert "Maya Lopez" in shown
    assert "@maya" in shown and "@maya.cooks" in shown and "TikTok" in shown
    assert "On the list of 2 teammates" in shown
    assert "Spring &lt;launch&gt;" in shown and "Summer" in shown  # escaped, never a link
    # Nothing anyone wrote privately, nor any status, follow-up or tag.
    for private in (*SECRETS, "NOTE-bob-77", "bobtag77", "zq81", "partnered", "Partnered", "cold"):
        assert private.lower() not in shown.lower(), private
    assert "completed" not in shown and "cancelled" not in shown  # assignment statuses neither
    unfurl = params["unfurls"][url]
    check_message({"text": unfurl["fallback"], "blocks": unfurl["blocks"]})
    (button,) = [e for b in unfurl["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert (button["action_id"], button["value"]) == (Action.UNFURL_OPEN_CARD, str(rel.influencer_id))


def test_mixed_forms_of_one_profile_match_and_unknown_links_are_left_alone(run, crm):
    seed_maya(crm)
    forms = (
        "https://instagram.com/Maya",
        "http://m.instagram.com/maya/#top",
        "https://www.tiktok.com/@Maya.Cooks?lang=en",
        "https://www.instagram.com/nobody_we_know/",
        "https://www.instagram.com/p/Cx123/",  # a post: no profile
    )
    params = unfurl_of(link_shared(run, *forms))
    assert set(params["unfurls"]) == set(forms[:3])
    assert all("Maya Lopez" in json.dumps(u) for u in params["unfurls"].values())


def test_no_known_creator_means_no_unfurl_call(run, crm):
    seed_maya(crm)
    assert not link_shared(run, "https://www.instagram.com/someone_else/").to("chat.unfurl")
    assert not link_shared(run, "https://www.youtube.com/watch?v=abc").to("chat.unfurl")


def test_another_workspaces_creator_is_not_unfurled(run, crm):
    crm.influencer("maya", team_id="T0OTHER01", name="Other Team Maya")
    assert not link_shared(run, "https://www.instagram.com/maya/").to("chat.unfurl")
    # ...nor shown when the event comes from that other workspace about ours.
    seed_maya(crm)
    sent = link_shared(run, "https://www.instagram.com/maya/", team_id="T0OTHER01")
    assert "Maya Lopez" not in json.dumps(unfurl_of(sent)["unfurls"])


def test_channel_and_ts_when_the_event_has_no_unfurl_id(run, crm):
    seed_maya(crm)
    params = unfurl_of(link_shared(run, "https://www.instagram.com/maya/", by_id=False))
    assert (params["channel"], params["ts"]) == (CHANNEL_ID, "1700000123.000200")
    assert "unfurl_id" not in params


def test_links_per_message_are_capped(run, crm):
    for i in range(UNFURL_LINKS_MAX + 3):
        crm.relationship(f"creator{i}", name=f"Creator {i}")
    urls = [f"https://www.instagram.com/creator{i}/" for i in range(UNFURL_LINKS_MAX + 3)]
    params = unfurl_of(link_shared(run, *urls))
    assert list(params["unfurls"]) == urls[:UNFURL_LINKS_MAX]


def test_not_unfurled_outside_the_bots_channels_nor_in_shared_channels_nor_on_retries(run, crm):
    seed_maya(crm)
    url = "https://www.instagram.com/maya/"
    assert not link_shared(run, url, is_bot_user_member=False).to("chat.unfurl")
    assert not link_shared(run, url, retry_num=1).to("chat.unfurl")  # acknowledged, not redone
    request = run.payloads.event(
        {
            "type": "link_shared",
            "channel": CHANNEL_ID,
            "is_bot_user_member": True,
            "user": USER_ID,
            "message_ts": "1700000123.000200",
            "links": [{"domain": "instagram.com", "url": url}],
        }
    )
    body = json.loads(request.body) | {"is_ext_shared_channel": True}
    shared = run.payloads.sign(json.dumps(body), "application/json")
    assert not run.send(shared).to("chat.unfurl")


def test_slack_refusing_the_unfurl_is_logged_with_ids_only_and_not_retried(run, crm, fake_slack, caplog):
    seed_maya(crm)
    fake_slack.fail("chat.unfurl", error="cannot_unfurl_url", times=None)
    with caplog.at_level(logging.WARNING, logger="handlers.events.unfurls"):
        sent = link_shared(run, "https://www.instagram.com/maya/")
    assert len(sent.to("chat.unfurl")) == 1
    assert "cannot_unfurl_url" in caplog.text and "Maya" not in caplog.text and "instagram" not in caplog.text


def test_a_rate_limited_unfurl_is_retried_once(run, crm, fake_slack):
    seed_maya(crm)
    fake_slack.fail("chat.unfurl", status=429, retry_after=1, times=None)
    sent = link_shared(run, "https://www.instagram.com/maya/")
    assert [c.status for c in sent.to("chat.unfurl")] == [429, 429]


def click_in_unfurl(run, value: str, *, user_id: str = USER_ID, team_id: str = TEAM_ID):
    """A click on "Open my card" inside an unfurl: the container is the unfurl's attachment, with
    no `channel` and no response_url (the case the answer must still reach the clicker)."""
    request = run.payloads.block_actions(
        [run.payloads.button(Action.UNFURL_OPEN_CARD, value, text="Open my card")],
        user_id=user_id,
        team_id=team_id,
        with_response_url=False,
    )
    payload = json.loads(parse_qs(request.body)["payload"][0])
    payload.pop("channel")
    payload.pop("message")
    payload["container"] = {
        "type": "message_attachment",
        "message_ts": "1700000123.000200",
        "attachment_id": 1,
        "channel_id": CHANNEL_ID,
        "is_ephemeral": False,
        "is_app_unfurl": True,
        "app_unfurl_url": "https://www.instagram.com/maya/",
    }
    return run.send(run.payloads.interactive(payload))


def test_open_my_card_shows_the_clickers_own_card_to_them_alone(run, crm):
    rel = seed_maya(crm)
    sent = click_in_unfurl(run, str(rel.influencer_id))
    (answer,) = sent.to("chat.postEphemeral")
    assert (answer.params["channel"], answer.params["user"]) == (CHANNEL_ID, USER_ID)
    shown = json.dumps(answer.blocks)
    assert "Maya Lopez" in shown and SECRETS[0] in shown and "Partnered" in shown
    assert "NOTE-bob-77" not in shown and "bobtag77" not in shown  # Bob's card is Bob's
    assert "What drives the strength" in shown  # the same card as /crm show

    bob_sees = json.dumps(
        click_in_unfurl(run, str(rel.influencer_id), user_id=BOB).to("chat.postEphemeral")[0].blocks
    )
    assert "NOTE-bob-77" in bob_sees and SECRETS[0] not in bob_sees


def test_open_my_card_for_a_creator_i_do_not_track_says_so_with_add(run, crm):
    rel = seed_maya(crm)
    sent = click_in_unfurl(run, str(rel.influencer_id), user_id=CAROL)
    (answer,) = sent.to("chat.postEphemeral")
    assert answer.params["user"] == CAROL
    assert "Maya Lopez is not on your list." in answer.params["text"]
    shown = json.dumps(answer.blocks)
    for private in (*SECRETS, "NOTE-bob-77", "bobtag77"):
        assert private not in shown
    (add,) = [b["accessory"] for b in answer.blocks if b.get("accessory")]
    assert (add["action_id"], add["value"]) == (Action.ADD_TO_LIST, str(rel.influencer_id))


def test_open_my_card_after_removing_the_creator_offers_add_again(run, crm):
    rel = seed_maya(crm)
    assert "removed" in run.command("remove @maya").text.lower()
    (answer,) = click_in_unfurl(run, str(rel.influencer_id)).to("chat.postEphemeral")
    assert "Maya Lopez is not on your list." in answer.params["text"]
    assert SECRETS[0] not in json.dumps(answer.blocks)


def test_a_click_with_a_response_url_is_answered_there(run, crm):
    rel = seed_maya(crm)
    sent = run.click(Action.UNFURL_OPEN_CARD, str(rel.influencer_id))
    assert sent.reply.params["response_type"] == "ephemeral" and "Maya Lopez" in sent.text
    assert not sent.to("chat.postEphemeral")


def test_a_forged_value_naming_another_workspaces_creator_leaks_nothing(run, crm):
    other = crm.influencer("theirs", team_id="T0OTHER01", name="Their Secret Creator")
    sent = click_in_unfurl(run, str(other.id))
    said = json.dumps([c.params for c in sent.calls if c.method != "users.info"])
    assert "Their Secret Creator" not in said and "theirs" not in said
    assert "not in this workspace" in said
    garbage = click_in_unfurl(run, "not-a-uuid")
    assert "could not be found" in json.dumps([c.params for c in garbage.calls])

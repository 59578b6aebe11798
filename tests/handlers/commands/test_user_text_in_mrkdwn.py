"""User text shown as mrkdwn can neither become a link nor a mention (handlers/blocks/text.mrkdwn).

Slack sends command text with `&`, `<`, `>` encoded and links or mentions the client recognised as
`<…>` markup; a crafted request can send either. Whatever comes back to the user, or reaches other
users (a teammate's campaign name in "Did you mean …"), carries it as escaped text: no
`<https://evil.example|click>` link, no `<!channel>` / `<!here>`, and a bare `@here` stays text.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from handlers.blocks.text import SECTION_TEXT, mrkdwn
from handlers.ids import Field

BOB = "UBOB000001"
LINK = "<https://evil.example|click>"
ESCAPED_LINK = "&lt;https://evil.example|click&gt;"


def _mrkdwn_texts(value: Any) -> Iterator[str]:
    """Every mrkdwn text in a message or view (plain_text is shown as typed, so it cannot link)."""
    if isinstance(value, dict):
        if value.get("type") == "mrkdwn" and isinstance(value.get("text"), str):
            yield value["text"]
        for child in value.values():
            yield from _mrkdwn_texts(child)
    elif isinstance(value, list):
        for child in value:
            yield from _mrkdwn_texts(child)
    elif isinstance(value, str) and value[:1] in "[{":
        try:
            yield from _mrkdwn_texts(json.loads(value))  # blocks / view sent form-encoded
        except ValueError:
            pass


def everything_sent(sent) -> str:
    """What the request made Slack render as mrkdwn: the messages' `text` (mrkdwn by default) and
    every mrkdwn text object, in the ack and in every Web API / response_url call."""
    bodies = [sent.ack, *(c.params for c in sent.calls)]
    texts = [b["text"] for b in bodies if isinstance(b.get("text"), str)]
    texts += [t for b in bodies for t in _mrkdwn_texts(b)]
    return "\n".join(texts)


def assert_no_markup(text: str) -> None:
    assert "<https://evil.example|" not in text
    assert "|click>" not in text
    for mention in ("<!channel>", "<!here>", "<!everyone>"):
        assert mention not in text
    for word in ("@here", "@channel", "@everyone"):
        assert word not in text  # a word joiner follows the @ (see mrkdwn)


# ---- the helper ----------------------------------------------------------------------------------


def test_mrkdwn_escapes_markup_and_special_mentions():
    assert mrkdwn(LINK) == ESCAPED_LINK
    assert mrkdwn("a & b <!channel>") == "a &amp; b &lt;!channel&gt;"
    assert mrkdwn("hi @here, @Channel and @everyone") == "hi @\u2060here, @\u2060Channel and @\u2060everyone"
    assert mrkdwn("@heremaya @hereford") == "@heremaya @hereford"  # only the special words


def test_mrkdwn_clips_without_splitting_an_entity_and_none_means_unclipped():
    text = "<" * 5000
    clipped = mrkdwn(text)
    assert len(clipped) <= SECTION_TEXT and clipped.endswith("&lt;…")
    assert mrkdwn(text, None) == "&lt;" * 5000
    assert len(mrkdwn("@here " * 1000, 100)) <= 100


# ---- commands ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f"show {LINK}",  # the link as the Slack client encodes one it recognised
        f"show {ESCAPED_LINK}",  # typed literally: Slack escapes < and >
        "show &lt;!channel&gt;",
        "show <!here>",
        "show @here",
        f"{LINK}",  # an unknown subcommand is echoed in "There is no `/crm …` command"
        "&lt;!channel&gt; now",
        "@everyone",
        f"status {ESCAPED_LINK} warm",
        f"priority @maya {ESCAPED_LINK}",
        f"list {ESCAPED_LINK}",
    ],
)
def test_command_words_are_echoed_without_links_or_mentions(run, crm, text):
    crm.relationship("maya")
    sent = run.command(text)
    assert sent.response.status == 200
    assert "went wrong" not in everything_sent(sent)
    assert_no_markup(everything_sent(sent))


@pytest.mark.parametrize(
    "names",
    [
        [f"Sale {LINK}", "Sale <!channel> now"],
        ["Sale @here", "Sale <!here> & <@UALICE0001>"],
    ],
)
def test_a_teammates_campaign_name_reaches_did_you_mean_escaped(run, crm, names):
    crm.relationship("maya")
    for name in names:
        crm.campaign(name, user=BOB)
    sent = run.command("campaign add Sale @maya")
    text = everything_sent(sent)
    assert "Did you mean" in text and "went wrong" not in text
    assert_no_markup(text)
    assert "<@UALICE0001>" not in text


def test_campaign_names_in_lists_are_escaped(run, crm):
    crm.campaign(f"Spring {LINK} <!channel> @here", user=BOB)
    sent = run.command("campaign list")
    text = everything_sent(sent)
    assert "Spring" in text
    assert_no_markup(text)


def test_influencer_names_and_notes_on_the_card_are_escaped(run, crm):
    crm.relationship("maya", name=f"Maya {LINK} <!here>", notes="ping @channel <!everyone>")
    sent = run.command("show @maya")
    text = everything_sent(sent)
    assert "Maya" in text
    assert_no_markup(text)


def test_the_logs_answer_and_app_homes_campaigns_are_escaped(run, crm):
    rel = crm.relationship("maya", name=f"Maya {LINK} <!here>")
    crm.campaign(f"Spring {LINK} <!channel> @here", user=BOB)
    run.command("utm spring @maya")
    view = run.command("log @maya call").opened
    values = {
        Field.INTERACTION_INFLUENCER: str(rel.influencer_id),
        Field.INTERACTION_TYPE: "call",
        Field.INTERACTION_SUBJECT: f"Rates {LINK}",
        Field.INTERACTION_CONTENT: "ping <!everyone> @channel",
        Field.INTERACTION_DATE: int(time.time()) - 60,
    }
    text = everything_sent(run.submit(view, values))
    assert "📝 Logged" in text and "Rates" in text
    assert_no_markup(text)
    home = everything_sent(run.send(run.payloads.app_home_opened()))
    assert "Your open campaigns" in home and "Spring" in home
    assert_no_markup(home)

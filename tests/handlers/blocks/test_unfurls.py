"""The unfurl builders: valid Block Kit for the worst data, user text never a mention or a link."""

from __future__ import annotations

import json
import uuid

from crm.models import Influencer
from crm.unfurls import CreatorFacts, PublicProfile
from handlers.blocks.unfurls import PROFILE_LINES, creator_unfurl, not_on_my_list
from tests.handlers.slack_checks import check_message

EVIL = "<!channel> <https://evil.example|click> @here " + "x" * 400


def facts(**changes) -> CreatorFacts:
    base = {
        "influencer_id": uuid.uuid4(),
        "name": "Maya",
        "profiles": (
            PublicProfile("instagram", "maya", "https://www.instagram.com/maya/", "instagram:maya"),
        ),
        "trackers": 1,
        "campaigns": ("Spring",),
        "more_campaigns": 0,
    }
    return CreatorFacts(**(base | changes))


def check_unfurl(unfurl: dict) -> str:
    check_message({"text": unfurl["fallback"], "blocks": unfurl["blocks"]})
    return json.dumps(unfurl)


def test_the_worst_data_still_makes_a_valid_unfurl_without_mentions_or_links():
    many = tuple(
        PublicProfile(
            "blog", f"site{i}.example/" + "p" * 90, f"https://site{i}.example/" + "p" * 480, f"url:{i}"
        )
        for i in range(20)
    )
    shown = check_unfurl(
        creator_unfurl(facts(name=EVIL[:255], profiles=many, campaigns=(EVIL[:100],) * 8, more_campaigns=12))
    )
    assert "<!channel>" not in shown and "<https://evil.example" not in shown and "@here" not in shown
    assert f"and {20 - PROFILE_LINES} more" in shown and "and 12 more" in shown


def test_a_creator_nobody_tracks_in_no_campaign_says_so():
    shown = check_unfurl(creator_unfurl(facts(profiles=(), trackers=0, campaigns=())))
    assert "On nobody's list yet" in shown and "In no campaign yet" in shown
    assert "On the list of 1 teammate" in check_unfurl(creator_unfurl(facts()))


def test_not_on_my_list_is_valid_and_escapes_the_name():
    influencer = Influencer(id=uuid.uuid4(), name=EVIL[:255], handle="maya", platform="instagram")
    body = not_on_my_list(influencer).to_dict()
    check_message(body)
    assert "<!channel>" not in json.dumps(body)

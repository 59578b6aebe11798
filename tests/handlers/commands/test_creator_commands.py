"""Creators with names and several profiles, end to end: /crm add, rename, link, show, the Edit form."""

from __future__ import annotations

import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm.models import Influencer, InfluencerProfile, Relationship
from handlers.ids import Action, Block
from handlers.ids import Field as F
from tests.handlers.conftest import USER_ID


def creator(crm, handle: str) -> Influencer:
    return crm.one(Influencer, Influencer.handle == handle)


def creator_on(crm, handle: str, platform: str) -> Influencer:
    return crm.one(Influencer, Influencer.handle == handle, Influencer.platform == platform)


def identities(crm, influencer: Influencer) -> set[str]:
    return {
        p.identity_key for p in crm.all(InfluencerProfile, InfluencerProfile.influencer_id == influencer.id)
    }


def test_two_medium_writers_are_two_creators(run, crm):
    first = run.command("add https://medium.com/@anna.writes")
    second = run.command("add https://medium.com/@someone.else")
    assert "Added" in first.text and "@anna.writes" in first.text
    assert "Added" in second.text and "@someone.else" in second.text
    assert crm.count(Influencer) == 2 and crm.count(Relationship) == 2
    run.command("add example.com/blog/anna")
    assert "Added" in run.command("add https://example.com/blog/bob/").text
    # The same profile written differently is the one already there.
    assert "already on your list" in run.command("add https://www.medium.com/@Anna.Writes?source=x").text
    assert crm.count(Influencer) == 4


def test_adding_again_with_another_name_or_e_mail_says_what_stays(run, crm):
    run.command('add "Priya R." @priya youtube priya@one.example')
    again = run.command('add "Priya Raman" @priya youtube priya@two.example')
    assert "*Priya R.* (@priya · YouTube) is already on your list." in again.text
    assert "The name stays *Priya R.* (`/crm rename` changes it for everyone)." in again.text
    assert "The e-mail stays priya@one.example (*Edit* changes it)." in again.text
    priya = creator(crm, "priya")
    assert (priya.name, priya.email) == ("Priya R.", "priya@one.example")
    # The same values again, or a name saved only as the handle (filled in): nothing to say.
    same = run.command('add "priya r." @priya youtube PRIYA@one.example')
    assert "stays" not in same.text
    run.command("add @kai tiktok")
    filled = run.command('add "Kai Moreno" @kai tiktok kai@example.com')
    assert (
        "*Kai Moreno* (@kai · TikTok) is already on your list." in filled.text and "stays" not in filled.text
    )


def test_add_with_a_name(run, crm):
    sent = run.command('add "Priya Raman" @priya youtube')
    assert "Added *Priya Raman* (@priya · YouTube)" in sent.text
    priya = creator(crm, "priya")
    assert (priya.name, priya.platform, priya.profile_url) == (
        "Priya Raman",
        "youtube",
        "https://www.youtube.com/@priya",
    )
    again = run.command('add https://youtube.com/@priya "Priya Raman"')
    assert "*Priya Raman* (@priya · YouTube) is already on your list" in again.text
    assert crm.count(Influencer) == 1
    # A name after the link works too, and a bare name word with a link is the name.
    run.command("add https://www.tiktok.com/@sophie.glow Sophie")
    assert creator(crm, "sophie.glow").name == "Sophie"


def test_adding_a_second_entry_of_someone_offers_the_merge_that_makes_them_one(run, crm):
    run.command('add "Lena Fischer" @lena_fit')
    sent = run.command("add @lena_fit tiktok")
    # Saved as asked (it may be another person), with the hint and the exact merge line.
    assert "Added *lena_fit* (@lena_fit · TikTok) to your list." in sent.text
    merge = "/crm merge @lena_fit instagram @lena_fit tiktok"
    assert f"Same person as *Lena Fischer* (@lena_fit · Instagram)? Make them one: `{merge}`" in sent.text
    assert crm.count(Influencer) == 2
    # The line runs as given: a preview, then the merge.
    preview = run.command(merge.removeprefix("/crm "))
    assert "Merge *lena_fit* (@lena_fit · TikTok) into *Lena Fischer*" in preview.text
    # The button beside it answers with the same preview, below; nothing moves before Merge.
    (button,) = [
        e for b in sent.reply.blocks if b.get("block_id") == Block.SAME_PERSON_ACTIONS for e in b["elements"]
    ]
    assert button["text"]["text"] == "Merge into Lena Fischer…"
    clicked = run.click(button["action_id"], button["value"])
    assert "Merge *lena_fit* (@lena_fit · TikTok) into *Lena Fischer*" in clicked.text
    assert not clicked.reply.params.get("replace_original") and crm.count(Influencer) == 2
    assert "no longer works" in run.click(button["action_id"], "{}").reply.params["text"]
    # No hint when adding them again, nor for someone with no second entry.
    assert "Same person" not in run.command("add @lena_fit tiktok").text
    assert "Same person" not in run.command("add @maya tiktok").text


def test_add_takes_an_e_mail_address_as_the_e_mail_not_the_name(run, crm):
    sent = run.command("add @zoe tiktok zoe@example.com")
    assert "Added *zoe* (@zoe · TikTok)" in sent.text
    zoe = creator(crm, "zoe")
    assert (zoe.name, zoe.email) == ("zoe", "zoe@example.com")
    # With a name too; and an address never replaces one a colleague entered.
    run.command('add "Ben Ode" @ben ben@example.com')
    assert (creator(crm, "ben").name, creator(crm, "ben").email) == ("Ben Ode", "ben@example.com")
    run.command("add @ben other@example.com")
    assert creator(crm, "ben").email == "ben@example.com"
    # An address alone names the creator saved with it: a colleague adds zoe by her address.
    theirs = run.command("add ZOE@example.com", user_id="UBOB000001").text
    assert "Added *zoe* (@zoe · TikTok) to your list." in theirs
    assert "is already on your list" in run.command("add zoe@example.com").text
    # An address no creator has, or two addresses, are refused, naming them; nothing is saved.
    alone = run.command("add nobody@example.com").text
    assert "nobody@example.com is their e-mail; give their @handle or profile link too" in alone
    assert "Give one e-mail address (got a@b.co and c@d.co)." in run.command("add @cy a@b.co c@d.co").text
    assert crm.count(Influencer) == 2


def test_add_link_and_show_take_a_platform_s_short_form(run, crm):
    assert "Added *priya* (@priya · YouTube)" in run.command("add @priya yt").text
    assert "Added *maya* (@maya · Instagram)" in run.command("add @maya IG").text
    assert "@priya" in run.command("show @priya yt").text
    assert "Linked" in run.command("link @priya @priya.r tt").text
    assert identities(crm, creator(crm, "priya")) == {"youtube:priya", "tiktok:priya.r"}


@pytest.mark.parametrize(
    ("word", "meant"), [("tiktk", "tiktok"), ("youtub", "youtube"), ("Instagarm", "instagram")]
)
def test_add_with_a_misspelt_platform_names_it_and_saves_nothing(run, crm, word, meant):
    sent = run.command(f"add @priya {word}")
    assert f"“{word}” is not a platform. Did you mean “{meant}”?" in sent.text
    assert f"/crm add @priya {meant}" in sent.text
    assert crm.count(Influencer) == 0 and crm.count(Relationship) == 0


@pytest.mark.parametrize("text", ['add "Maya" @maya_2 instagrm', 'add "Maya Lopez" @maya_2 instagrm'])
def test_a_misspelt_platform_after_the_handle_is_refused_with_a_name_given_too(run, crm, text):
    sent = run.command(text)
    assert "“instagrm” is not a platform. Did you mean “instagram”?" in sent.text
    assert crm.count(Influencer) == 0
    # a name after the handle is still a name
    assert "Added *Maya Lopez* (@maya_3 · TikTok)" in run.command("add @maya_3 Maya Lopez tiktok").text


def test_a_name_that_only_looks_a_little_like_a_platform_is_a_name(run, crm):
    # difflib puts "Sara" at 0.62 from "instagram": close enough for crm.suggest's default cutoff,
    # not for the word beside a handle.
    assert "Added *Sara* (@sara.lifts · Instagram)" in run.command("add @sara.lifts Sara").text
    assert "Added *Logan* (@logan · Instagram)" in run.command("add @logan Logan").text
    # Beside a link the platform is the link's: the lone word is the name, however it is spelt.
    run.command("add https://www.tiktok.com/@yy.5 instagarm")
    assert creator(crm, "yy.5").name == "instagarm"


def test_add_with_a_platform_and_no_profile_asks_for_one(run, crm):
    sent = run.command("add tiktok")
    assert "Give their @handle or profile link, e.g. /crm add @handle tiktok" in sent.text
    assert crm.count(Influencer) == 0


def test_rename(run, crm):
    run.command("add @priya youtube")
    sent = run.command('rename @priya "Priya Raman"')
    assert "*priya* is now called *Priya Raman*" in sent.text
    assert sent.to("views.publish")  # App Home shows names
    sent = run.command("rename @priya Priya R.")  # unquoted: the rest is the name
    assert creator(crm, "priya").name == "Priya R."
    assert sent.reply.params["text"] == "Priya Raman is now called Priya R."  # one full stop, not two
    noted = run.command("note @priya Met at the fair").text
    assert "Note added to *Priya R.*" in noted and "R.*." not in noted
    run.command('rename Priya R. "Priya Raman"')  # the old name unquoted, the new one quoted
    assert creator(crm, "priya").name == "Priya Raman"
    assert "already has that name" in run.command('rename "Priya Raman" "Priya Raman"').text
    # A handle on two platforms: the platform after it names which one, and is not part of the name.
    run.command("add @priya tiktok")
    sent = run.command("rename @priya tiktok Priya on TikTok")
    assert "*priya* is now called *Priya on TikTok*" in sent.text
    assert creator_on(crm, "priya", "tiktok").name == "Priya on TikTok"
    assert creator_on(crm, "priya", "youtube").name == "Priya Raman"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("rename", None),
        ("rename @priya", "Give the creator and their new name."),
        ('rename @nobody "X"', "No influencer matches “@nobody”"),
        ('rename @priya "   "', "Give the creator and their new name."),  # an empty quote is nothing
        (f'rename @priya "{"n" * 256}"', "at most 255 characters"),
    ],
)
def test_rename_with_bad_arguments_names_the_problem_and_changes_nothing(run, crm, text, problem):
    run.command("add @priya youtube")
    sent = run.command(text)
    if problem:
        assert problem in sent.text
    assert creator(crm, "priya").name == "priya"


def test_link_adds_profiles_and_the_card_lists_them_all(run, crm):
    run.command('add "Priya Raman" @priya youtube')
    linked = run.command("link @priya https://www.tiktok.com/@priya.r?lang=en")
    assert "Linked TikTok" in linked.text and "*Priya Raman* (2 profiles now)" in linked.text
    run.command("link Priya Raman @priyaraman instagram")
    run.command("link @priya https://priya.substack.com/p/hello")
    priya = creator(crm, "priya")
    assert identities(crm, priya) == {
        "youtube:priya",
        "tiktok:priya.r",
        "instagram:priyaraman",
        "url:priya.substack.com",
    }
    again = run.command("link @priya tiktok.com/@Priya.R")
    assert "is already one of *Priya Raman*'s profiles" in again.text
    card = run.command("show @priya.r")  # found by a linked profile
    assert "*Profiles*" in card.text
    for shown in (
        "<https://www.youtube.com/@priya|@priya>",
        "<https://www.tiktok.com/@priya.r|@priya.r>",
        "<https://www.instagram.com/priyaraman/|@priyaraman>",
        "<https://priya.substack.com|@priya>",
    ):
        assert shown in card.text
    # Found by each of its profiles and its name.
    for ref in ("@priyaraman", "https://priya.substack.com", '"Priya Raman"'):
        assert "Priya Raman" in run.command(f"show {ref}").text


def test_link_refuses_another_creators_profile_naming_it(run, crm):
    run.command('add "Maya Lopez" @maya instagram')
    run.command('add "Priya Raman" @priya youtube')
    sent = run.command("link @priya https://instagram.com/maya")
    assert "Instagram @maya already belongs to “Maya Lopez” (@maya · Instagram)" in sent.text
    merge = "If they are the same person, merge them: /crm merge @priya youtube @maya instagram"
    assert merge in sent.text
    assert identities(crm, creator(crm, "priya")) == {"youtube:priya"}
    assert identities(crm, creator(crm, "maya")) == {"instagram:maya"}
    # The command it suggests is the merge's preview of exactly those two.
    preview = run.command(merge.split(": ", 1)[1].removeprefix("/crm ")).text
    assert "Merge *Maya Lopez* (@maya · Instagram) into *Priya Raman* (@priya · YouTube)?" in preview


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("link", None),
        ("link @priya", "Give the creator and the profile to add."),
        ("link @priya @priya.r", "Say which platform @priya.r is on"),
        ("link @priya @priya.r myspace", "“myspace” is not a platform"),
        ("link @priya https://www.instagram.com/p/Cx123/", "not to a profile"),
        ("link @priya tiktok.com/@x youtube", "is a TikTok profile but the platform given is YouTube"),
        ("link @nobody https://x.com/nobody", "No influencer matches “@nobody”"),
    ],
)
def test_link_with_bad_arguments_names_the_problem_and_writes_nothing(run, crm, text, problem):
    run.command("add @priya youtube")
    sent = run.command(text)
    assert "/crm link @priya https://www.tiktok.com/@priya.r" in sent.text or "No influencer" in sent.text
    if problem:
        assert problem in sent.text
    assert crm.count(InfluencerProfile) == 1


def test_an_ambiguous_creator_offers_candidates_and_the_pick_links(run, crm):
    crm.relationship("mlopez", name="Maya Lopez")
    crm.relationship("mchen", name="Maya Chen")
    sent = run.command("link Maya https://x.com/maya_lopez")
    buttons = [e for b in sent.reply.blocks if b["type"] == "actions" for e in b["elements"]]
    lopez = next(b for b in buttons if "Maya Lopez" in b["text"]["text"])
    picked = run.click(lopez["action_id"], lopez["value"])
    assert "Linked X" in picked.text
    assert "x:maya_lopez" in identities(crm, creator(crm, "mlopez"))
    assert identities(crm, creator(crm, "mchen")) == {"instagram:mchen"}


def test_a_misspelt_name_offers_the_creators_spelt_close_and_the_pick_runs_the_command(run, crm):
    crm.relationship("luca.travels", name="Luca Haddad")
    crm.relationship("ivyh", name="Ivy Haddad")
    sent = run.command("status luka haddad warm")
    assert "No influencer matches “luka haddad”. Did you mean this creator?" in sent.text
    buttons = [e for b in sent.reply.blocks if b["type"] == "actions" for e in b["elements"]]
    assert [b["text"]["text"] for b in buttons] == ["Luca Haddad (@luca.travels · Instagram)"]
    assert crm.one(Relationship, Relationship.influencer.has(handle="luca.travels")).status == "saved"
    picked = run.click(buttons[0]["action_id"], buttons[0]["value"])
    assert "*Luca Haddad* is now *warm*" in picked.text
    assert crm.one(Relationship, Relationship.influencer.has(handle="luca.travels")).status == "warm"
    # Nothing close: how to save or look for them, as before. A merge (of two) names no candidates.
    assert "To look for them: `/crm find xyzzy`" in run.command("show xyzzy quux").text
    merge = run.command('merge @ivyh "luka haddad"').text
    assert "No influencer matches “luka haddad”" in merge and "Did you mean" not in merge


def test_the_edit_form_sets_corrects_and_clears_the_e_mail(run, crm):
    rel = crm.relationship("priya", name="Priya Raman")
    view = run.click(Action.CARD_EDIT, str(rel.influencer_id)).opened
    block = next(b for b in view["blocks"] if b.get("block_id") == F.INFLUENCER_EMAIL)
    assert block["element"]["type"] == "email_text_input" and block["optional"] is True
    base = {F.INFLUENCER_NAME: "Priya Raman", F.RELATIONSHIP_STATUS: "warm"}
    assert run.submit(view, {**base, F.INFLUENCER_EMAIL: "priya@example.com"}).ack == {}
    assert creator(crm, "priya").email == "priya@example.com"
    view = run.click(Action.CARD_EDIT, str(rel.influencer_id)).opened
    shown = next(b for b in view["blocks"] if b.get("block_id") == F.INFLUENCER_EMAIL)["element"]
    assert shown["initial_value"] == "priya@example.com"
    refused = run.submit(view, {**base, F.INFLUENCER_EMAIL: "not-an-address", F.RELATIONSHIP_STATUS: "cold"})
    assert refused.ack["errors"] == {F.INFLUENCER_EMAIL: "“not-an-address” is not an e-mail address."}
    assert (creator(crm, "priya").email, crm.one(Relationship).status) == ("priya@example.com", "warm")
    view = run.click(Action.CARD_EDIT, str(rel.influencer_id)).opened
    assert run.submit(view, {**base, F.INFLUENCER_EMAIL: None}).ack == {}
    assert creator(crm, "priya").email is None


def test_the_edit_form_renames(run, crm):
    rel = crm.relationship("priya", name="priya")
    view = run.click(Action.CARD_EDIT, str(rel.influencer_id)).opened
    name_block = next(b for b in view["blocks"] if b.get("block_id") == F.INFLUENCER_NAME)
    assert name_block["element"]["initial_value"] == "priya"
    values = {F.INFLUENCER_NAME: "  Priya\u200b Raman ", F.RELATIONSHIP_STATUS: "warm"}
    assert run.submit(view, values).ack == {}
    assert creator(crm, "priya").name == "Priya Raman"
    assert crm.one(Relationship).status == "warm"
    view = run.click(Action.CARD_EDIT, str(rel.influencer_id)).opened  # a new form: not a replay
    refused = run.submit(view, {F.INFLUENCER_NAME: "n" * 256, F.RELATIONSHIP_STATUS: "cold"})
    assert refused.ack["errors"] == {F.INFLUENCER_NAME: "The name can be at most 255 characters."}
    assert crm.one(Relationship).status == "warm"  # nothing written
    assert creator(crm, "priya").name == "Priya Raman"
    # Nothing typed (Slack requires the field, so only a forged form): the name is kept.
    view = run.click(Action.CARD_EDIT, str(rel.influencer_id)).opened
    assert run.submit(view, {F.INFLUENCER_NAME: "   ", F.RELATIONSHIP_STATUS: "cold"}).ack == {}
    assert creator(crm, "priya").name == "Priya Raman"
    assert crm.one(Relationship).status == "cold"


def test_help_lists_rename_and_link(run):
    text = run.command("help").text
    assert '/crm rename &lt;influencer&gt; "New Name"' in text
    assert "/crm link &lt;influencer&gt;" in text


WORDS = ["add", "rename", "link", "@priya", "priya", '"Priya Raman"', "youtube", "tiktok", "twitter"]
WORDS += ["https://medium.com/@anna", "anna.substack.com", "https://x.com/i/status/1", "example.com/a?b=c"]
WORDS += ["linktr.ee/", '"', "“", "@", "<https://x.com/a|x>", "\x00", "🎉", "ü" * 300, "h" * 101]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.tuples(
        st.sampled_from(["add", "rename", "link"]),
        st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=20)), max_size=5),
    ).map(lambda t: " ".join([t[0], *t[1]]))
)
def test_fuzzed_add_rename_link_never_fail(run, crm, slack_http, caplog, text):
    crm.user(USER_ID)
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        result = slack_http.post(run.payloads.command(text))
        run.slack.drain()
    assert result.status == 200
    unexpected = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not unexpected, [r.getMessage() for r in unexpected]


def test_a_name_given_with_add_is_kept_when_the_creator_is_picked_from_candidates(run, crm):
    crm.influencer("maya", platform="tiktok", name="maya")
    crm.influencer("maya", platform="youtube", name="Maya on YouTube")
    sent = run.command('add @maya "Maya Lopez"')
    buttons = [e for b in sent.reply.blocks if b["type"] == "actions" for e in b["elements"]]
    tiktok = next(b for b in buttons if "TikTok" in b["text"]["text"])
    picked = run.click(tiktok["action_id"], tiktok["value"])
    assert "Added *Maya Lopez*" in picked.text
    names = {i.platform: i.name for i in crm.all(Influencer)}
    assert names == {"tiktok": "Maya Lopez", "youtube": "Maya on YouTube"}  # a chosen name stays
    assert crm.count(Relationship) == 1

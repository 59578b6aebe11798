"""Answers that say exactly what is wrong, end to end: the word that was not understood is named,
with the closest thing that exists ("did you mean") and a correct example; nothing is written."""

from __future__ import annotations

import importlib

import pytest

from crm.models import Interaction, Relationship
from handlers.ids import Field

dispatch = importlib.import_module("handlers.commands.dispatch")  # the package exports a function too


@pytest.fixture
def sophie(crm):
    return crm.relationship("sophie.glow", name="Sophie Glow", status="saved", priority=1, tags=["beauty"])


def unchanged(crm, before: Relationship) -> bool:
    after = crm.one(Relationship, Relationship.id == before.id)
    fields = ("status", "priority", "tags", "follow_up_date", "notes")
    return all(getattr(after, f) == getattr(before, f) for f in fields)


def error_text(sent) -> str:
    return sent.reply.params["text"]


# ---- tag ----------------------------------------------------------------------------------------


def test_a_plain_word_right_after_a_tag_is_offered_joined_to_it(run, crm, sophie):
    text = error_text(run.command("tag @sophie.glow +vegan -beauty skincare +x"))
    assert "A tag is one word: -beauty-skincare" in text  # after a tag: offered joined
    text = error_text(run.command("tag @sophie.glow skincare"))
    assert "keeps the two together" not in text
    assert unchanged(crm, sophie)


def test_tag_names_a_plain_word_among_the_tags(run, crm, sophie):
    text = error_text(run.command("tag @sophie.glow -beauty +vegan skincare"))
    assert (
        "“skincare” is not a +tag or -tag: write +skincare to add it or -skincare to remove it."
        " A tag is one word: +vegan-skincare keeps the two together." in text
    )
    assert "No influencer matches" not in text
    assert "e.g. `/crm tag @maya +skincare -beauty`" in text
    assert unchanged(crm, sophie)


def test_tag_still_takes_a_name_of_several_words_before_the_tags(run, crm, sophie):
    assert "#vegan" in run.command("tag Sophie Glow +vegan").text
    assert crm.one(Relationship, Relationship.id == sophie.id).tags == ["beauty", "vegan"]


# ---- log ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "guess"),
    [("dm", None), ("emial", "“email”"), ("phone", "“call”"), ("metting", "“meeting”")],
)
def test_log_names_a_word_that_is_not_an_interaction_type(run, crm, sophie, word, guess):
    sent = run.command(f"log @sophie.glow {word}")
    text = error_text(sent)
    assert f"“{word}” is not an interaction type." in text
    assert "Use email, call, meeting, note or file." in text
    assert (f"Did you mean {guess}?" in text) if guess else "Did you mean" not in text
    assert "No influencer matches" not in text
    assert not sent.to("views.open")


def test_log_names_a_type_word_that_is_not_one_before_the_text(run, crm, sophie):
    sent = run.command("log @sophie.glow phone about rates")
    assert "“phone” is not an interaction type. Did you mean “call”?" in error_text(sent)
    assert not sent.to("views.open")


def test_log_with_a_name_of_several_words_or_an_unknown_creator(run, crm, sophie):
    assert run.command("log Sophie Glow").opened  # the whole name is the creator: no type to name
    assert run.command("log Sophie Glow call").opened
    text = error_text(run.command("log @nobody dm"))
    assert "No influencer matches “@nobody dm”" in text  # neither names anyone: the whole is unmatched


def _log_form(view) -> tuple[str | None, str | None, str | None]:
    """(creator id, type, content) the log form opened with."""
    blocks = {b.get("block_id"): b["element"] for b in view["blocks"] if "element" in b}
    picked = blocks[Field.INTERACTION_INFLUENCER].get("initial_option") or {}
    kind = blocks[Field.INTERACTION_TYPE].get("initial_option") or {}
    return picked.get("value"), kind.get("value"), blocks[Field.INTERACTION_CONTENT].get("initial_value")


def test_log_takes_text_without_a_type_as_what_happened_and_asks_for_the_type(run, crm, sophie):
    creator = str(sophie.influencer_id)
    sent = run.command("log @sophie.glow agreed on  two reels")
    assert _log_form(sent.opened) == (creator, None, "agreed on  two reels")
    assert not sent.replies
    # A whole name first; "dm" starting the text is not taken for a type when more follows.
    assert _log_form(run.command("log Sophie Glow dm slid into her DMs").opened) == (
        creator,
        None,
        "dm slid into her DMs",
    )
    # A type word after the text is not the type either: the words before it do not name her.
    assert _log_form(run.command("log @sophie.glow agreed on a call next week").opened) == (
        creator,
        None,
        "agreed on a call next week",
    )
    # A type word right after her still is, with the text after it.
    assert _log_form(run.command("log @sophie.glow call about the meeting").opened) == (
        creator,
        "call",
        "about the meeting",
    )
    assert crm.count(Interaction) == 0


def test_log_text_for_a_name_that_matches_several_is_kept_through_the_pick(run, crm, sophie):
    crm.relationship("sophie.b", name="Sophie Berg")
    sent = run.command("log sophie agreed on rates")
    assert "matches several influencers" in sent.text
    buttons = [e for b in sent.reply.blocks if b["type"] == "actions" for e in b["elements"]]
    berg = next(b for b in buttons if "Sophie Berg" in b["text"]["text"])
    picked = run.click(berg["action_id"], berg["value"])
    berg_id = str(crm.one(Relationship, Relationship.influencer.has(handle="sophie.b")).influencer_id)
    assert _log_form(picked.opened) == (berg_id, None, "agreed on rates")
    # One word after an ambiguous name was meant as the type: named, no buttons.
    assert "“dm” is not an interaction type." in error_text(run.command("log sophie dm"))


# ---- status and priority ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("status @sophie.glow hot", "“hot” is not a status. Did you mean “warm”? Use saved, contacted, warm"),
        ("status @sophie.glow partnerd", "“partnerd” is not a status. Did you mean “partnered”?"),
        (
            "status @sophie.glow maybe",
            "“maybe” is not a status. Use saved, contacted, warm, cold or partnered.",
        ),
        (
            "priority @sophie.glow high",
            "“high” is not a priority. Priority must be a whole number from 0 to 5.",
        ),
        ("priority @sophie.glow 9", "“9” is not a priority. Priority must be a whole number from 0 to 5."),
        ("priority @sophie.glow 99999999999999999999999", "is not a priority."),
    ],
)
def test_status_and_priority_name_the_value(run, crm, sophie, text, expected):
    assert expected in error_text(run.command(text))
    assert unchanged(crm, sophie)


# ---- unknown subcommands ------------------------------------------------------------------------


def test_a_mistyped_subcommand_suggests_the_closest_with_its_usage(run):
    sent = run.command("shwo @sophie.glow")
    text = sent.text
    assert "There is no `/crm shwo` command. Did you mean `show`?" in text
    assert "/crm show &lt;influencer&gt;" in text  # its usage line and example
    assert "/crm campaign new" not in text  # not the whole help
    assert "`/crm help` lists every command." in text


@pytest.mark.parametrize(
    ("typed", "meant"), [("stauts", "status"), ("campain", "campaign"), ("@maya", "show")]
)
def test_more_suggestions(run, typed, meant):
    assert f"Did you mean `{meant}`?" in run.command(f"{typed} x").text


def test_a_mistyped_campaign_subcommand(run):
    text = error_text(run.command('campaign lst "Spring Sale"'))
    assert "There is no `/crm campaign lst` command. Did you mean `campaign list`?" in text
    assert "Usage: `/crm campaign list" in text


@pytest.mark.parametrize("typed", ["delete", "remove", "rm"])
def test_delete_and_remove_suggest_only_what_exists(run, typed):
    """Suggestions come from the SUBCOMMANDS table: once `remove` is there, it is suggested."""
    text = run.command(f"{typed} @sophie.glow").text
    if typed != "remove" and "remove" in dispatch.SUBCOMMANDS:
        assert "Did you mean `remove`?" in text
    elif typed == "remove" and "remove" in dispatch.SUBCOMMANDS:
        assert "There is no" not in text
    else:
        assert "Did you mean" not in text  # never "rename" for remove
        assert f"There is no `/crm {typed}` command. The commands are `add` `rename`" in text
        assert "`status`" in text


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("stats", "admin"), ("move @sophie.glow warm", "status"), ("call @sophie.glow", "log"),
     ("edit @sophie.glow", "show"), ("assign", "campaign"), ("todo", "due")],
)  # fmt: skip
def test_words_people_type_for_a_command_suggest_the_one_meant(run, typed, meant):
    """Not by spelling: "stats" is spelt like status and "move" like remove."""
    text = run.command(typed).text
    assert f"There is no `/crm {typed.split()[0]}` command. Did you mean `{meant}`?" in text
    assert f"`/crm {meant}" in text  # with its usage


def test_nothing_close_names_every_command_in_one_line(run):
    """Not the whole help (some fifty lines): the names, and how to see each with an example."""
    sent = run.command("frobnicate")
    text = sent.text
    assert "There is no `/crm frobnicate` command. The commands are `add` `rename` `link`" in text
    assert "`campaign` `utm` `admin`." in text
    assert "`/crm help` shows each with an example; `/crm help &lt;command&gt;` shows one." in text
    assert "Did you mean" not in text and "e.g." not in text
    assert len(sent.reply.blocks) == 1
    # What it points to works: `/crm help utm` shows that command alone.
    assert "`/crm utm &lt;campaign&gt; &lt;influencer&gt;`" in run.command("help utm").text


def test_typed_words_in_the_answer_are_escaped(run):
    for typed in ("sho&lt;", "campaign lis&lt;"):  # as Slack encodes "sho<" and "lis<"
        text = run.command(typed).text
        assert "Did you mean" in text
        assert "&lt;`" in text and "<`" not in text

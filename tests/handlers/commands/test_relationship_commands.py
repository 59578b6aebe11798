"""/crm subcommands about one's own relationships, end to end: signed command in, database and
recorded Slack calls out."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, update

from crm.clock import follow_up_instant
from crm.models import Influencer, Interaction, Relationship
from handlers.ids import Action, Field
from handlers.ids import View as ViewId
from tests.handlers.conftest import USER_ID


def rel_of(crm, handle: str, user: str = USER_ID) -> Relationship:
    (rel,) = [
        r
        for r in crm.all(Relationship)
        if crm.one(Influencer, Influencer.id == r.influencer_id).handle == handle
        and r.user_id == crm.user(user).id
    ]
    return rel


@pytest.mark.parametrize("text", ["", "help", "HELP"])
def test_help_lists_every_subcommand(run, text):
    sent = run.command(text)
    assert sent.reply.params["response_type"] == "ephemeral"
    for word in (
        "add",
        "show",
        "status",
        "priority",
        "tag",
        "followup",
        "note",
        "log",
        "list",
        "due",
        "find",
        "campaign new",
        "campaign list",
        "campaign add",
        "campaign status",
        "utm",
        "admin",
    ):
        assert f"/crm {word}" in sent.text, word


@pytest.mark.parametrize(
    ("text", "shown", "not_shown"),
    [
        ("help campaign", ["/crm campaign new", "/crm campaign export"], ["/crm show", "/crm utm"]),
        ("help FOLLOWUP", ["/crm followup &lt;influencer&gt;"], ["/crm campaign new", "/crm show"]),
        ("help create", ["/crm add"], ["/crm show"]),  # a word people use for add
        ("help campaigns", ["/crm campaign list", "/crm campaign new"], ["/crm show"]),  # an alias
        ("help campaign Status", ["/crm campaign status"], ["/crm campaign new", "/crm campaign add"]),
        ("help nothing-like-it", ["/crm show", "/crm campaign new", "/crm admin"], []),  # everything
    ],
)
def test_help_on_one_command_shows_that_command(run, text, shown, not_shown):
    blocks = repr(run.command(text).reply.params["blocks"])
    assert all(s in blocks for s in shown) and not any(n in blocks for n in not_shown)


@pytest.mark.parametrize("text", ["campaign", "campaign frob"])
def test_campaign_without_a_known_subcommand_shows_the_campaign_commands(run, text):
    blocks = repr(run.command(text).reply.params["blocks"])
    if text != "campaign":
        assert "There is no `/crm campaign frob` command. Campaign commands: new, list," in blocks
    assert "/crm campaign new" in blocks and "/crm campaign export" in blocks and "/crm show" not in blocks


def test_unknown_subcommand_answers_with_what_there_is(run):
    sent = run.command("frobnicate @maya")
    assert "There is no `/crm frobnicate` command" in sent.text
    assert "`status`" in sent.text


def test_add_saves_the_influencer_to_my_list_and_refreshes_home(run, crm):
    sent = run.command("add @maya tiktok")
    assert "Added" in sent.text and "@maya" in sent.text
    inf = crm.one(Influencer, Influencer.handle == "maya")
    assert inf.platform == "tiktok"
    assert crm.count(Relationship, Relationship.influencer_id == inf.id) == 1
    assert sent.to("views.publish")[0].params["user_id"] == USER_ID
    again = run.command("add @maya tiktok")
    assert "already on your list" in again.text
    assert crm.count(Relationship) == 1


def test_add_by_profile_url(run, crm):
    run.command("add https://www.instagram.com/maya.creates/?hl=en")
    inf = crm.one(Influencer)
    assert (inf.handle, inf.platform) == ("maya.creates", "instagram")
    assert crm.count(Relationship) == 1


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("add", None),
        ("add @maya tiktok @other", "one @handle at a time"),
        ("add not!a!handle", "not a handle"),
        ('add "Priya Raman"', "“Priya Raman” is a name; give their @handle or profile link too"),
        ('add "Priya Raman" youtube', "“Priya Raman” is a name"),
        ("add Priya priya youtube", "Which of “Priya priya” is the handle?"),
        ("add @maya https://x.com/maya https://tiktok.com/@maya", "One profile at a time"),
    ],
)
def test_add_with_bad_arguments_answers_usage_and_writes_nothing(run, crm, text, problem):
    sent = run.command(text)
    usage = 'Usage: `/crm add ["Name"] &lt;@handle [platform] | profile-url&gt; [e-mail]`'
    assert usage in sent.reply.params["text"]
    assert '/crm add "Priya Raman" @priya youtube' in sent.reply.params["text"]
    if problem:
        assert problem in sent.reply.params["text"]
    assert crm.count(Influencer) == 0 and crm.count(Relationship) == 0


def test_show_posts_the_card_ephemerally(run, crm):
    crm.relationship("maya", name="Maya Lopez", status="warm", notes="Loves skincare", tags=["vegan"])
    sent = run.command('show "Maya Lopez"')
    assert sent.reply.params["response_type"] == "ephemeral"
    for part in ("Maya Lopez", "Warm", "Loves skincare", "#vegan", Action.CARD_LOG, Action.CARD_EDIT):
        assert part in sent.text
    assert not sent.to("views.publish")  # reading changes nothing: no Home refresh


def test_show_someone_not_on_my_list_or_unknown(run, crm):
    crm.relationship("maya", user="UBOB000001")
    assert "isn't on your list" in run.command("show @maya").text
    assert "No influencer matches" in run.command("show @nobody").text


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        (
            "show @nobody",
            "No influencer matches “@nobody”. To save them: `/crm add @nobody`. "
            "To look for them: `/crm find nobody`.",
        ),
        (
            "status @nobody tiktok warm",
            "No influencer matches “@nobody tiktok”. To save them: `/crm add @nobody tiktok`. "
            "To look for them: `/crm find nobody`.",
        ),
        (
            "note https://www.tiktok.com/@nobody.r Loved it",
            "No influencer matches “https://www.tiktok.com/@nobody.r”. "
            "To save them: `/crm add https://www.tiktok.com/@nobody.r`.",
        ),
        (  # more than a platform after the handle: no name starts with @, so no `add "…"` hint
            "show @nobody extra words",
            "No influencer matches “@nobody extra words”. To look for them: `/crm find nobody`. "
            "After a handle, give at most its platform: `@nobody tiktok`.",
        ),
        (
            'show "Zed Nobody"',
            "No influencer matches “Zed Nobody”. To look for them: `/crm find Zed`. "
            'To save a new creator: `/crm add "Zed Nobody" @handle`.',
        ),
        (  # what the user typed stays text in the hint too: Slack's markup is read as plain words
            # (handlers/slack_markup.py) and anything mrkdwn would read is escaped
            "show <!channel> & co",
            "No influencer matches “channel &amp; co”. To look for them: `/crm find channel`. "
            'To save a new creator: `/crm add "channel &amp; co" @handle`.',
        ),
        (
            "show a<b",
            "No influencer matches “a&lt;b”. To look for them: `/crm find a&lt;b`. "
            'To save a new creator: `/crm add "a&lt;b" @handle`.',
        ),
    ],
)
def test_a_creator_nobody_matches_is_answered_with_how_to_save_or_find_them(run, crm, text, answer):
    crm.relationship("maya")
    sent = run.command(text)
    assert sent.reply.params["text"] == answer
    assert sent.reply.params["response_type"] == "ephemeral"
    assert crm.count(Influencer) == 1  # nothing written


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("status warm", "Name the creator first, then the new status."),
        ("priority 4", "Name the creator first, then the priority (0 to 5)."),
    ],
)
def test_a_value_without_its_creator_says_which_half_is_missing(run, crm, text, problem):
    crm.relationship("maya")
    sent = run.command(text)
    assert sent.reply.params["text"].startswith(problem) and "Usage: `/crm " in sent.text
    assert crm.one(Relationship).status == "saved"


def test_status_priority_and_tags(run, crm):
    crm.relationship("maya", name="Maya Lopez")
    assert "is now *warm*" in run.command("status Maya Lopez warm").text  # no quotes needed: last word
    priority = run.command("priority @maya 4")
    assert "*Maya Lopez* now has priority *4* (was 0)." in priority.text
    again = run.command("priority @maya 4")
    assert "*Maya Lopez* already has priority *4*." in again.text and not again.to("views.publish")
    assert "#skincare" in run.command("tag @maya +Skincare +vegan #travel").text
    missing = run.command("tag @maya -vegan-food -keto").text
    assert "(#vegan-food #keto were not among them.)" in missing
    tagged = run.command("tag @maya -vegan")
    rel = rel_of(crm, "maya")
    assert (rel.status, rel.priority, rel.tags) == ("warm", 4, ["skincare", "travel"])
    assert priority.to("views.publish")  # the Home tab shows priorities (most neglected) ...
    assert not tagged.to("views.publish")  # ... but not tags: no refresh needed


@pytest.mark.parametrize(
    "text",
    [
        "status @maya hot",
        "status warm",
        "priority @maya 9",
        "priority @maya high",
        "tag @maya vegan",
        "tag +x",
    ],
)
def test_bad_values_answer_the_usage_line_and_change_nothing(run, crm, text):
    crm.relationship("maya", status="saved", priority=1, tags=["a"])
    sent = run.command(text)
    sub = text.split()[0]
    assert f"Usage: `/crm {sub}" in sent.reply.params["text"]
    rel = rel_of(crm, "maya")
    assert (rel.status, rel.priority, rel.tags) == ("saved", 1, ["a"])


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "tag @maya fitness",
            "“fitness” is not a +tag or -tag: put + before a tag to add it, - to remove it, "
            "e.g. /crm tag @maya +fitness",
        ),
        ("tag @maya instagram fitness vegan", "e.g. /crm tag @maya instagram +fitness +vegan"),
        ('tag "Maya Lopez" fitness', 'e.g. /crm tag "Maya Lopez" +fitness'),
        ("tag Maya fitness", "e.g. /crm tag Maya +fitness"),
        ("tag +fitness -beauty", "Name the creator first, e.g. /crm tag @maya +fitness -beauty"),
        ("tag maya +", "A tag needs a word after its + or -, e.g. /crm tag maya +skincare"),
        ("tag @maya # -", "A tag needs a word after its + or -, e.g. /crm tag @maya +skincare"),
        (
            "tag @maya + fitness",
            "“fitness” is not a +tag or -tag: put + before a tag to add it, - to remove it, "
            "e.g. /crm tag @maya +fitness",
        ),
    ],
)
def test_tags_without_their_signs_are_shown_with_them(run, crm, text, problem):
    crm.relationship("maya", name="Maya Lopez", tags=["a"])
    said = run.command(text).reply.params["text"]
    assert problem in said and "Usage: `/crm tag" in said
    assert rel_of(crm, "maya").tags == ["a"]


@pytest.mark.parametrize(
    ("phrase", "days"),
    [("tomorrow", 1), ("in 3 days", 3), ("in 2 weeks", 14), ("today", 0)],
)
def test_followup_phrases(run, crm, phrase, days):
    crm.relationship("maya", name="Maya Lopez")
    sent = run.command(f'followup "Maya Lopez" {phrase}')
    expected = follow_up_instant(datetime.now(UTC).date() + timedelta(days=days), UTC)
    assert rel_of(crm, "maya").follow_up_date == expected
    assert "Follow up with" in sent.text


def test_followup_next_weekday_date_and_clear(run, crm):
    crm.relationship("maya")
    run.command("followup @maya next monday")
    due = rel_of(crm, "maya").follow_up_date
    assert due.weekday() == 0 and due > datetime.now(UTC)
    run.command("followup @maya 2030-01-15")
    assert rel_of(crm, "maya").follow_up_date == follow_up_instant(date(2030, 1, 15), UTC)
    assert "No follow-up" in run.command("followup @maya clear").text
    assert rel_of(crm, "maya").follow_up_date is None


def test_followup_that_is_not_a_date(run, crm):
    crm.relationship("maya")
    sent = run.command("followup @maya someday soon")
    assert "is not a date I understand" in sent.reply.params["text"]
    assert rel_of(crm, "maya").follow_up_date is None


@pytest.mark.parametrize(
    ("text", "tail", "meant", "command"),
    [
        ("followup @maya nxt week", "nxt week", "next week", "followup @maya next week"),
        ('followup "Maya Lopez" in 3 dys', "in 3 dys", "in 3 days", 'followup "Maya Lopez" in 3 days'),
        # "3pm" alone is a date, which left "@maya tusday" as the creator: not found, so respelled.
        ("followup @maya tusday 3pm", "tusday 3pm", "tuesday 3pm", "followup @maya tuesday 3pm"),
    ],
)
def test_followup_with_a_mistyped_date_gives_the_command_as_meant(run, crm, text, tail, meant, command):
    crm.relationship("maya", name="Maya Lopez")
    said = run.command(text).reply.params["text"]
    assert f"“{tail}” is not a date I understand. Did you mean “{meant}”? /crm {command}" in said
    assert rel_of(crm, "maya").follow_up_date is None
    # The command given in the answer works.
    assert "Follow up with *Maya Lopez*" in run.command(command).text
    assert rel_of(crm, "maya").follow_up_date is not None


def test_note_with_text_appends_it_verbatim(run, crm):
    crm.relationship("maya", name="Maya Lopez")
    sent = run.command(
        'note "Maya Lopez" She said "yes"  &amp; wants &lt;b&gt;March&lt;/b&gt;'
    )  # as Slack encodes it
    assert "Note added" in sent.text
    assert 'She said "yes"  & wants <b>March</b>' in rel_of(crm, "maya").notes


def test_note_after_a_whole_name_typed_without_quotes(run, crm):
    crm.relationship("miraok", name="Mira Okafor")
    crm.relationship("mira", name="Mira")
    # Before, "Mira" named the creator and "Okafor loved the brief" was saved as the note.
    assert "Note added to *Mira Okafor*" in run.command("note Mira Okafor loved the brief").text
    assert rel_of(crm, "miraok").notes.endswith(": loved the brief")
    assert rel_of(crm, "mira").notes is None
    # Accents and case aside; the longest whole name wins; a first word alone still names someone.
    run.command("note mira OKAFÖR call on Friday")
    assert rel_of(crm, "miraok").notes.endswith(": call on Friday")
    run.command("note Mira great call")
    assert rel_of(crm, "mira").notes.endswith(": great call")


def test_note_after_a_handle_and_its_platform(run, crm):
    run.command('add "Zoe on Instagram" @zoe instagram')
    run.command("add @zoe tiktok")
    crm.relationship("maya", platform="tiktok")
    assert "Note added to *zoe*" in run.command("note @zoe tiktok Loved the duet").text
    on_tiktok = crm.one(Relationship, Relationship.influencer.has(handle="zoe", platform="tiktok"))
    assert on_tiktok.notes.endswith(": Loved the duet")
    # @maya has no Instagram profile: "instagram" starts the note.
    run.command("note @maya instagram post is live")
    assert rel_of(crm, "maya").notes.endswith(": instagram post is live")
    # The handle and platform alone open the notes of that one.
    assert "*zoe* (@zoe · TikTok)" in repr(run.command("note @zoe tt").opened["blocks"])


def test_note_without_text_opens_the_notes_modal(run, crm):
    crm.relationship("maya", notes="Earlier note")
    sent = run.command("note @maya")
    view = sent.opened
    assert view["callback_id"] == ViewId.NOTES
    assert "Earlier note" in repr(view["blocks"])
    assert not sent.replies


def test_show_and_find_by_the_creators_e_mail_address(run, crm):
    crm.relationship("maya", name="Maya Lopez", status="warm")
    with crm.session() as db:
        db.execute(update(Influencer).values(email="maya@eats.example"))
    assert "MAYA LOPEZ" in run.command("show maya@eats.example").text.upper()
    assert "@maya" in run.command("find eats.example").text


def test_log_opens_the_modal_prefilled(run, crm):
    rel = crm.relationship("maya")
    crm.campaign("Spring Sale")
    view = run.command("log @maya call").opened
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks[Field.INTERACTION_INFLUENCER]["element"]["initial_option"]["value"] == str(
        rel.influencer_id
    )
    assert blocks[Field.INTERACTION_TYPE]["element"]["initial_option"]["value"] == "call"
    assert blocks[Field.INTERACTION_CAMPAIGN]["element"]["options"][0]["text"]["text"] == "Spring Sale"
    # Words after the type fill in the content, spacing kept; the form is still what saves.
    view = run.command("log @maya call talked  rates\nfor March").opened
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks[Field.INTERACTION_TYPE]["element"]["initial_option"]["value"] == "call"
    assert blocks[Field.INTERACTION_CONTENT]["element"]["initial_value"] == "talked  rates\nfor March"
    assert crm.count(Interaction) == 0
    bare = run.command("log").opened
    assert (
        "initial_option"
        not in {b.get("block_id"): b for b in bare["blocks"]}[Field.INTERACTION_INFLUENCER]["element"]
    )


def test_list_filters_and_pages(run, crm):
    crm.relationship("amy", status="warm", priority=4, tags=["skincare"], relationship_strength=50)
    crm.relationship("bob", status="warm", priority=1, tags=["skincare"])
    crm.relationship("cat", status="cold", priority=5, tags=["skincare"])
    text = run.command("list warm #skincare priority>=3").text
    assert "@amy" in text and "@bob" not in text and "@cat" not in text
    everything = run.command("list").text
    assert all(f"@{h}" in everything for h in ("amy", "bob", "cat"))
    assert "Your relationships (3)" in everything
    assert "Usage: `/crm list" in run.command("list sideways").reply.params["text"]
    none = run.command("list partnered #r&d p>=2").reply
    # What matched nothing is named (user text escaped), and the plain fallback reads the same.
    said = "Nothing on your list matches partnered #r&amp;d priority&gt;=2."
    assert none.blocks[0]["text"]["text"].startswith(said)
    assert none.params["text"].startswith(said)  # the reply's text is escaped once, not twice


@pytest.mark.parametrize(
    ("words", "problem"),
    [
        ("hot", "“hot” is not a filter. Did you mean “warm”?"),
        ("wram #vegan", "“wram” is not a filter. Did you mean “warm”?"),
        ("skincare", "“skincare” is not a filter. For a tag, write #skincare."),
        ("warm ???", "“???” is not a filter. Filters are"),
        ("priority>3", "“priority&gt;3” is not a filter. Did you mean “priority&gt;=4”?"),
        ("p=2", "“p=2” is not a filter. Did you mean “priority&gt;=2”?"),
        ("priority>5", "“priority&gt;5” is not a filter. Filters are"),
    ],
)
def test_a_word_that_is_no_list_filter_is_named_with_what_it_may_mean(run, crm, words, problem):
    crm.relationship("amy", status="warm", tags=["skincare"])
    text = run.command(f"list {words}").reply.params["text"]
    assert text.startswith(problem)
    assert "Filters are a status (saved, contacted, warm, cold or partnered), a #tag, priority&gt;=N" in text
    assert "Usage: `/crm list" in text and "e.g. `/crm list warm #skincare`" in text


@pytest.mark.parametrize(
    ("words", "problem"),
    [
        ("#vegan #skincare", "One #tag at a time (got #vegan and #skincare)."),
        ("priority>=2 p>=3", "Give priority&gt;=N once."),  # escaped: the reply is mrkdwn
        ("priority>=9", "“priority&gt;=9”: priority must be from 0 to 5, e.g. priority&gt;=3."),
    ],
)
def test_a_filter_given_twice_or_out_of_range_is_named(run, crm, words, problem):
    text = run.command(f"list {words}").reply.params["text"]
    assert text.startswith(problem)
    assert "Usage: `/crm list" in text


def test_several_statuses_list_any_of_them_and_page_with_them(run, crm):
    for i in range(12):
        crm.relationship(f"warm{i:02d}", status="warm")
        crm.relationship(f"partner{i:02d}", status="partnered")
    crm.relationship("coldone", status="cold")
    first = run.command("list warm partnered")
    assert "Your relationships (24)" in first.text and "@coldone" not in first.text
    (next_button,) = [e for b in first.reply.blocks if b["type"] == "actions" for e in b["elements"]]
    second = run.click(next_button["action_id"], next_button["value"])
    assert "Showing 21–24 of 24." in second.text and "@coldone" not in second.text
    empty = run.command("list saved contacted").text
    assert "Nothing on your list matches saved or contacted." in empty


def test_a_filter_repeated_with_the_same_value_is_that_filter(run, crm):
    crm.relationship("amy", status="warm", priority=3, tags=["vegan"])
    crm.relationship("bob", status="warm", priority=1, tags=["vegan"])
    text = run.command("list warm WARM #vegan #vegan p>=2 priority>=2").text
    assert "@amy" in text and "@bob" not in text


def test_list_of_many_says_which_rows_of_how_many_and_offers_the_next_page(run, crm):
    for i in range(25):
        crm.relationship(f"creator{i:02d}")
    text = run.command("list").text
    assert "Showing 1–20 of 25." in text and "Next" in text  # paging: tests/handlers/actions/test_paging.py


def test_due_lists_overdue_and_today_oldest_first(run, crm):
    now = datetime.now(UTC)
    crm.relationship("late", follow_up_date=now - timedelta(days=3))
    crm.relationship("today", follow_up_date=now - timedelta(minutes=1))
    crm.relationship("later", follow_up_date=now + timedelta(days=3))
    text = run.command("due").text
    assert text.index("@late") < text.index("@today")
    assert "@later" not in text
    assert "Follow-ups due (2)" in text


def test_due_week_lists_the_week_ahead_too_and_pages_as_its_own_list(run, crm):
    now = datetime.now(UTC)
    crm.relationship("late", follow_up_date=now - timedelta(days=3))
    crm.relationship("soon", follow_up_date=now + timedelta(days=3))
    crm.relationship("later", follow_up_date=now + timedelta(days=12))
    sent = run.command("due week")
    assert "Follow-ups due in the next 7 days (2)" in sent.text
    assert sent.text.index("@late") < sent.text.index("@soon") and "@later" not in sent.text
    assert "Follow-ups due in the next 7 days (2)" in run.command("due This Week").text
    refused = run.command("due tomorrow").text
    assert "`due` takes nothing, or week: `/crm due week` (not “tomorrow”)." in refused
    assert "Usage: `/crm due [week]`" in refused
    for same in ("due today", "due Overdue"):  # what plain `due` shows anyway
        assert "Follow-ups due (1)" in run.command(same).text and "@soon" not in run.command(same).text


def test_nothing_due_this_week_says_when_the_next_follow_up_is(run, crm):
    crm.relationship("later", name="Later Lou", follow_up_date=datetime.now(UTC) + timedelta(days=12))
    text = run.command("due week").text
    assert "Nothing due in the next 7 days. :tada: Next: *Later Lou* on " in text


def test_nothing_due_says_when_the_next_follow_up_is(run, crm):
    assert (
        "No follow-ups due today. :tada: Set one with `/crm followup @handle tomorrow`."
        in run.command("due").text
    )
    now = datetime.now(UTC)
    crm.relationship("soon", name="Maya <b>L</b>", follow_up_date=now + timedelta(days=3))
    crm.relationship("later", follow_up_date=now + timedelta(days=9))
    crm.relationship("gone", follow_up_date=now + timedelta(days=2), archived_at=now)  # removed
    crm.relationship("theirs", user="U0OTHER01", follow_up_date=now + timedelta(days=1))
    text = run.command("due").text
    assert "No follow-ups due today. :tada: Next: *Maya &lt;b&gt;L&lt;/b&gt;* on " in text
    assert "@later" not in text


def test_a_tag_spelt_wrong_is_answered_with_the_tag_meant(run, crm):
    crm.relationship("maya", status="warm", tags=["fitness", "skin&care"])
    crm.relationship("zoe", user="U0OTHER01", tags=["travel"])  # a colleague's tags are not offered
    assert "Nothing on your list matches #fitnes. Did you mean #fitness? `/crm list #fitness`" in (
        run.command("list #fitnes").text
    )
    said = run.command("list warm #fitnes priority>=2").reply.params["text"]
    assert said.startswith("Nothing on your list matches #fitnes. Did you mean #fitness?")
    assert said.endswith("/crm list warm priority&gt;=2 #fitness")  # the fallback text: no backticks
    assert (
        "Nothing matches “fitnss”. Did you mean #fitness? `/crm list #fitness`"
        in run.command("find fitnss").text
    )
    said = run.command("list #skin&amp;car").reply.params["text"]  # as Slack sends "skin&car"
    assert "Did you mean #skin&amp;care?" in said  # escaped once
    assert "Try part of a name" in run.command("find travle").text
    assert "`/crm list` shows everyone on it" in run.command("list #travle").text


def test_two_statuses_are_answered_with_one(run, crm):
    crm.relationship("maya", status="saved")
    said = run.command("status @maya contacted warm").reply.params["text"]
    assert said.startswith("Give one status: the one they are in now, e.g. /crm status @maya warm")
    assert rel_of(crm, "maya").status == "saved"
    # A creator whose name ends in a status word is still found by it.
    crm.relationship("coldbrew", name="Maya Cold")
    run.command("status maya cold warm")
    assert rel_of(crm, "coldbrew").status == "warm"


def test_the_next_follow_up_is_looked_up_only_when_nothing_is_due(slack_app, run, crm):
    rel = crm.relationship("late", follow_up_date=datetime.now(UTC) - timedelta(days=1))
    run.command("due")  # the user is known from now on
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(slack_app.engine, "before_cursor_execute", record)
    try:
        run.command("due")
        due_statements = len(seen)
        with crm.session() as db:
            db.get(Relationship, rel.id).follow_up_date = datetime.now(UTC) + timedelta(days=3)
        seen.clear()
        assert "Next: *late* on " in run.command("due").text
    finally:
        event.remove(slack_app.engine, "before_cursor_execute", record)
    assert len(seen) == due_statements + 1, seen


def test_find_searches_my_tags_and_the_directory(run, crm):
    crm.relationship("maya", tags=["skincare"])
    crm.influencer("skinny", name="Skinny Jeans")
    text = run.command("find skin").text
    assert "@maya" in text and "@skinny" in text and "not on your list" in text
    assert "Nothing matches" in run.command("find zzzzzz").text


def test_find_with_nothing_found_offers_names_on_my_list_spelt_close(run, crm):
    crm.relationship("luca.travels", name="Luca Haddad")
    sent = run.command("find lucas")
    assert "Nothing matches “lucas”. Did you mean this creator?" in sent.text
    (button,) = [e for b in sent.reply.blocks if b["type"] == "actions" for e in b["elements"]]
    assert button["text"]["text"] == "Luca Haddad (@luca.travels · Instagram)"
    assert "LUCA HADDAD" in run.click(button["action_id"], button["value"]).text.upper()  # their card


def test_control_characters_never_reach_the_database(run, crm):
    crm.relationship("maya")
    sent = run.command("note @maya a\x00b\x07c")
    assert sent.response.status == 200 and "Note added" in sent.text
    assert rel_of(crm, "maya").notes.endswith("abc")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("status @maya", "*Maya Lopez* is *Warm*. Move them along: `/crm status @maya partnered`"),
        (
            "priority maya",
            "*Maya Lopez* has priority *5* (0 to 5, 5 the highest). Change it: `/crm priority @maya 3`.",
        ),
        (
            'tag "Maya Lopez"',
            "*Maya Lopez* tags: `#vegan`. Add or remove: `/crm tag @maya +skincare -beauty`.",
        ),
    ],
)
def test_the_creator_alone_shows_the_value_now_and_how_to_change_it(run, crm, text, shown):
    crm.relationship("maya", name="Maya Lopez", status="warm", priority=5, tags=["vegan"])
    said = run.command(text).reply.blocks[0]["text"]["text"]
    assert said.startswith(shown), said
    saved = crm.one(Relationship)
    assert (saved.status, saved.priority, saved.tags) == ("warm", 5, ["vegan"])  # shown, not changed

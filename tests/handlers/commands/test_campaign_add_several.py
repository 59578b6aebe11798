"""`/crm campaign add <campaign> @a @b #tag`: several creators assigned at once with the default UTM
values, end to end; what the user sees when some were on it already, when a word names no one, and
what Undo takes back (only what is untouched since)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update

from crm import assignments
from crm.models import Assignment, Influencer, LinkClick, User
from handlers.blocks.text import BUTTON_VALUE
from handlers.ids import Action
from tests.handlers.conftest import USER_ID

BOB = "UBOB000001"


def buttons(sent) -> dict[str, dict]:
    return {e["text"]["text"]: e for b in sent.reply.blocks if b["type"] == "actions" for e in b["elements"]}


def said(sent) -> str:
    """The answer's sections, as the user reads them (mrkdwn)."""
    return "\n".join(b["text"]["text"] for b in sent.reply.blocks if b["type"] == "section")


def assigned(crm) -> dict[str, str]:
    """handle → status of every assignment."""
    with crm.session() as db:
        rows = db.execute(select(Influencer.handle, Assignment.status).join(Assignment.influencer)).all()
    return dict(rows)


def test_several_creators_and_a_tag_are_assigned_at_once_with_the_default_values(run, crm):
    campaign = crm.campaign("Winter Glow", landing_url="https://shop.example.com/winter")
    crm.relationship("maya", name="Maya Lopez", platform="tiktok")
    crm.relationship("zoe", platform="youtube")
    crm.relationship("amy", tags=["skincare"])
    crm.relationship("bea", tags=["skincare"])
    crm.relationship("cat", tags=["fitness"])
    sent = run.command("campaign add winter @maya @zoe youtube #skincare")
    text = said(sent)
    assert "✅ Assigned 4 creators to *Winter Glow*, each *planned* with the default UTM values" in text
    assert "*Maya Lopez* (@maya · TikTok)" in text and "(@cat" not in text
    assert assigned(crm) == {"maya": "planned", "zoe": "planned", "amy": "planned", "bea": "planned"}
    maya = next(a for a in crm.all(Assignment) if a.utm_content == "maya")
    assert maya.utm_url == (
        "https://shop.example.com/winter?utm_source=tiktok&utm_medium=influencer"
        "&utm_campaign=winter-glow&utm_content=maya"
    )
    shown = buttons(sent)
    assert shown["Show campaign"]["value"] == str(campaign.id)
    assert set(shown) == {"Show campaign", "Undo"}
    assert sent.to("views.publish")  # App Home lists the open campaigns
    card = run.click(Action.CAMPAIGN_SHOW, shown["Show campaign"]["value"])
    assert "Your assignments (4)" in card.text


def test_those_on_it_already_are_said_and_a_teammates_are_not_named(run, crm):
    crm.campaign("Winter Glow")
    for handle in ("maya", "zoe", "amy"):
        crm.relationship(handle)
    run.command("utm winter @maya")  # mine already
    crm.user(BOB, display_name="Bob Stone")
    bob = run.payloads.command("utm winter @amy", user_id=BOB)
    run.send(bob)  # Bob's
    sent = run.command("campaign add winter @maya @zoe @amy")
    text = said(sent)
    assert "✅ Assigned 1 creator to *Winter Glow*" in text and "@zoe" in text.split("Already")[0]
    assert "*Already yours on it*, left as they were:\n• *maya*" in text
    assert "*On it through a teammate's assignment*, not added:\n• *amy*" in text
    assert "Bob" not in text
    assert assigned(crm) == {"maya": "planned", "zoe": "planned", "amy": "planned"}
    assert crm.count(Assignment, Assignment.user_id == crm.user(BOB).id) == 1
    # All of them on it already: nothing new, and no Undo.
    again = run.command("campaign add winter @maya @zoe")
    assert "Nobody new was assigned to *Winter Glow*." in again.text
    assert set(buttons(again)) == {"Show campaign"}


def test_undo_takes_back_only_what_is_untouched_since(run, crm):
    crm.campaign("Winter Glow")
    for handle in ("maya", "zoe", "amy", "bea", "old"):
        crm.relationship(handle)
    run.command("utm winter @old")  # assigned before: not the command's to take back
    sent = run.command("campaign add winter @maya @zoe @amy @bea @old")
    undo = buttons(sent)["Undo"]
    run.command("campaign status winter @zoe active")  # moved along since
    with crm.session() as db:  # edited since, in a later transaction (the form's UTM values)
        me = db.query(User).filter_by(slack_user_id=USER_ID).one()
        amy = next(a for a in db.query(Assignment) if a.utm_content == "amy")
        values = assignments.UtmValues("newsletter", "email", "winter", "amy", None)
        assignments.update_assignment(db, actor=me, assignment_id=amy.id, utm=values, notes=None)
        bea = next(a for a in db.query(Assignment) if a.utm_content == "bea")
        db.add(LinkClick(assignment_id=bea.id, clicked_at=datetime.now(UTC), client_class="mobile"))
    clicked = run.click(Action.ASSIGN_UNDO, undo["value"])
    text = said(clicked)
    assert "↩️ Took back 1 assignment to *Winter Glow*." in text
    assert "Kept, as they changed since (moved along, edited or clicked):" in text
    assert all(f"*{h}*" in text for h in ("zoe", "amy", "bea")) and "*old*" not in text
    assert set(assigned(crm)) == {"old", "zoe", "amy", "bea"}  # only maya's was taken back
    assert clicked.reply.params["replace_original"] is True
    assert clicked.to("views.publish")
    # Clicked again (or replayed): nothing more goes.
    twice = run.click(Action.ASSIGN_UNDO, undo["value"])
    assert "Nothing was taken back from *Winter Glow*." in said(twice)
    assert set(assigned(crm)) == {"old", "zoe", "amy", "bea"}


def test_undo_with_a_forged_value_takes_nothing_of_anyone_else(run, crm):
    campaign = crm.campaign("Winter Glow")
    crm.relationship("maya")
    crm.user(BOB)
    run.send(run.payloads.command("utm winter @maya", user_id=BOB))
    (bobs,) = crm.all(Assignment)
    forged = f"{campaign.id.hex}:{bobs.id.hex}"
    assert "Nothing was taken back" in run.click(Action.ASSIGN_UNDO, forged).text
    for junk in ("", "x:y", f"{campaign.id.hex}:", "a" * (BUTTON_VALUE + 1)):
        assert "Those assignments could not be found." in run.click(Action.ASSIGN_UNDO, junk).text
    assert crm.count(Assignment) == 1


def test_bad_words_assign_no_one_and_say_which_word(run, crm):
    crm.campaign("Winter Glow")
    crm.relationship("maya")
    crm.relationship("zoe")
    crm.relationship("mlopez", name="Mia Lopez")
    crm.relationship("mlopez2", name="Mia Lopez")
    cases = {
        "campaign add winter @maya lopez @zoe": "“lopez” is not a creator: with several, give each as",
        "campaign add winter @maya @nobody": "No influencer matches “@nobody”. Nothing was changed.",
        "campaign add winter @zoe #nope": "No one on your list is tagged #nope.",
        'campaign add winter @zoe "Mia Lopez"': "“Mia Lopez” matches several creators (@mlopez",
    }
    for command, expected in cases.items():
        text = run.command(command).reply.params["text"]
        assert expected in text, command
        assert "Usage: `/crm campaign add &lt;campaign&gt; &lt;influencer&gt; [more … | #tag]`" in text
    assert crm.count(Assignment) == 0


def test_a_tag_on_more_creators_than_assigned_at_once_is_refused(run, crm):
    crm.campaign("Winter Glow")
    for i in range(assignments.ASSIGN_AT_ONCE_MAX + 1):
        crm.relationship(f"c{i:02d}", tags=["big"])
    text = run.command("campaign add winter #big").reply.params["text"]
    most = assignments.ASSIGN_AT_ONCE_MAX
    assert f"#big is on 51 of your creators; at most {most} are taken at once." in text
    assert crm.count(Assignment) == 0


def test_the_most_at_once_fit_one_answer_and_its_undo(run, crm):
    """Fifty creators: the answer names twenty and validates; Undo's value carries all fifty."""
    crm.campaign("Winter Glow")
    for i in range(assignments.ASSIGN_AT_ONCE_MAX):
        crm.relationship(f"creator.with.a.long.handle.{i:02d}", tags=["all"])
    sent = run.command("campaign add winter #all")
    assert "✅ Assigned 50 creators" in sent.text and "…and 30 more" in sent.text
    undo = buttons(sent)["Undo"]
    assert len(undo["value"]) <= BUTTON_VALUE
    assert "Took back 50 assignments" in run.click(Action.ASSIGN_UNDO, undo["value"]).text
    assert crm.count(Assignment) == 0


def test_one_creator_still_opens_the_form_to_review(run, crm):
    crm.campaign("Winter Glow")
    crm.relationship("maya", platform="tiktok")
    assert run.command("campaign add winter @maya").opened
    assert run.command("campaign add winter @maya tiktok").opened  # a platform word is not a second one
    assert run.command("campaign add Winter Glow @maya").opened
    assert crm.count(Assignment) == 0


def test_a_hash_in_a_campaigns_name_is_still_its_name(run, crm):
    crm.campaign("Drop #3")
    crm.relationship("maya", tags=["skincare"])
    crm.relationship("zoe")
    assert "✅ Assigned 2 creators to *Drop #3*" in said(run.command("campaign add Drop #3 @maya @zoe"))
    crm.campaign("Winter Glow")
    assert "✅ Assigned 1 creator to *Winter Glow*" in said(run.command("campaign add winter #skincare"))


def test_links_and_e_mail_addresses_name_creators_right_after_the_campaign(run, crm):
    crm.campaign("Winter Glow")
    crm.relationship("maya", platform="tiktok")
    zoe = crm.relationship("zoe", platform="youtube")
    with crm.session() as db:
        zoes = update(Influencer).where(Influencer.id == zoe.influencer_id)
        db.execute(zoes.values(email="zoe@mail.example"))
    text = said(run.command("campaign add winter zoe@mail.example https://www.tiktok.com/@maya"))
    assert "✅ Assigned 2 creators to *Winter Glow*, each *planned*" in text
    assert set(assigned(crm)) == {"maya", "zoe"}
    crm.relationship("amy")
    crm.relationship("bea")
    text = said(run.command("campaign add winter @amy @amy"))  # named twice: assigned once
    assert "✅ Assigned 1 creator to *Winter Glow*, *planned* with the default UTM values" in text


def test_utm_for_several_points_to_adding_them_and_the_card(run, crm):
    crm.campaign("Winter Glow")
    crm.relationship("maya")
    crm.relationship("zoe")
    text = run.command('utm winter @maya "Zoe Q"').reply.params["text"]
    assert "`/crm utm` gives one creator's link. For several:" in text
    assert '`/crm campaign add "Winter Glow" @maya "Zoe Q"` assigns them' in text
    assert '`/crm campaign show "Winter Glow"` lists every link.' in text
    assert crm.count(Assignment) == 0

"""The Run button under a usage error that knows what was meant (`/crm status @maya hot` → Run
`/crm status @maya warm`), end to end: one click runs the command as meant, for the clicker, as if
typed. The value comes back from Slack, so a forged one is only ever command text, checked as typed
text is; a replayed click applies once."""

from __future__ import annotations

import pytest

from crm.models import Influencer, Relationship
from handlers.blocks.text import BUTTON_VALUE
from handlers.commands import ALREADY_DONE
from handlers.ids import Action

BOB = "UBOB000001"


def run_button(sent) -> dict | None:
    """The Run button of an answer, if it has one."""
    found = [
        e
        for b in sent.reply.blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == Action.RUN_MEANT
    ]
    assert len(found) <= 1
    return found[0] if found else None


def statuses(crm) -> dict:
    return crm.of_mine(Relationship.status)


def test_a_status_spelt_another_way_runs_as_meant_with_one_click(run, crm):
    crm.relationship("maya", name="Maya Lopez")
    sent = run.command("status @maya hot")
    assert "“hot” is not a status. Did you mean “warm”?" in sent.text
    assert statuses(crm) == {"maya": "saved"}  # nothing changed by the error
    button = run_button(sent)
    assert button["text"]["text"] == "Run /crm status @maya warm"
    clicked = run.click(button["action_id"], button["value"])
    assert "*Maya Lopez* is now *warm* (was saved)." in clicked.text
    assert statuses(crm) == {"maya": "warm"}
    assert clicked.to("views.publish")  # as the typed command would


@pytest.mark.parametrize(
    ("typed", "label", "then"),
    [
        ("shwo @maya", "Run /crm show @maya", "MAYA LOPEZ"),
        ("@maya", "Run /crm show @maya", "MAYA LOPEZ"),
        ("move @maya warm", "Run /crm status @maya warm", "is now *warm*"),  # a word people use
        ("lsit", "Run /crm list", "Your relationships (1)"),
        ("list hot", "Run /crm list warm", "Nothing on your list matches warm"),
        ("list p&gt;3", "Run /crm list priority>=4", "Nothing on your list matches priority&gt;=4"),
        ("followup @maya nxt week", "Run /crm followup @maya next week", "⏰ Follow up with *Maya Lopez*"),
        ("cadence @maya every 2 wekks", "Run /crm cadence @maya every 2 weeks", "every 2 weeks"),
    ],
)
def test_each_kind_of_meant_command_runs_when_clicked(run, crm, typed, label, then):
    crm.relationship("maya", name="Maya Lopez")
    button = run_button(run.command(typed))
    assert button["text"]["text"] == label
    clicked = run.click(button["action_id"], button["value"])
    assert then.lower() in clicked.text.lower()
    assert run_button(clicked) is None


def test_an_interaction_type_spelt_another_way_opens_the_form_as_meant(run, crm):
    crm.relationship("maya", name="Maya Lopez")
    button = run_button(run.command("log @maya phone about rates"))
    assert button["text"]["text"] == "Run /crm log @maya call about rates"
    view = run.click(button["action_id"], button["value"]).opened  # with the click's trigger_id
    shown = repr(view)
    assert "'value': 'call'" in shown and "about rates" in shown
    # The type as the command: `/crm call @maya …` is the log command, with that type.
    button = run_button(run.command("call @maya about rates"))
    assert button["text"]["text"] == "Run /crm log @maya call about rates"
    assert run_button(run.command("call Maya Lopez"))["text"]["text"] == "Run /crm log Maya Lopez"


def test_a_campaign_command_and_its_status_spelt_another_way(run, crm):
    crm.relationship("maya", name="Maya Lopez")
    crm.campaign("Spring Sale")
    run.command('utm "Spring Sale" @maya')
    typo = run_button(run.command('campaign stauts "Spring Sale" @maya done'))
    # the command first: its status word is then read by the command, which offers its own fix
    assert typo["text"]["text"] == 'Run /crm campaign status "Spring Sale" @maya done'
    done = run_button(run.click(typo["action_id"], typo["value"]))
    assert done["text"]["text"] == 'Run /crm campaign status "Spring Sale" @maya completed'
    moved = run.click(done["action_id"], done["value"])
    assert "in *Spring Sale* is now *completed* (was planned)." in moved.text


def test_a_misspelt_platform_runs_as_the_platform_meant(run, crm):
    sent = run.command('add "Nia Park" @nia_x tiktk')
    assert crm.count(Influencer) == 0
    button = run_button(sent)
    assert button["text"]["text"] == 'Run /crm add "Nia Park" @nia_x tiktok'
    added = run.click(button["action_id"], button["value"])
    assert "Added *Nia Park* (@nia_x · TikTok)" in added.text


def test_names_with_quotes_and_markup_characters_come_back_as_typed(run, crm):
    crm.relationship("tj", name="Tom & Jerry <TV>")
    sent = run.command('status "Tom &amp; Jerry &lt;TV&gt;" hot')  # Slack encodes &, <, >
    button = run_button(sent)
    assert button["value"] == 'status "Tom &amp; Jerry &lt;TV&gt;" warm'  # as Slack sends command text
    run.click(button["action_id"], button["value"])
    assert statuses(crm) == {"tj": "warm"}


def test_no_button_when_nothing_close_or_nothing_to_run(run, crm):
    crm.relationship("maya")
    # `assign` means the campaign commands, which are several: nothing one click could run
    for typed in ("status @maya zzzz", "shwo", "frobnicate @maya", "campaign shw", "assign spring @maya"):
        sent = run.command(typed)
        assert run_button(sent) is None, typed
    assert statuses(crm) == {"maya": "saved"}


def test_a_forged_or_replayed_run_button_does_no_more_than_typing_would(run, crm):
    crm.user(BOB)
    crm.relationship("zed", user=BOB)
    crm.relationship("maya")
    # Another user's creator: the clicker's own list is what the command works on.
    theirs = run.click(Action.RUN_MEANT, "status @zed warm")
    assert "isn't on your list" in theirs.text
    assert crm.of_mine(Relationship.status, user=BOB) == {"zed": "saved"}
    for value in ("", "   ", "x" * (BUTTON_VALUE + 1)):
        assert "That button no longer works" in run.click(Action.RUN_MEANT, value).text
    assert "There is no `/crm nonsense` command" in run.click(Action.RUN_MEANT, "nonsense here").text
    request = run.payloads.block_actions([run.payloads.button(Action.RUN_MEANT, "status @maya warm")])
    run.send(request)
    run.command("status @maya cold")
    replayed = run.send(request)  # Slack's retry of the earlier click
    assert ALREADY_DONE in replayed.text
    assert statuses(crm) == {"maya": "cold"}

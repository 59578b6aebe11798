"""`crm-bot try`: a piped script of /crm lines runs through the real app and prints readable answers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from bot.db import make_engine
from bot.sandbox.render import message_text, mrkdwn_text, view_text

SCRIPT = """\
# comments and blank lines are skipped

/crm add @maya instagram
/crm status @maya warm
click undo
click Nope
/crm status @maya warm
/crm rename @maya "Maya <b>&</b> Co"
/crm show @maya
/crm export
/crm log @maya call
home
/crm nope
/giphy cats
exit
/crm add @never instagram
"""


def _crm_bot() -> list[str]:
    script = Path(sys.executable).parent / "crm-bot"
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


def _try(
    database_url: str, cwd: Path, *args: str, script: str = "", env_extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`crm-bot try *args` with `script` piped in, against `database_url`, without Slack settings
    (and with `env_extra`)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CRM_", "DATABASE_URL"))}
    env["DATABASE_URL"] = database_url
    env.update(env_extra or {})
    return subprocess.run(
        [*_crm_bot(), "try", *args],
        input=script,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _answers(stdout: str) -> dict[str, str]:
    """{command line: its answer} from the transcript ("» line" headers)."""
    answers: dict[str, str] = {}
    for chunk in stdout.split("» ")[1:]:
        line, _, answer = chunk.partition("\n")
        answers[line] = answer.strip()
    return answers


def test_a_piped_script_prints_each_answer_as_text(fresh_database_url, tmp_path):
    # A .env still holding the example tokens does not stop `try`: it never talks to Slack.
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxb-your-bot-token\n")
    done = _try(fresh_database_url, tmp_path, script=SCRIPT)
    assert done.returncode == 0, done.stderr
    answers = _answers(done.stdout)
    assert list(answers) == [
        "/crm add @maya instagram",
        "/crm status @maya warm",
        "click undo",
        "click Nope",
        '/crm rename @maya "Maya <b>&</b> Co"',
        "/crm show @maya",
        "/crm export",
        "/crm log @maya call",
        "home",
        "/crm nope",
        "/giphy cats",
    ]  # nothing after `exit`
    assert "maya" in answers["/crm add @maya instagram"]
    # `click` presses a button of the last answer: Undo puts the status back.
    assert answers["click undo"].startswith("↩️ maya is saved again.")
    assert answers["click Nope"].startswith("No button “Nope” in the last answer. Its buttons: [Log")
    # What is typed reaches the bot encoded as Slack encodes it, so <b> is text, not markup.
    assert answers['/crm rename @maya "Maya <b>&</b> Co"'].startswith("maya is now called Maya <b>&</b> Co.")
    card = answers["/crm show @maya"]
    assert "Status: Warm" in card and "[Log interaction]" in card  # fields as "Label: value", buttons
    assert "*" not in card.splitlines()[0]  # mrkdwn rendered, not shown raw
    # An upload (files upload v2) is written to a folder of the session's, and its path printed.
    exported = next(line for line in answers["/crm export"].splitlines() if line.startswith("📎"))
    path = Path(exported.rsplit(": ", 1)[1])
    assert path.read_text(encoding="utf-8-sig").splitlines()[0].startswith("name,platform,handle")
    assert "maya" in path.read_text()
    form = answers["/crm log @maya call"]
    assert form.startswith("┌─ Form: Log interaction") and "• Type: Call" in form and "[Save]" in form
    assert answers["home"].startswith("APP HOME")
    assert "nope" in answers["/crm nope"]
    assert answers["/giphy cats"].startswith("Only /crm commands")
    assert "Traceback" not in done.stderr

    engine = make_engine(fresh_database_url)
    try:  # it ran against DATABASE_URL, in the demo workspace, as the demo user
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT u.team_id, u.slack_user_id, r.status FROM user_influencers r"
                    " JOIN users u ON u.id = r.user_id"
                )
            ).all()
    finally:
        engine.dispose()
    assert [tuple(r) for r in rows] == [("TDEMO0001", "UDEMO00001", "warm")]


def test_any_other_user_is_tried_as_a_plain_member(fresh_database_url, tmp_path):
    script = "/crm add @maya\n/crm admin\n"
    done = _try(
        fresh_database_url, tmp_path, "--team-id", "TDEMO0002", "--user-id", "UNEW00001", script=script
    )
    assert done.returncode == 0, done.stderr
    answers = _answers(done.stdout)
    assert answers["/crm add @maya"].startswith("Added maya")
    # users.info describes them as Slack would a member who is not an admin: no failed look-up.
    assert answers["/crm admin"].startswith("Only CRM admins can see the workspace summary.")
    assert "users.info failed" not in done.stderr


def test_try_refuses_a_real_workspace(fresh_database_url, tmp_path):
    done = _try(fresh_database_url, tmp_path, "--team-id", "T0REAL001")
    assert done.returncode == 1
    assert "demo workspace id starts with TDEMO" in done.stderr


def test_block_kit_rendering():
    message = {
        "text": "fallback",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "Maya Lopez"}},
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "*Bold* <https://x.example/a|profile> <@U123> &amp; more"},
                "fields": [{"type": "mrkdwn", "text": "*Status*\nWarm"}],
                "accessory": {"type": "button", "text": {"type": "plain_text", "text": "Show"}},
            },
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": "a"}, {"type": "plain_text", "text": "b"}],
            },
            {"type": "divider"},
            {
                "type": "actions",
                "elements": [
                    {"type": "button", "text": {"type": "plain_text", "text": "Edit"}},
                    {"type": "static_select", "placeholder": {"type": "plain_text", "text": "Snooze"}},
                    {"type": "overflow", "options": [{"text": {"type": "plain_text", "text": "Done"}}]},
                ],
            },
        ],
    }
    assert message_text(message).splitlines() == [
        "MAYA LOPEZ",
        "══════════",
        "Bold profile (https://x.example/a) @U123 & more",
        "  Status: Warm  [Show]",
        "  a · b",
        "─" * 48,
        "[Edit]  [Snooze ▾]  [⋯ Done]",
    ]
    assert message_text({"text": "only <#C1|general>"}) == "only #general"
    assert mrkdwn_text("@emma_ort *x* 2*3") == "@emma_ort x 2*3"
    modal = {
        "title": {"type": "plain_text", "text": "Edit"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "label": {"type": "plain_text", "text": "Name"},
                "element": {"type": "plain_text_input", "initial_value": "Maya"},
            },
            {
                "type": "input",
                "optional": True,
                "label": {"type": "plain_text", "text": "Status"},
                "element": {
                    "type": "static_select",
                    "options": [{"text": {"type": "plain_text", "text": s}} for s in ("Warm", "Cold")],
                },
            },
        ],
    }
    assert view_text(modal).splitlines() == [
        "┌─ Form: Edit ─",
        "│ • Name: Maya",
        "│ • Status (optional): one of: Warm / Cold",
        "└─ [Save]  [Cancel]",
    ]


FORMS = """\
/crm add "Maya Lopez" @maya instagram
fill Type = call
/crm log @maya call agreed on two reels
fill Subject = Rates
fill Type = meet
fill When = 2026-11-30 10:00
fill Nope = x
fill When = yesterday
submit
submit
/crm show @maya
/crm campaign new
fill Name = Spring
submit
fill Landing = https://shop.example.com/spring
submit
submit
/crm show @maya
click Edit
fill Tags = food, vegan
fill Status = warm
submit
/crm show @maya
/crm log
fill Influencer = lopez
"""


def test_forms_are_filled_in_and_submitted_as_slack_submits_them(fresh_database_url, tmp_path):
    done = _try(fresh_database_url, tmp_path, script=FORMS)
    assert done.returncode == 0, done.stderr
    chunks = [chunk.partition("\n") for chunk in done.stdout.split("» ")[1:]]
    lines, answers = [line for line, _, _ in chunks], [answer.strip() for _, _, answer in chunks]
    said = dict(zip(lines, answers, strict=True))  # a line typed twice: its last answer
    assert said["fill Type = call"].startswith("No form is open.")
    form = said["/crm log @maya call agreed on two reels"]
    assert "• Details (optional): agreed on two reels" in form  # the words after the type
    assert said["fill Subject = Rates"] == "Subject: Rates"
    assert said["fill Type = meet"] == "Type: Meeting"  # a menu's choice by the start of its label
    assert said["fill When = 2026-11-30 10:00"] == "When: 2026-11-30 10:00"
    assert said["fill Nope = x"].startswith("This form has no field “Nope”. Its fields: Influencer, Type,")
    assert said["fill When = yesterday"] == "“yesterday” is not a date and time here; write YYYY-MM-DD HH:MM."
    # The first submit logs it and closes the form; there is no form left to submit again.
    submits = [answer for line, answer in zip(lines, answers, strict=True) if line == "submit"]
    assert submits[0].startswith("(Submitted; the form closed.)\n\n📝 Logged Meeting with Maya Lopez")
    assert submits[1] == "No form is open to submit."
    card = answers[lines.index("/crm show @maya")]
    assert "Meeting · Rates" in card and "Mon 30 Nov 2026" in card
    # Errors come back next to their field's label; the corrected form goes through.
    assert submits[2] == "! Landing page: A landing URL is required, e.g. https://example.com/spring."
    assert submits[3].startswith("┌─ Form: Campaign created")
    assert submits[4] == "This form has nothing to submit; it only closes."
    # A search menu is filled as Slack fills it while one types: the app's options.
    assert said["fill Tags = food, vegan"] == "Tags: #food, #vegan"
    assert "Status: Warm" in answers[-3] and "Tags: `#food` `#vegan`" in answers[-3]
    assert said["fill Influencer = lopez"] == "Influencer: Maya Lopez (@maya · Instagram)"
    assert "Traceback" not in done.stderr


MENUS = """\
/crm add "Maya Lopez" @maya
/crm campaign new Winter Glow https://shop.example.com/winter
/crm utm winter @maya
/crm campaign show winter
click Mark completed
click Nope
"""


def test_a_menus_options_are_clicked_like_buttons(fresh_database_url, tmp_path):
    done = _try(fresh_database_url, tmp_path, script=MENUS)
    assert done.returncode == 0, done.stderr
    said = _answers(done.stdout)
    card = said["/crm campaign show winter"]
    assert "[⋯ Mark active | Mark completed | Mark cancelled | Tracking link]" in card
    moved = said["click Mark completed"]
    assert "Maya Lopez (@maya · Instagram) · completed" in moved and "1 assignment: 1 completed" in moved
    assert "[Mark active]" in said["click Nope"] and "[Tracking link]" in said["click Nope"]


MODAL_BUTTONS = """\
/crm add "Maya Lopez" @maya
/crm campaign new Winter Glow https://shop.example.com/winter
/crm campaign add winter @maya
submit
click QR code
"""


def test_a_buttons_inside_a_form_is_clicked_like_a_messages(fresh_database_url, tmp_path):
    env = {"CRM_PUBLIC_URL": "https://crm.example.com"}  # short links on: the QR code button shows
    done = _try(fresh_database_url, tmp_path, script=MODAL_BUTTONS, env_extra=env)
    assert done.returncode == 0, done.stderr
    said = _answers(done.stdout)
    assert said["submit"].startswith("┌─ Form: Tracking link") and "[QR code]" in said["submit"]
    qr = said["click QR code"]
    assert "is in your DM with the bot." in qr and "📎 QR code: Maya Lopez · Winter Glow" in qr


SHORTCUT = """\
/crm add "Maya Lopez" @maya
shortcut Maya replied: a reel & a story in March <3 https://www.instagram.com/maya/
submit
shortcut
"""


def test_the_log_to_crm_shortcut_runs_on_a_message_of_the_text_given(fresh_database_url, tmp_path):
    done = _try(fresh_database_url, tmp_path, script=SHORTCUT)
    assert done.returncode == 0, done.stderr
    chunks = [chunk.partition("\n") for chunk in done.stdout.split("» ")[1:]]
    said = [(line, answer.strip()) for line, _, answer in chunks]
    (_, form), (_, submitted), (_, empty) = said[1:]
    assert "• Influencer: Maya Lopez (@maya · Instagram)" in form  # the creator the message links
    said_text = "Maya replied: a reel & a story in March <3 https://www.instagram.com/maya/"
    assert f"• Details (optional): {said_text}" in form  # decoded back as typed
    assert "📝 Logged Note with Maya Lopez (@maya · Instagram)" in submitted
    assert empty.startswith("Give the message's text")

"""Socket Mode: Ctrl-C while a command is being worked on still answers its user.

A module of its own: stopping the process ends this module's `socket_bot` (tests/socket_mode/conftest.py
starts one per module).
"""

from __future__ import annotations

import signal
import subprocess

from tests.socket_mode.slack_socket import slash_command


def test_ctrl_c_while_a_command_is_worked_on_still_answers_its_user(socket_bot):
    """SIGINT during a command's work after its ack: the process finishes that work, then sends the
    reply it queued, before it exits (bot/server.py drains the work queue, then the replies)."""
    # /crm admin asks Slack whether the user is a workspace admin before its transaction; that call is
    # left unanswered past its 1 s timeout, so the work is still running when Ctrl-C arrives.
    socket_bot.fake.answer_late("users.info", after=10.0)
    envelope = slash_command(socket_bot.payloads.command("admin", user_id="USOCKSTOP1"))
    socket_bot.deliver(envelope)
    socket_bot.wait_for("users.info", user="USOCKSTOP1")
    socket_bot.process.send_signal(signal.SIGINT)

    # 130: the shell's exit code for Ctrl-C (bot/cli.py)
    try:
        code = socket_bot.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"no exit 30 s after Ctrl-C:\n{socket_bot.abort_with_stacks()}") from None
    assert code == 130, socket_bot.output()
    reply = socket_bot.reply_to(envelope["payload"]["response_url"], timeout=1)
    assert "Slack did not confirm that you are a workspace admin" in reply.text

"""Every Slack id the app uses, in one place: slash command, callback ids, block ids, action ids.

Kebab-case and namespaced by what they belong to. manifest.yml repeats COMMAND and the shortcut
callback ids; tests/test_manifest.py checks that the two agree.
"""

from __future__ import annotations

from enum import StrEnum

COMMAND = "/crm"


class Shortcut(StrEnum):
    LOG_TO_CRM = "log-to-crm"


class Event(StrEnum):
    APP_HOME_OPENED = "app_home_opened"


class FollowUpAction(StrEnum):
    """Buttons on the follow-up reminder DM (scheduler) and on cards."""

    DONE = "followup-done"
    SNOOZE = "followup-snooze"  # a static_select / overflow whose values are "1", "3", "7" (days)
    LOG = "followup-log-interaction"

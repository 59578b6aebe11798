"""Which workspaces are demo ones: a reserved team id prefix, so no column or migration is needed.

`crm-bot demo-data` and `crm-bot try` only ever write to a workspace whose id starts with TDEMO, and
the scheduled jobs never post anything for one (bot/jobs/reminders.py, bot/jobs/weekly.py): its
users are not real Slack users, and CRM_ADMIN_CHANNEL belongs to the real workspace. Slack's own
team ids are "T" and about ten random capitals and digits; one starting with TDEMO is possible in
theory only.
"""

from __future__ import annotations

DEMO_TEAM_PREFIX = "TDEMO"
DEMO_TEAM_ID = "TDEMO0001"


def is_demo_team(team_id: str) -> bool:
    """True for a demo workspace (never posted to Slack)."""
    return team_id.upper().startswith(DEMO_TEAM_PREFIX)


def check_demo_team_id(team_id: str) -> str | None:
    """None when `team_id` can name a demo workspace, else why not (one line for the CLI)."""
    if not is_demo_team(team_id) or not team_id.isalnum() or not team_id.isupper() or len(team_id) > 32:
        return (
            f"--team-id {team_id!r}: a demo workspace id starts with {DEMO_TEAM_PREFIX} and is capital "
            f"letters and digits (for example {DEMO_TEAM_ID}); demo data never goes into a real workspace"
        )
    return None

"""Turn on / Turn off under "Weekly digest" on App Home: the personal weekly digest opt-in.

The button's value says which state it asks for ("on" / "off"), so a double click, or a click on a
stale Home tab, sets that state again rather than flipping it back. It changes only the clicking
user's own row; App Home is re-published to show the new state.
"""

from __future__ import annotations

from slack_bolt import App, BoltContext

from crm.errors import InvalidInput
from crm.personal_digest import set_weekly_digest
from handlers.ids import Action
from handlers.runtime.after_ack import action_of, after_ack
from handlers.runtime.scope import scope

STATES = {"on": True, "off": False}


def digest_toggled(body: dict, context: BoltContext) -> None:
    action = action_of(body)
    value = action.get("value")
    if value not in STATES:
        raise InvalidInput("weekly_digest", "That button is out of date — reopen the Home tab and try again.")
    with scope(context) as s:
        set_weekly_digest(s.db, actor=s.actor, on=STATES[value])
        s.refresh_home()


def register(app: App) -> None:
    app.action(Action.HOME_WEEKLY_DIGEST)(after_ack(digest_toggled))

"""The "QR code" button under a tracking link: a PNG of the assignment's short link, in the user's DM.

The button's value is an assignment id that came back from Slack: crm.links.actors_link finds it only
among the clicking user's own assignments (WHERE user_id = actor), so a forged or a teammate's id
finds nothing. The PNG is made after the transaction (no database needed) and sent with the files
upload helper in the background, like exports.
"""

from __future__ import annotations

from slack_bolt import App, BoltContext

from crm.errors import InvalidInput
from crm.links import actors_link, short_link
from crm.qr import qr_png
from crm.text import slug
from handlers.blocks.message import Message
from handlers.blocks.text import mrkdwn
from handlers.forms import parse_id
from handlers.ids import Action
from handlers.runtime.after_ack import action_of, after_ack
from handlers.runtime.runtime import runtime_of
from handlers.runtime.scope import scope
from handlers.runtime.slack_calls import upload_file

SHORT_LINKS_OFF = (
    "Short links are turned off in this workspace (CRM_PUBLIC_URL is not set), so there is no QR code "
    "to make. Share the full tracking link instead."
)


def qr_clicked(body: dict, context: BoltContext) -> None:
    action = action_of(body)
    assignment_id = parse_id(action.get("value"), field="assignment", what="tracking link")
    public_url = runtime_of(context).settings.public_url
    if not public_url:
        raise InvalidInput("assignment", SHORT_LINKS_OFF)
    with scope(context) as s:
        found = actors_link(s.db, actor=s.actor, assignment_id=assignment_id)
        if found.assignment.status == "cancelled":
            raise InvalidInput(
                "assignment",
                f"{found.influencer.name} is cancelled in “{found.campaign.name}”, so the short link leads "
                "nowhere. Set the assignment active again first (`/crm campaign status`).",
            )
        url = short_link(public_url, found.assignment.short_code)
        who, campaign = found.influencer.name, found.campaign.name
        handle = found.influencer.handle
    upload_file(
        context,
        filename=f"qr-{slug(campaign, default='link')}-{slug(handle, default='link')}.png",
        content=qr_png(url),
        title=f"QR code: {who} · {campaign}"[:250],
        initial_comment=f"QR code of {url} — *{mrkdwn(who, 200)}* in *{mrkdwn(campaign, 200)}*.",
        confirmation=Message(text=f"The QR code of {url} is in your DM with the bot."),
    )


def register(app: App) -> None:
    app.action(Action.LINK_QR)(after_ack(qr_clicked))

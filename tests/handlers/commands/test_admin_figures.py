"""`/crm admin` end to end: per-user figures are never stale, say when they were read, in good English."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import text

from crm.models import Interaction

ADMIN = "UADMIN0001"  # in CRM_ADMIN_USER_IDS for the test app


def test_a_new_users_figures_show_at_once_without_a_refresh_job(run, crm):
    crm.user(ADMIN, display_name="Admin", timezone="Asia/Kathmandu")  # UTC+05:45: no other zone has it
    with crm.session() as db:  # the view as the 15-minute job last left it: before the newcomer came
        db.execute(text("REFRESH MATERIALIZED VIEW admin_analytics"))
    rel = crm.relationship("maya", user="UNEW000001", status="partnered")
    with crm.session() as db:
        db.add(
            Interaction(
                user_id=rel.user_id,
                influencer_id=rel.influencer_id,
                type="call",
                interaction_date=datetime.now(UTC),
            )
        )
    sent = run.command("admin", user_id=ADMIN)
    body = sent.text
    assert "UNEW000001: 1 influencer (1 partnered), 1 interaction, 0 campaigns" in body
    fallback = sent.reply.params["text"]
    assert "1 active user," in fallback and fallback.endswith("1 interaction")
    assert "active users" not in fallback and "1 interactions" not in body
    # When the figures were read, in the admin's own zone.
    assert re.search(r"as of \d\d:\d\d \+0545", fallback), fallback
    assert re.search(r"Every figure is live, as of \d\d:\d\d \+0545", body)

"""Exactly-once delivery of follow-up reminders and weekly summaries, decided in PostgreSQL.

Every message the scheduler posts is first recorded as a row in `deliveries` under a unique
(kind, dedupe_key): "<relationship id>@<due instant>" for a follow-up, "<team>@<ISO year-week>" for a
weekly summary. Enqueueing is `INSERT … ON CONFLICT DO NOTHING`, so running it on any number of
replicas, any number of times, records each due thing once. Replicas then *claim* pending rows with a
lease (claimed_by, claimed_until), post, and mark the rows sent only while the lease is still theirs.
A replica that dies leaves leased rows that any replica takes over once `claimed_until` has passed;
a row marked sent is never claimed again. Slack has no idempotency key, so a post whose outcome is
unknown (it timed out, or the process died before `mark_sent` committed) is settled another way:
`mark_attempted` is committed before the post, whose message carries the row's `message_key` in its
metadata, and the next claim finds such rows with `unconfirmed_posts`; the caller looks for the
message in the channel's history and records it (`mark_sent`) or clears the marker (`mark_not_posted`).

Follow-up reminders are claimed per *user*, see `claim_due_users`: only newly due items (pending
rows) trigger a DM and are recorded as delivered by it; the DM also lists the user's older open
follow-ups, reminded before, without writing anything for them (`load_digests`).

Nothing here imports Slack and nothing commits: the caller (bot.jobs) commits each step in its own
short transaction. The code is in the submodules (deliveries, follow_ups, summaries, going_cold,
personal_digests); import from them.
"""

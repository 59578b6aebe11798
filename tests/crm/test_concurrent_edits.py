"""Two people's edits of one relationship at the same moment: both survive (the row lock in crm.scoped).

Tags and appended notes are read-modify-write: each edit reads the current list/text and writes it back
with its change. Without `FOR UPDATE` the second edit reads the value from before the first one
committed and overwrites it. The interleaving is forced, not hoped for: the first transaction has
made its change and holds it uncommitted while the second one starts; the test waits until
PostgreSQL shows the second one waiting on a lock, then commits the first.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from crm.models import Relationship, User
from crm.relationships import set_notes, update_tags
from tests.factories import make_influencer, make_relationship, make_user

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)

Edit = Callable[[Session, User, object], object]


def _wait_until_blocked(engine: Engine, pid: int, thread: threading.Thread) -> bool:
    """True once backend `pid` waits on a lock (the second edit really blocks on the first)."""
    with engine.connect() as watcher:
        for _ in range(400):
            waiting = watcher.scalar(
                text("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = :pid"),
                {"pid": pid},
            )
            if waiting or not thread.is_alive():
                return bool(waiting)
            time.sleep(0.025)
    return False


def _race(engine: Engine, first: Edit, second: Edit) -> Relationship:
    """Run `first` and, while its transaction is still open, `second`; commit both; the row after."""
    with Session(engine, expire_on_commit=False) as setup:
        owner = make_user(setup)
        rel = make_relationship(setup, user=owner, influencer=make_influencer(setup), tags=["base"])
        setup.commit()
    with Session(engine) as a, Session(engine) as b:
        actor_a, actor_b = a.get(User, owner.id), b.get(User, owner.id)
        first(a, actor_a, rel.influencer_id)  # flushed: the row is changed (and locked), not committed
        pid_b = b.scalar(text("SELECT pg_backend_pid()"))
        errors: list[BaseException] = []

        def run_second() -> None:
            try:
                second(b, actor_b, rel.influencer_id)
                b.commit()
            except BaseException as exc:
                errors.append(exc)

        thread = threading.Thread(target=run_second)
        thread.start()
        try:
            assert _wait_until_blocked(engine, pid_b, thread), "the second edit never waited for the first"
        finally:
            a.commit()
            thread.join(20)
        assert not thread.is_alive() and not errors, errors
    with Session(engine) as check:
        return check.get(Relationship, rel.id)


def test_two_concurrent_tag_edits_keep_both_tags(clean_tables):
    after = _race(
        clean_tables,
        lambda db, actor, inf: update_tags(db, actor=actor, influencer_id=inf, add=["skincare"]),
        lambda db, actor, inf: update_tags(db, actor=actor, influencer_id=inf, add=["beauty"]),
    )
    assert sorted(after.tags) == ["base", "beauty", "skincare"]


def test_a_tag_removed_while_another_is_added_stays_removed(clean_tables):
    after = _race(
        clean_tables,
        lambda db, actor, inf: update_tags(db, actor=actor, influencer_id=inf, remove=["base"]),
        lambda db, actor, inf: update_tags(db, actor=actor, influencer_id=inf, add=["beauty"]),
    )
    assert after.tags == ["beauty"]


def test_two_concurrent_appended_notes_keep_both_notes(clean_tables):
    def append(note: str) -> Edit:
        return lambda db, actor, inf: set_notes(
            db, actor=actor, influencer_id=inf, text=note, append=True, now=NOW
        )

    after = _race(clean_tables, append("Loved the brief"), append("Sent the contract"))
    assert after.notes == "2026-11-26: Loved the brief\n\n2026-11-26: Sent the contract"

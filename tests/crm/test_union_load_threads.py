"""Built unions are shared by every listener thread: the first use must be safe when it is concurrent."""

from __future__ import annotations

import threading

from sqlalchemy.orm import Session

from bot.db import make_engine
from crm import dashboard
from crm.union_load import built_once
from tests.factories import make_influencer, make_relationship, make_user

THREADS = 16


def test_built_once_builds_one_query_for_many_concurrent_callers():
    calls = []
    barrier = threading.Barrier(THREADS)

    def builder():
        calls.append(1)
        return dashboard._card_query.__wrapped__()

    get = built_once(builder)
    got = []

    def work():
        barrier.wait()
        got.append(get())

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert len({id(q) for q in got}) == 1


def test_first_concurrent_runs_of_a_fresh_union_all_return_the_card(clean_tables):
    """Before built_once, a shared statement's first concurrent compiles raced (seen 4 runs in 10)."""
    engine = clean_tables
    with Session(engine) as db, db.begin():
        me = make_user(db)
        influencers = [make_influencer(db) for _ in range(4)]
        for influencer in influencers:
            make_relationship(db, user=me, influencer=influencer)
        me_id, ids = me.id, [i.id for i in influencers]

    for _attempt in range(3):
        # A never-compiled statement and an engine whose compiled cache is empty, as in a new process.
        get = built_once(dashboard._card_query.__wrapped__)
        fresh = make_engine(engine.url.render_as_string(hide_password=False), pool_size=THREADS)
        barrier = threading.Barrier(THREADS)
        errors: list[BaseException] = []
        found: list[int] = []

        def work(i, get=get, barrier=barrier, errors=errors, found=found, fresh=fresh):
            barrier.wait()
            try:
                with Session(fresh) as db:
                    rows = get().run(db, {"actor": me_id, "influencer": ids[i % 4], "recent": 5})
                    found.append(len(rows["relationship"]))
            except BaseException as exc:  # collected: a thread's exception would otherwise vanish
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        fresh.dispose()
        assert errors == []
        assert found == [1] * THREADS

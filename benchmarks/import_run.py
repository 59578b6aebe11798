"""Import benchmark: a 10,000-row messy CSV through crm.imports, preview and import, twice.

Builds the file in code: a UTF-8 byte-order mark followed by cp1252 bytes (names such as "Zoë
Müller"), `;` as the delimiter, the same creator written as `instagram.com/x`,
`https://www.instagram.com/X/?igsh=…` or `@x`, about 10% rows naming a creator an earlier row named,
notes with quoted newlines, tags separated by `,` or `|`, and about 2% invalid rows (unknown status,
priority out of range, unreadable follow-up, a name alone).

On workspace TBIMPORT (deleted and re-created) it times, per round:
- the preview: read_table + map_columns + plan_import (what the Slack path and the CLI show first);
- the import: apply_import + commit, in the same session, as the CLI does.
Round 2 re-runs both on the same file and checks that nothing changes (the import reports 0 changes,
and the row counts of the workspace are the same). Peak RSS is resource.getrusage's ru_maxrss.

--profile re-runs round 1's preview and import on a clean workspace under cProfile and prints the top
15 functions by cumulative time for each (those timings are inflated by the profiler).

Uses BENCH_DATABASE_URL (only workspace TBIMPORT is deleted there) or a fresh embedded server.
Run: python benchmarks/import_run.py [--rows 10000] [--rounds 2] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import os
import platform
import pstats
import random
import resource
import time

from bench_db import benchmark_database
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from bot.db import make_engine
from bot.migrate import upgrade
from crm.imports.apply import apply_import
from crm.imports.columns import map_columns
from crm.imports.plan import plan_import
from crm.imports.table import read_table
from crm.models import Influencer, InfluencerProfile, Relationship
from crm.users import get_or_create_user

TEAM = "TBIMPORT"
USER = "UIMPORT001"
PREVIEW_TARGET = 3.0
IMPORT_TARGET = 15.0

HEADER = [
    "Full Name",
    "Username",
    "Network",
    "Profile URL",
    "Status",
    "Tags",
    "Priority",
    "Notes",
    "Next follow-up",
]
FIRST = ["Zoë", "José", "François", "Björn", "Søren", "Chloé", "Müge", "Ørjan", "Renée", "Zoltán"]
LAST = ["Müller", "Peña", "Œuvray", "Åström", "Ibáñez", "Straße", "Šimek", "Grünewald", "Lòpez", "Gärtner"]
STATUSES = ["saved", "contacted", "warm", "cold", "partnered", ""]
TAGS = ["vegan, berlin", "food|vegan", "skincare; beauty", "travel", "", "fitness|outdoor, running"]
INVALID = [
    ("status", lambda cells: cells.__setitem__(4, "hot")),
    ("priority", lambda cells: cells.__setitem__(6, "9")),
    ("follow-up", lambda cells: cells.__setitem__(8, "someday")),
    ("name alone", lambda cells: cells.__setitem__(slice(1, 9), [""] * 8)),
]


def _forms(i: int, rnd: random.Random) -> list[tuple[str, str, str]]:
    """(Username, Network, Profile URL) cells: three ways of writing creator i's Instagram."""
    handle = f"creator{i}"
    return [
        ("", "", f"instagram.com/{handle}"),
        ("", "", f"https://www.instagram.com/{handle.capitalize()}/?igsh={rnd.getrandbits(40):x}"),
        (f"@{handle}", "Instagram", ""),
    ]


def build_csv(rows: int, seed: int = 7) -> tuple[bytes, dict[str, int]]:
    """The messy file's bytes, and what went into it."""
    rnd = random.Random(seed)
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    creators: list[int] = []
    stats = {"rows": rows, "duplicates": 0, "invalid": 0, "quoted newlines": 0, "creators": 0}
    for n in range(rows):
        if creators and n % 10 == 5:  # ~10%: an earlier creator again, probably written another way
            i = rnd.choice(creators)
            stats["duplicates"] += 1
        else:
            i = len(creators) + 1
            creators.append(i)
        username, network, url = rnd.choice(_forms(i, rnd))
        notes = ""
        if n % 7 == 0:
            notes = f"Met at the expo; wants a brief,\n“rates” next quarter (row {n})"
            stats["quoted newlines"] += 1
        cells = [
            f"{FIRST[i % 10]} {LAST[(i // 10) % 10]} {i}",
            username,
            network,
            url,
            STATUSES[i % 6],
            TAGS[n % 6],
            str(i % 6) if n % 3 else "",
            notes,
            f"2027-{1 + i % 12:02d}-{1 + i % 28:02d}" if n % 4 == 0 else "",
        ]
        if n % 50 == 17:  # ~2% invalid, on creators named by no other row
            cells[0] = f"Invalid {n}"
            cells[1:4] = ["", "", f"instagram.com/invalid{n}"]
            INVALID[(n // 50) % len(INVALID)][1](cells)
            stats["invalid"] += 1
            if creators[-1] == i:
                creators.pop()
        writer.writerow(cells)
    stats["creators"] = len(creators)
    return b"\xef\xbb\xbf" + out.getvalue().encode("cp1252"), stats


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def counts(db: Session) -> tuple[int, int, int]:
    team = Influencer.team_id == TEAM
    return (
        db.scalar(select(func.count()).select_from(Influencer).where(team)),
        db.scalar(select(func.count()).select_from(InfluencerProfile).join(Influencer).where(team)),
        db.scalar(select(func.count()).select_from(Relationship).join(Influencer).where(team)),
    )


def reset(engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM users WHERE team_id = :team"), {"team": TEAM})
        conn.execute(text("DELETE FROM influencers WHERE team_id = :team"), {"team": TEAM})


def preview(db: Session, actor, data: bytes):
    table = read_table(data, filename="roster.csv")
    return table, plan_import(db, actor=actor, table=table, mapping=map_columns(table.headers))


def run_round(engine, data: bytes, label: str) -> dict:
    with Session(engine, expire_on_commit=False) as db:
        actor = get_or_create_user(db, team_id=TEAM, slack_user_id=USER, timezone="Europe/Berlin")
        db.commit()
        started = time.perf_counter()
        table, plan = preview(db, actor, data)
        preview_s = time.perf_counter() - started
        rss_preview = peak_mb()
        kinds = {k: plan.count(k) for k in ("new", "add", "update", "unchanged")}
        started = time.perf_counter()
        result = apply_import(db, actor=actor, plan=plan)
        db.commit()
        import_s = time.perf_counter() - started
        after = counts(db)
    print(
        f"{label}: preview {preview_s:.2f} s (target ≤ {PREVIEW_TARGET:.0f} s), import {import_s:.2f} s"
        f" (target ≤ {IMPORT_TARGET:.0f} s); peak RSS {rss_preview:.0f} MB after the preview,"
        f" {peak_mb():.0f} MB after the import"
    )
    print(
        f"  read {len(table.rows):,} rows ({table.encoding}, {table.delimiter!r});"
        f" plan: {len(plan.creators):,} creators {kinds}, {len(plan.duplicates):,} named more than"
        f" once ({sum(len(d) - 1 for d in plan.duplicates):,} extra rows), {len(plan.invalid):,} invalid"
    )
    print(
        f"  import: created {result.created:,}, added {result.added:,}, updated {result.updated:,},"
        f" unchanged {result.unchanged:,}, profiles linked {result.profiles_linked:,},"
        f" changes {result.changes:,}; workspace now (influencers, profiles, relationships) = {after}"
    )
    return {"preview": preview_s, "import": import_s, "changes": result.changes, "counts": after}


def profile(engine, data: bytes) -> None:
    reset(engine)
    with Session(engine, expire_on_commit=False) as db:
        actor = get_or_create_user(db, team_id=TEAM, slack_user_id=USER, timezone="Europe/Berlin")
        db.commit()
        _, plan = _profiled("preview", lambda: preview(db, actor, data))
        _profiled("import", lambda: (apply_import(db, actor=actor, plan=plan), db.commit()))


def _profiled(label: str, call):
    profiler = cProfile.Profile()
    started = time.perf_counter()
    value = profiler.runcall(call)
    print(f"\n--- cProfile, {label} ({time.perf_counter() - started:.2f} s under the profiler) ---")
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(15)
    print(stream.getvalue().split("\n\n", 1)[-1].rstrip())
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    data, stats = build_csv(args.rows)
    print(f"built the file in {time.perf_counter() - started:.2f} s: {len(data) / 1e6:.2f} MB, {stats}")
    print(f"peak RSS before the database: {peak_mb():.0f} MB")
    url, server = benchmark_database()
    upgrade(url)
    engine = make_engine(url)
    reset(engine)
    rounds = [run_round(engine, data, f"round {n}") for n in range(1, args.rounds + 1)]
    if len(rounds) > 1:
        same = all(r["changes"] == 0 and r["counts"] == rounds[0]["counts"] for r in rounds[1:])
        print(f"second import changes nothing: {'yes' if same else 'NO'}")
    slowest_preview = max(r["preview"] for r in rounds)
    slowest_import = max(r["import"] for r in rounds)
    print(
        f"targets (slowest round): preview {slowest_preview:.2f} s ≤ {PREVIEW_TARGET:.0f} s"
        f" {'met' if slowest_preview <= PREVIEW_TARGET else 'MISSED'};"
        f" import {slowest_import:.2f} s ≤ {IMPORT_TARGET:.0f} s"
        f" {'met' if slowest_import <= IMPORT_TARGET else 'MISSED'}"
    )
    print(f"peak RSS {peak_mb():.0f} MB; {platform.python_version()}, {os.cpu_count()} CPUs")
    if args.profile:
        profile(engine, data)
    engine.dispose()
    del server


if __name__ == "__main__":
    main()

"""`crm-bot export --team T [--user U] [--out FILE]`: a workspace's relationships as CSV, for admins.

The same columns as `/crm export` plus `user` (whose relationship each row is), so the file can be
read back with `crm-bot import`. Written to FILE through a temporary file renamed at the end (an
interrupted export never leaves half a file under the name), or to standard output.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from bot.config import Settings
from bot.db import make_engine, transaction
from bot.migrate import ensure_schema
from crm.errors import NotFound
from crm.exports import write_team


def main(settings: Settings, database_url: str, args: argparse.Namespace) -> int:
    ensure_schema(database_url)  # as `crm-bot run` does: on a fresh database, an empty export, not an error
    engine = make_engine(database_url, pool_size=1, max_overflow=0)
    try:
        with transaction(engine) as db:
            if args.out in (None, "-"):
                count = write_team(db, sys.stdout.buffer, team_id=args.team, user_id=args.user)
                sys.stdout.buffer.flush()
                where = "standard output"
            else:
                target = Path(args.out)
                partial = target.with_name(f".{target.name}.partial")
                try:
                    with partial.open("wb") as out:
                        count = write_team(db, out, team_id=args.team, user_id=args.user)
                    os.replace(partial, target)
                finally:
                    partial.unlink(missing_ok=True)
                where = str(target)
    except NotFound as exc:
        print(f"crm-bot: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    whose = f"user {args.user}" if args.user else "every user"
    noun = "relationship" if count == 1 else "relationships"
    print(f"exported {count:,} {noun} of {whose} in {args.team} to {where}", file=sys.stderr)
    return 0

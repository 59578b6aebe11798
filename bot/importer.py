"""`crm-bot import PATH --team T --user U [--dry-run]`: the import engine (crm.imports) from a shell.

Reads the file (refusing one over the size limit before reading it), prints the preview, then
applies it in one transaction committed once at the end, with a progress bar on stderr.
"""

from __future__ import annotations

import argparse
import os
import sys

from tqdm import tqdm

from bot.db import make_engine, transaction
from bot.migrate import ensure_schema
from crm.errors import DomainError, InvalidInput
from crm.imports.apply import apply_import
from crm.imports.columns import map_columns
from crm.imports.limits import MAX_FILE_BYTES, megabytes
from crm.imports.plan import plan_import
from crm.imports.summary import plan_lines, result_lines
from crm.imports.table import read_table
from crm.users import get_or_create_user


def _read(path: str) -> bytes:
    try:
        if os.path.getsize(path) > MAX_FILE_BYTES:
            raise InvalidInput("file", f"The file is larger than {megabytes(MAX_FILE_BYTES)}; split it.")
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise InvalidInput("file", f"Cannot read {path}: {exc.strerror or exc}.") from None


class _RollBack(Exception):
    """Leave the transaction without committing (a dry run, or nothing to import)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def main(database_url: str, args: argparse.Namespace) -> int:
    """Preview, then (unless --dry-run) import; 1 when nothing could be imported or on bad input.

    The schema is brought up to date first, as `crm-bot run` and `demo-data` do, so that importing
    a roster is a first step that works on a fresh database."""
    ensure_schema(database_url)
    engine = make_engine(database_url, pool_size=1, max_overflow=0)
    try:
        table = read_table(_read(args.path), filename=args.path)
        with transaction(engine) as db:
            actor = get_or_create_user(db, team_id=args.team, slack_user_id=args.user)
            plan = plan_import(db, actor=actor, table=table, mapping=map_columns(table.headers))
            print("\n".join(plan_lines(plan)))
            if not plan.creators:
                print("crm-bot import: nothing could be imported.", file=sys.stderr)
                raise _RollBack(1)
            if args.dry_run:
                print("Dry run: nothing was changed.")
                raise _RollBack(0)
            with tqdm(total=len(plan.creators), desc="import", unit="creator", file=sys.stderr) as bar:

                def progress(done: int, total: int) -> None:
                    bar.update(done - bar.n)

                result = apply_import(db, actor=actor, plan=plan, progress=progress)
        print("\n".join(result_lines(result)))
        return 0
    except _RollBack as stop:
        return stop.code
    except DomainError as exc:
        print(f"crm-bot import: {exc.message}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()

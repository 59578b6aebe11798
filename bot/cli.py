"""`crm-bot`: the command line. Each subcommand loads only what it needs."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from bot.config import ConfigError, Settings


def _database_url(settings: Settings) -> str:
    from bot.db import resolve_url

    return resolve_url(settings.database_url, settings.data_dir)


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    from bot.migrate import current_revision, migrate_to
    from migrations.data_loss import DataLossRefused

    url = _database_url(settings)
    try:
        migrate_to(url, args.to or args.revision, allow_data_loss=args.allow_data_loss)
    except DataLossRefused as exc:
        print(f"crm-bot: refused: {exc}", file=sys.stderr)
        return 1
    print(f"database schema is at revision {current_revision(url)}")
    return 0


def cmd_db_url(settings: Settings, args: argparse.Namespace) -> int:
    from bot.db import mask_url

    print(mask_url(_database_url(settings)))
    return 0


def cmd_demo_data(settings: Settings, args: argparse.Namespace) -> int:
    from bot.demo import main as demo_main

    return demo_main(settings, _database_url(settings), args)


def cmd_try(settings: Settings, args: argparse.Namespace) -> int:
    from bot.sandbox.session import main as try_main

    return try_main(settings, _database_url(settings), args)


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    from bot.export import main as export_main

    return export_main(settings, _database_url(settings), args)


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    from bot.server import run

    settings.require_slack()  # before the database: a missing token should not start PostgreSQL first

    return run(settings, _database_url(settings), with_scheduler=not args.no_scheduler)


def cmd_scheduler(settings: Settings, args: argparse.Namespace) -> int:
    from bot.scheduler import run_forever

    return run_forever(settings, _database_url(settings))


def cmd_jobs_run(settings: Settings, args: argparse.Namespace) -> int:
    from bot.jobs import run_once

    return run_once(settings, _database_url(settings), args.job)


def cmd_jobs_list(settings: Settings, args: argparse.Namespace) -> int:
    from bot.jobs import JOBS

    width = max(len(name) for name in JOBS)
    for job in JOBS.values():
        when = "; ".join(trigger.describe() for trigger in job.triggers)
        print(f"{job.name:<{width}}  {when} (CRM_TIMEZONE): {job.description}")
    return 0


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    from bot.importer import main as import_main

    return import_main(_database_url(settings), args)


def _configure_logging(level: str) -> None:
    """One stderr handler with token redaction (bot.logging); pgserver's pg_ctl narration only at DEBUG."""
    from bot.logging import configure_logging

    configure_logging(level)
    if level != "DEBUG":
        logging.getLogger("pgserver").setLevel(logging.WARNING)


def version() -> str:
    """The installed package's version (the source tree's when it is not installed)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed_version

    try:
        return installed_version("influencer-crm")
    except PackageNotFoundError:
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    from bot.demo_workspace import DEMO_TEAM_ID

    parser = argparse.ArgumentParser(prog="crm-bot", description="Influencer CRM for Slack")
    parser.add_argument("--version", action="version", version=f"crm-bot {version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    # uses_slack=False: the subcommand never talks to Slack, so the Slack settings are not checked.
    p = sub.add_parser(
        "migrate",
        help="migrate the database schema (to head by default)",
        description="Upgrade (or downgrade) the schema. A downgrade that would drop data refuses, "
        "saying what it would drop, unless --allow-data-loss is given.",
    )
    p.add_argument("revision", nargs="?", default="head", help="target revision (default: head)")
    p.add_argument("--to", metavar="REVISION", help="target revision, up or down (same as REVISION)")
    p.add_argument(
        "--allow-data-loss", action="store_true", help="let a downgrade drop tables or columns that hold data"
    )
    p.set_defaults(func=cmd_migrate, uses_slack=False)

    p = sub.add_parser("db-url", help="print the database URL in use (password masked)")
    p.set_defaults(func=cmd_db_url, uses_slack=False)

    p = sub.add_parser("demo-data", help="fill the database with a realistic sample workspace (idempotent)")
    p.add_argument(
        "--team-id",
        default=DEMO_TEAM_ID,
        help=f"demo workspace id to create the sample in (starts with TDEMO; default {DEMO_TEAM_ID})",
    )
    p.add_argument("--seed", type=int, default=7, help="random seed (the same seed gives the same data)")
    p.set_defaults(func=cmd_demo_data, uses_slack=False)

    p = sub.add_parser(
        "try",
        help="try /crm in the terminal, without Slack (reads lines from a pipe too)",
        description="Run /crm commands as a demo user of the demo workspace and print the answers "
        "as text. Type `/crm help` to start, `exit` to leave; or pipe a script of /crm lines in.",
    )
    p.add_argument(
        "--team-id",
        default=DEMO_TEAM_ID,
        help=f"demo workspace to use (starts with TDEMO; default {DEMO_TEAM_ID})",
    )
    p.add_argument(
        "--user-id",
        default="UDEMO00001",
        help="demo user to act as (default UDEMO00001, Priya Shah, an admin)",
    )
    p.set_defaults(func=cmd_try, uses_slack=False)

    p = sub.add_parser(
        "export",
        help="write a workspace's relationships as CSV (the columns `crm-bot import` reads, plus user)",
    )
    p.add_argument("--team", required=True, metavar="T", help="workspace id (T…)")
    p.add_argument("--user", metavar="U", help="only this Slack user's relationships (U…)")
    p.add_argument("--out", metavar="FILE", help="file to write (default: standard output)")
    p.set_defaults(func=cmd_export, uses_slack=False)

    p = sub.add_parser(
        "import",
        help="import creators from a CSV/TSV file onto a user's list",
        description="Read PATH (CSV or TSV), print what it holds (new creators, ones already on the "
        "list and what changes, duplicates merged, invalid rows), then import it all in one transaction. "
        "Exits non-zero when nothing could be imported.",
    )
    p.add_argument("path", metavar="PATH", help="the CSV or TSV file")
    p.add_argument("--team", required=True, metavar="T", help="Slack team (workspace) id")
    p.add_argument("--user", required=True, metavar="U", help="Slack user id whose list the creators join")
    p.add_argument("--dry-run", action="store_true", help="print the preview and change nothing")
    p.set_defaults(func=cmd_import, uses_slack=False)

    p = sub.add_parser("run", help="run the Slack bot (Socket Mode if SLACK_APP_TOKEN is set, else HTTP)")
    p.add_argument(
        "--no-scheduler", action="store_true", help="do not run the scheduled jobs in this process"
    )
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("scheduler", help="run only the scheduled jobs (reminders, weekly summary, ...)")
    p.set_defaults(func=cmd_scheduler)

    from bot.jobs import JOBS  # the job registry (importing it loads the job modules)

    p = sub.add_parser("jobs", help="list the scheduled jobs, or run one once and exit")
    jobs_sub = p.add_subparsers(dest="jobs_command", required=True, metavar="ACTION")
    pr = jobs_sub.add_parser("run", help="run a job once")
    pr.add_argument("job", choices=list(JOBS))
    pr.set_defaults(func=cmd_jobs_run)
    pl = jobs_sub.add_parser("list", help="the scheduled jobs: name, when, what")
    pl.set_defaults(func=cmd_jobs_list)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env(with_slack=getattr(args, "uses_slack", True))
        _configure_logging(settings.log_level)
        return args.func(settings, args)
    except ConfigError as exc:
        print(f"crm-bot: configuration error: {exc}", file=sys.stderr)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # one clear line, never a traceback, for operational errors
        from sqlalchemy.exc import OperationalError

        from bot.db import DatabaseUnavailable

        if isinstance(exc, OperationalError | DatabaseUnavailable):
            print(f"crm-bot: database unavailable: {str(exc).splitlines()[0]}", file=sys.stderr)
        else:
            logging.getLogger("crm-bot").debug("unexpected error", exc_info=True)
            print(
                f"crm-bot: error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
                file=sys.stderr,
            )
    return 1


if __name__ == "__main__":
    sys.exit(main())

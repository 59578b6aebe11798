"""Log hygiene: no Slack token and no Slack request or response body ever reaches a log.

Two mechanisms, because the leaks come from two places:
- Bodies: Bolt and slack_sdk log whole request/response bodies (which hold private notes) at
  DEBUG ("Sending a request - ... json_body", "Received the following response - ... body",
  "Responding with status ... body"). We cap the Slack libraries' loggers at INFO whatever LOG_LEVEL
  says; Bolt copies its base logger's level and filters into every logger it creates, so the cap
  reaches the per-listener loggers too (see slack_bolt/logger/__init__.py).
- Tokens (xoxb-, xoxp-, xapp-, ...): a LogRecord factory redacts them from every record's message
  and traceback at creation, so the redaction holds for any handler, including pytest's caplog.

And noise, so that INFO says what happened: APScheduler's "Running job … / executed successfully"
pair for every run (each job logs its own line when it did something: bot/scheduler.py) and Bolt's
"As you gave `client` as well, `token` will be unused", which slack_bolt's App.__init__ logs
whenever SLACK_BOT_TOKEN is in the environment (it reads it even when given a client, as
bot/app.py always does, with the same token).
"""

from __future__ import annotations

import logging
import re
import sys
import traceback

TOKEN_PATTERN = re.compile(r"\b(xox[abposre]|xapp)-[A-Za-z0-9-]+")
# Loggers of the Slack libraries that write bodies at DEBUG; never below INFO.
SLACK_LIBRARY_LOGGERS = ("slack_bolt", "slack_sdk")
BOLT_BASE_LOGGER = "slack_bolt.crm"
# Loggers that narrate routine work at INFO; shown at DEBUG only.
CHATTY_LOGGERS = ("apscheduler", "alembic.runtime.plugins")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def redact(text: str) -> str:
    """`text` with every Slack token replaced by its prefix and ***."""
    return TOKEN_PATTERN.sub(lambda m: f"{m.group(1)}-***", text)


def _redacting_factory(base_factory):
    def factory(*args, **kwargs) -> logging.LogRecord:
        record = base_factory(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed format: leave it to the handler to report
            return record
        if TOKEN_PATTERN.search(message):
            record.msg, record.args = redact(message), None
        if record.exc_info and record.exc_info[1] is not None:
            text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            if TOKEN_PATTERN.search(text):
                record.exc_text = redact(text)  # Formatter uses a present exc_text as is
        return record

    factory._crm_redacting = True  # type: ignore[attr-defined]
    return factory


def install_log_hygiene() -> None:
    """Idempotently install the token redaction and the Slack-library level cap (process-wide)."""
    current = logging.getLogRecordFactory()
    if not getattr(current, "_crm_redacting", False):
        logging.setLogRecordFactory(_redacting_factory(current))
    for name in SLACK_LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level < logging.INFO:  # NOTSET (0) and DEBUG both inherit/emit bodies
            logger.setLevel(logging.INFO)


class _ClientGivenFilter(logging.Filter):
    """Drops Bolt's warning that the environment's token is unused because a client was given."""

    def filter(self, record: logging.LogRecord) -> bool:
        from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped

        return record.getMessage() != warning_client_prioritized_and_token_skipped()


def bolt_base_logger(level: str | int) -> logging.Logger:
    """The base logger handed to Bolt: at least INFO, so its DEBUG body dumps are never emitted."""
    install_log_hygiene()
    numeric = logging.getLevelName(level) if isinstance(level, str) else level
    logger = logging.getLogger(BOLT_BASE_LOGGER)
    logger.setLevel(max(logging.INFO, numeric if isinstance(numeric, int) else logging.INFO))
    if not any(isinstance(f, _ClientGivenFilter) for f in logger.filters):
        logger.addFilter(_ClientGivenFilter())
    return logger


def configure_logging(level: str, stream=None) -> None:
    """Process logging for every `crm-bot` command (bot/cli.py, once): one stderr handler at `level`."""
    install_log_hygiene()
    root = logging.getLogger()
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in CHATTY_LOGGERS:  # their INFO lines at DEBUG only
        logging.getLogger(name).setLevel(logging.NOTSET if root.level <= logging.DEBUG else logging.WARNING)

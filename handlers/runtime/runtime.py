"""`Runtime`: what every request of one App shares — settings, engine, background work, publishers.

bot/app.py builds one per App and puts it in each request's context under RUNTIME_KEY (a Bolt
middleware, the one supported way to add to a context). Listeners reach it through the helpers of
this package (`scope`, `reply`, `open_modal`), not directly.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from slack_bolt import BoltContext
from sqlalchemy import Engine

from handlers.home_refresh import HomePublisher
from handlers.profiles import ProfileFetcher
from handlers.runtime.breaker import Breaker

if TYPE_CHECKING:  # after_ack finds the Runtime through runtime_of()
    from handlers.runtime.after_ack import WorkQueue

RUNTIME_KEY = "crm_runtime"


@dataclass(frozen=True, slots=True)
class Runtime:
    settings: Any  # bot.config.Settings (handlers do not import bot)
    engine: Engine
    # Slack calls made after a listener's commit (replies, modals, error messages).
    background: Executor
    # Listeners' work after their ack (handlers/runtime/after_ack.py).
    work: WorkQueue
    home_publisher: HomePublisher
    profiles: ProfileFetcher
    # Fails requests fast while the database is known to be down (handlers/runtime/breaker.py).
    breaker: Breaker = field(default_factory=Breaker)


def runtime_of(context: BoltContext) -> Runtime:
    """The App's Runtime, placed in every request's context by bot/app.py."""
    runtime = context.get(RUNTIME_KEY)
    if runtime is None:
        raise RuntimeError("this Bolt App was not built by bot.app.create_app (no Runtime in context)")
    return runtime

"""handlers/runtime/breaker.py: closed until a failure, then one probe per cooldown."""

from __future__ import annotations

import pytest

from handlers.runtime.breaker import Breaker, DatabaseDown


def test_closed_until_a_failure_then_one_probe_per_cooldown():
    now = [0.0]
    breaker = Breaker(cooldown=1.0, clock=lambda: now[0])
    breaker.admit()
    breaker.admit()  # closed: everyone goes through
    breaker.failed()
    with pytest.raises(DatabaseDown):
        breaker.admit()  # open, cooldown not over
    now[0] = 1.0
    breaker.admit()  # the probe
    with pytest.raises(DatabaseDown):
        breaker.admit()  # only one probe at a time
    breaker.failed()  # the probe failed: wait another cooldown
    with pytest.raises(DatabaseDown):
        breaker.admit()
    now[0] = 2.0
    breaker.admit()
    breaker.succeeded()  # the probe worked: closed again
    breaker.admit()
    breaker.admit()
    assert not breaker.is_open

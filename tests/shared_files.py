"""Files of the workspace's shared/ folder, beside the repository (locally and in CI): Slack's
manifest schema and the original spec.

A checkout on its own has no shared/, so the checks that read it skip there. In CI (CI=true, as
`.ci/run` is run) shared/ is always copied beside the clone, so a missing file means the check
would silently not run: it fails instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def in_ci() -> bool:
    """True when the CI environment variable says so (CI=true; "1" and "yes" count too)."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def shared_file(*parts: str) -> Path:
    """The path of shared/<parts>; when it is absent the calling test skips, or fails under CI."""
    path = SHARED.joinpath(*parts)
    if not path.is_file():
        reason = f"{path} is absent (the shared/ folder is not beside this checkout)"
        if in_ci():
            pytest.fail(f"{reason}; CI must provide it", pytrace=False)
        pytest.skip(reason)
    return path

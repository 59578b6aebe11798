"""tests.shared_files: a check that needs shared/ skips without it, except in CI, where it fails."""

from __future__ import annotations

import pytest

from tests.shared_files import SHARED, shared_file


@pytest.mark.parametrize("value", ["true", "TRUE", "1"])
def test_a_missing_shared_file_fails_in_ci(monkeypatch, value):
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match=r"no-such-file\.json is absent"):
        shared_file("slack", "no-such-file.json")


@pytest.mark.parametrize("value", [None, "", "false", "0"])
def test_a_missing_shared_file_skips_outside_ci(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.skip.Exception, match=r"no-such-file\.json is absent"):
        shared_file("slack", "no-such-file.json")


def test_a_present_shared_file_is_returned(monkeypatch, tmp_path):
    monkeypatch.setenv("CI", "true")
    monkeypatch.setattr("tests.shared_files.SHARED", tmp_path)
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "schema.md").write_text("x")
    assert shared_file("spec", "schema.md") == tmp_path / "spec" / "schema.md"
    assert SHARED.name == "shared"

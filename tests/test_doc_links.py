"""Every relative link in the README, BENCHMARKS and docs/ resolves to a file inside the repository,
and every #anchor to a heading of the file it points to."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCUMENTS = [
    "README.md",
    "BENCHMARKS.md",
    *sorted(p.relative_to(REPO).as_posix() for p in REPO.glob("docs/*.md")),
]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    return {_slug(m.group(1)) for m in re.finditer(r"^#+\s+(.+?)\s*$", text, re.M)}


def broken_links(source: Path, root: Path) -> list[str]:
    """The relative links of markdown file `source` that leave `root`, name no file, or no heading."""
    text = FENCE.sub("", source.read_text(encoding="utf-8"))
    broken = []
    for target in LINK.findall(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):  # https:, mailto:
            continue
        path_part, _, anchor = target.partition("#")
        path = (source.parent / path_part).resolve() if path_part else source
        if not path.is_relative_to(root.resolve()) or not path.exists():
            broken.append(f"{target}: not a file in the repository")
        elif anchor and path.suffix == ".md" and anchor not in _anchors(path):
            broken.append(f"{target}: no heading #{anchor} in {path.name}")
    return broken


@pytest.mark.parametrize("document", DOCUMENTS)
def test_relative_links_resolve_inside_the_repository(document):
    assert broken_links(REPO / document, REPO) == []


def test_the_check_catches_links_outside_missing_files_and_anchors(tmp_path):
    repo = tmp_path / "repo"
    (repo / "docs").mkdir(parents=True)
    (tmp_path / "shared.md").write_text("# Outside\n")
    (repo / "docs" / "model.md").write_text("# Data model\n\n## Using it: `/crm`\n")
    (repo / "README.md").write_text(
        "[spec](../shared.md) [gone](docs/gone.md) [ok](docs/model.md#using-it-crm) "
        "[bad anchor](docs/model.md#nope) [web](https://example.com/x) ![img](docs/model.md)\n"
        "```\n[in code](nowhere.md)\n```\n[self](#no-such-heading)\n"
    )
    assert broken_links(repo / "README.md", repo) == [
        "../shared.md: not a file in the repository",
        "docs/gone.md: not a file in the repository",
        "docs/model.md#nope: no heading #nope in model.md",
        "#no-such-heading: no heading #no-such-heading in README.md",
    ]

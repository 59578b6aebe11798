"""Every name taken from a crm module is defined in that module: no re-export facades (CONVENTIONS.md).

A caller that imports `from crm.relationships import relationship_card`, or calls
`relationships.relationship_card(...)` after `from crm import relationships`, would work only as long
as crm.relationships happened to import that name for itself; this test says where it is defined.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CALLERS = ("crm", "handlers", "bot", "benchmarks", "tests")
# crm.reminders is a package whose __init__ gathers its modules' names; it is owned by the reminders
# work and is left out here until it follows the same rule.
EXEMPT = {"crm.reminders"}


def _source(module: str) -> Path | None:
    base = ROOT.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.exists():
            return path
    return None


def _defined(module: str) -> set[str]:
    """Names a module binds itself at top level: functions, classes, assignments (not imports)."""
    tree = ast.parse(_source(module).read_text())
    names: set[str] = set()
    statements = list(tree.body)
    while statements:
        node = statements.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.If | ast.Try):
            statements += [*node.body, *node.orelse, *getattr(node, "finalbody", [])]
    return names


def _crm_names_used(path: Path) -> list[tuple[str, str, int]]:
    """(module, name, line) for each `from crm.x import name`, and each `x.name` after `from crm import x`."""
    tree = ast.parse(path.read_text())
    used: list[tuple[str, str, int]] = []
    modules: dict[str, str] = {}  # local alias -> crm module
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "crm":
                for alias in node.names:
                    modules[alias.asname or alias.name] = f"crm.{alias.name}"
            elif node.module.startswith("crm."):
                used += [(node.module, alias.name, node.lineno) for alias in node.names]
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules:
            used.append((modules[node.value.id], node.attr, node.lineno))
    return used


def test_names_come_from_the_module_that_defines_them():
    wrong = []
    for folder in CALLERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for module, name, line in _crm_names_used(path):
                if module in EXEMPT or _source(f"{module}.{name}") is not None:  # a submodule
                    continue
                if _source(module) is not None and name not in _defined(module):
                    wrong.append(f"{path.relative_to(ROOT)}:{line}: {module}.{name}")
    assert wrong == []

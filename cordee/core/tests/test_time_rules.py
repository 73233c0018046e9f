"""Issue 25, kept: a date taken from a moment is the Paris date, through `cordee.core.clock`, and
no test computes "today" when its module is imported. These read the source, so the next feature
cannot add the fault back without a failing test."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

# Source and import rules: no hour of the day changes them (make test-clocks skips them).
pytestmark = pytest.mark.once

ROOT = Path(__file__).resolve().parents[3]
SOURCES = [ROOT / "cordee", ROOT / "bench", ROOT / "tests"]
CLOCK = ROOT / "cordee" / "core" / "clock.py"
# Calls that read the time: computed at import, they freeze the day the suite started.
TIME_READERS = {"localdate", "localtime", "now", "today", "utcnow"}


def _modules(*, tests: bool) -> Iterator[tuple[Path, ast.Module]]:
    for top in SOURCES:
        for path in top.rglob("*.py"):
            if "migrations" in path.parts:
                continue
            is_test = "tests" in path.parts or path.name.startswith("test_") or path.name == "conftest.py"
            if is_test == tests:
                yield path, ast.parse(path.read_text(), filename=str(path))


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"


def test_application_code_takes_dates_from_the_clock_helper() -> None:
    """`.date()` of an aware moment is its UTC date; `timezone.localdate/localtime` follow
    whatever zone is active; a `__date` lookup converts every row. All go through `clock`."""
    found = []
    for path, module in _modules(tests=False):
        if path == CLOCK:
            continue
        for node in ast.walk(module):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                name, receiver = node.func.attr, node.func.value
                if name == "date" and not node.args and not _is_strptime(receiver):
                    found.append(f"{_where(path, node)} .date()")
                if name in {"localdate", "localtime"} and _named(receiver, "timezone"):
                    found.append(f"{_where(path, node)} timezone.{name}()")
                if name == "today" and _named(receiver, "date"):
                    found.append(f"{_where(path, node)} date.today()")
            if isinstance(node, ast.keyword) and node.arg and node.arg.endswith("__date"):
                found.append(f"{_where(path, node)} {node.arg}=")
    assert not found, "dates from moments must come from cordee.core.clock: " + ", ".join(found)


def test_no_test_module_reads_the_clock_at_import() -> None:
    found = []
    for path, module in _modules(tests=True):
        for statement in module.body:
            if isinstance(statement, ast.Assign | ast.AnnAssign) and statement.value is not None:
                for node in _evaluated_now(statement.value):
                    if isinstance(node, ast.Call) and _called_name(node) in TIME_READERS:
                        found.append(_where(path, statement))
    assert not found, "compute 'today' when the test runs, not at import: " + ", ".join(found)


def _evaluated_now(node: ast.AST) -> Iterator[ast.AST]:
    """The nodes evaluated when the statement runs: not a lambda's body, run later."""
    yield node
    for child in ast.iter_child_nodes(node):
        if not isinstance(child, ast.Lambda):
            yield from _evaluated_now(child)


def _named(node: ast.AST, name: str) -> bool:
    return (isinstance(node, ast.Name) and node.id == name) or (
        isinstance(node, ast.Attribute) and node.attr == name
    )


def _called_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _is_strptime(node: ast.AST) -> bool:
    # datetime.strptime(text, "%d/%m/%Y").date(): a calendar date typed by a person, no moment.
    return isinstance(node, ast.Call) and _called_name(node) in {"strptime", "fromisoformat"}

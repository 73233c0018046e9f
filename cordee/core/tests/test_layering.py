"""The ground floor stays the ground floor (ARCHITECTURE "The demo sits on top; core imports
nothing above it"): core's modules import no other Cordée app at run time, and no app imports
the demo. Read from the sources, so a new upward import fails here whatever the tests cover.

Imports under `if TYPE_CHECKING:` are annotations only (the Actor names accounts' Membership
and User): they never run, so they are no dependency. Core's own tests are left out: the URL
walk exercises every app by design."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import cordee

# Source and import rules: no hour of the day changes them (make test-clocks skips them).
pytestmark = pytest.mark.once

PACKAGE = Path(cordee.__file__).parent


def _is_type_checking_block(node: ast.AST) -> bool:
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def runtime_imports(source: str) -> list[tuple[int, str]]:
    """(line, module) of every import that runs, at module level or inside a function."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if _is_type_checking_block(child):
                assert isinstance(child, ast.If)
                for other in child.orelse:
                    visit_node(other)
                continue
            visit_node(child)

    def visit_node(node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
        visit(node)

    visit(ast.parse(source))
    return found


def _modules(root: Path, *, skip_tests: bool) -> list[Path]:
    return sorted(
        path for path in root.rglob("*.py") if not (skip_tests and "tests" in path.relative_to(root).parts)
    )


def test_the_reader_sees_imports_in_functions_and_skips_type_checking_blocks() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "import cordee.core.clock\n"
        "if TYPE_CHECKING:\n    from cordee.accounts.models import User\n"
        "def f():\n    from cordee.patients.models import Patient\n"
        "class C:\n    def m(self):\n        import cordee.tasks.models\n"
    )
    assert [module for _, module in runtime_imports(source)] == [
        "typing.TYPE_CHECKING",
        "cordee.core.clock",
        "cordee.patients.models.Patient",
        "cordee.tasks.models",
    ]


def test_core_imports_no_app_above_it() -> None:
    core = PACKAGE / "core"
    upward = [
        f"{path.relative_to(PACKAGE.parent)}:{line} imports {module}"
        for path in _modules(core, skip_tests=True)
        for line, module in runtime_imports(path.read_text(encoding="utf-8"))
        if module.startswith("cordee.") and not module.startswith("cordee.core")
    ]
    assert upward == []


def test_no_app_imports_the_demo() -> None:
    users = [
        f"{path.relative_to(PACKAGE.parent)}:{line}"
        for app in PACKAGE.iterdir()
        if app.is_dir() and app.name != "demo"
        for path in _modules(app, skip_tests=False)
        for line, module in runtime_imports(path.read_text(encoding="utf-8"))
        if module.startswith("cordee.demo")
    ]
    assert users == []

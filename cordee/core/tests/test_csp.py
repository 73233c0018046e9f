"""Issue 22: the pages need no 'unsafe-inline' — no style attribute, inline handler, inline script
or eval in any template or in HTML written by Python. The URL walk checks the headers on every
page; the browser tests fail on any refusal Chromium reports; this guard names the line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(ROOT.rglob("templates/**/*.html"))
PYTHON = sorted(p for p in ROOT.rglob("*.py") if "tests" not in p.parts and "migrations" not in p.parts)

INLINE = [
    (re.compile(r"""\sstyle\s*=\s*["']""", re.I), "a style attribute: use a class of app.css"),
    (re.compile(r"""\son[a-z]+\s*=\s*["']""", re.I), "an inline handler: a data attribute for app.js"),
    (re.compile(r"""<script(?![^>]*\ssrc=)[^>]*>""", re.I), "an inline script: use a static file"),
    (re.compile(r"""<style""", re.I), "a <style> element: use app.css"),
    (re.compile(r"""hx-(vals|vars)\s*=\s*['"]\s*(js|javascript):""", re.I), "htmx eval (allowEval is false)"),
    (re.compile(r"""href\s*=\s*["']javascript:""", re.I), "a javascript: link"),
]


# In Python, a statement assigning a name (`ONE = "occurrence"`) is not an HTML attribute.
_PYTHON_ASSIGNMENT = re.compile(r"""^\s*[A-Za-z_]\w*\s*=""")


def _offences(path: Path) -> list[str]:
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        assignment = _PYTHON_ASSIGNMENT.match(line) if path.suffix == ".py" else None
        if assignment is not None:
            line = line[assignment.end() :]
        for pattern, advice in INLINE:
            if pattern.search(line):
                found.append(f"{path.relative_to(ROOT.parent)}:{number}: {advice}")
    return found


def test_the_guard_sees_what_it_looks_for(tmp_path: Path) -> None:
    sample = tmp_path / "templates" / "x.html"
    sample.parent.mkdir()
    sample.write_text(
        '<p style="color: red">\n<form onsubmit="go()">\n<script>alert(1)</script>\n'
        "<script src=\"/s.js\"></script>\n<input hx-vals='js:{q: 1}'>\n<style>p{}</style>\n",
        encoding="utf-8",
    )
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        offences = _offences(sample)
    finally:
        ROOT = saved
    assert [line.split(":")[1] for line in offences] == ["1", "2", "3", "5", "6"]


def test_the_guard_tells_a_python_name_from_a_handler(tmp_path: Path) -> None:
    sample = tmp_path / "views.py"
    sample.write_text(
        "class Scope:\n    ONE = \"occurrence\"\n    ONLINE = 'en ligne'\n"
        "LINK = '<a onclick=\"go()\">'\nhtml = f'<b' + ' onmouseover=\"x\"'\n",
        encoding="utf-8",
    )
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        offences = _offences(sample)
    finally:
        ROOT = saved
    assert [line.split(":")[1] for line in offences] == ["4", "5"]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_carry_nothing_inline(path: Path) -> None:
    assert not _offences(path)


def test_python_writes_no_inline_style_or_handler() -> None:
    offences = [line for path in PYTHON for line in _offences(path)]
    assert not offences, offences


@pytest.mark.django_db
def test_the_sign_in_page_has_the_headers_and_its_assets_exist() -> None:
    response = Client().get("/connexion/")
    policy = response["Content-Security-Policy"]
    for directive in ("script-src 'self'", "style-src 'self'", "object-src 'none'", "base-uri 'none'"):
        assert directive in policy
    page = response.content.decode()
    assert 'name="htmx-config"' in page and '"includeIndicatorStyles": false' in page
    assert "cordee/app.js" in page

"""What every worker holds: the URLconf loaded, the heavy libraries used by one occasional page
each stay out of memory until that page is asked for (issue 16: a 50 MB upload under 100 MB of
peak memory, most of which is the application itself)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# Source and import rules: no hour of the day changes them (make test-clocks skips them).
pytestmark = pytest.mark.once

ROOT = Path(__file__).resolve().parents[3]

# Each of these weighs 10–55 MB of resident memory and serves one page or one sign-in path.
OCCASIONAL = ["fpdf", "authlib", "xlsxwriter", "segno", "numpy", "fontTools", "fhir", "fhir_core"]

PROBE = """
import json, sys
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_loading_every_url_leaves_the_occasional_libraries_unloaded() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(  # noqa: S603 - the test's own interpreter and code
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert "cordee" in loaded and "django" in loaded  # the probe did load the application
    assert loaded.isdisjoint(OCCASIONAL), sorted(loaded & set(OCCASIONAL))

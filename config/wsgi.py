from __future__ import annotations

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")
application = get_wsgi_application()

# Issue 23: the growth references (rcpchgrowth, scipy) load with the server process, not on the
# first notebook saved (which took seconds longer than the next ones).
from cordee.pathways.answers import load_growth_references  # noqa: E402 - needs the app registry

load_growth_references()

# What the start-up built (Django, the URLconf, the templates, the growth tables) lives as long as
# the process: moved out of the garbage collector's sight, it is no longer walked by every full
# collection a page's objects trigger (2 of the life line's 31 ms of CPU; `make bench` does the
# same after its warm-up).
gc.freeze()

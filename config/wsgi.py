from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")
application = get_wsgi_application()

# Issue 23: the growth references (rcpchgrowth, scipy) load with the server process, not on the
# first notebook saved (which took seconds longer than the next ones).
from cordee.pathways.answers import load_growth_references  # noqa: E402 - needs the app registry

load_growth_references()

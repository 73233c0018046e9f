"""The API's and FHIR server's URL patterns, made reachable without a session (their callers
are software holding a token, not browsers: LoginRequiredMiddleware would send them to the
sign-in page) and never cached (health data; issue 24's rule for pages)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver
from django.utils.cache import patch_cache_control


def open_to_software(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)  # keeps csrf_exempt: a bearer token, not a cookie, authenticates
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        patch_cache_control(response, no_store=True, no_cache=True, private=True, max_age=0)
        return response

    wrapped.login_required = False  # type: ignore[attr-defined]
    return wrapped


def opened(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            opened(entry.url_patterns)
        else:
            entry.callback = open_to_software(entry.callback)
    return patterns

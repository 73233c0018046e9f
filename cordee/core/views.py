from __future__ import annotations

import sys

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader

from cordee.core.home import sections_for
from cordee.core.http import AuthedRequest


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    # The apps' own cards (e.g. the Cocon cohort's pages for the network's staff: a permission
    # query, on the home page only, not in the side menu of every page).
    return render(request, "core/home.html", {"sections": sections_for(request.actor)})


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Issue 24: a body Django could not read (malformed multipart, too many fields, too large)
    answers in French. Rendered without context processors: the request itself is the fault."""
    return HttpResponse(loader.get_template("400.html").render(), status=400)


def too_many_requests(
    *,
    retry_after: int,
    heading: str = "",
    reason: str = "",
    back_url: str = "/",
    back_label: str = "",
) -> HttpResponse:
    """Issue 24: the French 429 page (sign-in lock-out, registration throttle), with the client
    told when to try again. Rendered without context processors, like the 400 and 503 pages."""
    minutes = max(1, -(-retry_after // 60))
    page = loader.get_template("429.html").render(
        {
            "heading": heading,
            "reason": reason,
            "minutes": minutes,
            "back_url": back_url,
            "back_label": back_label,
            "support_email": getattr(settings, "CORDEE_SUPPORT_EMAIL", ""),
        }
    )
    response = HttpResponse(page, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: the failure may come from the database they would query.
    error = sys.exc_info()[1]
    if reason := getattr(error, "unavailable_reason", ""):
        # A passing outage that is not the database's (the documents' disk is full): the same
        # French 503 page, saying what happened.
        response = HttpResponse(loader.get_template("503.html").render({"reason": reason}), status=503)
        response["Retry-After"] = "60"
        return response
    if isinstance(error, OperationalError | InterfaceError):
        # The database is unreachable (restarting, failing over): a moment's outage, not a
        # bug — 503 with the French page, and the client told when to try again. Connections
        # are health-checked before reuse (settings), so the next request after the restart
        # reconnects without restarting the app servers (issue 22).
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "10"
        return response
    return HttpResponse(loader.get_template("500.html").render(), status=500)

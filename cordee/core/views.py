from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader

from cordee.careteam.access import holds_cohort_right
from cordee.core.http import AuthedRequest


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    # The Cocon cohort's pages, for the network's staff (a permission query: home page only,
    # not in the side menu of every page).
    cohort = {
        "cocon_dashboard": holds_cohort_right(request.actor, "cocon.view_cohort"),
        "cocon_extraction": holds_cohort_right(request.actor, "cocon.extract_notebooks"),
    }
    return render(request, "core/home.html", {"cohort": cohort})


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: the failure may come from the database they would query.
    return HttpResponse(loader.get_template("500.html").render(), status=500)

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cordee.territory.search import search_communes


@login_not_required
def commune_search(request: HttpRequest) -> HttpResponse:
    """Options for the commune picker. Public reference data: the registration form uses it."""
    query = request.GET.get("q", "")[:100]
    communes = search_communes(query)
    return render(
        request,
        "territory/commune_options.html",
        {
            "communes": communes,
            "query": query,
            # IDV-4: "99999" stands for an unknown birth commune (provisional identity).
            "unknown_allowed": query.strip() == "99999",
        },
    )

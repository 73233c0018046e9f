from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cordee.core.http import typed_text
from cordee.territory.search import search_communes


@login_not_required
def commune_search(request: HttpRequest) -> HttpResponse:
    """Options for the commune picker. Public reference data: the registration form uses it."""
    # The picker's search box sends itself under its own name (<field>_search): reading it here
    # rather than renaming it by script keeps the page free of eval (CSP, issue 22).
    typed = next((request.GET.get(key, "") for key in request.GET if key.endswith("_search")), "")
    query = typed_text(request.GET.get("q", typed))
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

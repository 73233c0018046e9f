"""Issue 24 for requests to a DAC (REQ): strange input at the request form and at the team's
actions — never a 500, a post accepted whole or refused with nothing written."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from cordee.core.tests.test_strange_input_properties import _grew, _whole_or_nothing
from cordee.referrals.models import Change, Motif, Referral

pytestmark = pytest.mark.django_db


def test_the_request_form(scene: Any, as_gp: Any) -> None:
    base = {
        "motif": Motif.objects.get(code="situation-complexe").pk,
        "detail": "Maintien à domicile difficile",
    }
    names = [*base, "birth_name", "first_name", "birth_date", "sex", "commune", "dossier"]
    url = reverse("referrals:new", kwargs={"team_id": scene.team.public_id})
    _whole_or_nothing(as_gp, url, base, names, [Referral, Change], _grew)


def test_the_teams_actions(scene: Any, as_gp: Any, as_team: Any) -> None:
    base = {
        "motif": Motif.objects.get(code="situation-complexe").pk,
        "detail": "Maintien à domicile difficile",
    }
    assert (
        as_gp.post(reverse("referrals:new", kwargs={"team_id": scene.team.public_id}), base).status_code
        == 302
    )
    referral = Referral.objects.get()
    url = reverse("referrals:act", kwargs={"public_id": referral.public_id})
    names = ["action", "version", "answer", "reason", "assignee", "external", "service"]

    def moved_or_not(before: list[int], after: list[int]) -> bool:
        # The action view always answers with a redirect (its message says what happened): a
        # refused action writes no history row, an accepted one exactly one.
        return after[0] == before[0] and after[1] in {before[1], before[1] + 1}

    _whole_or_nothing(as_team, url, {"action": "next", "version": 1}, names, [Referral, Change], moved_or_not)
    # Issue 19: a dashboard row's buttons, their list state posted along (never a 500).
    row = reverse("referrals:row_action", kwargs={"public_id": referral.public_id})
    _whole_or_nothing(
        as_team, row, {"action": "next", "version": 1}, [*names, "query"], [Referral, Change], moved_or_not
    )

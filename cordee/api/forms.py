from __future__ import annotations

import datetime
from typing import Any

from django import forms

from cordee.accounts.models import Membership, User
from cordee.api.models import ApiToken
from cordee.api.tokens import MAX_LIFETIME_DAYS
from cordee.core import clock
from cordee.core.forms import DayField

SELF = "moi"


class TokenForm(forms.Form):
    """INT-1: a new personal access token — its name, scope, who it acts as, its last day."""

    name = forms.CharField(
        label="Nom du jeton",
        max_length=80,
        help_text="Le logiciel qui l'utilisera, par exemple « Logiciel du cabinet ».",
        error_messages={"required": "Veuillez nommer ce jeton."},
    )
    scope = forms.ChoiceField(label="Portée", choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ)
    acting_as = forms.ChoiceField(label="Agit en tant que")
    expires_on = DayField(
        label="Valable jusqu'au",
        help_text=f"Au plus {MAX_LIFETIME_DAYS} jours.",
        error_messages={"required": "Veuillez indiquer la date d'expiration."},
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        today = clock.today()
        # The bounds are the field's own: the browser and the French message tell the same.
        self.base_fields["expires_on"] = DayField(
            label="Valable jusqu'au",
            earliest=today + datetime.timedelta(days=1),
            latest=today + datetime.timedelta(days=MAX_LIFETIME_DAYS),
            help_text=f"Au plus {MAX_LIFETIME_DAYS} jours.",
            initial=today + datetime.timedelta(days=90),
            error_messages={"required": "Veuillez indiquer la date d'expiration."},
        )
        super().__init__(*args, **kwargs)
        self.memberships = {
            str(m.structure.public_id): m
            for m in Membership.objects.filter(user=user, is_active=True, structure__is_active=True)
            .select_related("structure")
            .order_by("structure__name")
        }
        choices: list[tuple[str, str]] = [(SELF, f"Moi-même ({user.display_name})")] + [
            (key, m.structure.name) for key, m in self.memberships.items()
        ]
        self.fields["acting_as"].choices = choices  # type: ignore[attr-defined]
        self.fields["name"].widget.attrs["autocomplete"] = "off"

    def membership(self) -> Membership | None:
        return self.memberships.get(self.cleaned_data["acting_as"])

    def expires_at(self) -> datetime.datetime:
        """The end of the chosen day, on the Paris clock."""
        return clock.at(self.cleaned_data["expires_on"], datetime.time(23, 59, 59))

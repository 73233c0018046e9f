from __future__ import annotations

from django.contrib import admin

from cordee.territory.models import Commune, Country, Departement, Region, Zone


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "commune_count"]
    search_fields = ["name"]
    autocomplete_fields = ["communes"]

    @admin.display(description="communes")
    def commune_count(self, obj: Zone) -> int:
        return obj.communes.count()


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "name", "postal_codes", "departement"]
    search_fields = ["name", "name_key", "code", "postal_codes"]
    list_filter = ["departement__region"]


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "name", "iso2"]
    search_fields = ["name", "code"]


admin.site.register(Region)
admin.site.register(Departement)

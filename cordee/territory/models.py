"""TER-1/TER-2: communes and countries (INSEE COG), and geographic zones."""

from __future__ import annotations

from django.db import models

from cordee.core.models import BaseModel

UNKNOWN_PLACE_CODE = "99999"
FRANCE_CODE = "99100"


class Region(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = "région"

    def __str__(self) -> str:
        return self.name


class Departement(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departements")

    class Meta:
        ordering = ["code"]
        verbose_name = "département"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Commune(models.Model):
    """A commune of the COG; the code (e.g. 2A004) is the key other tables refer to."""

    code = models.CharField("code INSEE", max_length=5, primary_key=True)
    name = models.CharField("nom", max_length=100)
    name_key = models.CharField("clé de recherche", max_length=100, db_index=True)
    postal_codes = models.CharField("codes postaux", max_length=200, blank=True)
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="communes", null=True, blank=True
    )

    class Meta:
        ordering = ["name_key", "code"]
        verbose_name = "commune"

    def __str__(self) -> str:
        return f"{self.name} ({self.main_postal_code or self.code})"

    @property
    def postal_code_list(self) -> list[str]:
        return self.postal_codes.split()

    @property
    def main_postal_code(self) -> str:
        codes = self.postal_code_list
        return codes[0] if codes else ""


class Country(models.Model):
    """INSEE country codes (99xxx), FRANCE = 99100."""

    code = models.CharField("code INSEE", max_length=5, primary_key=True)
    name = models.CharField("nom", max_length=100)
    iso2 = models.CharField("code ISO", max_length=2, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "pays"
        verbose_name_plural = "pays"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Zone(BaseModel):
    """TER-2: a named group of communes configured by the administrators."""

    name = models.CharField("nom", max_length=100, unique=True)
    description = models.TextField("description", blank=True)
    communes = models.ManyToManyField(Commune, related_name="zones", verbose_name="communes")

    class Meta:
        ordering = ["name"]
        verbose_name = "zone géographique"
        verbose_name_plural = "zones géographiques"

    def __str__(self) -> str:
        return self.name

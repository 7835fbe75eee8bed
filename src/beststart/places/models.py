"""The geography services are planned and measured by.

A local authority has localities; localities have wards; wards are made of LSOAs (the small
areas the English Indices of Deprivation are published for); each LSOA lies in one children's
centre reach area. A postcode maps to one LSOA, and so to everything above it."""

from __future__ import annotations

import re

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

POSTCODE_PATTERN = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")


def normalise_postcode(value: str) -> str:
    """'xw1  2ab' -> 'XW1 2AB'; returns the input upper-cased if it is not postcode-shaped."""
    compact = "".join(value.split()).upper()
    match = POSTCODE_PATTERN.match(compact)
    return f"{match.group(1)} {match.group(2)}" if match else compact


def is_postcode_shaped(value: str) -> bool:
    return POSTCODE_PATTERN.match("".join(value.split()).upper()) is not None


class LocalAuthority(models.Model):
    code = models.CharField(max_length=9, unique=True, help_text="ONS code, for example E10000015")
    name = models.CharField(max_length=120)

    class Meta:
        verbose_name_plural = "local authorities"

    def __str__(self) -> str:
        return self.name


class Locality(models.Model):
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="localities"
    )
    name = models.CharField(max_length=120)

    class Meta:
        verbose_name_plural = "localities"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["local_authority", "name"], name="unique_locality")
        ]

    def __str__(self) -> str:
        return self.name


class ReachArea(models.Model):
    """The area a children's centre or family hub is responsible for reaching."""

    locality = models.ForeignKey(Locality, on_delete=models.PROTECT, related_name="reach_areas")
    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Ward(models.Model):
    locality = models.ForeignKey(Locality, on_delete=models.PROTECT, related_name="wards")
    code = models.CharField(max_length=9, unique=True)
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Lsoa(models.Model):
    """A Lower layer Super Output Area with its Index of Multiple Deprivation decile."""

    code = models.CharField(max_length=9, unique=True)
    name = models.CharField(max_length=120)
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="lsoas")
    reach_area = models.ForeignKey(ReachArea, on_delete=models.PROTECT, related_name="lsoas")
    imd_decile = models.PositiveSmallIntegerField(
        "IMD decile",
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="1 is the most deprived tenth of areas in England, 10 the least",
    )

    class Meta:
        verbose_name = "LSOA"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(imd_decile__gte=1, imd_decile__lte=10),
                name="imd_decile_1_to_10",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def imd_quintile(self) -> int:
        return (self.imd_decile + 1) // 2


class Postcode(models.Model):
    postcode = models.CharField(max_length=8, unique=True)
    lsoa = models.ForeignKey(Lsoa, on_delete=models.PROTECT, related_name="postcodes")

    class Meta:
        ordering = ["postcode"]

    def __str__(self) -> str:
        return self.postcode

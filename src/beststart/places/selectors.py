"""Reads of the geography. None of it is personal data."""

from __future__ import annotations

from beststart.places.models import Postcode, normalise_postcode


def find_postcode(value: str) -> Postcode | None:
    return (
        Postcode.objects.select_related("lsoa__ward__locality", "lsoa__reach_area")
        .filter(postcode=normalise_postcode(value))
        .first()
    )

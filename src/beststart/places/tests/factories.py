"""Factories for the synthetic geography. Postcodes use the XW area, which no real one uses."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from beststart.places.models import LocalAuthority, Locality, Lsoa, Postcode, ReachArea, Ward

_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def synthetic_postcode(n: int) -> str:
    """A distinct, postcode-shaped XW postcode for each n (up to 2,000,000)."""
    district = n % 10
    sector = (n // 10) % 10
    unit = n // 100
    return f"XW{district} {sector}{_LETTERS[unit % 20]}{_LETTERS[(unit // 20) % 20]}"


class LocalAuthorityFactory(DjangoModelFactory[LocalAuthority]):
    class Meta:
        model = LocalAuthority
        django_get_or_create = ("code",)

    code = "E10999999"
    name = "Testshire County Council"


class LocalityFactory(DjangoModelFactory[Locality]):
    class Meta:
        model = Locality

    local_authority = factory.SubFactory(LocalAuthorityFactory)
    name = factory.Sequence(lambda n: f"Locality {n}")


class ReachAreaFactory(DjangoModelFactory[ReachArea]):
    class Meta:
        model = ReachArea

    locality = factory.SubFactory(LocalityFactory)
    name = factory.Sequence(lambda n: f"Reach Area {n}")


class WardFactory(DjangoModelFactory[Ward]):
    class Meta:
        model = Ward

    locality = factory.SubFactory(LocalityFactory)
    code = factory.Sequence(lambda n: f"E05{n:06d}")
    name = factory.Sequence(lambda n: f"Ward {n}")


class LsoaFactory(DjangoModelFactory[Lsoa]):
    class Meta:
        model = Lsoa

    code = factory.Sequence(lambda n: f"E01{n:06d}")
    name = factory.Sequence(lambda n: f"Test LSOA {n:03d}")
    ward = factory.SubFactory(WardFactory)
    reach_area = factory.SubFactory(
        ReachAreaFactory, locality=factory.SelfAttribute("..ward.locality")
    )
    imd_decile = 5


class PostcodeFactory(DjangoModelFactory[Postcode]):
    class Meta:
        model = Postcode
        django_get_or_create = ("postcode",)

    postcode = factory.Sequence(synthetic_postcode)
    lsoa = factory.SubFactory(LsoaFactory)

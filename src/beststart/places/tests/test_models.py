"""Postcodes as people type them, and the geography above them."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from hypothesis import given
from hypothesis import strategies as st

from beststart.places.models import is_postcode_shaped, normalise_postcode
from beststart.places.tests.factories import LsoaFactory, synthetic_postcode

letters = st.sampled_from("ABCDEFGHJKLMNOPRSTUWYZ")
digits = st.sampled_from("0123456789")


@st.composite
def postcodes(draw: st.DrawFn) -> tuple[str, str]:
    outward = draw(st.text(letters, min_size=1, max_size=2)) + draw(digits)
    outward += draw(st.one_of(st.just(""), letters, digits))
    inward = draw(digits) + draw(st.text(letters, min_size=2, max_size=2))
    return outward, inward


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("xw1 2ab", "XW1 2AB"),
        ("XW12AB", "XW1 2AB"),
        ("  xw1   2ab ", "XW1 2AB"),
        ("xw1a 2ab", "XW1A 2AB"),
        ("x9 9zz", "X9 9ZZ"),
        ("not a postcode", "NOTAPOSTCODE"),
    ],
)
def test_normalise_postcode(typed: str, expected: str) -> None:
    assert normalise_postcode(typed) == expected


@given(postcodes(), st.sampled_from(["", " ", "  "]), st.booleans())
def test_any_valid_shape_in_any_case_and_spacing_normalises_to_one_form(
    parts: tuple[str, str], gap: str, lower: bool
) -> None:
    outward, inward = parts
    typed = f"{outward}{gap}{inward}"
    typed = typed.lower() if lower else typed
    assert is_postcode_shaped(typed)
    assert normalise_postcode(typed) == f"{outward} {inward}"
    assert normalise_postcode(normalise_postcode(typed)) == normalise_postcode(typed)


@pytest.mark.parametrize("typed", ["", "XW1", "2AB", "XW1 2A", "XW1 AAB", "1W1 2AB", "XW1 2AB X"])
def test_partial_or_malformed_postcodes_are_not_postcode_shaped(typed: str) -> None:
    assert not is_postcode_shaped(typed)


def test_the_factory_postcodes_are_distinct_and_postcode_shaped() -> None:
    made = [synthetic_postcode(n) for n in range(5000)]
    assert len(set(made)) == len(made)
    assert all(is_postcode_shaped(p) and normalise_postcode(p) == p for p in made)


@pytest.mark.django_db
def test_an_imd_decile_outside_1_to_10_is_refused_by_the_database() -> None:
    with transaction.atomic(), pytest.raises(IntegrityError):
        LsoaFactory(imd_decile=11)
    assert LsoaFactory(imd_decile=1).imd_quintile == 1
    assert LsoaFactory(imd_decile=10).imd_quintile == 5

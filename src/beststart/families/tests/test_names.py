from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beststart.families.names import name_key, normalise_name


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Lucja", "Łucja"),
        ("Soren", "Søren"),
        ("Strasse", "Straße"),
        ("Aegir", "Ægir"),
        ("Zoe", "Zoë"),
        ("obrien smyth", "O'Brien-Smyth"),
    ],
)
def test_letters_people_cannot_type_fold_to_the_ones_they_can(typed: str, stored: str) -> None:
    assert normalise_name(typed) == normalise_name(stored)
    assert name_key(typed) == name_key(stored)


def test_spelling_variants_share_a_key() -> None:
    assert name_key("Smith") == name_key("Smyth")
    assert name_key("Mohammed") == name_key("Muhammad")


@given(st.text(max_size=40))
def test_normalised_names_are_plain_lower_case_letters(value: str) -> None:
    normalised = normalise_name(value)
    assert normalised == "".join(ch for ch in normalised if "a" <= ch <= "z")

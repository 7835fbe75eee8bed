"""Understanding the search box: names, dates of birth, NHS numbers and postcodes."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beststart.families.names import name_key, normalise_name
from beststart.families.search import ParsedQuery, parse_query


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Amelia Smith 03/04/2024", ParsedQuery(["Amelia", "Smith"], dt.date(2024, 4, 3))),
        ("Smith 3.4.2024", ParsedQuery(["Smith"], dt.date(2024, 4, 3))),
        ("2024-04-03", ParsedQuery([], dt.date(2024, 4, 3))),
        ("943 476 5919", ParsedQuery(nhs_number="9434765919")),
        ("943-476-5919", ParsedQuery(nhs_number="9434765919")),
        ("XW1 2AB", ParsedQuery(postcode="XW1 2AB")),
        ("xw12ab", ParsedQuery(postcode="XW1 2AB")),
        ("smith xw1 2ab", ParsedQuery(["smith"], postcode="XW1 2AB")),
        ("smith XW12AB", ParsedQuery(["smith"], postcode="XW1 2AB")),
        ("Smith 3/4/2024 XW1 2AB", ParsedQuery(["Smith"], dt.date(2024, 4, 3), None, "XW1 2AB")),
        ("  Amelia    Smith ", ParsedQuery(["Amelia", "Smith"])),
        ("", ParsedQuery()),
        ("   ", ParsedQuery()),
    ],
)
def test_parse_query(typed: str, expected: ParsedQuery) -> None:
    assert parse_query(typed) == expected


def test_an_impossible_date_is_not_taken_as_a_date_of_birth_and_says_so() -> None:
    assert parse_query("Smith 31/02/2024") == ParsedQuery(
        ["Smith"], problems=["31/02/2024 is not a real date"]
    )


def test_an_nhs_number_typed_with_a_name_keeps_both() -> None:
    parsed = parse_query("Smith 943 476 5919")
    assert (parsed.names, parsed.nhs_number) == (["Smith"], "9434765919")


def test_something_that_is_none_of_the_kinds_is_reported_not_dropped() -> None:
    assert parse_query("12345").problems == [
        "12345 is not a name, a date of birth, an NHS number or a postcode"
    ]


def test_an_empty_query_is_empty() -> None:
    assert parse_query("  ").is_empty
    assert not parse_query("Smith").is_empty


@given(st.text(max_size=60))
def test_any_text_parses_without_error_into_known_parts(text: str) -> None:
    parsed = parse_query(text)
    for name in parsed.names:
        assert any(ch.isalpha() for ch in name)
    if parsed.nhs_number:
        assert len(parsed.nhs_number) == 10
        assert parsed.nhs_number.isdigit()
    if parsed.postcode:
        assert " " in parsed.postcode


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_every_date_written_the_british_way_or_iso_is_understood(day: dt.date) -> None:
    assert parse_query(f"{day.day}/{day.month}/{day.year}").date_of_birth == day
    assert parse_query(f"{day:%d/%m/%Y}").date_of_birth == day
    assert parse_query(day.isoformat()).date_of_birth == day


@pytest.mark.parametrize(
    ("name", "normalised"),
    [("O'Brien-Smyth", "obriensmyth"), ("Zoë", "zoe"), ("  Ali  ", "ali")],
)
def test_normalise_name(name: str, normalised: str) -> None:
    assert normalise_name(name) == normalised


@pytest.mark.parametrize(
    ("one", "other"),
    [("Smith", "Smyth"), ("Mohammed", "Muhammad"), ("Catherine", "Kathryn"), ("Jon", "John")],
)
def test_names_that_sound_alike_share_a_key(one: str, other: str) -> None:
    assert name_key(one) == name_key(other) != ""


def test_a_name_with_no_letters_has_no_key() -> None:
    assert name_key("") == name_key("123") == ""

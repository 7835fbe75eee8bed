"""NHS numbers: the Modulus 11 check, formatting, and the messages for mistyped numbers."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, given
from hypothesis import strategies as st

from beststart.core.identifiers import (
    TEST_RANGE_PREFIX,
    format_nhs_number,
    is_valid_nhs_number,
    nhs_check_digit,
    normalise_nhs_number,
    validate_nhs_number,
)
from beststart.core.tests.factories import next_nhs_number, reserved_range_numbers

nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


def valid_numbers() -> st.SearchStrategy[str]:
    return (
        nine_digits.map(lambda nine: (nine, nhs_check_digit(nine)))
        .filter(lambda pair: pair[1] is not None)
        .map(lambda pair: f"{pair[0]}{pair[1]}")
    )


@pytest.mark.parametrize(
    "number",
    ["9434765919", "9999999999", "4010232137", "9990000026"],
)
def test_known_valid_numbers(number: str) -> None:
    assert is_valid_nhs_number(number)
    validate_nhs_number(number)


def test_the_check_digit_by_hand() -> None:
    # 9 4 3 4 7 6 5 9 1 weighted 10..2: 90+36+24+28+42+30+20+27+2 = 299; 299 % 11 = 2; 11-2 = 9
    assert nhs_check_digit("943476591") == 9
    # A remainder of 0 gives 11, which is written as 0.
    assert nhs_check_digit("000000000") == 0
    # 9*10 + 9*9 + 9*8 = 243; 243 % 11 = 1; 11-1 = 10: no valid number starts with these nine.
    assert nhs_check_digit("999000000") is None
    assert not any(is_valid_nhs_number(f"999000000{digit}") for digit in range(10))


@given(nine_digits)
def test_any_nine_digits_have_no_check_digit_or_one_that_makes_a_valid_number(nine: str) -> None:
    check = nhs_check_digit(nine)
    if check is None:
        assert not any(is_valid_nhs_number(f"{nine}{digit}") for digit in range(10))
    else:
        assert 0 <= check <= 9
        assert is_valid_nhs_number(f"{nine}{check}")
        assert [d for d in range(10) if is_valid_nhs_number(f"{nine}{d}")] == [check]


@given(valid_numbers(), st.integers(0, 9), st.integers(1, 9))
def test_changing_any_one_digit_invalidates_a_number(number: str, position: int, step: int) -> None:
    digits = list(number)
    digits[position] = str((int(digits[position]) + step) % 10)
    assert not is_valid_nhs_number("".join(digits))


@given(valid_numbers(), st.integers(0, 8))
def test_swapping_two_adjacent_different_digits_invalidates_a_number(
    number: str, position: int
) -> None:
    assume(number[position] != number[position + 1])
    swapped = number[:position] + number[position + 1] + number[position] + number[position + 2 :]
    assert not is_valid_nhs_number(swapped)


@given(valid_numbers())
def test_spaces_and_dashes_people_type_are_ignored(number: str) -> None:
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}"
    dashed = f"{number[:3]}-{number[3:6]}-{number[6:]}"
    assert normalise_nhs_number(spaced) == number
    assert is_valid_nhs_number(spaced)
    assert is_valid_nhs_number(dashed)
    assert format_nhs_number(number) == spaced
    assert format_nhs_number(dashed) == spaced


def test_format_leaves_what_is_not_ten_digits_alone() -> None:
    assert format_nhs_number("12345") == "12345"
    assert format_nhs_number("") == ""


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "943476591",
        "94347659190",
        "943 476 591",
        "ABC4765919",
        "943476591X",
        "\uff19\uff14\uff13\uff14\uff17\uff16\uff15\uff19\uff11\uff19",  # full-width digits
    ],
)
def test_wrong_length_letters_and_non_ascii_digits_are_a_format_error(typed: str) -> None:
    assert not is_valid_nhs_number(typed)
    with pytest.raises(ValidationError) as caught:
        validate_nhs_number(typed)
    assert caught.value.code == "nhs_number_format"
    assert caught.value.messages == ["Enter an NHS number that is 10 digits, like 943 476 5919"]


def test_a_failed_check_digit_says_a_digit_may_be_mistyped() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_nhs_number("943 476 5918")
    assert caught.value.code == "nhs_number_check_digit"
    assert "fails the check digit" in caught.value.messages[0]


def test_the_factories_hand_out_distinct_valid_test_range_numbers() -> None:
    numbers = [next_nhs_number() for _ in range(500)]
    assert len(set(numbers)) == len(numbers)
    assert all(n.startswith(TEST_RANGE_PREFIX) and is_valid_nhs_number(n) for n in numbers)
    # The generator skips the middles that have no check digit rather than repeating one.
    first = list(zip(range(20), reserved_range_numbers(0), strict=False))
    assert len({n for _, n in first}) == 20

"""NHS numbers: the Modulus 11 check and the range NHS England reserves for test data."""

from __future__ import annotations

from django.core.exceptions import ValidationError

WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
# NHS England issues no real numbers starting 999: that range is for test and synthetic data.
TEST_RANGE_PREFIX = "999"


def normalise_nhs_number(value: str) -> str:
    """Strip the spaces and dashes people type: '943 476 5919' -> '9434765919'."""
    return "".join(ch for ch in value if ch not in " -")


def nhs_check_digit(first_nine: str) -> int | None:
    """The Modulus 11 check digit for nine digits, or None where no valid number exists."""
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def is_valid_nhs_number(value: str) -> bool:
    digits = normalise_nhs_number(value)
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    return nhs_check_digit(digits[:9]) == int(digits[9])


def validate_nhs_number(value: str) -> None:
    digits = normalise_nhs_number(value)
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        raise ValidationError(
            "Enter an NHS number that is 10 digits, like 943 476 5919", code="nhs_number_format"
        )
    if not is_valid_nhs_number(digits):
        raise ValidationError(
            "Enter a valid NHS number: this one fails the check digit, so a digit may be mistyped",
            code="nhs_number_check_digit",
        )


def format_nhs_number(value: str) -> str:
    """Show an NHS number as people read it: 943 476 5919."""
    digits = normalise_nhs_number(value)
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}" if len(digits) == 10 else value

"""Synthetic identifiers for every part's factories."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from beststart.core.identifiers import TEST_RANGE_PREFIX, nhs_check_digit


def reserved_range_numbers(start: int = 0) -> Iterator[str]:
    """Valid NHS numbers from the 999 range NHS England reserves for testing, in order."""
    for middle in itertools.count(start):
        first_nine = f"{TEST_RANGE_PREFIX}{middle % 1_000_000:06d}"
        check = nhs_check_digit(first_nine)
        if check is not None:
            yield f"{first_nine}{check}"


_numbers = reserved_range_numbers(start=100_000)


def next_nhs_number() -> str:
    """A valid test-range NHS number not handed out before in this test run."""
    return next(_numbers)

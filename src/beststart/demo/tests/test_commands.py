"""`beststart seed`: its arguments are checked before anything is emptied or built."""

from __future__ import annotations

import io
from unittest import mock

import pytest
from django.core.management import CommandError, call_command

from beststart.demo.management.commands.seed import MAX_PEOPLE, families_for
from beststart.families.models import Family


@pytest.fixture
def nothing_is_touched() -> object:
    """If validation ever let a bad argument through, fail instead of emptying the database."""
    with (
        mock.patch(
            "beststart.demo.management.commands.seed.reset_database",
            side_effect=AssertionError("reset"),
        ),
        mock.patch(
            "beststart.demo.management.commands.seed.build_county",
            side_effect=AssertionError("build"),
        ),
    ):
        yield


@pytest.mark.usefixtures("nothing_is_touched")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--people", "0"], "--people must be between 1 and 1,000,000"),
        (["--people", "-5"], "--people must be between 1 and 1,000,000"),
        (["--people", str(MAX_PEOPLE + 1)], "--people must be between 1 and 1,000,000"),
        (["--families", "0"], "--families must be at least 1"),
        (["--families", "10", "--people", "10"], "not allowed with argument"),
        (["--people", "lots"], "invalid int value"),
    ],
)
def test_bad_arguments_are_a_command_error(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("seed", *args, stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.parametrize(
    ("families", "people", "expected"),
    [
        (None, None, 2000),
        (25, None, 25),
        (None, 1, 1),
        (None, 34, 10),
        (None, 35, 11),
        (None, MAX_PEOPLE, 294_118),
    ],
)
def test_families_for(families: int | None, people: int | None, expected: int) -> None:
    assert families_for(families, people) == expected


@pytest.mark.django_db
def test_seed_builds_a_county_and_prints_the_sign_ins() -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("seed", "--families", "5", "--seed", "3", "--no-reset", stdout=out, stderr=err)
    assert Family.objects.count() == 5
    assert "Built Wealdshire: 5 families" in out.getvalue()
    assert "health.visitor" in out.getvalue()

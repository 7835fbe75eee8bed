"""The session form's times and checks, and the register's ticks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import QueryDict
from hypothesis import given
from hypothesis import strategies as st

from beststart.accounts.actors import Actor
from beststart.activities import selectors
from beststart.activities.forms import RegisterForm, SessionForm, TimeField
from beststart.activities.models import Programme, Session
from beststart.activities.tests.factories import BookingFactory
from beststart.families.models import Family, PersonKind

FIELD = TimeField(label_for_errors="Start time")


@given(st.times())
def test_every_time_typed_as_24_hours_is_read(time: dt.time) -> None:
    for typed in (f"{time:%H:%M}", f"{time.hour}.{time:%M}", f" {time.hour}:{time:%M} "):
        assert FIELD.clean(typed) == time.replace(second=0, microsecond=0)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2pm", dt.time(14)),
        ("9am", dt.time(9)),
        ("12pm", dt.time(12)),
        ("12.30am", dt.time(0, 30)),
        ("10", dt.time(10)),
        ("930", None),
    ],
)
def test_times_as_people_type_them(typed: str, expected: dt.time | None) -> None:
    if expected is None:
        with pytest.raises(Exception, match="must be a time, like 10:00 or 14:30"):
            FIELD.clean(typed)
    else:
        assert FIELD.clean(typed) == expected


@pytest.mark.parametrize("typed", ["24:00", "13pm", "10:60", "0am"])
def test_impossible_times(typed: str) -> None:
    with pytest.raises(Exception, match="must be a real time"):
        FIELD.clean(typed)


def test_a_missing_time_says_what_to_enter() -> None:
    with pytest.raises(Exception, match="Enter the start time, like 10:00 or 14:30"):
        FIELD.clean("")


@pytest.mark.django_db
def test_the_session_form_checks_the_times_and_the_places(
    centre_worker: Actor, programme: Programme
) -> None:
    data = {
        "programme": programme.pk,
        "date_day": "1",
        "date_month": "2",
        "date_year": "2026",
        "starts": "10:00",
        "ends": "10:00",
        "venue": "Hall",
        "capacity": "0",
    }
    form = SessionForm(
        data,
        programmes=selectors.programmes(centre_worker),
        staff=selectors.team_staff(centre_worker),
    )
    assert not form.is_valid()
    assert form.errors == {
        "ends": ["The end time must be after the start time"],
        "capacity": ["The session must take at least 1 family"],
    }


@pytest.mark.django_db
def test_a_ticked_child_counts_their_family_and_nothing_else_is_taken(
    centre_worker: Actor, session: Session, families: list[Family]
) -> None:
    for family in families[:2]:
        BookingFactory(session=session, family=family)
    register = selectors.register(centre_worker, session.pk)
    first, second = families[:2]
    child = first.members.get(kind=PersonKind.CHILD)
    other_child = second.members.get(kind=PersonKind.CHILD)
    data = QueryDict(mutable=True)
    data.setlist("shown", [str(first.pk), str(second.pk), str(families[3].pk), "x"])
    data.setlist(f"children-{first.pk}", [str(child.pk), str(other_child.pk)])
    form = RegisterForm(register, data)
    assert form.shown == {first.pk, second.pk}
    assert form.attended == {first.pk: {child.pk}}

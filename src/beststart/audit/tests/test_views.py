"""The privacy officer's audit page: filters by person, family, username and date; every
other role gets the same 404 as a page that does not exist."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from beststart.accounts.actors import Actor
from beststart.accounts.models import Role, Team
from beststart.accounts.tests.factories import make_actor
from beststart.audit.models import AuditEvent
from beststart.audit.tests.factories import AuditEventFactory
from beststart.core.categories import AccessAction
from beststart.families.tests.factories import family_with_people

pytestmark = pytest.mark.django_db


def _at(day: dt.date, hour: int = 12, minute: int = 0) -> dt.datetime:
    """A moment in London time (the service's time zone)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _on(name: str, day: dt.date) -> dict[str, str]:
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }


@pytest.fixture
def privacy(team: Team, client_for: Callable[[Actor], Client]) -> Client:
    return client_for(make_actor(Role.PRIVACY_OFFICER, team))


@pytest.fixture
def events() -> dict[str, AuditEvent]:
    return {
        "a": AuditEventFactory(
            username="amy.midwife", family_id=1, person_id=11, occurred_at=_at(dt.date(2026, 1, 5))
        ),
        "b": AuditEventFactory(
            username="ben.visitor", family_id=1, person_id=12, occurred_at=_at(dt.date(2026, 2, 5))
        ),
        "c": AuditEventFactory(
            username="amy.midwife", family_id=2, person_id=21, occurred_at=_at(dt.date(2026, 3, 5))
        ),
        # Just after midnight in summer: 23:30 UTC on 1 July, but 2 July in London.
        "d": AuditEventFactory(
            username="cal.hub",
            family_id=3,
            person_id=None,
            occurred_at=_at(dt.date(2026, 7, 2), 0, 30),
        ),
    }


def _shown(client: Client, **filters: str) -> set[int]:
    response = client.get("/audit/", filters)
    assert response.status_code == 200
    return {event.pk for event in response.context["page"].object_list}


def _ids(events: dict[str, AuditEvent], keys: str) -> set[int]:
    return {events[key].pk for key in keys}


def test_unfiltered_shows_every_event_newest_first(
    privacy: Client, events: dict[str, AuditEvent]
) -> None:
    response = privacy.get("/audit/")
    assert [e.pk for e in response.context["page"].object_list] == [
        events[key].pk for key in "dcba"
    ]
    assert "Who looked at what" in response.content.decode()


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"person_id": "11"}, "a"),
        ({"family_id": "1"}, "ab"),
        ({"username": "amy.midwife"}, "ac"),
        ({"username": "amy.midwife", "family_id": "2"}, "c"),
        ({"date_from_day": "1", "date_from_month": "2", "date_from_year": "2026"}, "bcd"),
        ({"date_to_day": "5", "date_to_month": "2", "date_to_year": "2026"}, "ab"),
        (
            {
                "date_from_day": "5",
                "date_from_month": "2",
                "date_from_year": "2026",
                "date_to_day": "5",
                "date_to_month": "3",
                "date_to_year": "2026",
            },
            "bc",
        ),
        # The privacy officer's dates are London dates, whatever the database stores.
        ({**_on("date_from", dt.date(2026, 7, 2)), **_on("date_to", dt.date(2026, 7, 2))}, "d"),
        ({**_on("date_from", dt.date(2026, 7, 1)), **_on("date_to", dt.date(2026, 7, 1))}, ""),
        ({"username": "nobody"}, ""),
    ],
)
def test_filters(
    privacy: Client, events: dict[str, AuditEvent], filters: dict[str, str], expected: str
) -> None:
    assert _shown(privacy, **filters) == _ids(events, expected)


def test_an_invalid_filter_shows_its_error_and_what_was_typed(
    privacy: Client, events: dict[str, AuditEvent]
) -> None:
    response = privacy.get("/audit/", {"family_id": "abc"})
    page = response.content.decode()
    assert "There is a problem" in page
    assert 'href="#id_family_id"' in page
    assert 'value="abc"' in page


@pytest.mark.parametrize("role", [role for role in Role if role != Role.PRIVACY_OFFICER])
def test_every_other_role_gets_404(
    role: str, team: Team, client_for: Callable[[Actor], Client], events: dict[str, AuditEvent]
) -> None:
    response = client_for(make_actor(role, team)).get("/audit/", {"username": "amy.midwife"})
    assert response.status_code == 404
    assert "amy.midwife" not in response.content.decode()


def test_a_practitioners_own_reads_appear_in_the_audit(
    actor: Actor, signed_in: Client, privacy: Client
) -> None:
    family = family_with_people(team=actor.team, practitioner=actor.user)
    signed_in.get(f"/families/{family.pk}/")
    response = privacy.get("/audit/", {"username": actor.user.username})
    rows = list(response.context["page"].object_list)
    assert [(row.family_id, row.action, row.outcome) for row in rows] == [
        (family.pk, "view", "allowed")
    ]
    assert actor.user.username in response.content.decode()


def test_a_privacy_officers_query_is_itself_audited(privacy: Client) -> None:
    privacy.get("/audit/", {"person_id": "4242"})

    query = AuditEvent.objects.get(action=AccessAction.AUDIT_QUERY)
    assert query.person_id == 4242
    assert query.role == Role.PRIVACY_OFFICER

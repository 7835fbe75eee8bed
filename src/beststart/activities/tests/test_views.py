"""The centre's pages as its practitioners use them: sessions, bookings and the waiting list,
the register on a tablet, walk-ins through search-before-create, and registration. Errors are
GOV.UK errors, everything shown is audited, and every other role gets a 404."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from beststart.accounts.actors import Actor
from beststart.accounts.models import OrganisationType, Role, Team
from beststart.accounts.tests.factories import OrganisationFactory, TeamFactory, make_actor
from beststart.activities.models import (
    Attendance,
    Booking,
    BookingStatus,
    CentreRegistration,
    Meeting,
    MeetingAction,
    MeetingNote,
    Programme,
    Session,
)
from beststart.activities.tests.conftest import Partnership, at
from beststart.activities.tests.factories import (
    AttendanceFactory,
    BookingFactory,
    CentreRegistrationFactory,
    MeetingActionFactory,
    MeetingNoteFactory,
    SessionFactory,
)
from beststart.audit.models import AuditEvent, Outcome
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.families.models import ChronologyEvent, EventKind, Family, PersonKind
from beststart.families.tests.factories import ChronologyEventFactory, family_with_people
from beststart.families.tests.test_views import assert_error, date_parts, error_summary, page
from beststart.sharing.tests.factories import ConsentFactory, SharingAgreementFactory

# Programmes, sessions, bookings and registers


pytestmark = pytest.mark.django_db


@pytest.fixture
def centre_client(centre_worker: Actor, client_for: Callable[[Actor], Client]) -> Client:
    return client_for(centre_worker)


def book(session: Session, *families: Family, status: str = BookingStatus.BOOKED) -> None:
    for family in families:
        BookingFactory(session=session, family=family, status=status)


def listed(actor: Actor, response: Any) -> set[int]:
    return set(
        AuditEvent.objects.filter(
            request_id=response["X-Request-Id"],
            user_id=actor.user.pk,
            action=AccessAction.LIST,
            category=DataCategory.FAMILY_SUPPORT,
            outcome=Outcome.ALLOWED,
        ).values_list("family_id", flat=True)
    )


def banner(response: Any) -> str:
    match = re.search(r'govuk-notification-banner__heading">(.*?)</p>', page(response), re.S)
    return match.group(1).replace("&#x27;", "'") if match else ""


# ---------------------------------------------------------------------------------------------
# Who may use the pages


def test_the_navigation_offers_sessions_to_centre_staff_only(
    centre_client: Client, signed_in: Client
) -> None:
    items = [item["text"] for item in centre_client.get("/caseload/").context["navigation"]]
    assert items == [
        "My caseload",
        "Search",
        "New family",
        "Referrals",
        "Assessments",
        "Sessions",
        "Family Matters",
    ]
    assert "Sessions" not in [
        item["text"] for item in signed_in.get("/caseload/").context["navigation"]
    ]


@pytest.mark.parametrize("role", list(Role))
def test_only_family_hub_workers_and_their_managers_run_sessions(
    role: str, centre: Team, session: Session, client_for: Callable[[Actor], Client]
) -> None:
    """Everyone else in the centre's own team, and anyone in any other team, gets a 404."""
    client = client_for(make_actor(role, centre))
    allowed = role in {Role.FAMILY_HUB_WORKER, Role.TEAM_MANAGER}
    for url in ("/sessions/", f"/sessions/{session.pk}/", f"/sessions/{session.pk}/register/"):
        assert client.get(url).status_code == (200 if allowed else 404), url


def test_a_family_hub_role_outside_a_family_hub_runs_no_sessions(
    team: Team, client_for: Callable[[Actor], Client]
) -> None:
    client = client_for(make_actor(Role.FAMILY_HUB_WORKER, team))  # a health visiting team
    assert client.get("/sessions/").status_code == 404


def test_another_centres_session_is_not_found(centre_client: Client) -> None:
    hubs = OrganisationFactory(type=OrganisationType.FAMILY_HUB)
    elsewhere = SessionFactory(programme__team=TeamFactory(organisation=hubs))
    for suffix in ("", "register/", "book/", "register/walk-in/"):
        assert centre_client.get(f"/sessions/{elsewhere.pk}/{suffix}").status_code == 404


# ---------------------------------------------------------------------------------------------
# Programmes and sessions


def test_the_sessions_page_counts_places_and_names_no_family(
    centre_client: Client, session: Session, programme: Programme, families: list[Family]
) -> None:
    book(session, *families[:2])
    book(session, families[2], status=BookingStatus.WAITING)
    later = clock.today() + dt.timedelta(days=10)
    SessionFactory(programme=programme, starts_at=at(later, 14), ends_at=at(later, 15))
    response = centre_client.get("/sessions/")
    text = page(response)
    assert "This week" in text
    assert "Coming up" in text
    assert text.count("Stay and Play at Riverside<span") == 2
    assert re.search(r"2 of 2 <strong class=\"govuk-tag govuk-tag--orange\">Full", text)
    assert not any(family.name in text for family in families)


def test_another_week_of_sessions(
    centre_client: Client, programme: Programme, session: Session
) -> None:
    earlier = clock.today() - dt.timedelta(days=14)
    SessionFactory(programme=programme, starts_at=at(earlier, 9), ends_at=at(earlier, 10))
    monday = earlier - dt.timedelta(days=earlier.weekday())
    text = page(centre_client.get(f"/sessions/?week={monday:%Y-%m-%d}"))
    assert f"Week of {monday.day} {monday:%B %Y}" in text
    assert "Stay and Play at Riverside" in text
    assert "Coming up" not in text
    assert page(centre_client.get("/sessions/?week=not-a-date")).count("This week") == 1


def test_adding_a_programme(centre_client: Client, centre: Team) -> None:
    response = centre_client.post("/programmes/new/", {"name": "", "kind": ""})
    assert [message for _, message in error_summary(response)] == [
        "Enter the name of the programme",
        "Select what kind of programme it is",
    ]
    response = centre_client.post(
        "/programmes/new/", {"name": "Bump to Baby", "kind": "breastfeeding_support"}
    )
    assert response.status_code == 302
    assert Programme.objects.get(name="Bump to Baby").team == centre


def test_a_session_form_with_errors_keeps_what_was_typed(
    centre_client: Client, programme: Programme
) -> None:
    day = clock.today() + dt.timedelta(days=2)
    data = {
        "programme": str(programme.pk),
        **date_parts("date", day),
        "starts": "14:00",
        "ends": "1pm",
        "venue": "Garden room",
        "capacity": "0",
    }
    response = centre_client.post("/sessions/new/", data)
    assert error_summary(response) == [
        ("id_ends", "The end time must be after the start time"),
        ("id_capacity", "The session must take at least 1 family"),
    ]
    text = page(response)
    assert 'value="Garden room"' in text
    assert 'value="1pm"' in text
    response = centre_client.post("/sessions/new/", data | {"ends": "15.30", "capacity": "12"})
    session = Session.objects.get()
    assert response["Location"] == f"/sessions/{session.pk}/"
    assert (session.starts_at, session.ends_at) == (at(day, 14), at(day, 15, 30))


def test_no_session_without_a_programme(centre_client: Client) -> None:
    text = page(centre_client.get("/sessions/new/"))
    assert "your team runs none yet" in text
    assert 'href="/programmes/new/"' in text


# ---------------------------------------------------------------------------------------------
# Bookings and the waiting list


def test_find_and_book_a_family_then_the_waiting_list(
    centre_worker: Actor, centre_client: Client, session: Session, families: list[Family]
) -> None:
    surname = families[0].name.removesuffix(" family")
    results = centre_client.post(f"/sessions/{session.pk}/book/", {"step": "search", "q": surname})
    assert f'name="family" value="{families[0].pk}"' in page(results)
    booked = centre_client.post(
        f"/sessions/{session.pk}/book/",
        {"step": "book", "q": surname, "family": families[0].pk},
        follow=True,
    )
    assert banner(booked) == f"The {families[0].name} is booked on the session"
    assert families[0].name in page(booked)
    assert families[0].pk in listed(centre_worker, booked)

    again = centre_client.post(
        f"/sessions/{session.pk}/book/", {"step": "book", "q": surname, "family": families[0].pk}
    )
    assert error_summary(again) == [
        ("", f"The {families[0].name} already has a place on this session")
    ]
    assert f'name="family" value="{families[0].pk}"' in page(again), "the results are kept"

    centre_client.post(
        f"/sessions/{session.pk}/book/", {"step": "book", "family": families[1].pk}, follow=True
    )
    waiting = centre_client.post(
        f"/sessions/{session.pk}/book/", {"step": "book", "family": families[2].pk}, follow=True
    )
    assert banner(waiting).startswith(
        f"The session is full: the {families[2].name} is on the waiting list, number 1."
    )


def test_booking_a_family_the_centre_does_not_work_with_is_not_found(
    centre_client: Client, session: Session, world: Any
) -> None:
    response = centre_client.post(
        f"/sessions/{session.pk}/book/", {"step": "book", "family": world.family.pk}
    )
    assert response.status_code == 404
    assert not Booking.objects.exists()


def test_cancelling_a_place_gives_it_to_the_first_waiting(
    centre_client: Client, session: Session, families: list[Family]
) -> None:
    book(session, *families[:2])
    book(session, families[2], families[3], status=BookingStatus.WAITING)
    first = Booking.objects.get(family=families[0])
    url = f"/sessions/{session.pk}/bookings/{first.pk}/cancel/"
    assert f"Cancel the {families[0].name}'s place?" in page(centre_client.get(url)).replace(
        "&#x27;", "'"
    )
    response = centre_client.post(url, follow=True)
    assert banner(response) == (
        f"Booking for the {families[0].name} cancelled. The place has gone to the "
        f"{families[2].name}, first on the waiting list."
    )
    assert Booking.objects.get(family=families[2]).status == BookingStatus.BOOKED
    assert centre_client.get(url).status_code == 404, "a cancelled booking is gone"


def test_booking_from_the_family_record(
    centre_client: Client, session: Session, families: list[Family]
) -> None:
    family = families[0]
    record = page(centre_client.get(f"/families/{family.pk}/"))
    assert f'href="/families/{family.pk}/sessions/"' in record
    assert f'href="/families/{family.pk}/centre-registrations/new/"' in record
    response = centre_client.post(
        f"/families/{family.pk}/sessions/", {"session": session.pk}, follow=True
    )
    assert banner(response) == f"The {family.name} is booked on the session"
    assert 'govuk-tag--green">Booked' in page(response)
    again = centre_client.post(f"/families/{family.pk}/sessions/", {"session": session.pk})
    assert error_summary(again) == [("", f"The {family.name} already has a place on this session")]


# ---------------------------------------------------------------------------------------------
# The register


def test_take_a_register_and_save_it_twice(
    centre_worker: Actor, centre_client: Client, session: Session, families: list[Family]
) -> None:
    book(session, *families[:3])
    url = f"/sessions/{session.pk}/register/"
    response = centre_client.get(url)
    text = page(response)
    for family in families[:3]:
        assert f'id="family-{family.pk}"' in text
        child = family.members.get(kind=PersonKind.CHILD)
        assert child.given_name in text
    assert families[3].name not in text
    assert listed(centre_worker, response) == {family.pk for family in families[:3]}

    child = families[0].members.get(kind=PersonKind.CHILD)
    ticks = {
        "shown": [family.pk for family in families[:3]],
        "family": [families[0].pk],
        f"children-{families[0].pk}": [child.pk],
        f"children-{families[1].pk}": [families[1].members.get(kind=PersonKind.CHILD).pk],
    }
    saved = centre_client.post(url, ticks, follow=True)
    assert banner(saved) == "Register saved: 2 families attended"
    again = centre_client.post(url, ticks, follow=True)
    assert banner(again) == "Register saved: 2 families attended"
    assert Attendance.objects.filter(session=session).count() == 2
    assert ChronologyEvent.objects.filter(kind=EventKind.ATTENDED).count() == 2
    assert f'id="child-{child.pk}" name="children-{families[0].pk}" type="checkbox" ' in page(again)
    assert "checked" in re.search(rf'<input[^>]*id="child-{child.pk}"[^>]*>', page(again))[0]


def test_a_full_register_warns_and_still_saves(
    centre_client: Client, session: Session, families: list[Family]
) -> None:
    book(session, *families[:2])
    for family in families[2:]:
        AttendanceFactory(session=session, family=family, walk_in=True)
    url = f"/sessions/{session.pk}/register/"
    ticks = {"shown": [f.pk for f in families], "family": [f.pk for f in families]}
    response = centre_client.post(url, ticks, follow=True)
    assert banner(response) == "Register saved: 4 families attended"
    text = page(response)
    assert "Over capacity: 4 families are on the register of a session for 2." in text
    assert "walked in" in text


def test_a_register_before_the_day_cannot_be_saved(
    centre_client: Client, programme: Programme, families: list[Family]
) -> None:
    tomorrow = clock.today() + dt.timedelta(days=1)
    later = SessionFactory(programme=programme, starts_at=at(tomorrow, 9), ends_at=at(tomorrow, 10))
    book(later, families[0])
    url = f"/sessions/{later.pk}/register/"
    text = page(centre_client.get(url))
    assert "The register opens on the day of the session" in text
    assert "Save register" not in text
    centre_client.post(url, {"shown": [families[0].pk], "family": [families[0].pk]})
    assert not Attendance.objects.exists()


def test_centre_pages_show_no_health_information(
    centre_client: Client, session: Session, families: list[Family], team: Team
) -> None:
    """The register and the session page show names and the centre's own records, never the
    health visitors' notes, even where consent would let the centre read them on the record."""
    family = families[0]
    ChronologyEventFactory(
        family=family,
        category=DataCategory.HEALTH,
        summary="Weight on the 9th centile",
        team=team,
    )
    book(session, family)
    for url in (f"/sessions/{session.pk}/", f"/sessions/{session.pk}/register/"):
        text = page(centre_client.get(url))
        assert family.name in text
        assert "Weight on the 9th centile" not in text


# ---------------------------------------------------------------------------------------------
# Walk-ins


def identity(person: Any) -> dict[str, str]:
    return {
        "given_name": person.given_name,
        "family_name": person.family_name,
        **date_parts("date_of_birth", person.date_of_birth),
        "nhs_number": "",
    }


def test_a_walk_in_found_on_the_register_registers_in_person(
    centre_client: Client, session: Session, centre: Team, world: Any
) -> None:
    family = world.family  # known only to the health visitors
    mother = family.members.get(kind=PersonKind.PARENT)
    url = f"/sessions/{session.pk}/register/walk-in/"
    assert centre_client.get(url).status_code == 200
    checked = centre_client.post(url, {"step": "check", **identity(mother)})
    text = page(checked)
    assert "1 family found" in text
    assert f'name="family" value="{family.pk}"' in text
    assert "Health Visiting North" in text  # who knows them: enough to confirm identity
    assert mother.nhs_number not in text

    refused = centre_client.post(url, {"step": "add", "family": family.pk, **identity(mother)})
    assert error_summary(refused) == [
        (
            f"in-person-{family.pk}",
            "Confirm the family is here and wants to register with the centre",
        )
    ]
    added = centre_client.post(
        url,
        {"step": "add", "family": family.pk, "in_person": "on", **identity(mother)},
        follow=True,
    )
    assert banner(added) == f"The {family.name} is on the register and registered with {centre}"
    assert Attendance.objects.get(session=session, family=family).walk_in
    assert CentreRegistration.objects.filter(family=family, team=centre, ended_on=None).exists()


def test_a_walk_in_must_be_one_the_identity_check_found(
    centre_client: Client, session: Session, world: Any
) -> None:
    """Posting another family's id with a check that does not find them opens nothing."""
    mother = world.family.members.get(kind=PersonKind.PARENT)
    stranger = family_with_people(team=TeamFactory())
    response = centre_client.post(
        f"/sessions/{session.pk}/register/walk-in/",
        {"step": "add", "family": stranger.pk, "in_person": "on", **identity(mother)},
    )
    assert response.status_code == 404
    assert not Attendance.objects.exists()
    assert AuditEvent.objects.filter(family_id=stranger.pk, outcome=Outcome.DENIED).exists()


def test_a_walk_in_new_to_everyone_is_created_and_comes_back(
    centre_client: Client, session: Session, centre: Team
) -> None:
    from beststart.places.tests.factories import PostcodeFactory

    postcode = PostcodeFactory(postcode="XW4 5EF").postcode
    url = f"/sessions/{session.pk}/register/walk-in/"
    born = clock.today() - dt.timedelta(days=200)
    person = {
        "given_name": "Marigold",
        "family_name": "Zephyrine",
        **date_parts("date_of_birth", born),
    }
    text = page(centre_client.post(url, {"step": "check", **person, "nhs_number": ""}))
    assert "No one on the register matches" in text
    assert f'href="/families/new/?next={url}"' in text

    form = page(centre_client.get(f"/families/new/?next={url}"))
    assert f'name="next" value="{url}"' in form
    created = centre_client.post(
        "/families/new/",
        {
            "step": "create",
            "next": url,
            "kind": "child",
            "sex": "female",
            **person,
            "line_1": "4 Mill Road",
            "town": "Testbury",
            "postcode": postcode,
            **date_parts("moved_in", born),
        },
    )
    family = Family.objects.get(name="Zephyrine family")
    assert created["Location"] == f"{url}?family={family.pk}"
    back = page(centre_client.get(created["Location"]))
    assert f"Add the {family.name} to the register" in back
    added = centre_client.post(url, {"step": "returned", "family": family.pk}, follow=True)
    assert banner(added).startswith(f"The {family.name} is on the register")
    assert Attendance.objects.get(family=family).walk_in


@pytest.mark.parametrize(
    "target", ["https://elsewhere.example/", "//elsewhere.example/", "/sessions/?x=1", "sessions/"]
)
def test_creating_a_family_returns_only_to_a_page_of_the_site(
    centre_client: Client, target: str
) -> None:
    form = page(centre_client.get("/families/new/", {"next": target}))
    assert 'name="next"' not in form


# ---------------------------------------------------------------------------------------------
# Registration with a centre


def test_register_a_family_and_end_the_registration(
    centre_client: Client, centre: Team, families: list[Family]
) -> None:
    family = families[0]
    url = f"/families/{family.pk}/centre-registrations/new/"
    assert 'value="' + str(clock.today().day) + '"' in page(centre_client.get(url))
    response = centre_client.post(url, date_parts("registered_on", clock.today()), follow=True)
    assert banner(response) == f"Registered with {centre.name}"
    assert f"Registered with {centre.name} since" in page(response)
    assert "Register with this centre" not in page(response)

    again = centre_client.post(url, date_parts("registered_on", clock.today()))
    assert error_summary(again)[0][1].startswith(f"The {family.name} is already registered")

    registration = CentreRegistration.objects.get(family=family)
    end = f"/families/{family.pk}/centre-registrations/{registration.pk}/end/"
    ended = centre_client.post(end, date_parts("ended_on", clock.today()), follow=True)
    assert banner(ended) == f"Registration with {centre.name} ended"
    assert "Register with this centre" in page(ended)
    assert centre_client.get(end).status_code == 404


def test_the_record_shows_another_centres_registration_only_as_the_policy_allows(
    signed_in: Client, world: Any, centre: Team
) -> None:
    """A health visitor sees the family's registration with a centre (family support data
    of another organisation) only with consent and an agreement."""
    family = world.family
    CentreRegistrationFactory(family=family, team=centre)
    text = page(signed_in.get(f"/families/{family.pk}/"))
    assert "No registration with a children's centre that you can see." in text
    assert "Register with this centre" not in text

    mother = family.members.get(kind=PersonKind.PARENT)
    ConsentFactory(person=mother, recipient_types=[OrganisationType.HEALTH_VISITING_SERVICE])
    SharingAgreementFactory()
    text = page(signed_in.get(f"/families/{family.pk}/"))
    assert f"Registered with {centre.name} since" in text
    assert "Register with this centre" not in text


def test_registered_families_by_month(
    centre_worker: Actor, centre_client: Client, centre: Team, families: list[Family]
) -> None:
    today = clock.today()
    for family in families[:3]:
        CentreRegistrationFactory(family=family, team=centre, registered_on=today)
    CentreRegistrationFactory(
        family=families[3], team=centre, registered_on=today - dt.timedelta(days=400)
    )
    response = centre_client.get("/centre/families/")
    text = page(response)
    assert "4 families are registered with the centre" in text
    assert re.search(
        rf'{today:%B %Y}</th><td class="govuk-table__cell govuk-table__cell--numeric">3</td>', text
    )
    assert listed(centre_worker, response) == {family.pk for family in families}


pytestmark = pytest.mark.django_db

# Family Matters meetings


def days(count: int) -> dt.date:
    return clock.today() + dt.timedelta(days=count)


def meeting_url(meeting: Meeting, suffix: str = "") -> str:
    return f"/meetings/{meeting.pk}/{suffix}"


@pytest.fixture
def hub_client(partnership: Partnership, client_for: Callable[[Actor], Client]) -> Client:
    return client_for(partnership.hub)


@pytest.fixture
def health_client(partnership: Partnership, client_for: Callable[[Actor], Client]) -> Client:
    return client_for(partnership.health_visitor)


def test_the_meetings_page(partnership: Partnership, health_client: Client) -> None:
    past = partnership.meet(-28)
    MeetingActionFactory(meeting=past, family=partnership.shared, team=partnership.health_team)
    response = health_client.get("/meetings/")
    text = page(response)
    assert response.status_code == 200
    assert "Family Matters meetings" in text
    assert "Riverside Family Hub" in text
    assert f'href="/meetings/{partnership.meeting.pk}/"' in text
    assert f'href="/meetings/{past.pk}/"' in text
    assert "Plan a meeting" in text
    assert "Bramblewick" not in text  # dates, teams and counts only


@pytest.mark.parametrize("role", [Role.GP_PRACTICE_STAFF, Role.SCHOOL_STAFF])
def test_a_gp_or_a_school_cannot_open_a_meeting(
    partnership: Partnership, client_for: Callable[[Actor], Client], role: str
) -> None:
    client = client_for(make_actor(role, partnership.centre_team))
    for url in (
        "/meetings/",
        "/meetings/new/",
        meeting_url(partnership.meeting),
        meeting_url(partnership.meeting, "notes/new/"),
        meeting_url(partnership.meeting, "actions/new/"),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Page not found" in page(response)
        assert "Bramblewick" not in page(response)


def test_a_team_not_at_the_meeting_gets_not_found(
    partnership: Partnership, stranger: Actor, client_for: Callable[[Actor], Client]
) -> None:
    client = client_for(stranger)
    assert client.get(meeting_url(partnership.meeting)).status_code == 404
    response = client.post(
        meeting_url(partnership.meeting, "notes/new/"),
        {"family": partnership.shared.pk, "text": "Hello"},
    )
    assert response.status_code == 404
    assert not MeetingNote.objects.exists()


def test_the_agenda_page_lists_the_families_both_teams_work_with(
    partnership: Partnership, health_client: Client
) -> None:
    response = health_client.get(meeting_url(partnership.meeting))
    text = page(response)
    assert response.status_code == 200
    assert "Bramblewick family" in text
    assert "Hubworthy" not in text
    assert "Visitorby" not in text
    assert f"notes/new/?family={partnership.shared.pk}" in text
    assert AuditEvent.objects.filter(
        request_id=response["X-Request-Id"],
        family_id=partnership.shared.pk,
        action=AccessAction.LIST,
        outcome=Outcome.ALLOWED,
    ).exists()


def test_the_agenda_shows_carried_over_actions_notes_and_actions(
    partnership: Partnership, health_client: Client
) -> None:
    earlier = partnership.meet(-28)
    common = {"family": partnership.shared, "team": partnership.health_team}
    MeetingActionFactory(
        meeting=earlier,
        description="Chase the hearing test",
        owner=partnership.health_visitor.user,
        due_on=days(-7),
        **common,
    )
    MeetingNoteFactory(meeting=partnership.meeting, text="Moving house next month", **common)
    response = health_client.get(meeting_url(partnership.meeting))
    text = page(response)
    assert "Open actions from earlier meetings" in text
    assert "Chase the hearing test" in text
    assert "Overdue" in text
    assert "Moving house next month" in text
    assert "Mark done" in text


def test_plan_a_meeting(partnership: Partnership, hub_client: Client) -> None:
    form = hub_client.get("/meetings/new/")
    assert form.status_code == 200
    assert "Health Visiting North" in page(form)
    response = hub_client.post(
        "/meetings/new/",
        {"partner": partnership.health_team.pk, **date_parts("held_on", days(28))},
    )
    meeting = Meeting.objects.get(held_on=days(28))
    assert response.status_code == 302
    assert response["Location"] == meeting_url(meeting)
    assert "planned" in page(hub_client.get(response["Location"]))


def test_plan_a_meeting_with_errors_keeps_what_was_typed(
    partnership: Partnership, hub_client: Client
) -> None:
    response = hub_client.post("/meetings/new/", date_parts("held_on", ("31", "2", "2027")))
    assert_error(response, "partner", "Select the team you are meeting", anchor="id_partner_0")
    assert_error(
        response, "held_on", "Date of the meeting must be a real date", anchor="id_held_on_0"
    )
    assert 'value="31"' in page(response)
    response = hub_client.post(
        "/meetings/new/",
        {"partner": partnership.health_team.pk, **date_parts("held_on", clock.today())},
    )
    assert (
        "id_held_on_0",
        f"Riverside Family Hub and Health Visiting North already have a "
        f"meeting on {clock.today().day} {clock.today():%B %Y}",
    ) in error_summary(response)
    assert Meeting.objects.count() == 1


def test_add_a_note_from_the_agenda(partnership: Partnership, hub_client: Client) -> None:
    url = meeting_url(partnership.meeting, "notes/new/")
    form = hub_client.get(f"{url}?family={partnership.shared.pk}")
    assert form.status_code == 200
    assert f'<option value="{partnership.shared.pk}" selected>' in page(form)
    response = hub_client.post(
        url, {"family": partnership.shared.pk, "text": "Came to stay and play twice"}
    )
    assert response.status_code == 302
    assert response["Location"] == (
        meeting_url(partnership.meeting) + f"#family-{partnership.shared.pk}"
    )
    agenda = page(hub_client.get(response["Location"]))
    assert "Note added for the Bramblewick family" in agenda
    assert "Came to stay and play twice" in agenda
    record = page(hub_client.get(f"/families/{partnership.shared.pk}/"))
    assert "Discussed at Family Matters: Came to stay and play twice" in record


def test_a_note_with_errors_keeps_what_was_typed(
    partnership: Partnership, health_client: Client
) -> None:
    url = meeting_url(partnership.meeting, "notes/new/")
    response = health_client.post(url, {"family": partnership.shared.pk, "text": "  "})
    assert_error(response, "text", "Enter what was discussed")
    response = health_client.post(
        url, {"family": partnership.health_only.pk, "text": "Offer a place at stay and play"}
    )
    assert_error(response, "family", "Choose a family on this meeting's agenda")
    assert "Offer a place at stay and play</textarea>" in page(response)
    assert "Visitorby" not in page(response)  # not offered: the centre does not work with them
    assert not MeetingNote.objects.exists()


def test_add_an_action(partnership: Partnership, health_client: Client) -> None:
    url = meeting_url(partnership.meeting, "actions/new/")
    form = page(health_client.get(f"{url}?family={partnership.shared.pk}"))
    owner = partnership.health_visitor.user
    assert f'<option value="{owner.pk}" selected>' in form
    assert f"{partnership.hub.user.get_full_name()} (Riverside Family Hub)" in html.unescape(form)
    response = health_client.post(
        url,
        {
            "family": partnership.shared.pk,
            "description": "Book the 2-year review",
            "owner": owner.pk,
            **date_parts("due_on", days(21)),
        },
    )
    assert response.status_code == 302
    action = MeetingAction.objects.get()
    assert (action.description, action.owner, action.due_on) == (
        "Book the 2-year review",
        owner,
        days(21),
    )
    assert "Book the 2-year review" in page(health_client.get(response["Location"]))


def test_an_action_with_errors_keeps_what_was_typed(
    partnership: Partnership, hub_client: Client
) -> None:
    response = hub_client.post(
        meeting_url(partnership.meeting, "actions/new/"),
        {
            "family": partnership.shared.pk,
            "description": "Ask about the hearing test",
            "owner": partnership.health_visitor.user.pk,  # no consent to share with them
            **date_parts("due_on", days(-3)),
        },
    )
    assert_error(
        response,
        "due_on",
        f"The due date must be on or after the day of the meeting, "
        f"{clock.today().day} {clock.today():%B %Y}",
        anchor="id_due_on_0",
    )
    summary = dict(error_summary(response))
    assert "would not be able to see this action" in summary["id_owner"]
    assert "Ask about the hearing test</textarea>" in page(response)
    assert f'value="{days(-3).day}"' in page(response)
    assert not MeetingAction.objects.exists()


def test_mark_an_action_done(partnership: Partnership, health_client: Client) -> None:
    action = MeetingActionFactory(
        meeting=partnership.meet(-28),
        family=partnership.shared,
        team=partnership.health_team,
        owner=partnership.health_visitor.user,
        description="Chase the hearing test",
        due_on=days(-7),
    )
    url = meeting_url(partnership.meeting, f"actions/{action.pk}/done/")
    form = health_client.get(url)
    assert form.status_code == 200
    assert "Chase the hearing test" in page(form)
    assert f'value="{clock.today().day}"' in page(form)  # today, to start with
    response = health_client.post(url, date_parts("done_on", days(-60)))
    assert_error(
        response,
        "done_on",
        f"The date done must be on or after the meeting that agreed the action, "
        f"{days(-28).day} {days(-28):%B %Y}",
        anchor="id_done_on_0",
    )
    response = health_client.post(url, date_parts("done_on", days(-1)))
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.done_on == days(-1)
    agenda = page(health_client.get(response["Location"]))
    assert "marked done" in agenda
    assert "Chase the hearing test" not in agenda  # done before this meeting: not carried over


def test_someone_else_cannot_open_the_mark_done_page(
    partnership: Partnership, client_for: Callable[[Actor], Client]
) -> None:
    partnership.consent_for(OrganisationType.FAMILY_HUB)
    action = MeetingActionFactory(
        meeting=partnership.meeting,
        family=partnership.shared,
        team=partnership.health_team,
        owner=partnership.health_visitor.user,
    )
    client = client_for(partnership.hub)  # sees the action, neither owns nor recorded it
    url = meeting_url(partnership.meeting, f"actions/{action.pk}/done/")
    assert client.get(url).status_code == 404
    assert client.post(url, date_parts("done_on", days(0))).status_code == 404
    action.refresh_from_db()
    assert action.done_on is None

"""The children's centre activity pages: GOV.UK errors that keep what was typed, refusals as
404s, and every family shown audited."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable

import pytest
from django.test import Client

from beststart.accounts.actors import Actor
from beststart.accounts.models import OrganisationType, Role
from beststart.accounts.tests.factories import make_actor
from beststart.activities.models import Meeting, MeetingAction, MeetingNote
from beststart.activities.tests.conftest import Partnership
from beststart.activities.tests.factories import MeetingActionFactory, MeetingNoteFactory
from beststart.audit.models import AuditEvent, Outcome
from beststart.core import clock
from beststart.core.categories import AccessAction
from beststart.families.tests.test_views import assert_error, date_parts, error_summary, page

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

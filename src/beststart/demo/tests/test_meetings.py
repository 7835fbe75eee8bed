"""The demo county's Family Matters meetings: a year of them for every centre and the health
visitors of its locality, the next one a week away, the same for the same seed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction

from beststart.accounts.models import Membership, OrganisationType
from beststart.activities.models import Meeting, MeetingAction, MeetingNote
from beststart.demo.county import build_county
from beststart.demo.meetings import MEETINGS_BEHIND
from beststart.families.models import ChronologyEvent, EventKind, Involvement

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 3)  # a Wednesday
NEXT = dt.date(2026, 6, 10)


def described() -> dict[str, list[tuple[Any, ...]]]:
    return {
        "meetings": list(
            Meeting.objects.order_by("id").values_list(
                "centre_team__name", "health_team__name", "held_on"
            )
        ),
        "notes": list(
            MeetingNote.objects.order_by("id").values_list(
                "meeting__held_on", "family__name", "text"
            )
        ),
        "actions": list(
            MeetingAction.objects.order_by("id").values_list(
                "family__name",
                "description",
                "owner__first_name",
                "owner__last_name",
                "due_on",
                "done_on",
            )
        ),
    }


def build(seed: int) -> dict[str, list[tuple[Any, ...]]]:
    with transaction.atomic():
        build_county(families=120, seed=seed, today=TODAY)
        description = described()
        check_the_meetings()
        transaction.set_rollback(True)
    return description


def check_the_meetings() -> None:
    hubs = set(Meeting.objects.values_list("centre_team", flat=True))
    assert len(hubs) == 9  # every centre
    for meeting in Meeting.objects.select_related("centre_team", "health_team"):
        assert meeting.centre_team.organisation.type == OrganisationType.FAMILY_HUB
        assert meeting.health_team.organisation.type == OrganisationType.HEALTH_VISITING_SERVICE
        assert meeting.centre_team.locality_id == meeting.health_team.locality_id
        assert meeting.held_on.weekday() < 5
    dates = sorted(set(Meeting.objects.values_list("held_on", flat=True)))
    assert len(dates) == MEETINGS_BEHIND + 1
    assert dates[-1] == NEXT
    assert dates[0] >= TODAY - dt.timedelta(days=366)
    assert not MeetingNote.objects.filter(meeting__held_on=NEXT).exists()

    for note in MeetingNote.objects.select_related("meeting"):
        for team in (note.meeting.centre_team_id, note.meeting.health_team_id):
            assert Involvement.objects.filter(family=note.family_id, team=team).exists()
        assert note.team_id in (note.meeting.centre_team_id, note.meeting.health_team_id)
    for action in MeetingAction.objects.select_related("meeting"):
        assert Membership.objects.filter(user=action.owner_id, team=action.team_id).exists()
        assert action.due_on >= action.meeting.held_on
        if action.done_on:
            assert action.meeting.held_on <= action.done_on < TODAY
    actions = MeetingAction.objects.all()
    assert actions.filter(done_on__isnull=False).count() > actions.count() / 2
    assert actions.filter(done_on__isnull=True, due_on__lt=TODAY).exists()  # some overdue
    events = ChronologyEvent.objects.filter(
        kind__in=[EventKind.DISCUSSED, EventKind.MEETING_ACTION]
    )
    assert events.filter(kind=EventKind.DISCUSSED).count() == MeetingNote.objects.count()
    assert events.filter(kind=EventKind.MEETING_ACTION).count() == (
        actions.count() + actions.filter(done_on__isnull=False).count()
    )
    assert not events.exclude(category="family_support").exists()


def test_the_same_seed_builds_the_same_meetings() -> None:
    first = build(seed=5)
    assert first == build(seed=5)
    assert first["notes"]
    assert first["actions"]
    assert first["notes"] != build(seed=6)["notes"]

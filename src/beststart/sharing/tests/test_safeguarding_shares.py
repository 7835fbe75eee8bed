"""Safeguarding shares: information shared without consent to protect a child, justified and
approved by a team manager who is not the person recording it. A share opens the family's
safeguarding entries to a recipient whose role has a safeguarding function, and to no other."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from beststart.accounts.actors import Actor
from beststart.accounts.models import Organisation, OrganisationType, Role, Team
from beststart.accounts.tests.factories import OrganisationFactory, TeamFactory, make_actor
from beststart.audit.models import AuditEvent, Outcome
from beststart.conftest import World
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.families.models import ChronologyEvent, EventKind, PersonKind
from beststart.families.tests.factories import ChronologyEventFactory, InvolvementFactory
from beststart.families.tests.test_views import (
    checked,
    date_parts,
    error_summary,
    input_value,
    page,
)
from beststart.sharing import actions
from beststart.sharing.models import SafeguardingShare
from beststart.sharing.policy import PRACTITIONER_ROLES, SAFEGUARDING_ROLES

pytestmark = pytest.mark.django_db

CONCERN = "Bruising seen on the baby at the new birth visit, not explained"


@pytest.fixture
def manager(team: Team) -> Actor:
    return make_actor(Role.TEAM_MANAGER, team, first_name="Morwenna", last_name="Lead")


@pytest.fixture
def early_years(db: None) -> Team:
    nursery = OrganisationFactory(name="Acorns Nursery", type=OrganisationType.EARLY_YEARS_SETTING)
    return TeamFactory(organisation=nursery, name="Acorns Nursery staff")


def url(world: World) -> str:
    return f"/families/{world.family.pk}/safeguarding-shares/new/"


def share(world: World, approver: Actor, *recipients: Organisation, **overrides: Any) -> dict:
    return {
        "about": "family",
        "categories": [DataCategory.SAFEGUARDING],
        "recipient_organisations": [organisation.pk for organisation in recipients],
        "justification": CONCERN,
        "approved_by": approver.user.pk,
        **date_parts("starts_on", clock.today()),
        **overrides,
    }


def test_recording_a_share(world: World, signed_in: Client, manager: Actor) -> None:
    hub = world.other_actor.organisation
    mother = world.family.members.get(kind=PersonKind.PARENT)
    response = signed_in.post(
        url(world),
        share(world, manager, hub, about=str(mother.pk), recipient_types=["early_years"]),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/families/{world.family.pk}/"
    recorded = SafeguardingShare.objects.get()
    assert (recorded.family, recorded.person, recorded.categories) == (
        world.family,
        mother,
        ["safeguarding"],
    )
    assert list(recorded.recipient_organisations.all()) == [hub]
    assert recorded.recipient_types == ["early_years"]
    assert (recorded.approved_by, recorded.recorded_by, recorded.recorded_by_team) == (
        manager.user,
        world.actor.user,
        world.actor.team,
    )
    assert recorded.starts_on == clock.today()
    assert recorded.ends_on is None
    event = ChronologyEvent.objects.get(kind=EventKind.SAFEGUARDING_SHARE)
    assert (event.category, event.person, event.team) == (
        DataCategory.SAFEGUARDING,
        mother,
        world.actor.team,
    )
    assert hub.name in event.summary
    assert "Morwenna Lead" in event.summary
    assert AuditEvent.objects.filter(
        request_id=response["X-Request-Id"],
        family_id=world.family.pk,
        person_id=mother.pk,
        category=DataCategory.SAFEGUARDING,
        action=AccessAction.UPDATE,
        outcome=Outcome.ALLOWED,
    ).exists()
    record = page(signed_in.get(response["Location"]))
    assert "Safeguarding share recorded" in record
    assert "Shared for safeguarding without consent" in record


def test_the_form_offers_managers_other_than_the_recorder(
    world: World, manager: Actor, client_for: Callable[[Actor], Client]
) -> None:
    colleague = make_actor(
        Role.HEALTH_VISITOR, world.actor.team, first_name="Not", last_name="Amanager"
    )
    text = page(client_for(world.actor).get(url(world)))
    assert "Morwenna Lead" in text
    assert "Not Amanager" not in text
    assert colleague.user.get_full_name() not in text
    assert 'name="categories" type="checkbox" value="safeguarding" checked' in text
    # A manager recording a share is not offered as their own approver.
    InvolvementFactory(family=world.family, team=manager.team)
    form = page(client_for(manager).get(url(world))).split('name="approved_by"')[1]
    assert "Morwenna Lead" not in form.split("</select>")[0]


def test_what_is_missing_is_said_at_once_and_nothing_typed_is_lost(
    world: World, signed_in: Client, manager: Actor
) -> None:
    data = share(world, manager, categories=[], justification="")
    data["recipient_organisations"] = []
    data |= date_parts("ends_on", clock.today().replace(year=clock.today().year - 1))
    response = signed_in.post(url(world), data | {"justification": "  "})
    assert [message for _, message in error_summary(response)] == [
        "Select the information to share",
        "Select the organisations to share with, or the kinds of organisation",
        "Enter why the information must be shared without consent",
        "The end date must be the same as or after the start date",
    ]
    assert not SafeguardingShare.objects.exists()
    assert checked(response, "about") == ["family"]
    assert input_value(response, "ends_on_year") == data["ends_on_year"]
    assert f'value="{manager.user.pk}" selected' in page(response)


def test_the_approver_must_be_a_manager_and_not_the_recorder(
    world: World, manager: Actor, signed_in: Client
) -> None:
    hub = world.other_actor.organisation
    not_a_manager = make_actor(Role.HEALTH_VISITOR, world.actor.team)
    response = signed_in.post(url(world), share(world, not_a_manager, hub))
    assert error_summary(response) == [
        ("id_approved_by", "Select a team manager other than yourself")
    ]

    def record(recorder: Actor, approver: Actor) -> None:
        actions.record_safeguarding_share(
            actor=recorder,
            family=world.family,
            details=actions.ShareDetails(
                person=None,
                categories=[DataCategory.SAFEGUARDING],
                recipient_organisations=[hub],
                recipient_types=[],
                justification=CONCERN,
                approved_by=approver.user,
                starts_on=clock.today(),
            ),
        )

    with pytest.raises(ValidationError) as refused:
        record(world.actor, not_a_manager)
    assert refused.value.message_dict == {
        "approved_by": [
            "Select a team manager: only a safeguarding lead may approve sharing without consent"
        ]
    }
    InvolvementFactory(family=world.family, team=manager.team)
    with pytest.raises(ValidationError) as refused:
        record(manager, manager)
    assert refused.value.message_dict == {
        "approved_by": ["You cannot approve a share you are recording: select another team manager"]
    }
    assert not SafeguardingShare.objects.exists()
    record(world.actor, manager)
    assert SafeguardingShare.objects.count() == 1


@pytest.mark.parametrize("role", sorted(PRACTITIONER_ROLES - SAFEGUARDING_ROLES))
def test_roles_without_a_safeguarding_function_cannot_share(
    role: str, world: World, manager: Actor, client_for: Callable[[Actor], Client]
) -> None:
    actor = make_actor(role, TeamFactory())
    InvolvementFactory(family=world.family, team=actor.team)
    client = client_for(actor)
    record = page(client.get(f"/families/{world.family.pk}/"))
    assert "safeguarding-shares/new/" not in record
    assert client.get(url(world)).status_code == 404
    response = client.post(url(world), share(world, manager, world.other_actor.organisation))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(
        request_id=response["X-Request-Id"], family_id=world.family.pk, outcome=Outcome.DENIED
    ).exists()
    assert not SafeguardingShare.objects.exists()


def test_a_team_that_does_not_work_with_the_family_cannot_share(
    world: World, manager: Actor, client_for: Callable[[Actor], Client]
) -> None:
    client = client_for(world.other_actor)  # a family hub worker, with a safeguarding function
    assert client.get(url(world)).status_code == 404
    assert (
        client.post(url(world), share(world, manager, world.actor.organisation)).status_code == 404
    )
    assert not SafeguardingShare.objects.exists()


def test_the_record_offers_the_share_to_safeguarding_roles(world: World, signed_in: Client) -> None:
    assert url(world) in page(signed_in.get(f"/families/{world.family.pk}/"))


def test_a_share_opens_safeguarding_entries_to_recipients_with_a_safeguarding_role(
    world: World,
    manager: Actor,
    early_years: Team,
    signed_in: Client,
    client_for: Callable[[Actor], Client],
) -> None:
    """The family hub and the nursery both work with the family. Before the share neither sees
    the health visitors' safeguarding entry; after it, the hub worker (a safeguarding role)
    does, and the early years practitioner (no safeguarding function) still does not."""
    family = world.family
    hub_worker = world.other_actor
    nursery_worker = make_actor(Role.EARLY_YEARS_PRACTITIONER, early_years)
    for team in (hub_worker.team, early_years):
        InvolvementFactory(family=family, team=team)
    entry = ChronologyEventFactory(
        family=family,
        team=world.actor.team,
        kind=EventKind.NOTE,
        category=DataCategory.SAFEGUARDING,
        summary="Strategy discussion held with social care",
    )
    hub, nursery = client_for(hub_worker), client_for(nursery_worker)
    record = f"/families/{family.pk}/"
    assert entry.summary not in page(hub.get(record))
    assert entry.summary not in page(nursery.get(record))

    response = signed_in.post(
        url(world), share(world, manager, hub_worker.organisation, early_years.organisation)
    )
    assert response.status_code == 302

    seen_by_hub = page(hub.get(record))
    assert entry.summary in seen_by_hub
    assert "Shared for safeguarding without consent" in seen_by_hub
    seen_by_nursery = page(nursery.get(record))
    assert entry.summary not in seen_by_nursery
    assert "Shared for safeguarding without consent" not in seen_by_nursery

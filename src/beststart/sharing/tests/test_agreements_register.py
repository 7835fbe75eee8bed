"""The information-sharing agreements register: privacy officers add agreements (with GOV.UK
errors, nothing saved and nothing typed lost on a mistake) and end them; every agreement shows
its state; and once an agreement has ended, information stops flowing under it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from beststart.accounts.actors import Actor
from beststart.accounts.models import OrganisationType, Role
from beststart.accounts.tests.factories import OrganisationFactory, TeamFactory, make_actor
from beststart.audit.models import AuditEvent, Outcome
from beststart.conftest import World
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.families.models import PersonKind
from beststart.families.tests.factories import ChronologyEventFactory, InvolvementFactory
from beststart.families.tests.test_views import (
    assert_error,
    checked,
    date_parts,
    error_summary,
    input_value,
    page,
)
from beststart.sharing import actions
from beststart.sharing.models import LegalBasis, SharingAgreement
from beststart.sharing.policy import Subject, decide
from beststart.sharing.selectors import AgreementState, agreement_state
from beststart.sharing.tests.factories import (
    ConsentFactory,
    SharingAgreementFactory,
    days_from_today,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(db: None) -> Actor:
    return make_actor(Role.PRIVACY_OFFICER, TeamFactory())


@pytest.fixture
def client(officer: Actor, client_for: Callable[[Actor], Client]) -> Client:
    return client_for(officer)


def new_agreement(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "reference": "ISA-2026-004",
        "title": "Health visiting and family hubs",
        "party_types": [OrganisationType.HEALTH_VISITING_SERVICE, OrganisationType.FAMILY_HUB],
        "categories": [DataCategory.HEALTH, DataCategory.FAMILY_SUPPORT],
        "purpose": "Joined-up support for families with young children",
        "legal_basis": LegalBasis.PUBLIC_TASK,
        **date_parts("starts_on", days_from_today(-10)),
        **date_parts("review_on", days_from_today(355)),
    }
    return data | overrides


# ---------------------------------------------------------------------------------------------
# Adding


def test_adding_an_agreement(client: Client, officer: Actor) -> None:
    voluntary = OrganisationFactory(
        name="Little Steps", type=OrganisationType.VOLUNTARY_ORGANISATION
    )
    response = client.post(
        "/privacy/agreements/new/", new_agreement(party_organisations=[voluntary.pk])
    )
    agreement = SharingAgreement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/privacy/agreements/{agreement.pk}/"
    assert agreement.reference == "ISA-2026-004"
    assert agreement.party_types == ["health_visiting", "family_hub"]
    assert list(agreement.party_organisations.all()) == [voluntary]
    assert agreement.categories == ["health", "family_support"]
    assert (agreement.starts_on, agreement.review_on, agreement.ends_on) == (
        days_from_today(-10),
        days_from_today(355),
        None,
    )
    assert agreement.recorded_by == officer.user
    assert AuditEvent.objects.filter(
        user_id=officer.user.pk, action=AccessAction.CREATE, outcome=Outcome.ALLOWED
    ).exists()

    detail = page(client.get(response["Location"]))
    assert "Agreement ISA-2026-004 added to the register" in detail
    for shown in (
        "Health visiting service",
        "Children&#x27;s centre or family hub",
        "Little Steps",
    ):
        assert shown in detail
    assert "In force" in detail


def test_the_form_offers_checkboxes_for_parties_and_categories(client: Client) -> None:
    text = page(client.get("/privacy/agreements/new/"))
    assert 'name="party_types" type="checkbox"' in text
    assert 'name="categories" type="checkbox"' in text
    assert 'name="legal_basis" type="radio"' in text


def test_every_mistake_is_shown_at_once_and_nothing_typed_is_lost(client: Client) -> None:
    SharingAgreementFactory(reference="ISA-2026-004")
    data = new_agreement(
        reference="isa-2026-004",  # the same reference, whatever the case
        party_types=[],
        categories=[],
        **date_parts("review_on", days_from_today(-20)),
        **date_parts("ends_on", days_from_today(-11)),
    )
    response = client.post("/privacy/agreements/new/", data)
    assert [message for _, message in error_summary(response)] == [
        "An agreement with this reference is already on the register: enter another",
        "Select the kinds of organisation the agreement is between, or name the organisations",
        "Select the information the agreement lets the parties share",
        "The review date must be after the start date",
        "The end date must be the same as or after the start date",
    ]
    assert_error(
        response,
        "review_on",
        "The review date must be after the start date",
        anchor="id_review_on_0",
    )
    assert SharingAgreement.objects.count() == 1
    assert input_value(response, "reference") == "isa-2026-004"
    assert input_value(response, "title") == data["title"]
    assert input_value(response, "review_on_year") == data["review_on_year"]
    assert checked(response, "legal_basis") == [LegalBasis.PUBLIC_TASK]
    assert data["purpose"] in page(response)


def test_an_empty_form_says_what_to_enter(client: Client) -> None:
    response = client.post("/privacy/agreements/new/", {})
    messages = [message for _, message in error_summary(response)]
    assert messages == [
        "Enter the agreement's reference",
        "Enter the agreement's title",
        "Select the kinds of organisation the agreement is between, or name the organisations",
        "Select the information the agreement lets the parties share",
        "Enter the purpose of the agreement",
        "Select the legal basis for sharing",
        "Enter the start date",
        "Enter the review date",
    ]
    assert not SharingAgreement.objects.exists()


# ---------------------------------------------------------------------------------------------
# The register and its states


@pytest.mark.parametrize(
    ("dates", "state"),
    [
        ({"starts_on": -10, "review_on": 100, "ends_on": None}, AgreementState.IN_FORCE),
        ({"starts_on": -10, "review_on": 100, "ends_on": 0}, AgreementState.IN_FORCE),
        ({"starts_on": 5, "review_on": 100, "ends_on": None}, AgreementState.NOT_STARTED),
        ({"starts_on": -100, "review_on": -1, "ends_on": None}, AgreementState.REVIEW_OVERDUE),
        ({"starts_on": -100, "review_on": 50, "ends_on": -1}, AgreementState.ENDED),
    ],
)
def test_each_agreement_shows_its_state(
    client: Client, dates: dict[str, int | None], state: AgreementState
) -> None:
    SharingAgreementFactory(
        reference="ISA-STATE",
        **{
            name: None if offset is None else days_from_today(offset)
            for name, offset in dates.items()
        },
    )
    row = page(client.get("/privacy/agreements/")).split("ISA-STATE")[1].split("</tr>")[0]
    assert f'<strong class="govuk-tag {state.tag_class}">{state.label}</strong>' in row


@given(
    starts=st.integers(-400, 400),
    review_after=st.integers(1, 800),
    ends_after=st.none() | st.integers(0, 800),
)
def test_the_state_agrees_with_the_policy_on_whether_an_agreement_is_in_force(
    starts: int, review_after: int, ends_after: int | None
) -> None:
    today = dt.date(2026, 6, 1)
    agreement = SharingAgreement(
        starts_on=today + dt.timedelta(days=starts),
        review_on=today + dt.timedelta(days=starts + review_after),
        ends_on=None if ends_after is None else today + dt.timedelta(days=starts + ends_after),
    )
    state = agreement_state(agreement, today)
    in_force = state in (AgreementState.IN_FORCE, AgreementState.REVIEW_OVERDUE)
    assert in_force == agreement.is_in_force(today)


# ---------------------------------------------------------------------------------------------
# Ending


def test_ending_an_agreement(client: Client) -> None:
    agreement = SharingAgreementFactory()
    url = f"/privacy/agreements/{agreement.pk}/"
    assert "End this agreement" in page(client.get(url))
    response = client.post(url, date_parts("ends_on", days_from_today(-1)))
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.ends_on == days_from_today(-1)
    text = page(client.get(url))
    assert f"ends on {days_from_today(-1):%-d %B %Y}" in text
    assert "Ended" in text
    assert "End this agreement" not in text  # the form has gone

    again = client.post(url, date_parts("ends_on", days_from_today(0)))
    assert error_summary(again) == [
        ("", f"This agreement ended on {days_from_today(-1):%-d %B %Y}")
    ]


def test_an_agreement_cannot_end_before_it_starts(client: Client) -> None:
    agreement = SharingAgreementFactory(starts_on=days_from_today(-5))
    response = client.post(
        f"/privacy/agreements/{agreement.pk}/", date_parts("ends_on", days_from_today(-6))
    )
    assert_error(
        response,
        "ends_on",
        "The end date must be the same as or after the start date, "
        f"{days_from_today(-5):%-d %B %Y}",
        anchor="id_ends_on_0",
    )
    agreement.refresh_from_db()
    assert agreement.ends_on is None


@pytest.mark.parametrize("role", [role for role in Role if role != Role.PRIVACY_OFFICER])
def test_only_privacy_officers_keep_the_register(
    role: str, client_for: Callable[[Actor], Client]
) -> None:
    actor = make_actor(role, TeamFactory())
    client = client_for(actor)
    agreement = SharingAgreementFactory()
    for url in ("/privacy/agreements/", "/privacy/agreements/new/"):
        assert client.get(url).status_code == 404
    assert client.post("/privacy/agreements/new/", new_agreement()).status_code == 404
    assert (
        client.post(
            f"/privacy/agreements/{agreement.pk}/", date_parts("ends_on", clock.today())
        ).status_code
        == 404
    )
    assert SharingAgreement.objects.get() == agreement
    agreement.refresh_from_db()
    assert agreement.ends_on is None


# ---------------------------------------------------------------------------------------------
# What an ended agreement stops


def test_a_flow_stops_when_its_agreement_ends(
    world: World, officer: Actor, client_for: Callable[[Actor], Client]
) -> None:
    """The family hub sees the health visitors' health entry, with the mother's consent, under
    an agreement; once the agreement has ended, it no longer does."""
    family = world.family
    InvolvementFactory(family=family, team=world.other_actor.team)
    mother = family.members.get(kind=PersonKind.PARENT)
    ConsentFactory(person=mother)  # health and family support, to family hubs
    entry = ChronologyEventFactory(
        family=family,
        team=world.actor.team,
        category=DataCategory.HEALTH,
        summary="Weight check: following the 50th centile",
    )
    subject = Subject.of_entry(entry)
    agreement = actions.create_agreement(
        actor=officer,
        details=actions.AgreementDetails(
            reference="ISA-HV-HUB",
            title="Health visiting and family hubs",
            party_types=[OrganisationType.HEALTH_VISITING_SERVICE, OrganisationType.FAMILY_HUB],
            party_organisations=[],
            categories=[DataCategory.HEALTH],
            purpose="Joined-up support",
            legal_basis=LegalBasis.PUBLIC_TASK,
            starts_on=days_from_today(-30),
            review_on=days_from_today(300),
        ),
    )
    hub = client_for(world.other_actor)
    decision = decide(world.other_actor, subject, DataCategory.HEALTH, AccessAction.VIEW)
    assert decision.allowed
    assert "agreement ISA-HV-HUB" in decision.basis
    assert entry.summary in page(hub.get(f"/families/{family.pk}/"))

    actions.end_agreement(actor=officer, agreement=agreement, ends_on=days_from_today(-1))

    decision = decide(world.other_actor, subject, DataCategory.HEALTH, AccessAction.VIEW)
    assert not decision.allowed
    assert decision.rule == "no_agreement"
    assert entry.summary not in page(hub.get(f"/families/{family.pk}/"))

"""A practitioner's download of a family's record holds what the policy lets them export, entry
by entry, the same decision as the record page: not another team's sealed entries, not another
organisation's health entries without consent; withheld addresses redacted outside the
recording team; a 404 for anyone who could not open the record."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from beststart.accounts.actors import Actor
from beststart.accounts.models import Role
from beststart.accounts.tests.factories import OrganisationFactory, TeamFactory, make_actor
from beststart.audit.models import AuditEvent, Outcome
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.families.models import Address, ChronologyEvent, Family, PersonKind
from beststart.families.selectors import family_record
from beststart.families.tests.factories import (
    ChronologyEventFactory,
    InvolvementFactory,
    family_with_people,
)
from beststart.sharing.policy import ALLOW_INVOLVEMENT
from beststart.sharing.selectors import FAMILY_RECORD, RecordExport, family_export
from beststart.sharing.tests.factories import (
    BreakGlassAccessFactory,
    ConsentFactory,
    SharingAgreementFactory,
)
from beststart.sharing.tests.test_export_subject_access import json_rows, section_ids

pytestmark = pytest.mark.django_db

CHRONOLOGY = "families.ChronologyEvent"


def _url(family: Family) -> str:
    return reverse("sharing:family-export", kwargs={"family_id": family.pk})


@pytest.fixture
def shared_family(actor: Actor, other_actor: Actor) -> Family:
    """The health visitor's family, which the family hub now works with too."""
    family = family_with_people(team=actor.team, practitioner=actor.user, surname="Thornbury")
    InvolvementFactory(family=family, team=other_actor.team)
    return family


def _entry(family: Family, actor: Actor, **fields: Any) -> ChronologyEvent:
    return ChronologyEventFactory(family=family, team=actor.team, recorded_by=actor.user, **fields)


def test_the_export_is_the_family_record(
    shared_family: Family, actor: Actor, client_for: Any
) -> None:
    response = client_for(actor).get(_url(shared_family))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == (
        f'attachment; filename="best-start-family-{shared_family.pk}.json"'
    )
    data = response.json()
    assert data["export"]["family_id"] == shared_family.pk
    assert {section["model"] for section in data["sections"]} == {
        model._meta.label for model in FAMILY_RECORD
    }
    people = {row["id"] for row in json_rows(data, "families.Person")}
    assert people == set(shared_family.members.values_list("pk", flat=True))
    assert len(json_rows(data, "families.Involvement")) == 2
    assert len(json_rows(data, "families.Relationship")) == 1


def test_entries_the_policy_refuses_are_left_out_and_those_it_allows_kept(
    shared_family: Family, actor: Actor, other_actor: Actor
) -> None:
    mother = shared_family.members.get(kind=PersonKind.PARENT)
    sealed = _entry(shared_family, actor, summary="Private to health visiting", is_sealed=True)
    health = _entry(shared_family, actor, person=mother, category=DataCategory.HEALTH)
    register = _entry(shared_family, actor, category=DataCategory.IDENTITY)
    own = _entry(shared_family, other_actor, category=DataCategory.FAMILY_SUPPORT)

    shown = section_ids(family_export(other_actor, shared_family.pk), CHRONOLOGY)
    assert shown == {register.pk, own.pk}

    # With the mother's consent to share her health data with family hubs, and an agreement
    # in force between the organisations, her health entry is shared; the sealed one never.
    ConsentFactory(person=mother)
    SharingAgreementFactory()
    shown = section_ids(family_export(other_actor, shared_family.pk), CHRONOLOGY)
    assert shown == {register.pk, own.pk, health.pk}
    assert sealed.pk in section_ids(family_export(actor, shared_family.pk), CHRONOLOGY)
    refused = AuditEvent.objects.filter(
        user_id=other_actor.user.pk, action=AccessAction.EXPORT, outcome=Outcome.DENIED
    )
    assert refused.filter(basis="private to the team that recorded it").exists()


def test_a_withheld_address_is_redacted_for_a_practitioner_outside_the_recording_team(
    actor: Actor, other_actor: Actor, client_for: Any
) -> None:
    family = family_with_people(team=actor.team, withheld=True)
    InvolvementFactory(family=family, team=other_actor.team)
    address = Address.objects.get(family=family)

    outside = client_for(other_actor).get(_url(family))
    (row,) = json_rows(outside.json(), "families.Address")
    assert row["redacted"] is True
    assert row["line_1"] is None
    assert row["postcode"] is None
    assert address.line_1 not in outside.content.decode()
    assert address.postcode not in outside.content.decode()

    recording_team = client_for(actor).get(_url(family))
    (row,) = json_rows(recording_team.json(), "families.Address")
    assert row["line_1"] == address.line_1
    assert "redacted" not in row


def test_the_export_is_audited(shared_family: Family, actor: Actor) -> None:
    family_export(actor, shared_family.pk)
    assert AuditEvent.objects.filter(
        user_id=actor.user.pk,
        family_id=shared_family.pk,
        action=AccessAction.EXPORT,
        outcome=Outcome.ALLOWED,
        basis=ALLOW_INVOLVEMENT.basis,
    ).exists()


@pytest.mark.parametrize("role", [Role.PRIVACY_OFFICER, Role.COMMISSIONER])
def test_roles_that_do_not_use_records_get_a_404_and_the_refusal_is_audited(
    role: str, shared_family: Family, actor: Actor, client_for: Any
) -> None:
    response = client_for(make_actor(role, actor.team)).get(_url(shared_family))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(
        family_id=shared_family.pk, action=AccessAction.EXPORT, outcome=Outcome.DENIED
    ).exists()


def test_a_practitioner_with_no_involvement_gets_a_404(
    shared_family: Family, client_for: Any
) -> None:
    stranger = make_actor(Role.HEALTH_VISITOR)
    assert client_for(stranger).get(_url(shared_family)).status_code == 404
    assert AuditEvent.objects.filter(
        user_id=stranger.user.pk, family_id=shared_family.pk, outcome=Outcome.DENIED
    ).exists()


def test_break_glass_lets_a_practitioner_look_but_not_download(
    shared_family: Family, client_for: Any
) -> None:
    stranger = make_actor(Role.HEALTH_VISITOR)
    BreakGlassAccessFactory(user=stranger.user, team=stranger.team, family=shared_family)
    client = client_for(stranger)
    assert client.get(reverse("families:record", args=[shared_family.pk])).status_code == 200
    assert client.get(_url(shared_family)).status_code == 404


def test_the_record_page_links_to_the_download(
    shared_family: Family, actor: Actor, client_for: Any
) -> None:
    page = client_for(actor).get(reverse("families:record", args=[shared_family.pk]))
    assert f'href="{_url(shared_family)}"' in page.content.decode()
    assert "Download this record (JSON)" in page.content.decode()


# ---------------------------------------------------------------------------------------------
# The same decision as the record page, whatever is recorded


entry_specs = st.lists(
    st.tuples(
        st.sampled_from(["viewer", "recorder", "third organisation"]),
        st.sampled_from(list(DataCategory)),
        st.booleans(),  # sealed
        st.sampled_from([None, PersonKind.PARENT, PersonKind.CHILD]),
    ),
    max_size=8,
)


def _chronology_ids(export: RecordExport) -> set[int]:
    return section_ids(export, CHRONOLOGY)


@given(entries=entry_specs, consent=st.booleans(), agreement=st.booleans())
def test_the_export_holds_exactly_the_entries_the_record_page_shows(
    entries: list[tuple[str, str, bool, str | None]],
    consent: bool,
    agreement: bool,
    shared_family: Family,
    actor: Actor,
    other_actor: Actor,
) -> None:
    with transaction.atomic():
        third = TeamFactory(organisation=OrganisationFactory(type="voluntary"))
        teams = {"viewer": other_actor.team, "recorder": actor.team, "third organisation": third}
        for team, category, sealed, kind in entries:
            ChronologyEventFactory(
                family=shared_family,
                team=teams[team],
                category=category,
                is_sealed=sealed,
                person=shared_family.members.filter(kind=kind).first() if kind else None,
                occurred_at=clock.now() - dt.timedelta(minutes=len(entries)),
            )
        if consent:
            ConsentFactory(person=shared_family.members.get(kind=PersonKind.PARENT))
        if agreement:
            SharingAgreementFactory()
        shown = {event.pk for event in family_record(other_actor, shared_family.pk).chronology}
        assert _chronology_ids(family_export(other_actor, shared_family.pk)) == shown
        transaction.set_rollback(True)

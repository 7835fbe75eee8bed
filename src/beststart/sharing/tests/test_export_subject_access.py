"""A subject access request: the privacy officer finds the person (posted, never in a URL) and
gets everything held about them, from every model that holds personal data, as a page and as
JSON; withheld addresses stay withheld; every export is audited; every other role gets a 404."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import models
from django.test import Client
from django.urls import reverse

from beststart.accounts.actors import Actor
from beststart.accounts.models import Role, Team
from beststart.accounts.tests.factories import TeamFactory, make_actor
from beststart.activities.tests.factories import (
    AttendanceFactory,
    BookingFactory,
    CentreRegistrationFactory,
    MeetingActionFactory,
    MeetingNoteFactory,
)
from beststart.assessments.tests.factories import (
    AssessmentFactory,
    ContributionFactory,
    PlanActionFactory,
    PlanFactory,
    PlanReviewFactory,
)
from beststart.audit.actions import Access, record_access
from beststart.audit.models import AuditEvent, Outcome
from beststart.care.tests.factories import ContactFactory, ImmunisationFactory
from beststart.core.categories import AccessAction, DataCategory
from beststart.core.identifiers import format_nhs_number
from beststart.families.models import Address, Family, FamilyMember, Person, PersonKind
from beststart.families.tests.factories import (
    AddressFactory,
    ChronologyEventFactory,
    FamilyMemberFactory,
    InvolvementFactory,
    PersonFactory,
    RelationshipFactory,
    family_with_people,
)
from beststart.referrals.models import Notification
from beststart.referrals.tests.factories import ReferralFactory, ReferralStepFactory
from beststart.sharing.policy import ALLOW_SUBJECT_ACCESS
from beststart.sharing.selectors import RecordExport, subject_access_export
from beststart.sharing.subject_access import PersonalDataModel, personal_data_models
from beststart.sharing.tests.factories import (
    BreakGlassAccessFactory,
    ConsentFactory,
    SafeguardingShareFactory,
)

pytestmark = pytest.mark.django_db


@dataclass
class Subject:
    """A mother in a family her health visiting team works with."""

    person: Person
    family: Family
    team: Team

    @property
    def child(self) -> Person:
        return self.family.members.exclude(pk=self.person.pk).get()


@pytest.fixture
def privacy_officer(db: None) -> Actor:
    return make_actor(Role.PRIVACY_OFFICER, TeamFactory(name="Information Governance"))


@pytest.fixture
def subject(actor: Actor) -> Subject:
    family = family_with_people(team=actor.team, practitioner=actor.user, surname="Wrenfield")
    mother = family.members.get(kind=PersonKind.PARENT)
    return Subject(mother, family, actor.team)


def section_ids(export: RecordExport, label: str) -> set[int]:
    return {row.pk for row in next(s for s in export.sections if s.label == label).rows}


def json_rows(data: dict[str, Any], label: str) -> list[dict[str, Any]]:
    return next(section["rows"] for section in data["sections"] if section["model"] == label)


# ---------------------------------------------------------------------------------------------
# Everything held: one row about the person in every model that holds personal data


def _audit_row(subject: Subject) -> AuditEvent:
    return record_access(
        actor=make_actor(Role.MIDWIFE),
        access=Access(
            family_id=subject.family.pk,
            person_id=subject.person.pk,
            category=DataCategory.HEALTH,
            action=AccessAction.VIEW,
            allowed=True,
            basis="synthetic",
        ),
    )


# How to make a row about the subject in each model; the introspection decides which models
# there are, so a model added later fails the test below until it is taught here.
MAKERS: dict[str, Callable[[Subject], models.Model]] = {
    "families.Person": lambda subject: subject.person,
    "families.Family": lambda subject: subject.family,
    "families.FamilyMember": lambda subject: FamilyMember.objects.get(person=subject.person),
    "families.Relationship": lambda subject: RelationshipFactory(
        adult=PersonFactory(parent=True), child=subject.person
    ),
    "families.Address": lambda subject: AddressFactory(family=subject.family),
    "families.Involvement": lambda subject: InvolvementFactory(family=subject.family),
    "families.ChronologyEvent": lambda subject: ChronologyEventFactory(
        family=subject.family, person=subject.person, team=subject.team
    ),
    "sharing.Consent": lambda subject: ConsentFactory(person=subject.person),
    "sharing.SafeguardingShare": lambda subject: SafeguardingShareFactory(
        family=subject.family, person=subject.person
    ),
    "sharing.BreakGlassAccess": lambda subject: BreakGlassAccessFactory(family=subject.family),
    "audit.AuditEvent": _audit_row,
    "care.Contact": lambda subject: ContactFactory(
        family=subject.family, person=subject.person, team=subject.team
    ),
    "care.Immunisation": lambda subject: ImmunisationFactory(
        family=subject.family, person=subject.person, team=subject.team
    ),
    "activities.Booking": lambda subject: BookingFactory(family=subject.family),
    "activities.Attendance": lambda subject: AttendanceFactory(family=subject.family),
    "activities.CentreRegistration": lambda subject: CentreRegistrationFactory(
        family=subject.family
    ),
    "activities.MeetingNote": lambda subject: MeetingNoteFactory(family=subject.family),
    "activities.MeetingAction": lambda subject: MeetingActionFactory(family=subject.family),
    "referrals.Referral": lambda subject: ReferralFactory(
        family=subject.family, person=subject.person
    ),
    "referrals.ReferralStep": lambda subject: ReferralStepFactory(
        referral=ReferralFactory(family=subject.family, person=subject.person)
    ),
    "referrals.Notification": lambda subject: Notification.objects.create(
        referral=ReferralFactory(family=subject.family, person=subject.person),
        to="family@example.org",
        subject="Referral: submitted",
        body="A link",
    ),
    "assessments.Assessment": lambda subject: AssessmentFactory(
        family=subject.family, person=subject.person, team=subject.team
    ),
    "assessments.Contribution": lambda subject: ContributionFactory(
        assessment=AssessmentFactory(family=subject.family, person=subject.person)
    ),
    "assessments.Plan": lambda subject: PlanFactory(family=subject.family, person=subject.person),
    "assessments.PlanAction": lambda subject: PlanActionFactory(
        plan=PlanFactory(family=subject.family, person=subject.person)
    ),
    "assessments.PlanReview": lambda subject: PlanReviewFactory(
        plan=PlanFactory(family=subject.family, person=subject.person)
    ),
}


@pytest.mark.parametrize("info", personal_data_models(), ids=lambda info: info.label)
def test_every_model_holding_personal_data_is_in_the_persons_export(
    info: PersonalDataModel, subject: Subject, privacy_officer: Actor, client_for: Any
) -> None:
    maker = MAKERS.get(info.label)
    assert maker is not None, f"teach MAKERS to make a row of {info.label} about a person"
    row = maker(subject)

    export = subject_access_export(privacy_officer, subject.person.pk)
    assert row.pk in section_ids(export, info.label)

    response = client_for(privacy_officer).get(
        reverse("sharing:subject-access-json", kwargs={"person_id": subject.person.pk})
    )
    assert row.pk in {each["id"] for each in json_rows(response.json(), info.label)}


def test_the_export_holds_the_person_and_their_family_not_other_peoples_records(
    subject: Subject, privacy_officer: Actor
) -> None:
    child = subject.child
    about_the_child = ChronologyEventFactory(family=subject.family, person=child)
    about_the_family = ChronologyEventFactory(family=subject.family, person=None)
    childs_consent = ConsentFactory(person=child, given_by=subject.person)
    someone_elses_consent = ConsentFactory()
    other_family = family_with_people(team=subject.team)
    elsewhere = ChronologyEventFactory(family=other_family)

    export = subject_access_export(privacy_officer, subject.person.pk)

    assert section_ids(export, "families.Person") == {subject.person.pk}
    assert section_ids(export, "families.Family") == {subject.family.pk}
    chronology = section_ids(export, "families.ChronologyEvent")
    assert about_the_family.pk in chronology
    assert about_the_child.pk not in chronology
    assert elsewhere.pk not in chronology
    # Consents about them and given by them (on the child's behalf).
    assert section_ids(export, "sharing.Consent") == {childs_consent.pk}
    assert someone_elses_consent.pk not in section_ids(export, "sharing.Consent")
    # Relationships from both sides: the mother's to her child.
    assert len(section_ids(export, "families.Relationship")) == 1
    assert other_family.pk not in section_ids(export, "families.Address")


def test_fields_are_data_ids_iso_dates_choices_with_labels_and_staff_as_recorded(
    subject: Subject, privacy_officer: Actor, actor: Actor
) -> None:
    event = ChronologyEventFactory(
        family=subject.family, person=subject.person, team=subject.team, recorded_by=actor.user
    )
    data = subject_access_export(privacy_officer, subject.person.pk).as_json()

    (person,) = json_rows(data, "families.Person")
    assert person["id"] == subject.person.pk
    assert person["date_of_birth"] == subject.person.date_of_birth.isoformat()
    assert person["kind"] == {"value": "parent", "label": "Parent"}
    assert person["nhs_number"] == subject.person.nhs_number
    (row,) = [each for each in json_rows(data, "families.ChronologyEvent")]
    assert row["id"] == event.pk
    assert row["recorded_by"] == {"id": actor.user.pk, "name": "Hana Visitor"}
    assert row["team"] == {"id": subject.team.pk, "name": subject.team.name}
    assert row["occurred_at"] == event.occurred_at.isoformat()
    assert data["export"]["person_id"] == subject.person.pk
    assert data["export"]["exported_by"]["role"]["value"] == Role.PRIVACY_OFFICER


def test_consent_categories_and_recipients_are_labelled(
    subject: Subject, privacy_officer: Actor
) -> None:
    consent = ConsentFactory(person=subject.person)
    data = subject_access_export(privacy_officer, subject.person.pk).as_json()
    (row,) = json_rows(data, "sharing.Consent")
    assert row["id"] == consent.pk
    assert {"value": "health", "label": "Health"} in row["categories"]
    assert row["recipient_types"] == [
        {"value": "family_hub", "label": "Children's centre or family hub"}
    ]
    assert row["recipient_organisations"] == []


# ---------------------------------------------------------------------------------------------
# Withheld addresses


def test_a_withheld_address_is_redacted_in_the_json_and_the_page_for_the_privacy_officer(
    actor: Actor, privacy_officer: Actor, client_for: Any
) -> None:
    family = family_with_people(team=actor.team, withheld=True, surname="Quillmoor")
    person = family.members.get(kind=PersonKind.PARENT)
    address = Address.objects.get(family=family)
    client = client_for(privacy_officer)

    response = client.get(reverse("sharing:subject-access-json", kwargs={"person_id": person.pk}))
    (row,) = json_rows(response.json(), "families.Address")
    assert row["redacted"] is True
    assert row["id"] == address.pk
    assert row["is_withheld"] is True
    for field in ("line_1", "line_2", "town", "postcode", "lsoa"):
        assert row[field] is None
    page = client.get(
        reverse("sharing:subject-access-person", kwargs={"person_id": person.pk})
    ).content.decode()
    for text in (response.content.decode(), page):
        assert address.line_1 not in text
        assert address.postcode not in text
        assert address.lsoa.code not in text
    assert '<span class="bs-redacted">Withheld</span>' in page


def test_an_address_not_withheld_is_exported_whole(
    subject: Subject, privacy_officer: Actor
) -> None:
    address = Address.objects.get(family=subject.family)
    data = subject_access_export(privacy_officer, subject.person.pk).as_json()
    (row,) = json_rows(data, "families.Address")
    assert row["line_1"] == address.line_1
    assert row["postcode"] == address.postcode
    assert "redacted" not in row


# ---------------------------------------------------------------------------------------------
# The pages


def test_the_page_shows_everything_held_grouped_by_kind(
    subject: Subject, privacy_officer: Actor, client_for: Any
) -> None:
    ChronologyEventFactory(family=subject.family, person=subject.person, summary="Weighed baby")
    response = client_for(privacy_officer).get(
        reverse("sharing:subject-access-person", kwargs={"person_id": subject.person.pk})
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Everything held about {subject.person.full_name}" in page
    for heading in ("People", "Families", "Addresses", "Chronology events", "Consents"):
        assert f">{heading}</h2>" in page
    assert "Access log (the audit)" in page
    assert "Weighed baby" in page
    assert format_nhs_number(subject.person.nhs_number or "") in page
    assert "Save as PDF" in page
    json_url = reverse("sharing:subject-access-json", kwargs={"person_id": subject.person.pk})
    assert f'href="{json_url}"' in page


def test_the_json_is_valid_and_downloaded_as_a_file(
    subject: Subject, privacy_officer: Actor, client_for: Any
) -> None:
    response = client_for(privacy_officer).get(
        reverse("sharing:subject-access-json", kwargs={"person_id": subject.person.pk})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == (
        f'attachment; filename="best-start-person-{subject.person.pk}.json"'
    )
    data = json.loads(response.content)
    assert [section["model"] for section in data["sections"]] == [
        info.label for info in personal_data_models()
    ]


def test_every_export_is_audited_through_the_gate(subject: Subject, privacy_officer: Actor) -> None:
    ChronologyEventFactory(family=subject.family, person=subject.person, category="health")
    subject_access_export(privacy_officer, subject.person.pk)
    exported = AuditEvent.objects.filter(
        user_id=privacy_officer.user.pk, action=AccessAction.EXPORT, outcome=Outcome.ALLOWED
    )
    assert exported.filter(
        family_id=subject.family.pk,
        person_id=subject.person.pk,
        category=DataCategory.IDENTITY,
        basis=ALLOW_SUBJECT_ACCESS.basis,
    ).exists()
    assert exported.filter(category=DataCategory.HEALTH).exists()
    assert not AuditEvent.objects.filter(outcome=Outcome.DENIED).exists()


NOT_PRIVACY_OFFICERS = [role for role in Role if role != Role.PRIVACY_OFFICER]


@pytest.mark.parametrize("role", NOT_PRIVACY_OFFICERS)
def test_every_other_role_gets_a_404_and_the_refusal_is_audited(
    role: str, subject: Subject, client_for: Any
) -> None:
    # Even a practitioner whose team works with the family: subject access is not theirs.
    client = client_for(make_actor(role, subject.team))
    urls = [
        reverse(name, kwargs={"person_id": subject.person.pk})
        for name in ("sharing:subject-access-person", "sharing:subject-access-json")
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404
        assert subject.person.full_name not in response.content.decode()
    assert client.get(reverse("sharing:subject-access")).status_code == 404
    assert client.post(reverse("sharing:subject-access"), {"person_id": "1"}).status_code == 404
    assert AuditEvent.objects.filter(
        family_id=subject.family.pk,
        person_id=subject.person.pk,
        action=AccessAction.EXPORT,
        outcome=Outcome.DENIED,
    ).count() == len(urls)


def test_a_person_not_on_the_register_is_not_found(privacy_officer: Actor, client_for: Any) -> None:
    url = reverse("sharing:subject-access-person", kwargs={"person_id": 99999999})
    assert client_for(privacy_officer).get(url).status_code == 404


def test_someone_in_two_families_gets_both(subject: Subject, privacy_officer: Actor) -> None:
    second = family_with_people(team=TeamFactory())
    FamilyMemberFactory(family=second, person=subject.person)
    export = subject_access_export(privacy_officer, subject.person.pk)
    assert section_ids(export, "families.Family") == {subject.family.pk, second.pk}
    assert len(section_ids(export, "families.Address")) == 2


# ---------------------------------------------------------------------------------------------
# Finding the person


def _find(client: Client, **data: str) -> Any:
    return client.post(reverse("sharing:subject-access"), data)


def test_the_finder_is_empty_at_first(privacy_officer: Actor, client_for: Any) -> None:
    response = client_for(privacy_officer).get(reverse("sharing:subject-access"))
    assert response.status_code == 200
    assert "Subject access request" in response.content.decode()


def test_found_by_nhs_number_posted_and_never_in_the_url(
    subject: Subject, privacy_officer: Actor, client_for: Any
) -> None:
    nhs_number = subject.person.nhs_number or ""
    response = _find(
        client_for(privacy_officer), nhs_number=format_nhs_number(nhs_number), person_id=""
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "sharing:subject-access-person", kwargs={"person_id": subject.person.pk}
    )
    assert nhs_number not in response["Location"]
    assert AuditEvent.objects.filter(
        user_id=privacy_officer.user.pk,
        action=AccessAction.SEARCH,
        person_id=subject.person.pk,
        family_id=subject.family.pk,
    ).exists()


def test_found_by_person_id(subject: Subject, privacy_officer: Actor, client_for: Any) -> None:
    response = _find(client_for(privacy_officer), nhs_number="", person_id=str(subject.person.pk))
    assert response["Location"].endswith(f"/privacy/subject-access/{subject.person.pk}/")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "nhs_number", "Enter the person's NHS number or their person ID"),
        (
            {"nhs_number": "943 476 5910"},
            "nhs_number",
            "Enter a valid NHS number: this one fails the check digit",
        ),
        ({"nhs_number": "12345"}, "nhs_number", "Enter an NHS number that is 10 digits"),
        ({"person_id": "abc"}, "person_id", "Enter the person ID in numbers only"),
        (
            {"nhs_number": "943 476 5919", "person_id": "12"},
            "person_id",
            "Enter an NHS number or a person ID, not both",
        ),
        (
            {"nhs_number": "943 476 5919"},
            "nhs_number",
            "No one on the register has this NHS number",
        ),
        ({"person_id": "99999999"}, "person_id", "No one on the register has this person ID"),
    ],
)
def test_the_finder_says_what_to_do_and_keeps_what_was_typed(
    data: dict[str, str], field: str, message: str, privacy_officer: Actor, client_for: Any
) -> None:
    response = _find(client_for(privacy_officer), **data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in page
    assert f'<a href="#id_{field}">{message}' in page.replace("&#x27;", "'")
    for value in data.values():
        assert f'value="{value}"' in page

"""Where personal data lives is found, not listed: every model of the project either holds data
about people (found by its links) or is declared as holding none, and a model added later is
found without anyone remembering to add it."""

from __future__ import annotations

from django.apps import apps
from django.db import models
from django.test.utils import isolate_apps

from beststart.families.models import Family, Person
from beststart.sharing.subject_access import (
    ID_COLUMNS,
    NO_FAMILY_DATA,
    PROJECT_PACKAGE,
    personal_data_models,
    unclassified_models,
)

EXPECTED_PERSONAL_DATA = {
    "families.Person",
    "families.Family",
    "families.FamilyMember",
    "families.Relationship",
    "families.Address",
    "families.Involvement",
    "families.ChronologyEvent",
    "sharing.Consent",
    "sharing.SafeguardingShare",
    "sharing.BreakGlassAccess",
    "audit.AuditEvent",
    "care.Contact",
    "care.Immunisation",
    "activities.Booking",
    "activities.Attendance",
    "activities.CentreRegistration",
    "activities.MeetingNote",
    "activities.MeetingAction",
    "referrals.Referral",
    "referrals.ReferralStep",
    "referrals.Notification",
    "assessments.Assessment",
    "assessments.Contribution",
    "assessments.Plan",
    "assessments.PlanAction",
    "assessments.PlanReview",
}


def _labels() -> set[str]:
    return {info.label for info in personal_data_models()}


def test_every_model_of_the_project_holds_personal_data_or_is_declared_to_hold_none() -> None:
    assert unclassified_models() == [], (
        "Each model of the project must either link to a person or a family (directly, through "
        "another such model, or by an id column declared in ID_COLUMNS) or be declared in "
        "NO_FAMILY_DATA with the reason it holds nothing about families"
    )


def test_the_declarations_name_real_models_and_never_one_that_holds_personal_data() -> None:
    project = {
        model._meta.label
        for model in apps.get_models()
        if model.__module__.startswith(PROJECT_PACKAGE)
    }
    assert set(NO_FAMILY_DATA) <= project
    assert set(ID_COLUMNS) <= project
    assert not set(NO_FAMILY_DATA) & _labels()
    assert all(reason.strip() for reason in NO_FAMILY_DATA.values())


def test_the_models_found_today() -> None:
    """Not a list the export uses (it uses what is found), but a check the finding works."""
    assert _labels() == EXPECTED_PERSONAL_DATA
    assert [info.model for info in personal_data_models()][:2] == [Person, Family]


def test_how_each_model_points_at_people() -> None:
    by_label = {info.label: info for info in personal_data_models()}
    assert by_label["families.Relationship"].person_links == ("adult", "child")
    assert by_label["sharing.Consent"].person_links == ("person", "given_by")
    assert by_label["families.Address"].family_links == ("family",)
    assert by_label["audit.AuditEvent"].person_links == ("person_id",)
    assert by_label["audit.AuditEvent"].family_links == ("family_id",)
    assert by_label["families.ChronologyEvent"].is_entry
    assert not by_label["sharing.Consent"].is_entry


@isolate_apps("beststart.families")
def test_a_model_added_later_is_found_and_so_is_a_model_that_points_at_it() -> None:
    class HomeVisitNote(models.Model):  # noqa: DJ008 - defined to be found, never shown
        person = models.ForeignKey(Person, on_delete=models.PROTECT)
        note = models.TextField()

        class Meta:
            app_label = "families"

    class HomeVisitPhoto(models.Model):  # noqa: DJ008 - defined to be found, never shown
        """Links to a person only through the note it belongs to."""

        note = models.ForeignKey(HomeVisitNote, on_delete=models.PROTECT)

        class Meta:
            app_label = "families"

    class Venue(models.Model):  # noqa: DJ008 - defined to be found, never shown
        """Holds nothing about anyone, and nobody has said so yet."""

        name = models.CharField(max_length=100)

        class Meta:
            app_label = "families"

    registered = [*apps.get_models(), HomeVisitNote, HomeVisitPhoto, Venue]
    found = {info.model: info for info in personal_data_models(registered)}

    assert found[HomeVisitNote].person_links == ("person",)
    assert found[HomeVisitPhoto].record_links == (("note", HomeVisitNote),)
    assert Venue not in found
    assert unclassified_models(registered) == ["families.Venue"]


@isolate_apps("beststart.families")
def test_a_family_link_and_a_many_to_many_link_are_found_too() -> None:
    class Session(models.Model):  # noqa: DJ008 - defined to be found, never shown
        attendees = models.ManyToManyField(Person)

        class Meta:
            app_label = "families"

    class FamilyGoal(models.Model):  # noqa: DJ008 - defined to be found, never shown
        family = models.OneToOneField(Family, on_delete=models.PROTECT)

        class Meta:
            app_label = "families"

    found = {
        info.model: info for info in personal_data_models([*apps.get_models(), Session, FamilyGoal])
    }
    assert found[Session].person_links == ("attendees",)
    assert found[FamilyGoal].family_links == ("family",)


def test_records_of_every_part_are_decided_as_entries_in_their_own_category() -> None:
    by_label = {info.label: info for info in personal_data_models()}
    entries = {label for label, info in by_label.items() if info.is_entry}
    assert entries == {
        "families.ChronologyEvent",
        "care.Contact",
        "care.Immunisation",
        "activities.Attendance",
        "activities.MeetingNote",
        "activities.MeetingAction",
        "assessments.Assessment",
        "assessments.Contribution",
        "assessments.Plan",
        "assessments.PlanAction",
        "assessments.PlanReview",
    }

"""Forms for the family record, in GOV.UK patterns. Validation messages say what to do."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from beststart.accounts.models import Team, User
from beststart.core import clock
from beststart.core.categories import DataCategory
from beststart.core.forms import DateField, GovukFormMixin
from beststart.core.identifiers import normalise_nhs_number, validate_nhs_number
from beststart.families.actions import AddressDetails, PersonDetails
from beststart.families.models import InvolvementEnd, Person, PersonKind, RelationshipType, Sex
from beststart.places.models import is_postcode_shaped, normalise_postcode
from beststart.places.selectors import find_postcode


class SearchForm(GovukFormMixin, forms.Form):
    q = forms.CharField(
        label="Search your team's families",
        help_text="A name, date of birth (like 27/3/2024), NHS number or postcode, or a name "
        "with a date of birth",
        max_length=100,
        error_messages={"required": "Enter a name, date of birth, NHS number or postcode"},
    )


def _clean_nhs_number(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    validate_nhs_number(value)
    return normalise_nhs_number(value)


class IdentityFields(forms.Form):
    """Who someone is: enough to check whether they are already on the register."""

    given_name = forms.CharField(
        label="First name",
        max_length=100,
        required=False,
        help_text="Leave blank for an unborn baby who has no name yet",
    )
    family_name = forms.CharField(
        label="Last name", max_length=100, error_messages={"required": "Enter the last name"}
    )
    date_of_birth = DateField(
        label="Date of birth",
        label_for_errors="Date of birth",
        must_be_past=True,
        required=False,
        help_text="For example, 27 3 2024. Leave blank for an unborn baby.",
    )
    nhs_number = forms.CharField(
        label="NHS number (optional)",
        max_length=12,
        required=False,
        help_text="10 digits, for example 943 476 5919",
    )

    def clean_nhs_number(self) -> str:
        return _clean_nhs_number(self.cleaned_data["nhs_number"])


class IdentityForm(GovukFormMixin, IdentityFields):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not cleaned.get("date_of_birth") and not cleaned.get("nhs_number"):
            self.add_error(
                "date_of_birth",
                "Enter a date of birth or an NHS number, so you can check whether the "
                "person is already known",
            )
        return cleaned


class PersonFields(IdentityFields):
    """The fields that describe a person, shared by create, add member and edit."""

    kind = forms.ChoiceField(
        label="Who is this?",
        choices=PersonKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who this person is"},
    )
    known_as = forms.CharField(label="Known as (optional)", max_length=100, required=False)
    sex = forms.ChoiceField(
        label="Sex",
        choices=Sex.choices,
        widget=forms.RadioSelect,
        initial=Sex.NOT_KNOWN,
        error_messages={"required": "Select the person's sex, or not known"},
    )
    expected_delivery_date = DateField(
        label="Expected date of delivery",
        label_for_errors="Expected date of delivery",
        required=False,
        help_text="Only for an unborn baby. For example, 14 6 2027.",
    )
    field_order = [
        "kind",
        "given_name",
        "family_name",
        "known_as",
        "sex",
        "date_of_birth",
        "expected_delivery_date",
        "nhs_number",
    ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        if kind == PersonKind.UNBORN:
            if (
                not cleaned.get("expected_delivery_date")
                and "expected_delivery_date" not in self.errors
            ):
                self.add_error("expected_delivery_date", "Enter the expected date of delivery")
            if cleaned.get("date_of_birth"):
                self.add_error(
                    "date_of_birth",
                    "An unborn baby has no date of birth yet: leave it blank, or choose 'Child'",
                )
        elif kind and not cleaned.get("date_of_birth") and "date_of_birth" not in self.errors:
            self.add_error("date_of_birth", "Enter the date of birth")
        if kind in {PersonKind.CHILD, PersonKind.UNBORN} or not kind:
            return cleaned
        if not cleaned.get("given_name"):
            self.add_error("given_name", "Enter the first name")
        return cleaned

    def person_details(self) -> PersonDetails:
        data = self.cleaned_data
        return PersonDetails(
            kind=data["kind"],
            given_name=data.get("given_name", ""),
            family_name=data["family_name"],
            known_as=data.get("known_as", ""),
            sex=data["sex"],
            date_of_birth=data.get("date_of_birth"),
            expected_delivery_date=data.get("expected_delivery_date"),
            nhs_number=data.get("nhs_number", ""),
        )


class AddressFields(forms.Form):
    line_1 = forms.CharField(
        label="Address line 1",
        max_length=200,
        error_messages={"required": "Enter address line 1, typically the building and street"},
    )
    line_2 = forms.CharField(label="Address line 2 (optional)", max_length=200, required=False)
    town = forms.CharField(
        label="Town or city", max_length=100, error_messages={"required": "Enter town or city"}
    )
    postcode = forms.CharField(
        label="Postcode", max_length=10, error_messages={"required": "Enter postcode"}
    )
    moved_in = DateField(
        label="Date moved in",
        label_for_errors="Date moved in",
        must_be_past=True,
        help_text="If you do not know, use today's date",
    )
    is_withheld = forms.BooleanField(
        label="Withhold this address",
        required=False,
        help_text="For example, a family in a refuge. Only your team will see the address.",
    )

    def clean_postcode(self) -> str:
        value = self.cleaned_data["postcode"]
        if not is_postcode_shaped(value):
            raise forms.ValidationError("Enter a full postcode, like XW1 2AB")
        if find_postcode(value) is None:
            raise forms.ValidationError(
                "We do not know this postcode. Enter a postcode in the area this service "
                "covers, like XW1 2AB"
            )
        return normalise_postcode(value)

    def address_details(self) -> AddressDetails:
        data = self.cleaned_data
        return AddressDetails(
            line_1=data["line_1"],
            line_2=data.get("line_2", ""),
            town=data["town"],
            postcode=data["postcode"],
            moved_in=data["moved_in"],
            is_withheld=data.get("is_withheld", False),
        )


class NewFamilyForm(GovukFormMixin, PersonFields, AddressFields):
    """The first member and the address of a new family, after the identity check."""

    confirmed_new = forms.BooleanField(
        label="I have checked the people listed: this is a different person",
        required=False,
    )
    field_order = [*PersonFields.field_order, *AddressFields.base_fields, "confirmed_new"]


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return obj.full_name


class TeamChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Team) -> str:
        return f"{obj.name} ({obj.organisation.get_type_display()})"


class PractitionerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name()


class MemberForm(GovukFormMixin, PersonFields):
    related_adult = PersonChoiceField(
        label="Related to (optional)",
        queryset=Person.objects.none(),
        required=False,
        empty_label="Not recorded",
    )
    relationship_type = forms.ChoiceField(
        label="Relationship",
        choices=[("", "Not recorded"), *RelationshipType.choices],
        required=False,
    )
    has_parental_responsibility = forms.BooleanField(
        label="Holds parental responsibility", required=False
    )

    def __init__(self, *args: Any, adults: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.related_adult_field.queryset = adults

    @property
    def related_adult_field(self) -> PersonChoiceField:
        return cast(PersonChoiceField, self.fields["related_adult"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("related_adult") and not cleaned.get("relationship_type"):
            self.add_error("relationship_type", "Select how they are related")
        if cleaned.get("relationship_type") and not cleaned.get("related_adult"):
            self.add_error("related_adult", "Select who they are related to")
        return cleaned


class EditPersonForm(GovukFormMixin, PersonFields):
    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "kind": person.kind,
                "given_name": person.given_name,
                "family_name": person.family_name,
                "known_as": person.known_as,
                "sex": person.sex,
                "date_of_birth": person.date_of_birth,
                "expected_delivery_date": person.expected_delivery_date,
                "nhs_number": person.nhs_number_display,
            },
        )
        super().__init__(*args, **kwargs)
        # The kind changes only through recording a birth.
        self.fields["kind"].disabled = True


class BirthForm(GovukFormMixin, forms.Form):
    given_name = forms.CharField(
        label="Baby's first name",
        max_length=100,
        required=False,
        help_text="Leave blank if the baby has not been named yet",
    )
    date_of_birth = DateField(
        label="Date of birth",
        label_for_errors="Date of birth",
        must_be_past=True,
        help_text="For example, 27 3 2026",
    )
    sex = forms.ChoiceField(
        label="Sex",
        choices=Sex.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the baby's sex, or not known"},
    )
    nhs_number = forms.CharField(label="NHS number (optional)", max_length=12, required=False)

    def clean_nhs_number(self) -> str:
        return _clean_nhs_number(self.cleaned_data["nhs_number"])


class MoveForm(GovukFormMixin, AddressFields):
    pass


class InvolvementForm(GovukFormMixin, forms.Form):
    team = TeamChoiceField(
        label="Team",
        queryset=Team.objects.select_related("organisation").order_by("name"),
        error_messages={"required": "Select the team that is working with the family"},
    )
    practitioner = PractitionerChoiceField(
        label="Practitioner (optional)",
        queryset=User.objects.filter(memberships__is_active=True)
        .distinct()
        .order_by("last_name", "first_name"),
        required=False,
        empty_label="Not named yet",
        help_text="Someone who works in the team you chose",
    )
    is_lead = forms.BooleanField(label="Lead practitioner for the family", required=False)
    started_on = DateField(label="Start date", label_for_errors="Start date")
    reason = forms.CharField(label="Reason (optional)", max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("started_on", clock.today())


class RelationshipForm(GovukFormMixin, forms.Form):
    adult = PersonChoiceField(
        label="Parent or carer",
        queryset=Person.objects.none(),
        error_messages={"required": "Select the parent or carer"},
    )
    child = PersonChoiceField(
        label="Child",
        queryset=Person.objects.none(),
        error_messages={"required": "Select the child"},
    )
    relationship_type = forms.ChoiceField(
        label="Relationship",
        choices=RelationshipType.choices,
        error_messages={"required": "Select how they are related"},
    )
    has_parental_responsibility = forms.BooleanField(
        label="Holds parental responsibility",
        required=False,
        help_text="Mothers always hold it; fathers usually do if on the birth certificate",
    )

    def __init__(
        self, *args: Any, adults: QuerySet[Person], children: QuerySet[Person], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(PersonChoiceField, self.fields["adult"]).queryset = adults
        cast(PersonChoiceField, self.fields["child"]).queryset = children


class EndDateForm(GovukFormMixin, forms.Form):
    """The last day of something the family had with a team, today unless changed."""

    ended_on = DateField(label="End date", label_for_errors="End date", must_be_past=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("ended_on", clock.today())


class EndInvolvementForm(EndDateForm):
    end_reason = forms.ChoiceField(
        label="Why is it ending?",
        choices=InvolvementEnd.choices,
        widget=forms.RadioSelect,
        help_text="Kept with the involvement, so that a child who drops off a worklist shows why",
        error_messages={"required": "Select why the involvement is ending"},
    )
    field_order = ["end_reason", "ended_on"]


class NoteForm(GovukFormMixin, forms.Form):
    person = PersonChoiceField(
        label="Who is it about?",
        queryset=Person.objects.none(),
        required=False,
        empty_label="The whole family",
    )
    category = forms.ChoiceField(
        label="What kind of information is it?",
        widget=forms.RadioSelect,
        help_text="It decides who else may see the note: consent and agreements cover each "
        "kind separately",
        error_messages={"required": "Select what kind of information the note is"},
    )
    summary = forms.CharField(
        label="Note",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Enter the note",
            "max_length": "Note must be 500 characters or fewer",
        },
    )
    is_sealed = forms.BooleanField(
        label="Private to my team",
        required=False,
        help_text="Only your team will see it, whatever the family has agreed to share",
    )

    def __init__(
        self, *args: Any, people: QuerySet[Person], categories: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(PersonChoiceField, self.fields["person"]).queryset = people
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            (category, DataCategory(category).label) for category in categories
        ]

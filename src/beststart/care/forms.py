"""Forms of the Healthy Child Programme, in GOV.UK patterns: one page to record a review as it
happened, fast on a tablet; the rules a review must meet are the action's, shown beside the
field they are about."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, cast

from django import forms

from beststart.accounts.models import User
from beststart.care.actions import ContactDetails
from beststart.care.immunisations import DoseStatus
from beststart.care.models import (
    Breastfeeding,
    ContactMode,
    ImmunisationStatus,
    Present,
    ReviewKind,
    Smoking,
)
from beststart.care.selectors import IMMUNISATIONS, ForRecording
from beststart.core import clock
from beststart.core.forms import DateField, GovukFormMixin
from beststart.families.forms import PractitionerChoiceField
from beststart.families.models import Person

KILOGRAMS = re.compile(r"^\d{1,2}(\.\d{1,3})?$")
WEIGHT_FORMAT = "Enter the weight in kilograms, like 3.45, with up to 3 decimal places"


class WorklistFilterForm(forms.Form):
    """The worklist's filters, in the query string: no one's data, only what to show."""

    scope = forms.ChoiceField(
        label="Whose families",
        choices=[("team", "My team's families"), ("mine", "My families")],
        widget=forms.RadioSelect,
        required=False,
    )
    kind = forms.ChoiceField(
        label="Show",
        choices=[
            ("", "Everything due"),
            *((kind.value, kind.label) for kind in ReviewKind if kind != ReviewKind.OTHER),
            (IMMUNISATIONS, "Immunisations overdue"),
        ],
        required=False,
    )

    def choices(self) -> tuple[bool, str]:
        """(mine, kind), falling back to everything for the team on anything unexpected."""
        if not self.is_valid():
            return False, ""
        return self.cleaned_data.get("scope") == "mine", self.cleaned_data.get("kind") or ""


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        born = obj.date_of_birth
        when = f"born {born:%-d %B %Y}" if born else "not born yet"
        return f"{obj.full_name} ({when})"


class ContactForm(GovukFormMixin, forms.Form):
    children = PeopleChoiceField(
        label="Who was it for?",
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Twins seen at one visit: select both, and each has the review recorded",
        error_messages={"required": "Select who the contact was for"},
    )
    kind = forms.ChoiceField(
        label="What was it?",
        choices=ReviewKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select which review or contact it was"},
    )
    contact_date = DateField(
        label="Date", label_for_errors="Date of the contact", must_be_past=True
    )
    mode = forms.ChoiceField(
        label="How",
        choices=ContactMode.choices,
        widget=forms.RadioSelect,
        initial=ContactMode.FACE_TO_FACE,
        error_messages={"required": "Select how the contact took place"},
    )
    present = forms.MultipleChoiceField(
        label="Who was present?",
        choices=Present.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select who was present"},
    )
    practitioner = PractitionerChoiceField(
        label="Practitioner",
        queryset=User.objects.none(),
        empty_label=None,
        error_messages={"required": "Select who carried out the contact"},
    )
    breastfeeding = forms.ChoiceField(
        label="Breastfeeding",
        choices=Breastfeeding.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="Needed at the new birth visit and the 6 to 8 week review",
    )
    weight = forms.CharField(
        label="Weight in kilograms (optional)",
        max_length=10,
        required=False,
        error_messages={"max_length": WEIGHT_FORMAT},
        help_text="For example, 3.45. Up to 3 decimal places.",
    )
    smoking_at_booking = forms.ChoiceField(
        label="Mother's smoking at booking (optional)",
        choices=Smoking.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="At the antenatal contact and the new birth visit",
    )
    smoking_at_delivery = forms.ChoiceField(
        label="Mother's smoking at delivery (optional)",
        choices=Smoking.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="At the new birth visit",
    )
    asq3_used = forms.BooleanField(
        label="ASQ-3 used",
        required=False,
        help_text="At the 12-month and 2 to 2½ year reviews",
    )
    concerns = forms.CharField(
        label="Concerns (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    next_steps = forms.CharField(
        label="Next steps (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # The facts only a born child has.
    AFTER_BIRTH = ("breastfeeding", "weight", "smoking_at_delivery", "asq3_used")

    def __init__(
        self, *args: Any, target: ForRecording, user: User, kind: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.target = target
        children = cast(PeopleChoiceField, self.fields["children"])
        children.queryset = Person.objects.filter(pk__in=[each.pk for each in target.children])
        cast(PractitionerChoiceField, self.fields["practitioner"]).queryset = target.practitioners
        unborn = target.person.date_of_birth is None
        if unborn:
            for name in self.AFTER_BIRTH:
                del self.fields[name]
            cast(forms.ChoiceField, self.fields["kind"]).choices = [
                (kind.value, kind.label) for kind in (ReviewKind.ANTENATAL, ReviewKind.OTHER)
            ]
        if not self.is_bound:
            self.initial.update(
                children=[target.person.pk],
                kind=self._initial_kind(kind),
                contact_date=clock.today(),
                present=[Present.MOTHER] if unborn else [Present.MOTHER, Present.CHILD],
                practitioner=user.pk,
            )

    @property
    def for_several(self) -> bool:
        """Whether to ask who it was for: only if the family has more than one child."""
        return len(self.target.children) > 1

    def _initial_kind(self, asked: str) -> str:
        """The review the link was for, or the child's most pressing one, or another contact."""
        kinds = (
            {ReviewKind.ANTENATAL.value, ReviewKind.OTHER.value}
            if self.target.person.date_of_birth is None
            else set(ReviewKind.values)
        )
        if asked in kinds:
            return asked
        today = clock.today()
        pressing = self.target.standing.offered_reviews(today)
        if pressing and pressing[0].window.kind in kinds:
            return pressing[0].window.kind
        return ReviewKind.OTHER

    def clean_weight(self) -> int | None:
        value = self.cleaned_data.get("weight", "").strip().removesuffix("kg").strip()
        if not value:
            return None
        if not KILOGRAMS.match(value):
            raise forms.ValidationError(WEIGHT_FORMAT)
        return int(Decimal(value) * 1000)

    def details(self) -> ContactDetails:
        data = self.cleaned_data
        return ContactDetails(
            kind=data["kind"],
            contact_date=data["contact_date"],
            mode=data["mode"],
            practitioner=data["practitioner"],
            present=tuple(data.get("present", ())),
            breastfeeding=data.get("breastfeeding", ""),
            weight_grams=data.get("weight"),
            smoking_at_booking=data.get("smoking_at_booking", ""),
            smoking_at_delivery=data.get("smoking_at_delivery", ""),
            asq3_used=data.get("asq3_used", False),
            concerns=data.get("concerns", ""),
            next_steps=data.get("next_steps", ""),
        )


class ImmunisationForm(GovukFormMixin, forms.Form):
    vaccines = forms.MultipleChoiceField(
        label="Which vaccines?",
        widget=forms.CheckboxSelectMultiple,
        help_text="Those given or declined together, on the same day",
        error_messages={"required": "Select the vaccines"},
    )
    status = forms.ChoiceField(
        label="Given or declined?",
        choices=ImmunisationStatus.choices,
        widget=forms.RadioSelect,
        initial=ImmunisationStatus.GIVEN,
        error_messages={"required": "Select whether the vaccines were given or declined"},
    )
    on_date = DateField(label="Date", label_for_errors="Date", must_be_past=True)
    place = forms.CharField(
        label="Where were they given?",
        max_length=200,
        required=False,
        help_text="If given. For example, Ashby Marsh Road Surgery.",
    )
    declined_reason = forms.CharField(
        label="Why were they declined?",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="If declined, in the parent's words where you can",
    )

    def __init__(self, *args: Any, target: ForRecording, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        outstanding = [each for each in target.standing.doses if each.record is None]
        cast(forms.MultipleChoiceField, self.fields["vaccines"]).choices = [
            (each.dose.code, f"{each.dose.label}, due at {each.dose.appointment}")
            for each in outstanding
        ]
        if not self.is_bound:
            now = [
                each for each in outstanding if each.status in (DoseStatus.DUE, DoseStatus.OVERDUE)
            ]
            earliest = min((each.due_on for each in now), default=None)
            self.initial.update(
                vaccines=[each.dose.code for each in now if each.due_on == earliest],
                on_date=clock.today(),
            )

    @property
    def has_choices(self) -> bool:
        return bool(cast(forms.MultipleChoiceField, self.fields["vaccines"]).choices)


class DeathForm(GovukFormMixin, forms.Form):
    date_of_death = DateField(
        label="Date", label_for_errors="Date", must_be_past=True, help_text="For example, 3 3 2026"
    )

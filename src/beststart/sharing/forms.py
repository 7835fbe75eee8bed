"""Forms for consent and information sharing, in GOV.UK patterns."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple, cast

from django import forms
from django.db.models import QuerySet
from django.utils import dateformat

from beststart.accounts.models import Organisation, OrganisationType
from beststart.core import clock
from beststart.core.categories import DataCategory
from beststart.core.forms import DateField, GovukFormMixin
from beststart.families.forms import PersonChoiceField
from beststart.families.models import Person
from beststart.sharing.actions import ConsentTerms
from beststart.sharing.models import ConsentMethod, SharingPurpose

# Consent

# Safeguarding information is never shared by consent, so it is not offered.
CONSENT_CATEGORIES = [
    (category.value, category.label)
    for category in DataCategory
    if category != DataCategory.SAFEGUARDING
]


ANSWER_KEYS = {
    "person": "Whose information",
    "given_by": "Given by",
    "categories": "Information",
    "recipient_types": "Types of organisation",
    "recipient_organisations": "Named organisations",
    "purpose": "Purpose",
    "method": "How it was given",
    "evidence": "Evidence",
    "starts_on": "Start date",
    "expires_on": "Expiry date",
}


class Answer(NamedTuple):
    question: str
    answer: str
    anchor: str  # the field to change it in


def _long_date(day: dt.date) -> str:
    return dateformat.format(day, "j F Y")


class ConsentForm(GovukFormMixin, forms.Form):
    person = PersonChoiceField(
        label="Whose information is this consent about?",
        queryset=Person.objects.none(),
        widget=forms.RadioSelect,
        error_messages={"required": "Select whose information the consent is about"},
    )
    given_by = PersonChoiceField(
        label="Who gave consent?",
        queryset=Person.objects.none(),
        widget=forms.RadioSelect,
        help_text="A parent or carer consents for themself. For a child or an unborn baby, an "
        "adult with parental responsibility for them consents.",
        error_messages={"required": "Select who gave consent"},
    )
    categories = forms.MultipleChoiceField(
        label="What information may be shared?",
        choices=CONSENT_CATEGORIES,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply. Safeguarding information is never shared by consent.",
        error_messages={"required": "Select at least one kind of information to share"},
    )
    recipient_types = forms.MultipleChoiceField(
        label="Which types of organisation may it be shared with?",
        choices=OrganisationType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Every organisation of the types you select, now and in future.",
    )
    recipient_organisations = forms.ModelMultipleChoiceField(
        label="Which named organisations may it be shared with?",
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The organisations working with the family now. Select a type above to "
        "include an organisation not working with them yet.",
    )
    purpose = forms.ChoiceField(
        label="What is it for?",
        choices=SharingPurpose.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the information will be shared for"},
    )
    method = forms.ChoiceField(
        label="How was consent given?",
        choices=ConsentMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how consent was given"},
    )
    evidence = forms.CharField(
        label="Where is the evidence?",
        max_length=500,
        required=False,
        help_text="For example, the signed form's reference or the Red Book page. Needed for "
        "a written consent.",
    )
    starts_on = DateField(
        label="Start date",
        label_for_errors="Start date",
        help_text="For example, 27 3 2026",
    )
    expires_on = DateField(
        label="Expiry date (optional)",
        label_for_errors="Expiry date",
        required=False,
        help_text="When the family should be asked again. For example, 27 3 2027.",
    )

    def __init__(
        self,
        *args: Any,
        members: QuerySet[Person],
        adults: QuerySet[Person],
        organisations: QuerySet[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(PersonChoiceField, self.fields["person"]).queryset = members
        cast(PersonChoiceField, self.fields["given_by"]).queryset = adults
        cast(
            forms.ModelMultipleChoiceField, self.fields["recipient_organisations"]
        ).queryset = organisations
        if not self.is_bound:
            self.initial.setdefault("starts_on", clock.today())

    def answers(self) -> list[Answer]:
        """What was chosen, in words, for "Check your answers"."""
        data = self.cleaned_data
        words = {
            "person": data["person"].full_name,
            "given_by": data["given_by"].full_name,
            "categories": ", ".join(DataCategory(value).label for value in data["categories"]),
            "recipient_types": ", ".join(
                OrganisationType(value).label for value in data["recipient_types"]
            )
            or "None",
            "recipient_organisations": ", ".join(
                organisation.name for organisation in data["recipient_organisations"]
            )
            or "None",
            "purpose": SharingPurpose(data["purpose"]).label,
            "method": ConsentMethod(data["method"]).label,
            "evidence": data["evidence"] or "Not given",
            "starts_on": _long_date(data["starts_on"]),
            "expires_on": _long_date(data["expires_on"]) if data["expires_on"] else "No expiry",
        }
        return [Answer(ANSWER_KEYS[name], text, self.anchor(name)) for name, text in words.items()]

    def terms(self) -> ConsentTerms:
        data = self.cleaned_data
        return ConsentTerms(
            person=data["person"],
            given_by=data["given_by"],
            categories=data["categories"],
            recipient_types=data["recipient_types"],
            recipient_organisations=list(data["recipient_organisations"]),
            purpose=data["purpose"],
            method=data["method"],
            evidence=data["evidence"],
            starts_on=data["starts_on"],
            expires_on=data["expires_on"],
        )


class WithdrawConsentForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why is consent being withdrawn? (optional)",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, what the person said. No one needs to give a reason.",
    )


# Break-glass, safeguarding shares, information-sharing agreements, privacy officer reviews


# Subject access

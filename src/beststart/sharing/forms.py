"""Forms for consent and information sharing, in GOV.UK patterns."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple, cast

from django import forms
from django.db.models import QuerySet
from django.utils import dateformat

from beststart.accounts.actors import Actor
from beststart.accounts.models import Organisation, OrganisationType, User
from beststart.core import clock
from beststart.core.categories import DataCategory
from beststart.core.forms import DateField, GovukFormMixin
from beststart.core.identifiers import normalise_nhs_number, validate_nhs_number
from beststart.families.forms import PersonChoiceField
from beststart.families.models import Person
from beststart.sharing.actions import (
    AgreementDetails,
    ConsentTerms,
    ShareDetails,
    agreement_errors,
    review_errors,
    share_errors,
)
from beststart.sharing.models import (
    BreakGlassReason,
    ConsentMethod,
    LegalBasis,
    ReviewOutcome,
    SharingPurpose,
)

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


def _add_errors(form: forms.Form, errors: dict[str, str]) -> None:
    for field, message in errors.items():
        form.add_error(field, message)


class OrganisationChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return obj.name


class ApproverChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.username


def _organisations(label: str, help_text: str) -> OrganisationChoiceField:
    return OrganisationChoiceField(
        label=label,
        help_text=help_text,
        queryset=Organisation.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


def _organisation_types(label: str, help_text: str) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        help_text=help_text,
        choices=OrganisationType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


def _categories(label: str, help_text: str) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        help_text=help_text,
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,  # the action's checks say what is missing
    )


class BreakGlassForm(GovukFormMixin, forms.Form):
    reason = forms.ChoiceField(
        label="Why do you need the record now?",
        choices=BreakGlassReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why you need emergency access"},
    )
    account = forms.CharField(
        label="What has happened",
        help_text="Say what happened, who asked for help, and why it cannot wait for the "
        "family's usual team. The privacy officer will read this.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
        error_messages={
            "required": "Enter what has happened and why you need the record now",
            "max_length": "What has happened must be 2000 characters or fewer",
        },
    )


class BreakGlassReviewForm(GovukFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        label="Was the access justified?",
        choices=ReviewOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the access was justified"},
    )
    notes = forms.CharField(
        label="Notes",
        help_text="If it was not justified, say why and what will happen next",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=5000,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "outcome" in cleaned:
            _add_errors(self, review_errors(cleaned["outcome"], cleaned.get("notes", "")))
        return cleaned


class AgreementForm(GovukFormMixin, forms.Form):
    reference = forms.CharField(
        label="Reference",
        help_text="As written on the agreement, for example ISA-2026-004",
        max_length=32,
        error_messages={"required": "Enter the agreement's reference"},
    )
    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Enter the agreement's title"}
    )
    party_types = _organisation_types(
        "Kinds of organisation in the agreement",
        "Every organisation of a kind you select is a party. Select all that apply.",
    )
    party_organisations = _organisations(
        "Named organisations (optional)",
        "Organisations that signed the agreement, besides the kinds selected above",
    )
    categories = _categories("Information the parties may share", "Select all that apply")
    purpose = forms.CharField(
        label="Purpose",
        help_text="Why the information is shared, as the agreement says",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the purpose of the agreement"},
    )
    legal_basis = forms.ChoiceField(
        label="Legal basis",
        choices=LegalBasis.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the legal basis for sharing"},
    )
    starts_on = DateField(
        label="Start date", label_for_errors="Start date", help_text="For example, 1 4 2026"
    )
    review_on = DateField(
        label="Review date",
        label_for_errors="Review date",
        help_text="When the agreement is due to be reviewed, for example 1 4 2027",
    )
    ends_on = DateField(
        label="End date (optional)",
        label_for_errors="End date",
        required=False,
        help_text="Leave blank if the agreement runs until it is ended",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _add_errors(
            self,
            agreement_errors(
                reference=cleaned.get("reference"),
                party_types=cleaned.get("party_types", []),
                party_organisations=list(cleaned.get("party_organisations", [])),
                categories=cleaned.get("categories", []),
                starts_on=cleaned.get("starts_on"),
                review_on=cleaned.get("review_on"),
                ends_on=cleaned.get("ends_on"),
            ),
        )
        return cleaned

    def details(self) -> AgreementDetails:
        data = self.cleaned_data
        return AgreementDetails(
            reference=data["reference"],
            title=data["title"],
            party_types=data["party_types"],
            party_organisations=list(data["party_organisations"]),
            categories=data["categories"],
            purpose=data["purpose"],
            legal_basis=data["legal_basis"],
            starts_on=data["starts_on"],
            review_on=data["review_on"],
            ends_on=data.get("ends_on"),
        )


class EndAgreementForm(GovukFormMixin, forms.Form):
    ends_on = DateField(
        label="Last day of the agreement",
        label_for_errors="End date",
        help_text="Nothing is shared under the agreement after this day",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("ends_on", clock.today())


WHOLE_FAMILY = "family"


class SafeguardingShareForm(GovukFormMixin, forms.Form):
    about = forms.ChoiceField(
        label="Who is the information about?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the whole family or the person it is about"},
    )
    categories = _categories(
        "Information to share",
        "Only what the recipients need to protect the child. Select all that apply.",
    )
    recipient_organisations = _organisations("Organisations to share with", "Select all that apply")
    recipient_types = _organisation_types(
        "Or every organisation of a kind (optional)", "Select all that apply"
    )
    justification = forms.CharField(
        label="Why it must be shared without consent",
        help_text="The risk to the child, and why asking for consent would increase it or "
        "could not be done",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter why the information must be shared without consent"},
    )
    approved_by = ApproverChoiceField(
        label="Who approved sharing without consent?",
        help_text="A team manager, as safeguarding lead. You cannot approve your own share.",
        queryset=User.objects.none(),
        empty_label="Select the team manager",
        error_messages={
            "required": "Select the team manager who approved the share",
            "invalid_choice": "Select a team manager other than yourself",
        },
    )
    starts_on = DateField(label="Share from", label_for_errors="Start date")
    ends_on = DateField(
        label="Share until (optional)",
        label_for_errors="End date",
        required=False,
        help_text="Leave blank to share until the share is ended",
    )

    def __init__(
        self,
        *args: Any,
        actor: Actor,
        members: QuerySet[Person],
        approvers: QuerySet[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.members = {str(person.pk): person for person in members}
        self.fields["about"].choices = [  # type: ignore[attr-defined]
            (WHOLE_FAMILY, "The whole family"),
            *((key, person.full_name) for key, person in self.members.items()),
        ]
        cast(ApproverChoiceField, self.fields["approved_by"]).queryset = approvers
        if not self.is_bound:
            self.initial.setdefault("about", WHOLE_FAMILY)
            self.initial.setdefault("categories", [DataCategory.SAFEGUARDING.value])
            self.initial.setdefault("starts_on", clock.today())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _add_errors(
            self,
            share_errors(
                self.actor,
                categories=cleaned.get("categories", []),
                recipient_organisations=list(cleaned.get("recipient_organisations", [])),
                recipient_types=cleaned.get("recipient_types", []),
                approved_by=cleaned.get("approved_by"),
                starts_on=cleaned.get("starts_on"),
                ends_on=cleaned.get("ends_on"),
            ),
        )
        return cleaned

    def details(self) -> ShareDetails:
        data = self.cleaned_data
        return ShareDetails(
            person=self.members.get(data["about"]),
            categories=data["categories"],
            recipient_organisations=list(data["recipient_organisations"]),
            recipient_types=data["recipient_types"],
            justification=data["justification"],
            approved_by=data["approved_by"],
            starts_on=data["starts_on"],
            ends_on=data.get("ends_on"),
        )


# Subject access


class SubjectAccessForm(GovukFormMixin, forms.Form):
    """Who a subject access request is about: posted, so the NHS number stays out of URLs."""

    nhs_number = forms.CharField(
        label="NHS number",
        max_length=12,
        required=False,
        help_text="10 digits, for example 943 476 5919",
    )
    person_id = forms.IntegerField(
        label="Person ID",
        required=False,
        min_value=1,
        help_text="Shown on the family record beside each person. Use it if the person has no "
        "NHS number.",
        error_messages={
            "invalid": "Enter the person ID in numbers only, like 1234",
            "min_value": "Enter the person ID shown on the family record, like 1234",
        },
    )

    def clean_nhs_number(self) -> str:
        value = self.cleaned_data["nhs_number"].strip()
        if value:
            validate_nhs_number(value)
        return normalise_nhs_number(value)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        if not cleaned.get("nhs_number") and cleaned.get("person_id") is None:
            self.add_error("nhs_number", "Enter the person's NHS number or their person ID")
        elif cleaned.get("nhs_number") and cleaned.get("person_id") is not None:
            self.add_error("person_id", "Enter an NHS number or a person ID, not both")
        return cleaned

    def not_on_register(self) -> None:
        """Nobody on the register has what was typed: say so beside it."""
        if self.cleaned_data.get("nhs_number"):
            self.add_error(
                "nhs_number",
                "No one on the register has this NHS number. Check it, or enter their person "
                "ID instead",
            )
        else:
            self.add_error(
                "person_id", "No one on the register has this person ID. Check it and try again"
            )

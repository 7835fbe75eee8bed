"""Forms for referrals, in GOV.UK patterns: the referral itself, the steps of its lifecycle,
matching it to the register and the routing rules. Validation messages say what to do."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import QuerySet

from beststart.accounts.models import Team
from beststart.core.categories import DataCategory
from beststart.core.forms import DateField, GovukFormMixin
from beststart.families.forms import IdentityFields
from beststart.families.models import Family, Person
from beststart.families.selectors import IdentityMatch
from beststart.places.models import ReachArea, normalise_postcode
from beststart.referrals.actions import (
    NO_CONSENT_MESSAGE,
    ConsentGiven,
    PersonReferred,
    ReferralDetails,
)
from beststart.referrals.models import (
    DeclineReason,
    Need,
    Outcome,
    Referral,
    ReferralService,
    StepKind,
    Urgency,
)
from beststart.referrals.selectors import NONE_OF_THESE, match_value
from beststart.sharing.models import ConsentMethod

YES, NO = "yes", "no"
# What a family may agree to share with a service; safeguarding information never goes by
# consent.
SHAREABLE = [(value, label) for value, label in DataCategory.choices if value != "safeguarding"]


def _choose_from_the_list(form: forms.BaseForm) -> None:
    """A posted value that is not among the choices gets the same message as none chosen:
    what to do, rather than Django's "Select a valid choice"."""
    for field in form.fields.values():
        if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
            required = field.error_messages.get("required")
            if required and not str(required).startswith("This field"):
                field.error_messages["invalid_choice"] = required


class ServiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ReferralService) -> str:
        return f"{obj.name} ({obj.team.name})"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        born = (
            f"born {obj.date_of_birth:%-d %B %Y}"
            if obj.date_of_birth
            else f"due {obj.expected_delivery_date:%-d %B %Y}"
            if obj.expected_delivery_date
            else ""
        )
        return f"{obj.full_name}, {born}" if born else obj.full_name


def _text(label: str, required_message: str, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=kwargs.pop("max_length", 4000),
        error_messages={
            "required": required_message,
            "max_length": f"{label} must be 4,000 characters or fewer",
        },
        **kwargs,
    )


class ReferralForm(GovukFormMixin, IdentityFields):
    """A practitioner's referral. Made from a family's record (`members` given), the person
    is chosen among the family's members and their details come from the record; otherwise
    they are typed, and checked against the register before the referral is sent. With
    `postcode` given (the family's current address, where the actor may see it) the postcode
    is not asked for."""

    service = ServiceChoiceField(
        label="Which service are you referring to?",
        queryset=ReferralService.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Select the service you are referring to",
            "invalid_choice": "Select the service you are referring to",
        },
    )
    need = forms.ChoiceField(
        label="What does the family need help with?",
        choices=Need.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the family needs help with"},
    )
    urgency = forms.ChoiceField(
        label="How urgent is it?",
        choices=Urgency.choices,
        widget=forms.RadioSelect,
        initial=Urgency.ROUTINE,
        error_messages={"required": "Select how urgent the referral is"},
    )
    reason = _text(
        "Why are you referring?",
        "Enter why you are referring the family",
        help_text="What is happening, and what the family would like from the service",
    )
    person = PersonChoiceField(
        label="Who are you referring?",
        queryset=Person.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Select who you are referring",
            "invalid_choice": "Select who you are referring",
        },
    )
    expected_delivery_date = DateField(
        label="Due date, for a pregnancy",
        label_for_errors="Due date",
        required=False,
        help_text="For example, 14 6 2027",
    )
    postcode = forms.CharField(
        label="Postcode",
        max_length=10,
        help_text="Where the family lives: it decides which team's queue the referral goes to",
        error_messages={"required": "Enter the family's postcode"},
    )
    contact_name = forms.CharField(
        label="Who should the service contact?",
        max_length=200,
        help_text="Their name and who they are, for example Sam Jones, mother",
        error_messages={"required": "Enter who the service should contact"},
    )
    contact_phone = forms.CharField(label="Phone number", max_length=40, required=False)
    contact_email = forms.EmailField(
        label="Email address",
        required=False,
        error_messages={"invalid": "Enter an email address like name@example.com"},
    )
    consent_agreed = forms.ChoiceField(
        label="Has the family agreed to this referral?",
        choices=[(YES, "Yes"), (NO, "No")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the family has agreed to this referral"},
    )
    consent_given_by = forms.CharField(
        label="Who agreed?",
        max_length=200,
        required=False,
        help_text="Their name and who they are, for example Sam Jones, mother",
    )
    consent_method = forms.ChoiceField(
        label="How did they agree?",
        choices=ConsentMethod.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    consent_given_on = DateField(
        label="When did they agree?",
        label_for_errors="The date they agreed",
        must_be_past=True,
        required=False,
        help_text="For example, 27 3 2026",
    )
    consent_categories = forms.MultipleChoiceField(
        label="What may be shared with the service?",
        choices=SHAREABLE,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Select all the family agreed to. Safeguarding information is never shared "
        "by consent.",
    )

    PERSON_FIELDS = (
        "given_name",
        "family_name",
        "date_of_birth",
        "expected_delivery_date",
        "nhs_number",
    )
    field_order = [
        "service",
        "need",
        "urgency",
        "reason",
        "person",
        *PERSON_FIELDS,
        "postcode",
        "contact_name",
        "contact_phone",
        "contact_email",
        "consent_agreed",
        "consent_given_by",
        "consent_method",
        "consent_given_on",
        "consent_categories",
    ]

    def __init__(
        self,
        *args: Any,
        services: QuerySet[ReferralService],
        members: QuerySet[Person] | None = None,
        postcode: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        service_field = self.fields["service"]
        assert isinstance(service_field, forms.ModelChoiceField)
        service_field.queryset = services
        if members is None:
            del self.fields["person"]
        else:
            person_field = self.fields["person"]
            assert isinstance(person_field, forms.ModelChoiceField)
            person_field.queryset = members
            for name in self.PERSON_FIELDS:
                del self.fields[name]
        self.known_postcode = postcode
        if postcode:
            del self.fields["postcode"]
        _choose_from_the_list(self)

    @property
    def has_family(self) -> bool:
        return "person" in self.fields

    @property
    def asks_postcode(self) -> bool:
        return "postcode" in self.fields

    def clean_postcode(self) -> str:
        return normalise_postcode(self.cleaned_data["postcode"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            not self.has_family
            and "date_of_birth" not in self.errors
            and "expected_delivery_date" not in self.errors
            and not cleaned.get("date_of_birth")
            and not cleaned.get("expected_delivery_date")
        ):
            self.add_error(
                "date_of_birth", "Enter a date of birth, or the due date for a pregnancy"
            )
        if "contact_email" not in self.errors and not (
            cleaned.get("contact_phone", "").strip() or cleaned.get("contact_email")
        ):
            self.add_error(
                "contact_phone", "Enter a phone number or an email address to contact the family"
            )
        agreed = cleaned.get("consent_agreed")
        if agreed == NO:
            self.add_error("consent_agreed", NO_CONSENT_MESSAGE)
        elif agreed == YES:
            if not cleaned.get("consent_given_by", "").strip():
                self.add_error("consent_given_by", "Enter who agreed to the referral")
            if not cleaned.get("consent_method"):
                self.add_error("consent_method", "Select how they agreed")
            if not cleaned.get("consent_given_on") and "consent_given_on" not in self.errors:
                self.add_error("consent_given_on", "Enter the date they agreed")
        return cleaned

    def identity(self) -> dict[str, Any]:
        """What the identity check looks for: the typed details."""
        data = self.cleaned_data
        return {
            "given_name": data.get("given_name", ""),
            "family_name": data["family_name"],
            "date_of_birth": data.get("date_of_birth"),
            "nhs_number": data.get("nhs_number") or None,
        }

    def details(
        self, *, family: Family | None = None, matched_person: Person | None = None
    ) -> ReferralDetails:
        data = self.cleaned_data
        person: Person | None = data.get("person") if self.has_family else matched_person
        typed: dict[str, Any]
        if self.has_family:
            assert person is not None
            typed = {
                "given_name": person.given_name,
                "family_name": person.family_name,
                "date_of_birth": person.date_of_birth,
                "expected_delivery_date": person.expected_delivery_date,
                "nhs_number": person.nhs_number or "",
            }
        else:
            typed = {name: data.get(name) for name in self.PERSON_FIELDS}
            typed["given_name"] = typed["given_name"] or ""
            typed["nhs_number"] = typed["nhs_number"] or ""
        return ReferralDetails(
            service=data["service"],
            need=data["need"],
            reason=data["reason"],
            urgency=data["urgency"],
            person=PersonReferred(
                **typed,
                postcode=self.known_postcode or data["postcode"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                contact_email=data["contact_email"],
            ),
            consent=ConsentGiven(
                agreed=data["consent_agreed"] == YES,
                given_by=data["consent_given_by"],
                method=data["consent_method"],
                given_on=data["consent_given_on"],
                categories=tuple(data["consent_categories"]),
            ),
            family=family,
            matched_person=person,
        )


def _match_label(match: IdentityMatch) -> str:
    born = f"born {match.date_of_birth:%-d %B %Y}" if match.date_of_birth else "not born yet"
    parts = [match.name, born]
    if match.postcode_district:
        parts.append(f"lives in {match.postcode_district}")
    parts.append(
        f"known to {', '.join(match.teams)}" if match.teams else "no team working with them"
    )
    return ", ".join(parts)


class ChooseMatchForm(GovukFormMixin, forms.Form):
    """Search before create: one of the people the identity check found, or none of them.
    The choices are the check's own results, run again on the same details, so nothing else
    can be posted."""

    match = forms.ChoiceField(
        label="Is this the person?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the person you are referring, or none of these",
            "invalid_choice": "Select the person you are referring, or none of these",
        },
    )

    def __init__(
        self, *args: Any, matches: list[IdentityMatch], allow_none: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [(match_value(match), _match_label(match)) for match in matches]
        if allow_none:
            choices.append(
                (NONE_OF_THESE, "None of these: send the referral and let the receiving team check")
            )
        field = self.fields["match"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class ChooseMemberForm(GovukFormMixin, forms.Form):
    """A member of a family just created for the referral."""

    person = PersonChoiceField(
        label="Who is referred?",
        queryset=Person.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Select the person referred",
            "invalid_choice": "Select the person referred",
        },
    )

    def __init__(self, *args: Any, members: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = members


# ---------------------------------------------------------------------------------------------
# Steps


def _note(label: str = "Note (optional)") -> forms.CharField:
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
        error_messages={"max_length": "The note must be 4,000 characters or fewer"},
    )


class StepForm(GovukFormMixin, forms.Form):
    """A step with nothing to say but an optional note."""

    note = _note()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choose_from_the_list(self)


class AcceptForm(StepForm):
    """Accepting takes no more than the button."""

    note = None  # type: ignore[assignment]


class DeclineForm(StepForm):
    reason = forms.ChoiceField(
        label="Why are you declining it?",
        choices=DeclineReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why you are declining the referral"},
    )
    field_order = ["reason", "note"]


class CompleteForm(StepForm):
    outcome = forms.ChoiceField(
        label="What was the outcome?",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the outcome of the support"},
    )
    field_order = ["outcome", "note"]


class WithdrawForm(StepForm):
    note = None  # type: ignore[assignment]
    reason = _text("Why is the referral withdrawn?", "Enter why the referral is withdrawn")


class TeamChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Team) -> str:
        return obj.name


class RerouteForm(StepForm):
    team = TeamChoiceField(
        label="Which team's queue should it go to?",
        queryset=Team.objects.none(),
        empty_label="Choose a team",
        error_messages={
            "required": "Select the team to send the referral to",
            "invalid_choice": "Select the team to send the referral to",
        },
    )
    field_order = ["team", "note"]

    def __init__(self, *args: Any, teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["team"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = teams


class RequestInformationForm(StepForm):
    note = None  # type: ignore[assignment]
    question = _text("What do you need to know?", "Enter what you need to know")


class GiveInformationForm(StepForm):
    note = None  # type: ignore[assignment]
    answer = _text("Your answer", "Enter the information asked for")


class MergeForm(StepForm):
    note = None  # type: ignore[assignment]
    into = forms.ChoiceField(
        label="Which referral is this a duplicate of?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the referral this one duplicates",
            "invalid_choice": "Select the referral this one duplicates",
        },
    )

    def __init__(self, *args: Any, duplicates: list[Referral], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.duplicates = {str(each.pk): each for each in duplicates}
        field = self.fields["into"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (
                str(each.pk),
                f"{each.reference}: {each.person_name}, {each.service.name}, "
                f"{each.get_status_display().lower()}",
            )
            for each in duplicates
        ]

    def clean_into(self) -> Referral:
        return self.duplicates[self.cleaned_data["into"]]


STEP_FORMS: dict[str, type[StepForm]] = {
    StepKind.ACCEPTED: AcceptForm,
    StepKind.DECLINED: DeclineForm,
    StepKind.CONTACTED: StepForm,
    StepKind.SUPPORT_STARTED: StepForm,
    StepKind.COMPLETED: CompleteForm,
    StepKind.WITHDRAWN: WithdrawForm,
    StepKind.ROUTED: RerouteForm,
    StepKind.INFORMATION_REQUESTED: RequestInformationForm,
    StepKind.INFORMATION_GIVEN: GiveInformationForm,
    StepKind.MERGED: MergeForm,
}


# ---------------------------------------------------------------------------------------------
# Routing rules

POSTCODE_START = re.compile(r"^[A-Z]{1,2}(\d[A-Z\d]?( \d[A-Z]{0,2})?)?$")


class OptionalChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class RoutingRuleForm(GovukFormMixin, forms.Form):
    """A rule sends referrals that meet all its conditions to a team. A rule with no
    condition is a catch-all."""

    service = OptionalChoiceField(
        label="Service (optional)",
        queryset=ReferralService.objects.none(),
        required=False,
        empty_label="Any service",
    )
    need = forms.ChoiceField(
        label="Need (optional)", choices=[("", "Any need"), *Need.choices], required=False
    )
    reach_area = OptionalChoiceField(
        label="Children's centre reach area (optional)",
        queryset=ReachArea.objects.none(),
        required=False,
        empty_label="Anywhere",
    )
    postcode_prefix = forms.CharField(
        label="Postcode starts with (optional)",
        max_length=20,  # as typed, spaces and all; the pattern below keeps it to 8
        required=False,
        help_text="An area or district, for example XW or XW12, or a sector, for example XW12 3",
    )
    team = TeamChoiceField(
        label="Send to which team's queue?",
        queryset=Team.objects.none(),
        empty_label="Choose a team",
        error_messages={
            "required": "Select the team the rule sends referrals to",
            "invalid_choice": "Select the team the rule sends referrals to",
        },
    )
    priority = forms.IntegerField(
        label="Priority",
        initial=100,
        min_value=1,
        max_value=32767,
        help_text="Lower numbers are tried first. Among rules of equal priority, the one with "
        "more conditions wins.",
        error_messages={
            "required": "Enter a priority, like 100",
            "invalid": "Priority must be a whole number, like 100",
            "min_value": "Priority must be 1 or more",
            "max_value": "Priority must be 32,767 or less",
        },
    )

    def __init__(
        self,
        *args: Any,
        services: QuerySet[ReferralService],
        reach_areas: QuerySet[ReachArea],
        teams: QuerySet[Team],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (
            ("service", services),
            ("reach_area", reach_areas),
            ("team", teams),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset

    def clean_postcode_prefix(self) -> str:
        value = " ".join(self.cleaned_data["postcode_prefix"].upper().split())
        if value and not POSTCODE_START.match(value):
            raise forms.ValidationError(
                "Enter the start of a postcode, like XW, XW12 or XW12 3", code="invalid"
            )
        return value

    @property
    def is_catch_all(self) -> bool:
        data = self.cleaned_data
        return not any(
            data.get(name) for name in ("service", "need", "reach_area", "postcode_prefix")
        )

"""The self-referral form, in GOV.UK patterns and plain English: the family first chooses a
service, then says what they need help with (only what that service helps with), what is
happening, about the child and how to contact them, and what they agree to share.

Every text field has a length limit, checked on the server (no `maxlength`, which cuts off
pasted text without saying so). A hidden field that people never see catches robots, and a
signed time catches forms sent too quickly or kept too long (ADR 0012)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import QuerySet

from beststart.core import clock
from beststart.core.categories import DataCategory
from beststart.core.forms import DateField, GovukFormMixin
from beststart.places.models import is_postcode_shaped, normalise_postcode
from beststart.portal import protection
from beststart.portal.protection import StartCheck
from beststart.referrals.actions import ConsentGiven, PersonReferred, ReferralDetails
from beststart.referrals.models import Need, ReferralService
from beststart.sharing.models import ConsentMethod

REASON_LENGTH = 3000
PHONE = re.compile(r"^\+?[0-9 ()\-]+$")
PHONE_EXAMPLES = "like 01632 960 001, 07700 900 982 or +44 808 157 0192"

# What else the family may let the service see, in their words. Identity is always shared;
# safeguarding information is never shared by consent.
SHARE_CHOICES = [
    (DataCategory.HEALTH.value, "Health, such as health visitor checks and immunisations"),
    (
        DataCategory.DEVELOPMENT.value,
        "Development and learning, such as progress checks and early education",
    ),
    (
        DataCategory.FAMILY_SUPPORT.value,
        "Family support, such as children's centre groups and help your family has had",
    ),
]

START_MESSAGES = {
    StartCheck.TOO_FAST: "Check your answers, then send them again",
    StartCheck.TAMPERED: "Check your answers, then send them again",
    StartCheck.EXPIRED: "This page was open for more than 2 hours. Check your answers, then "
    "send them again",
}


def _limited(max_length: int, what: str, **kwargs: Any) -> forms.CharField:
    """A text field with a length limit that says what to do, and no `maxlength`."""
    field = forms.CharField(
        max_length=max_length,
        error_messages={
            "max_length": f"{what} must be {max_length:,} characters or fewer",
            **kwargs.pop("error_messages", {}),
        },
        **kwargs,
    )
    field.widget.attrs.pop("maxlength", None)
    return field


class ServiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ReferralService) -> str:
        return obj.name


class ServiceForm(GovukFormMixin, forms.Form):
    """The first question: which service the family would like help from. Sent in the query
    string: it names a service, nobody's details."""

    service = ServiceChoiceField(
        label="Which service would you like help from?",
        queryset=ReferralService.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Choose the service you would like help from",
            "invalid_choice": "Choose one of the services listed",
        },
    )

    def __init__(self, *args: Any, services: QuerySet[ReferralService], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["service"]
        assert isinstance(field, ServiceChoiceField)
        field.queryset = services


class SelfReferralForm(GovukFormMixin, forms.Form):
    """The rest of the request, for one service."""

    need = forms.ChoiceField(
        label="What would you like help with?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what you would like help with",
            "invalid_choice": "Choose one of the things listed",
        },
    )
    reason = _limited(
        REASON_LENGTH,
        "What is happening",
        label="Tell us what is happening",
        help_text="What is happening for your family, and what you would like help with. "
        f"Up to {REASON_LENGTH:,} characters.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Tell us what is happening"},
    )
    given_name = _limited(
        100,
        "The child's first name",
        label="Child's first name",
        required=False,
        help_text="Leave this blank if your baby is not born yet",
    )
    family_name = _limited(
        100,
        "The child's last name",
        label="Child's last name",
        error_messages={"required": "Enter the child's last name"},
    )
    date_of_birth = DateField(
        label="Child's date of birth",
        label_for_errors="The child's date of birth",
        must_be_past=True,
        required=False,
        help_text="For example, 27 3 2024",
    )
    expected_delivery_date = DateField(
        label="Or, if you are pregnant, your due date",
        label_for_errors="The due date",
        must_be_future=True,
        required=False,
        help_text="For example, 14 6 2027",
    )
    contact_name = _limited(
        200,
        "Your name",
        label="Your full name",
        error_messages={"required": "Enter your full name"},
    )
    contact_phone = _limited(
        40,
        "The phone number",
        label="Phone number",
        required=False,
        help_text="We need a phone number or an e-mail address, or both",
    )
    contact_email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        required=False,
        error_messages={
            "invalid": "Enter an e-mail address in the correct format, like name@example.com",
            "max_length": "The e-mail address must be 254 characters or fewer",
        },
    )
    postcode = _limited(
        10,
        "The postcode",
        label="Postcode",
        help_text="Where the child lives",
        error_messages={"required": "Enter the postcode where the child lives"},
    )
    consent_agreed = forms.BooleanField(required=False)
    consent_categories = forms.MultipleChoiceField(
        choices=SHARE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Choose from the list"},
    )
    # A trap for robots: hidden from people and from screen readers (see the template).
    website = forms.CharField(label="Leave this blank", required=False)
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, service: ReferralService, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.service = service
        needs = [need for need in Need if not service.needs or need.value in service.needs]
        need_field = self.fields["need"]
        assert isinstance(need_field, forms.ChoiceField)
        need_field.choices = [(need.value, need.label) for need in needs]
        self.fields["consent_agreed"].label = (
            f"I agree to {service.name} contacting me and to Best Start sharing these details "
            "with them"
        )
        self.fields["consent_categories"].label = f"You can also let {service.name} see"
        self.fields["consent_categories"].help_text = (
            "They always see the names, dates of birth and contact details you give here. "
            "Choose anything else that other services hold about your family that they may "
            "see. You do not have to choose any."
        )
        self.fields["contact_email"].widget.attrs.pop("maxlength", None)
        # A fresh time for the page about to be shown, whatever was sent.
        self.fresh_start = protection.start_token()

    @property
    def is_spam(self) -> bool:
        """The trap was filled in: only a robot sees that box."""
        return bool(str(self.data.get("website", "")).strip())

    def clean_contact_phone(self) -> str:
        phone = self.cleaned_data["contact_phone"].strip()
        if phone and (not PHONE.match(phone) or len(re.sub(r"\D", "", phone)) < 10):
            raise forms.ValidationError(f"Enter a phone number, {PHONE_EXAMPLES}")
        return phone

    def clean_postcode(self) -> str:
        postcode = self.cleaned_data["postcode"].strip()
        if not is_postcode_shaped(postcode):
            raise forms.ValidationError("Enter a full postcode, like XW1 2AB")
        return normalise_postcode(postcode)

    def clean_consent_agreed(self) -> bool:
        if not self.cleaned_data["consent_agreed"]:
            raise forms.ValidationError(
                f"To send your request, tick the box to agree to {self.service.name} "
                "contacting you. Without your agreement, we cannot pass it on."
            )
        return True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        born = cleaned.get("date_of_birth")
        due = cleaned.get("expected_delivery_date")
        dates_checked = "date_of_birth" not in self.errors and (
            "expected_delivery_date" not in self.errors
        )
        if dates_checked and born is None and due is None:
            self.add_error(
                "date_of_birth", "Enter the child's date of birth, or your due date if pregnant"
            )
        elif born is not None and due is not None:
            self.add_error(
                "expected_delivery_date",
                "Enter the child's date of birth or your due date, not both",
            )
        named = bool(cleaned.get("given_name", "").strip()) or "given_name" in self.errors
        if born is not None and not named:
            self.add_error("given_name", "Enter the child's first name")
        contact_checked = not ({"contact_phone", "contact_email"} & set(self.errors))
        if contact_checked and not (cleaned.get("contact_phone") or cleaned.get("contact_email")):
            self.add_error(
                "contact_phone",
                "Enter a phone number or an e-mail address, so the team can contact you",
            )
        check = protection.check_start(str(self.data.get("started", "")))
        if check != StartCheck.OK:
            raise forms.ValidationError(START_MESSAGES[check], code=check)
        return cleaned

    def details(self) -> ReferralDetails:
        data = self.cleaned_data
        return ReferralDetails(
            service=self.service,
            need=data["need"],
            reason=data["reason"],
            person=PersonReferred(
                given_name=data["given_name"],
                family_name=data["family_name"],
                date_of_birth=data["date_of_birth"],
                expected_delivery_date=data["expected_delivery_date"],
                postcode=data["postcode"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                contact_email=data["contact_email"],
            ),
            consent=ConsentGiven(
                agreed=data["consent_agreed"],
                given_by=data["contact_name"],
                method=ConsentMethod.ONLINE,
                given_on=clock.today(),
                categories=(DataCategory.IDENTITY, *data["consent_categories"]),
            ),
        )

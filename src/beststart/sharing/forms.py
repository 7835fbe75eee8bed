"""Forms for consent and information sharing, in GOV.UK patterns."""

from __future__ import annotations

from typing import Any

from django import forms

from beststart.core.forms import GovukFormMixin
from beststart.core.identifiers import normalise_nhs_number, validate_nhs_number

# Consent


# Break-glass, safeguarding shares, information-sharing agreements, privacy officer reviews


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

from __future__ import annotations

from typing import Any

from django import forms

from beststart.core.forms import DateField, GovukFormMixin


class AuditQueryForm(GovukFormMixin, forms.Form):
    person_id = forms.IntegerField(
        label="Person ID",
        required=False,
        min_value=1,
        help_text="Shown on the family record beside each person",
    )
    family_id = forms.IntegerField(label="Family ID", required=False, min_value=1)
    username = forms.CharField(label="Username", required=False, max_length=150)
    date_from = DateField(label="From", label_for_errors="From date", required=False)
    date_to = DateField(label="To", label_for_errors="To date", required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "To date must be the same as or after the from date")
        return cleaned

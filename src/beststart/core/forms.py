"""Form pieces in the GOV.UK Design System's patterns: the date input and its messages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from beststart.core import clock


class DateInputWidget(forms.MultiWidget):
    """Day, month and year boxes, as in the GOV.UK date input pattern."""

    template_name = "govuk/widgets/date_input.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            "day": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": "2"}),
            "month": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": "2"}),
            "year": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": "4"}),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value: dt.date | None) -> list[Any]:
        if value:
            return [value.day, value.month, value.year]
        return [None, None, None]


class DateField(forms.MultiValueField):
    """A date typed as day, month and year, with the GOV.UK error messages.

    `label_for_errors` is the phrase the messages start with, for example "Date of birth".
    """

    widget = DateInputWidget

    def __init__(
        self,
        *,
        label_for_errors: str,
        must_be_past: bool = False,
        must_be_future: bool = False,
        **kwargs: Any,
    ) -> None:
        self.label_for_errors = label_for_errors
        self.must_be_past = must_be_past
        self.must_be_future = must_be_future
        # The parts are optional one by one, so that compress() can say which are missing
        # (GOV.UK: "Date of birth must include a month and year") instead of Django's
        # generic "Enter a complete value".
        parts = (
            forms.CharField(required=False),
            forms.CharField(required=False),
            forms.CharField(required=False),
        )
        kwargs.setdefault("error_messages", {"required": f"Enter the {label_for_errors.lower()}"})
        super().__init__(parts, require_all_fields=False, **kwargs)

    def compress(self, data_list: list[str]) -> dt.date | None:
        if not data_list or not any(data_list):
            return None
        day, month, year = (part.strip() if part else "" for part in data_list)
        missing = [
            name for name, part in (("day", day), ("month", month), ("year", year)) if not part
        ]
        if missing:
            raise forms.ValidationError(
                f"{self.label_for_errors} must include a {' and '.join(missing)}",
                code="incomplete",
            )
        if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
            raise forms.ValidationError(
                f"{self.label_for_errors} must be a real date", code="invalid"
            )
        try:
            value = dt.date(int(year), int(month), int(day))
        except ValueError:
            raise forms.ValidationError(
                f"{self.label_for_errors} must be a real date", code="invalid"
            ) from None
        if self.must_be_past and value > clock.today():
            raise forms.ValidationError(
                f"{self.label_for_errors} must be today or in the past", code="future"
            )
        if self.must_be_future and value < clock.today():
            raise forms.ValidationError(
                f"{self.label_for_errors} must be today or in the future", code="past"
            )
        return value


class GovukFormMixin:
    """Marks inputs with the GOV.UK error classes once a form has been checked."""

    error_css_class = "govuk-form-group--error"

    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor id, message) pairs in form order, for the error summary at the top."""
        form: forms.BaseForm = self  # type: ignore[assignment]
        items: list[tuple[str, str]] = []
        for message in form.non_field_errors():
            items.append(("", str(message)))
        for name in form.fields:
            if name in form.errors:
                for message in form.errors[name]:
                    items.append((self.anchor(name), str(message)))
        return items

    def anchor(self, name: str) -> str:
        """The id of the element to take the practitioner to for a field: for a date input
        or a group of radios or checkboxes, its first box or choice (Django ids them _0,
        _1, ...; the group itself has no element with the id)."""
        form: forms.BaseForm = self  # type: ignore[assignment]
        field = form.fields[name]
        anchor = form[name].auto_id
        if isinstance(field, DateField) or isinstance(field.widget, forms.RadioSelect):
            return f"{anchor}_0"
        return anchor


def apply_validation_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Show an action's validation error on the form, beside the field it is about."""
    target: Any = form
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target.add_error(field if field in target.fields else None, errors)
    else:
        target.add_error(None, error)

"""Template helpers that render form fields in the GOV.UK Design System's markup."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from beststart.core.forms import DateInputWidget
from beststart.core.identifiers import format_nhs_number

register = template.Library()


def _field_kind(field: forms.BoundField) -> str:
    widget = field.field.widget
    if isinstance(widget, DateInputWidget):
        return "date"
    # Checkboxes first: Django's CheckboxSelectMultiple is a kind of RadioSelect.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    return "input"


_WIDGET_CLASSES = {"input": "govuk-input", "textarea": "govuk-textarea", "select": "govuk-select"}


def _widget_html(
    field: forms.BoundField, kind: str, describedby: str, options: dict[str, Any]
) -> str:
    """The control itself, for the kinds whose markup Django's widget can produce."""
    if kind == "date":
        return str(field.as_widget(attrs={"has_error": bool(field.errors)}))
    if kind not in _WIDGET_CLASSES:
        return ""
    css = [_WIDGET_CLASSES[kind]]
    if field.errors:
        css.append(f"{_WIDGET_CLASSES[kind]}--error")
    width = options.get("width")
    if width == "full":
        css.append("govuk-!-width-full")
    elif width:
        css.append(f"govuk-input--width-{width}")
    attrs: dict[str, Any] = {"class": " ".join(css)}
    if describedby:
        attrs["aria-describedby"] = describedby
    for option in ("autocomplete", "spellcheck", "inputmode"):
        if option in options:
            attrs[option] = options[option]
    return str(field.as_widget(attrs=attrs))


@register.simple_tag
def govuk_field(field: forms.BoundField, **options: Any) -> SafeString:
    """Render a bound field with its label, hint and error message.

    Options: `label_size` (s, m, l), `width` (a govuk-input--width-N number or "full"),
    `is_page_heading`, `autocomplete`, `spellcheck`.
    """
    kind = _field_kind(field)
    describedby = " ".join(
        part
        for part in (
            f"{field.auto_id}-hint" if field.help_text else "",
            f"{field.auto_id}-error" if field.errors else "",
        )
        if part
    )
    context = {
        "field": field,
        "kind": kind,
        "errors": field.errors,
        "describedby": describedby,
        "widget_html": _widget_html(field, kind, describedby, options),
        **options,
    }
    return SafeString(render_to_string(f"govuk/fields/{kind}.html", context))


@register.simple_tag
def govuk_error_summary(form: forms.BaseForm) -> SafeString:
    items = form.error_summary() if hasattr(form, "error_summary") else []
    if not items:
        return SafeString("")
    return SafeString(render_to_string("govuk/error_summary.html", {"items": items}))


@register.filter
def nhs_number(value: str | None) -> str:
    return format_nhs_number(value) if value else ""

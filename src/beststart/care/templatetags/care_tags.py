"""Status tags of the Healthy Child Programme, in the GOV.UK tag pattern: one colour per
status, the same on every page."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from beststart.accounts.actors import Actor
from beststart.care.immunisations import DoseStatus
from beststart.care.models import Present
from beststart.care.schedule import ReviewStatus, Status, Timing
from beststart.core.categories import DataCategory
from beststart.sharing.policy import categories_for

HEALTH = DataCategory.HEALTH

register = template.Library()

TAGS: dict[str, tuple[str, str]] = {
    Status.UPCOMING: ("Not due yet", "grey"),
    Status.DUE: ("Due", "blue"),
    Status.OVERDUE: ("Overdue", "red"),
    Status.MISSED: ("Missed", "orange"),
    Status.DONE: ("Done", "green"),
    Status.NOT_DUE_HERE: ("Not due here", "grey"),
    Status.NO_LONGER_DUE: ("No longer due", "grey"),
    DoseStatus.TOO_LATE: ("Too late to give", "grey"),
    DoseStatus.GIVEN: ("Given", "green"),
    DoseStatus.DECLINED: ("Declined", "purple"),
}
TIMINGS = {Timing.EARLY: "early", Timing.ON_TIME: "on time", Timing.LATE: "late"}


@register.simple_tag
def status_tag(status: str) -> SafeString:
    text, colour = TAGS[status]
    return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', colour, text)


@register.filter
def timing(review: ReviewStatus) -> str:
    return TIMINGS[review.timing] if review.timing else ""


@register.filter
def kilograms(grams: int) -> str:
    """3450 -> 3.45: grams as kilograms, without trailing zeros."""
    return f"{grams / 1000:.3f}".rstrip("0").rstrip(".")


@register.filter
def present_labels(values: list[str]) -> str:
    """Who was present, as practitioners read it: "Mother, the child"."""
    labels = [Present(value).label for value in values if value in Present.values]
    return ", ".join(labels[:1] + [label[0].lower() + label[1:] for label in labels[1:]])


@register.filter
def sees_health(actor: Actor | None) -> bool:
    """Whether to offer the actor a child's health page: their role sees health data."""
    return actor is not None and HEALTH in categories_for(actor)

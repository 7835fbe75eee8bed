"""Reading the audit: privacy officers only."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from beststart.accounts.actors import Actor
from beststart.audit.models import AuditEvent
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.sharing.policy import may_query_audit


def query_audit(
    actor: Actor,
    *,
    person_id: int | None = None,
    family_id: int | None = None,
    username: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    page_number: int | str = 1,
) -> Page:
    if not may_query_audit(actor):
        raise NotFoundOrNotAllowed
    events: QuerySet[AuditEvent] = AuditEvent.objects.all()
    if person_id is not None:
        events = events.filter(person_id=person_id)
    if family_id is not None:
        events = events.filter(family_id=family_id)
    if username:
        events = events.filter(username=username)
    if date_from:
        events = events.filter(occurred_at__date__gte=date_from)
    if date_to:
        events = events.filter(occurred_at__date__lte=date_to)
    return Paginator(events.order_by("-occurred_at", "-id"), 50).get_page(page_number)

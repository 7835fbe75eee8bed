"""Reading the audit: privacy officers only."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from beststart.accounts.actors import Actor
from beststart.audit.actions import Access, record_access
from beststart.audit.models import AuditEvent
from beststart.core.categories import AccessAction, DataCategory
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
    decision = may_query_audit(actor)
    if not decision:
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
    page = Paginator(events.order_by("-occurred_at", "-id"), 50).get_page(page_number)
    page.object_list = list(page.object_list)  # read before this query is itself recorded
    # Looking into the audit is itself recorded: who looked at whose access history.
    record_access(
        actor=actor,
        access=Access(
            family_id=family_id,
            person_id=person_id,
            category=DataCategory.IDENTITY,
            action=AccessAction.AUDIT_QUERY,
            allowed=True,
            basis=decision.basis,
        ),
    )
    return page

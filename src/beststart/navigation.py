"""The service navigation, by what the actor's role is for."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from beststart.accounts.models import Role
from beststart.activities.selectors import takes_part_in_meetings, works_in_a_centre
from beststart.referrals.selectors import DASHBOARD_ROLES
from beststart.sharing.policy import AUDIT_ROLES, PRACTITIONER_ROLES

# Care: who works from the Healthy Child Programme's worklist.
REVIEW_ROLES = frozenset({Role.HEALTH_VISITOR, Role.MIDWIFE, Role.TEAM_MANAGER})


def navigation(request: HttpRequest) -> dict[str, Any]:
    actor = getattr(request, "actor", None)
    if actor is None:
        return {"navigation": []}
    items: list[tuple[str, str]] = []
    if actor.role in PRACTITIONER_ROLES:
        items += [
            ("My caseload", reverse("families:caseload")),
            ("Search", reverse("families:search")),
            ("New family", reverse("families:create")),
            ("Referrals", reverse("referrals:queue")),
            ("Assessments", reverse("assessments:team-work")),
        ]
    if actor.role in DASHBOARD_ROLES:  # commissioners too: counts only
        items.append(("Referral dashboard", reverse("referrals:dashboard")))
    if actor.role in REVIEW_ROLES:
        items.append(("Reviews due", reverse("care:worklist")))
    if works_in_a_centre(actor):  # Children's centre: the team's sessions and registers
        items.append(("Sessions", reverse("activities:sessions")))
    if takes_part_in_meetings(actor):
        items.append(("Family Matters", reverse("activities:meetings")))
    if actor.role in AUDIT_ROLES:
        items += [
            ("Audit", reverse("audit:query")),
            ("Break-glass reviews", reverse("sharing:privacy-home")),
            ("Sharing agreements", reverse("sharing:agreements")),
            ("Subject access", reverse("sharing:subject-access")),
        ]
    return {
        "navigation": [
            {"text": text, "href": href, "active": request.path == href} for text, href in items
        ]
    }

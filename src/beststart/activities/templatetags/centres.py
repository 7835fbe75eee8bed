"""The family record's "Children's centre" line, rendered from the family record's template."""

from __future__ import annotations

from typing import Any

from django import template

from beststart.activities.selectors import centre_line as read_centre_line
from beststart.families.models import Family

register = template.Library()


@register.inclusion_tag("activities/centre_line.html", takes_context=True)
def centre_line(context: template.Context, family: Family) -> dict[str, Any]:
    """Registrations as far as the policy lets the actor see them (each decision audited);
    the register and book buttons for the family's own centre workers."""
    actor = context.get("actor")
    line = read_centre_line(actor, family) if actor is not None else None
    return {"line": line, "family": family, "actor": actor}

"""Pages for consent and information sharing. Views parse the request, call a selector or an
action with the actor, and render: no business logic here."""

from __future__ import annotations

# Consent, who can see the family and why, access logs


# Break-glass, safeguarding shares, information-sharing agreements, privacy officer reviews


# Subject access and record exports

"""Forms for consent and information sharing, in GOV.UK patterns."""

from __future__ import annotations

# Consent


# Break-glass, safeguarding shares, information-sharing agreements, privacy officer reviews


# Subject access

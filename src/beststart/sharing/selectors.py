"""Reads about sharing. Each takes the actor, asks the policy and audits what it shows."""

from __future__ import annotations

# Consent, who can see the family and why, access logs


# Break-glass, safeguarding shares, information-sharing agreements, privacy officer reviews


# Subject access and record exports

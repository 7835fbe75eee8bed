"""Writes about sharing. Each takes the actor, asks the policy, and writes the change, its
audit row and its chronology event in one transaction."""

from __future__ import annotations

# Consent


# Break-glass, safeguarding shares, information-sharing agreements, privacy officer reviews

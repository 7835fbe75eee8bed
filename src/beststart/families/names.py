"""Name keys for typo- and spelling-tolerant search, stored beside each name and indexed."""

from __future__ import annotations

import unicodedata

import jellyfish


def normalise_name(value: str) -> str:
    """Lower case, accents folded, only letters: "O'Brien-Smyth" -> "obriensmyth"."""
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalpha())


def name_key(value: str) -> str:
    """A phonetic key (Metaphone) so that Smith and Smyth, Mohammed and Muhammad meet."""
    normalised = normalise_name(value)
    return jellyfish.metaphone(normalised)[:12] if normalised else ""

"""Name keys for typo- and spelling-tolerant search, stored beside each name and indexed."""

from __future__ import annotations

import unicodedata

import jellyfish

# Letters that Unicode does not decompose into a base letter and an accent.
_UNDECOMPOSED = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "đ": "d",
        "Đ": "D",
        "þ": "th",
        "Þ": "TH",
        "\u0131": "i",  # dotless i
        "ð": "d",
        "Ð": "D",
    }
)


def normalise_name(value: str) -> str:
    """Lower case, accents folded, only letters: "O'Brien-Smyth" -> "obriensmyth",
    "Łucja" -> "lucja"."""
    folded = (
        unicodedata.normalize("NFKD", value.translate(_UNDECOMPOSED))
        .encode("ascii", "ignore")
        .decode()
    )
    return "".join(ch for ch in folded.lower() if ch.isalpha())


def name_key(value: str) -> str:
    """A phonetic key (Metaphone) so that Smith and Smyth, Mohammed and Muhammad meet."""
    normalised = normalise_name(value)
    return jellyfish.metaphone(normalised)[:12] if normalised else ""

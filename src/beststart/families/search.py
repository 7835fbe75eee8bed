"""Understanding what a practitioner typed into the search box."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from beststart.core.identifiers import normalise_nhs_number
from beststart.places.models import is_postcode_shaped, normalise_postcode

_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


@dataclass
class ParsedQuery:
    names: list[str] = field(default_factory=list)
    date_of_birth: dt.date | None = None
    nhs_number: str | None = None
    postcode: str | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.names or self.date_of_birth or self.nhs_number or self.postcode)


def _parse_date(token: str) -> dt.date | None:
    match = _DATE.match(token)
    if match:
        day, month, year = (int(part) for part in match.groups())
    else:
        match = _ISO_DATE.match(token)
        if not match:
            return None
        year, month, day = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_query(text: str) -> ParsedQuery:
    """Split free text into a name, a date of birth, an NHS number and a postcode.

    "Amelia Smith 03/04/2024", "943 476 5919", "XW1 2AB", "smith xw12ab" all work."""
    parsed = ParsedQuery()
    text = " ".join(text.split())
    compact = normalise_nhs_number(text)
    if len(compact) == 10 and compact.isdigit():
        parsed.nhs_number = compact
        return parsed
    if is_postcode_shaped(text):
        parsed.postcode = normalise_postcode(text)
        return parsed
    tokens = text.split(" ")
    index = 0
    while index < len(tokens):
        token = tokens[index]
        pair = "".join(tokens[index : index + 2])
        if index + 1 < len(tokens) and is_postcode_shaped(pair) and any(c.isdigit() for c in token):
            parsed.postcode = normalise_postcode(pair)
            index += 2
            continue
        date = _parse_date(token)
        if date:
            parsed.date_of_birth = date
        elif is_postcode_shaped(token) and any(ch.isdigit() for ch in token):
            parsed.postcode = normalise_postcode(token)
        elif any(ch.isalpha() for ch in token):
            parsed.names.append(token)
        index += 1
    return parsed

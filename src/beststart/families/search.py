"""Understanding what a practitioner typed into the search box."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from beststart.places.models import is_postcode_shaped, normalise_postcode

_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_NHS_NUMBER = re.compile(r"(?<!\d)(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?!\d)")


@dataclass
class ParsedQuery:
    names: list[str] = field(default_factory=list)
    date_of_birth: dt.date | None = None
    nhs_number: str | None = None
    postcode: str | None = None
    problems: list[str] = field(default_factory=list)

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
    """Split free text into names, a date of birth, an NHS number and a postcode.

    "Amelia Smith 03/04/2024", "943 476 5919", "Smith 9434765919", "XW1 2AB",
    "smith xw12ab" all work. What cannot be used is listed in `problems`, never dropped
    silently."""
    parsed = ParsedQuery()
    text = " ".join(text.split())
    number = _NHS_NUMBER.search(text)
    if number:
        parsed.nhs_number = "".join(number.groups())
        text = " ".join((text[: number.start()] + text[number.end() :]).split())
    tokens = text.split(" ") if text else []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        pair = "".join(tokens[index : index + 2])
        if index + 1 < len(tokens) and _is_postcode(pair):
            parsed.postcode = normalise_postcode(pair)
            index += 2
            continue
        index += 1
        if _DATE.match(token) or _ISO_DATE.match(token):
            date = _parse_date(token)
            if date:
                parsed.date_of_birth = date
            else:
                parsed.problems.append(f"{token} is not a real date")
        elif _is_postcode(token):
            parsed.postcode = normalise_postcode(token)
        elif any(ch.isalpha() for ch in token):
            parsed.names.append(token)
        else:
            parsed.problems.append(
                f"{token} is not a name, a date of birth, an NHS number or a postcode"
            )
    return parsed


def _is_postcode(token: str) -> bool:
    return is_postcode_shaped(token) and any(ch.isdigit() for ch in token)

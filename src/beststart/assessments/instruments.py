"""The instrument engine: assessment instruments are versioned data (YAML), not code.

An instrument file (`data/<code>@<version>.yaml`, or one of an area's own in the directory
`BESTSTART_INSTRUMENTS_DIR` names) declares its sections and items, each item's response
type, the scoring rules with their bands and what to do about missing items, and the data
category the results belong to. `docs/instruments.md` describes the format; this module
reads it, checks answers against it and scores them.

Scoring never reads a file again after an assessment is completed: the results are stored with
the assessment (and the instrument's version), so a new version never changes a recorded result.

Licensed instruments (ASQ-3, ASQ:SE-2, Outcomes Star, Graded Care Profile 2) are results only:
their files declare the totals, grades and intervals a practitioner copies from the licensed
form, never the questions. Their zones come from cut-offs the licensed organisation loads
(`cutoffs.py`).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

from beststart.accounts.models import OrganisationType, Role
from beststart.core.categories import DataCategory
from beststart.families.models import PersonKind
from beststart.sharing.policy import ROLE_CATEGORIES

SHIPPED = Path(__file__).parent / "data"
FILE_NAME = re.compile(r"^(?P<code>[a-z0-9-]+)@(?P<version>[1-9][0-9]*)\.ya?ml$")
TEXT = "text"
CHOICE = "choice"
SCORE = "score"
RESPONSE_TYPES = (TEXT, CHOICE, SCORE)
METHODS = ("sum", "mean", "worst")


class InstrumentError(Exception):
    """An instrument file that cannot be used, or an instrument or version that does not
    exist: the message names the file and the place in it."""


# ---------------------------------------------------------------------------------------------
# The definition


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    score: Decimal | None = None
    is_need: bool = False  # choosing it identifies a need, which a plan can take up


@dataclass(frozen=True)
class Item:
    code: str
    title: str
    type: str
    hint: str = ""
    required: bool = True
    options: tuple[Option, ...] = ()
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    step: Decimal | None = None  # SCORE: the values allowed are minimum + n * step
    max_length: int = 2000
    need_from: Decimal | None = None  # SCORE: at or above it, a need (a grade of concern)
    need_below: Decimal | None = None  # SCORE: below it, a need
    zone_key: str = ""  # SCORE: its zone comes from the loaded cut-offs under this key

    @property
    def is_scored(self) -> bool:
        return self.type == SCORE or any(o.score is not None for o in self.options)

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)


@dataclass(frozen=True)
class Band:
    code: str
    label: str
    minimum: Decimal | None
    maximum: Decimal | None
    is_need: bool = False

    def holds(self, score: Decimal) -> bool:
        return (self.minimum is None or score >= self.minimum) and (
            self.maximum is None or score <= self.maximum
        )


@dataclass(frozen=True)
class Scoring:
    """How a section's items (or the sections of an instrument) make one score.

    `sum` and `mean` add the scored answers; `worst` takes the answer furthest down its
    option list (options are listed best first). Missing: up to `missing_allowed` items may
    be unanswered; `prorate` then scales a sum up to all items (the mean of those answered,
    times their number), `ignore` scores those answered. More missing than allowed: no score.
    """

    method: str
    items: tuple[str, ...] = ()  # default: every scored item of the section
    missing_allowed: int = 0
    missing_rule: str = "ignore"
    bands: tuple[Band, ...] = ()

    def band(self, score: Decimal) -> Band | None:
        return next((band for band in self.bands if band.holds(score)), None)


@dataclass(frozen=True)
class Section:
    code: str
    title: str
    items: tuple[Item, ...]
    hint: str = ""
    contributor: str = ""  # an integrated record: the organisation type that writes it, or "either"
    scoring: Scoring | None = None

    def item(self, code: str) -> Item | None:
        return next((item for item in self.items if item.code == code), None)


@dataclass(frozen=True)
class ZoneRules:
    """A licensed instrument's zones: which answer names the interval of the cut-offs, and
    whether low scores (ASQ-3) or high scores (ASQ:SE-2) are the concern."""

    interval_item: str
    concern: str  # "low" or "high"
    labels: dict[str, str]  # zone code (below, monitoring, above) -> words for the page


@dataclass(frozen=True)
class Instrument:
    code: str
    version: int
    title: str
    category: str
    sections: tuple[Section, ...]
    summary: str = ""
    about: tuple[str, ...] = ("child",)  # the kinds of person it is about
    age_months: tuple[int, int] | None = None
    used_by: frozenset[str] = frozenset()
    agencies: tuple[str, ...] = ()  # an integrated record: the organisation types completing it
    recent_days: int = 90
    licensed: bool = False
    licence_note: str = ""
    total: Scoring | None = None
    zones: ZoneRules | None = None
    source: str = ""

    @property
    def key(self) -> str:
        return f"{self.code}@{self.version}"

    @property
    def is_integrated(self) -> bool:
        return bool(self.agencies)

    @property
    def items(self) -> list[tuple[Section, Item]]:
        return [(section, item) for section in self.sections for item in section.items]

    def section(self, code: str) -> Section | None:
        return next((s for s in self.sections if s.code == code), None)

    def sections_for(self, organisation_type: str) -> list[Section]:
        """The sections an organisation of this type writes: all of them, except in an
        integrated record, where each writes its own and either writes the shared ones."""
        if not self.is_integrated:
            return list(self.sections)
        return [s for s in self.sections if s.contributor in (organisation_type, "either")]


# ---------------------------------------------------------------------------------------------
# Reading files


class _Reader:
    """Reads one file's mapping, naming the place of anything wrong in it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, message: str) -> InstrumentError:
        return InstrumentError(f"{self.path.name}: {where}: {message}")

    def mapping(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, "expected a mapping of names to values")
        return value

    def text(self, data: dict[str, Any], key: str, where: str, default: str | None = None) -> str:
        value = data.get(key, default)
        if not isinstance(value, str) or (default is None and not value.strip()):
            raise self.fail(f"{where}.{key}", "expected some text")
        return value.strip()

    def number(self, data: dict[str, Any], key: str, where: str) -> Decimal | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(f"{where}.{key}", f"expected a number, not {value!r}")
        number = Decimal(str(value))
        if not number.is_finite():  # .nan or .inf in YAML: no order to compare scores by
            raise self.fail(f"{where}.{key}", f"expected a number, not {value!r}")
        return number

    def whole(self, data: dict[str, Any], key: str, where: str, default: int) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(f"{where}.{key}", f"expected a whole number, not {value!r}")
        return value

    def code(self, data: dict[str, Any], where: str) -> str:
        """A section's, an item's or a band's code: no "-", which joins a section's code to
        an item's in a field's name (`field_name`)."""
        value = self.text(data, "code", where)
        if not re.fullmatch(r"[a-z0-9_]+", value):
            raise self.fail(f"{where}.code", "use lower-case letters, digits and _ only")
        return value


def _option(reader: _Reader, data: Any, where: str) -> Option:
    data = reader.mapping(data, where)
    return Option(
        value=str(data.get("value", "")).strip() or reader.text(data, "value", where),
        label=reader.text(data, "label", where),
        score=reader.number(data, "score", where),
        is_need=bool(data.get("need", False)),
    )


def _item(reader: _Reader, data: Any, where: str) -> Item:
    data = reader.mapping(data, where)
    code = reader.code(data, where)
    where = f"{where}[{code}]"
    kind = reader.text(data, "type", where)
    if kind not in RESPONSE_TYPES:
        raise reader.fail(f"{where}.type", f"use one of {', '.join(RESPONSE_TYPES)}")
    options = tuple(
        _option(reader, each, f"{where}.options[{n}]")
        for n, each in enumerate(data.get("options") or [])
    )
    item = Item(
        code=code,
        title=reader.text(data, "title", where),
        type=kind,
        hint=reader.text(data, "hint", where, default=""),
        required=bool(data.get("required", True)),
        options=options,
        minimum=reader.number(data, "min", where),
        maximum=reader.number(data, "max", where),
        step=reader.number(data, "step", where),
        max_length=reader.whole(data, "max_length", where, 2000),
        need_from=reader.number(data, "need_from", where),
        need_below=reader.number(data, "need_below", where),
        zone_key=reader.text(data, "zone", where, default=""),
    )
    if kind == CHOICE and len(options) < 2:
        raise reader.fail(f"{where}.options", "a choice needs at least two options")
    if kind == CHOICE and len({o.value for o in options}) != len(options):
        raise reader.fail(f"{where}.options", "each option needs its own value")
    if item.zone_key and kind != SCORE:
        raise reader.fail(f"{where}.zone", "only a score has a zone")
    if kind == SCORE and (item.minimum is None or item.maximum is None):
        raise reader.fail(where, "a score needs its min and max")
    if (
        kind == SCORE
        and item.minimum is not None
        and item.maximum is not None
        and (item.minimum >= item.maximum)
    ):
        raise reader.fail(f"{where}.max", "max must be more than min")
    return item


def _scoring(reader: _Reader, data: Any, where: str, scored: list[str]) -> Scoring:
    data = reader.mapping(data, where)
    method = reader.text(data, "method", where)
    if method not in METHODS:
        raise reader.fail(f"{where}.method", f"use one of {', '.join(METHODS)}")
    items = tuple(str(code) for code in data.get("items") or scored)
    unknown = [code for code in items if code not in scored]
    if unknown:
        raise reader.fail(f"{where}.items", f"no scored item {', '.join(unknown)} to score")
    missing = reader.mapping(data.get("missing") or {}, f"{where}.missing")
    rule = str(missing.get("rule", "ignore"))
    if rule not in ("ignore", "prorate"):
        raise reader.fail(f"{where}.missing.rule", "use ignore or prorate")
    if rule == "prorate" and method != "sum":
        raise reader.fail(f"{where}.missing.rule", "only a sum can be prorated")
    raw_bands = [
        reader.mapping(band, f"{where}.bands[{n}]")
        for n, band in enumerate(data.get("bands") or [])
    ]
    bands = tuple(
        Band(
            code=reader.code(band, f"{where}.bands[{n}]"),
            label=reader.text(band, "label", f"{where}.bands[{n}]"),
            minimum=reader.number(band, "min", f"{where}.bands[{n}]"),
            maximum=reader.number(band, "max", f"{where}.bands[{n}]"),
            is_need=bool(band.get("need", False)),
        )
        for n, band in enumerate(raw_bands)
    )
    return Scoring(
        method=method,
        items=items,
        missing_allowed=reader.whole(missing, "allowed", f"{where}.missing", 0),
        missing_rule=rule,
        bands=bands,
    )


def _section(reader: _Reader, data: Any, where: str, agencies: tuple[str, ...]) -> Section:
    data = reader.mapping(data, where)
    code = reader.code(data, where)
    where = f"{where}[{code}]"
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise reader.fail(f"{where}.items", "a section needs at least one item")
    items = tuple(_item(reader, each, f"{where}.items[{n}]") for n, each in enumerate(raw_items))
    if len({item.code for item in items}) != len(items):
        raise reader.fail(f"{where}.items", "each item needs its own code")
    contributor = reader.text(data, "contributor", where, default="")
    if agencies and contributor not in (*agencies, "either"):
        raise reader.fail(f"{where}.contributor", f"use one of {', '.join((*agencies, 'either'))}")
    scoring = data.get("score")
    if isinstance(scoring, dict) and scoring.get("method") == "worst":
        scored = [item.code for item in items if item.type == CHOICE]  # ranked by their options
        chosen = [str(code) for code in scoring.get("items") or scored]
        lengths = {len(item.options) for item in items if item.code in chosen}
        if len(lengths) > 1:  # ranked by place in the list: the places must mean the same
            raise reader.fail(f"{where}.score", "worst needs items with as many options each")
    else:
        scored = [item.code for item in items if item.is_scored]
    return Section(
        code=code,
        title=reader.text(data, "title", where),
        hint=reader.text(data, "hint", where, default=""),
        items=items,
        contributor=contributor,
        scoring=_scoring(reader, scoring, f"{where}.score", scored) if scoring else None,
    )


def parse(path: Path) -> Instrument:
    """One instrument file, checked; an `InstrumentError` says what is wrong and where."""
    reader = _Reader(path)
    match = FILE_NAME.match(path.name)
    if match is None:
        raise reader.fail("file name", "name the file <code>@<version>.yaml, e.g. eha@2.yaml")
    try:
        data = reader.mapping(yaml.safe_load(path.read_text(encoding="utf-8")), "top level")
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f"line {mark.line + 1}" if mark is not None else "the file"
        raise reader.fail(line, "is not valid YAML") from error
    code, version = match["code"], int(match["version"])
    if data.get("code") != code or data.get("version") != version:
        raise reader.fail("code and version", f"must match the file name ({code}, {version})")
    category = reader.text(data, "category", "top level")
    if category not in DataCategory.values:
        raise reader.fail("category", f"use one of {', '.join(DataCategory.values)}")
    agencies = tuple(str(each) for each in data.get("agencies") or [])
    unknown_agencies = [each for each in agencies if each not in OrganisationType.values]
    if unknown_agencies or len(agencies) == 1:
        raise reader.fail("agencies", "name two or more organisation types")
    raw_sections = data.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        raise reader.fail("sections", "an instrument needs at least one section")
    sections = tuple(
        _section(reader, each, f"sections[{n}]", agencies) for n, each in enumerate(raw_sections)
    )
    if len({s.code for s in sections}) != len(sections):
        raise reader.fail("sections", "each section needs its own code")
    used_by = frozenset(str(role) for role in data.get("used_by") or [])
    if not used_by or not used_by <= set(Role.values):
        raise reader.fail("used_by", f"name the roles that record it: {', '.join(Role.values)}")
    unable = sorted(role for role in used_by if category not in ROLE_CATEGORIES[role])
    if unable:
        label = DataCategory(category).label.lower()
        raise reader.fail(
            "used_by",
            f"{', '.join(unable)} cannot record {label} data: the sharing policy would refuse them",
        )
    about = tuple(str(kind) for kind in data.get("about") or ["child"])
    if not set(about) <= set(PersonKind.values):
        raise reader.fail("about", f"use one or more of {', '.join(PersonKind.values)}")
    age = _age_months(reader, data.get("age_months"))
    instrument = Instrument(
        code=code,
        version=version,
        title=reader.text(data, "title", "top level"),
        summary=reader.text(data, "summary", "top level", default=""),
        category=category,
        sections=sections,
        about=about,
        age_months=age,
        used_by=used_by,
        agencies=agencies,
        recent_days=reader.whole(data, "recent_days", "top level", 90),
        licensed=bool(data.get("licensed", False)),
        licence_note=reader.text(data, "licence_note", "top level", default=""),
        total=_total(reader, data.get("total"), sections),
        zones=_zones(reader, data.get("zones"), sections),
        source=reader.text(data, "source", "top level", default=""),
    )
    return instrument


def _age_months(reader: _Reader, data: Any) -> tuple[int, int] | None:
    """The ages, in whole months, the instrument is for: `[low, high]`, or none given."""
    if data is None:
        return None
    if (
        not isinstance(data, list)
        or len(data) != 2
        or not all(isinstance(each, int) and not isinstance(each, bool) for each in data)
        or not 0 <= data[0] <= data[1]
    ):
        raise reader.fail("age_months", "give the youngest and oldest age, e.g. [22, 38]")
    return data[0], data[1]


def _total(reader: _Reader, data: Any, sections: tuple[Section, ...]) -> Scoring | None:
    if not data:
        return None
    # A `worst` section's result is words, not a number to add up.
    scored = [s.code for s in sections if s.scoring is not None and s.scoring.method != "worst"]
    return _scoring(reader, data, "total", scored)


def _zones(reader: _Reader, data: Any, sections: tuple[Section, ...]) -> ZoneRules | None:
    keyed = [item for section in sections for item in section.items if item.zone_key]
    if not data:
        if keyed:
            raise reader.fail("zones", "items with a zone need the instrument's zones")
        return None
    data = reader.mapping(data, "zones")
    interval = reader.text(data, "interval_item", "zones")
    if not any(section.item(interval) for section in sections):
        raise reader.fail("zones.interval_item", f"no item {interval}")
    concern = reader.text(data, "concern", "zones")
    if concern not in ("low", "high"):
        raise reader.fail("zones.concern", "use low (low scores are the concern) or high")
    labels = reader.mapping(data.get("labels"), "zones.labels")
    if set(labels) != {"below", "monitoring", "above"}:
        raise reader.fail("zones.labels", "give words for below, monitoring and above")
    return ZoneRules(interval_item=interval, concern=concern, labels={**labels})


# ---------------------------------------------------------------------------------------------
# The registry of instruments and their versions


def _directories() -> list[Path]:
    extra = settings.INSTRUMENTS_DIR
    return [SHIPPED, *([Path(extra)] if extra else [])]


@functools.cache
def _registry() -> dict[tuple[str, int], Instrument]:
    found: dict[tuple[str, int], Instrument] = {}
    for directory in _directories():
        for path in sorted(directory.glob("*.y*ml")):
            instrument = parse(path)
            if (instrument.code, instrument.version) in found:
                raise replaces_a_version(path, instrument)
            found[(instrument.code, instrument.version)] = instrument
    return found


def replaces_a_version(path: Path, instrument: Instrument) -> InstrumentError:
    """An area's file may add a version, never replace one: assessments recorded with that
    version would read differently."""
    return InstrumentError(
        f"{path.name}: {instrument.key} exists already, and assessments recorded with it "
        "would change: give yours the next version number"
    )


def versions(code: str) -> list[Instrument]:
    """Every version of an instrument there is, oldest first (an area may skip a number)."""
    return [instrument for (each, _), instrument in sorted(_registry().items()) if each == code]


def reload() -> None:
    """Forget the files read, after a change of settings (tests) or of files."""
    _registry.cache_clear()


def get(code: str, version: int | None = None) -> Instrument:
    """An instrument by code, at `version` or the latest; a clear error if there is none."""
    versions = sorted(v for (c, v) in _registry() if c == code)
    if not versions:
        raise InstrumentError(f"There is no instrument {code!r}")
    if version is None:
        version = versions[-1]
    if version not in versions:
        listed = ", ".join(str(v) for v in versions)
        raise InstrumentError(
            f"{_registry()[(code, versions[-1])].title} has no version {version}: "
            f"the versions are {listed}"
        )
    return _registry()[(code, version)]


def latest() -> list[Instrument]:
    """The latest version of every instrument, by title."""
    newest: dict[str, Instrument] = {}
    for (code, _version), instrument in sorted(_registry().items()):
        newest[code] = instrument
    return sorted(newest.values(), key=lambda each: each.title)


def for_role(role: str) -> list[Instrument]:
    return [instrument for instrument in latest() if role in instrument.used_by]


# ---------------------------------------------------------------------------------------------
# Answers


Answers = dict[str, dict[str, str]]  # section code -> item code -> the answer as typed


def check_answer(item: Item, raw: str) -> str | None:
    """Why an answer cannot be accepted, in words for the form, or None."""
    if raw.strip() == "":  # not answered (yet): `answer_errors` says if it must be
        return None
    if item.type == TEXT:
        if len(raw) > item.max_length:
            return f"{item.title} must be {item.max_length} characters or fewer"
        return None
    if item.type == CHOICE:
        return None if item.option(raw) else f"Select one of the options for {item.title}"
    return _check_score(item, raw)


def _check_score(item: Item, raw: str) -> str | None:
    assert item.minimum is not None
    assert item.maximum is not None
    low, high = f"{item.minimum:f}", f"{item.maximum:f}"
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        return f"{item.title} must be a number, like {low}"
    if not value.is_finite() or not item.minimum <= value <= item.maximum:
        return f"{item.title} must be between {low} and {high}"
    if item.step is not None and (value - item.minimum) % item.step != 0:
        return f"{item.title} must be in steps of {item.step:f} (from {low} to {high})"
    return None


def answer_errors(
    instrument: Instrument, answers: Answers, *, sections: list[Section], complete: bool
) -> dict[str, str]:
    """Errors by field name (`<section>-<item>`). A draft keeps whatever was typed but an
    impossible value; completing also needs every required item."""
    errors: dict[str, str] = {}
    for section in sections:
        given = answers.get(section.code, {})
        for item in section.items:
            raw = given.get(item.code, "")
            message = check_answer(item, raw)
            if message is None and complete and item.required and raw.strip() == "":
                message = _missing_message(item)
            if message:
                errors[field_name(section, item)] = message
    return errors


def _missing_message(item: Item) -> str:
    if item.type == CHOICE:
        return f"Select an answer for {item.title}"
    return f"Enter {item.title[0].lower()}{item.title[1:]}"


def field_name(section: Section, item: Item) -> str:
    return f"{section.code}-{item.code}"


# ---------------------------------------------------------------------------------------------
# Scoring


@dataclass
class Score:
    value: Decimal | None  # None: not scored (nothing answered, or too many missing)
    answered: int
    missing: int
    band: Band | None = None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            # Fixed-point: a normalised 10 would otherwise be stored as "1E+1".
            "score": None if self.value is None else f"{self.value:f}",
            "answered": self.answered,
            "missing": self.missing,
            "band": self.band.code if self.band else "",
            "band_label": self.band.label if self.band else "",
            "need": bool(self.band and self.band.is_need),
            "note": self.note,
        }


@dataclass
class Results:
    sections: dict[str, Score] = field(default_factory=dict)
    total: Score | None = None
    needs: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sections": {code: score.as_dict() for code, score in self.sections.items()},
            "total": self.total.as_dict() if self.total else None,
            "needs": self.needs,
        }


def _item_score(item: Item, raw: str) -> Decimal | None:
    if raw == "":
        return None
    if item.type == SCORE:
        return Decimal(raw)
    option = item.option(raw)
    return option.score if option else None


def combine(scoring: Scoring, values: list[Decimal | None], ordinal: list[int | None]) -> Score:
    """One score from several, by the rule's method and its missing-item rule."""
    answered = [value for value in values if value is not None]
    missing = len(values) - len(answered)
    if scoring.method == "worst":
        ranks = [rank for rank in ordinal if rank is not None]
        missing = len(ordinal) - len(ranks)
        if not ranks or missing > scoring.missing_allowed:
            return Score(None, len(ranks), missing, note=_too_many(missing, scoring))
        return Score(Decimal(max(ranks)), len(ranks), missing)
    if not answered or missing > scoring.missing_allowed:
        return Score(None, len(answered), missing, note=_too_many(missing, scoring))
    total = sum(answered, Decimal(0))
    if scoring.method == "mean":
        value = total / len(answered)
    elif scoring.missing_rule == "prorate" and missing:
        value = total / len(answered) * len(values)
    else:
        value = total
    value = value.quantize(Decimal("0.01")).normalize()
    note = ""
    if missing:
        rule = "prorated" if scoring.missing_rule == "prorate" else "from those answered"
        note = f"{missing} not answered: scored {rule}"
    score = Score(value, len(answered), missing, note=note)
    score.band = scoring.band(value)
    return score


def _too_many(missing: int, scoring: Scoring) -> str:
    if not missing:
        return ""
    allowed = scoring.missing_allowed
    if missing <= allowed:  # no more missing than allowed, so nothing was answered
        return "Not scored: none answered"
    return f"Not scored: {missing} not answered, and at most {allowed} may be missing"


def score(instrument: Instrument, answers: Answers) -> Results:
    """Score complete answers. Zones from cut-offs are added by `cutoffs.zones`."""
    results = Results()
    for section in instrument.sections:
        given = answers.get(section.code, {})
        results.needs += _needs(section, given)
        if section.scoring is None:
            continue
        chosen = [section.item(code) for code in section.scoring.items]
        items = [item for item in chosen if item is not None]
        values = [_item_score(item, given.get(item.code, "")) for item in items]
        ordinal = [_rank(item, given.get(item.code, "")) for item in items]
        section_score = combine(section.scoring, values, ordinal)
        if section.scoring.method == "worst" and section_score.value is not None:
            # The worst answer is said in its own words; its place in a list is no score.
            rank = int(section_score.value)
            section_score.band = _option_band(items[ordinal.index(rank)], rank)
            section_score.value = None
        results.sections[section.code] = section_score
    if instrument.total is not None:
        values = [
            results.sections[code].value if code in results.sections else None
            for code in instrument.total.items
        ]
        results.total = combine(instrument.total, values, [None] * len(values))
    return results


def _rank(item: Item, raw: str) -> int | None:
    for index, option in enumerate(item.options):
        if option.value == raw:
            return index
    return None


def _option_band(item: Item, rank: int) -> Band:
    """For `worst`, the band is the worst answer given, in the words of its option."""
    option = item.options[rank]
    return Band(option.value, option.label, None, None, is_need=option.is_need)


def _needs(section: Section, given: dict[str, str]) -> list[dict[str, str]]:
    """Answers that identify a need: an option marked as one, or a score past its threshold."""
    needs = []
    for item in section.items:
        raw = given.get(item.code, "")
        if raw == "":
            continue
        if item.type == CHOICE:
            option = item.option(raw)
            if option and option.is_need:
                needs.append(_need(section, item, option.label))
        elif item.type == SCORE:
            value = Decimal(raw)
            if (item.need_from is not None and value >= item.need_from) or (
                item.need_below is not None and value < item.need_below
            ):
                needs.append(_need(section, item, f"{value.normalize():f}"))
    return needs


def _need(section: Section, item: Item, answer: str) -> dict[str, str]:
    return {
        "section_code": section.code,
        "section": section.title,
        "item": item.title,
        "answer": answer,
    }


def age_in_months(born: dt.date, on: dt.date) -> int:
    months = (on.year - born.year) * 12 + on.month - born.month
    return months - (1 if on.day < born.day else 0)

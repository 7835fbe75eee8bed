"""Cut-offs for a licensed instrument's zones, loaded as configuration by the organisation that
holds the licence. None are shipped: without them, domain totals are recorded and no zone is
shown.

A cut-off file (YAML or JSON) names the instrument, says where its numbers come from, and
gives, for each interval (the age in months the questionnaire is for) and each scored key, a
`cutoff` and a `monitoring` threshold:

    instrument: asq-3
    name: ASQ-3 cut-offs, our licence 2026
    source: the licensed user's guide, table ...
    intervals:
      "24": {communication: {cutoff: 25.2, monitoring: 38.5}, ...}

Where low scores are the concern (ASQ-3), a score at or below the cut-off is `below`, at or
below the monitoring threshold `monitoring`, and otherwise `above`. Where high scores are
(ASQ:SE-2), at or above the cut-off is `above`, at or above monitoring `monitoring`, and
otherwise `below`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import yaml

from beststart.assessments.instruments import Answers, Instrument, InstrumentError


class CutoffError(Exception):
    """A cut-off file that cannot be loaded; the message says where and why."""


Intervals = dict[str, dict[str, dict[str, str]]]  # interval -> key -> {cutoff, monitoring}


@dataclass(frozen=True)
class LoadedCutoffs:
    name: str
    source: str
    intervals: Intervals


def parse(text: str, instrument: Instrument) -> LoadedCutoffs:
    """The intervals of a cut-off file for `instrument`, checked: each interval one the
    instrument offers, with every key its items are zoned by, thresholds in range and in
    order. An interval left out has no zones."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "the file"
        raise CutoffError(f"{where}: is not valid YAML or JSON") from error
    if not isinstance(data, dict):
        raise CutoffError("top level: expected a mapping with instrument, name and intervals")
    if data.get("instrument") != instrument.code:
        raise CutoffError(
            f"instrument: this file is for {data.get('instrument')!r}, not {instrument.code!r}"
        )
    for key, say in (("name", "what these cut-offs are"), ("source", "where they come from")):
        if not str(data.get(key) or "").strip():
            raise CutoffError(f"{key}: say {say}")
    rules = instrument.zones
    if rules is None:
        raise CutoffError(f"{instrument.title} has no zones to load cut-offs for")
    intervals = data.get("intervals")
    if not isinstance(intervals, dict) or not intervals:
        raise CutoffError("intervals: expected a mapping of interval to cut-offs")
    return LoadedCutoffs(
        name=str(data["name"]).strip(),
        source=str(data["source"]).strip(),
        intervals={
            str(interval): _interval(instrument, str(interval), values)
            for interval, values in intervals.items()
        },
    )


def _interval(instrument: Instrument, interval: str, values: Any) -> dict[str, dict[str, str]]:
    assert instrument.zones is not None
    offered = _interval_values(instrument)
    if interval not in offered:
        raise CutoffError(
            f"intervals.{interval}: {instrument.title} has no {interval}-month interval "
            f"(it has {', '.join(offered)})"
        )
    if not isinstance(values, dict):
        raise CutoffError(f"intervals.{interval}: expected a mapping of keys to thresholds")
    keys = [item.zone_key for _, item in instrument.items if item.zone_key]
    missing = [key for key in keys if key not in values]
    if missing:
        raise CutoffError(f"intervals.{interval}: no cut-offs for {', '.join(missing)}")
    checked = {}
    for key in keys:
        checked[key] = _thresholds(instrument, f"intervals.{interval}.{key}", values[key], key)
    return checked


def _thresholds(instrument: Instrument, where: str, value: Any, key: str) -> dict[str, str]:
    assert instrument.zones is not None
    if not isinstance(value, dict) or {"cutoff", "monitoring"} - set(value):
        raise CutoffError(f"{where}: give a cutoff and a monitoring threshold")
    numbers = {}
    for name in ("cutoff", "monitoring"):
        raw = value[name]
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise CutoffError(f"{where}.{name}: expected a number, not {raw!r}")
        numbers[name] = Decimal(str(raw))
        if not numbers[name].is_finite():  # .nan or .inf: no zone can be read from it
            raise CutoffError(f"{where}.{name}: expected a number, not {raw!r}")
    item = next(item for _, item in instrument.items if item.zone_key == key)
    assert item.minimum is not None
    assert item.maximum is not None
    for name, number in numbers.items():
        if not item.minimum <= number <= item.maximum:
            raise CutoffError(
                f"{where}.{name}: {number} is outside the scores "
                f"{item.minimum:f} to {item.maximum:f}"
            )
    low_concern = instrument.zones.concern == "low"
    if low_concern and not numbers["cutoff"] < numbers["monitoring"]:
        raise CutoffError(f"{where}: the cutoff must be below the monitoring threshold")
    if not low_concern and not numbers["monitoring"] < numbers["cutoff"]:
        raise CutoffError(f"{where}: the monitoring threshold must be below the cutoff")
    return {name: str(number) for name, number in numbers.items()}


def _interval_values(instrument: Instrument) -> list[str]:
    assert instrument.zones is not None
    for section in instrument.sections:
        item = section.item(instrument.zones.interval_item)
        if item is not None:
            return [option.value for option in item.options]
    raise InstrumentError(f"{instrument.key}: no interval item")  # parse() has checked


def zone(instrument: Instrument, score: Decimal, thresholds: dict[str, str]) -> str:
    assert instrument.zones is not None
    cutoff, monitoring = Decimal(thresholds["cutoff"]), Decimal(thresholds["monitoring"])
    if instrument.zones.concern == "low":
        if score <= cutoff:
            return "below"
        return "monitoring" if score <= monitoring else "above"
    if score >= cutoff:
        return "above"
    return "monitoring" if score >= monitoring else "below"


def is_concern(instrument: Instrument, zone_code: str) -> bool:
    assert instrument.zones is not None
    return zone_code == ("below" if instrument.zones.concern == "low" else "above")


def zones(
    instrument: Instrument, answers: Answers, intervals: Intervals
) -> dict[str, dict[str, Any]]:
    """Each zoned item's zone (by its key) for the interval answered, from loaded cut-offs."""
    assert instrument.zones is not None
    interval = ""
    for section in instrument.sections:
        interval = answers.get(section.code, {}).get(instrument.zones.interval_item, interval)
    thresholds = intervals.get(interval)
    found: dict[str, dict[str, Any]] = {}
    if thresholds is None:
        return found
    for section, item in instrument.items:
        raw = answers.get(section.code, {}).get(item.code, "")
        if not item.zone_key or raw == "" or item.zone_key not in thresholds:
            continue  # not answered, or cut-offs loaded for a version without this key
        code = zone(instrument, Decimal(raw), thresholds[item.zone_key])
        found[item.zone_key] = {
            "item": item.title,
            "zone": code,
            "label": instrument.zones.labels[code],
            "concern": is_concern(instrument, code),
        }
    return found

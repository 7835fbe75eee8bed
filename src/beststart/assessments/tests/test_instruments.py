"""The instrument engine: each shipped instrument scored by its rules, missing items, needs,
bad answers, malformed instrument files, and an area's own instruments directory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from beststart.assessments import instruments
from beststart.assessments.instruments import (
    SCORE,
    Answers,
    Instrument,
    InstrumentError,
    Item,
    Results,
)

SHIPPED_CODES = {
    "early-help-assessment",
    "eyfs-progress-check",
    "integrated-two-year-review",
    "asq-3",
    "asq-se-2",
    "family-outcomes-scale",
    "graded-care-profile-2",
}
STAR_AREAS = (
    "physical_health",
    "wellbeing",
    "safety",
    "routines",
    "boundaries",
    "support",
    "home_money",
    "learning_work",
)


def scored(code: str, answers: Answers) -> Results:
    return instruments.score(instruments.get(code), answers)


def item_of(code: str, section: str, item: str) -> Item:
    found = instruments.get(code).section(section)
    assert found is not None
    result = found.item(item)
    assert result is not None
    return result


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    instruments.reload()
    return path


# ---------------------------------------------------------------------------------------------
# The shipped instruments


def test_every_shipped_instrument_is_read() -> None:
    latest = {instrument.code: instrument for instrument in instruments.latest()}
    assert set(latest) == SHIPPED_CODES
    assert all(instrument.version == 1 for instrument in latest.values())
    titles = [instrument.title for instrument in instruments.latest()]
    assert titles == sorted(titles)


def test_instruments_for_a_role_are_the_ones_it_records() -> None:
    for_setting = {each.code for each in instruments.for_role("early_years_practitioner")}
    assert for_setting == {
        "early-help-assessment",
        "eyfs-progress-check",
        "integrated-two-year-review",
    }
    assert instruments.for_role("commissioner") == []


def test_licensed_instruments_hold_results_only() -> None:
    for code in ("asq-3", "asq-se-2", "family-outcomes-scale", "graded-care-profile-2"):
        instrument = instruments.get(code)
        assert instrument.licensed
        assert instrument.licence_note
        assert all(item.type != "text" for _, item in instrument.items)


def test_a_version_that_does_not_exist_is_a_clear_error() -> None:
    with pytest.raises(InstrumentError) as error:
        instruments.get("asq-3", 9)
    assert str(error.value) == "ASQ-3 results has no version 9: the versions are 1"
    with pytest.raises(InstrumentError, match="There is no instrument 'asq-4'"):
        instruments.get("asq-4")
    assert instruments.get("asq-3").key == "asq-3@1"


def test_an_integrated_record_gives_each_agency_its_own_sections_and_the_shared_ones() -> None:
    review = instruments.get("integrated-two-year-review")
    assert review.is_integrated
    assert [s.code for s in review.sections_for("health_visiting")] == [
        "health",
        "parents",
        "shared",
    ]
    assert [s.code for s in review.sections_for("early_years")] == ["setting", "parents", "shared"]
    eha = instruments.get("early-help-assessment")
    assert not eha.is_integrated
    assert eha.sections_for("early_years") == list(eha.sections)


# The Early Help Assessment: the worst rating on each side of the triangle


def test_eha_band_is_the_worst_rating_given_on_each_side() -> None:
    results = scored(
        "early-help-assessment",
        {
            "child": {"health": "strength", "learning": "some_need", "emotional": "no_concern"},
            "parenting": {"warmth": "strength"},
            "family": {"housing": "significant_need", "income": "some_need"},
        },
    )
    child = results.sections["child"].as_dict()
    assert (child["band"], child["band_label"], child["need"]) == ("some_need", "Some needs", True)
    assert (child["score"], child["answered"], child["missing"]) == (None, 3, 3)
    parenting = results.sections["parenting"].as_dict()
    assert (parenting["band"], parenting["need"]) == ("strength", False)
    assert results.sections["family"].as_dict()["band"] == "significant_need"
    assert set(results.sections) == {"child", "parenting", "family"}  # views, summary: unscored


def test_eha_side_with_no_rating_is_not_scored_and_says_so() -> None:
    results = scored("early-help-assessment", {"child": {"health": "no_concern"}})
    parenting = results.sections["parenting"]
    assert parenting.value is None
    assert parenting.band is None
    assert (parenting.answered, parenting.missing) == (0, 6)
    assert parenting.note == "Not scored: none answered"


def test_eha_needs_are_the_ratings_that_say_need() -> None:
    results = scored(
        "early-help-assessment",
        {
            "child": {"health": "strength", "learning": "some_need"},
            "family": {"housing": "significant_need", "income": "no_concern"},
        },
    )
    assert results.needs == [
        {
            "section_code": "child",
            "section": "The child's developmental needs",
            "item": "Learning and development",
            "answer": "Some needs",
        },
        {
            "section_code": "family",
            "section": "Family and environment",
            "item": "Housing",
            "answer": "Significant needs",
        },
    ]


# The EYFS progress check and the integrated review


def test_eyfs_check_band_is_the_worst_progress_in_each_prime_area() -> None:
    results = scored(
        "eyfs-progress-check",
        {
            "communication": {"listening": "on_track", "speaking": "watch"},
            "personal": {
                "self_regulation": "on_track",
                "managing_self": "less_than_expected",
                "relationships": "watch",
            },
            "physical": {"gross_motor": "on_track", "fine_motor": "on_track"},
        },
    )
    bands = {code: score.as_dict() for code, score in results.sections.items()}
    assert (bands["communication"]["band"], bands["communication"]["need"]) == ("watch", False)
    assert bands["personal"]["band_label"] == "Progress less than expected"
    assert bands["personal"]["need"] is True
    assert bands["physical"]["band"] == "on_track"
    assert [need["item"] for need in results.needs] == ["Managing self"]


def test_eyfs_check_missing_a_required_rating_is_not_scored() -> None:
    results = scored("eyfs-progress-check", {"communication": {"listening": "on_track"}})
    communication = results.sections["communication"]
    assert communication.band is None
    assert communication.note == "Not scored: 1 not answered, and at most 0 may be missing"


def test_integrated_review_health_band_is_the_worst_finding_not_whether_asq3_was_used() -> None:
    health = {
        "asq3_used": "no",
        "growth": "no_concern",
        "hearing_vision": "no_concern",
        "immunisations": "up_to_date",
    }
    assert scored("integrated-two-year-review", {"health": health}).sections["health"].as_dict()[
        "band"
    ] == ("no_concern")
    health["immunisations"] = "not_up_to_date"
    results = scored("integrated-two-year-review", {"health": health})
    band = results.sections["health"].as_dict()
    assert (band["band"], band["band_label"], band["need"]) == (
        "not_up_to_date",
        "Not up to date",
        True,
    )
    assert [need["item"] for need in results.needs] == ["Immunisations up to date"]


def test_integrated_review_needs_come_from_every_section() -> None:
    results = scored(
        "integrated-two-year-review",
        {
            "setting": {
                "communication": "less_than_expected",
                "personal": "on_track",
                "physical": "watch",
            },
            "parents": {"took_part": "not"},
        },
    )
    assert results.sections["setting"].as_dict()["band"] == "less_than_expected"
    assert [(need["item"], need["answer"]) for need in results.needs] == [
        ("Communication and language", "Progress less than expected"),
        ("How the parents took part", "They did not take part"),
    ]


# ASQ-3 and ASQ:SE-2: totals only, zones from cut-offs (test_cutoffs.py)


def test_asq3_records_domain_totals_without_a_score_of_its_own() -> None:
    asq = instruments.get("asq-3")
    assert asq.zones is not None
    assert (asq.zones.interval_item, asq.zones.concern) == ("interval", "low")
    assert [item.zone_key for _, item in asq.items if item.zone_key] == [
        "communication",
        "gross_motor",
        "fine_motor",
        "problem_solving",
        "personal_social",
    ]
    results = scored("asq-3", {"result": {"interval": "24", "communication": "15"}})
    assert results.sections == {}
    assert results.needs == []


def test_asq3_totals_may_be_halves_but_not_out_of_range() -> None:
    communication = item_of("asq-3", "result", "communication")
    assert instruments.check_answer(communication, "42.5") is None
    assert instruments.check_answer(communication, "60") is None
    assert instruments.check_answer(communication, "61") == (
        "Communication total must be between 0 and 60"
    )


def test_asq_se2_total_is_in_steps_of_five() -> None:
    se2 = instruments.get("asq-se-2")
    assert se2.zones is not None
    assert se2.zones.concern == "high"
    total = item_of("asq-se-2", "result", "total")
    assert instruments.check_answer(total, "705") == "Total score must be between 0 and 700"
    assert instruments.check_answer(total, "65") is None
    assert instruments.check_answer(total, "62") == (
        "Total score must be in steps of 5 (from 0 to 700)"
    )


# The Star-style scale: a mean, with up to 2 areas missing


def star(**scores: int) -> Answers:
    return {"areas": {code: str(value) for code, value in scores.items()}}


def test_star_scale_is_the_mean_of_the_areas() -> None:
    results = scored(
        "family-outcomes-scale",
        star(**dict(zip(STAR_AREAS, [3, 5, 6, 7, 2, 8, 4, 5], strict=True))),
    )
    areas = results.sections["areas"].as_dict()
    assert (areas["score"], areas["answered"], areas["missing"], areas["note"]) == ("5", 8, 0, "")
    assert (areas["band"], areas["band_label"], areas["need"]) == (
        "some_need",
        "Some needs (average 4 to 6.9)",
        False,
    )


def test_star_scale_ignores_up_to_two_missing_areas() -> None:
    results = scored(
        "family-outcomes-scale", star(**dict(zip(STAR_AREAS[:6], [3, 5, 6, 7, 2, 8], strict=True)))
    )
    areas = results.sections["areas"]
    assert areas.value == Decimal("5.17")  # 31 / 6
    assert (areas.answered, areas.missing) == (6, 2)
    assert areas.note == "2 not answered: scored from those answered"


def test_star_scale_with_three_missing_areas_is_not_scored_but_its_needs_are_kept() -> None:
    results = scored(
        "family-outcomes-scale", star(**dict(zip(STAR_AREAS[:5], [3, 5, 6, 7, 2], strict=True)))
    )
    areas = results.sections["areas"].as_dict()
    assert (areas["score"], areas["band"], areas["need"]) == (None, "", False)
    assert areas["note"] == "Not scored: 3 not answered, and at most 2 may be missing"
    assert [(need["item"], need["answer"]) for need in results.needs] == [
        ("Physical health", "3"),
        ("Boundaries and behaviour", "2"),
    ]


@pytest.mark.parametrize(
    ("scores", "mean", "band", "need"),
    [
        ([3, 3, 4, 4, 4, 4, 4, 5], "3.88", "high_need", True),
        ([4] * 8, "4", "some_need", False),
        ([7, 7, 7, 7, 7, 7, 7, 6], "6.88", "some_need", False),
        ([7] * 8, "7", "managing", False),
        ([10] * 8, "10", "managing", False),
        ([1] * 8, "1", "high_need", True),
    ],
)
def test_star_scale_bands_by_the_mean(scores: list[int], mean: str, band: str, need: bool) -> None:
    areas = scored("family-outcomes-scale", star(**dict(zip(STAR_AREAS, scores, strict=True))))
    result = areas.sections["areas"].as_dict()
    assert (result["score"], result["band"], result["need"]) == (mean, band, need)


def test_star_scale_need_is_an_area_below_four() -> None:
    results = scored("family-outcomes-scale", star(physical_health=3, wellbeing=4, safety=1))
    assert [(need["item"], need["answer"]) for need in results.needs] == [
        ("Physical health", "3"),
        ("Keeping children safe", "1"),
    ]


@given(
    scores=st.lists(st.integers(min_value=1, max_value=10), min_size=6, max_size=8),
    order=st.permutations(STAR_AREAS),
)
def test_star_scale_mean_is_between_the_lowest_and_highest_answered(
    scores: list[int], order: list[str]
) -> None:
    results = scored("family-outcomes-scale", star(**dict(zip(order, scores, strict=False))))
    areas = results.sections["areas"]
    assert areas.value is not None
    assert min(scores) <= areas.value <= max(scores)
    assert abs(areas.value - Decimal(sum(scores)) / len(scores)) <= Decimal("0.005")
    assert areas.band is not None
    assert sorted(int(need["answer"]) for need in results.needs) == sorted(
        score for score in scores if score < 4
    )


# Graded Care Profile 2: a need from grade 3


def test_gcp2_grades_of_three_or_more_are_needs() -> None:
    results = scored(
        "graded-care-profile-2",
        {"grades": {"physical_care": "2", "safety": "3", "love_and_care": "1", "esteem": "5"}},
    )
    assert results.sections == {}
    assert [(need["item"], need["answer"]) for need in results.needs] == [
        ("Care of safety", "3"),
        ("Esteem", "5"),
    ]


def test_gcp2_grades_are_whole_numbers_from_one_to_five() -> None:
    esteem = item_of("graded-care-profile-2", "grades", "esteem")
    assert instruments.check_answer(esteem, "0") == "Esteem must be between 1 and 5"
    assert instruments.check_answer(esteem, "2.5") == "Esteem must be in steps of 1 (from 1 to 5)"
    assert instruments.check_answer(esteem, "4") is None


# ---------------------------------------------------------------------------------------------
# Bad answers


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("11", "Physical health must be between 1 and 10"),
        ("0", "Physical health must be between 1 and 10"),
        ("-3", "Physical health must be between 1 and 10"),
        ("5.5", "Physical health must be in steps of 1 (from 1 to 10)"),
        ("ten", "Physical health must be a number, like 1"),
        ("5 apples", "Physical health must be a number, like 1"),
        ("NaN", "Physical health must be between 1 and 10"),
        ("Infinity", "Physical health must be between 1 and 10"),
    ],
)
def test_an_impossible_score_is_refused_in_words(raw: str, message: str) -> None:
    assert (
        instruments.check_answer(item_of("family-outcomes-scale", "areas", "physical_health"), raw)
        == message
    )


def test_a_choice_not_in_the_options_is_refused() -> None:
    housing = item_of("early-help-assessment", "family", "housing")
    assert instruments.check_answer(housing, "dreadful") == (
        "Select one of the options for Housing"
    )
    assert instruments.check_answer(housing, "some_need") is None


def test_text_longer_than_allowed_is_refused() -> None:
    found = item_of("early-help-assessment", "child", "found")
    assert instruments.check_answer(found, "x" * 2000) is None
    assert instruments.check_answer(found, "x" * 2001) == (
        "What we found must be 2000 characters or fewer"
    )


def test_nothing_typed_is_no_error_in_itself() -> None:
    housing = item_of("early-help-assessment", "family", "housing")
    safety = item_of("family-outcomes-scale", "areas", "safety")
    for raw in ("", "   "):
        assert instruments.check_answer(housing, raw) is None
        assert instruments.check_answer(safety, raw) is None


def test_completing_needs_every_required_item_a_draft_does_not() -> None:
    eyfs = instruments.get("eyfs-progress-check")
    answers: Answers = {
        "communication": {"listening": "on_track", "speaking": "loud"},
        "summary": {"parent_comments": "Loves books"},
    }
    draft = instruments.answer_errors(eyfs, answers, sections=list(eyfs.sections), complete=False)
    assert draft == {"communication-speaking": "Select one of the options for Speaking"}
    complete = instruments.answer_errors(eyfs, answers, sections=list(eyfs.sections), complete=True)
    assert complete["communication-speaking"] == "Select one of the options for Speaking"
    assert complete["personal-self_regulation"] == "Select an answer for Self-regulation"
    assert complete["summary-next_steps"] == (
        "Enter how the setting and the parents will support the child"
    )
    assert "communication-strengths" not in complete  # optional
    assert "summary-parent_comments" not in complete


def test_answer_errors_only_check_the_sections_asked_about() -> None:
    review = instruments.get("integrated-two-year-review")
    mine = review.sections_for("early_years")
    errors = instruments.answer_errors(review, {}, sections=mine, complete=True)
    assert {key.split("-")[0] for key in errors} == {"setting", "parents", "shared"}


@st.composite
def score_items(draw: st.DrawFn) -> tuple[Item, int]:
    """A score item from `minimum` in `count` steps of `step`."""
    minimum = Decimal(draw(st.integers(min_value=-20, max_value=50)))
    step = Decimal(draw(st.sampled_from(["0.5", "1", "2", "5", "0.25"])))
    count = draw(st.integers(min_value=1, max_value=40))
    item = Item(
        code="x",
        title="The score",
        type=SCORE,
        minimum=minimum,
        maximum=minimum + count * step,
        step=step,
    )
    return item, count


@given(item_count=score_items(), data=st.data())
def test_any_score_in_range_and_in_steps_is_accepted(
    item_count: tuple[Item, int], data: st.DataObject
) -> None:
    item, count = item_count
    assert item.minimum is not None
    assert item.step is not None
    n = data.draw(st.integers(min_value=0, max_value=count))
    assert instruments.check_answer(item, f"{item.minimum + n * item.step:f}") is None


@given(item_count=score_items(), data=st.data())
def test_any_score_out_of_range_or_between_steps_is_refused(
    item_count: tuple[Item, int], data: st.DataObject
) -> None:
    item, count = item_count
    assert item.minimum is not None
    assert item.maximum is not None
    assert item.step is not None
    beyond = Decimal(data.draw(st.integers(min_value=1, max_value=10**6))) / 100
    low = item.minimum - beyond
    high = item.maximum + beyond
    for value in (low, high):
        assert "must be between" in (instruments.check_answer(item, f"{value:f}") or "")
    n = data.draw(st.integers(min_value=0, max_value=count - 1))
    between = item.minimum + n * item.step + item.step / 2
    assert "in steps of" in (instruments.check_answer(item, f"{between:f}") or "")


@given(
    minimum=st.integers(min_value=-10, max_value=10),
    width=st.integers(min_value=1, max_value=100),
    value=st.decimals(allow_nan=False, allow_infinity=False, places=2),
)
def test_without_a_step_any_number_in_range_is_accepted_and_no_other(
    minimum: int, width: int, value: Decimal
) -> None:
    item = Item(
        code="x",
        title="The total",
        type=SCORE,
        minimum=Decimal(minimum),
        maximum=Decimal(minimum + width),
    )
    accepted = instruments.check_answer(item, f"{value:f}") is None
    assert accepted == (minimum <= value <= minimum + width)


def test_age_in_months_counts_whole_months() -> None:
    assert instruments.age_in_months(dt.date(2024, 6, 10), dt.date(2026, 9, 15)) == 27
    assert instruments.age_in_months(dt.date(2024, 6, 10), dt.date(2026, 9, 9)) == 26
    assert instruments.age_in_months(dt.date(2024, 6, 10), dt.date(2026, 9, 10)) == 27
    assert instruments.age_in_months(dt.date(2026, 1, 31), dt.date(2026, 2, 28)) == 0


# ---------------------------------------------------------------------------------------------
# An area's own instruments: a prorated sum, and a total


HOME_SAFETY = """\
code: home-safety-check
version: 1
title: Home safety check
category: family_support
about: [parent, carer]
used_by: [family_hub_worker]
sections:
  - code: rooms
    title: Rooms
    score:
      method: sum
      missing: {allowed: 1, rule: prorate}
      bands:
        - {code: safe, label: Mostly safe, max: 5}
        - {code: unsafe, label: Hazards to put right, min: 5.01, need: true}
    items:
      - {code: kitchen, title: Kitchen, type: score, min: 0, max: 3, step: 1, required: false}
      - {code: stairs, title: Stairs, type: score, min: 0, max: 3, step: 1, required: false}
      - {code: bathroom, title: Bathroom, type: score, min: 0, max: 3, step: 1, required: false}
  - code: garden
    title: Garden
    score: {method: sum}
    items:
      - code: gate
        title: Garden gate
        type: choice
        options:
          - {value: shut, label: Shut and latched, score: 0}
          - {value: open, label: Left open, score: 2, need: true}
total: {method: sum}
"""


@pytest.fixture
def home_safety(instruments_dir: Path) -> Instrument:
    write(instruments_dir, "home-safety-check@1.yaml", HOME_SAFETY)
    return instruments.get("home-safety-check")


def test_an_areas_own_instrument_is_offered_with_the_shipped_ones(home_safety: Instrument) -> None:
    assert home_safety.key == "home-safety-check@1"
    assert home_safety in instruments.latest()
    assert [each.code for each in instruments.for_role("family_hub_worker")].count(
        "home-safety-check"
    ) == 1


def test_a_prorated_sum_scales_up_to_every_item(home_safety: Instrument) -> None:
    results = instruments.score(
        home_safety, {"rooms": {"kitchen": "2", "stairs": "3"}, "garden": {"gate": "shut"}}
    )
    rooms = results.sections["rooms"].as_dict()
    assert (rooms["score"], rooms["answered"], rooms["missing"]) == ("7.5", 2, 1)  # 5 / 2 * 3
    assert rooms["note"] == "1 not answered: scored prorated"
    assert (rooms["band"], rooms["need"]) == ("unsafe", True)
    assert results.total is not None
    assert results.total.value == Decimal("7.5")


def test_a_sum_with_everything_answered_is_not_prorated(home_safety: Instrument) -> None:
    results = instruments.score(
        home_safety,
        {"rooms": {"kitchen": "1", "stairs": "3", "bathroom": "0"}, "garden": {"gate": "open"}},
    )
    assert results.sections["rooms"].as_dict()["score"] == "4"
    assert results.sections["rooms"].as_dict()["band"] == "safe"
    assert results.sections["garden"].as_dict()["score"] == "2"
    assert results.total is not None
    assert results.total.as_dict()["score"] == "6"
    assert [need["item"] for need in results.needs] == ["Garden gate"]


def test_a_prorated_sum_with_more_missing_than_allowed_is_not_scored(
    home_safety: Instrument,
) -> None:
    results = instruments.score(
        home_safety, {"rooms": {"kitchen": "2"}, "garden": {"gate": "shut"}}
    )
    rooms = results.sections["rooms"]
    assert rooms.value is None
    assert rooms.note == "Not scored: 2 not answered, and at most 1 may be missing"
    assert results.total is not None
    assert results.total.value is None  # one of the two sections missing, none allowed
    assert results.total.as_dict()["note"] == (
        "Not scored: 1 not answered, and at most 0 may be missing"
    )


def test_results_are_a_plain_mapping_to_store(home_safety: Instrument) -> None:
    results = instruments.score(
        home_safety, {"rooms": {"kitchen": "2", "stairs": "3"}, "garden": {"gate": "open"}}
    ).as_dict()
    assert yaml.safe_load(yaml.safe_dump(results)) == results
    assert results["total"]["score"] == "9.5"


# ---------------------------------------------------------------------------------------------
# Malformed instrument files


def tiny() -> dict[str, Any]:
    """The smallest instrument that reads."""
    return {
        "code": "tiny",
        "version": 1,
        "title": "Tiny check",
        "category": "family_support",
        "used_by": ["health_visitor"],
        "sections": [
            {
                "code": "one",
                "title": "One",
                "items": [{"code": "a", "title": "A", "type": "score", "min": 0, "max": 4}],
            }
        ],
    }


def first_item(data: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = data["sections"][0]["items"][0]
    return item


def integrated(data: dict[str, Any]) -> None:
    data["agencies"] = ["health_visiting", "early_years"]
    data["sections"][0]["contributor"] = "school"


def duplicate_item(data: dict[str, Any]) -> None:
    data["sections"][0]["items"].append(dict(first_item(data)))


def zoned(data: dict[str, Any]) -> None:
    first_item(data)["zone"] = "a"


def one_option(data: dict[str, Any]) -> None:
    first_item(data).update(type="choice", options=[{"value": "yes", "label": "Yes"}])


MALFORMED: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("code", lambda d: d.update(code="other"), "tiny@1.yaml: code and version: must match"),
    ("version", lambda d: d.update(version=2), "tiny@1.yaml: code and version: must match"),
    ("category", lambda d: d.update(category="medical"), "tiny@1.yaml: category: use one of"),
    (
        "response type",
        lambda d: first_item(d).update(type="slider"),
        "tiny@1.yaml: sections[0][one].items[0][a].type: use one of text, choice, score",
    ),
    (
        "one option",
        one_option,
        "sections[0][one].items[0][a].options: a choice needs at least two options",
    ),
    (
        "score without max",
        lambda d: first_item(d).pop("max"),
        "tiny@1.yaml: sections[0][one].items[0][a]: a score needs its min and max",
    ),
    (
        "min above max",
        lambda d: first_item(d).update(min=5),
        "sections[0][one].items[0][a].max: max must be more than min",
    ),
    (
        "not a number",
        lambda d: first_item(d).update(max="four"),
        "items[0][a].max: expected a number",
    ),
    ("nan", lambda d: first_item(d).update(max=float("nan")), "items[0][a].max: expected a number"),
    ("duplicate item", duplicate_item, "sections[0][one].items: each item needs its own code"),
    (
        "contributor",
        integrated,
        "sections[0][one].contributor: use one of health_visiting, early_years, either",
    ),
    (
        "one agency",
        lambda d: d.update(agencies=["health_visiting"]),
        "agencies: name two or more organisation types",
    ),
    ("zones", zoned, "tiny@1.yaml: zones: items with a zone need the instrument's zones"),
    ("no sections", lambda d: d.update(sections=[]), "sections: an instrument needs at least one"),
    (
        "empty section",
        lambda d: d["sections"][0].update(items=[]),
        "sections[0][one].items: a section needs at least one item",
    ),
    ("used_by", lambda d: d.update(used_by=["wizard"]), "used_by: name the roles that record it"),
    ("about", lambda d: d.update(about=["children"]), "about: use one or more of"),
    ("age", lambda d: d.update(age_months=24), "age_months: give the youngest and oldest age"),
    (
        "scoring method",
        lambda d: d["sections"][0].update(score={"method": "median"}),
        "sections[0][one].score.method: use one of sum, mean, worst",
    ),
    (
        "scoring item",
        lambda d: d["sections"][0].update(score={"method": "sum", "items": ["b"]}),
        "sections[0][one].score.items: no scored item b to score",
    ),
    (
        "prorated mean",
        lambda d: d["sections"][0].update(
            score={"method": "mean", "missing": {"allowed": 1, "rule": "prorate"}}
        ),
        "sections[0][one].score.missing.rule: only a sum can be prorated",
    ),
    (
        "item code",
        lambda d: first_item(d).update(code="Big A"),
        "sections[0][one].items[0].code: use lower-case letters, digits and _ only",
    ),
    (
        "recent days",
        lambda d: d.update(recent_days="six months"),
        "top level.recent_days: expected a whole number, not 'six months'",
    ),
    (
        "missing allowed",
        lambda d: d["sections"][0].update(score={"method": "sum", "missing": {"allowed": 1.5}}),
        "sections[0][one].score.missing.allowed: expected a whole number",
    ),
    (
        "zone on a text",
        lambda d: first_item(d).update(type="text", zone="a"),
        "sections[0][one].items[0][a].zone: only a score has a zone",
    ),
    (
        "role that cannot see the category",
        lambda d: d.update(used_by=["gp_practice_staff"]),
        "used_by: gp_practice_staff cannot record family support data",
    ),
]


@pytest.mark.parametrize(
    ("change", "message"),
    [pytest.param(change, message, id=name) for name, change, message in MALFORMED],
)
def test_a_malformed_file_names_the_file_and_the_place(
    tmp_path: Path, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    data = tiny()
    change(data)
    path = tmp_path / "tiny@1.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(InstrumentError) as error:
        instruments.parse(path)
    assert message in str(error.value)
    assert str(error.value).startswith("tiny@1.yaml: ")


def test_the_smallest_file_reads(tmp_path: Path) -> None:
    path = tmp_path / "tiny@1.yaml"
    path.write_text(yaml.safe_dump(tiny()), encoding="utf-8")
    instrument = instruments.parse(path)
    assert (instrument.key, instrument.about, instrument.age_months) == ("tiny@1", ("child",), None)


@pytest.mark.parametrize("name", ["tiny.yaml", "tiny@0.yaml", "Tiny@1.yaml", "tiny@1.txt"])
def test_a_badly_named_file_is_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(tiny()), encoding="utf-8")
    with pytest.raises(InstrumentError) as error:
        instruments.parse(path)
    assert str(error.value) == (
        f"{name}: file name: name the file <code>@<version>.yaml, e.g. eha@2.yaml"
    )


def test_invalid_yaml_gives_its_line(tmp_path: Path) -> None:
    path = tmp_path / "tiny@1.yaml"
    path.write_text("code: tiny\nversion: 1\ntitle: a: b\ncategory: x\n", encoding="utf-8")
    with pytest.raises(InstrumentError) as error:
        instruments.parse(path)
    assert str(error.value) == "tiny@1.yaml: line 3: is not valid YAML"


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tiny@1.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(InstrumentError, match=r"tiny@1\.yaml: top level: expected a mapping"):
        instruments.parse(path)


def test_a_malformed_file_in_the_areas_directory_is_reported_by_name(
    instruments_dir: Path,
) -> None:
    broken = tiny()
    broken["category"] = "medical"
    write(instruments_dir, "tiny@1.yaml", yaml.safe_dump(broken))
    with pytest.raises(InstrumentError, match=r"^tiny@1.yaml: category"):
        instruments.get("asq-3")


def test_a_new_version_in_the_areas_directory_becomes_the_latest(instruments_dir: Path) -> None:
    text = (instruments.SHIPPED / "early-help-assessment@1.yaml").read_text(encoding="utf-8")
    write(
        instruments_dir,
        "early-help-assessment@2.yaml",
        text.replace("version: 1", "version: 2").replace("title: Housing", "title: Home"),
    )
    assert instruments.get("early-help-assessment").version == 2
    assert item_of("early-help-assessment", "family", "housing").title == "Home"
    first = instruments.get("early-help-assessment", 1).section("family")
    assert first is not None
    housing = first.item("housing")
    assert housing is not None
    assert housing.title == "Housing"
    with pytest.raises(InstrumentError, match="the versions are 1, 2"):
        instruments.get("early-help-assessment", 3)


def test_an_areas_file_never_replaces_a_version_that_exists(instruments_dir: Path) -> None:
    shipped = instruments.SHIPPED / "asq-3@1.yaml"
    write(instruments_dir, "asq-3@1.yaml", shipped.read_text(encoding="utf-8"))
    with pytest.raises(InstrumentError, match=r"^asq-3@1.yaml: asq-3@1 exists already"):
        instruments.get("asq-3")


def test_versions_lists_every_version_oldest_first(instruments_dir: Path) -> None:
    shipped = (instruments.SHIPPED / "asq-3@1.yaml").read_text(encoding="utf-8")
    write(instruments_dir, "asq-3@3.yaml", shipped.replace("version: 1", "version: 3"))
    assert [each.version for each in instruments.versions("asq-3")] == [1, 3]
    assert instruments.versions("no-such-thing") == []

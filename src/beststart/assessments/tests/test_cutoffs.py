"""Cut-offs for licensed instruments' zones: loading a sample configuration (invented numbers),
the zones of completed ASQ-3 and ASQ:SE-2 results at and around the thresholds, and cut-off
files that cannot be loaded."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beststart.assessments import actions, cutoffs, instruments
from beststart.assessments.cutoffs import CutoffError
from beststart.assessments.models import Assessment, CutoffSet
from beststart.assessments.tests.conftest import TODAY
from beststart.assessments.tests.factories import SAMPLE_ASQ3_CUTOFFS
from beststart.conftest import World
from beststart.families.models import ChronologyEvent, EventKind, Person

# Invented for tests, like SAMPLE_ASQ3_CUTOFFS: high totals are the concern.
SAMPLE_ASQ_SE2_CUTOFFS = """\
instrument: asq-se-2
name: Sample ASQ:SE-2 cut-offs for tests (invented, not the publisher's)
source: Made up for Best Start's tests
intervals:
  "24": {total: {cutoff: 50, monitoring: 35}}
"""
ASQ3_DOMAINS = ("communication", "gross_motor", "fine_motor", "problem_solving", "personal_social")

pytestmark = pytest.mark.django_db


@pytest.fixture
def child(world: World) -> Person:
    """The world family's child, 24 months old today."""
    person = world.family.members.get(kind="child")
    person.date_of_birth = dt.date(2024, 9, 10)
    person.save()
    return person


def complete(world: World, child: Person, code: str, result: dict[str, str]) -> Assessment:
    """Results of a licensed questionnaire, recorded and completed by the health visitor."""
    assessment = actions.start_assessment(
        actor=world.actor,
        family=world.family,
        person=child,
        instrument_code=code,
        assessed_on=TODAY,
    )
    actions.save_answers(
        actor=world.actor, assessment=assessment, answers={"result": result}, complete=True
    )
    assessment.refresh_from_db()
    return assessment


def asq3(**totals: str) -> dict[str, str]:
    return {"interval": "24", **{domain: "50" for domain in ASQ3_DOMAINS}, **totals}


# ---------------------------------------------------------------------------------------------
# Loading


def test_sample_asq3_cutoffs_load_as_checked_strings() -> None:
    loaded = actions.load_cutoffs(
        instrument_code="asq-3", text=SAMPLE_ASQ3_CUTOFFS, loaded_by="licence.holder"
    )
    assert loaded.instrument == "asq-3"
    assert loaded.name == "Sample cut-offs for tests (invented, not the publisher's)"
    assert loaded.source == "Made up for Best Start's tests"
    assert loaded.loaded_by == "licence.holder"
    assert set(loaded.intervals) == {"24", "30"}
    assert loaded.intervals["24"]["communication"] == {"cutoff": "20", "monitoring": "35"}
    assert loaded.intervals["30"]["communication"] == {"cutoff": "22.5", "monitoring": "37.5"}


def test_cutoffs_may_be_json() -> None:
    text = (
        '{"instrument": "asq-se-2", "name": "Invented", "source": "Tests", '
        '"intervals": {"36": {"total": {"cutoff": 105, "monitoring": 75}}}}'
    )
    loaded = actions.load_cutoffs(instrument_code="asq-se-2", text=text, loaded_by="tester")
    assert loaded.intervals == {"36": {"total": {"cutoff": "105", "monitoring": "75"}}}


# ---------------------------------------------------------------------------------------------
# ASQ-3: low totals are the concern


def test_asq3_zones_at_and_around_the_thresholds(world: World, child: Person) -> None:
    cutoff_set = actions.load_cutoffs(
        instrument_code="asq-3", text=SAMPLE_ASQ3_CUTOFFS, loaded_by="tester"
    )
    # 24 months: communication 20/35, gross motor 30/45, fine motor and problem solving
    # 25/40, personal-social 30/45.
    assessment = complete(
        world,
        child,
        "asq-3",
        asq3(
            communication="20",  # at the cut-off
            gross_motor="45",  # at the monitoring threshold
            fine_motor="40.5",  # just above it
            problem_solving="25.5",  # just above the cut-off
            personal_social="29.5",  # just below the cut-off
        ),
    )
    zones = assessment.results["zones"]
    assert {key: zone["zone"] for key, zone in zones.items()} == {
        "communication": "below",
        "gross_motor": "monitoring",
        "fine_motor": "above",
        "problem_solving": "monitoring",
        "personal_social": "below",
    }
    assert zones["communication"] == {
        "item": "Communication total",
        "zone": "below",
        "label": "Below the cut-off: further assessment may be needed",
        "concern": True,
    }
    assert zones["gross_motor"]["concern"] is False
    assert zones["fine_motor"]["label"] == "Above the cut-off: on schedule"
    assert assessment.results["cutoffs"] == cutoff_set.name
    assert assessment.cutoffs == cutoff_set
    event = ChronologyEvent.objects.get(family=world.family, kind=EventKind.ASSESSMENT)
    assert event.summary == "ASQ-3 results completed: 2 of 5 in the zone of concern"


def test_asq3_without_cutoffs_records_totals_and_no_zone(world: World, child: Person) -> None:
    assessment = complete(world, child, "asq-3", asq3(communication="15"))
    assert assessment.results["zones"] == {}
    assert assessment.results["cutoffs"] == ""
    assert assessment.cutoffs is None
    event = ChronologyEvent.objects.get(family=world.family, kind=EventKind.ASSESSMENT)
    assert event.summary == "ASQ-3 results completed: no zones: no cut-offs loaded"


def test_asq3_at_an_interval_the_cutoffs_leave_out_has_no_zone(world: World, child: Person) -> None:
    actions.load_cutoffs(instrument_code="asq-3", text=SAMPLE_ASQ3_CUTOFFS, loaded_by="tester")
    assessment = complete(world, child, "asq-3", {**asq3(), "interval": "27"})
    assert assessment.results["zones"] == {}
    event = ChronologyEvent.objects.get(family=world.family, kind=EventKind.ASSESSMENT)
    assert event.summary == (
        "ASQ-3 results completed: no zones: the cut-offs loaded have none for this interval"
    )


def test_the_latest_cutoffs_are_used_and_recorded_results_keep_theirs(
    world: World, child: Person
) -> None:
    first = actions.load_cutoffs(
        instrument_code="asq-3", text=SAMPLE_ASQ3_CUTOFFS, loaded_by="tester"
    )
    before = complete(world, child, "asq-3", asq3(communication="30"))
    assert before.results["zones"]["communication"]["zone"] == "monitoring"
    second = actions.load_cutoffs(
        instrument_code="asq-3",
        text=SAMPLE_ASQ3_CUTOFFS.replace("Sample cut-offs", "Later sample cut-offs").replace(
            "communication: {cutoff: 20, monitoring: 35}",
            "communication: {cutoff: 30, monitoring: 40}",
        ),
        loaded_by="tester",
    )
    after = complete(world, child, "asq-3", asq3(communication="30"))
    assert after.results["zones"]["communication"]["zone"] == "below"
    assert after.cutoffs == second
    before.refresh_from_db()
    assert before.results["zones"]["communication"]["zone"] == "monitoring"
    assert before.cutoffs == first


# ---------------------------------------------------------------------------------------------
# ASQ:SE-2: high totals are the concern


@pytest.mark.parametrize(
    ("total", "zone", "concern"),
    [
        ("55", "above", True),
        ("50", "above", True),  # at the cut-off
        ("45", "monitoring", False),
        ("35", "monitoring", False),  # at the monitoring threshold
        ("30", "below", False),  # just below it
        ("0", "below", False),
    ],
)
def test_asq_se2_zones(world: World, child: Person, total: str, zone: str, concern: bool) -> None:
    actions.load_cutoffs(
        instrument_code="asq-se-2", text=SAMPLE_ASQ_SE2_CUTOFFS, loaded_by="tester"
    )
    assessment = complete(world, child, "asq-se-2", {"interval": "24", "total": total})
    found = assessment.results["zones"]["total"]
    assert (found["zone"], found["concern"]) == (zone, concern)
    rules = instruments.get("asq-se-2").zones
    assert rules is not None
    assert found["label"] == rules.labels[zone]


@given(
    cutoff=st.integers(min_value=0, max_value=58),
    gap=st.integers(min_value=1, max_value=20),
    score=st.integers(min_value=0, max_value=120).map(lambda half: Decimal(half) / 2),
)
def test_asq3_zones_follow_the_thresholds(cutoff: int, gap: int, score: Decimal) -> None:
    monitoring = min(cutoff + gap, 60)
    if monitoring == cutoff:
        return
    zone = cutoffs.zone(
        instruments.get("asq-3"), score, {"cutoff": str(cutoff), "monitoring": str(monitoring)}
    )
    expected = "below" if score <= cutoff else "monitoring" if score <= monitoring else "above"
    assert zone == expected


@given(
    monitoring=st.integers(min_value=0, max_value=690),
    gap=st.integers(min_value=1, max_value=100),
    score=st.integers(min_value=0, max_value=140).map(lambda n: Decimal(n * 5)),
)
def test_asq_se2_zones_follow_the_thresholds(monitoring: int, gap: int, score: Decimal) -> None:
    cutoff = min(monitoring + gap, 700)
    zone = cutoffs.zone(
        instruments.get("asq-se-2"), score, {"cutoff": str(cutoff), "monitoring": str(monitoring)}
    )
    expected = "above" if score >= cutoff else "monitoring" if score >= monitoring else "below"
    assert zone == expected


# ---------------------------------------------------------------------------------------------
# Cut-off files that cannot be loaded: a clear error, and nothing saved


BAD_FILES = [
    pytest.param(
        "asq-3",
        SAMPLE_ASQ3_CUTOFFS.replace("instrument: asq-3", "instrument: asq-se-2"),
        "instrument: this file is for 'asq-se-2', not 'asq-3'",
        id="wrong instrument",
    ),
    pytest.param(
        "asq-3",
        SAMPLE_ASQ3_CUTOFFS.replace("    fine_motor: {cutoff: 25, monitoring: 40}\n", "", 1),
        "intervals.24: no cut-offs for fine_motor",
        id="missing key",
    ),
    pytest.param(
        "asq-3",
        SAMPLE_ASQ3_CUTOFFS.replace("{cutoff: 20, monitoring: 35}", "{cutoff: 35, monitoring: 35}"),
        "intervals.24.communication: the cutoff must be below the monitoring threshold",
        id="cutoff at monitoring",
    ),
    pytest.param(
        "asq-3",
        SAMPLE_ASQ3_CUTOFFS.replace("{cutoff: 20, monitoring: 35}", "{cutoff: 40, monitoring: 35}"),
        "intervals.24.communication: the cutoff must be below the monitoring threshold",
        id="cutoff above monitoring",
    ),
    pytest.param(
        "asq-se-2",
        SAMPLE_ASQ_SE2_CUTOFFS.replace(
            "{cutoff: 50, monitoring: 35}", "{cutoff: 35, monitoring: 50}"
        ),
        "intervals.24.total: the monitoring threshold must be below the cutoff",
        id="se2 monitoring above cutoff",
    ),
    pytest.param(
        "asq-3",
        SAMPLE_ASQ3_CUTOFFS.replace(
            "{cutoff: 30, monitoring: 45}", "{cutoff: 30, monitoring: 61}", 1
        ),
        "intervals.24.gross_motor.monitoring: 61 is outside the scores 0 to 60",
        id="out of range",
    ),
    pytest.param(
        "asq-3",
        SAMPLE_ASQ3_CUTOFFS.replace("{cutoff: 20, monitoring: 35}", "{cutoff: -5, monitoring: 35}"),
        "intervals.24.communication.cutoff: -5 is outside the scores 0 to 60",
        id="negative",
    ),
    pytest.param(
        "asq-3",
        SAMPLE_ASQ3_CUTOFFS.replace(
            "{cutoff: 20, monitoring: 35}", "{cutoff: twenty, monitoring: 35}"
        ),
        "intervals.24.communication.cutoff: expected a number, not 'twenty'",
        id="not a number",
    ),
    pytest.param(
        "asq-3",
        SAMPLE_ASQ3_CUTOFFS.replace(
            "{cutoff: 20, monitoring: 35}", "{cutoff: .nan, monitoring: 35}"
        ),
        "intervals.24.communication.cutoff: expected a number, not nan",
        id="nan",
    ),
    pytest.param(
        "asq-3",
        SAMPLE_ASQ3_CUTOFFS.replace("{cutoff: 20, monitoring: 35}", "{cutoff: 20}"),
        "intervals.24.communication: give a cutoff and a monitoring threshold",
        id="no monitoring threshold",
    ),
    pytest.param(
        "asq-3",
        SAMPLE_ASQ3_CUTOFFS.replace('"30":', '"25":'),
        "intervals.25: ASQ-3 results has no 25-month interval (it has 2, 4, 6,",
        id="interval the instrument does not have",
    ),
    pytest.param(
        "asq-3",
        SAMPLE_ASQ3_CUTOFFS.replace(
            "{cutoff: 20, monitoring: 35}", "{cutoff: 20, monitoring: 35}}", 1
        ),
        "line 6: is not valid YAML or JSON",
        id="invalid yaml",
    ),
    pytest.param(
        "asq-3",
        SAMPLE_ASQ3_CUTOFFS.replace("name: Sample", "name: ''\nold_name: Sample"),
        "name: say what these cut-offs are",
        id="no name",
    ),
    pytest.param(
        "asq-3",
        SAMPLE_ASQ3_CUTOFFS.replace("source: Made up", "from: Made up"),
        "source: say where they come from",
        id="no source",
    ),
    pytest.param("asq-3", "- asq-3\n- 24\n", "top level: expected a mapping", id="not a mapping"),
    pytest.param(
        "asq-3",
        "instrument: asq-3\nname: x\nsource: y\nintervals: {}\n",
        "intervals: expected a mapping of interval to cut-offs",
        id="no intervals",
    ),
    pytest.param(
        "eyfs-progress-check",
        "instrument: eyfs-progress-check\nname: x\nsource: y\nintervals: {'24': {}}\n",
        "EYFS progress check at two has no zones to load cut-offs for",
        id="instrument without zones",
    ),
    pytest.param(
        "asq-4", SAMPLE_ASQ3_CUTOFFS, "There is no instrument 'asq-4'", id="unknown instrument"
    ),
]


@pytest.mark.parametrize(("code", "text", "message"), BAD_FILES)
def test_a_bad_cutoff_file_is_a_clear_error_and_nothing_is_saved(
    code: str, text: str, message: str
) -> None:
    with pytest.raises(CutoffError) as error:
        actions.load_cutoffs(instrument_code=code, text=text, loaded_by="tester")
    assert message in str(error.value)
    assert not CutoffSet.objects.exists()

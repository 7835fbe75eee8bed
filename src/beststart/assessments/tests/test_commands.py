"""`beststart assessments`: the instruments and the cut-offs loaded are listed, an area's files
are checked before they are deployed (the worked example of docs/instruments.md among them),
and a licensed instrument's cut-offs load whole or not at all."""

from __future__ import annotations

import getpass
import re
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from beststart.assessments import instruments
from beststart.assessments.models import CutoffSet
from beststart.assessments.tests.factories import SAMPLE_ASQ3_CUTOFFS, CutoffSetFactory
from beststart.care.actions import long_date

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[4] / "docs" / "instruments.md"
EHA = instruments.SHIPPED / "early-help-assessment@1.yaml"


def run(*args: str) -> str:
    out = StringIO()
    call_command("assessments", *args, stdout=out)
    return out.getvalue()


def refused(*args: str) -> tuple[str, str, str]:
    """What a failing run printed, to stdout and stderr, and the error it ended with."""
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as error:
        call_command("assessments", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue(), str(error.value)


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def eha_version_2(*changes: tuple[str, str]) -> str:
    """The shipped Early Help Assessment as an area's version 2, with some text changed."""
    text = EHA.read_text(encoding="utf-8").replace("version: 1\n", "version: 2\n", 1)
    text = text.replace("title: Early Help Assessment\n", "title: Early Help Assessment (ours)\n")
    for old, new in changes:
        assert old in text
        text = text.replace(old, new)
    return text


def worked_example() -> str:
    """The instrument file of docs/instruments.md's worked example, as the page gives it."""
    page = DOCS.read_text(encoding="utf-8")
    found = re.search(r"```yaml\n(# home-learning-check@1\.yaml\n.*?)```", page, re.S)
    assert found is not None, "the worked example has gone from docs/instruments.md"
    return found.group(1)


# ---------------------------------------------------------------------------------------------
# list


def test_list_shows_every_instrument_and_whether_cutoffs_are_loaded() -> None:
    lines = run("list").splitlines()
    keys = [line.split("\t")[0] for line in lines if not line.startswith("\t")]
    assert sorted(keys) == sorted(path.stem for path in instruments.SHIPPED.glob("*.yaml"))
    asq3 = lines.index("asq-3@1\tASQ-3 results\tdevelopment\tlicensed\tone agency")
    assert lines[asq3 + 1] == "\tcut-offs: none loaded"
    assert (
        "integrated-two-year-review@1\tIntegrated review at two\tdevelopment\tnot licensed\t"
        "integrated: health_visiting, early_years"
    ) in lines
    assert lines.count("\tcut-offs: none loaded") == 2  # ASQ-3 and ASQ:SE-2 have zones


def test_list_names_the_latest_cutoffs_loaded() -> None:
    CutoffSetFactory(name="Older cut-offs (invented)")
    latest = CutoffSetFactory.create(name="Sample cut-offs (invented)", loaded_by="data.team")
    loaded_on = long_date(timezone.localdate(latest.created_at))
    lines = run("list").splitlines()
    asq3 = next(n for n, line in enumerate(lines) if line.startswith("asq-3@1\t"))
    assert lines[asq3 + 1] == (
        f"\tcut-offs: Sample cut-offs (invented), loaded {loaded_on} by data.team"
    )


def test_list_shows_an_areas_own_version_beside_the_shipped_one(instruments_dir: Path) -> None:
    write(instruments_dir, "early-help-assessment@2.yaml", eha_version_2())
    lines = run("list").splitlines()
    first = lines.index(
        "early-help-assessment@1\tEarly Help Assessment\tfamily_support\tnot licensed\tone agency"
    )
    assert lines[first + 1].startswith("early-help-assessment@2\tEarly Help Assessment (ours)\t")


def test_list_names_a_deployed_file_that_cannot_be_read(instruments_dir: Path) -> None:
    write(instruments_dir, "early-help-assessment@2.yaml", eha_version_2(("score: {", "{")))
    _, _, error = refused("list")
    assert error.startswith("early-help-assessment@2.yaml: ")


# ---------------------------------------------------------------------------------------------
# check


def test_the_worked_example_in_the_docs_passes_the_check(tmp_path: Path) -> None:
    path = write(tmp_path, "home-learning-check@1.yaml", worked_example())
    assert run("check", str(path)) == (
        "ok home-learning-check@1: Home learning check, 2 sections, 6 items\n"
    )


def test_the_worked_example_scores_as_the_docs_say(tmp_path: Path) -> None:
    instrument = instruments.parse(write(tmp_path, "home-learning-check@1.yaml", worked_example()))
    results = instruments.score(
        instrument,
        {
            "activities": {"books": "most_days", "songs": "sometimes", "play": "rarely"},
            "next": {"parent_says": "We would like to try the library"},
        },
    )
    activities = results.sections["activities"]
    assert activities.value == Decimal("4")  # (2 + 1 + 0) / 3 answered x 4 items
    assert activities.band is not None
    assert activities.band.code == "some"
    assert activities.note == "1 not answered: scored prorated"
    assert [need["item"] for need in results.needs] == ["Playing together"]


def test_check_says_what_is_wrong_and_where_and_fails(tmp_path: Path) -> None:
    good = write(tmp_path, "home-learning-check@1.yaml", worked_example())
    bad = write(
        tmp_path,
        "early-help-assessment@2.yaml",
        eha_version_2(
            ("title: Ensuring safety, type: choice", "title: Ensuring safety, type: radio")
        ),
    )
    out, err, error = refused("check", str(good), str(bad))
    assert out.startswith("ok home-learning-check@1: ")
    assert err == (
        "early-help-assessment@2.yaml: sections[1][parenting].items[1][safety].type: "
        "use one of text, choice, score\n"
    )
    assert error == "1 of 2 instrument files cannot be used"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "early-help-assessment@3.yaml",
            None,
            "early-help-assessment@3.yaml: there is no such file",
        ),
        ("eha-version-2.yaml", eha_version_2(), "name the file <code>@<version>.yaml"),
        (
            "early-help-assessment@2.yaml",
            eha_version_2().encode("utf-16"),
            "early-help-assessment@2.yaml: is not UTF-8 text: save it as UTF-8",
        ),
        (
            "early-help-assessment@2.yaml",
            eha_version_2(("recent_days: 180", "recent_days: six months")),
            "early-help-assessment@2.yaml: ",  # a clear message, whichever check finds it
        ),
        (
            "early-help-assessment@1.yaml",
            EHA.read_text(encoding="utf-8"),
            "early-help-assessment@1 exists already, and assessments recorded with it would "
            "change: give yours the next version number",
        ),
        (
            "early-help-assessment@2.yaml",
            eha_version_2(("used_by: [health_visitor,", "used_by: [school_staff, health_visitor,")),
            "used_by: school_staff cannot record family support data: the sharing policy "
            "would refuse them",
        ),
    ],
)
def test_check_refuses_a_file_that_cannot_be_deployed(
    tmp_path: Path, name: str, content: str | bytes | None, message: str
) -> None:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    out, err, error = refused("check", str(path))
    assert out == ""
    assert message in err
    assert error == "1 of 1 instrument files cannot be used"


def test_check_passes_every_shipped_file_in_place() -> None:
    paths = sorted(str(path) for path in instruments.SHIPPED.glob("*.yaml"))
    lines = run("check", *paths).splitlines()
    assert len(lines) == len(paths)
    assert all(line.startswith("ok ") for line in lines)


# ---------------------------------------------------------------------------------------------
# load-cutoffs


def test_load_cutoffs_loads_the_file_and_says_what(tmp_path: Path) -> None:
    path = write(tmp_path, "asq3-cutoffs.yaml", SAMPLE_ASQ3_CUTOFFS)
    output = run("load-cutoffs", str(path), "--instrument", "asq-3", "--by", "Data team")
    loaded = CutoffSet.objects.get()
    assert (loaded.instrument, loaded.name, loaded.loaded_by) == (
        "asq-3",
        "Sample cut-offs for tests (invented, not the publisher's)",
        "Data team",
    )
    assert list(loaded.intervals) == ["24", "30"]
    assert loaded.intervals["30"]["communication"] == {"cutoff": "22.5", "monitoring": "37.5"}
    assert output.startswith(
        'Loaded "Sample cut-offs for tests (invented, not the publisher\'s)" for ASQ-3 results, '
        "by Data team: 2 intervals (24, 30 months)."
    )
    assert "\tcut-offs: Sample cut-offs for tests (invented" in run("list")


def test_load_cutoffs_records_the_operating_system_user_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(getpass, "getuser", lambda: "analyst")
    path = write(tmp_path, "asq3-cutoffs.yaml", SAMPLE_ASQ3_CUTOFFS)
    run("load-cutoffs", str(path), "--instrument", "asq-3")
    assert CutoffSet.objects.get().loaded_by == "analyst"


@pytest.mark.parametrize(
    ("content", "instrument", "message"),
    [
        (SAMPLE_ASQ3_CUTOFFS, "asq-se-2", "instrument: this file is for 'asq-3', not 'asq-se-2'"),
        (SAMPLE_ASQ3_CUTOFFS, "asq-4", "There is no instrument 'asq-4'"),
        (
            SAMPLE_ASQ3_CUTOFFS.replace(
                "communication: {cutoff: 20, monitoring: 35}",
                "communication: {cutoff: 35, monitoring: 20}",
            ),
            "asq-3",
            "intervals.24.communication: the cutoff must be below the monitoring threshold",
        ),
        (SAMPLE_ASQ3_CUTOFFS.replace('  "24":', '  "25":'), "asq-3", "no 25-month interval"),
        (None, "asq-3", "asq3-cutoffs.yaml: there is no such file"),
        (SAMPLE_ASQ3_CUTOFFS.encode("utf-16"), "asq-3", "is not UTF-8 text"),
    ],
)
def test_a_failing_load_says_why_and_writes_nothing(
    tmp_path: Path, content: str | bytes | None, instrument: str, message: str
) -> None:
    path = tmp_path / "asq3-cutoffs.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    _, _, error = refused("load-cutoffs", str(path), "--instrument", instrument, "--by", "x")
    assert message in error
    assert error.endswith("Nothing was loaded.")
    assert not CutoffSet.objects.exists()

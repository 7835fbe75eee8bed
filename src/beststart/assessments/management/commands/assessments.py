"""Instruments and licensed cut-offs from the console: `beststart assessments list|check|
load-cutoffs`. `check` is how an area tries its own version of an instrument before deploying
it; `load-cutoffs` is how the organisation holding a licence gives a licensed instrument its
zones (docs/instruments.md)."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import pluralize
from django.utils import timezone

from beststart.assessments import actions, instruments
from beststart.assessments.cutoffs import CutoffError
from beststart.assessments.instruments import Instrument, InstrumentError
from beststart.assessments.selectors import latest_cutoffs
from beststart.care.actions import long_date


class Command(BaseCommand):
    help = (
        "List the assessment instruments and the cut-offs loaded, check instrument files before "
        "deploying them, or load a licensed instrument's cut-offs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        subcommands.add_parser(
            "list", help="every instrument and version, and the cut-offs loaded for its zones"
        )
        check = subcommands.add_parser(
            "check", help="check instrument files (<code>@<version>.yaml) before deploying them"
        )
        check.add_argument("files", nargs="+", type=Path, metavar="FILE")
        load = subcommands.add_parser(
            "load-cutoffs", help="load a licensed instrument's cut-offs from a YAML or JSON file"
        )
        load.add_argument("file", type=Path, metavar="FILE")
        load.add_argument(
            "--instrument", required=True, metavar="CODE", help="the instrument, e.g. asq-3"
        )
        load.add_argument(
            "--by", default="", metavar="NAME", help="who loads them (default: your user name)"
        )

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        try:
            if subcommand == "list":
                self._list()
            elif subcommand == "check":
                self._check(options["files"])
            else:
                self._load_cutoffs(options["file"], options["instrument"], options["by"])
        except InstrumentError as problem:  # an instrument file deployed here cannot be read
            raise CommandError(str(problem)) from None

    def _list(self) -> None:
        for latest in instruments.latest():
            for instrument in instruments.versions(latest.code):
                self.stdout.write(
                    "\t".join(
                        (
                            instrument.key,
                            instrument.title,
                            instrument.category,
                            "licensed" if instrument.licensed else "not licensed",
                            f"integrated: {', '.join(instrument.agencies)}"
                            if instrument.is_integrated
                            else "one agency",
                        )
                    )
                )
            if latest.zones is not None:
                self.stdout.write(f"\tcut-offs: {_cutoffs_loaded(latest.code)}")

    def _check(self, paths: list[Path]) -> None:
        failed = 0
        for path in paths:
            try:
                instrument = _checked(path)
            except InstrumentError as problem:
                failed += 1
                self.stderr.write(str(problem))
            else:
                sections, items = len(instrument.sections), len(instrument.items)
                self.stdout.write(
                    f"ok {instrument.key}: {instrument.title}, {sections} section"
                    f"{pluralize(sections)}, {items} item{pluralize(items)}"
                )
        if failed:
            raise CommandError(f"{failed} of {len(paths)} instrument files cannot be used")

    def _load_cutoffs(self, path: Path, code: str, by: str) -> None:
        text = _read(path)
        try:
            loaded = actions.load_cutoffs(
                instrument_code=code, text=text, loaded_by=by or _user_name()
            )
        except CutoffError as problem:
            raise CommandError(f"{path.name}: {problem}. Nothing was loaded.") from None
        count = len(loaded.intervals)
        self.stdout.write(
            f'Loaded "{loaded.name}" for {instruments.get(code).title}, by {loaded.loaded_by}: '
            f"{count} interval{pluralize(count)} ({', '.join(loaded.intervals)} "
            "months). Assessments completed from now on are zoned by them; those completed "
            "before keep the cut-offs they were scored with."
        )


def _cutoffs_loaded(code: str) -> str:
    """The cut-offs the next completed assessment will be zoned by: the latest loaded."""
    cutoff_set = latest_cutoffs(code)
    if cutoff_set is None:
        return "none loaded"
    loaded_on = long_date(timezone.localdate(cutoff_set.created_at))
    return f"{cutoff_set.name}, loaded {loaded_on} by {cutoff_set.loaded_by}"


def _checked(path: Path) -> Instrument:
    """The instrument in `path`, if it can be deployed: it parses (which checks every role
    that uses it may record its category), and it does not replace a shipped version."""
    if not path.is_file():
        raise InstrumentError(f"{path}: there is no such file")
    try:
        instrument = instruments.parse(path)
    except UnicodeDecodeError as error:
        raise InstrumentError(f"{path.name}: is not UTF-8 text: save it as UTF-8") from error
    except (ValueError, TypeError, AttributeError) as error:  # a value of the wrong shape
        raise InstrumentError(f"{path.name}: cannot be read as an instrument: {error}") from error
    shipped = instruments.SHIPPED / f"{instrument.key}.yaml"
    if shipped.exists() and shipped.resolve() != path.resolve():
        raise instruments.replaces_a_version(path, instrument)
    return instrument


def _read(path: Path) -> str:
    """A cut-off file's text, or an error that says why it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CommandError(f"{path}: there is no such file. Nothing was loaded.") from None
    except UnicodeDecodeError:
        raise CommandError(
            f"{path.name}: is not UTF-8 text: save it as UTF-8 and load it again. "
            "Nothing was loaded."
        ) from None
    except OSError as error:
        raise CommandError(
            f"{path}: cannot be read ({error.strerror}). Nothing was loaded."
        ) from None


def _user_name() -> str:
    """Who is loading, by their operating system account, for `CutoffSet.loaded_by`."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name to be found: ask for one
        raise CommandError("Say who is loading the cut-offs with --by NAME") from None

"""What the assessment and plan pages cost on a demo county, and how fast the engine scores:
each page requested in-process through the full middleware stack, as the demo sign-in who
uses it, with its SQL query count; then every completed assessment of the county scored
again from its answers (in memory, nothing written). Times are wall-clock milliseconds.

    BESTSTART_VAR_DIR=$(mktemp -d) .venv/bin/beststart seed --families 2000 --seed 1
    BESTSTART_VAR_DIR=<that dir> .venv/bin/python benchmarks/assessments.py --repeat 20

It reads the database BESTSTART_VAR_DIR or BESTSTART_DATABASE_URL names, writing only the
audit rows the pages write."""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter

from django.db import connection
from django.test import Client
from referrals import ALLOWED_HOST, measure  # the same harness as the referral pages

from beststart.accounts.models import User
from beststart.assessments import cutoffs, instruments
from beststart.assessments.models import (
    Assessment,
    AssessmentStatus,
    CutoffSet,
    Plan,
)
from beststart.assessments.selectors import all_answers, instrument_of


def pages() -> list[tuple[str, str, str]]:
    """(what, who, path) for each page measured."""
    hub = User.objects.get(username="family.hub").memberships.get().team
    repeated = Counter(
        Assessment.objects.filter(
            team=hub, instrument="family-outcomes-scale", status=AssessmentStatus.COMPLETED
        ).values_list("family_id", flat=True)
    ).most_common(1)
    assert repeated, "the demo county has no Star-style scores by family.hub"
    family_id = repeated[0][0]
    completed = (
        Assessment.objects.filter(family_id=family_id, status=AssessmentStatus.COMPLETED)
        .order_by("-pk")
        .first()
    )
    plan = Plan.objects.filter(team=hub).order_by("pk").first()
    assert completed is not None
    assert plan is not None
    return [
        ("Assessments and plans (the team's work)", "health.visitor", "/assessments/"),
        ("Assessments and plans (the team's work)", "family.hub", "/assessments/"),
        ("A family's history, with the chart", "family.hub", f"/families/{family_id}/assessments/"),
        ("An assessment's results", "family.hub", f"/assessments/{completed.pk}/"),
        ("Start an assessment", "family.hub", f"/families/{family_id}/assessments/new/"),
        ("A plan", "family.hub", f"/plans/{plan.pk}/"),
        ("The instruments", "health.visitor", "/assessments/instruments/"),
    ]


def scoring(repeat: int) -> tuple[int, float]:
    """Every completed assessment scored again from its answers: (how many, ms per one)."""
    loaded = [
        (instrument_of(each), all_answers(each))
        for each in Assessment.objects.filter(status=AssessmentStatus.COMPLETED)
    ]
    intervals = {each.instrument: each.intervals for each in CutoffSet.objects.all()}
    started = time.perf_counter()
    for _ in range(repeat):
        for instrument, answers in loaded:
            instruments.score(instrument, answers)
            if instrument.zones is not None and instrument.code in intervals:
                cutoffs.zones(instrument, answers, intervals[instrument.code])
    elapsed = time.perf_counter() - started
    return len(loaded), elapsed * 1000 / max(1, len(loaded) * repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    count = Assessment.objects.count()
    print(
        f"{count} assessments, {Plan.objects.count()} plans, {connection.vendor}; "
        f"{args.repeat} requests a page"
    )
    print("| page | as | p50 ms | p95 ms | queries |\n| --- | --- | ---: | ---: | ---: |")
    for what, username, path in pages():
        client = Client(HTTP_HOST=ALLOWED_HOST)
        client.force_login(User.objects.get(username=username))
        times, queries = measure(client, path, args.repeat)
        p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
        print(
            f"| {what} | `{username}` | {statistics.median(times):.1f} | {p95:.1f} | {queries} |",
            flush=True,
        )
    scored, per_one = scoring(args.repeat)
    print(
        f"\nScoring: {scored} completed assessments scored {args.repeat} times, "
        f"{per_one:.3f} ms each ({1000 / per_one:,.0f} a second)"
    )


if __name__ == "__main__":
    main()

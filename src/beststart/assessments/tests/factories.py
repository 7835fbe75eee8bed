"""Factories for assessments, their sections, cut-offs and plans."""

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from beststart.accounts.tests.factories import TeamFactory, UserFactory
from beststart.assessments.models import (
    Assessment,
    AssessmentStatus,
    Contribution,
    CutoffSet,
    Plan,
    PlanAction,
    PlanReview,
)
from beststart.core import clock
from beststart.core.categories import DataCategory
from beststart.families.tests.factories import FamilyFactory, PersonFactory

# Invented for tests: round numbers that are nobody's published cut-offs.
SAMPLE_ASQ3_CUTOFFS = """\
instrument: asq-3
name: Sample cut-offs for tests (invented, not the publisher's)
source: Made up for Best Start's tests
intervals:
  "24":
    communication: {cutoff: 20, monitoring: 35}
    gross_motor: {cutoff: 30, monitoring: 45}
    fine_motor: {cutoff: 25, monitoring: 40}
    problem_solving: {cutoff: 25, monitoring: 40}
    personal_social: {cutoff: 30, monitoring: 45}
  "30":
    communication: {cutoff: 22.5, monitoring: 37.5}
    gross_motor: {cutoff: 30, monitoring: 45}
    fine_motor: {cutoff: 20, monitoring: 35}
    problem_solving: {cutoff: 25, monitoring: 40}
    personal_social: {cutoff: 30, monitoring: 45}
"""


class AssessmentFactory(DjangoModelFactory[Assessment]):
    """A draft Early Help Assessment, started today."""

    class Meta:
        model = Assessment

    family = factory.SubFactory(FamilyFactory)
    person = factory.SubFactory(PersonFactory)
    instrument = "early-help-assessment"
    version = 1
    title = "Early Help Assessment"
    category = DataCategory.FAMILY_SUPPORT
    team = factory.SubFactory(TeamFactory)
    practitioner = factory.SubFactory(UserFactory)
    status = AssessmentStatus.DRAFT
    assessed_on = factory.LazyFunction(clock.today)


class ContributionFactory(DjangoModelFactory[Contribution]):
    class Meta:
        model = Contribution

    assessment = factory.SubFactory(AssessmentFactory)
    family = factory.SelfAttribute("assessment.family")
    person = factory.SelfAttribute("assessment.person")
    section = "views"
    answers = factory.LazyFunction(lambda: {"parent": "We are managing, most days"})
    category = factory.SelfAttribute("assessment.category")
    team = factory.SelfAttribute("assessment.team")
    practitioner = factory.SelfAttribute("assessment.practitioner")


class CutoffSetFactory(DjangoModelFactory[CutoffSet]):
    class Meta:
        model = CutoffSet

    instrument = "asq-3"
    name = "Sample cut-offs for tests (invented)"
    source = "Made up for tests"
    intervals = factory.LazyFunction(
        lambda: {"24": {"communication": {"cutoff": "20", "monitoring": "35"}}}
    )
    loaded_by = "tester"


class PlanFactory(DjangoModelFactory[Plan]):
    class Meta:
        model = Plan

    family = factory.SubFactory(FamilyFactory)
    person = None
    assessment = None
    category = DataCategory.FAMILY_SUPPORT
    team = factory.SubFactory(TeamFactory)
    practitioner = factory.SubFactory(UserFactory)
    lead_practitioner = factory.SelfAttribute("practitioner")
    agreed_on = factory.LazyFunction(clock.today)
    review_every_weeks = 6
    next_review_on = factory.LazyAttribute(lambda o: o.agreed_on + dt.timedelta(weeks=6))


class PlanActionFactory(DjangoModelFactory[PlanAction]):
    class Meta:
        model = PlanAction

    plan = factory.SubFactory(PlanFactory)
    family = factory.SelfAttribute("plan.family")
    person = factory.SelfAttribute("plan.person")
    need = "Housing is damp"
    action = "Ask the housing officer to visit"
    owner = factory.SelfAttribute("plan.lead_practitioner")
    owner_team = factory.SelfAttribute("plan.team")
    due_on = factory.LazyAttribute(lambda o: o.plan.agreed_on + dt.timedelta(days=14))
    review_on = factory.LazyAttribute(lambda o: o.plan.agreed_on + dt.timedelta(days=28))
    category = factory.SelfAttribute("plan.category")
    team = factory.SelfAttribute("plan.team")


class PlanReviewFactory(DjangoModelFactory[PlanReview]):
    class Meta:
        model = PlanReview

    plan = factory.SubFactory(PlanFactory)
    family = factory.SelfAttribute("plan.family")
    person = factory.SelfAttribute("plan.person")
    reviewed_on = factory.LazyFunction(clock.today)
    progress = "Going well"
    next_review_on = factory.LazyAttribute(lambda o: o.reviewed_on + dt.timedelta(weeks=6))
    category = factory.SelfAttribute("plan.category")
    team = factory.SelfAttribute("plan.team")
    practitioner = factory.SelfAttribute("plan.practitioner")

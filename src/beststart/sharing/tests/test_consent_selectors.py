"""Reads about consent: the family's consents with their state today, "who can see this family
and why" worked out by the policy itself (so it agrees with what the record shows), what a
withdrawal would stop, and each person's access log. Each read is decided and audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from beststart.accounts.actors import Actor
from beststart.accounts.models import Organisation, OrganisationType, Role, Team
from beststart.accounts.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    TeamFactory,
    make_actor,
)
from beststart.audit.models import AuditEvent, Outcome
from beststart.audit.tests.factories import AuditEventFactory
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.families import selectors as family_selectors
from beststart.families.models import Family, Person, PersonKind
from beststart.families.tests.factories import (
    ChronologyEventFactory,
    InvolvementFactory,
    family_with_people,
)
from beststart.sharing import selectors
from beststart.sharing.models import Consent, ConsentState, SharingAgreement
from beststart.sharing.selectors import WHOLE_FAMILY, Flow, SharingOverview
from beststart.sharing.tests.factories import (
    BreakGlassAccessFactory,
    ConsentFactory,
    SafeguardingShareFactory,
    SharingAgreementFactory,
    days_from_today,
)

pytestmark = pytest.mark.django_db

HEALTH = DataCategory.HEALTH
DEVELOPMENT = DataCategory.DEVELOPMENT
FAMILY_SUPPORT = DataCategory.FAMILY_SUPPORT
SAFEGUARDING = DataCategory.SAFEGUARDING


@dataclass
class Shared:
    """A family the health visiting team and a family hub both work with: the mother has
    consented to share her health and family support information with family hubs, and an
    agreement between every kind of organisation is in force."""

    family: Family
    mother: Person
    child: Person
    health_visitor: Actor
    hub_worker: Actor
    consent: Consent
    agreement: SharingAgreement

    @property
    def health_visiting(self) -> Organisation:
        return self.health_visitor.organisation

    @property
    def family_hubs(self) -> Organisation:
        return self.hub_worker.organisation


def shared_family(health_visitor: Actor, hub_worker: Actor) -> Shared:
    family = family_with_people(team=health_visitor.team, practitioner=health_visitor.user)
    InvolvementFactory(family=family, team=hub_worker.team, practitioner=hub_worker.user)
    mother = family.members.get(kind=PersonKind.PARENT)
    return Shared(
        family=family,
        mother=mother,
        child=family.members.get(kind=PersonKind.CHILD),
        health_visitor=health_visitor,
        hub_worker=hub_worker,
        consent=ConsentFactory(
            person=mother, recorded_by=hub_worker.user, recorded_by_team=hub_worker.team
        ),
        agreement=SharingAgreementFactory(),
    )


@pytest.fixture
def shared(actor: Actor, other_actor: Actor) -> Shared:
    return shared_family(actor, other_actor)


def flow(overview: SharingOverview, team: Team, category: str, origin: Organisation | None) -> Flow:
    (agency,) = [view for view in overview.agencies if view.agency.team == team]
    (found,) = [
        each for each in agency.flows if each.category == category and each.origin == origin
    ]
    return found


def allowed_for(found: Flow, about: str) -> bool:
    if len(found.reaches) == 1:
        return found.reaches[0].decision.allowed
    (reach,) = [reach for reach in found.reaches if reach.about == about]
    return reach.decision.allowed


# ---------------------------------------------------------------------------------------------
# Who can see this family and why


def test_each_team_working_with_the_family_and_what_reaches_it(shared: Shared) -> None:
    overview = selectors.sharing_overview(shared.health_visitor, shared.family.pk)
    hub, visiting = shared.hub_worker.team, shared.health_visitor.team
    assert [(view.agency.team, view.agency.role_label) for view in overview.agencies] == [
        (visiting, "Health visitor"),
        (hub, "Family hub worker"),
    ]
    # The family hub: its own records, the shared register, and the health visitors' health
    # entries about the mother (her consent) but not about her child (no one consented).
    own = flow(overview, hub, HEALTH, None)
    assert (own.outcome, own.reaches[0].decision.rule) == ("yes", "own_record")
    identity = flow(overview, hub, DataCategory.IDENTITY, shared.health_visiting)
    assert (identity.outcome, identity.reaches[0].decision.rule) == ("yes", "shared_register")
    health = flow(overview, hub, HEALTH, shared.health_visiting)
    assert health.outcome == "partly"
    by_person = {reach.about: reach.decision for reach in health.reaches}
    assert set(by_person) == {WHOLE_FAMILY, shared.mother.full_name, shared.child.full_name}
    consent_basis = by_person[shared.mother.full_name].basis
    assert consent_basis.startswith(f"consent {shared.consent.pk} given ")
    assert consent_basis.endswith(f"; agreement {shared.agreement.reference}")
    assert by_person[WHOLE_FAMILY].allowed
    assert by_person[shared.child.full_name].rule == "no_consent"
    development = flow(overview, hub, DEVELOPMENT, shared.health_visiting)
    assert development.outcome == "no"
    assert {reach.decision.rule for reach in development.reaches} == {
        "consent_out_of_scope",
        "no_consent",
    }
    # The health visitors see the hub's health records under their statutory duty.
    statutory = flow(overview, visiting, HEALTH, shared.family_hubs)
    assert statutory.outcome == "yes"
    assert statutory.reaches[0].decision.basis == (
        f"statutory duty: the Healthy Child Programme; agreement {shared.agreement.reference}"
    )
    # The consent names family hubs, not health visiting.
    assert flow(overview, visiting, FAMILY_SUPPORT, shared.family_hubs).outcome == "no"


def test_the_overview_agrees_with_what_the_record_shows(shared: Shared) -> None:
    """The page can never disagree with the real decisions: each health visiting entry shows
    on the family hub worker's record exactly when the overview says it reaches the hub."""
    shared.consent.categories = [HEALTH]
    shared.consent.save()
    subjects = {None: WHOLE_FAMILY, shared.mother: shared.mother.full_name}
    subjects[shared.child] = shared.child.full_name
    entries = {}
    for category in (HEALTH, DEVELOPMENT, FAMILY_SUPPORT, SAFEGUARDING):
        for person, about in subjects.items():
            entry = ChronologyEventFactory(
                family=shared.family,
                person=person,
                category=category,
                team=shared.health_visitor.team,
                summary=f"{category} entry about {about}",
            )
            entries[entry.pk] = (category, about)
    overview = selectors.sharing_overview(shared.health_visitor, shared.family.pk)
    shown = {
        event.pk
        for event in family_selectors.family_record(shared.hub_worker, shared.family.pk).chronology
    }
    for pk, (category, about) in entries.items():
        reaches = flow(overview, shared.hub_worker.team, category, shared.health_visiting)
        assert allowed_for(reaches, about) == (pk in shown), (category, about)
    assert any(pk in shown for pk in entries)
    assert not all(pk in shown for pk in entries)


@pytest.mark.parametrize(
    ("change", "rule", "basis"),
    [
        (
            lambda shared: setattr(shared.consent, "withdrawn_at", clock.now()),
            "consent_withdrawn",
            "consent withdrawn",
        ),
        (
            lambda shared: setattr(shared.consent, "expires_on", days_from_today(-1)),
            "consent_expired",
            "consent expired",
        ),
        (
            lambda shared: setattr(shared.agreement, "ends_on", days_from_today(-1)),
            "no_agreement",
            "no information-sharing agreement in force between Testshire Health Visiting and "
            "Testshire Family Hubs for health data",
        ),
    ],
    ids=["withdrawn", "expired", "no agreement"],
)
def test_a_refusal_says_why(shared: Shared, change: object, rule: str, basis: str) -> None:
    change(shared)  # type: ignore[operator]
    shared.consent.save()
    shared.agreement.save()
    overview = selectors.sharing_overview(shared.health_visitor, shared.family.pk)
    health = flow(overview, shared.hub_worker.team, HEALTH, shared.health_visiting)
    mother = [reach for reach in health.reaches if reach.about in (None, shared.mother.full_name)]
    assert (mother[0].decision.rule, mother[0].decision.basis) == (rule, basis)


def test_one_view_per_role_held_in_a_team_and_teams_with_no_practitioner(shared: Shared) -> None:
    MembershipFactory(team=shared.hub_worker.team, role=Role.TEAM_MANAGER)
    MembershipFactory(team=shared.hub_worker.team, role=Role.FAMILY_HUB_WORKER)  # same role
    MembershipFactory(team=shared.hub_worker.team, role=Role.COMMISSIONER)  # sees no records
    MembershipFactory(team=shared.hub_worker.team, role=Role.SCHOOL_STAFF, is_active=False)
    empty = TeamFactory(name="Zebra Outreach")
    InvolvementFactory(family=shared.family, team=empty)
    InvolvementFactory(
        family=shared.family, team=TeamFactory(name="Ended Team"), ended_on=days_from_today(-1)
    )
    overview = selectors.sharing_overview(shared.health_visitor, shared.family.pk)
    assert [(view.agency.team.name, view.agency.role_label) for view in overview.agencies] == [
        ("Health Visiting North", "Health visitor"),
        ("Riverside Family Hub", "Family hub worker"),
        ("Riverside Family Hub", "Team manager"),
        ("Zebra Outreach", ""),
    ]
    assert overview.agencies[-1].flows == []
    # Each role sees the categories its work needs.
    school = make_actor(Role.SCHOOL_STAFF, TeamFactory(name="Aardvark Primary"))
    InvolvementFactory(family=shared.family, team=school.team)
    overview = selectors.sharing_overview(shared.health_visitor, shared.family.pk)
    assert overview.agencies[0].agency.team == school.team
    assert {each.category for each in overview.agencies[0].flows} == {
        DataCategory.IDENTITY,
        DEVELOPMENT,
    }


@pytest.fixture
def early_years(shared: Shared) -> Actor:
    organisation = OrganisationFactory(type=OrganisationType.EARLY_YEARS_SETTING)
    actor = make_actor(Role.EARLY_YEARS_PRACTITIONER, TeamFactory(organisation=organisation))
    InvolvementFactory(family=shared.family, team=actor.team)
    return actor


def test_safeguarding_shares_are_shown_only_to_roles_that_see_safeguarding(
    shared: Shared, early_years: Actor
) -> None:
    share = SafeguardingShareFactory(
        family=shared.family,
        categories=[SAFEGUARDING, DEVELOPMENT],
        recipient_organisations=[shared.family_hubs],
    )
    overview = selectors.sharing_overview(shared.health_visitor, shared.family.pk)
    assert overview.safeguarding_shares is not None
    assert [view.share for view in overview.safeguarding_shares] == [share]
    assert overview.safeguarding_shares[0].category_labels == [
        "Safeguarding",
        "Development and learning",
    ]
    shared_out = flow(overview, shared.hub_worker.team, SAFEGUARDING, shared.health_visiting)
    assert shared_out.outcome == "yes"
    assert shared_out.reaches[0].decision.rule == "safeguarding_share"

    hidden = selectors.sharing_overview(early_years, shared.family.pk)
    assert hidden.safeguarding_shares is None
    categories = {each.category for view in hidden.agencies for each in view.flows}
    assert SAFEGUARDING not in categories
    bases = [
        reach.decision.basis for view in hidden.agencies for f in view.flows for reach in f.reaches
    ]
    assert not any("safeguarding" in basis for basis in bases)
    development = flow(hidden, shared.hub_worker.team, DEVELOPMENT, shared.health_visiting)
    assert development.outcome == "no"
    # Telling a safeguarding role is audited as a safeguarding view; no one else's is.
    safeguarding_views = AuditEvent.objects.filter(category=SAFEGUARDING)
    assert list(safeguarding_views.values_list("user_id", "outcome")) == [
        (shared.health_visitor.user.pk, Outcome.ALLOWED)
    ]


def test_open_break_glass_accesses_are_listed(shared: Shared) -> None:
    open_access = BreakGlassAccessFactory(family=shared.family)
    BreakGlassAccessFactory(
        family=shared.family,
        started_at=clock.now() - dt.timedelta(hours=6),
        expires_at=clock.now() - dt.timedelta(hours=2),
    )
    BreakGlassAccessFactory()  # another family's
    overview = selectors.sharing_overview(shared.hub_worker, shared.family.pk)
    assert overview.break_glass == [open_access]


def test_consents_grouped_by_person_with_their_state_today_and_history_kept(
    shared: Shared,
) -> None:
    withdrawn = ConsentFactory(
        person=shared.mother, starts_on=days_from_today(-400), withdrawn_at=clock.now()
    )
    expired = ConsentFactory(
        person=shared.mother, starts_on=days_from_today(-800), expires_on=days_from_today(-435)
    )
    future = ConsentFactory(
        person=shared.child,
        given_by=shared.mother,
        starts_on=days_from_today(7),
        expires_on=None,
    )
    overview = selectors.sharing_overview(shared.hub_worker, shared.family.pk)
    by_person = {
        entry.person: [(view.consent, view.state) for view in entry.consents]
        for entry in overview.consents
    }
    assert by_person == {
        shared.mother: [
            (shared.consent, ConsentState.IN_FORCE),
            (withdrawn, ConsentState.WITHDRAWN),
            (expired, ConsentState.EXPIRED),
        ],
        shared.child: [(future, ConsentState.NOT_STARTED)],
    }
    assert overview.consents[0].consents[0].state_label == "In force"


def test_the_overview_is_audited_once_for_the_viewer_only(shared: Shared) -> None:
    selectors.sharing_overview(shared.hub_worker, shared.family.pk)
    rows = list(AuditEvent.objects.values_list("user_id", "family_id", "category", "outcome"))
    assert sorted(rows) == sorted(
        [
            (shared.hub_worker.user.pk, shared.family.pk, DataCategory.IDENTITY, Outcome.ALLOWED),
            (shared.hub_worker.user.pk, shared.family.pk, SAFEGUARDING, Outcome.ALLOWED),
        ]
    )


@pytest.mark.parametrize(
    "read",
    [
        lambda actor, shared: selectors.sharing_overview(actor, shared.family.pk),
        lambda actor, shared: selectors.consent_detail(actor, shared.family.pk, shared.consent.pk),
        lambda actor, shared: selectors.consent_withdrawal(
            actor, shared.family.pk, shared.consent.pk
        ),
        lambda actor, shared: selectors.access_log(actor, shared.family.pk, shared.mother.pk, 1),
    ],
    ids=["overview", "consent", "withdrawal", "access log"],
)
@pytest.mark.parametrize("role", [Role.HEALTH_VISITOR, Role.COMMISSIONER, Role.PRIVACY_OFFICER])
def test_refused_reads_are_not_found_and_audited(shared: Shared, read: object, role: str) -> None:
    """A practitioner whose team does not work with the family, or a role that never sees
    records (even in a team that does), is told nothing, and the refusal is recorded."""
    outsider = make_actor(
        role, TeamFactory() if role == Role.HEALTH_VISITOR else shared.hub_worker.team
    )
    with pytest.raises(NotFoundOrNotAllowed):
        read(outsider, shared)  # type: ignore[operator]
    refused = AuditEvent.objects.get(user_id=outsider.user.pk)
    assert (refused.family_id, refused.outcome) == (shared.family.pk, Outcome.DENIED)


# ---------------------------------------------------------------------------------------------
# One consent, and what withdrawing it would stop


def test_a_consent_is_opened_only_through_its_own_family(shared: Shared) -> None:
    other = family_with_people(team=shared.health_visitor.team)
    detail = selectors.consent_detail(shared.health_visitor, shared.family.pk, shared.consent.pk)
    assert (detail.consent, detail.family, detail.state) == (
        shared.consent,
        shared.family,
        ConsentState.IN_FORCE,
    )
    viewed = AuditEvent.objects.get()
    assert (viewed.person_id, viewed.action) == (shared.mother.pk, AccessAction.VIEW)
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.consent_detail(shared.health_visitor, other.pk, shared.consent.pk)
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.consent_detail(shared.health_visitor, shared.family.pk, 999_999)


def test_withdrawing_would_stop_what_relies_on_the_consent_alone(shared: Shared) -> None:
    withdrawal = selectors.consent_withdrawal(
        shared.health_visitor, shared.family.pk, shared.consent.pk
    )
    assert {
        (stop.team, stop.category_label, stop.origin, stop.about) for stop in withdrawal.stops
    } == {
        (shared.hub_worker.team, label, shared.health_visiting, about)
        for label in ("Health", "Family support")
        for about in (None, shared.mother)
    }
    opened = AuditEvent.objects.get(category=DataCategory.IDENTITY)
    assert (opened.action, opened.person_id) == (AccessAction.UPDATE, shared.mother.pk)


def test_nothing_stops_where_another_consent_still_covers_it(shared: Shared) -> None:
    ConsentFactory(person=shared.mother, categories=[HEALTH, FAMILY_SUPPORT])
    withdrawal = selectors.consent_withdrawal(
        shared.health_visitor, shared.family.pk, shared.consent.pk
    )
    assert withdrawal.stops == []


# ---------------------------------------------------------------------------------------------
# Who has looked at a person's record


def test_the_access_log_lists_accesses_to_the_person_and_to_the_family_newest_first(
    shared: Shared,
) -> None:
    family, mother = shared.family, shared.mother
    now = clock.now()
    about_her = AuditEventFactory(
        family_id=family.pk,
        person_id=mother.pk,
        user_id=shared.hub_worker.user.pk,
        username=shared.hub_worker.user.username,
        role=Role.FAMILY_HUB_WORKER,
        organisation_id=shared.family_hubs.pk,
        occurred_at=now - dt.timedelta(hours=2),
    )
    about_the_family = AuditEventFactory(
        family_id=family.pk, person_id=None, occurred_at=now - dt.timedelta(hours=1)
    )
    AuditEventFactory(family_id=family.pk, person_id=shared.child.pk)  # her child's
    AuditEventFactory(family_id=family.pk + 1, person_id=None)  # another family's
    log = selectors.access_log(shared.health_visitor, family.pk, mother.pk, 1)
    (opening, family_row, her_row) = log.page.object_list
    assert (opening.event.user_id, opening.event.person_id) == (
        shared.health_visitor.user.pk,
        mother.pk,
    )
    assert opening.who == str(shared.health_visitor.user)
    assert family_row.event == about_the_family
    assert her_row.event == about_her
    assert (her_row.who, her_row.role_label, her_row.organisation) == (
        str(shared.hub_worker.user),
        "Family hub worker",
        "Testshire Family Hubs",
    )
    assert (log.family, log.person) == (family, mother)


def test_the_access_log_is_paginated_by_fifty(shared: Shared) -> None:
    AuditEventFactory.create_batch(60, family_id=shared.family.pk, person_id=shared.mother.pk)
    first = selectors.access_log(shared.health_visitor, shared.family.pk, shared.mother.pk, 1)
    second = selectors.access_log(shared.health_visitor, shared.family.pk, shared.mother.pk, 2)
    assert len(first.page.object_list) == 50
    assert len(second.page.object_list) == 62 - 50  # the two openings are accesses too
    assert first.page.paginator.num_pages == 2


def test_the_access_log_of_someone_outside_the_family_is_not_found(shared: Shared) -> None:
    other = family_with_people(team=shared.health_visitor.team)
    stranger = other.members.first()
    assert stranger is not None
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.access_log(shared.health_visitor, shared.family.pk, stranger.pk, 1)
    assert not AuditEvent.objects.filter(person_id=stranger.pk).exists()

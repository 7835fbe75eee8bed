"""The access policy, rule by rule in the order of its docstring: role, sealed entries,
relationship (and break-glass), share-out, lawful basis, agreements; then what a denial says,
the decisions without a record, the finer rules, and that `decide` and `visible_families`
always agree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from beststart.accounts.actors import Actor
from beststart.accounts.models import Organisation, OrganisationType, Role, Team
from beststart.accounts.tests.factories import OrganisationFactory, TeamFactory, make_actor
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.families.models import Family, Person
from beststart.families.tests.factories import (
    AddressFactory,
    ChronologyEventFactory,
    FamilyFactory,
    FamilyMemberFactory,
    InvolvementFactory,
    PersonFactory,
)
from beststart.sharing import policy
from beststart.sharing.models import Consent, SharingAgreement
from beststart.sharing.policy import (
    DENY_ACTION,
    DENY_CONSENT_EXPIRED,
    DENY_CONSENT_OUT_OF_SCOPE,
    DENY_CONSENT_WITHDRAWN,
    DENY_NO_CONSENT,
    DENY_NO_RELATIONSHIP,
    DENY_NOT_RECORDER,
    DENY_ROLE,
    DENY_ROLE_CATEGORY,
    DENY_SAFEGUARDING,
    DENY_SEALED,
    PRACTITIONER_ROLES,
    Decision,
    FamilyFacts,
    Subject,
    decide,
    may_break_glass,
    may_query_audit,
    may_see_address,
    may_share_for_safeguarding,
    may_use_records,
    visible_families,
)
from beststart.sharing.tests.expected_access import ROLE_SEES, SAFEGUARDING_FUNCTION
from beststart.sharing.tests.factories import (
    BreakGlassAccessFactory,
    ConsentFactory,
    SafeguardingShareFactory,
    SharingAgreementFactory,
    days_from_today,
)

pytestmark = pytest.mark.django_db

IDENTITY = DataCategory.IDENTITY
HEALTH = DataCategory.HEALTH
DEVELOPMENT = DataCategory.DEVELOPMENT
FAMILY_SUPPORT = DataCategory.FAMILY_SUPPORT
SAFEGUARDING = DataCategory.SAFEGUARDING
VIEW, LIST, SEARCH, EXPORT, UPDATE = (
    AccessAction.VIEW,
    AccessAction.LIST,
    AccessAction.SEARCH,
    AccessAction.EXPORT,
    AccessAction.UPDATE,
)
RECORD_ACTIONS = (VIEW, LIST, SEARCH, EXPORT, UPDATE)
READ_ACTIONS = (VIEW, LIST, SEARCH, EXPORT)
NON_PRACTITIONER_ROLES = [role for role in Role if role not in PRACTITIONER_ROLES]


@dataclass
class Scene:
    """A family both a health visiting team and a family hub team work with. The health
    visitor records; the family hub worker is the usual recipient of another organisation's
    data, which needs consent (family hubs have no statutory duty) and an agreement."""

    family: Family
    mother: Person
    child: Person
    visitor: Actor  # Testshire Health Visiting
    hub: Actor  # Testshire Family Hubs

    def entry(
        self,
        by: Actor,
        category: str = HEALTH,
        *,
        about: Person | None = None,
        sealed: bool = False,
    ) -> Subject:
        """An entry recorded by `by`'s team, about one person or (None) the whole family."""
        event = ChronologyEventFactory(
            family=self.family,
            person=about,
            team=by.team,
            recorded_by=by.user,
            category=category,
            is_sealed=sealed,
        )
        return Subject.of_entry(event)

    def newcomer(self, role: str, kind: str) -> Actor:
        """A practitioner of `role` in a new organisation of type `kind`, involved too."""
        team = TeamFactory(organisation=OrganisationFactory(type=kind))
        InvolvementFactory(family=self.family, team=team)
        return make_actor(role, team)


@pytest.fixture
def scene(actor: Actor, other_actor: Actor) -> Scene:
    family = FamilyFactory()
    mother = PersonFactory(parent=True)
    child = PersonFactory()
    for person in (mother, child):
        FamilyMemberFactory(family=family, person=person)
    for team in (actor.team, other_actor.team):
        InvolvementFactory(family=family, team=team, started_on=days_from_today(-100))
    return Scene(family, mother, child, visitor=actor, hub=other_actor)


def agreement(*parties: Organisation, **fields: object) -> SharingAgreement:
    """An agreement in force between the named organisations (and no type), by default for
    every category but safeguarding."""
    return SharingAgreementFactory(party_types=[], party_organisations=list(parties), **fields)


def consent(person: Person, **fields: object) -> Consent:
    """The person's consent, in force, to share health and family support with family hubs."""
    return ConsentFactory(person=person, **fields)


# ---------------------------------------------------------------------------------------------
# 1. Role


def test_the_roles_are_split_into_practitioners_and_the_rest() -> None:
    assert set(NON_PRACTITIONER_ROLES) == {Role.COMMISSIONER, Role.PRIVACY_OFFICER}


@pytest.mark.parametrize("role", sorted(PRACTITIONER_ROLES))
def test_each_practitioner_role_sees_the_categories_its_work_needs(role: str, scene: Scene) -> None:
    someone = scene.newcomer(role, OrganisationType.FAMILY_HUB)
    for category in DataCategory:
        own_entry = scene.entry(someone, category)
        for action in RECORD_ACTIONS:
            decision = decide(someone, own_entry, category, action)
            if category in ROLE_SEES[role]:
                assert decision.rule == "own_record", (category, action)
            else:
                assert decision == DENY_ROLE_CATEGORY, (category, action)


@pytest.mark.parametrize("role", sorted(PRACTITIONER_ROLES))
def test_safeguarding_is_open_only_to_roles_with_a_safeguarding_function(
    role: str, team: Team
) -> None:
    someone = make_actor(role, team)
    family = FamilyFactory()
    InvolvementFactory(family=family, team=team, practitioner=someone.user, is_lead=True)
    assert decide(someone, family, IDENTITY, VIEW).allowed
    decision = decide(someone, family, SAFEGUARDING, VIEW)
    assert decision.allowed is (role in SAFEGUARDING_FUNCTION)
    assert decision.allowed or decision == DENY_ROLE_CATEGORY


@pytest.mark.parametrize("role", NON_PRACTITIONER_ROLES)
def test_commissioners_and_privacy_officers_never_see_records(role: str, team: Team) -> None:
    someone = make_actor(role, team)
    family = FamilyFactory()
    InvolvementFactory(family=family, team=team, practitioner=someone.user)
    for category in DataCategory:
        for action in AccessAction:
            decision = decide(someone, family, category, action)
            if role == Role.PRIVACY_OFFICER and action == EXPORT:
                assert decision.rule == "subject_access"
            else:
                assert decision == DENY_ROLE
    assert not visible_families(someone).exists()
    assert decide(someone, None, IDENTITY, AccessAction.CREATE) == DENY_ROLE
    assert decide(someone, None, IDENTITY, AccessAction.IDENTITY_CHECK) == DENY_ROLE
    assert not may_use_records(someone)


def test_a_privacy_officer_exports_everything_held_for_a_subject_access_request(
    scene: Scene,
) -> None:
    """Every category, sealed entries and other organisations' data, with no relationship,
    consent or agreement: and nothing but the export."""
    officer = make_actor(
        Role.PRIVACY_OFFICER,
        TeamFactory(organisation=OrganisationFactory(type=OrganisationType.LOCAL_AUTHORITY_TEAM)),
    )
    for category in DataCategory:
        for subject in (
            scene.entry(scene.visitor, category, about=scene.mother),
            scene.entry(scene.hub, category, sealed=True),
        ):
            decision = decide(officer, subject, category, EXPORT)
            assert decision.rule == "subject_access"
            assert "subject access request" in decision.basis
            for action in (VIEW, LIST, SEARCH, UPDATE):
                assert decide(officer, subject, category, action) == DENY_ROLE


def test_a_category_no_rule_knows_is_denied(actor: Actor) -> None:
    family = FamilyFactory()
    InvolvementFactory(family=family, team=actor.team)
    assert decide(actor, family, "finance", VIEW) == DENY_ROLE_CATEGORY


@pytest.mark.parametrize(
    "action", ["delete", AccessAction.AUDIT_QUERY, AccessAction.CREATE, AccessAction.IDENTITY_CHECK]
)
def test_an_involvement_allows_only_the_actions_it_names(actor: Actor, action: str) -> None:
    family = FamilyFactory()
    InvolvementFactory(family=family, team=actor.team)
    for named in RECORD_ACTIONS:
        assert decide(actor, family, IDENTITY, named)
    assert decide(actor, family, IDENTITY, action) == DENY_ACTION


# ---------------------------------------------------------------------------------------------
# 2. Sealed entries


def test_a_sealed_entry_is_seen_by_the_team_that_recorded_it_only(scene: Scene) -> None:
    sealed = scene.entry(scene.visitor, HEALTH, about=scene.mother, sealed=True)
    for action in RECORD_ACTIONS:
        assert decide(scene.visitor, sealed, HEALTH, action).rule == "own_record"
    # A colleague team in the same organisation, working with the family: not theirs.
    colleague_team = TeamFactory(organisation=scene.visitor.organisation)
    InvolvementFactory(family=scene.family, team=colleague_team)
    colleague = make_actor(Role.HEALTH_VISITOR, colleague_team)
    assert decide(colleague, scene.entry(scene.visitor), HEALTH, VIEW).rule == "own_record"
    for action in RECORD_ACTIONS:
        assert decide(colleague, sealed, HEALTH, action) == DENY_SEALED
    # Another organisation, with consent and an agreement: still sealed.
    consent(scene.mother)
    agreement(scene.visitor.organisation, scene.hub.organisation)
    assert decide(scene.hub, scene.entry(scene.visitor, about=scene.mother), HEALTH, VIEW)
    assert decide(scene.hub, sealed, HEALTH, VIEW) == DENY_SEALED


def test_break_glass_does_not_open_a_sealed_entry(scene: Scene) -> None:
    sealed = scene.entry(scene.visitor, sealed=True)
    stranger = make_actor(Role.HEALTH_VISITOR)
    BreakGlassAccessFactory(user=stranger.user, team=stranger.team, family=scene.family)
    assert decide(stranger, scene.family, IDENTITY, VIEW).rule == "break_glass"
    assert decide(stranger, sealed, HEALTH, VIEW) == DENY_SEALED


# ---------------------------------------------------------------------------------------------
# 3. Relationship


def test_default_deny_a_practitioner_with_no_involvement(actor: Actor) -> None:
    family = FamilyFactory()
    for category in DataCategory:
        for action in RECORD_ACTIONS:
            decision = decide(actor, family, category, action)
            assert decision == DENY_NO_RELATIONSHIP
    assert family not in visible_families(actor)


@pytest.mark.parametrize("category", [IDENTITY, HEALTH, DEVELOPMENT, FAMILY_SUPPORT])
def test_an_active_involvement_of_the_actors_team_opens_the_record(
    actor: Actor, category: str
) -> None:
    family = FamilyFactory()
    InvolvementFactory(family=family, team=actor.team, started_on=days_from_today(-100))
    for action in RECORD_ACTIONS:
        decision = decide(actor, family, category, action)
        # The family as a whole: the shared register, or what the actor's organisation recorded.
        expected = "shared_register" if category == IDENTITY else "own_record"
        assert decision.rule == expected
    assert list(visible_families(actor)) == [family]


@pytest.mark.parametrize(
    ("started", "ended", "active"),
    [
        (-100, None, True),
        (0, None, True),  # starts today
        (-100, 0, True),  # ends today: still working with the family today
        (-100, -1, False),  # ended yesterday
        (1, None, False),  # starts tomorrow
        (1, 30, False),  # a planned future involvement
        (-100, -50, False),
    ],
)
def test_only_an_involvement_active_today_counts(
    actor: Actor, started: int, ended: int | None, active: bool
) -> None:
    family = FamilyFactory()
    involvement = InvolvementFactory(
        family=family,
        team=actor.team,
        started_on=days_from_today(started),
        ended_on=None if ended is None else days_from_today(ended),
    )
    assert involvement.is_active_on(clock.today()) is active
    for action in RECORD_ACTIONS:
        decision = decide(actor, family, IDENTITY, action)
        assert decision.allowed is active
        assert decision.allowed or decision == DENY_NO_RELATIONSHIP
    assert (family in visible_families(actor)) is active


def test_an_ended_involvement_closes_even_what_the_organisation_recorded(scene: Scene) -> None:
    """The relationship comes before share-out: once the team stops working with the family,
    its own entries close too."""
    own = scene.entry(scene.visitor, HEALTH, about=scene.mother)
    assert decide(scene.visitor, own, HEALTH, VIEW).rule == "own_record"
    scene.family.involvements.filter(team=scene.visitor.team).update(ended_on=days_from_today(-1))
    for action in RECORD_ACTIONS:
        assert decide(scene.visitor, own, HEALTH, action) == DENY_NO_RELATIONSHIP


def test_another_teams_involvement_opens_nothing_even_in_the_same_organisation(
    actor: Actor,
) -> None:
    colleague_team = TeamFactory(organisation=actor.organisation, name="Health Visiting South")
    family = FamilyFactory()
    InvolvementFactory(family=family, team=colleague_team)
    assert decide(actor, family, IDENTITY, VIEW) == DENY_NO_RELATIONSHIP
    assert not visible_families(actor).exists()


def test_a_named_practitioner_in_another_team_does_not_open_it_for_their_current_team(
    actor: Actor, other_team: Team
) -> None:
    family = FamilyFactory()
    InvolvementFactory(family=family, team=other_team, practitioner=actor.user)
    assert decide(actor, family, IDENTITY, VIEW) == DENY_NO_RELATIONSHIP


@pytest.fixture
def stranger(scene: Scene) -> Actor:
    """A midwife whose team does not work with the scene's family."""
    team = TeamFactory(organisation=OrganisationFactory(type=OrganisationType.MATERNITY_SERVICE))
    return make_actor(Role.MIDWIFE, team)


def test_break_glass_opens_the_record_to_view_only(scene: Scene, stranger: Actor) -> None:
    access = BreakGlassAccessFactory(user=stranger.user, team=stranger.team, family=scene.family)
    # What the role sees, another organisation's data included: the emergency is the basis.
    for category in (IDENTITY, HEALTH, SAFEGUARDING):
        subject = scene.entry(scene.visitor, category, about=scene.mother)
        decision = decide(stranger, subject, category, VIEW)
        assert decision.rule == "break_glass"
        assert decision.basis == f"break-glass emergency access {access.reference}"
        for action in (LIST, SEARCH, EXPORT, UPDATE):
            assert decide(stranger, subject, category, action) == DENY_NO_RELATIONSHIP
    assert decide(stranger, scene.entry(scene.visitor, DEVELOPMENT), DEVELOPMENT, VIEW) == (
        DENY_ROLE_CATEGORY
    )
    assert not visible_families(stranger).exists()


@pytest.mark.parametrize(
    ("started_minutes", "expires_minutes"),
    [(-300, -60), (-240, 0), (10, 250)],
    ids=["expired", "expires now", "not started"],
)
def test_break_glass_opens_nothing_outside_its_time(
    scene: Scene, stranger: Actor, started_minutes: int, expires_minutes: int
) -> None:
    now = clock.now()
    BreakGlassAccessFactory(
        user=stranger.user,
        team=stranger.team,
        family=scene.family,
        started_at=now + dt.timedelta(minutes=started_minutes),
        expires_at=now + dt.timedelta(minutes=expires_minutes),
    )
    assert decide(stranger, scene.family, IDENTITY, VIEW) == DENY_NO_RELATIONSHIP


def test_break_glass_is_the_users_own_not_their_teams_or_for_another_family(
    scene: Scene, stranger: Actor
) -> None:
    BreakGlassAccessFactory(user=stranger.user, team=stranger.team, family=scene.family)
    colleague = make_actor(Role.MIDWIFE, stranger.team)
    assert decide(colleague, scene.family, IDENTITY, VIEW) == DENY_NO_RELATIONSHIP
    assert decide(stranger, FamilyFactory(), IDENTITY, VIEW) == DENY_NO_RELATIONSHIP


# ---------------------------------------------------------------------------------------------
# 4. Share-out


def test_an_organisation_sees_and_edits_what_it_recorded_without_consent_or_agreement(
    scene: Scene,
) -> None:
    for category in DataCategory:
        own = scene.entry(scene.visitor, category, about=scene.child)
        for action in RECORD_ACTIONS:
            decision = decide(scene.visitor, own, category, action)
            assert decision.rule == "own_record", (category, action)


def test_what_another_team_of_the_same_organisation_recorded_is_the_organisations_own(
    scene: Scene,
) -> None:
    colleague_team = TeamFactory(organisation=scene.visitor.organisation)
    InvolvementFactory(family=scene.family, team=colleague_team)
    colleague = make_actor(Role.HEALTH_VISITOR, colleague_team)
    for category in DataCategory:
        subject = scene.entry(scene.visitor, category)
        assert decide(colleague, subject, category, UPDATE).rule == "own_record"


def test_identity_is_the_shared_register_open_to_every_team_working_with_the_family(
    scene: Scene,
) -> None:
    """No consent and no agreement: the duty to share for direct care."""
    register_entry = scene.entry(scene.visitor, IDENTITY, about=scene.child)
    for action in READ_ACTIONS:
        assert decide(scene.hub, register_entry, IDENTITY, action).rule == "shared_register"
        assert decide(scene.hub, scene.family, IDENTITY, action).rule == "shared_register"
    # The family's own register details (members, address): every team keeps them up to date.
    assert decide(scene.hub, scene.family, IDENTITY, UPDATE).rule == "shared_register"


@pytest.mark.parametrize("category", list(DataCategory))
def test_nobody_edits_another_organisations_entry(scene: Scene, category: str) -> None:
    consent(scene.mother, categories=list(DataCategory))
    agreement(scene.visitor.organisation, scene.hub.organisation, categories=list(DataCategory))
    SafeguardingShareFactory(
        family=scene.family,
        categories=list(DataCategory),
        recipient_organisations=[scene.hub.organisation],
    )
    theirs = scene.entry(scene.visitor, category, about=scene.mother)
    assert decide(scene.hub, theirs, category, VIEW)
    assert decide(scene.hub, theirs, category, UPDATE) == DENY_NOT_RECORDER


# ---------------------------------------------------------------------------------------------
# 5. Lawful basis: a safeguarding share, a statutory duty, or consent


def test_a_safeguarding_share_opens_what_it_names_to_the_named_organisation(
    scene: Scene,
) -> None:
    """Without consent and without waiting for an agreement."""
    concern = scene.entry(scene.visitor, SAFEGUARDING, about=scene.child)
    assert decide(scene.hub, concern, SAFEGUARDING, VIEW) == DENY_SAFEGUARDING
    share = SafeguardingShareFactory(
        family=scene.family, recipient_organisations=[scene.hub.organisation]
    )
    for action in READ_ACTIONS:
        decision = decide(scene.hub, concern, SAFEGUARDING, action)
        assert decision.rule == "safeguarding_share"
        assert decision.basis == (
            f"shared for safeguarding without consent (share {share.pk}, approved by user "
            f"{share.approved_by_id})"
        )
    # Only the categories it names: health still needs consent.
    health = scene.entry(scene.visitor, HEALTH, about=scene.child)
    assert decide(scene.hub, health, HEALTH, VIEW) == DENY_NO_CONSENT


def test_a_safeguarding_share_may_name_an_organisation_type(scene: Scene) -> None:
    concern = scene.entry(scene.visitor, SAFEGUARDING)
    SafeguardingShareFactory(family=scene.family, recipient_types=[OrganisationType.GP_PRACTICE])
    assert decide(scene.hub, concern, SAFEGUARDING, VIEW) == DENY_SAFEGUARDING
    gp = scene.newcomer(Role.GP_PRACTICE_STAFF, OrganisationType.GP_PRACTICE)
    assert decide(gp, concern, SAFEGUARDING, VIEW).rule == "safeguarding_share"


def test_a_safeguarding_share_opens_nothing_to_a_role_without_a_safeguarding_function(
    scene: Scene,
) -> None:
    school = scene.newcomer(Role.SCHOOL_STAFF, OrganisationType.SCHOOL)
    SafeguardingShareFactory(
        family=scene.family,
        categories=[SAFEGUARDING, DEVELOPMENT],
        recipient_organisations=[school.organisation],
    )
    concern = scene.entry(scene.visitor, SAFEGUARDING)
    assert decide(school, concern, SAFEGUARDING, VIEW) == DENY_ROLE_CATEGORY
    # The categories the role does see are opened.
    progress = scene.entry(scene.visitor, DEVELOPMENT)
    assert decide(school, progress, DEVELOPMENT, VIEW).rule == "safeguarding_share"


def test_a_share_about_one_person_opens_their_entries_and_a_family_share_everyones(
    scene: Scene,
) -> None:
    about_child = scene.entry(scene.visitor, SAFEGUARDING, about=scene.child)
    about_mother = scene.entry(scene.visitor, SAFEGUARDING, about=scene.mother)
    about_family = scene.entry(scene.visitor, SAFEGUARDING)
    SafeguardingShareFactory(
        family=scene.family, person=scene.child, recipient_organisations=[scene.hub.organisation]
    )
    assert decide(scene.hub, about_child, SAFEGUARDING, VIEW).rule == "safeguarding_share"
    assert decide(scene.hub, about_mother, SAFEGUARDING, VIEW) == DENY_SAFEGUARDING
    assert decide(scene.hub, about_family, SAFEGUARDING, VIEW) == DENY_SAFEGUARDING
    SafeguardingShareFactory(family=scene.family, recipient_organisations=[scene.hub.organisation])
    for subject in (about_child, about_mother, about_family):
        assert decide(scene.hub, subject, SAFEGUARDING, VIEW).rule == "safeguarding_share"


@pytest.mark.parametrize(("starts", "ends"), [(-30, -1), (1, None)], ids=["ended", "not started"])
def test_a_safeguarding_share_outside_its_dates_opens_nothing(
    scene: Scene, starts: int, ends: int | None
) -> None:
    SafeguardingShareFactory(
        family=scene.family,
        recipient_organisations=[scene.hub.organisation],
        starts_on=days_from_today(starts),
        ends_on=None if ends is None else days_from_today(ends),
    )
    concern = scene.entry(scene.visitor, SAFEGUARDING)
    assert decide(scene.hub, concern, SAFEGUARDING, VIEW) == DENY_SAFEGUARDING


def test_a_share_for_another_family_opens_nothing(scene: Scene) -> None:
    SafeguardingShareFactory(recipient_organisations=[scene.hub.organisation])
    concern = scene.entry(scene.visitor, SAFEGUARDING)
    assert decide(scene.hub, concern, SAFEGUARDING, VIEW) == DENY_SAFEGUARDING


def test_safeguarding_is_never_shared_by_consent_nor_by_an_agreement(scene: Scene) -> None:
    consent(scene.mother, categories=list(DataCategory))
    agreement(scene.visitor.organisation, scene.hub.organisation, categories=list(DataCategory))
    concern = scene.entry(scene.visitor, SAFEGUARDING, about=scene.mother)
    for action in READ_ACTIONS:
        assert decide(scene.hub, concern, SAFEGUARDING, action) == DENY_SAFEGUARDING
    # The same consent and agreement open health.
    health = scene.entry(scene.visitor, HEALTH, about=scene.mother)
    assert decide(scene.hub, health, HEALTH, VIEW).rule == "consent"


@pytest.mark.parametrize(
    ("role", "kind", "categories", "basis"),
    [
        (
            Role.HEALTH_VISITOR,
            OrganisationType.HEALTH_VISITING_SERVICE,
            {HEALTH, DEVELOPMENT},
            "statutory duty: the Healthy Child Programme",
        ),
        (
            Role.MIDWIFE,
            OrganisationType.MATERNITY_SERVICE,
            {HEALTH},
            "statutory duty: maternity care",
        ),
        (
            Role.GP_PRACTICE_STAFF,
            OrganisationType.GP_PRACTICE,
            {HEALTH},
            "statutory duty: NHS direct care",
        ),
        (Role.FAMILY_HUB_WORKER, OrganisationType.FAMILY_HUB, set(), ""),
        (Role.TRIAGE_OFFICER, OrganisationType.LOCAL_AUTHORITY_TEAM, set(), ""),
    ],
)
def test_a_statutory_duty_is_a_lawful_basis_without_consent(
    scene: Scene, role: str, kind: str, categories: set[str], basis: str
) -> None:
    someone = scene.newcomer(role, kind)
    agreement(scene.hub.organisation, someone.organisation, categories=list(DataCategory))
    for category in (HEALTH, DEVELOPMENT, FAMILY_SUPPORT):
        decision = decide(someone, scene.entry(scene.hub, category), category, VIEW)
        if category in categories:
            assert decision.rule == "statutory_duty"
            assert decision.basis.startswith(f"{basis}; agreement ISA-TEST-")
        elif category in ROLE_SEES[role]:
            assert decision == DENY_NO_CONSENT, category


def test_consent_given_is_a_lawful_basis(scene: Scene) -> None:
    started = days_from_today(-30)
    given = consent(scene.mother, starts_on=started)
    isa = agreement(scene.visitor.organisation, scene.hub.organisation)
    entry = scene.entry(scene.visitor, HEALTH, about=scene.mother)
    for action in READ_ACTIONS:
        decision = decide(scene.hub, entry, HEALTH, action)
        assert decision.rule == "consent"
        assert decision.basis == (
            f"consent {given.pk} given {started:%-d %b %Y} (verbal); agreement {isa.reference}"
        )


@pytest.mark.parametrize(
    ("fields", "denial"),
    [
        (
            {"starts_on": days_from_today(-400), "expires_on": days_from_today(-1)},
            DENY_CONSENT_EXPIRED,
        ),
        ({"withdrawn_at": dt.datetime(2025, 1, 1, tzinfo=dt.UTC)}, DENY_CONSENT_WITHDRAWN),
        ({"starts_on": days_from_today(1)}, DENY_NO_CONSENT),
        ({"categories": [FAMILY_SUPPORT]}, DENY_CONSENT_OUT_OF_SCOPE),
        ({"recipient_types": [OrganisationType.SCHOOL]}, DENY_CONSENT_OUT_OF_SCOPE),
    ],
    ids=["expired", "withdrawn", "not started", "another category", "another recipient"],
)
def test_consent_that_is_not_in_force_for_this_category_and_recipient_is_no_basis(
    scene: Scene, fields: dict[str, object], denial: Decision
) -> None:
    consent(scene.mother, **fields)
    agreement(scene.visitor.organisation, scene.hub.organisation)
    entry = scene.entry(scene.visitor, HEALTH, about=scene.mother)
    assert decide(scene.hub, entry, HEALTH, VIEW) == denial


def test_no_consent_at_all_is_no_basis(scene: Scene) -> None:
    agreement(scene.visitor.organisation, scene.hub.organisation)
    entry = scene.entry(scene.visitor, HEALTH, about=scene.mother)
    assert decide(scene.hub, entry, HEALTH, VIEW) == DENY_NO_CONSENT


def test_consent_expiring_today_is_still_in_force(scene: Scene) -> None:
    consent(scene.mother, starts_on=days_from_today(-30), expires_on=days_from_today(0))
    agreement(scene.visitor.organisation, scene.hub.organisation)
    entry = scene.entry(scene.visitor, HEALTH, about=scene.mother)
    assert decide(scene.hub, entry, HEALTH, VIEW).rule == "consent"


def test_a_later_consent_in_force_answers_before_a_withdrawn_one(scene: Scene) -> None:
    consent(scene.mother, withdrawn_at=clock.now() - dt.timedelta(days=40))
    consent(scene.mother)
    agreement(scene.visitor.organisation, scene.hub.organisation)
    entry = scene.entry(scene.visitor, HEALTH, about=scene.mother)
    assert decide(scene.hub, entry, HEALTH, VIEW).rule == "consent"


def test_consent_may_name_the_organisation_rather_than_its_type(scene: Scene) -> None:
    agreement(scene.visitor.organisation, scene.hub.organisation)
    entry = scene.entry(scene.visitor, HEALTH, about=scene.mother)
    another_hub = OrganisationFactory(type=OrganisationType.FAMILY_HUB)
    consent(scene.mother, recipient_types=[], recipient_organisations=[another_hub])
    assert decide(scene.hub, entry, HEALTH, VIEW) == DENY_CONSENT_OUT_OF_SCOPE
    consent(scene.mother, recipient_types=[], recipient_organisations=[scene.hub.organisation])
    assert decide(scene.hub, entry, HEALTH, VIEW).rule == "consent"


def test_consent_is_the_persons_own_but_any_members_opens_a_family_entry(scene: Scene) -> None:
    agreement(scene.visitor.organisation, scene.hub.organisation)
    about_mother = scene.entry(scene.visitor, HEALTH, about=scene.mother)
    about_child = scene.entry(scene.visitor, HEALTH, about=scene.child)
    about_family = scene.entry(scene.visitor, HEALTH)
    consent(scene.mother)
    assert decide(scene.hub, about_mother, HEALTH, VIEW).rule == "consent"
    assert decide(scene.hub, about_child, HEALTH, VIEW) == DENY_NO_CONSENT
    assert decide(scene.hub, about_family, HEALTH, VIEW).rule == "consent"
    consent(scene.child, given_by=scene.mother)
    assert decide(scene.hub, about_child, HEALTH, VIEW).rule == "consent"


def test_consent_of_someone_outside_the_family_opens_nothing(scene: Scene) -> None:
    agreement(scene.visitor.organisation, scene.hub.organisation)
    consent(PersonFactory(parent=True))
    assert decide(scene.hub, scene.entry(scene.visitor), HEALTH, VIEW) == DENY_NO_CONSENT


# ---------------------------------------------------------------------------------------------
# 6. Agreements


@pytest.fixture
def consented(scene: Scene) -> Subject:
    """The health visitor's entry about the mother, who consents to family hubs seeing it."""
    consent(scene.mother)
    return scene.entry(scene.visitor, HEALTH, about=scene.mother)


def test_an_agreement_in_force_between_the_two_organisations_lets_data_flow(
    scene: Scene, consented: Subject
) -> None:
    isa = agreement(scene.visitor.organisation, scene.hub.organisation)
    decision = decide(scene.hub, consented, HEALTH, VIEW)
    assert decision.rule == "consent"
    assert decision.basis.endswith(f"; agreement {isa.reference}")


def test_an_agreement_may_name_party_types_or_organisations(
    scene: Scene, consented: Subject
) -> None:
    SharingAgreementFactory(
        party_types=[OrganisationType.FAMILY_HUB],
        party_organisations=[scene.visitor.organisation],
    )
    assert decide(scene.hub, consented, HEALTH, VIEW).rule == "consent"


def test_an_agreement_between_types_covers_every_organisation_of_those_types(
    scene: Scene, consented: Subject
) -> None:
    SharingAgreementFactory(
        party_types=[OrganisationType.FAMILY_HUB, OrganisationType.HEALTH_VISITING_SERVICE]
    )
    assert decide(scene.hub, consented, HEALTH, VIEW).rule == "consent"


@pytest.mark.parametrize(
    "fields",
    [
        {"starts_on": days_from_today(1), "review_on": days_from_today(365)},
        {"starts_on": days_from_today(-365), "ends_on": days_from_today(-1)},
        {"categories": [FAMILY_SUPPORT, DEVELOPMENT]},
    ],
    ids=["not started", "ended", "another category"],
)
def test_an_agreement_not_in_force_for_the_category_lets_nothing_flow(
    scene: Scene, consented: Subject, fields: dict[str, object]
) -> None:
    agreement(scene.visitor.organisation, scene.hub.organisation, **fields)
    assert decide(scene.hub, consented, HEALTH, VIEW).rule == "no_agreement"


def test_an_agreement_ending_today_is_still_in_force(scene: Scene, consented: Subject) -> None:
    agreement(scene.visitor.organisation, scene.hub.organisation, ends_on=days_from_today(0))
    assert decide(scene.hub, consented, HEALTH, VIEW).rule == "consent"


def test_both_organisations_must_be_parties(scene: Scene, consented: Subject) -> None:
    another_hub = OrganisationFactory(type=OrganisationType.FAMILY_HUB)
    agreement(scene.visitor.organisation, another_hub)  # the recipient is not a party
    agreement(scene.hub.organisation, OrganisationFactory())  # the origin is not a party
    SharingAgreementFactory(party_types=[OrganisationType.FAMILY_HUB])  # hubs among themselves
    assert decide(scene.hub, consented, HEALTH, VIEW).rule == "no_agreement"


# ---------------------------------------------------------------------------------------------
# The denials say why


def test_the_no_agreement_denial_names_both_organisations_and_the_category(
    scene: Scene, consented: Subject
) -> None:
    decision = decide(scene.hub, consented, HEALTH, VIEW)
    assert not decision
    assert decision.basis == (
        "no information-sharing agreement in force between Testshire Health Visiting and "
        "Testshire Family Hubs for health data"
    )
    support = scene.entry(scene.visitor, FAMILY_SUPPORT, about=scene.mother)
    assert decide(scene.hub, support, FAMILY_SUPPORT, VIEW).basis.endswith(
        "for family support data"
    )


def test_each_denial_gives_its_own_reason_so_the_audit_can_tell_them_apart() -> None:
    denials = [
        value
        for value in vars(policy).values()
        if isinstance(value, Decision) and not value.allowed
    ]
    assert len(denials) >= 13
    assert len({denial.rule for denial in denials}) == len(denials)
    assert len({denial.basis for denial in denials}) == len(denials)
    assert DENY_CONSENT_WITHDRAWN.basis == "consent withdrawn"
    assert DENY_CONSENT_EXPIRED.basis == "consent expired"
    assert "never by consent" in DENY_SAFEGUARDING.basis
    assert "recorded" in DENY_NOT_RECORDER.basis
    assert "private to the team" in DENY_SEALED.basis


# ---------------------------------------------------------------------------------------------
# Decisions without a record: creating one, and the identity check before it


def test_no_family_means_no_relationship_except_to_create_or_check_identity(
    actor: Actor,
) -> None:
    assert decide(actor, None, IDENTITY, VIEW) == DENY_NO_RELATIONSHIP
    assert decide(actor, None, IDENTITY, UPDATE) == DENY_NO_RELATIONSHIP
    assert decide(actor, None, IDENTITY, AccessAction.CREATE).allowed
    assert decide(actor, None, IDENTITY, AccessAction.IDENTITY_CHECK).allowed


@pytest.mark.parametrize("category", [c for c in DataCategory if c != IDENTITY])
def test_creating_and_checking_identity_open_identity_data_only(
    actor: Actor, category: str
) -> None:
    family = FamilyFactory()
    assert not decide(actor, None, category, AccessAction.CREATE)
    assert not decide(actor, None, category, AccessAction.IDENTITY_CHECK)
    assert not decide(actor, family, category, AccessAction.IDENTITY_CHECK)


# ---------------------------------------------------------------------------------------------
# The finer rules


@pytest.mark.parametrize("role", list(Role))
def test_who_uses_records_queries_the_audit_and_shares_for_safeguarding(
    role: str, team: Team
) -> None:
    someone = make_actor(role, team)
    assert bool(may_use_records(someone)) is (role in PRACTITIONER_ROLES)
    assert bool(may_query_audit(someone)) is (role == Role.PRIVACY_OFFICER)
    assert bool(may_share_for_safeguarding(someone)) is (role in SAFEGUARDING_FUNCTION)


def test_break_glass_is_for_a_practitioner_whose_team_does_not_work_with_the_family(
    scene: Scene, stranger: Actor
) -> None:
    assert may_break_glass(stranger, FamilyFacts.load(stranger, scene.family.pk))
    assert not may_break_glass(scene.hub, FamilyFacts.load(scene.hub, scene.family.pk))
    officer = make_actor(Role.PRIVACY_OFFICER, stranger.team)
    assert may_break_glass(officer, FamilyFacts.load(officer, scene.family.pk)) == DENY_ROLE


def test_a_withheld_address_is_seen_only_by_the_team_that_recorded_it(
    actor: Actor, other_actor: Actor
) -> None:
    withheld = AddressFactory(is_withheld=True, recorded_by_team=actor.team)
    ordinary = AddressFactory(is_withheld=False, recorded_by_team=actor.team)
    assert may_see_address(actor, withheld)
    assert not may_see_address(other_actor, withheld)
    assert may_see_address(other_actor, ordinary)
    colleague = make_actor(Role.MIDWIFE, actor.team)
    assert may_see_address(colleague, withheld)


def test_every_decision_is_counted_for_the_enforcement_middleware(actor: Actor) -> None:
    policy.reset_decisions()
    assert policy.decisions_made() == 0
    decide(actor, None, IDENTITY, VIEW)
    decide(actor, FamilyFactory(), IDENTITY, VIEW)
    visible_families(actor)
    may_use_records(actor)
    may_query_audit(actor)
    may_share_for_safeguarding(actor)
    assert policy.decisions_made() == 6


def test_facts_loaded_once_answer_as_decide_does(scene: Scene) -> None:
    consent(scene.mother)
    agreement(scene.visitor.organisation, scene.hub.organisation)
    facts = FamilyFacts.load(scene.hub, scene.family.pk)
    for category in DataCategory:
        subject = scene.entry(scene.visitor, category, about=scene.mother)
        for action in RECORD_ACTIONS:
            assert policy.evaluate(facts, subject, category, action) == decide(
                scene.hub, subject, category, action
            )


# ---------------------------------------------------------------------------------------------
# decide and visible_families agree, for every actor and family of generated worlds


@dataclass(frozen=True)
class InvolvementSpec:
    family: int
    team: int
    started: int
    length: int | None  # None: ongoing


involvement_specs = st.builds(
    InvolvementSpec,
    family=st.integers(0, 3),
    team=st.integers(0, 2),
    started=st.integers(-6, 3),
    length=st.one_of(st.none(), st.integers(0, 6)),
)


@pytest.fixture
def cast(db: None) -> tuple[list[Team], list[Actor]]:
    """Three teams (two in one organisation) and an actor for every role, spread across them."""
    health = OrganisationFactory()
    teams = [
        TeamFactory(organisation=health),
        TeamFactory(organisation=health),
        TeamFactory(organisation=OrganisationFactory()),
    ]
    actors = [make_actor(role, teams[index % 3]) for index, role in enumerate(Role)]
    actors += [make_actor(Role.HEALTH_VISITOR, team) for team in teams]
    return teams, actors


@hypothesis_settings(max_examples=30)
@given(st.lists(involvement_specs, max_size=8))
def test_decide_agrees_with_visible_families_for_every_actor_and_family(
    cast: tuple[list[Team], list[Actor]], specs: list[InvolvementSpec]
) -> None:
    teams, actors = cast
    today = clock.today()
    with transaction.atomic():
        families = [FamilyFactory() for _ in range(4)]
        for spec in specs:
            InvolvementFactory(
                family=families[spec.family],
                team=teams[spec.team],
                started_on=today + dt.timedelta(days=spec.started),
                ended_on=None
                if spec.length is None
                else today + dt.timedelta(days=spec.started + spec.length),
            )
        for actor in actors:
            visible = set(visible_families(actor).values_list("pk", flat=True))
            for index, family in enumerate(families):
                # What the rules say, worked out here without the policy's code.
                expected = actor.role in PRACTITIONER_ROLES and any(
                    spec.family == index
                    and teams[spec.team] == actor.team
                    and spec.started <= 0
                    and (spec.length is None or spec.started + spec.length >= 0)
                    for spec in specs
                )
                assert (family.pk in visible) is expected
                for action in (VIEW, LIST, SEARCH):
                    decision = decide(actor, family, IDENTITY, action)
                    assert decision.allowed is expected
        transaction.set_rollback(True)


def test_visible_families_lists_each_family_once_however_many_involvements(
    actor: Actor,
) -> None:
    family = FamilyFactory()
    InvolvementFactory.create_batch(3, family=family, team=actor.team)
    assert list(visible_families(actor)) == [family]
    assert Family.objects.count() == 1

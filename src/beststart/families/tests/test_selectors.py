"""Reads of the family record: the record page's data, the caseload, search, and
search-before-create. Each shows only what the policy allows and audits what it shows."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from beststart.accounts.actors import Actor
from beststart.accounts.models import Role, Team
from beststart.accounts.tests.factories import make_actor
from beststart.audit.models import AuditEvent, Outcome
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.families import selectors
from beststart.families.models import Family, Person, PersonKind
from beststart.families.tests.factories import (
    AddressFactory,
    FamilyFactory,
    FamilyMemberFactory,
    InvolvementFactory,
    PersonFactory,
    family_with_people,
)
from beststart.places.tests.factories import PostcodeFactory

pytestmark = pytest.mark.django_db


def audit_rows(action: str) -> list[tuple[int | None, int | None, str]]:
    return sorted(
        AuditEvent.objects.filter(action=action).values_list("family_id", "person_id", "outcome")
    )


def household(
    team: Team,
    surname: str,
    people: list[dict[str, object]],
    postcode: str,
    *,
    withheld: bool = False,
    address_team: Team | None = None,
) -> tuple[Family, list[Person]]:
    family = FamilyFactory(name=f"{surname} family")
    members = []
    for details in people:
        person = PersonFactory(**({"family_name": surname} | details))
        FamilyMemberFactory(family=family, person=person)
        members.append(person)
    AddressFactory(
        family=family,
        postcode_obj=PostcodeFactory(postcode=postcode),
        is_withheld=withheld,
        recorded_by_team=address_team or team,
    )
    InvolvementFactory(family=family, team=team)
    return family, members


# ---------------------------------------------------------------------------------------------
# The record


def test_family_record_shows_members_addresses_involvements_and_chronology(
    actor: Actor,
) -> None:
    family = family_with_people(team=actor.team, practitioner=actor.user)
    record = selectors.family_record(actor, family.pk)
    assert record.family == family
    assert {view.person for view in record.members} == set(family.members.all())
    mother = next(v for v in record.members if v.person.kind == PersonKind.PARENT)
    child = next(v for v in record.members if v.person.kind == PersonKind.CHILD)
    assert mother.relationships == [f"Mother of {child.person.full_name}, parental responsibility"]
    assert child.age == child.person.age_on(clock.today())
    assert record.current_address is not None
    assert not record.current_address.redacted
    assert record.previous_addresses == []
    assert [i.team for i in record.involvements] == [actor.team]
    assert AuditEvent.objects.get().action == AccessAction.VIEW


def test_family_record_of_a_family_the_team_does_not_work_with_is_404_and_audited(
    actor: Actor, other_actor: Actor
) -> None:
    family = family_with_people(team=other_actor.team)
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.family_record(actor, family.pk)
    denied = AuditEvent.objects.get()
    assert (denied.family_id, denied.outcome, denied.user_id) == (
        family.pk,
        Outcome.DENIED,
        actor.user.pk,
    )
    assert denied.basis == "no active involvement of the actor's team"


def test_a_family_that_does_not_exist_is_the_same_404(actor: Actor) -> None:
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.family_record(actor, 987654)


def test_a_withheld_address_is_redacted_for_other_teams_and_shown_to_the_recording_team(
    actor: Actor, other_actor: Actor
) -> None:
    family = family_with_people(team=actor.team, withheld=True)
    InvolvementFactory(family=family, team=other_actor.team)
    assert not selectors.family_record(actor, family.pk).current_address.redacted
    assert selectors.family_record(other_actor, family.pk).current_address.redacted


def test_member_for_update_refuses_a_person_from_another_family(actor: Actor) -> None:
    family = family_with_people(team=actor.team)
    elsewhere = family_with_people(team=actor.team)
    outsider = elsewhere.members.first()
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.member_for_update(actor, family.pk, outsider.pk)
    member = family.members.first()
    assert selectors.member_for_update(actor, family.pk, member.pk) == (family, member)


def test_involvement_for_update_only_finds_an_open_involvement_of_that_family(
    actor: Actor,
) -> None:
    family = family_with_people(team=actor.team)
    other = family_with_people(team=actor.team)
    ended = InvolvementFactory(family=family, team=actor.team, ended_on=clock.today())
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.involvement_for_update(actor, family.pk, other.involvements.get().pk)
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.involvement_for_update(actor, family.pk, ended.pk)
    own = family.involvements.get(ended_on=None)
    assert selectors.involvement_for_update(actor, family.pk, own.pk) == own


# ---------------------------------------------------------------------------------------------
# Caseload


def test_the_caseload_lists_families_the_actor_is_named_for_and_audits_them(
    actor: Actor,
) -> None:
    mine = family_with_people(team=actor.team, practitioner=actor.user, unborn=True)
    team_only = family_with_people(team=actor.team)  # the team's, not named to the actor
    ended = family_with_people(
        team=actor.team,
        practitioner=actor.user,
        started_on=clock.today() - dt.timedelta(days=90),
        ended_on=clock.today() - dt.timedelta(days=1),
    )
    page = selectors.caseload(actor)
    assert [entry.family for entry in page.object_list] == [mine]
    assert [p.kind for p in page.object_list[0].children] == [PersonKind.UNBORN]
    assert audit_rows(AccessAction.LIST) == [(mine.pk, None, Outcome.ALLOWED)]
    # The team works with `mine` and `team_only`; its involvement with `ended` is over.
    assert selectors.team_caseload_size(actor) == 2
    assert {team_only, mine} == set(Family.objects.exclude(pk=ended.pk))


def test_a_family_is_listed_once_however_many_involvements_name_the_actor(
    actor: Actor,
) -> None:
    family = family_with_people(
        team=actor.team, practitioner=actor.user, started_on=clock.today() - dt.timedelta(days=30)
    )
    InvolvementFactory(
        family=family, team=actor.team, practitioner=actor.user, started_on=clock.today()
    )
    [entry] = selectors.caseload(actor).object_list
    assert (entry.family, entry.since, entry.is_lead) == (family, clock.today(), True)


def test_the_caseload_of_a_practitioner_who_moved_team_shows_only_the_current_teams(
    actor: Actor, other_team: Team
) -> None:
    family_with_people(team=other_team, practitioner=actor.user)
    assert list(selectors.caseload(actor).object_list) == []


# ---------------------------------------------------------------------------------------------
# Search


@pytest.fixture
def register(actor: Actor, other_actor: Actor) -> dict[str, Person]:
    """Families of the actor's team, one of another team with the same names, and one the
    actor's team works with whose address another team has withheld."""
    _, (amelia, oliver) = household(
        actor.team,
        "Smith",
        [
            {"given_name": "Amelia", "kind": "parent", "date_of_birth": dt.date(1992, 3, 4)},
            {"given_name": "Oliver", "date_of_birth": dt.date(2024, 4, 3)},
        ],
        "XW1 2AB",
    )
    _, (priya,) = household(
        actor.team,
        "Mistry",
        [{"given_name": "Priya", "kind": "parent", "date_of_birth": dt.date(1990, 1, 1)}],
        "XW1 2AD",
    )
    _, (hidden_amelia,) = household(
        other_actor.team,
        "Smith",
        [{"given_name": "Amelia", "kind": "parent", "date_of_birth": dt.date(1992, 3, 4)}],
        "XW1 2AE",
    )
    _, (refuge,) = household(
        actor.team,
        "Okafor",
        [{"given_name": "Grace", "kind": "parent", "date_of_birth": dt.date(1995, 6, 7)}],
        "XW3 9ZZ",
        withheld=True,
        address_team=other_actor.team,
    )
    InvolvementFactory(family=refuge.families.get(), team=other_actor.team)
    return {
        "amelia": amelia,
        "oliver": oliver,
        "priya": priya,
        "hidden_amelia": hidden_amelia,
        "refuge": refuge,
    }


def found(actor: Actor, text: str) -> list[Person]:
    return [hit.person for hit in selectors.search_people(actor, text).hits]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Smith", ["amelia", "oliver"]),
        ("Smtih", ["amelia", "oliver"]),  # a typo
        ("smyth", ["amelia", "oliver"]),  # a spelling
        ("Amelia Smith", ["amelia"]),
        ("Smith Amelia", ["amelia"]),  # either order
        ("Amelai Smtih", ["amelia"]),
        ("Oliver", ["oliver"]),
        ("3/4/2024", ["oliver"]),
        ("03/04/2024", ["oliver"]),
        ("2024-04-03", ["oliver"]),
        ("Smith 4/3/1992", ["amelia"]),
        ("Oliver 4/3/1992", []),  # right name, wrong date of birth
        ("XW1 2AB", ["amelia", "oliver"]),
        ("xw12ab", ["amelia", "oliver"]),
        ("Mistry XW1 2AD", ["priya"]),
        ("Mistry XW1 2AB", []),
        ("Zebedee", []),
    ],
)
def test_search_finds_people_in_the_actors_families(
    actor: Actor, register: dict[str, Person], text: str, expected: list[str]
) -> None:
    assert sorted(p.pk for p in found(actor, text)) == sorted(register[k].pk for k in expected)


def test_search_by_nhs_number_with_or_without_spaces(
    actor: Actor, register: dict[str, Person]
) -> None:
    number = register["oliver"].nhs_number
    assert number
    for typed in (number, f"{number[:3]} {number[3:6]} {number[6:]}", f"{number[:3]}-{number[3:]}"):
        assert found(actor, typed) == [register["oliver"]]
    assert found(actor, register["hidden_amelia"].nhs_number or "") == []


def test_search_never_returns_people_in_families_the_actor_cannot_see(
    actor: Actor, other_actor: Actor, register: dict[str, Person]
) -> None:
    assert register["hidden_amelia"] not in found(actor, "Amelia Smith")
    assert found(other_actor, "Amelia Smith") == [register["hidden_amelia"]]
    commissioner = make_actor(Role.COMMISSIONER, actor.team)
    assert found(commissioner, "Smith") == []


def test_search_results_are_audited_one_row_per_person_shown(
    actor: Actor, register: dict[str, Person]
) -> None:
    hits = selectors.search_people(actor, "Smith").hits
    assert audit_rows(AccessAction.SEARCH) == sorted(
        (hit.family.pk, hit.person.pk, Outcome.ALLOWED) for hit in hits
    )
    row = AuditEvent.objects.filter(action=AccessAction.SEARCH).first()
    assert (row.user_id, row.role, row.category) == (
        actor.user.pk,
        actor.role,
        DataCategory.IDENTITY,
    )
    selectors.search_people(actor, "Zebedee")
    assert len(audit_rows(AccessAction.SEARCH)) == len(hits)


def test_the_best_match_comes_first(actor: Actor, register: dict[str, Person]) -> None:
    hits = selectors.search_people(actor, "Amelia Smith").hits
    assert hits[0].person == register["amelia"]
    assert hits == sorted(hits, key=lambda hit: -hit.score)


def test_an_empty_search_shows_and_audits_nothing(
    actor: Actor, register: dict[str, Person]
) -> None:
    assert selectors.search_people(actor, "   ").hits == []
    assert not AuditEvent.objects.exists()


def test_a_postcode_search_does_not_reveal_a_family_whose_address_is_withheld(
    actor: Actor, other_actor: Actor, register: dict[str, Person]
) -> None:
    # The actor's team works with the Okafors, but another team recorded the address.
    assert found(actor, "Okafor") == [register["refuge"]]
    assert found(actor, "XW3 9ZZ") == []
    assert found(actor, "Grace XW3 9ZZ") == []
    assert found(other_actor, "XW3 9ZZ") == [register["refuge"]]


def test_search_results_show_the_postcode_only_where_the_address_may_be_seen(
    actor: Actor, other_actor: Actor, register: dict[str, Person]
) -> None:
    (hit,) = selectors.search_people(actor, "Okafor").hits
    assert hit.current_postcode == ""
    (hit,) = selectors.search_people(other_actor, "Okafor").hits
    assert hit.current_postcode == "XW3 9ZZ"
    amelia = selectors.search_people(actor, "Amelia Smith").hits[0]
    assert amelia.current_postcode == "XW1 2AB"


# ---------------------------------------------------------------------------------------------
# Search before create


def test_identity_matches_look_across_the_whole_register(
    actor: Actor, register: dict[str, Person]
) -> None:
    matches = selectors.identity_matches(
        actor,
        given_name="Amelia",
        family_name="Smith",
        date_of_birth=dt.date(1992, 3, 4),
        nhs_number=None,
    )
    by_person = {match.person_id: match for match in matches}
    assert set(by_person) == {register["amelia"].pk, register["hidden_amelia"].pk}
    assert by_person[register["amelia"].pk].visible_to_actor
    assert not by_person[register["hidden_amelia"].pk].visible_to_actor
    hidden = by_person[register["hidden_amelia"].pk]
    assert (hidden.name, hidden.date_of_birth, hidden.postcode_district) == (
        "Amelia Smith",
        dt.date(1992, 3, 4),
        "XW1",
    )
    assert hidden.teams == ["Riverside Family Hub"]


def test_identity_matches_show_only_minimal_identity_fields() -> None:
    fields = {field.name for field in dataclasses.fields(selectors.IdentityMatch)}
    assert fields == {
        "person_id",
        "family_id",
        "name",
        "date_of_birth",
        "postcode_district",
        "score",
        "visible_to_actor",
        "teams",
    }


def test_identity_matches_by_nhs_number_whatever_the_name(
    actor: Actor, register: dict[str, Person]
) -> None:
    matches = selectors.identity_matches(
        actor,
        given_name="Someone",
        family_name="Else",
        date_of_birth=None,
        nhs_number=register["hidden_amelia"].nhs_number,
    )
    assert [(m.person_id, m.score) for m in matches] == [(register["hidden_amelia"].pk, 100.0)]


def test_identity_matches_tolerate_a_typo_but_need_the_date_of_birth(
    actor: Actor, register: dict[str, Person]
) -> None:
    def people(given: str, family: str, born: dt.date | None) -> set[int]:
        return {
            m.person_id
            for m in selectors.identity_matches(
                actor, given_name=given, family_name=family, date_of_birth=born, nhs_number=None
            )
        }

    assert people("Olivr", "Smtih", dt.date(2024, 4, 3)) == {register["oliver"].pk}
    assert people("Oliver", "Smith", dt.date(2024, 4, 4)) == set()
    assert people("Oliver", "Smith", None) == set()
    assert people("Wilhelmina", "Zebedee", dt.date(2024, 4, 3)) == set()


def test_identity_matches_hide_the_district_of_a_withheld_address(
    actor: Actor, register: dict[str, Person]
) -> None:
    (match,) = selectors.identity_matches(
        actor,
        given_name="Grace",
        family_name="Okafor",
        date_of_birth=dt.date(1995, 6, 7),
        nhs_number=None,
    )
    assert match.postcode_district == ""


def test_identity_matches_are_audited_as_identity_checks(
    actor: Actor, register: dict[str, Person]
) -> None:
    matches = selectors.identity_matches(
        actor,
        given_name="Amelia",
        family_name="Smith",
        date_of_birth=dt.date(1992, 3, 4),
        nhs_number=None,
    )
    assert audit_rows(AccessAction.IDENTITY_CHECK) == sorted(
        (m.family_id, m.person_id, Outcome.ALLOWED) for m in matches
    )
    assert set(
        AuditEvent.objects.filter(action=AccessAction.IDENTITY_CHECK).values_list(
            "basis", flat=True
        )
    ) == {"search-before-create: minimum identity details"}


def test_roles_that_do_not_use_records_get_no_identity_matches(
    team: Team, register: dict[str, Person]
) -> None:
    commissioner = make_actor(Role.COMMISSIONER, team)
    assert (
        selectors.identity_matches(
            commissioner,
            given_name="Amelia",
            family_name="Smith",
            date_of_birth=dt.date(1992, 3, 4),
            nhs_number=None,
        )
        == []
    )
    assert not AuditEvent.objects.exists()

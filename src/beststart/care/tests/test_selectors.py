"""The worklist and the child's health page against cases worked out by hand, on 15 September
2026: a premature birth, a transfer in at 7 months, twins, a death, a review done early, one
done after its window closed, a family that moved out; and what the policy lets each see."""

from __future__ import annotations

import datetime as dt

import pytest

from beststart.accounts.actors import Actor
from beststart.accounts.models import Role
from beststart.accounts.tests.factories import make_actor
from beststart.audit.models import AuditEvent, Outcome
from beststart.care import selectors
from beststart.care.immunisations import DoseStatus, doses_for
from beststart.care.models import ReviewKind
from beststart.care.schedule import Status, Timing
from beststart.care.tests.conftest import TODAY, Household
from beststart.care.tests.factories import ContactFactory, ImmunisationFactory
from beststart.core.categories import AccessAction, DataCategory
from beststart.core.errors import NotFoundOrNotAllowed
from beststart.families.models import Family, InvolvementEnd, Person
from beststart.families.tests.factories import InvolvementFactory
from beststart.sharing.policy import decide

pytestmark = pytest.mark.django_db
K = ReviewKind


def rows(actor: Actor, **filters: object) -> dict[str, list[tuple[str, str, dt.date]]]:
    """The worklist as {child's name: [(review, status, due by), ...]}, immunisations as
    ("immunisations", "overdue", earliest due)."""
    found: dict[str, list[tuple[str, str, dt.date]]] = {}
    page = selectors.worklist(actor, **filters).page  # type: ignore[arg-type]
    for row in page.object_list:
        items = [(r.window.kind.value, r.status.value, r.window.due_by) for r in row.reviews]
        if row.overdue_doses:
            items.append(("immunisations", "overdue", row.overdue_doses[0].due_on))
        found[row.person.full_name] = items
    return found


def review(person: Person, family: Family, kind: str, done_on: dt.date, actor: Actor) -> None:
    ContactFactory(
        family=family,
        person=person,
        kind=kind,
        contact_date=done_on,
        team=actor.team,
        practitioner=actor.user,
    )


def immunise_all(person: Person, family: Family, actor: Actor) -> None:
    assert person.date_of_birth is not None
    for dose in doses_for(person.date_of_birth):
        if dose.due_on(person.date_of_birth) <= TODAY:
            ImmunisationFactory(
                family=family,
                person=person,
                vaccine=dose.code,
                on_date=dose.due_on(person.date_of_birth),
                team=actor.team,
            )


# ---------------------------------------------------------------------------------------------
# The hand-computed cases


def test_a_premature_baby_is_due_a_new_birth_visit_from_the_birth_not_the_due_date(
    actor: Actor, household: Household
) -> None:
    # Due 20 October, born 5 September at 33 weeks: the antenatal contact (from 28 July) was
    # missed, and the new birth visit took its place, due by 19 September.
    family, (baby,) = household(born=[dt.date(2026, 9, 5)])
    baby.expected_delivery_date = dt.date(2026, 10, 20)
    baby.save()
    assert rows(actor) == {baby.full_name: [("new_birth", "due", dt.date(2026, 9, 19))]}
    health = selectors.child_health(actor, family.pk, baby.pk)
    statuses = {r.window.kind: r.status for r in health.standing.reviews}
    assert statuses[K.ANTENATAL] == Status.MISSED
    assert statuses[K.SIX_TO_EIGHT_WEEKS] == Status.UPCOMING


def test_a_child_who_moved_in_at_7_months_owes_only_the_reviews_still_open(
    actor: Actor, household: Household
) -> None:
    # Born 15 February; the team's involvement began on 15 September, at 7 months.
    family, (child,) = household(born=[dt.date(2026, 2, 15)], since=TODAY)
    health = selectors.child_health(actor, family.pk, child.pk)
    statuses = {r.window.kind: r.status for r in health.standing.reviews}
    assert statuses == {
        K.NEW_BIRTH: Status.NOT_DUE_HERE,
        K.SIX_TO_EIGHT_WEEKS: Status.NOT_DUE_HERE,
        K.ONE_YEAR: Status.UPCOMING,  # opens at 9 months, 15 November
        K.TWO_YEARS: Status.UPCOMING,
    }
    # No review is due, but the immunisations of 8, 12 and 16 weeks are, until their records
    # come with the child.
    assert rows(actor) == {child.full_name: [("immunisations", "overdue", dt.date(2026, 4, 12))]}
    immunise_all(child, family, actor)
    assert rows(actor) == {}


def test_twins_each_have_their_own_review(actor: Actor, household: Household) -> None:
    family, (first, second) = household(born=[dt.date(2026, 9, 3)] * 2)
    review(first, family, K.NEW_BIRTH, dt.date(2026, 9, 10), actor)
    assert rows(actor) == {second.full_name: [("new_birth", "due", dt.date(2026, 9, 17))]}


def test_a_child_who_died_drops_off_with_the_reason_kept(
    actor: Actor, household: Household
) -> None:
    family, (child,) = household(born=[dt.date(2026, 8, 20)])
    assert rows(actor) == {child.full_name: [("new_birth", "overdue", dt.date(2026, 9, 3))]}
    child.date_of_death = dt.date(2026, 9, 1)
    child.save()
    assert rows(actor) == {}
    health = selectors.child_health(actor, family.pk, child.pk)
    assert {r.status for r in health.standing.reviews} == {Status.NO_LONGER_DUE}
    assert health.situation.left_because == f"{child.full_name} died on 1 September 2026"
    assert {d.status for d in health.standing.doses} == {DoseStatus.NO_LONGER_DUE}


def test_a_review_done_early_counts_and_says_so(actor: Actor, household: Household) -> None:
    # Born 1 January: the 12-month review opens on 1 October; done on 20 August, early.
    family, (child,) = household(born=[dt.date(2026, 1, 1)])
    immunise_all(child, family, actor)
    review(child, family, K.NEW_BIRTH, dt.date(2026, 1, 10), actor)
    review(child, family, K.SIX_TO_EIGHT_WEEKS, dt.date(2026, 2, 20), actor)
    review(child, family, K.ONE_YEAR, dt.date(2026, 8, 20), actor)
    assert rows(actor) == {}
    health = selectors.child_health(actor, family.pk, child.pk)
    one_year = next(r for r in health.standing.reviews if r.window.kind == K.ONE_YEAR)
    assert (one_year.status, one_year.timing) == (Status.DONE, Timing.EARLY)


def test_a_review_done_after_its_window_closed_is_done_late(
    actor: Actor, household: Household
) -> None:
    # Born 1 May: the 6 to 8 week review was due by 26 June and closed on 24 July; done on
    # 10 August.
    family, (child,) = household(born=[dt.date(2026, 5, 1)])
    review(child, family, K.NEW_BIRTH, dt.date(2026, 5, 9), actor)
    review(child, family, K.SIX_TO_EIGHT_WEEKS, dt.date(2026, 8, 10), actor)
    health = selectors.child_health(actor, family.pk, child.pk)
    six_weeks = next(r for r in health.standing.reviews if r.window.kind == K.SIX_TO_EIGHT_WEEKS)
    assert (six_weeks.status, six_weeks.timing, six_weeks.done_on) == (
        Status.DONE,
        Timing.LATE,
        dt.date(2026, 8, 10),
    )


def test_a_missed_review_is_offered_until_the_next_one_opens(
    actor: Actor, household: Household
) -> None:
    # Born 1 May: the 6 to 8 week review closed on 24 July, missed; it is still worth
    # offering until the 12-month review opens on 1 February.
    family, (child,) = household(born=[dt.date(2026, 5, 1)])
    immunise_all(child, family, actor)
    review(child, family, K.NEW_BIRTH, dt.date(2026, 5, 9), actor)
    assert rows(actor) == {
        child.full_name: [("six_to_eight_weeks", "missed", dt.date(2026, 6, 26))]
    }
    # A new birth visit missed long ago is not: the 6 to 8 week review has taken its place.
    _, (older,) = household(born=[dt.date(2026, 6, 1)], surname="Ravel")
    review(older, older.families.get(), K.SIX_TO_EIGHT_WEEKS, dt.date(2026, 7, 20), actor)
    immunise_all(older, older.families.get(), actor)
    assert older.full_name not in rows(actor)


def test_a_family_that_moved_out_drops_off_with_the_reason_kept(
    actor: Actor, household: Household
) -> None:
    family, (child,) = household(born=[dt.date(2026, 8, 20)])
    involvement = family.involvements.get()
    involvement.ended_on = dt.date(2026, 9, 10)
    involvement.end_reason = InvolvementEnd.MOVED_OUT
    involvement.save()
    assert rows(actor) == {}
    situation = selectors.circumstances(child, [involvement], TODAY)
    assert (situation.left_on, situation.left_because) == (
        dt.date(2026, 9, 10),
        "The family moved out of the area",
    )
    with pytest.raises(NotFoundOrNotAllowed):  # and the team no longer opens the record
        selectors.child_health(actor, family.pk, child.pk)


def test_an_unborn_baby_is_due_the_antenatal_contact_from_28_weeks(
    actor: Actor, household: Household
) -> None:
    _, (early,) = household(due=dt.date(2026, 12, 8))  # 28 weeks on 15 September
    _, (later,) = household(due=dt.date(2026, 12, 9), surname="Ormsby")
    assert rows(actor) == {early.full_name: [("antenatal", "due", dt.date(2026, 12, 8))]}
    assert later.full_name not in rows(actor)


# ---------------------------------------------------------------------------------------------
# Order, filters, pages and the audit


def test_the_most_urgent_come_first(actor: Actor, household: Household) -> None:
    _, (due,) = household(born=[dt.date(2026, 9, 10)], surname="Ashdown")
    _, (overdue,) = household(born=[dt.date(2026, 8, 25)], surname="Bexley")
    _, (more_overdue,) = household(born=[dt.date(2026, 8, 10)], surname="Corfe")
    _, (missed,) = household(born=[dt.date(2026, 5, 1)], surname="Dunmore")
    names = list(rows(actor))
    assert names == [
        more_overdue.full_name,
        overdue.full_name,
        due.full_name,
        missed.full_name,
    ]


def test_mine_and_a_kind_narrow_the_list(actor: Actor, household: Household) -> None:
    colleague = make_actor(Role.HEALTH_VISITOR, actor.team)
    _, (mine,) = household(born=[dt.date(2026, 9, 10)], surname="Ashdown")
    _, (theirs,) = household(born=[dt.date(2026, 9, 10)], surname="Bexley", actor_=colleague)
    _, (older,) = household(born=[dt.date(2026, 6, 10)], surname="Corfe")
    assert set(rows(actor)) == {mine.full_name, theirs.full_name, older.full_name}
    assert set(rows(actor, mine=True)) == {mine.full_name, older.full_name}
    assert set(rows(actor, kind=K.SIX_TO_EIGHT_WEEKS)) == {older.full_name}
    assert set(rows(actor, kind=selectors.IMMUNISATIONS)) == {older.full_name}  # 8 weeks: 5 Aug


def test_each_row_shown_is_audited_and_a_page_holds_25(actor: Actor, household: Household) -> None:
    for index in range(27):
        household(born=[dt.date(2026, 9, 10)], surname=f"Pagebury{index}")
    first = selectors.worklist(actor)
    assert (first.children, len(first.page.object_list)) == (27, 25)
    listed = AuditEvent.objects.filter(action=AccessAction.LIST, category=DataCategory.HEALTH)
    assert listed.count() == 25
    assert set(listed.values_list("outcome", flat=True)) == {Outcome.ALLOWED}
    shown = {(row.family.pk, row.person.pk) for row in first.page.object_list}
    assert set(listed.values_list("family_id", "person_id")) == shown
    second = selectors.worklist(actor, page_number=2)
    assert len(second.page.object_list) == 2


def test_roles_that_do_not_see_health_have_no_worklist(actor: Actor) -> None:
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.worklist(make_actor(Role.EARLY_YEARS_PRACTITIONER, actor.team))


# ---------------------------------------------------------------------------------------------
# What the policy lets another team see


def test_another_team_without_a_relationship_sees_nothing(
    actor: Actor, other_actor: Actor, household: Household
) -> None:
    family, (child,) = household(born=[dt.date(2026, 9, 10)])
    assert rows(other_actor) == {}
    with pytest.raises(NotFoundOrNotAllowed):
        selectors.child_health(other_actor, family.pk, child.pk)
    denied = AuditEvent.objects.get(user_id=other_actor.user.pk)
    assert (denied.family_id, denied.outcome, denied.category) == (
        family.pk,
        Outcome.DENIED,
        DataCategory.HEALTH,
    )


def test_another_organisations_review_counts_only_where_the_policy_shares_it(
    actor: Actor, other_actor: Actor, household: Household
) -> None:
    # The family hub works with the family too, but has no consent to see the health
    # visitors' records: the visit they made is not shown to it, nor counted.
    family, (child,) = household(born=[dt.date(2026, 9, 1)])
    InvolvementFactory(family=family, team=other_actor.team, started_on=dt.date(2026, 1, 1))
    review(child, family, K.NEW_BIRTH, dt.date(2026, 9, 8), actor)
    assert rows(actor) == {}
    assert rows(other_actor) == {child.full_name: [("new_birth", "due", dt.date(2026, 9, 15))]}
    health = selectors.child_health(other_actor, family.pk, child.pk)
    assert health.contacts == []
    refused = AuditEvent.objects.filter(
        user_id=other_actor.user.pk, outcome=Outcome.DENIED, category=DataCategory.HEALTH
    )
    assert refused.exists()


def test_the_health_page_for_someone_not_a_child_of_the_family_is_not_found(
    actor: Actor, household: Household
) -> None:
    family, _ = household(born=[dt.date(2026, 9, 1)])
    mother = family.members.get(kind="parent")
    _, (elsewhere,) = household(born=[dt.date(2026, 9, 1)], surname="Elsewhere")
    for person in (mother, elsewhere):
        with pytest.raises(NotFoundOrNotAllowed):
            selectors.child_health(actor, family.pk, person.pk)


def test_every_row_is_a_family_the_policy_lets_the_actor_list(
    actor: Actor, other_actor: Actor, household: Household
) -> None:
    mine, _ = household(born=[dt.date(2026, 9, 10)], surname="Ashdown")
    ended, _ = household(born=[dt.date(2026, 9, 10)], surname="Bexley")
    ended.involvements.update(ended_on=dt.date(2026, 9, 14))
    future, _ = household(born=[dt.date(2026, 9, 10)], surname="Corfe", since=TODAY)
    future.involvements.update(started_on=dt.date(2026, 9, 16))
    household(born=[dt.date(2026, 9, 10)], surname="Dunmore", actor_=other_actor)
    listed = {row.family.pk for row in selectors.worklist(actor).page.object_list}
    assert listed == {mine.pk}
    for family in Family.objects.all():
        allowed = decide(actor, family, DataCategory.HEALTH, AccessAction.LIST).allowed
        assert allowed == (family.pk in listed), family.name

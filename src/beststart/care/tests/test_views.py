"""The care pages: Reviews due, the child's health page and the three forms. Bad input gets
the GOV.UK error beside the field and in the summary with everything typed kept; a success
goes back to the child's health page with what happened; refusals are 404s."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from beststart.accounts.actors import Actor
from beststart.accounts.models import Role
from beststart.accounts.tests.factories import make_actor
from beststart.audit.models import AuditEvent, Outcome
from beststart.care.models import Contact, Immunisation
from beststart.care.tests.conftest import TODAY, Household
from beststart.care.tests.factories import ContactFactory
from beststart.families.models import ChronologyEvent, EventKind, Family, Person
from beststart.families.tests.test_views import (
    assert_error,
    checked,
    date_parts,
    input_value,
    page,
)

pytestmark = pytest.mark.django_db


def health_url(family: Family, person: Person, suffix: str = "health/") -> str:
    return f"/families/{family.pk}/children/{person.pk}/{suffix}"


def contact_data(person: Person, **changes: Any) -> dict[str, Any]:
    return {
        "children": [str(person.pk)],
        "kind": "new_birth",
        "mode": "face_to_face",
        "present": ["mother", "child"],
        "practitioner": "",
        "breastfeeding": "partially",
        "weight": "3.45",
        "concerns": "",
        "next_steps": "",
        **date_parts("contact_date", TODAY),
    } | changes


# ---------------------------------------------------------------------------------------------
# Reviews due


def test_reviews_due_lists_the_child_with_a_link_to_record_the_review(
    signed_in: Client, household: Household
) -> None:
    family, (baby,) = household(born=[dt.date(2026, 9, 10)])
    response = signed_in.get("/reviews/")
    assert response.status_code == 200
    text = page(response)
    assert baby.full_name in text
    assert f'href="{health_url(family, baby, "contacts/new/")}?kind=new_birth"' in text
    assert "Due by 24 Sep 2026" in text
    assert '<a class="govuk-service-navigation__link" href="/reviews/"' in text


def test_reviews_due_filters_by_kind_in_the_query_string(
    signed_in: Client, household: Household
) -> None:
    _, (baby,) = household(born=[dt.date(2026, 9, 10)])
    response = signed_in.get("/reviews/", {"scope": "mine", "kind": "one_year"})
    assert baby.full_name not in page(response)
    assert checked(response, "scope") == ["mine"]
    assert "Nothing is due for these families." in page(response)
    # Nonsense filters are ignored, not an error.
    assert signed_in.get("/reviews/", {"kind": "nonsense", "page": "x"}).status_code == 200


def test_reviews_due_is_not_for_roles_that_do_not_see_health(actor: Actor, client_for: Any) -> None:
    nursery = client_for(make_actor(Role.EARLY_YEARS_PRACTITIONER, actor.team))
    assert nursery.get("/reviews/").status_code == 404
    assert "Reviews due" not in page(nursery.get("/caseload/"))


# ---------------------------------------------------------------------------------------------
# The child's health page


def test_the_health_page_shows_reviews_immunisations_and_contacts(
    signed_in: Client, actor: Actor, household: Household
) -> None:
    family, (child,) = household(born=[dt.date(2026, 5, 1)])
    ContactFactory(
        family=family,
        person=child,
        team=actor.team,
        practitioner=actor.user,
        contact_date=dt.date(2026, 5, 20),
        weight_grams=3600,
        concerns="Reflux",
    )
    text = page(signed_in.get(health_url(family, child)))
    assert f"{child.full_name}: health reviews and immunisations" in text
    assert "20 May 2026, late" in text  # due by 15 May
    assert "3.6 kg" in text
    assert "Reflux" in text
    assert "Mother, the child" in text
    assert "6-in-1 (1st dose)" in text
    assert "Overdue" in text
    assert f"Record that {child.full_name} has died" in text
    # The record links to it.
    assert health_url(family, child) in page(signed_in.get(f"/families/{family.pk}/"))


def test_another_team_gets_a_404_and_the_refusal_is_audited(
    other_actor: Actor, client_for: Any, household: Household
) -> None:
    family, (child,) = household(born=[dt.date(2026, 5, 1)])
    client = client_for(other_actor)
    for suffix in ("health/", "contacts/new/", "immunisations/new/", "death/"):
        assert client.get(health_url(family, child, suffix)).status_code == 404
    assert AuditEvent.objects.filter(
        user_id=other_actor.user.pk, family_id=family.pk, outcome=Outcome.DENIED
    ).exists()


# ---------------------------------------------------------------------------------------------
# Recording a review


def test_the_review_form_starts_with_the_review_due_today_and_the_actor(
    signed_in: Client, actor: Actor, household: Household
) -> None:
    family, (baby,) = household(born=[dt.date(2026, 9, 10)])
    response = signed_in.get(health_url(family, baby, "contacts/new/"))
    assert checked(response, "kind") == ["new_birth"]
    assert checked(response, "present") == ["mother", "child"]
    assert input_value(response, "contact_date_day") == "15"
    assert f'<option value="{actor.user.pk}" selected>' in page(response)
    # One child: no question about who it was for.
    assert 'type="hidden" name="children"' in page(response)


def test_recording_a_new_birth_visit_for_twins_goes_back_to_the_health_page(
    signed_in: Client, actor: Actor, household: Household
) -> None:
    family, twins = household(born=[dt.date(2026, 9, 1)] * 2)
    url = health_url(family, twins[0], "contacts/new/")
    assert "Twins seen at one visit" in page(signed_in.get(url))
    data = contact_data(
        twins[0], children=[str(twin.pk) for twin in twins], practitioner=str(actor.user.pk)
    )
    response = signed_in.post(url, data, follow=True)
    assert response.redirect_chain[-1][0] == health_url(family, twins[0])
    names = " and ".join(twin.full_name for twin in twins)
    assert f"New birth visit recorded for {names}" in page(response)
    assert Contact.objects.filter(weight_grams=3450).count() == 2


def test_a_late_review_is_recorded_with_a_banner_that_says_so(
    signed_in: Client, actor: Actor, household: Household
) -> None:
    family, (baby,) = household(born=[dt.date(2026, 8, 20)])
    data = contact_data(baby, practitioner=str(actor.user.pk))
    response = signed_in.post(health_url(family, baby, "contacts/new/"), data, follow=True)
    assert "as late: it was due by 3 September 2026" in page(response)


def test_a_date_before_the_birth_is_an_error_and_everything_typed_is_kept(
    signed_in: Client, actor: Actor, household: Household
) -> None:
    family, (baby,) = household(born=[dt.date(2026, 9, 10)])
    data = contact_data(
        baby,
        practitioner=str(actor.user.pk),
        concerns="Jaundice",
        weight="3.456",
        **date_parts("contact_date", dt.date(2026, 9, 9)),
    )
    response = signed_in.post(health_url(family, baby, "contacts/new/"), data)
    assert_error(
        response,
        "contact_date",
        f"The date of a new birth visit must be on or after {baby.full_name}'s date of birth, "
        "10 September 2026",
        anchor="id_contact_date_0",
    )
    assert input_value(response, "weight") == "3.456"
    assert "Jaundice" in page(response)
    assert checked(response, "breastfeeding") == ["partially"]
    assert not Contact.objects.exists()


def test_a_second_new_birth_visit_is_an_error_beside_the_kind(
    signed_in: Client, actor: Actor, household: Household
) -> None:
    family, (baby,) = household(born=[dt.date(2026, 9, 10)])
    ContactFactory(family=family, person=baby, team=actor.team, contact_date=dt.date(2026, 9, 12))
    data = contact_data(baby, practitioner=str(actor.user.pk))
    response = signed_in.post(health_url(family, baby, "contacts/new/"), data)
    assert_error(
        response,
        "kind",
        f"{baby.full_name} already had a new birth visit on 12 September 2026",
        anchor="id_kind_0",
    )


def test_a_weight_in_pounds_is_an_error(
    signed_in: Client, actor: Actor, household: Household
) -> None:
    family, (baby,) = household(born=[dt.date(2026, 9, 10)])
    data = contact_data(baby, practitioner=str(actor.user.pk), weight="7lb 6oz")
    response = signed_in.post(health_url(family, baby, "contacts/new/"), data)
    assert_error(
        response, "weight", "Enter the weight in kilograms, like 3.45, with up to 3 decimal places"
    )


def test_an_unborn_babys_form_asks_only_what_an_antenatal_contact_records(
    signed_in: Client, household: Household
) -> None:
    family, (unborn,) = household(due=dt.date(2026, 11, 1))
    response = signed_in.get(health_url(family, unborn, "contacts/new/"))
    assert checked(response, "kind") == ["antenatal"]
    text = page(response)
    assert 'name="breastfeeding"' not in text
    assert 'name="weight"' not in text
    assert 'name="smoking_at_booking"' in text


# ---------------------------------------------------------------------------------------------
# Immunisations and a death


def test_the_immunisation_form_offers_the_outstanding_doses_with_those_due_ticked(
    signed_in: Client, household: Household
) -> None:
    family, (baby,) = household(born=[dt.date(2026, 7, 1)])  # 8 weeks on 26 August
    response = signed_in.get(health_url(family, baby, "immunisations/new/"))
    assert checked(response, "vaccines") == ["6in1_1", "menb_1", "rota_1"]
    data = {
        "vaccines": ["6in1_1", "menb_1"],
        "status": "declined",
        "place": "",
        "declined_reason": "",
        **date_parts("on_date", TODAY),
    }
    response = signed_in.post(health_url(family, baby, "immunisations/new/"), data)
    assert_error(response, "declined_reason", "Enter why the vaccines were declined")
    assert checked(response, "vaccines") == ["6in1_1", "menb_1"]
    data["declined_reason"] = "Wants to wait until after the holiday"
    response = signed_in.post(health_url(family, baby, "immunisations/new/"), data, follow=True)
    assert "2 immunisations recorded as declined" in page(response)
    assert "Wants to wait until after the holiday" in page(response)
    assert Immunisation.objects.count() == 2


def test_an_unborn_baby_has_no_immunisation_form(signed_in: Client, household: Household) -> None:
    family, (unborn,) = household(due=dt.date(2026, 11, 1))
    response = signed_in.get(health_url(family, unborn, "immunisations/new/"))
    assert response.status_code == 302
    assert response["Location"] == health_url(family, unborn)


def test_recording_a_death(signed_in: Client, household: Household) -> None:
    family, (child,) = household(born=[dt.date(2026, 8, 20)])
    url = health_url(family, child, "death/")
    assert f"Record that {child.full_name} has died" in page(signed_in.get(url))
    response = signed_in.post(url, date_parts("date_of_death", dt.date(2026, 8, 19)))
    assert_error(
        response,
        "date_of_death",
        f"The date must be on or after {child.full_name}'s date of birth, 20 August 2026",
        anchor="id_date_of_death_0",
    )
    response = signed_in.post(url, date_parts("date_of_death", dt.date(2026, 9, 1)), follow=True)
    text = page(response)
    assert f"{child.full_name} died on 1 September 2026." in text
    assert "Success" not in text
    assert "Record a review or contact" not in text
    assert ChronologyEvent.objects.filter(kind=EventKind.DEATH_RECORDED).exists()
    # Nothing more is recorded for them.
    again = signed_in.get(health_url(family, child, "contacts/new/"))
    assert again.status_code == 302

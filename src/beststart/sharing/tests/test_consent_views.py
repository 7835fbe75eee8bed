"""The consent pages: record a consent through the form and "Check your answers" with nothing
typed ever lost, view and withdraw it, see who can see the family and who has looked; a
withdrawal stops the sharing on the very next request; and everyone else gets a 404."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from beststart.accounts.actors import Actor
from beststart.accounts.models import Role
from beststart.accounts.tests.factories import TeamFactory, make_actor
from beststart.audit.models import AuditEvent, Outcome
from beststart.audit.tests.factories import AuditEventFactory
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.families.models import EventKind, Relationship
from beststart.families.tests.factories import ChronologyEventFactory
from beststart.families.tests.test_views import (
    assert_error,
    checked,
    date_parts,
    error_summary,
    input_value,
    page,
)
from beststart.sharing.models import Consent, ConsentMethod
from beststart.sharing.tests.factories import days_from_today
from beststart.sharing.tests.test_consent_selectors import Shared, shared_family

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(actor: Actor, other_actor: Actor) -> Shared:
    return shared_family(actor, other_actor)


def url(name: str, shared: Shared, **ids: int) -> str:
    return reverse(f"sharing:{name}", kwargs={"family_id": shared.family.pk, **ids})


def consent_answers(shared: Shared, **overrides: Any) -> dict[str, Any]:
    """The mother's written consent to share her health and family support information with
    family hubs and, by name, the family hub that works with her."""
    data = {
        "step": "check",
        "person": str(shared.mother.pk),
        "given_by": str(shared.mother.pk),
        "categories": ["health", "family_support"],
        "recipient_types": ["family_hub"],
        "recipient_organisations": [str(shared.family_hubs.pk)],
        "purpose": "early_help",
        "method": ConsentMethod.WRITTEN.value,
        "evidence": "Form CF-2291",
        **date_parts("starts_on", clock.today()),
        **date_parts("expires_on", days_from_today(365)),
    }
    return {key: value for key, value in (data | overrides).items() if value is not None}


def assert_answers_kept(response: Any, data: dict[str, Any]) -> None:
    for name in ("person", "given_by", "purpose", "method"):
        assert checked(response, name) == ([data[name]] if data.get(name) else []), name
    for name in ("categories", "recipient_types", "recipient_organisations"):
        assert checked(response, name) == data.get(name, []), name
    for name in ("evidence", "starts_on_day", "starts_on_month", "starts_on_year"):
        assert (input_value(response, name) or "") == data[name], name


def hidden_values(response: Any) -> list[tuple[str, str]]:
    return re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page(response))


# ---------------------------------------------------------------------------------------------
# Recording a consent


def test_the_empty_form(signed_in: Client, shared: Shared) -> None:
    response = signed_in.get(url("record-consent", shared))
    assert response.status_code == 200
    text = page(response)
    assert "<title>Record consent \N{EN DASH} " in text
    assert (input_value(response, "starts_on_day"), input_value(response, "starts_on_year")) == (
        str(clock.today().day),
        str(clock.today().year),
    )
    categories = re.findall(r'<input[^>]*name="categories"[^>]*>', text)
    assert [re.search(r'value="(\w+)"', tag).group(1) for tag in categories] == [  # type: ignore[union-attr]
        "identity",
        "health",
        "development",
        "family_support",
    ]
    assert all('type="checkbox"' in tag for tag in categories)
    # Named organisations: those working with the family.
    offered = re.findall(r'name="recipient_organisations"[^>]*value="(\d+)"', text)
    assert sorted(offered) == sorted([str(shared.health_visiting.pk), str(shared.family_hubs.pk)])
    # Only adults give consent.
    assert re.findall(r'name="given_by"[^>]*value="(\d+)"', text) == [str(shared.mother.pk)]


def test_check_your_answers_change_them_then_record(
    signed_in: Client, shared: Shared, actor: Actor
) -> None:
    form_url = url("record-consent", shared)
    data = consent_answers(shared)
    before = Consent.objects.count()

    check = signed_in.post(form_url, data)
    assert check.status_code == 200
    text = page(check)
    assert "Check your answers before recording consent" in text
    for answer in (
        shared.mother.full_name,
        "Health, Family support",
        "Children&#x27;s centre or family hub",
        "Testshire Family Hubs",
        "Early help and family support",
        "Written, signed form",
        "Form CF-2291",
    ):
        assert answer in text, answer
    assert 'formaction="#id_categories_0"' in text
    assert 'formaction="#id_evidence"' in text
    assert ("categories", "health") in hidden_values(check)
    assert ("categories", "family_support") in hidden_values(check)
    assert Consent.objects.count() == before

    # Change: back to the form with everything kept.
    carried: dict[str, Any] = {}
    for name, value in hidden_values(check):
        carried.setdefault(name, []).append(value)
    change = signed_in.post(form_url, {**carried, "step": "change"})
    assert '<h1 class="govuk-heading-l">Record consent</h1>' in page(change)
    assert "There is a problem" not in page(change)
    assert_answers_kept(change, data)

    confirmed = signed_in.post(form_url, {**carried, "step": "confirm"})
    consent = Consent.objects.exclude(pk=shared.consent.pk).get()
    assert confirmed.status_code == 302
    assert confirmed["Location"] == url("consent-recorded", shared, consent_id=consent.pk)
    assert (consent.person, consent.given_by, consent.categories) == (
        shared.mother,
        shared.mother,
        ["health", "family_support"],
    )
    assert list(consent.recipient_organisations.all()) == [shared.family_hubs]
    assert (consent.method, consent.evidence, consent.recorded_by) == (
        "written",
        "Form CF-2291",
        actor.user,
    )
    done = signed_in.get(confirmed["Location"])
    assert 'class="govuk-panel govuk-panel--confirmation"' in page(done)
    assert f"<strong>{consent.pk}</strong>" in page(done)
    assert f'href="{url("overview", shared)}"' in page(done)
    assert f'href="/families/{shared.family.pk}/"' in page(done)


def test_a_missing_answer_is_explained_and_everything_typed_is_kept(
    signed_in: Client, shared: Shared
) -> None:
    data = consent_answers(shared, categories=None, purpose=None)
    response = signed_in.post(url("record-consent", shared), data)
    assert_error(
        response,
        "categories",
        "Select at least one kind of information to share",
        anchor="id_categories_0",
    )
    assert_error(
        response,
        "purpose",
        "Select what the information will be shared for",
        anchor="id_purpose_0",
    )
    assert_answers_kept(response, data)
    assert Consent.objects.count() == 1


def test_who_gave_consent_and_the_evidence_are_checked_before_check_your_answers(
    signed_in: Client, shared: Shared
) -> None:
    Relationship.objects.filter(child=shared.child).update(has_parental_responsibility=False)
    data = consent_answers(
        shared,
        person=str(shared.child.pk),
        evidence="",
        **date_parts("expires_on", clock.today()),
    )
    response = signed_in.post(url("record-consent", shared), data)
    assert "Check your answers" not in page(response)
    assert [anchor for anchor, _ in error_summary(response)] == [
        "id_given_by_0",
        "id_evidence",
        "id_expires_on_0",
    ]
    assert_error(
        response,
        "evidence",
        "Enter where the signed form is kept, for example its reference number",
    )
    assert_answers_kept(response, data)


def test_confirming_checks_everything_again(signed_in: Client, shared: Shared) -> None:
    data = consent_answers(shared, step="confirm", method="written", evidence="")
    response = signed_in.post(url("record-consent", shared), data)
    assert_error(
        response,
        "evidence",
        "Enter where the signed form is kept, for example its reference number",
    )
    assert Consent.objects.count() == 1


# ---------------------------------------------------------------------------------------------
# The sharing page, a consent, withdrawing it


def test_the_sharing_page(signed_in: Client, shared: Shared) -> None:
    response = signed_in.get(url("overview", shared))
    assert response.status_code == 200
    text = page(response)
    assert '<h1 class="govuk-heading-l">Sharing and consent</h1>' in text
    assert f'<h3 class="govuk-heading-s">{shared.mother.full_name}</h3>' in text
    assert '<strong class="govuk-tag govuk-tag--green">In force</strong>' in text
    assert f'href="{url("consent", shared, consent_id=shared.consent.pk)}"' in text
    assert f'href="{url("record-consent", shared)}"' in text
    assert "Riverside Family Hub: Family hub worker" in text
    assert (
        f"Statutory duty: the Healthy Child Programme; agreement {shared.agreement.reference}"
        in text
    )
    assert "No one has emergency (break-glass) access to this record now." in text
    assert "Nothing is shared to protect a child now." in text


def test_the_record_links_to_sharing_and_to_each_members_access_log(
    signed_in: Client, shared: Shared
) -> None:
    text = page(signed_in.get(f"/families/{shared.family.pk}/"))
    assert f'href="{url("overview", shared)}">Sharing and consent</a>' in text
    for person in (shared.mother, shared.child):
        link = url("access-log", shared, person_id=person.pk)
        assert f'href="{link}">Who has looked at {person.full_name}\'s record</a>' in text


def test_a_consent_its_history_and_withdrawing_it(signed_in: Client, shared: Shared) -> None:
    consent_url = url("consent", shared, consent_id=shared.consent.pk)
    withdraw_url = url("withdraw-consent", shared, consent_id=shared.consent.pk)
    text = page(signed_in.get(consent_url))
    assert "Health, Family support" in text
    assert "Agreed at the new birth visit" in text
    assert f"Recorded by {shared.hub_worker.user}" in text
    assert f'href="{withdraw_url}">Withdraw consent</a>' in text

    preview = page(signed_in.get(withdraw_url))
    assert (
        "Riverside Family Hub will no longer see health information that Testshire Health "
        f"Visiting records about {shared.mother.full_name}" in preview
    )
    assert "records about the family as a whole" in preview
    assert "Withdrawal takes effect at once" in preview

    response = signed_in.post(withdraw_url, {"reason": "She asked us to stop"})
    assert response.status_code == 302
    assert response["Location"] == url("overview", shared)
    banner = page(signed_in.get(response["Location"]))
    assert "Consent withdrawn: from now on, it allows no sharing" in banner
    assert '<strong class="govuk-tag govuk-tag--red">Withdrawn</strong>' in banner
    shared.consent.refresh_from_db()
    assert shared.consent.withdrawal_reason == "She asked us to stop"

    text = page(signed_in.get(consent_url))
    assert "Withdraw consent</a>" not in text
    assert "Reason: She asked us to stop" in text
    assert "This consent was withdrawn on" in page(signed_in.get(withdraw_url))
    again = signed_in.post(withdraw_url, {"reason": ""})
    assert again.status_code == 200
    assert error_summary(again) == [
        ("", f"This consent was already withdrawn on {clock.today():%-d %B %Y}")
    ]


def test_a_long_reason_is_explained_and_kept(signed_in: Client, shared: Shared) -> None:
    reason = "x" * 501
    response = signed_in.post(
        url("withdraw-consent", shared, consent_id=shared.consent.pk), {"reason": reason}
    )
    assert response.status_code == 200
    assert "There is a problem" in page(response)
    assert f"{reason}</textarea>" in page(response)
    shared.consent.refresh_from_db()
    assert shared.consent.withdrawn_at is None


def test_withdrawal_is_effective_on_the_next_request(
    client_for: Callable[[Actor], Client], shared: Shared
) -> None:
    """The health visitors' health entry about the mother reaches the family hub worker under
    her consent; once she withdraws it, the very next page no longer shows it."""
    ChronologyEventFactory(
        family=shared.family,
        person=shared.mother,
        category=DataCategory.HEALTH,
        team=shared.health_visitor.team,
        summary="Mood check at 6 weeks: referred to perinatal mental health",
    )
    hub = client_for(shared.hub_worker)
    record = f"/families/{shared.family.pk}/"
    assert "Mood check at 6 weeks" in page(hub.get(record))

    withdrawn = hub.post(
        url("withdraw-consent", shared, consent_id=shared.consent.pk), {"reason": ""}
    )
    assert withdrawn.status_code == 302

    after = page(hub.get(record))
    assert "Mood check at 6 weeks" not in after
    assert f"Consent {shared.consent.pk} for {shared.mother.full_name} withdrawn" in after
    refused = AuditEvent.objects.filter(
        user_id=shared.hub_worker.user.pk, category=DataCategory.HEALTH, outcome=Outcome.DENIED
    )
    assert refused.filter(basis="consent withdrawn").exists()


def test_the_access_log_page(signed_in: Client, shared: Shared) -> None:
    AuditEventFactory(
        family_id=shared.family.pk,
        person_id=shared.mother.pk,
        user_id=shared.hub_worker.user.pk,
        role=Role.FAMILY_HUB_WORKER,
        organisation_id=shared.family_hubs.pk,
        action=AccessAction.VIEW,
        category=DataCategory.HEALTH,
        outcome=Outcome.DENIED,
        basis="consent withdrawn",
    )
    AuditEventFactory.create_batch(55, family_id=shared.family.pk, person_id=shared.mother.pk)
    log_url = url("access-log", shared, person_id=shared.mother.pk)
    text = page(signed_in.get(log_url))
    assert f"Who has looked at {shared.mother.full_name}'s record" in text
    assert "57 accesses" in text  # with this opening
    assert 'href="?page=2"' in text
    second = page(signed_in.get(log_url + "?page=2"))
    assert str(shared.hub_worker.user) in second
    assert "Testshire Family Hubs" in second
    assert '<strong class="govuk-tag govuk-tag--red">Refused</strong> Consent withdrawn' in second
    assert "Viewed: health" in second


# ---------------------------------------------------------------------------------------------
# Everyone else: not found


PAGES = [
    ("overview", {}),
    ("record-consent", {}),
    ("consent", {"consent_id": "consent"}),
    ("consent-recorded", {"consent_id": "consent"}),
    ("withdraw-consent", {"consent_id": "consent"}),
    ("access-log", {"person_id": "mother"}),
]


@pytest.mark.parametrize(("name", "ids"), PAGES, ids=[name for name, _ in PAGES])
@pytest.mark.parametrize(
    "who", ["practitioner in another team", Role.COMMISSIONER, Role.PRIVACY_OFFICER]
)
def test_everyone_else_gets_not_found(
    client_for: Callable[[Actor], Client],
    shared: Shared,
    name: str,
    ids: dict[str, str],
    who: str,
) -> None:
    if who in Role.values:
        outsider = make_actor(who, shared.health_visitor.team)
    else:
        outsider = make_actor(Role.HEALTH_VISITOR, TeamFactory())
    client = client_for(outsider)
    target = url(name, shared, **{key: getattr(shared, value).pk for key, value in ids.items()})
    for response in (
        client.get(target),
        client.post(target, consent_answers(shared, step="confirm") | {"reason": "x"}),
    ):
        assert response.status_code in (404, 405)
        if response.status_code == 404:
            assert "Page not found" in page(response)
            assert shared.mother.full_name not in page(response)
    shared.consent.refresh_from_db()
    assert shared.consent.withdrawn_at is None
    assert Consent.objects.count() == 1
    assert not AuditEvent.objects.filter(user_id=outsider.user.pk, outcome=Outcome.ALLOWED)
    assert not shared.family.chronology.filter(
        kind__in=[EventKind.CONSENT_GIVEN, EventKind.CONSENT_WITHDRAWN]
    ).exists()

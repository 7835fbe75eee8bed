"""The referral pages as practitioners use them: the queues, making a referral (from a record,
or typed and checked against the register first), a referral and each step of its life,
matching it to the register, the dashboard and the routing rules. Errors are GOV.UK errors
that keep what was typed; everyone else gets a 404, and a refusal about a referral is
audited."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from beststart.accounts.actors import Actor
from beststart.accounts.models import OrganisationType, Role, Team
from beststart.accounts.tests.factories import OrganisationFactory, TeamFactory, make_actor
from beststart.audit.models import AuditEvent, Outcome
from beststart.core import clock
from beststart.core.categories import AccessAction, DataCategory
from beststart.families.models import Family, PersonKind
from beststart.families.tests.factories import family_with_people
from beststart.families.tests.test_views import assert_error, date_parts, page
from beststart.places.tests.factories import PostcodeFactory
from beststart.referrals.actions import NO_CONSENT_MESSAGE
from beststart.referrals.models import (
    Need,
    Referral,
    ReferralService,
    ReferralStep,
    RoutingRule,
    Status,
    StepKind,
    Urgency,
)
from beststart.referrals.models import (
    Outcome as ReferralOutcome,
)
from beststart.referrals.tests.factories import (
    ReferralFactory,
    ReferralServiceFactory,
    RoutingRuleFactory,
)
from beststart.referrals.working_days import add_working_days
from beststart.sharing.models import ConsentMethod

pytestmark = pytest.mark.django_db


@dataclass
class Parties:
    """A family hub's parenting service and its worker, the health visitor who refers (the
    `world` actor), a triage officer, and a team that is no party."""

    service: ReferralService
    hub: Actor
    referrer: Actor
    triage: Actor
    outsider: Actor
    family: Family


@pytest.fixture
def parties(world: Any) -> Parties:
    hubs = OrganisationFactory(name="Testshire Hubs", type=OrganisationType.FAMILY_HUB)
    hub_team = TeamFactory(organisation=hubs, name="Brookside Family Hub")
    service = ReferralServiceFactory(name="Parenting support", team=hub_team)
    return Parties(
        service=service,
        hub=make_actor(Role.FAMILY_HUB_WORKER, hub_team),
        referrer=world.actor,
        triage=make_actor(Role.TRIAGE_OFFICER, TeamFactory(name="Front Door")),
        outsider=world.other_actor,
        family=world.family,
    )


def referral_of(parties: Parties, **fields: Any) -> Referral:
    """A referral from the health visitor's team to the hub's queue."""
    fields.setdefault("service", parties.service)
    fields.setdefault("referrer", parties.referrer.user)
    fields.setdefault("referrer_team", parties.referrer.team)
    return ReferralFactory(**fields)


def banner(response: Any) -> str:
    match = re.search(r'govuk-notification-banner__heading">(.*?)</p>', page(response), re.S)
    return html.unescape(match.group(1)) if match else ""


def denied(actor: Actor, response: Any, action: str | None = None) -> bool:
    events = AuditEvent.objects.filter(
        request_id=response["X-Request-Id"], user_id=actor.user.pk, outcome=Outcome.DENIED
    )
    return (events.filter(action=action) if action else events).exists()


def text(response: Any) -> str:
    """The page's words, without markup, as someone reading it would find them."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page(response))).split())


# ---------------------------------------------------------------------------------------------
# Queues


def test_the_queue_lists_the_teams_referrals_most_urgent_first_and_warns_of_breaches(
    parties: Parties, client_for: Callable[[Actor], Client]
) -> None:
    late = referral_of(
        parties, first_contact_due=clock.today() - dt.timedelta(days=2), urgency=Urgency.URGENT
    )
    waiting = referral_of(parties)
    elsewhere = ReferralFactory()  # another team's queue
    response = client_for(parties.hub).get(reverse("referrals:queue"))
    body = page(response)
    assert response.status_code == 200
    assert late.reference in body
    assert waiting.reference in body
    assert elsewhere.reference not in body
    assert body.index(late.reference) < body.index(waiting.reference)
    assert "1 referral in your team's queue is past the target" in text(response)
    row = body[body.index(late.reference) : body.index(waiting.reference)]
    assert "Past target" in row
    assert "Urgent" in row
    listed = AuditEvent.objects.filter(
        request_id=response["X-Request-Id"], action=AccessAction.LIST, outcome=Outcome.ALLOWED
    )
    assert listed.count() == 2


def test_the_queue_has_the_scopes_of_the_actors_part(
    parties: Parties, client_for: Callable[[Actor], Client]
) -> None:
    sent = referral_of(parties)
    referrer = client_for(parties.referrer)
    assert sent.reference not in page(referrer.get(reverse("referrals:queue")))
    assert sent.reference in page(referrer.get(reverse("referrals:queue") + "?scope=sent"))
    # "all" is triage's: anyone else gets their own queue.
    everything = page(referrer.get(reverse("referrals:queue") + "?scope=all"))
    assert sent.reference not in everything
    assert "All referrals" not in everything
    triage = page(client_for(parties.triage).get(reverse("referrals:queue")))
    assert "All referrals" in triage
    assert sent.reference in triage


def test_the_queue_filters_by_status_and_service_and_keeps_the_filters_across_pages(
    parties: Parties, client_for: Callable[[Actor], Client]
) -> None:
    other_service = ReferralServiceFactory(team=parties.service.team, name="Stay and Play")
    for _ in range(26):
        referral_of(parties)
    other = referral_of(parties, service=other_service)
    closed = referral_of(parties, status=Status.COMPLETED)
    client = client_for(parties.hub)
    url = reverse("referrals:queue")
    first = client.get(url, {"status": "open", "service": parties.service.pk})
    assert first.content.decode().count('href="/referrals/') >= 25
    assert other.reference not in page(first)
    assert closed.reference not in page(first)
    assert f"scope=queue&amp;status=open&amp;service={parties.service.pk}&amp;page=2" in page(first)
    second = client.get(url, {"status": "open", "service": parties.service.pk, "page": 2})
    assert "referral" in page(second)
    assert closed.reference in page(client.get(url, {"status": "closed"}))
    assert closed.reference in page(client.get(url, {"status": Status.COMPLETED}))
    assert closed.reference not in page(client.get(url, {"status": "nonsense"}))


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.PRIVACY_OFFICER])
def test_the_queue_is_not_there_for_roles_that_do_not_work_with_records(
    role: str, team: Team, client_for: Callable[[Actor], Client]
) -> None:
    assert client_for(make_actor(role, team)).get(reverse("referrals:queue")).status_code == 404


# ---------------------------------------------------------------------------------------------
# Making a referral


def referral_form(parties: Parties, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "step": "details",
        "service": parties.service.pk,
        "need": Need.PARENTING,
        "urgency": Urgency.ROUTINE,
        "reason": "Finding bedtimes hard since the twins arrived.",
        "contact_name": "Ffion Marchbank, mother",
        "contact_phone": "07700 900456",
        "contact_email": "",
        "consent_agreed": "yes",
        "consent_given_by": "Ffion Marchbank, mother",
        "consent_method": ConsentMethod.VERBAL,
        **date_parts("consent_given_on", clock.today()),
        "consent_categories": [DataCategory.IDENTITY, DataCategory.FAMILY_SUPPORT],
    }
    data.update(changes)
    return data


def typed_person(postcode: str, **changes: Any) -> dict[str, Any]:
    return {
        "given_name": "Tamsin",
        "family_name": "Marchbank",
        **date_parts("date_of_birth", clock.today() - dt.timedelta(days=400)),
        "nhs_number": "",
        "postcode": postcode,
        **changes,
    }


def test_a_referral_from_the_family_record_takes_the_person_from_the_record(
    parties: Parties, client_for: Callable[[Actor], Client]
) -> None:
    client = client_for(parties.referrer)
    url = reverse("referrals:new-for-family", kwargs={"family_id": parties.family.pk})
    form = client.get(url)
    child = parties.family.members.get(kind=PersonKind.CHILD)
    assert form.status_code == 200
    assert child.full_name in page(form)
    assert 'name="given_name"' not in page(form), "the person is not typed again"
    assert 'name="postcode"' not in page(form), "the family's postcode comes from the record"
    response = client.post(url, referral_form(parties, person=child.pk), follow=True)
    referral = Referral.objects.get()
    assert (referral.family, referral.person) == (parties.family, child)
    assert referral.given_name == child.given_name
    assert referral.date_of_birth == child.date_of_birth
    assert referral.postcode == parties.family.addresses.get().postcode
    assert referral.referrer_team == parties.referrer.team
    assert banner(response) == (
        f"Referral {referral.reference} sent to {parties.service.team.name}"
    )
    assert response.redirect_chain[-1][0] == reverse(
        "referrals:referral", kwargs={"referral_id": referral.pk}
    )


def test_the_family_record_offers_a_referral(
    parties: Parties, client_for: Callable[[Actor], Client]
) -> None:
    response = client_for(parties.referrer).get(
        reverse("families:record", kwargs={"family_id": parties.family.pk})
    )
    assert reverse("referrals:new-for-family", kwargs={"family_id": parties.family.pk}) in page(
        response
    )


def test_a_family_the_team_does_not_work_with_cannot_be_referred_from_its_record(
    parties: Parties, world: Any, client_for: Callable[[Actor], Client]
) -> None:
    url = reverse("referrals:new-for-family", kwargs={"family_id": world.other_family.pk})
    response = client_for(parties.referrer).get(url)
    assert response.status_code == 404
    assert AuditEvent.objects.filter(
        request_id=response["X-Request-Id"],
        family_id=world.other_family.pk,
        outcome=Outcome.DENIED,
    ).exists()


def test_a_withheld_address_is_not_sent_so_the_postcode_is_asked_for(
    parties: Parties, client_for: Callable[[Actor], Client]
) -> None:
    family = family_with_people(
        team=parties.referrer.team, practitioner=parties.referrer.user, withheld=True
    )
    url = reverse("referrals:new-for-family", kwargs={"family_id": family.pk})
    client = client_for(parties.referrer)
    assert 'name="postcode"' in page(client.get(url))
    postcode = PostcodeFactory().postcode
    child = family.members.get(kind=PersonKind.CHILD)
    client.post(url, referral_form(parties, person=child.pk, postcode=postcode))
    assert Referral.objects.get().postcode == postcode


def test_no_consent_is_refused_with_the_reason_and_everything_typed_is_kept(
    parties: Parties, client_for: Callable[[Actor], Client]
) -> None:
    postcode = PostcodeFactory().postcode
    data = referral_form(parties, consent_agreed="no", **typed_person(postcode))
    response = client_for(parties.referrer).post(reverse("referrals:new"), data)
    assert_error(response, "consent_agreed", NO_CONSENT_MESSAGE, anchor="id_consent_agreed_0")
    assert not Referral.objects.exists()
    body = page(response)
    assert "Finding bedtimes hard since the twins arrived." in body
    assert 'value="Marchbank"' in body
    assert f'value="{postcode}"' in body
    assert 'value="no" checked' in body


def test_form_errors_are_beside_their_fields_and_keep_what_was_typed(
    parties: Parties, client_for: Callable[[Actor], Client]
) -> None:
    data = referral_form(
        parties,
        contact_phone="",
        consent_given_by="",
        **typed_person("XW9 9ZZ", **date_parts("date_of_birth", ("31", "2", "2025"))),
    )
    response = client_for(parties.referrer).post(reverse("referrals:new"), data)
    assert_error(
        response, "date_of_birth", "Date of birth must be a real date", anchor="id_date_of_birth_0"
    )
    assert_error(
        response, "contact_phone", "Enter a phone number or an email address to contact the family"
    )
    assert_error(response, "consent_given_by", "Enter who agreed to the referral")
    assert 'value="31"' in page(response)
    assert 'value="XW9 9ZZ"' in page(response)


def test_an_unknown_postcode_is_the_actions_error_beside_the_field(
    parties: Parties, client_for: Callable[[Actor], Client]
) -> None:
    data = referral_form(parties, **typed_person("XW9 9ZZ"))
    response = client_for(parties.referrer).post(reverse("referrals:new"), data)
    assert_error(
        response, "postcode", "Enter a postcode in the area this service covers, like XW1 2AB"
    )
    assert not Referral.objects.exists()


def test_a_person_no_one_on_the_register_matches_is_referred_pending_checks(
    parties: Parties, client_for: Callable[[Actor], Client]
) -> None:
    data = referral_form(parties, **typed_person(PostcodeFactory().postcode))
    response = client_for(parties.referrer).post(reverse("referrals:new"), data)
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert referral.family is None
    assert (referral.given_name, referral.family_name) == ("Tamsin", "Marchbank")


def test_search_before_create_asks_whether_a_match_is_the_person(
    parties: Parties, client_for: Callable[[Actor], Client]
) -> None:
    child = parties.family.members.get(kind=PersonKind.CHILD)
    postcode = PostcodeFactory().postcode
    data = referral_form(
        parties,
        **typed_person(
            postcode,
            given_name=child.given_name,
            family_name=child.family_name,
            **date_parts("date_of_birth", child.date_of_birth),
        ),
    )
    client = client_for(parties.referrer)
    check = client.post(reverse("referrals:new"), data)
    assert check.status_code == 200
    assert "Is this the person?" in page(check)
    assert child.full_name in page(check)
    assert "None of these: send the referral and let the receiving team check" in page(check)
    assert not Referral.objects.exists()
    # Everything typed travels on in hidden inputs.
    assert 'type="hidden" name="reason" value="Finding bedtimes hard' in page(check)
    assert 'type="hidden" name="consent_categories" value="family_support"' in page(check)
    assert AuditEvent.objects.filter(
        request_id=check["X-Request-Id"],
        action=AccessAction.IDENTITY_CHECK,
        person_id=child.pk,
    ).exists()

    chosen = client.post(
        reverse("referrals:new"),
        {**data, "step": "confirm", "match": f"{parties.family.pk}:{child.pk}"},
    )
    referral = Referral.objects.get()
    assert chosen.status_code == 302
    assert (referral.family, referral.person) == (parties.family, child)
    assert referral.consent_categories == [DataCategory.IDENTITY, DataCategory.FAMILY_SUPPORT]


def test_none_of_these_sends_the_referral_unmatched(
    parties: Parties, client_for: Callable[[Actor], Client]
) -> None:
    mother = parties.family.members.get(kind=PersonKind.PARENT)
    data = referral_form(
        parties,
        step="confirm",
        match="none",
        **typed_person(
            PostcodeFactory().postcode,
            given_name=mother.given_name,
            family_name=mother.family_name,
            **date_parts("date_of_birth", mother.date_of_birth),
        ),
    )
    client_for(parties.referrer).post(reverse("referrals:new"), data)
    assert Referral.objects.get().family is None


def test_a_match_the_check_did_not_find_cannot_be_posted(
    parties: Parties, world: Any, client_for: Callable[[Actor], Client]
) -> None:
    mother = parties.family.members.get(kind=PersonKind.PARENT)
    stranger = world.other_family.members.get(kind=PersonKind.PARENT)
    data = referral_form(
        parties,
        step="confirm",
        match=f"{world.other_family.pk}:{stranger.pk}",
        **typed_person(
            PostcodeFactory().postcode,
            given_name=mother.given_name,
            family_name=mother.family_name,
            **date_parts("date_of_birth", mother.date_of_birth),
        ),
    )
    response = client_for(parties.referrer).post(reverse("referrals:new"), data)
    assert response.status_code == 200
    assert "Select the person you are referring, or none of these" in page(response)
    assert not Referral.objects.exists()


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.PRIVACY_OFFICER])
def test_only_practitioners_make_referrals(
    role: str, team: Team, client_for: Callable[[Actor], Client]
) -> None:
    assert client_for(make_actor(role, team)).get(reverse("referrals:new")).status_code == 404


# ---------------------------------------------------------------------------------------------
# A referral


def url_of(referral: Referral, step: str | None = None) -> str:
    if step:
        return reverse("referrals:step", kwargs={"referral_id": referral.pk, "step": step})
    return reverse("referrals:referral", kwargs={"referral_id": referral.pk})


def test_the_receiving_team_opening_a_referral_receives_it(
    parties: Parties, client_for: Callable[[Actor], Client]
) -> None:
    referral = referral_of(parties, urgency=Urgency.URGENT)
    response = client_for(parties.hub).get(url_of(referral))
    referral.refresh_from_db()
    assert referral.status == Status.RECEIVED
    assert ReferralStep.objects.filter(referral=referral, kind=StepKind.RECEIVED).count() == 1
    words = text(response)
    assert "Received" in words
    assert referral.reason in words
    assert "Morwenna Quillfeather" in words
    assert "Identity and contact" in words
    assert "Accept the referral" in words
    assert "Not matched to the register yet" in words
    assert reverse("referrals:match", kwargs={"referral_id": referral.pk}) in page(response)
    # Opened again, nothing more happens.
    client_for(parties.hub).get(url_of(referral))
    assert ReferralStep.objects.filter(referral=referral, kind=StepKind.RECEIVED).count() == 1


def test_the_referrer_opening_it_does_not_receive_it(
    parties: Parties, client_for: Callable[[Actor], Client]
) -> None:
    referral = referral_of(parties)
    response = client_for(parties.referrer).get(url_of(referral))
    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED
    assert "Withdraw the referral" in text(response)
    assert "Accept the referral" not in text(response)


def test_a_breached_referral_says_so_with_the_days_waiting(
    parties: Parties, client_for: Callable[[Actor], Client]
) -> None:
    submitted = clock.now() - dt.timedelta(days=14)
    referral = referral_of(
        parties,
        submitted_at=submitted,
        first_contact_due=add_working_days(clock.localdate(submitted), 5),
    )
    words = text(client_for(parties.referrer).get(url_of(referral)))
    assert "Past the target for first contact" in words
    assert re.search(r"Waiting \d+ working days", words)


def test_a_matched_referral_links_to_the_family_record(
    parties: Parties, client_for: Callable[[Actor], Client]
) -> None:
    referral = referral_of(parties, family=parties.family)
    response = client_for(parties.referrer).get(url_of(referral))
    assert reverse("families:record", kwargs={"family_id": parties.family.pk}) in page(response)


def test_a_team_that_is_no_party_gets_a_404_and_the_refusal_is_audited(
    parties: Parties, client_for: Callable[[Actor], Client]
) -> None:
    referral = referral_of(parties)
    client = client_for(parties.outsider)
    for url in (
        url_of(referral),
        url_of(referral, StepKind.INFORMATION_REQUESTED),
        reverse("referrals:match", kwargs={"referral_id": referral.pk}),
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert denied(parties.outsider, response, AccessAction.VIEW)
    response = client.post(url_of(referral, StepKind.WITHDRAWN), {"withdrawn-reason": "No"})
    assert response.status_code == 404
    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED


# ---------------------------------------------------------------------------------------------
# Steps


def step(client: Client, referral: Referral, kind: str, **fields: Any) -> Any:
    return client.post(url_of(referral, kind), {f"{kind}-{name}": v for name, v in fields.items()})


def test_the_receiving_team_takes_a_referral_through_to_its_outcome(
    parties: Parties, client_for: Callable[[Actor], Client]
) -> None:
    child = parties.family.members.get(kind=PersonKind.CHILD)
    referral = referral_of(parties, family=parties.family, person=child)
    hub = client_for(parties.hub)
    hub.get(url_of(referral))
    accepted = step(hub, referral, StepKind.ACCEPTED)
    assert accepted.status_code == 302
    assert banner(hub.get(accepted["Location"])).startswith(
        f"Referral {referral.reference} accepted"
    )
    for kind, fields, status in (
        (StepKind.CONTACTED, {"note": "Rang and spoke to mum"}, Status.CONTACTED),
        (StepKind.SUPPORT_STARTED, {}, Status.SUPPORT_STARTED),
        (StepKind.COMPLETED, {"outcome": ReferralOutcome.NEED_MET}, Status.COMPLETED),
    ):
        assert step(hub, referral, kind, **fields).status_code == 302
        referral.refresh_from_db()
        assert referral.status == status
    assert referral.outcome == ReferralOutcome.NEED_MET
    notes = list(ReferralStep.objects.filter(referral=referral).values_list("note", flat=True))
    assert "Rang and spoke to mum" in notes


def test_each_step_has_its_own_page_that_shows_errors_and_keeps_the_input(
    parties: Parties, client_for: Callable[[Actor], Client]
) -> None:
    referral = referral_of(parties, status=Status.RECEIVED)
    hub = client_for(parties.hub)
    page_of_step = hub.get(url_of(referral, StepKind.DECLINED))
    assert page_of_step.status_code == 200
    assert "Why are you declining it?" in page(page_of_step)
    response = step(hub, referral, StepKind.DECLINED, note="Spoke to the referrer")
    assert_error(
        response,
        "declined-reason",
        "Select why you are declining the referral",
        anchor="id_declined-reason_0",
    )
    assert "Spoke to the referrer" in page(response)
    declined = step(
        hub, referral, StepKind.DECLINED, reason="out_of_area", note="Lives in Eastshire"
    )
    assert declined.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.DECLINED
    assert referral.decline_reason == "out_of_area"


def test_a_step_the_state_does_not_allow_is_refused(
    parties: Parties, client_for: Callable[[Actor], Client]
) -> None:
    referral = referral_of(parties, status=Status.DECLINED, family=parties.family)
    hub = client_for(parties.hub)
    shown = hub.get(url_of(referral, StepKind.ACCEPTED))
    assert shown.status_code == 404
    assert denied(parties.hub, shown, AccessAction.UPDATE)
    posted = step(hub, referral, StepKind.ACCEPTED)
    assert posted.status_code == 200
    assert "This referral is declined, so it cannot be accepted now" in text(posted)
    referral.refresh_from_db()
    assert referral.status == Status.DECLINED


def test_a_step_that_is_not_the_actors_part_is_a_404_and_audited(
    parties: Parties, client_for: Callable[[Actor], Client]
) -> None:
    referral = referral_of(parties, status=Status.RECEIVED)
    referrer = client_for(parties.referrer)
    for response in (
        referrer.get(url_of(referral, StepKind.ACCEPTED)),
        step(referrer, referral, StepKind.DECLINED, reason="out_of_area"),
    ):
        assert response.status_code == 404
        assert denied(parties.referrer, response, AccessAction.UPDATE)
    referral.refresh_from_db()
    assert referral.status == Status.RECEIVED


@pytest.mark.parametrize("slug", ["received", "nonsense", "submitted"])
def test_an_unknown_step_is_a_404_and_audited(
    slug: str, parties: Parties, client_for: Callable[[Actor], Client]
) -> None:
    referral = referral_of(parties)
    response = client_for(parties.hub).get(url_of(referral, slug))
    assert response.status_code == 404
    assert denied(parties.hub, response, AccessAction.UPDATE)


def test_the_referrer_is_asked_for_information_and_gives_it(
    parties: Parties, client_for: Callable[[Actor], Client]
) -> None:
    referral = referral_of(parties)
    hub, referrer = client_for(parties.hub), client_for(parties.referrer)
    asked = step(hub, referral, StepKind.INFORMATION_REQUESTED, question="Is dad at home?")
    assert asked.status_code == 302
    shown = referrer.get(url_of(referral))
    assert "Is dad at home?" in text(shown)
    assert "Give more information" in text(shown)
    assert step(referrer, referral, StepKind.INFORMATION_GIVEN, answer="").status_code == 200
    assert step(referrer, referral, StepKind.INFORMATION_GIVEN, answer="Yes").status_code == 302
    referral.refresh_from_db()
    assert not referral.information_requested


def test_the_referrer_withdraws_a_referral(
    parties: Parties, client_for: Callable[[Actor], Client]
) -> None:
    referral = referral_of(parties)
    referrer = client_for(parties.referrer)
    response = step(referrer, referral, StepKind.WITHDRAWN, reason="The family moved away")
    assert response.status_code == 302
    assert banner(referrer.get(response["Location"])) == (
        f"Referral {referral.reference} withdrawn"
    )
    referral.refresh_from_db()
    assert referral.status == Status.WITHDRAWN


def test_triage_reroutes_a_referral_to_another_teams_queue(
    parties: Parties, client_for: Callable[[Actor], Client]
) -> None:
    other_team = ReferralServiceFactory(name="Speech and language").team
    referral = referral_of(parties)
    triage = client_for(parties.triage)
    form = triage.get(url_of(referral, StepKind.ROUTED))
    assert other_team.name in page(form)
    response = step(triage, referral, StepKind.ROUTED, team=other_team.pk, note="Closer to home")
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.team == other_team
    assert referral.status == Status.SUBMITTED


def test_triage_merges_a_duplicate(parties: Parties, client_for: Callable[[Actor], Client]) -> None:
    first = referral_of(parties, family_name="Quillfeather")
    duplicate = referral_of(parties, family_name="Quillfeather", date_of_birth=first.date_of_birth)
    triage = client_for(parties.triage)
    shown = triage.get(url_of(duplicate))
    assert first.reference in page(shown)
    response = step(triage, duplicate, StepKind.MERGED, into=first.pk)
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into) == (Status.MERGED, first)
    unrelated = referral_of(parties)
    assert "Merge as a duplicate" not in text(triage.get(url_of(unrelated)))
    assert step(triage, first, StepKind.MERGED, into=unrelated.pk).status_code == 200


# ---------------------------------------------------------------------------------------------
# Matching to the register


def test_the_receiving_team_matches_a_referral_to_the_register(
    parties: Parties, client_for: Callable[[Actor], Client]
) -> None:
    mother = parties.family.members.get(kind=PersonKind.PARENT)
    referral = referral_of(
        parties,
        given_name=mother.given_name,
        family_name=mother.family_name,
        date_of_birth=mother.date_of_birth,
    )
    hub = client_for(parties.hub)
    url = reverse("referrals:match", kwargs={"referral_id": referral.pk})
    shown = hub.get(url)
    assert shown.status_code == 200
    assert mother.full_name in page(shown)
    assert f"{reverse('families:create')}?next={url}" in page(shown)
    empty = hub.post(url, {})
    assert "Select the person you are referring, or none of these" in page(empty)
    response = hub.post(url, {"match": f"{parties.family.pk}:{mother.pk}"})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.family, referral.person) == (parties.family, mother)
    # Matched, there is nothing more to match.
    assert hub.get(url).status_code == 404


def test_a_family_created_for_the_referral_is_matched_on_return(
    parties: Parties, client_for: Callable[[Actor], Client]
) -> None:
    referral = referral_of(parties)
    family = family_with_people(team=parties.hub.team, practitioner=parties.hub.user)
    child = family.members.get(kind=PersonKind.CHILD)
    hub = client_for(parties.hub)
    url = reverse("referrals:match", kwargs={"referral_id": referral.pk})
    returned = hub.get(url, {"family": family.pk})
    assert child.full_name in page(returned)
    response = hub.post(url, {"returned": family.pk, "person": child.pk})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.person == child


# ---------------------------------------------------------------------------------------------
# The dashboard


def test_the_dashboard_counts_a_hand_made_set_of_referrals(
    parties: Parties, client_for: Callable[[Actor], Client]
) -> None:
    today = clock.today()

    def at(days_ago: int) -> dt.datetime:
        return clock.now() - dt.timedelta(days=days_ago)

    # Waiting: one within target, one past it (submitted four weeks ago, due a week later).
    referral_of(parties, submitted_at=at(1), first_contact_due=today + dt.timedelta(days=5))
    referral_of(parties, submitted_at=at(28), first_contact_due=today - dt.timedelta(days=21))
    # Contacted: one within its target, one after it.
    for days_to_contact, late in ((2, False), (8, True)):
        submitted = at(40)
        referral_of(
            parties,
            status=Status.CONTACTED,
            submitted_at=submitted,
            contacted_at=submitted + dt.timedelta(days=days_to_contact),
            first_contact_due=clock.localdate(submitted) + dt.timedelta(days=7 if not late else 3),
        )
    referral_of(parties, status=Status.DECLINED, submitted_at=at(60))
    referral_of(parties, status=Status.COMPLETED, submitted_at=at(500))  # too long ago

    response = client_for(parties.triage).get(reverse("referrals:dashboard"))
    assert response.status_code == 200
    body = page(response)
    row = re.search(r"<th scope=\"row\"[^>]*>Parenting support</th>(.*?)</tr>", body, re.S)
    assert row is not None
    cells = [
        " ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split())
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    ]
    assert cells[:5] == ["5", "4", "2", "1", "50% (1 of 2)"]
    assert cells[5] in {"3", "3.5", "4"}  # the median of two working-day counts
    assert 'role="img"' in body
    assert "<title id=" in body
    assert "style=" not in body
    assert "<style" not in body
    assert "Past target" in body
    # The age profile's table is there with the chart.
    assert "Referrals waiting for first contact, by queue and working days waiting" in body


def test_the_dashboard_names_no_one(
    parties: Parties, client_for: Callable[[Actor], Client]
) -> None:
    referral = referral_of(parties)
    response = client_for(make_actor(Role.COMMISSIONER, TeamFactory())).get(
        reverse("referrals:dashboard")
    )
    assert response.status_code == 200
    assert referral.family_name not in page(response)
    assert referral.reference not in page(response)
    assert not AuditEvent.objects.filter(request_id=response["X-Request-Id"]).exists()


@pytest.mark.parametrize("role", [Role.HEALTH_VISITOR, Role.PRIVACY_OFFICER])
def test_the_dashboard_is_not_there_for_other_roles(
    role: str, team: Team, client_for: Callable[[Actor], Client]
) -> None:
    response = client_for(make_actor(role, team)).get(reverse("referrals:dashboard"))
    assert response.status_code == 404


# ---------------------------------------------------------------------------------------------
# Routing rules


def test_routing_rules_are_added_and_removed(
    parties: Parties, client_for: Callable[[Actor], Client]
) -> None:
    triage = client_for(parties.triage)
    target = parties.service.team
    response = triage.post(
        reverse("referrals:new-rule"),
        {
            "service": parties.service.pk,
            "postcode_prefix": "xw12 ",
            "team": target.pk,
            "priority": "10",
            "need": "",
        },
        follow=True,
    )
    rule = RoutingRule.objects.get()
    assert (rule.service, rule.postcode_prefix, rule.priority, rule.team) == (
        parties.service,
        "XW12",
        10,
        target,
    )
    assert banner(response) == f"Rule added: it sends referrals to {target.name}"
    assert "XW12" in page(response)
    removed = triage.post(
        reverse("referrals:remove-rule", kwargs={"rule_id": rule.pk}), follow=True
    )
    rule.refresh_from_db()
    assert not rule.is_active
    assert "Rule removed" in banner(removed)
    assert (
        triage.post(reverse("referrals:remove-rule", kwargs={"rule_id": rule.pk})).status_code
        == 404
    )


def test_a_rule_without_conditions_is_a_catch_all_and_says_so(
    parties: Parties, client_for: Callable[[Actor], Client]
) -> None:
    response = client_for(parties.triage).post(
        reverse("referrals:new-rule"),
        {"team": parties.service.team.pk, "priority": "500"},
        follow=True,
    )
    assert "catches every referral" in banner(response)


def test_a_rule_form_error_keeps_the_input(
    parties: Parties, client_for: Callable[[Actor], Client]
) -> None:
    response = client_for(parties.triage).post(
        reverse("referrals:new-rule"), {"postcode_prefix": "12XW", "priority": "7"}
    )
    assert_error(
        response, "postcode_prefix", "Enter the start of a postcode, like XW, XW12 or XW12 3"
    )
    assert_error(response, "team", "Select the team the rule sends referrals to")
    assert 'value="12XW"' in page(response)
    assert not RoutingRule.objects.exists()


@pytest.mark.parametrize("role", [Role.HEALTH_VISITOR, Role.COMMISSIONER])
def test_routing_rules_are_for_triage_and_team_managers(
    role: str, team: Team, client_for: Callable[[Actor], Client]
) -> None:
    client = client_for(make_actor(role, team))
    rule = RoutingRuleFactory()
    assert client.get(reverse("referrals:routing")).status_code == 404
    assert client.get(reverse("referrals:new-rule")).status_code == 404
    remove = reverse("referrals:remove-rule", kwargs={"rule_id": rule.pk})
    assert client.post(remove).status_code == 404
    rule.refresh_from_db()
    assert rule.is_active


def test_a_team_manager_sees_the_rules(team: Team, client_for: Callable[[Actor], Client]) -> None:
    rule = RoutingRuleFactory(postcode_prefix="XW3")
    response = client_for(make_actor(Role.TEAM_MANAGER, team)).get(reverse("referrals:routing"))
    assert response.status_code == 200
    assert rule.team.name in page(response)


# ---------------------------------------------------------------------------------------------
# Navigation


@pytest.mark.parametrize(
    ("role", "referrals", "dashboard"),
    [
        (Role.HEALTH_VISITOR, True, False),
        (Role.TRIAGE_OFFICER, True, True),
        (Role.TEAM_MANAGER, True, True),
        (Role.COMMISSIONER, False, True),
        (Role.PRIVACY_OFFICER, False, False),
    ],
)
def test_the_navigation_offers_referrals_by_role(
    role: str, referrals: bool, dashboard: bool, team: Team, client_for: Callable[[Actor], Client]
) -> None:
    body = page(client_for(make_actor(role, team)).get(reverse("families:home"), follow=True))
    assert (f'href="{reverse("referrals:queue")}"' in body) is referrals
    assert (f'href="{reverse("referrals:dashboard")}"' in body) is dashboard

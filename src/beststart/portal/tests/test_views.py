"""The public pages for parents and carers: asking for help, the sent page, and following the
request by its private link. Bad input keeps everything typed; robots, hurried or replayed
forms and floods are turned away without writing anything; the status page and the e-mail
show no one's details."""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
from typing import Any

import pytest
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.test import Client, RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from beststart.accounts.models import Role
from beststart.accounts.tests.factories import TeamFactory, make_actor
from beststart.core import clock
from beststart.core.categories import DataCategory
from beststart.families.tests.test_views import (
    assert_error,
    checked,
    date_parts,
    error_summary,
    input_value,
    page,
)
from beststart.places.tests.factories import PostcodeFactory
from beststart.portal import protection
from beststart.referrals import actions
from beststart.referrals.models import (
    DeclineReason,
    Need,
    Notification,
    Outcome,
    Referral,
    ReferralService,
    ReferralStep,
    Source,
    Status,
    StepKind,
)
from beststart.referrals.tests.factories import (
    ReferralFactory,
    ReferralServiceFactory,
    RoutingRuleFactory,
)

pytestmark = pytest.mark.django_db

FORM = "/refer-yourself/"
SENT = "/refer-yourself/sent/"
CHILD_BORN = dt.date(2025, 6, 14)


@pytest.fixture
def service(db: None) -> ReferralService:
    return ReferralServiceFactory(
        name="Bumps and Babies Support",
        description="Help with feeding, sleep and routines from the family hub team",
        needs=[Need.PARENTING, Need.INFANT_FEEDING],
        first_contact_days=5,
    )


@pytest.fixture
def postcode(db: None) -> str:
    return PostcodeFactory(postcode="XW4 7QT").postcode


@pytest.fixture
def client() -> Client:
    return Client()


def started(seconds_ago: float = 10) -> str:
    return protection.start_token(clock.now() - dt.timedelta(seconds=seconds_ago))


def form_data(service: ReferralService, postcode: str, /, **changes: Any) -> dict[str, Any]:
    return {
        "service": str(service.pk),
        "started": started(),
        "website": "",
        "need": Need.INFANT_FEEDING.value,
        "reason": "Feeding is hard & the nights are long; I'd like someone to talk to.",
        "given_name": "Ysolde",
        "family_name": "Marchbank",
        **date_parts("date_of_birth", CHILD_BORN),
        **date_parts("expected_delivery_date", ("", "", "")),
        "contact_name": "Tamsin Marchbank",
        "contact_phone": "07700 900982",
        "contact_email": "tamsin@example.com",
        "postcode": postcode,
        "consent_agreed": "on",
        "consent_categories": [DataCategory.HEALTH.value],
    } | changes


def textarea(response: Any, name: str) -> str | None:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page(response), re.S)
    return html.unescape(match.group(1)).strip() if match else None


def non_field_errors(response: Any) -> list[str]:
    return [message for anchor, message in error_summary(response) if not anchor]


# ---------------------------------------------------------------------------------------------
# Choosing a service


def test_the_form_offers_only_the_services_that_take_self_referrals(
    client: Client, service: ReferralService
) -> None:
    ReferralServiceFactory(name="GP referrals only", accepts_self_referrals=False)
    ReferralServiceFactory(name="Closed service", is_active=False)
    response = client.get(FORM)
    assert response.status_code == 200
    text = page(response)
    assert '<h1 class="govuk-heading-l">Ask for help for your family</h1>' in text
    assert service.name in text
    assert service.description in text
    assert "GP referrals only" not in text
    assert "Closed service" not in text
    assert re.findall(r'name="service" type="radio" value="(\d+)"', text) == [str(service.pk)]


def test_choosing_nothing_says_to_choose(client: Client, service: ReferralService) -> None:
    response = client.get(FORM, {"service": ""})
    assert error_summary(response) == [
        ("id_service_0", "Choose the service you would like help from")
    ]
    assert 'id="id_service_0"' in page(response)


def test_a_service_that_does_not_take_self_referrals_cannot_be_chosen(
    client: Client, service: ReferralService
) -> None:
    other = ReferralServiceFactory(accepts_self_referrals=False)
    response = client.get(FORM, {"service": str(other.pk)})
    assert error_summary(response) == [("id_service_0", "Choose one of the services listed")]
    assert "Tell us what is happening" not in page(response)


def test_the_form_offers_only_the_needs_the_chosen_service_helps_with(
    client: Client, service: ReferralService
) -> None:
    response = client.get(FORM, {"service": str(service.pk)})
    assert response.status_code == 200
    text = page(response)
    assert re.findall(r'name="need" type="radio" value="([a-z_]+)"', text) == [
        Need.INFANT_FEEDING.value,
        Need.PARENTING.value,
    ]
    assert Need.DOMESTIC_ABUSE.label not in text
    assert f"I agree to {service.name} contacting me" in text
    assert f"You can also let {service.name} see" in text
    # NHS number is not asked, and the robots' trap is out of everyone's way.
    assert "NHS" not in text
    trap = re.search(r'<div class="govuk-visually-hidden" aria-hidden="true">.*?</div>', text, re.S)
    assert trap is not None
    assert 'tabindex="-1"' in trap.group(0)
    assert "maxlength" not in text  # limits are checked on the server and said in words


# ---------------------------------------------------------------------------------------------
# Sending it


def test_a_request_is_routed_and_lands_on_the_sent_page_with_its_reference(
    client: Client, service: ReferralService, postcode: str
) -> None:
    hub = TeamFactory(name="Marshside Family Hub")
    RoutingRuleFactory(service=service, postcode_prefix="XW4", team=hub)

    response = client.post(FORM, form_data(service, postcode))

    assert response.status_code == 302
    assert response["Location"] == SENT  # the referral is in the session, not the URL
    referral = Referral.objects.get()
    assert referral.source == Source.SELF
    assert referral.team == hub
    assert referral.status == Status.SUBMITTED
    assert len(referral.status_token or "") == 43
    assert referral.need == Need.INFANT_FEEDING
    assert (referral.given_name, referral.family_name) == ("Ysolde", "Marchbank")
    assert referral.date_of_birth == CHILD_BORN
    assert referral.consent_given_by == "Tamsin Marchbank"
    assert referral.consent_categories == [DataCategory.IDENTITY, DataCategory.HEALTH]
    assert client.session["portal:self-referral"]["id"] == referral.pk

    sent = client.get(SENT)
    text = page(sent)
    assert sent.status_code == 200
    assert referral.reference in text
    assert "Marshside Family Hub" in text
    assert "within 5 working days" in text
    # The link on the page is on the address the family came to (the test client's).
    assert f"http://testserver/referral-status/{referral.status_token}/" in text
    assert "Ysolde" not in text
    assert "Tamsin" not in text


def test_a_due_date_is_enough_for_a_baby_not_born_yet(
    client: Client, service: ReferralService, postcode: str
) -> None:
    due = clock.today() + dt.timedelta(days=90)
    data = form_data(
        service,
        postcode,
        given_name="",
        contact_email="",
        **date_parts("date_of_birth", ("", "", "")),
        **date_parts("expected_delivery_date", due),
    )
    assert client.post(FORM, data).status_code == 302
    referral = Referral.objects.get()
    assert (referral.date_of_birth, referral.expected_delivery_date) == (None, due)


# Each mistake, with the message beside its field; everything typed comes back.
MISTAKES = [
    ({"need": ""}, "need", "Choose what you would like help with", "id_need_0"),
    (
        {"need": Need.DOMESTIC_ABUSE.value},
        "need",
        "Choose one of the things listed",
        "id_need_0",
    ),
    ({"reason": "  "}, "reason", "Tell us what is happening", None),
    (
        {"reason": "x" * 3001},
        "reason",
        "What is happening must be 3,000 characters or fewer",
        None,
    ),
    ({"family_name": ""}, "family_name", "Enter the child's last name", None),
    ({"given_name": ""}, "given_name", "Enter the child's first name", None),
    (
        {"given_name": "Y" * 101},
        "given_name",
        "The child's first name must be 100 characters or fewer",
        None,
    ),
    (
        date_parts("date_of_birth", ("", "", "")),
        "date_of_birth",
        "Enter the child's date of birth, or your due date if pregnant",
        "id_date_of_birth_0",
    ),
    (
        date_parts("date_of_birth", ("31", "2", "2025")),
        "date_of_birth",
        "The child's date of birth must be a real date",
        "id_date_of_birth_0",
    ),
    (
        date_parts("expected_delivery_date", ("1", "1", "2040")),
        "expected_delivery_date",
        "Enter the child's date of birth or your due date, not both",
        "id_expected_delivery_date_0",
    ),
    ({"contact_name": ""}, "contact_name", "Enter your full name", None),
    (
        {"contact_phone": "", "contact_email": ""},
        "contact_phone",
        "Enter a phone number or an e-mail address, so the team can contact you",
        None,
    ),
    (
        {"contact_phone": "call me"},
        "contact_phone",
        "Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192",
        None,
    ),
    (
        {"contact_email": "tamsin at example"},
        "contact_email",
        "Enter an e-mail address in the correct format, like name@example.com",
        None,
    ),
    ({"postcode": "the park"}, "postcode", "Enter a full postcode, like XW1 2AB", None),
    (
        {"postcode": "XW9 9ZZ"},  # postcode-shaped, but not in the area
        "postcode",
        "Enter a postcode in the area this service covers, like XW1 2AB",
        None,
    ),
]


@pytest.mark.parametrize(
    ("changes", "field", "message", "anchor"),
    MISTAKES,
    ids=[f"{mistake[1]}:{mistake[2][:30]}" for mistake in MISTAKES],
)
def test_each_mistake_is_shown_beside_its_field_and_everything_typed_is_kept(
    client: Client,
    service: ReferralService,
    postcode: str,
    changes: dict[str, Any],
    field: str,
    message: str,
    anchor: str | None,
) -> None:
    data = form_data(service, postcode, **changes)
    response = client.post(FORM, data)
    assert_error(response, field, message, anchor=anchor)
    assert not Referral.objects.exists()
    assert not Notification.objects.exists()
    # Everything typed comes back, mistakes included.
    assert textarea(response, "reason") == data["reason"].strip()
    for name in (
        "given_name",
        "family_name",
        "contact_name",
        "contact_phone",
        "contact_email",
        "postcode",
        "date_of_birth_day",
        "date_of_birth_month",
        "date_of_birth_year",
        "expected_delivery_date_day",
        "expected_delivery_date_month",
        "expected_delivery_date_year",
    ):
        assert (input_value(response, name) or "") == data[name], name
    assert checked(response, "need") == ([data["need"]] if data["need"] in service.needs else [])
    assert checked(response, "consent_agreed") == ["on"]
    assert checked(response, "consent_categories") == [DataCategory.HEALTH.value]
    assert input_value(response, "service") == str(service.pk)


def test_without_agreement_the_request_is_refused_with_the_reason(
    client: Client, service: ReferralService, postcode: str
) -> None:
    data = form_data(service, postcode)
    del data["consent_agreed"]
    response = client.post(FORM, data)
    assert_error(
        response,
        "consent_agreed",
        f"To send your request, tick the box to agree to {service.name} contacting you. "
        "Without your agreement, we cannot pass it on.",
    )
    assert not Referral.objects.exists()
    assert input_value(response, "given_name") == "Ysolde"
    assert checked(response, "consent_categories") == [DataCategory.HEALTH.value]


def test_a_service_that_stops_taking_requests_sends_the_family_back_to_choose(
    client: Client, service: ReferralService, postcode: str
) -> None:
    data = form_data(service, postcode)
    ReferralService.objects.filter(pk=service.pk).update(accepts_self_referrals=False)
    response = client.post(FORM, data)
    assert response.status_code == 200
    assert error_summary(response) == [("id_service_0", "Choose one of the services listed")]
    assert not Referral.objects.exists()


# ---------------------------------------------------------------------------------------------
# Robots, hurried and replayed forms, floods


def test_a_filled_trap_writes_nothing_but_shows_the_same_page(
    client: Client, service: ReferralService, postcode: str
) -> None:
    response = client.post(FORM, form_data(service, postcode, website="http://spam.example"))
    assert response.status_code == 302
    assert response["Location"] == SENT
    assert not Referral.objects.exists()
    assert not ReferralStep.objects.exists()
    assert not Notification.objects.exists()
    sent = client.get(SENT)
    assert sent.status_code == 200
    assert '<h1 class="govuk-panel__title">Request sent</h1>' in page(sent)
    assert "within 5 working days" in page(sent)
    assert "/referral-status/" not in page(sent)


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (lambda: started(seconds_ago=1), "Check your answers, then send them again"),
        (
            lambda: started(seconds_ago=2 * 60 * 60 + 5),
            "This page was open for more than 2 hours. Check your answers, then send them again",
        ),
        (lambda: started() + "x", "Check your answers, then send them again"),
        (lambda: "", "Check your answers, then send them again"),
        (
            lambda: signing.dumps(clock.now().timestamp() - 60, salt="another"),
            "Check your answers, then send them again",
        ),
    ],
    ids=["too fast", "expired", "tampered", "missing", "signed for something else"],
)
def test_a_form_sent_too_soon_too_late_or_with_a_changed_time_is_refused_and_kept(
    client: Client, service: ReferralService, postcode: str, token: Any, message: str
) -> None:
    response = client.post(FORM, form_data(service, postcode, started=token()))
    assert response.status_code == 200
    assert non_field_errors(response) == [message]
    assert not Referral.objects.exists()
    assert input_value(response, "given_name") == "Ysolde"
    assert "nights are long" in (textarea(response, "reason") or "")
    # The page comes back with a fresh time, which a person sending it again passes.
    fresh = input_value(response, "started")
    assert protection.check_start(fresh or "") == protection.StartCheck.TOO_FAST


def test_the_sixth_request_in_an_hour_from_one_client_gets_429(
    client: Client, service: ReferralService, postcode: str
) -> None:
    for _ in range(protection.MAX_PER_HOUR):
        assert client.post(FORM, form_data(service, postcode)).status_code == 302

    response = client.post(FORM, form_data(service, postcode))

    assert response.status_code == 429
    assert "You have sent several requests in the last hour" in page(response)
    assert "You can send another from" in page(response)
    assert 0 < int(response["Retry-After"]) <= 3600
    assert Referral.objects.count() == protection.MAX_PER_HOUR
    # Another client is not held back, and the hour passes.
    other = Client(REMOTE_ADDR="192.0.2.44")
    assert other.post(FORM, form_data(service, postcode)).status_code == 302
    later = clock.now() + dt.timedelta(hours=1, seconds=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clock, "now", lambda: later)
        data = form_data(
            service, postcode, started=protection.start_token(later - dt.timedelta(seconds=30))
        )
        assert client.post(FORM, data).status_code == 302


def test_a_robots_requests_count_towards_the_limit_too(
    client: Client, service: ReferralService, postcode: str
) -> None:
    for _ in range(protection.MAX_PER_HOUR):
        client.post(FORM, form_data(service, postcode, website="buy now"))
    assert client.post(FORM, form_data(service, postcode)).status_code == 429
    assert not Referral.objects.exists()


def test_the_client_is_known_by_a_keyed_hash_never_its_address() -> None:
    requests = RequestFactory()
    one = protection.client_key(requests.get("/", REMOTE_ADDR="198.51.100.7"))
    two = protection.client_key(requests.get("/", REMOTE_ADDR="198.51.100.8"))
    assert one != two
    assert "198.51.100" not in one
    assert re.fullmatch(r"self-referrals:[0-9a-f]{64}", one)


def test_nothing_typed_is_logged(
    client: Client, service: ReferralService, postcode: str, caplog: pytest.LogCaptureFixture
) -> None:
    data = form_data(service, postcode)
    with caplog.at_level(logging.DEBUG):
        client.post(FORM, data)
        client.post(FORM, form_data(service, postcode, postcode="XW9 9ZZ"))
        client.post(FORM, form_data(service, postcode, started=started(seconds_ago=0)))
    logged = " ".join(record.getMessage() for record in caplog.records)
    for typed in ("Ysolde", "Marchbank", "07700", "tamsin@", "nights are long", "XW9 9ZZ"):
        assert typed not in logged


@given(
    text=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400),
    field=st.sampled_from(
        [
            "need",
            "reason",
            "given_name",
            "family_name",
            "date_of_birth_day",
            "date_of_birth_year",
            "expected_delivery_date_month",
            "contact_name",
            "contact_phone",
            "contact_email",
            "postcode",
            "consent_categories",
            "service",
            "started",
        ]
    ),
)
def test_any_text_in_any_field_gets_a_page_never_a_server_error(
    service: ReferralService, postcode: str, text: str, field: str
) -> None:
    cache.clear()
    response = Client(raise_request_exception=False).post(
        FORM, form_data(service, postcode, **{field: text})
    )
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 200:
        assert "There is a problem" in page(response)


# ---------------------------------------------------------------------------------------------
# Following it


@pytest.fixture
def sent(client: Client, service: ReferralService, postcode: str) -> Referral:
    assert client.post(FORM, form_data(service, postcode)).status_code == 302
    return Referral.objects.get()


def status_url(referral: Referral) -> str:
    return f"/referral-status/{referral.status_token}/"


def test_the_status_page_shows_each_step_and_no_ones_details(
    client: Client, sent: Referral
) -> None:
    triage = make_actor(Role.TRIAGE_OFFICER, TeamFactory(name="Front Door"))
    actions.decline(
        actor=triage,
        referral=sent,
        reason=DeclineReason.OUT_OF_AREA,
        note="Spoke to Tamsin Marchbank at XW4 7QT",
    )

    response = Client().get(status_url(sent))

    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]
    text = page(response)
    assert '<h1 class="govuk-heading-l">Your referral</h1>' in text
    assert sent.reference in text
    assert sent.service.name in text
    assert "The team cannot help" in text
    assert "You live outside the area this service covers." in text
    team = sent.team.name
    steps = re.findall(r'<td class="govuk-table__cell">([^<]+)</td>', text)
    when = clock.localdate(sent.submitted_at)
    assert steps[1::2] == ["You asked for help", f"Sent to {team}", "The team cannot help"]
    assert steps[0].startswith(f"{when:%-d %B %Y} at ")
    for personal in (
        "Ysolde",
        "Marchbank",
        "Tamsin",
        "07700",
        "tamsin@example.com",
        "XW4 7QT",
        "nights are long",
        "Spoke to",
    ):
        assert personal not in html.unescape(text), personal


def test_the_status_page_gives_the_outcome_once_completed(client: Client) -> None:
    referral = ReferralFactory(
        source=Source.SELF,
        status=Status.COMPLETED,
        outcome=Outcome.PARTLY_MET,
        status_token="a" * 43,
    )
    for kind in (StepKind.SUBMITTED, StepKind.ACCEPTED, StepKind.COMPLETED):
        ReferralStep.objects.create(
            referral=referral, kind=kind, occurred_at=clock.now(), note="Rowan is doing well"
        )
    text = page(client.get(status_url(referral)))
    assert "Some of the help you asked for was given." in text
    assert "Your support finished" in text
    assert "Rowan" not in text
    assert referral.family_name not in text


def test_an_unknown_link_is_the_sites_404(client: Client, sent: Referral) -> None:
    response = client.get(f"/referral-status/{'b' * 43}/")
    assert response.status_code == 404
    assert "Page not found" in page(response)
    assert response["Referrer-Policy"] == "no-referrer"


def test_the_email_to_the_family_links_to_the_status_page_and_names_no_one(
    client: Client, service: ReferralService, postcode: str
) -> None:
    make_actor(Role.FAMILY_HUB_WORKER, service.team, email="hub.worker@example.org")
    client.post(FORM, form_data(service, postcode))
    referral = Referral.objects.get()

    mail = Notification.objects.get(to="tamsin@example.com")
    assert f"{settings.SITE_URL}/referral-status/{referral.status_token}/" in mail.body
    assert referral.reference in mail.subject
    for personal in ("Ysolde", "Marchbank", "Tamsin", "XW4 7QT", "nights are long", "07700"):
        assert personal not in mail.subject + mail.body
    # The team is told too, with the link behind the sign-in, not the family's.
    team_mail = Notification.objects.get(to="hub.worker@example.org")
    assert f"/referrals/{referral.pk}/" in team_mail.body
    assert str(referral.status_token) not in team_mail.body


def test_the_sign_in_page_points_families_to_the_form(client: Client, db: None) -> None:
    assert f'href="{FORM}">Ask for help for your family</a>' in page(client.get("/sign-in/"))


def test_the_sent_page_without_a_request_goes_to_the_form(client: Client, db: None) -> None:
    response = client.get(SENT)
    assert response.status_code == 302
    assert response["Location"] == FORM


def test_a_signed_in_practitioner_can_use_the_form_too(
    client_for: Any, actor: Any, service: ReferralService, postcode: str
) -> None:
    assert client_for(actor).post(FORM, form_data(service, postcode)).status_code == 302
    assert Referral.objects.get().referrer is None

"""axe-core (WCAG 2.0 and 2.1 A and AA, and best practice) finds nothing on any page.

Each scenario brings a page to the state under test (empty, with errors, with results) and
checks it is that state before axe runs, so a page that silently changed cannot pass."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from browser_support import (
    CONSENT_HEADING,
    EMERGENCY_USER,
    FAMILY_HUB,
    HEALTH_VISITING_TEAM,
    HEALTH_VISITOR,
    INVALID_NHS_NUMBER,
    MIDWIFE,
    PersonDetails,
    add_agreement,
    add_session_today,
    agenda_link,
    book_by_search,
    booked_family,
    check_register,
    choose,
    days_from_today,
    fill_address,
    fill_consent,
    fill_date,
    fill_person,
    group,
    navigate,
    newborn,
    open_emergency_access_page,
    open_full_session,
    open_review,
    open_reviews_due,
    open_sessions,
    open_todays_session,
    open_upcoming_meeting,
    search_for,
    success_banner,
    tick_everyone_and_save,
)
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

Visit = Callable[[Page, Any], None]
SCENARIOS: dict[str, tuple[str | None, Visit]] = {}


def scenario(name: str, user: str | None = HEALTH_VISITOR) -> Callable[[Visit], Visit]:
    def register(visit: Visit) -> Visit:
        SCENARIOS[name] = (user, visit)
        return visit

    return register


def heading(page: Page, text: str | re.Pattern[str]) -> None:
    expect(page.get_by_role("heading", level=1, name=text)).to_be_visible()


def error_summary(page: Page, message: str) -> None:
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text(message)


# --- Signing in -------------------------------------------------------------------------------


@scenario("sign-in", user=None)
def _sign_in(page: Page, demo: Any) -> None:
    page.goto("/sign-in/")
    heading(page, "Sign in to Best Start")


@scenario("sign-in-with-errors", user=None)
def _sign_in_errors(page: Page, demo: Any) -> None:
    page.goto("/sign-in/")
    page.get_by_label("Username").fill("nobody.here")
    page.get_by_label("Password").fill("not-the-password")
    navigate(page.get_by_role("button", name="Sign in"))
    error_summary(page, "Enter a correct username and password")


@scenario("sign-in-with-empty-fields", user=None)
def _sign_in_empty(page: Page, demo: Any) -> None:
    page.goto("/sign-in/")
    navigate(page.get_by_role("button", name="Sign in"))
    expect(page).to_have_title(re.compile(r"^Error: "))


# --- Caseload and search ----------------------------------------------------------------------


@scenario("caseload")
def _caseload(page: Page, demo: Any) -> None:
    page.goto("/caseload/")
    heading(page, "My caseload")
    expect(page.locator("main table tbody tr").first).to_be_visible()


@scenario("search")
def _search(page: Page, demo: Any) -> None:
    page.goto("/search/")
    heading(page, "Search your team's families")


@scenario("search-with-errors")
def _search_errors(page: Page, demo: Any) -> None:
    page.goto("/search/")
    navigate(page.get_by_role("button", name="Search", exact=True))
    error_summary(page, "Enter a name, date of birth, NHS number or postcode")


@scenario("search-with-results")
def _search_results(page: Page, demo: Any) -> None:
    search_for(page, demo.facts.family(0).surname)
    expect(page.locator("main table tbody tr").first).to_be_visible()


@scenario("search-with-no-results")
def _search_none(page: Page, demo: Any) -> None:
    search_for(page, "Zzyzzogeton")
    expect(page.get_by_role("heading", level=2, name="0 people found")).to_be_visible()


# --- Creating a family ------------------------------------------------------------------------


@scenario("create-step-1")
def _create(page: Page, demo: Any) -> None:
    page.goto("/families/new/")
    heading(page, "Check if the person is already known")


@scenario("create-step-1-with-errors")
def _create_errors(page: Page, demo: Any) -> None:
    page.goto("/families/new/")
    page.get_by_label("Last name", exact=True).fill("Brightwater")
    page.get_by_label("NHS number (optional)").fill("123")
    navigate(page.get_by_role("button", name="Check the register"))
    error_summary(page, "Enter an NHS number that is 10 digits")


@scenario("create-step-2-no-matches")
def _create_no_matches(page: Page, demo: Any) -> None:
    check_register(page, "Saffron", "Zzyzzogeton", days_from_today(-90))
    expect(page.locator(".govuk-inset-text")).to_contain_text("No one on the register matches")


@scenario("create-step-2-with-matches")
def _create_matches(page: Page, demo: Any) -> None:
    known = demo.facts.known_person
    check_register(page, known.given_name, known.family_name, known.date_of_birth)
    expect(page.locator(".govuk-warning-text")).to_contain_text("may be the same person")


@scenario("create-step-2-with-errors")
def _create_step_2_errors(page: Page, demo: Any) -> None:
    known = demo.facts.known_person
    check_register(page, known.given_name, known.family_name, known.date_of_birth)
    page.get_by_label("Postcode").fill("not a postcode")
    fill_date(page, "Date moved in", None)
    navigate(page.get_by_role("button", name="Create family record"))
    error_summary(page, "Enter a full postcode")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter address line 1")


# --- The family record and its forms ----------------------------------------------------------


@scenario("family-record")
def _record(page: Page, demo: Any) -> None:
    family = demo.facts.family(0)
    page.goto(family.href)
    heading(page, family.name)


@scenario("family-record-after-a-change")
def _record_with_banner(page: Page, demo: Any) -> None:
    family = demo.facts.family(5)
    page.goto(family.href + "members/new/")
    fill_person(
        page,
        PersonDetails(kind="Carer", given_name="Hollis", date_of_birth=days_from_today(-12000)),
    )
    navigate(page.get_by_role("button", name="Add member"))
    expect(success_banner(page)).to_contain_text("Hollis")


@scenario("family-record-withheld-address-own-team")
def _record_withheld_own(page: Page, demo: Any) -> None:
    page.goto(demo.withheld_family())
    expect(page.locator("main")).to_contain_text("Withheld from other teams")


@scenario("family-record-withheld-address-other-team", user=MIDWIFE)
def _record_withheld_other(page: Page, demo: Any) -> None:
    page.goto(demo.withheld_family())
    expect(page.locator(".bs-redacted")).to_have_text("Address withheld")


@scenario("add-member")
def _add_member(page: Page, demo: Any) -> None:
    page.goto(demo.facts.family(0).href + "members/new/")
    heading(page, "Add a member")


@scenario("add-member-with-errors")
def _add_member_errors(page: Page, demo: Any) -> None:
    page.goto(demo.facts.family(0).href + "members/new/")
    choose(page, "Who is this?", "Unborn child")
    fill_date(page, "Date of birth", days_from_today(-3))
    page.get_by_label("NHS number (optional)").fill("12345")
    navigate(page.get_by_role("button", name="Add member"))
    error_summary(page, "An unborn baby has no date of birth yet")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the expected date")


@scenario("edit-person")
def _edit_person(page: Page, demo: Any) -> None:
    page.goto(demo.facts.family(0).href)
    navigate(page.get_by_role("link", name=re.compile(r"^Change .*'s details$")).first)
    heading(page, re.compile(r"^Change .*'s details$"))


@scenario("edit-person-with-errors")
def _edit_person_errors(page: Page, demo: Any) -> None:
    page.goto(demo.facts.family(0).href)
    navigate(page.get_by_role("link", name=re.compile(r"^Change .*'s details$")).first)
    page.get_by_label("Last name", exact=True).fill("")
    fill_date(page, "Date of birth", days_from_today(400))
    navigate(page.get_by_role("button", name="Save changes"))
    error_summary(page, "Enter the last name")


@scenario("record-birth")
def _record_birth(page: Page, demo: Any) -> None:
    page.goto(demo.birth_form())
    heading(page, "Record the birth")


@scenario("record-birth-with-errors")
def _record_birth_errors(page: Page, demo: Any) -> None:
    page.goto(demo.birth_form())
    navigate(page.get_by_role("button", name="Record birth"))
    error_summary(page, "Enter the date of birth")


@scenario("move-address")
def _move(page: Page, demo: Any) -> None:
    page.goto(demo.facts.family(0).href + "address/")
    heading(page, "Record a new address")


@scenario("move-address-with-errors")
def _move_errors(page: Page, demo: Any) -> None:
    page.goto(demo.facts.family(0).href + "address/")
    fill_address(
        page, line_1="", town="Ashby Marsh", postcode="AB1 2CD", moved_in=None, withheld=True
    )
    navigate(page.get_by_role("button", name="Save address"))
    error_summary(page, "Enter address line 1")


@scenario("add-involvement")
def _involvement(page: Page, demo: Any) -> None:
    page.goto(demo.facts.family(0).href + "involvements/new/")
    heading(page, "Add a team working with the family")


@scenario("add-involvement-with-errors")
def _involvement_errors(page: Page, demo: Any) -> None:
    page.goto(demo.facts.family(0).href + "involvements/new/")
    fill_date(page, "Start date", None)
    navigate(page.get_by_role("button", name="Add involvement"))
    error_summary(page, "Select the team")


@scenario("record-relationship")
def _relationship(page: Page, demo: Any) -> None:
    page.goto(demo.facts.family(0).href + "relationships/new/")
    heading(page, "Record who is related to whom")


@scenario("add-note")
def _note(page: Page, demo: Any) -> None:
    page.goto(demo.facts.family(0).href + "notes/new/")
    heading(page, "Add a note to the chronology")


@scenario("add-note-with-errors")
def _note_errors(page: Page, demo: Any) -> None:
    page.goto(demo.facts.family(0).href + "notes/new/")
    page.get_by_label("Note", exact=True).fill("Half a thought")
    navigate(page.get_by_role("button", name="Add note"))
    error_summary(page, "Select what kind of information the note is")


@scenario("end-involvement")
def _end_involvement(page: Page, demo: Any) -> None:
    page.goto(demo.facts.family(0).href)
    navigate(page.get_by_role("link", name=re.compile(r"^End .*'s involvement$")).first)
    heading(page, re.compile("no longer works with the family$"))


# --- Break-glass, safeguarding shares, agreements, privacy officer reviews --------------------


@scenario("create-step-2-with-emergency-access", user=EMERGENCY_USER)
def _create_matches_elsewhere(page: Page, demo: Any) -> None:
    family = demo.emergency_family()
    check_register(page, family.given_name, family.family_name, family.date_of_birth)
    expect(page.get_by_role("link", name=re.compile("^Emergency access to "))).to_be_visible()


@scenario("break-glass", user=EMERGENCY_USER)
def _break_glass(page: Page, demo: Any) -> None:
    open_emergency_access_page(page, demo.emergency_family())
    expect(page.locator(".govuk-warning-text")).to_contain_text("Your access is recorded")


@scenario("break-glass-with-errors", user=EMERGENCY_USER)
def _break_glass_errors(page: Page, demo: Any) -> None:
    open_emergency_access_page(page, demo.emergency_family())
    navigate(page.get_by_role("button", name="Open the record in an emergency"))
    error_summary(page, "Select why you need emergency access")


@scenario("family-record-emergency-access", user=EMERGENCY_USER)
def _record_emergency(page: Page, demo: Any) -> None:
    access = demo.emergency_access("open")
    page.goto(access.family.href)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(access.reference)


@scenario("safeguarding-share")
def _safeguarding_share(page: Page, demo: Any) -> None:
    page.goto(demo.facts.family(0).href)
    navigate(page.get_by_role("link", name="Share information for safeguarding without consent"))
    heading(page, "Share information for safeguarding")


@scenario("safeguarding-share-with-errors")
def _safeguarding_share_errors(page: Page, demo: Any) -> None:
    page.goto(demo.facts.family(0).href)
    navigate(page.get_by_role("link", name="Share information for safeguarding without consent"))
    fill_date(page, "Share until (optional)", days_from_today(-400))
    navigate(page.get_by_role("button", name="Record the share"))
    error_summary(page, "Select the organisations to share with")


@scenario("break-glass-reviews", user="privacy")
def _privacy_home(page: Page, demo: Any) -> None:
    access = demo.emergency_access("waiting")
    page.goto("/privacy/")
    heading(page, "Break-glass reviews")
    expect(page.locator("#waiting + table")).to_contain_text(access.reference)


@scenario("review-break-glass", user="privacy")
def _review(page: Page, demo: Any) -> None:
    open_review(page, demo.emergency_access("waiting").reference)
    expect(page.locator("#opened + table")).to_contain_text("Viewed: identity")


@scenario("review-break-glass-with-errors", user="privacy")
def _review_errors(page: Page, demo: Any) -> None:
    open_review(page, demo.emergency_access("waiting").reference)
    choose(page, "Was the access justified?", "Not justified")
    navigate(page.get_by_role("button", name="Save review"))
    error_summary(page, "Enter why the access was not justified")


@scenario("break-glass-reviews-after-a-review", user="privacy")
def _privacy_home_reviewed(page: Page, demo: Any) -> None:
    reference = demo.emergency_access("reviewed here").reference
    open_review(page, reference)
    choose(page, "Was the access justified?", "Justified")
    navigate(page.get_by_role("button", name="Save review"))
    expect(success_banner(page)).to_contain_text(f"{reference} reviewed: justified")
    expect(page.locator("#reviewed + table")).to_contain_text(reference)


@scenario("review-break-glass-reviewed", user="privacy")
def _reviewed(page: Page, demo: Any) -> None:
    open_review(page, demo.reviewed_access().reference)
    expect(page.locator("main .govuk-summary-list")).to_contain_text("Justified")
    expect(page.get_by_role("button", name="Save review")).to_have_count(0)


@scenario("agreements", user="privacy")
def _agreements(page: Page, demo: Any) -> None:
    demo.agreement()
    page.goto("/privacy/agreements/")
    heading(page, "Information-sharing agreements")
    expect(page.locator("main table")).to_contain_text("ISA-DEMO-001")


@scenario("new-agreement", user="privacy")
def _new_agreement(page: Page, demo: Any) -> None:
    page.goto("/privacy/agreements/")
    navigate(page.get_by_role("link", name="Add an agreement"))
    heading(page, "Add an information-sharing agreement")


@scenario("new-agreement-with-errors", user="privacy")
def _new_agreement_errors(page: Page, demo: Any) -> None:
    page.goto("/privacy/agreements/new/")
    fill_date(page, "Start date", days_from_today(10))
    fill_date(page, "Review date", days_from_today(-10))
    navigate(page.get_by_role("button", name="Save agreement"))
    error_summary(page, "The review date must be after the start date")


@scenario("agreement", user="privacy")
def _agreement(page: Page, demo: Any) -> None:
    page.goto(demo.agreement())
    heading(page, "Health visiting and family hubs")
    expect(page.get_by_role("button", name="End this agreement")).to_be_visible()


@scenario("agreement-end-with-errors", user="privacy")
def _agreement_end_errors(page: Page, demo: Any) -> None:
    page.goto(demo.agreement())
    fill_date(page, "Last day of the agreement", days_from_today(-400))
    navigate(page.get_by_role("button", name="End this agreement"))
    error_summary(page, "The end date must be the same as or after the start date")


@scenario("agreement-ended", user="privacy")
def _agreement_ended(page: Page, demo: Any) -> None:
    page.goto(add_agreement(page, "ISA-DEMO-ENDED"))
    fill_date(page, "Last day of the agreement", days_from_today(-1))
    navigate(page.get_by_role("button", name="End this agreement"))
    expect(success_banner(page)).to_contain_text("Agreement ISA-DEMO-ENDED ends on")
    expect(page.locator("main .govuk-tag")).to_have_text("Ended")


# --- Sharing and consent ----------------------------------------------------------------------


@scenario("sharing-and-consent")
def _sharing(page: Page, demo: Any) -> None:
    demo.consent()
    page.goto(demo.facts.family(6).href)
    navigate(page.get_by_role("link", name="Sharing and consent"))
    heading(page, "Sharing and consent")
    expect(page.locator("main")).to_contain_text("Who can see this family and why")
    expect(page.locator("main .govuk-tag").first).to_be_visible()


@scenario("record-consent")
def _record_consent(page: Page, demo: Any) -> None:
    page.goto(demo.facts.family(6).href + "consents/new/")
    heading(page, "Record consent")


@scenario("record-consent-with-errors")
def _record_consent_errors(page: Page, demo: Any) -> None:
    page.goto(demo.facts.family(6).href + "consents/new/")
    fill_date(page, "Expiry date (optional)", days_from_today(-400))
    navigate(page.get_by_role("button", name="Continue"))
    error_summary(page, "Select whose information the consent is about")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select at least one kind")


@scenario("record-consent-check-answers")
def _record_consent_check(page: Page, demo: Any) -> None:
    fill_consent(page, demo.facts.family(6))
    navigate(page.get_by_role("button", name="Continue"))
    heading(page, CONSENT_HEADING)


@scenario("record-consent-confirmation")
def _record_consent_confirmation(page: Page, demo: Any) -> None:
    fill_consent(page, demo.facts.family(6))
    navigate(page.get_by_role("button", name="Continue"))
    navigate(page.get_by_role("button", name="Record consent"))
    heading(page, "Consent recorded")


@scenario("consent")
def _consent(page: Page, demo: Any) -> None:
    page.goto(demo.consent())
    heading(page, re.compile(r"^Consent \d+ In force$"))


@scenario("withdraw-consent")
def _withdraw_consent(page: Page, demo: Any) -> None:
    page.goto(demo.consent())
    navigate(page.get_by_role("link", name="Withdraw consent"))
    heading(page, re.compile(r"^Withdraw consent \d+$"))


@scenario("access-log")
def _access_log(page: Page, demo: Any) -> None:
    page.goto(demo.facts.family(0).href)
    navigate(page.get_by_role("link", name=re.compile(r"^Who has looked at ")).first)
    heading(page, re.compile(r"^Who has looked at .*'s record$"))
    expect(page.locator("main table tbody tr").first).to_be_visible()


# --- Other roles and error pages --------------------------------------------------------------


@scenario("audit", user="privacy")
def _audit(page: Page, demo: Any) -> None:
    page.goto("/audit/")
    heading(page, "Who looked at what")
    expect(page.locator("main table tbody tr").first).to_be_visible()


@scenario("audit-with-filters", user="privacy")
def _audit_filtered(page: Page, demo: Any) -> None:
    family_id = demo.facts.family(0).href.strip("/").rsplit("/", 1)[-1]
    page.goto("/audit/")
    page.get_by_label("Family ID").fill(family_id)
    page.get_by_label("Username").fill(HEALTH_VISITOR)
    fill_date(page, "From", days_from_today(-7))
    navigate(page.get_by_role("button", name="Show events"))
    expect(page).to_have_url(re.compile(r"username=health\.visitor"))
    expect(page.locator("main table tbody tr").first).to_contain_text(HEALTH_VISITOR)


@scenario("audit-with-errors", user="privacy")
def _audit_errors(page: Page, demo: Any) -> None:
    page.goto("/audit/")
    fill_date(page, "From", days_from_today(-1))
    fill_date(page, "To", days_from_today(-7))
    navigate(page.get_by_role("button", name="Show events"))
    error_summary(page, "To date must be the same as or after the from date")


@scenario("subject-access-finder", user="privacy")
def _subject_access_finder(page: Page, demo: Any) -> None:
    page.goto("/")
    navigate(page.get_by_role("link", name="Subject access"))
    heading(page, "Subject access request")


@scenario("subject-access-finder-with-errors", user="privacy")
def _subject_access_finder_errors(page: Page, demo: Any) -> None:
    page.goto("/privacy/subject-access/")
    page.get_by_label("NHS number").fill(INVALID_NHS_NUMBER)
    navigate(page.get_by_role("button", name="Find the person"))
    error_summary(page, "Enter a valid NHS number")


@scenario("subject-access-person", user="privacy")
def _subject_access_person(page: Page, demo: Any) -> None:
    nhs_number = demo.subject_nhs_number()
    page.goto("/privacy/subject-access/")
    page.get_by_label("NHS number").fill(nhs_number)
    navigate(page.get_by_role("button", name="Find the person"))
    heading(page, re.compile(r"^Everything held about "))
    expect(page.locator("main")).to_contain_text(nhs_number)
    download = page.get_by_role("link", name=re.compile(r"^Download everything as JSON"))
    expect(download).to_be_visible()


@scenario("landing-commissioner", user="commissioner")
def _commissioner(page: Page, demo: Any) -> None:
    page.goto("/")
    expect(page.locator("main")).to_contain_text("aggregate figures only")


@scenario("landing-privacy-officer", user="privacy")
def _privacy(page: Page, demo: Any) -> None:
    page.goto("/")
    expect(page.get_by_role("link", name="Query the audit")).to_be_visible()


@scenario("not-found")
def _not_found(page: Page, demo: Any) -> None:
    response = page.goto("/no-such-page/")
    assert response is not None
    assert response.status == 404
    heading(page, "Page not found")


@scenario("family-record-not-found", user=MIDWIFE)
def _no_such_family(page: Page, demo: Any) -> None:
    response = page.goto("/families/99999999/")
    assert response is not None
    assert response.status == 404
    heading(page, "Page not found")


# --- Family Matters ---------------------------------------------------------------------------


@scenario("meetings")
def _meetings(page: Page, demo: Any) -> None:
    page.goto("/")
    navigate(page.get_by_role("link", name="Family Matters"))
    heading(page, "Family Matters meetings")
    expect(page.locator("#upcoming + table tbody tr").first).to_be_visible()
    expect(page.locator("#past + table tbody tr").first).to_be_visible()


@scenario("plan-meeting")
def _plan_meeting(page: Page, demo: Any) -> None:
    page.goto("/meetings/")
    navigate(page.get_by_role("link", name="Plan a meeting"))
    heading(page, "Plan a Family Matters meeting")


@scenario("plan-meeting-with-errors")
def _plan_meeting_errors(page: Page, demo: Any) -> None:
    page.goto("/meetings/new/")
    fill_date(page, "Date of the meeting", days_from_today(800))
    navigate(page.get_by_role("button", name="Plan meeting"))
    error_summary(page, "Select the team you are meeting")


@scenario("meeting")
def _meeting(page: Page, demo: Any) -> None:
    open_upcoming_meeting(page)
    expect(page.get_by_role("heading", level=2, name="To discuss")).to_be_visible()
    expect(agenda_link(page, "Add a note").first).to_be_visible()


@scenario("meeting-as-the-centre", user=FAMILY_HUB)
def _meeting_centre(page: Page, demo: Any) -> None:
    open_upcoming_meeting(page, HEALTH_VISITING_TEAM)
    expect(agenda_link(page, "Add an action").first).to_be_visible()


@scenario("meeting-note")
def _meeting_note(page: Page, demo: Any) -> None:
    open_upcoming_meeting(page)
    navigate(agenda_link(page, "Add a note").first)
    heading(page, "Add a note")


@scenario("meeting-note-with-errors")
def _meeting_note_errors(page: Page, demo: Any) -> None:
    open_upcoming_meeting(page)
    navigate(agenda_link(page, "Add a note").first)
    navigate(page.get_by_role("button", name="Add note"))
    error_summary(page, "Enter what was discussed")


@scenario("meeting-action")
def _meeting_action(page: Page, demo: Any) -> None:
    open_upcoming_meeting(page)
    navigate(agenda_link(page, "Add an action").first)
    heading(page, "Add an action")


@scenario("meeting-action-with-errors")
def _meeting_action_errors(page: Page, demo: Any) -> None:
    open_upcoming_meeting(page)
    navigate(agenda_link(page, "Add an action").first)
    page.get_by_label("What is to be done").fill("Offer a place at stay and play")
    fill_date(page, "Due date", days_from_today(-30))
    navigate(page.get_by_role("button", name="Add action"))
    error_summary(page, "The due date must be on or after the day of the meeting")


@scenario("meeting-action-done")
def _meeting_action_done(page: Page, demo: Any) -> None:
    open_upcoming_meeting(page)
    navigate(page.get_by_role("link", name=re.compile(r"^Mark done the action ")).first)
    heading(page, "Mark an action done")


@scenario("meeting-action-done-with-errors")
def _meeting_action_done_errors(page: Page, demo: Any) -> None:
    open_upcoming_meeting(page)
    navigate(page.get_by_role("link", name=re.compile(r"^Mark done the action ")).first)
    fill_date(page, "Date done", days_from_today(3))
    navigate(page.get_by_role("button", name="Mark done"))
    error_summary(page, "Date done must be today or in the past")


# Care


def _health_page(page: Page, demo: Any) -> None:
    page.goto(newborn(demo).health_href)
    heading(page, re.compile(r": health reviews and immunisations$"))


@scenario("reviews-due")
def _reviews_due(page: Page, demo: Any) -> None:
    newborn(demo)
    page.goto("/reviews/")
    heading(page, "Reviews due")
    expect(page.locator("main table tbody tr").first).to_be_visible()


@scenario("reviews-due-filtered")
def _reviews_due_filtered(page: Page, demo: Any) -> None:
    open_reviews_due(page, mine=True, show="Immunisations overdue")
    expect(page.get_by_role("radio", name="My families")).to_be_checked()


@scenario("child-health")
def _child_health(page: Page, demo: Any) -> None:
    _health_page(page, demo)
    expect(page.locator("#reviews + table")).to_contain_text("New birth visit")


@scenario("record-contact")
def _record_contact(page: Page, demo: Any) -> None:
    _health_page(page, demo)
    navigate(page.get_by_role("link", name="Record a review or contact"))
    heading(page, "Record a review or contact")


@scenario("record-contact-with-errors")
def _record_contact_errors(page: Page, demo: Any) -> None:
    _health_page(page, demo)
    navigate(page.get_by_role("link", name="Record a review or contact"))
    fill_date(page, "Date", None)
    page.get_by_label("Weight in kilograms (optional)").fill("7lb")
    navigate(page.get_by_role("button", name="Save"))
    error_summary(page, "Enter the date of the contact")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the weight in kilograms")


@scenario("record-immunisation")
def _record_immunisation(page: Page, demo: Any) -> None:
    _health_page(page, demo)
    navigate(page.get_by_role("link", name="Record immunisations"))
    heading(page, "Record immunisations")


@scenario("record-immunisation-with-errors")
def _record_immunisation_errors(page: Page, demo: Any) -> None:
    _health_page(page, demo)
    navigate(page.get_by_role("link", name="Record immunisations"))
    group(page, "Which vaccines?").get_by_role("checkbox").first.check()
    choose(page, "Given or declined?", "Declined")
    navigate(page.get_by_role("button", name="Save"))
    error_summary(page, "Enter why the vaccines were declined")


@scenario("record-death")
def _record_death(page: Page, demo: Any) -> None:
    _health_page(page, demo)
    navigate(page.get_by_role("link", name=re.compile(r"^Record that .* has died$")))
    heading(page, re.compile(r"^Record that .* has died$"))


@scenario("record-death-with-errors")
def _record_death_errors(page: Page, demo: Any) -> None:
    _health_page(page, demo)
    navigate(page.get_by_role("link", name=re.compile(r"^Record that .* has died$")))
    fill_date(page, "Date", days_from_today(-400))
    navigate(page.get_by_role("button", name="Record"))
    error_summary(page, "The date must be on or after")


@scenario("end-involvement-with-errors")
def _end_involvement_errors(page: Page, demo: Any) -> None:
    page.goto(demo.facts.family(0).href)
    navigate(page.get_by_role("link", name=re.compile(r"^End .*'s involvement$")).first)
    navigate(page.get_by_role("button", name="End involvement"))
    error_summary(page, "Select why the involvement is ending")


# --- Centres ----------------------------------------------------------------------------------
# The family hub worker's pages.


def _family_id(href: str) -> str:
    return href.strip("/").rsplit("/", 1)[-1]


@scenario("centres-sessions", user=FAMILY_HUB)
def _centres_sessions(page: Page, demo: Any) -> None:
    open_sessions(page)
    expect(page.locator("main table").first).to_contain_text("Stay and Play")


@scenario("centres-sessions-another-week", user=FAMILY_HUB)
def _centres_sessions_week(page: Page, demo: Any) -> None:
    open_sessions(page)
    navigate(page.get_by_role("link", name=re.compile("^Previous week")))
    heading(page, "Sessions")
    expect(page.get_by_role("link", name="Back to this week")).to_be_visible()


@scenario("centres-new-programme", user=FAMILY_HUB)
def _centres_new_programme(page: Page, demo: Any) -> None:
    open_sessions(page)
    navigate(page.get_by_role("link", name="Add a programme"))
    heading(page, "Add a programme")


@scenario("centres-new-programme-with-errors", user=FAMILY_HUB)
def _centres_new_programme_errors(page: Page, demo: Any) -> None:
    page.goto("/programmes/new/")
    navigate(page.get_by_role("button", name="Add programme"))
    error_summary(page, "Enter the name of the programme")


@scenario("centres-new-session", user=FAMILY_HUB)
def _centres_new_session(page: Page, demo: Any) -> None:
    open_sessions(page)
    navigate(page.get_by_role("link", name="Add a session"))
    heading(page, "Add a session")


@scenario("centres-new-session-with-errors", user=FAMILY_HUB)
def _centres_new_session_errors(page: Page, demo: Any) -> None:
    page.goto("/sessions/new/")
    page.get_by_label("Start time").fill("14:00")
    page.get_by_label("End time").fill("13:00")
    page.get_by_label("How many families can it take?").fill("0")
    navigate(page.get_by_role("button", name="Add session"))
    error_summary(page, "The end time must be after the start time")
    expect(page.locator(".govuk-error-summary")).to_contain_text("at least 1 family")


@scenario("centres-session", user=FAMILY_HUB)
def _centres_session(page: Page, demo: Any) -> None:
    open_todays_session(page)
    expect(page.locator("#booked + table tbody tr").first).to_be_visible()


@scenario("centres-session-full-with-waiting-list", user=FAMILY_HUB)
def _centres_session_full(page: Page, demo: Any) -> None:
    open_full_session(page)
    expect(page.locator("main .govuk-tag", has_text="Full")).to_be_visible()
    expect(page.locator("#waiting + p + table tbody tr").first).to_be_visible()


@scenario("centres-book", user=FAMILY_HUB)
def _centres_book(page: Page, demo: Any) -> None:
    open_todays_session(page)
    navigate(page.get_by_role("link", name="Book a family"))
    heading(page, "Book a family")


@scenario("centres-book-with-errors", user=FAMILY_HUB)
def _centres_book_errors(page: Page, demo: Any) -> None:
    open_todays_session(page)
    navigate(page.get_by_role("link", name="Book a family"))
    navigate(page.get_by_role("button", name="Search", exact=True))
    error_summary(page, "Enter a name, date of birth, NHS number or postcode")


@scenario("centres-book-with-results", user=FAMILY_HUB)
def _centres_book_results(page: Page, demo: Any) -> None:
    session = open_todays_session(page)
    family = booked_family(page, session)
    page.goto(session + "book/")
    page.get_by_label("Search your team's families").fill(family.surname)
    navigate(page.get_by_role("button", name="Search", exact=True))
    expect(
        page.get_by_role("button", name=re.compile(rf"^Book the {family.name}")).first
    ).to_be_visible()


@scenario("centres-book-already-booked", user=FAMILY_HUB)
def _centres_book_twice(page: Page, demo: Any) -> None:
    session = open_todays_session(page)
    family = booked_family(page, session)
    book_by_search(page, session, family)
    error_summary(page, f"The {family.name} already has a place on this session")


@scenario("centres-cancel-booking", user=FAMILY_HUB)
def _centres_cancel(page: Page, demo: Any) -> None:
    open_full_session(page)
    navigate(page.get_by_role("link", name=re.compile("^Cancel the ")).first)
    heading(page, re.compile(r"^Cancel the .*'s place\?$"))


@scenario("centres-register", user=FAMILY_HUB)
def _centres_register(page: Page, demo: Any) -> None:
    open_todays_session(page)
    navigate(page.get_by_role("link", name="Take the register"))
    heading(page, "Register")
    expect(page.locator("input[name='family']").first).to_be_visible()


@scenario("centres-register-saved", user=FAMILY_HUB)
def _centres_register_saved(page: Page, demo: Any) -> None:
    page.goto(open_todays_session(page) + "register/")
    tick_everyone_and_save(page)


@scenario("centres-register-over-capacity", user=FAMILY_HUB)
def _centres_register_over(page: Page, demo: Any) -> None:
    first, second = (booked_family(page, open_todays_session(page), index) for index in (0, 1))
    session = add_session_today(page, capacity=1)
    book_by_search(page, session, first)
    page.goto(f"{session}register/walk-in/?family={_family_id(second.href)}")
    navigate(page.get_by_role("button", name=f"Add the {second.name} to the register"))
    tick_everyone_and_save(page)
    expect(page.locator("#over-capacity")).to_contain_text("Over capacity")


@scenario("centres-walk-in", user=FAMILY_HUB)
def _centres_walk_in(page: Page, demo: Any) -> None:
    page.goto(open_todays_session(page) + "register/")
    navigate(page.get_by_role("link", name="Add a family who walked in"))
    heading(page, "Add a family who walked in")


@scenario("centres-walk-in-with-errors", user=FAMILY_HUB)
def _centres_walk_in_errors(page: Page, demo: Any) -> None:
    page.goto(open_todays_session(page) + "register/walk-in/")
    page.get_by_label("Last name", exact=True).fill("Brightwater")
    navigate(page.get_by_role("button", name="Check the register"))
    error_summary(page, "Enter a date of birth or an NHS number")


@scenario("centres-walk-in-no-matches", user=FAMILY_HUB)
def _centres_walk_in_none(page: Page, demo: Any) -> None:
    page.goto(open_todays_session(page) + "register/walk-in/")
    page.get_by_label("Last name", exact=True).fill("Zzyzzogeton")
    fill_date(page, "Date of birth", days_from_today(-300))
    navigate(page.get_by_role("button", name="Check the register"))
    expect(page.locator(".govuk-inset-text")).to_contain_text("No one on the register matches")


@scenario("centres-walk-in-in-person-with-errors", user=FAMILY_HUB)
def _centres_walk_in_in_person(page: Page, demo: Any) -> None:
    """A family only the health visitors know: registering them needs the family there."""
    family = demo.emergency_family()
    page.goto(open_todays_session(page) + "register/walk-in/")
    page.get_by_label("First name", exact=True).fill(family.given_name)
    page.get_by_label("Last name", exact=True).fill(family.family_name)
    fill_date(page, "Date of birth", family.date_of_birth)
    navigate(page.get_by_role("button", name="Check the register"))
    expect(page.get_by_role("heading", level=2, name="1 family found")).to_be_visible()
    navigate(page.get_by_role("button", name=re.compile("^Register and add to the register")))
    error_summary(page, "Confirm the family is here and wants to register with the centre")


@scenario("centres-walk-in-returned", user=FAMILY_HUB)
def _centres_walk_in_returned(page: Page, demo: Any) -> None:
    session = open_todays_session(page)
    family = booked_family(page, session)
    page.goto(f"{session}register/walk-in/?family={_family_id(family.href)}")
    expect(
        page.get_by_role("button", name=f"Add the {family.name} to the register")
    ).to_be_visible()


@scenario("centres-family-record", user=FAMILY_HUB)
def _centres_record(page: Page, demo: Any) -> None:
    family = booked_family(page, open_todays_session(page))
    page.goto(family.href)
    expect(page.locator("#centre + p")).to_contain_text("Registered with")
    expect(page.get_by_role("link", name="Book a session")).to_be_visible()


@scenario("centres-book-from-the-record", user=FAMILY_HUB)
def _centres_family_sessions(page: Page, demo: Any) -> None:
    family = booked_family(page, open_todays_session(page))
    page.goto(family.href)
    navigate(page.get_by_role("link", name="Book a session"))
    heading(page, "Book a session")
    expect(page.locator("main .govuk-tag", has_text="Booked").first).to_be_visible()


@scenario("centres-end-registration-with-errors", user=FAMILY_HUB)
def _centres_end_registration_errors(page: Page, demo: Any) -> None:
    family = booked_family(page, open_todays_session(page), 2)
    page.goto(family.href)
    navigate(page.get_by_role("link", name=re.compile("^end the registration")))
    heading(page, re.compile("^End the registration with "))
    fill_date(page, "End date", days_from_today(30))
    navigate(page.get_by_role("button", name="End the registration"))
    error_summary(page, "End date must be today or in the past")


@scenario("centres-register-with-the-centre-with-errors", user=FAMILY_HUB)
def _centres_registration_errors(page: Page, demo: Any) -> None:
    family = booked_family(page, open_todays_session(page), 3)
    page.goto(family.href)
    end = page.get_by_role("link", name=re.compile("^end the registration"))
    if end.count():  # registered: end it, so there is a registration to make
        navigate(end)
        navigate(page.get_by_role("button", name="End the registration"))
    navigate(page.get_by_role("link", name="Register with this centre"))
    heading(page, re.compile("^Register with "))
    fill_date(page, "Date they registered", days_from_today(5))
    navigate(page.get_by_role("button", name="Register the family"))
    error_summary(page, "Date they registered must be today or in the past")


@scenario("centres-registered-families", user=FAMILY_HUB)
def _centres_registered(page: Page, demo: Any) -> None:
    open_sessions(page)
    navigate(page.get_by_role("link", name="Registered families"))
    heading(page, "Registered families")
    expect(page.locator("main table").nth(1).locator("tbody tr").first).to_be_visible()


# --- Referrals --------------------------------------------------------------------------------

TRIAGE = "triage"


def _first_referral(page: Page, query: str = "") -> None:
    page.goto(f"/referrals/{query}")
    navigate(page.locator("main table tbody tr a").first)
    heading(page, re.compile(r"^Referral REF-\d{6}$"))


@scenario("referrals-queue", user=FAMILY_HUB)
def _referrals_queue(page: Page, demo: Any) -> None:
    page.goto("/referrals/")
    heading(page, "Referrals")
    expect(page.locator("main table tbody tr").first).to_be_visible()


@scenario("referrals-everything-for-triage", user=TRIAGE)
def _referrals_triage(page: Page, demo: Any) -> None:
    page.goto("/referrals/?scope=all&status=all")
    heading(page, "Referrals")
    expect(page.locator("main table tbody tr").first).to_be_visible()


@scenario("referral-form")
def _referral_form(page: Page, demo: Any) -> None:
    page.goto("/referrals/new/")
    heading(page, "Make a referral")


@scenario("referral-form-with-errors")
def _referral_form_errors(page: Page, demo: Any) -> None:
    page.goto("/referrals/new/")
    navigate(page.get_by_role("button", name="Continue"))
    error_summary(page, "Select the service you are referring to")


@scenario("referral-form-from-a-family")
def _referral_from_family(page: Page, demo: Any) -> None:
    page.goto(demo.facts.family(0).href + "referrals/new/")
    heading(page, "Make a referral")
    choose(page, "Has the family agreed to this referral?", "No")
    navigate(page.get_by_role("button", name="Send the referral"))
    error_summary(page, "needs the family's agreement")


@scenario("referral-page", user=FAMILY_HUB)
def _referral_page(page: Page, demo: Any) -> None:
    _first_referral(page, "?status=received")
    expect(page.get_by_role("heading", level=2, name="History")).to_be_visible()


@scenario("referral-step-page-with-errors", user=FAMILY_HUB)
def _referral_step(page: Page, demo: Any) -> None:
    _first_referral(page, "?status=received")
    page.goto(page.url + "declined/")
    heading(page, re.compile("Decline the referral"))
    navigate(page.get_by_role("button", name="Decline the referral"))
    error_summary(page, "Select why you are declining the referral")


@scenario("referral-match", user=TRIAGE)
def _referral_match(page: Page, demo: Any) -> None:
    page.goto("/referrals/?scope=all&status=open")
    links = page.locator("main table tbody tr a")
    hrefs = [links.nth(index).get_attribute("href") for index in range(links.count())]
    for href in hrefs:
        page.goto(f"{href}match/")
        if page.get_by_role("heading", level=1).count() and "match" in page.title().lower():
            return
    raise AssertionError("No open referral for triage to match")


@scenario("referral-dashboard", user="manager")
def _referral_dashboard(page: Page, demo: Any) -> None:
    page.goto("/referrals/dashboard/")
    heading(page, re.compile("^Referral"))
    expect(page.locator("main svg").first).to_be_visible()


@scenario("referral-routing-rules", user=TRIAGE)
def _routing_rules(page: Page, demo: Any) -> None:
    page.goto("/referrals/routing/")
    expect(page.locator("main table tbody tr").first).to_be_visible()


@scenario("referral-new-rule-with-errors", user=TRIAGE)
def _new_rule(page: Page, demo: Any) -> None:
    page.goto("/referrals/routing/new/")
    navigate(page.get_by_role("button", name="Add the rule"))
    expect(page).to_have_title(re.compile(r"^Error: "))


@scenario("self-referral-choose-service", user=None)
def _self_referral(page: Page, demo: Any) -> None:
    page.goto("/refer-yourself/")
    expect(
        page.get_by_role("group", name="Which service would you like help from?")
    ).to_be_visible()


@scenario("self-referral-with-errors", user=None)
def _self_referral_errors(page: Page, demo: Any) -> None:
    page.goto("/refer-yourself/")
    choose(page, "Which service would you like help from?", "Parenting support")
    navigate(page.get_by_role("button", name="Continue"))
    page.wait_for_timeout(3200)  # sooner is refused as a robot's
    navigate(page.get_by_role("button", name="Send request"))
    expect(page).to_have_title(re.compile(r"^Error: "))


@scenario("self-referral-sent-and-status", user=None)
def _self_referral_status(page: Page, demo: Any) -> None:
    page.goto("/refer-yourself/")
    choose(page, "Which service would you like help from?", "Little Steps befriending")
    navigate(page.get_by_role("button", name="Continue"))
    page.locator("main input[type=radio]").first.check()
    page.get_by_label("Tell us what is happening").fill("New to the area.")
    page.get_by_label("Child's first name").fill("Ottilie")
    page.get_by_label("Child's last name").fill("Brackenridge")
    fill_date(page, "Child's date of birth", days_from_today(-300))
    page.get_by_label("Your full name").fill("Sable Brackenridge")
    page.get_by_label("Phone number").fill("07700 900321")
    page.get_by_label("Postcode").fill(demo.facts.postcode)
    page.get_by_label(re.compile("^I agree to")).check()
    page.wait_for_timeout(3200)
    navigate(page.get_by_role("button", name="Send request"))
    heading(page, "Request sent")
    navigate(page.locator("main a[href*='/referral-status/']"))
    heading(page, re.compile("referral|request", re.IGNORECASE))


# ---------------------------------------------------------------------------------------------
# Assessments and plans


def open_assessments(page: Page) -> None:
    page.goto("/assessments/")
    heading(page, "Assessments and plans")


def open_draft(page: Page, title: str) -> None:
    """A draft the actor's team started, from "Assessments and plans"."""
    open_assessments(page)
    drafts = page.get_by_role("region", name=re.compile(r"^Drafts your team started"))
    row = drafts.locator("tbody tr", has_text=title).first
    navigate(row.get_by_role("link", name=re.compile(r"^Continue")))
    heading(page, title)


def open_plan_to_review(page: Page) -> None:
    """As the family hub worker: a plan of the team's due for review."""
    open_assessments(page)
    navigate(page.get_by_role("link", name=re.compile(r"^Review the plan")).first)
    heading(page, re.compile(r"^Plan for "))


@scenario("assessments-team-work")
def _assessments_team_work(page: Page, demo: Any) -> None:
    open_assessments(page)
    drafts = page.get_by_role("region", name=re.compile(r"^Drafts your team started"))
    expect(drafts).to_be_visible()


@scenario("assessments-instruments")
def _assessments_instruments(page: Page, demo: Any) -> None:
    page.goto("/assessments/instruments/")
    heading(page, re.compile("assessments", re.IGNORECASE))
    expect(page.get_by_text("Invented demo cut-offs").first).to_be_visible()


@scenario("assessment-history-with-progress-chart", user=FAMILY_HUB)
def _assessment_history(page: Page, demo: Any) -> None:
    """A family whose parent's Star-style scores were taken more than once: its history shows
    the distance travelled as a chart beside its table."""
    open_assessments(page)
    families = [
        str(link.get_attribute("href"))
        for link in page.locator("main table tbody tr td a[href^='/families/']").all()
    ]
    for href in dict.fromkeys(families):
        page.goto(f"{href}assessments/")
        if page.locator("svg[role='img']").count():
            break
    expect(page.locator("svg[role='img']").first).to_be_visible()
    expect(page.get_by_text("Change since first").first).to_be_visible()


@scenario("assessment-start-with-errors")
def _assessment_start_with_errors(page: Page, demo: Any) -> None:
    page.goto(f"{demo.facts.family(11).href}assessments/new/")
    heading(page, "Start an assessment")
    navigate(page.get_by_role("button", name="Start the assessment"))
    error_summary(page, "")


@scenario("assessment-start-already-assessed")
def _assessment_start_already_assessed(page: Page, demo: Any) -> None:
    """The integrated review in progress: starting another for the child shows it first."""
    open_assessments(page)
    drafts = page.get_by_role("region", name=re.compile(r"^Drafts your team started"))
    row = drafts.locator("tbody tr", has_text="Integrated review at two").first
    child = row.locator("td").nth(1).inner_text().strip()
    navigate(row.locator("a[href^='/families/']"))
    navigate(page.get_by_role("link", name="Assessments and plans", exact=True))
    navigate(page.get_by_role("link", name="Start an assessment"))
    group(page, "Who is it about?").get_by_label(re.compile(f"^{re.escape(child)}")).check()
    group(page, "Which assessment?").get_by_label(re.compile(r"^Integrated review at two")).check()
    page.get_by_label("Partner team").select_option(index=1)
    navigate(page.get_by_role("button", name="Start the assessment"))
    expect(page.get_by_text("Already assessed recently").first).to_be_visible()
    expect(page.get_by_role("button", name="Start a new one anyway")).to_be_visible()


@scenario("assessment-answers-with-errors")
def _assessment_answers_with_errors(page: Page, demo: Any) -> None:
    """An ASQ-3 draft: a total out of range is refused beside its box, the rest kept."""
    open_draft(page, "ASQ-3 results")
    page.get_by_label(re.compile(r"^Communication total")).fill("75")
    navigate(page.get_by_role("button", name="Save and come back later"))
    error_summary(page, "Communication total must be between 0 and 60")
    expect(page.get_by_label(re.compile(r"^Communication total"))).to_have_value("75")


@scenario("assessment-integrated-review-edit")
def _assessment_integrated_review_edit(page: Page, demo: Any) -> None:
    open_draft(page, "Integrated review at two")
    expect(page.get_by_role("group", name="The health visitor's review")).to_be_visible()


@scenario("assessment-completed-with-results", user=FAMILY_HUB)
def _assessment_completed(page: Page, demo: Any) -> None:
    open_plan_to_review(page)
    source = page.locator(".govuk-summary-list__row", has_text="From").locator("a")
    if source.count():
        navigate(source.first)
        expect(page.locator(".govuk-tag", has_text="Completed")).to_be_visible()
    else:  # a plan agreed without an assessment: its family's history has completed ones
        navigate(page.get_by_role("link", name="Back to assessments and plans"))
        heading(page, re.compile("assessments and plans$"))


@scenario("plan-page", user=FAMILY_HUB)
def _plan_page(page: Page, demo: Any) -> None:
    open_plan_to_review(page)
    expect(page.get_by_role("heading", level=2, name="Actions")).to_be_visible()


@scenario("plan-review-with-errors", user=FAMILY_HUB)
def _plan_review_with_errors(page: Page, demo: Any) -> None:
    open_plan_to_review(page)
    navigate(page.get_by_role("link", name="Record a review"))
    page.get_by_label("How is the plan going?").fill("")
    navigate(page.get_by_role("button", name="Save the review"))
    error_summary(page, "Enter how the plan is going")


@scenario("plan-add-action", user=FAMILY_HUB)
def _plan_add_action(page: Page, demo: Any) -> None:
    open_plan_to_review(page)
    navigate(page.get_by_role("link", name="Add an action"))
    navigate(page.get_by_role("button", name="Add the action"))
    error_summary(page, "")


@scenario("plan-new-from-an-assessment-with-errors")
def _plan_new_with_errors(page: Page, demo: Any) -> None:
    page.goto(f"{demo.facts.family(12).href}plans/new/")
    heading(page, "Agree a plan")
    navigate(page.get_by_role("button", name="Agree the plan"))
    error_summary(page, "Agree at least one action")


# Every scenario above, registered by @scenario as the module loads.


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_no_axe_violations(name, open_page, demo, assert_accessible):
    user, visit = SCENARIOS[name]
    page = open_page(user, axe=True)
    visit(page, demo)
    assert_accessible(page)

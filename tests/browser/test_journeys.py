"""A practitioner's journeys through the real server, with JavaScript and the
Content-Security-Policy on: any console error or uncaught exception fails the test."""

from __future__ import annotations

import re

import pytest
from browser_support import (
    CONSENT_HEADING,
    EMERGENCY_ACCOUNT,
    EMERGENCY_REASON,
    FAMILY_HUB,
    HEALTH_VISITING_TEAM,
    HEALTH_VISITOR,
    INVALID_NHS_NUMBER,
    MIDWIFE,
    RECORD_URL,
    REFERENCE,
    WITHHELD_BIRTH_DATE,
    PersonDetails,
    add_baby,
    add_member,
    agenda_link,
    booked_family,
    check_register,
    choose,
    chronology,
    date_values,
    days_from_today,
    fill_address,
    fill_consent,
    fill_date,
    fill_person,
    group,
    long_date,
    member_card,
    navigate,
    open_family_via_search,
    open_reviews_due,
    open_todays_session,
    open_upcoming_meeting,
    search_for,
    sign_in,
    spoken_day,
    success_banner,
    title,
)
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_sign_in_search_open_the_record_and_add_a_member(open_page, demo):
    family = demo.facts.family(0)
    page = open_page()
    sign_in(page, HEALTH_VISITOR)

    expect(page).to_have_title(title("My caseload"))
    caseload_link = page.get_by_role("link", name=family.name, exact=True)
    expect(caseload_link.first).to_be_visible()

    navigate(page.get_by_role("link", name="Search", exact=True))
    open_family_via_search(page, family.name, family.href)

    navigate(page.get_by_role("link", name="Add a member"))
    expect(page.get_by_role("heading", level=1, name="Add a member")).to_be_visible()
    # The last name starts as the family's.
    expect(page.get_by_label("Last name", exact=True)).to_have_value(family.surname)
    born = days_from_today(-200)
    person = PersonDetails(
        kind="Child",
        given_name="Juniper",
        family_name=family.surname,
        sex="Female",
        date_of_birth=born,
    )
    fill_person(page, person)
    navigate(page.get_by_role("button", name="Add member"))

    expect(page).to_have_url(re.compile(re.escape(family.href) + "$"))
    expect(success_banner(page)).to_contain_text(f"{person.full_name} added to the family")
    card = member_card(page, person.full_name)
    expect(card).to_be_visible()
    expect(card).to_contain_text("Child")
    expect(card).to_contain_text(long_date(born))
    expect(card).to_contain_text("Female")
    newest = chronology(page).first
    expect(newest).to_contain_text(f"{person.full_name} added (child)")
    expect(newest).to_contain_text(HEALTH_VISITING_TEAM)


def test_search_before_create_then_create_a_family(open_page, demo):
    postcode = demo.facts.postcode
    page = open_page(HEALTH_VISITOR)
    page.goto("/caseload/")
    navigate(page.get_by_role("link", name="New family"))
    born = days_from_today(-90)
    check_register(page, "Saffron", "Brightwater", born)

    # Nobody matches, so the form goes straight on, with what was typed kept.
    expect(page.locator(".govuk-inset-text")).to_contain_text("No one on the register matches")
    expect(page.get_by_label("First name", exact=True)).to_have_value("Saffron")
    expect(page.get_by_label("Last name", exact=True)).to_have_value("Brightwater")
    assert date_values(page, "Date of birth") == (str(born.day), str(born.month), str(born.year))
    # A date of birth was given, so "Child" is already chosen.
    expect(group(page, "Who is this?").get_by_label("Child", exact=True)).to_be_checked()
    choose(page, "Sex", "Female")
    fill_address(
        page,
        line_1="12 Willow Lane",
        town="Ashby Marsh",
        postcode=postcode,
        moved_in=days_from_today(-60),
        withheld=False,
    )
    navigate(page.get_by_role("button", name="Create family record"))

    expect(page).to_have_url(RECORD_URL)
    expect(success_banner(page)).to_contain_text("Family record created")
    expect(page.get_by_role("heading", level=1, name="Brightwater family")).to_be_visible()
    expect(member_card(page, "Saffron Brightwater")).to_contain_text(long_date(born))
    address = page.locator(".govuk-summary-list__row").filter(has_text="Current address")
    expect(address).to_contain_text("12 Willow Lane")
    expect(address).to_contain_text(postcode)
    involvements = page.locator("#involvements + table")
    expect(involvements).to_contain_text(HEALTH_VISITING_TEAM)
    expect(involvements).to_contain_text("Lead")
    expect(chronology(page).filter(has_text="Family record created by")).to_have_count(1)
    expect(chronology(page).filter(has_text="Saffron Brightwater added (child)")).to_have_count(1)

    # The new family is now found by search.
    search_for(page, "Brightwater")
    expect(page.locator("main table")).to_contain_text("Saffron Brightwater")


def test_search_before_create_warns_of_someone_already_known(open_page, demo):
    known = demo.facts.known_person
    page = open_page(HEALTH_VISITOR)
    check_register(page, known.given_name, known.family_name, known.date_of_birth)

    expect(page.locator(".govuk-warning-text")).to_contain_text("may be the same person")
    matches = page.locator("main table")
    expect(matches).to_contain_text(f"{known.given_name} {known.family_name}")
    # Creating anyway asks the practitioner to confirm it is someone else.
    choose(page, "Sex", "Not known")
    fill_address(
        page,
        line_1="1 Test Street",
        town="Ashby Marsh",
        postcode=known.postcode,
        moved_in=days_from_today(-10),
        withheld=False,
    )
    navigate(page.get_by_role("button", name="Create family record"))
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("This person may already be on the register")
    expect(page.get_by_label("I have checked the people listed")).not_to_be_checked()


def test_record_the_birth_of_an_unborn_child(open_page, demo):
    family = demo.facts.family(3)
    page = open_page(HEALTH_VISITOR)
    due = days_from_today(30)
    add_member(
        page,
        family.href,
        PersonDetails(
            kind="Unborn child",
            given_name="",
            family_name="Thistlewood",
            expected_delivery_date=due,
        ),
    )
    unborn = member_card(page, "Unborn baby Thistlewood")
    expect(unborn).to_contain_text("Unborn child")
    expect(unborn).to_contain_text(long_date(due))

    navigate(unborn.get_by_role("link", name="Record birth of Unborn baby Thistlewood"))
    expect(page.get_by_role("heading", level=1, name="Record the birth")).to_be_visible()
    born = days_from_today(-1)
    page.get_by_label("Baby's first name").fill("Wren")
    fill_date(page, "Date of birth", born)
    choose(page, "Sex", "Male")
    navigate(page.get_by_role("button", name="Record birth"))

    expect(page).to_have_url(re.compile(re.escape(family.href) + "$"))
    expect(success_banner(page)).to_contain_text("Birth recorded")
    child = member_card(page, "Wren Thistlewood")
    expect(child).to_contain_text("Child")
    expect(child).to_contain_text(long_date(born))
    # The pregnancy's record is kept: the same person, with the expected date still there.
    expect(child).to_contain_text(long_date(due))
    expect(child.get_by_role("link", name=re.compile("^Record birth"))).to_have_count(0)
    expect(member_card(page, "Unborn baby Thistlewood")).to_have_count(0)
    expect(chronology(page).first).to_contain_text(f"Wren Thistlewood born on {long_date(born)}")


def test_an_invalid_nhs_number_is_explained_and_nothing_typed_is_lost(open_page, demo):
    family = demo.facts.family(2)
    page = open_page(HEALTH_VISITOR)
    page.goto(family.href)
    navigate(page.get_by_role("link", name="Add a member"))
    born = days_from_today(-800)
    person = PersonDetails(
        kind="Child",
        given_name="Ottilie",
        family_name=family.surname,
        sex="Female",
        date_of_birth=born,
        nhs_number=INVALID_NHS_NUMBER,
    )
    fill_person(page, person)
    navigate(page.get_by_role("button", name="Add member"))

    expect(page).to_have_title(re.compile(r"^Error: Add a member"))
    summary = page.locator(".govuk-error-summary")
    # GOV.UK Frontend moves focus to the summary, so screen readers announce it at once.
    expect(summary).to_be_focused()
    message = "Enter a valid NHS number: this one fails the check digit"
    link = summary.get_by_role("link", name=re.compile(re.escape(message)))
    expect(link).to_have_attribute("href", "#id_nhs_number")
    field = page.get_by_label("NHS number (optional)")
    expect(field).to_have_attribute("aria-describedby", re.compile(r"\bid_nhs_number-error\b"))
    expect(page.locator("#id_nhs_number-error")).to_contain_text(message)
    expect(field).to_have_class(re.compile(r"\bgovuk-input--error\b"))

    link.click()
    expect(field).to_be_focused()

    # Everything typed is still there.
    expect(field).to_have_value(INVALID_NHS_NUMBER)
    expect(group(page, "Who is this?").get_by_label("Child", exact=True)).to_be_checked()
    expect(page.get_by_label("First name", exact=True)).to_have_value("Ottilie")
    expect(page.get_by_label("Last name", exact=True)).to_have_value(family.surname)
    expect(group(page, "Sex").get_by_label("Female", exact=True)).to_be_checked()
    assert date_values(page, "Date of birth") == (str(born.day), str(born.month), str(born.year))

    # Corrected, it saves.
    field.fill("943 476 5919")
    navigate(page.get_by_role("button", name="Add member"))
    expect(success_banner(page)).to_contain_text("Ottilie")
    expect(member_card(page, f"Ottilie {family.surname}")).to_contain_text("943 476 5919")


def test_a_withheld_address_is_shown_only_to_the_team_that_recorded_it(open_page, demo):
    href = demo.withheld_family()

    own_team = open_page(HEALTH_VISITOR)
    own_team.goto(href)
    address = own_team.locator(".govuk-summary-list__row").filter(has_text="Current address")
    expect(address).to_contain_text("Flat 3, Refuge House")
    expect(address).to_contain_text("Withheld from other teams")

    other_team = open_page(MIDWIFE)
    other_team.goto(href)
    expect(other_team.get_by_role("heading", level=1, name="Quillfeather family")).to_be_visible()
    address = other_team.locator(".govuk-summary-list__row").filter(has_text="Current address")
    expect(address).to_contain_text("Address withheld")
    expect(address).to_contain_text(f"Contact {HEALTH_VISITING_TEAM}")
    expect(other_team.locator("main")).not_to_contain_text("Refuge House")
    expect(other_team.locator("main")).not_to_contain_text(demo.facts.postcode)

    # Nor do search and search-before-create give the postcode away.
    search_for(other_team, "Quillfeather")
    row = other_team.locator("main table tbody tr").filter(has_text="Ottoline Quillfeather")
    expect(row.locator("td").nth(3)).to_have_text("Not shown")
    check_register(other_team, "Ottoline", "Quillfeather", WITHHELD_BIRTH_DATE)
    match = other_team.locator("main table tbody tr").filter(has_text="Ottoline Quillfeather")
    expect(match.locator("td").nth(2)).to_have_text("Not shown")


def test_emergency_access_by_one_team_then_the_privacy_officer_reviews_it(open_page, demo):
    family = demo.emergency_family()  # only the health visitors work with it
    page = open_page("family.hub")
    page.goto("/caseload/")
    navigate(page.get_by_role("link", name="New family"))
    check_register(page, family.given_name, family.family_name, family.date_of_birth)

    # The register knows her, through another team: no link to the record, only emergency access.
    matches = page.locator("main table")
    expect(matches).to_contain_text(family.full_name)
    expect(matches).to_contain_text(HEALTH_VISITING_TEAM)
    expect(matches.locator(f"a[href='{family.href}']")).to_have_count(0)
    navigate(page.get_by_role("link", name=f"Emergency access to {family.full_name}'s record"))

    expect(page).to_have_title(title("Emergency access to a record"))
    expect(page.locator(".govuk-warning-text")).to_contain_text("Your access is recorded")
    expect(page.locator("main")).not_to_contain_text(family.family_name)
    choose(page, "Why do you need the record now?", EMERGENCY_REASON)
    page.get_by_label("What has happened").fill(EMERGENCY_ACCOUNT)
    navigate(page.get_by_role("button", name="Open the record in an emergency"))

    expect(page).to_have_url(re.compile(re.escape(family.href) + "$"))
    banner = page.locator(".govuk-notification-banner").filter(has_text="Emergency access until")
    expect(banner).to_contain_text(REFERENCE)
    reference = REFERENCE.search(banner.inner_text()).group(0)
    expect(member_card(page, family.full_name)).to_be_visible()
    expect(chronology(page).first).to_contain_text(
        f"used emergency access to this record ({reference})"
    )

    officer = open_page("privacy")
    officer.goto("/")
    navigate(officer.get_by_role("link", name="Break-glass reviews"))
    waiting = officer.locator("#waiting + table tbody tr").filter(has_text=reference)
    expect(waiting).to_contain_text("Family hub worker")
    expect(waiting).to_contain_text(EMERGENCY_REASON)
    expect(waiting).to_contain_text("Open until")
    expect(officer.locator("main")).not_to_contain_text(family.family_name)
    navigate(waiting.get_by_role("link", name=reference))

    expect(officer.get_by_role("heading", level=1, name=f"Review {reference}")).to_be_visible()
    expect(officer.locator("main")).to_contain_text(EMERGENCY_ACCOUNT)
    expect(officer.locator("#opened + table")).to_contain_text("Viewed: identity")
    choose(officer, "Was the access justified?", "Justified")
    navigate(officer.get_by_role("button", name="Save review"))

    expect(success_banner(officer)).to_contain_text(f"{reference} reviewed: justified")
    expect(officer.locator("#waiting + table tbody tr").filter(has_text=reference)).to_have_count(0)
    expect(officer.locator("#reviewed + table")).to_contain_text(reference)


def test_record_a_consent_then_withdraw_it(open_page, demo):
    family = demo.facts.family(7)
    page = open_page(HEALTH_VISITOR)
    name = fill_consent(page, family)
    navigate(page.get_by_role("button", name="Continue"))
    expect(page.get_by_role("heading", level=1, name=CONSENT_HEADING)).to_be_visible()
    answers = page.locator(".govuk-summary-list")
    expect(answers).to_contain_text(name)
    expect(answers).to_contain_text("Early help and family support")

    # Change what may be shared: back to the form with every answer kept.
    navigate(page.get_by_role("button", name="Change information"))
    expect(page).to_have_url(re.compile(r"/consents/new/#id_categories_0$"))
    information = group(page, "What information may be shared?")
    expect(information.get_by_label("Health", exact=True)).to_be_checked()
    expect(group(page, "How was consent given?").get_by_label("Verbal")).to_be_checked()
    expect(group(page, "Who gave consent?").get_by_label(name, exact=True)).to_be_checked()
    information.get_by_label("Family support", exact=True).check()
    navigate(page.get_by_role("button", name="Continue"))
    expect(answers).to_contain_text("Health, Family support")
    navigate(page.get_by_role("button", name="Record consent"))

    panel = page.locator(".govuk-panel--confirmation")
    expect(panel).to_contain_text("Consent recorded")
    reference = panel.locator("strong").inner_text()
    navigate(page.get_by_role("link", name=f"View consent {reference}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Consent {reference} In force")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Children's centre or family hub")

    navigate(page.get_by_role("link", name="Withdraw consent"))
    expect(
        page.get_by_role("heading", level=1, name=f"Withdraw consent {reference}")
    ).to_be_visible()
    expect(page.locator("main")).to_contain_text("What will stop being shared")
    page.get_by_label("Why is consent being withdrawn? (optional)").fill("Asked us to stop")
    navigate(page.get_by_role("button", name="Withdraw consent"))

    expect(page.get_by_role("heading", level=1, name="Sharing and consent")).to_be_visible()
    expect(success_banner(page)).to_contain_text("Consent withdrawn")
    row = page.locator("main table tbody tr").filter(has_text=f"Consent {reference}")
    expect(row.locator(".govuk-tag")).to_have_text("Withdrawn")
    navigate(row.get_by_role("link"))
    expect(page.locator("main")).to_contain_text("Reason: Asked us to stop")
    expect(page.get_by_role("link", name="Withdraw consent")).to_have_count(0)

    page.goto(family.href)
    expect(chronology(page).first).to_contain_text(f"Consent {reference} for {name} withdrawn")


# Family Matters


def test_at_the_next_family_matters_meeting_add_a_note_and_an_action(open_page, demo):
    page = open_page(HEALTH_VISITOR)
    page.goto("/caseload/")
    navigate(page.get_by_role("link", name="Family Matters"))
    expect(page).to_have_title(title("Family Matters meetings"))
    meeting = open_upcoming_meeting(page)

    # A family both teams work with, from the agenda.
    navigate(agenda_link(page, "Add a note").first)
    family = page.get_by_label("Family", exact=True)
    chosen = family.locator("option:checked").inner_text().split(" (")[0]  # "Weston family"
    note = "Settling in at stay and play; mum would like the parenting course"
    page.get_by_label("What was discussed").fill(note)
    navigate(page.get_by_role("button", name="Add note"))
    expect(page).to_have_url(re.compile(re.escape(meeting) + r"#family-\d+$"))
    expect(success_banner(page)).to_contain_text(f"Note added for the {chosen}")
    card = page.locator(".govuk-summary-card").filter(
        has=page.get_by_role("heading", level=3, name=chosen)
    )
    expect(card).to_contain_text(note)

    navigate(card.get_by_role("link", name=f"Add an action for the {chosen}"))
    expect(page.get_by_role("heading", level=1, name="Add an action")).to_be_visible()
    expect(page.get_by_label("Family", exact=True).locator("option:checked")).to_contain_text(
        chosen
    )
    page.get_by_label("What is to be done").fill("Share the parenting course dates")
    due = days_from_today(21)
    fill_date(page, "Due date", due)
    navigate(page.get_by_role("button", name="Add action"))
    expect(success_banner(page)).to_contain_text(f"Action added for the {chosen}")
    agreed = card.locator("table").filter(has_text="Actions agreed at this meeting")
    row = agreed.locator("tbody tr").filter(has_text="Share the parenting course dates")
    expect(row).to_contain_text(f"{due.day} {due:%b %Y}")
    expect(row.locator(".govuk-tag")).to_have_text("Open")

    # The note is family support on the family's chronology, as the health visitors wrote it.
    navigate(card.get_by_role("link", name=chosen, exact=True))
    expect(page.get_by_role("heading", level=1, name=chosen)).to_be_visible()
    expect(
        chronology(page).filter(has_text=f"Discussed at Family Matters: {note}")
    ).to_contain_text(HEALTH_VISITING_TEAM)


# Care


def test_record_a_new_birth_visit_from_reviews_due(open_page, demo):
    page = open_page()
    sign_in(page, HEALTH_VISITOR)
    baby = add_baby(page, demo.facts.family(9), "Marigold", 4)

    # Reviews due, the health visitor's own families, new birth visits only.
    open_reviews_due(page, mine=True, show="New birth visit")
    row = page.locator("main table tbody tr").filter(has_text=baby.full_name)
    expect(row).to_contain_text("New birth visit")
    expect(row).to_contain_text("Due")
    expect(row).to_contain_text(f"Due by {days_from_today(10):%-d %b %Y}")
    navigate(row.get_by_role("link", name=f"Record the new birth visit of {baby.full_name}"))

    expect(page.get_by_role("heading", level=1, name="Record a review or contact")).to_be_visible()
    expect(group(page, "What was it?").get_by_label("New birth visit")).to_be_checked()
    assert date_values(page, "Date") == tuple(
        str(part)
        for part in (days_from_today(0).day, days_from_today(0).month, days_from_today(0).year)
    )
    # Forgetting the feeding question is caught, and nothing typed is lost.
    page.get_by_label("Weight in kilograms (optional)").fill("3.52")
    navigate(page.get_by_role("button", name="Save"))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select whether the baby is breastfed"
    )
    expect(page.get_by_label("Weight in kilograms (optional)")).to_have_value("3.52")
    choose(page, "Breastfeeding", "Partially breastfed")
    choose(page, "Mother's smoking at delivery (optional)", "Non-smoker")
    page.get_by_label("Next steps (optional)").fill("Weigh at the baby clinic next week")
    navigate(page.get_by_role("button", name="Save"))

    # Back on the child's health page: done, on time, with what was recorded.
    expect(page).to_have_url(re.compile(re.escape(baby.health_href) + "$"))
    expect(success_banner(page)).to_contain_text(f"New birth visit recorded for {baby.full_name}")
    expect(success_banner(page)).not_to_contain_text("as late")
    reviews = page.locator("#reviews + table")
    visit = reviews.locator("tr").filter(has_text="New birth visit")
    expect(visit).to_contain_text("Done")
    expect(visit).to_contain_text("on time")
    card = page.locator(".govuk-summary-card").filter(has_text="New birth visit")
    expect(card).to_contain_text("Partially breastfed")
    expect(card).to_contain_text("3.52 kg")

    # On the family's chronology, as health information.
    navigate(page.get_by_role("link", name=f"Back to {baby.family.name}"))
    line = (
        chronology(page)
        .filter(has_text="New birth visit (face to face)")
        .filter(has_text=f"about {baby.full_name}")
    )
    expect(line).to_have_count(1)
    expect(line).to_contain_text("Health")
    # And off the worklist.
    open_reviews_due(page, mine=True, show="New birth visit")
    expect(page.locator("main")).not_to_contain_text(baby.full_name)


# --- Centres ----------------------------------------------------------------------------------


def test_take_a_session_register(open_page):
    """A family hub worker opens today's session, ticks who came, saves, and saves again:
    the same families, once each, and each family's chronology says they came."""
    page = open_page()
    sign_in(page, FAMILY_HUB)
    session = open_todays_session(page)
    navigate(page.get_by_role("link", name="Take the register"))
    expect(page.get_by_role("heading", level=1, name="Register")).to_be_visible()
    register_url = page.url

    boxes = page.locator("input[name='family']")
    count = boxes.count()
    assert count > 0
    for box in boxes.all():
        box.check()
    # Ticking a family reveals its children: tick the first family's first child.
    children = page.locator(".govuk-checkboxes__conditional").first.get_by_role("checkbox")
    expect(children.first).to_be_visible()
    children.first.check()
    families = "family" if count == 1 else "families"
    navigate(page.get_by_role("button", name="Save register"))
    expect(success_banner(page)).to_contain_text(f"Register saved: {count} {families} attended")
    assert page.url == register_url
    expect(children.first).to_be_checked()

    # Saving again changes nothing.
    navigate(page.get_by_role("button", name="Save register"))
    expect(success_banner(page)).to_contain_text(f"Register saved: {count} {families} attended")
    expect(page.locator("input[name='family']:checked")).to_have_count(count)

    family = booked_family(page, session)
    page.goto(family.href)
    today = days_from_today(0)
    attended = chronology(page).filter(
        has_text=f"Attended: Stay and Play, {spoken_day(today)} {today.year}, 10:00"
    )  # the demo's Stay and Play starts at 10:00 (another test adds one later today)
    expect(attended).to_have_count(1)
    expect(attended.first).to_contain_text("Family support")

"""The main journey works with JavaScript off: every page is a plain GOV.UK form or link."""

from __future__ import annotations

import re

import pytest
from browser_support import (
    FAMILY_HUB,
    HEALTH_VISITING_TEAM,
    HEALTH_VISITOR,
    PersonDetails,
    add_baby,
    agenda_link,
    chronology,
    days_from_today,
    fill_person,
    group,
    long_date,
    member_card,
    navigate,
    open_family_via_search,
    open_todays_session,
    open_upcoming_meeting,
    sign_in,
    success_banner,
    tick_everyone_and_save,
    title,
)
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_sign_in_search_open_the_record_and_add_a_member_without_javascript(open_page, demo):
    family = demo.facts.family(1)
    page = open_page(javascript=False)
    sign_in(page, HEALTH_VISITOR)

    # GOV.UK Frontend's scripts did not run: no js-enabled class, so no script-only styles.
    assert "js-enabled" not in (page.locator("body").get_attribute("class") or "")
    expect(page).to_have_title(title("My caseload"))
    # The service navigation shows its links without the script-driven menu toggle.
    expect(page.get_by_role("link", name="New family")).to_be_visible()
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()

    # Search from the caseload's own search box, then again on the search page.
    page.get_by_label("Find a family").fill(family.surname)
    navigate(page.get_by_role("button", name="Search", exact=True))
    # Posted: what was typed is not in the address.
    expect(page).to_have_url(re.compile(r"/search/$"))
    expect(page.get_by_role("heading", level=2, name=re.compile(r"found$"))).to_be_visible()
    open_family_via_search(page, family.name, family.href)

    navigate(page.get_by_role("link", name="Add a member"))
    # An error first: the summary links to the field even without the script.
    navigate(page.get_by_role("button", name="Add member"))
    summary = page.locator(".govuk-error-summary")
    link = summary.get_by_role("link", name="Select who this person is")
    expect(link).to_have_attribute("href", "#id_kind_0")
    link.click()
    expect(page).to_have_url(re.compile(r"#id_kind_0$"))

    born = days_from_today(-45)
    person = PersonDetails(
        kind="Child",
        given_name="Ambrose",
        family_name=family.surname,
        sex="Male",
        date_of_birth=born,
    )
    fill_person(page, person)
    navigate(page.get_by_role("button", name="Add member"))

    # Back on the record (a redirect keeps the #fragment the error link added).
    expect(page).to_have_url(re.compile(re.escape(family.href) + "(#.*)?$"))
    expect(success_banner(page)).to_contain_text(f"{person.full_name} added to the family")
    expect(member_card(page, person.full_name)).to_contain_text(long_date(born))
    expect(chronology(page).first).to_contain_text(f"{person.full_name} added (child)")


# Family Matters


def test_family_matters_without_javascript(open_page, demo):
    """The centre's worker opens the next meeting, meets an error, then adds a note."""
    page = open_page(javascript=False)
    sign_in(page, FAMILY_HUB)
    navigate(page.get_by_role("link", name="Family Matters"))
    meeting = open_upcoming_meeting(page, HEALTH_VISITING_TEAM)
    navigate(agenda_link(page, "Add a note").first)
    navigate(page.get_by_role("button", name="Add note"))
    link = page.locator(".govuk-error-summary").get_by_role("link", name="Enter what was discussed")
    expect(link).to_have_attribute("href", "#id_text")
    page.get_by_label("What was discussed").fill("Came to the breastfeeding drop-in twice")
    navigate(page.get_by_role("button", name="Add note"))
    expect(page).to_have_url(re.compile(re.escape(meeting) + r"#family-\d+$"))
    expect(success_banner(page)).to_contain_text("Note added for the ")
    expect(page.locator("main")).to_contain_text("Came to the breastfeeding drop-in twice")


# Care


def test_record_immunisations_without_javascript(open_page, demo):
    page = open_page(javascript=False)
    sign_in(page, HEALTH_VISITOR)
    baby = add_baby(page, demo.facts.family(10), "Primrose", 60)  # 8 weeks: 4 days ago

    page.goto(baby.health_href)
    navigate(page.get_by_role("link", name="Record immunisations"))
    vaccines = group(page, "Which vaccines?")
    # The 8-week vaccines are ticked already.
    for label in ("6-in-1 (1st dose)", "MenB (1st dose)", "Rotavirus (1st dose)"):
        expect(vaccines.get_by_label(re.compile(rf"^{re.escape(label)}"))).to_be_checked()
    # Given, but not where: the summary links to the field without the script.
    navigate(page.get_by_role("button", name="Save"))
    link = page.locator(".govuk-error-summary").get_by_role(
        "link", name="Enter where the vaccines were given"
    )
    expect(link).to_have_attribute("href", "#id_place")
    page.get_by_label("Where were they given?").fill("Ashby Marsh Road Surgery")
    navigate(page.get_by_role("button", name="Save"))

    expect(page).to_have_url(re.compile(re.escape(baby.health_href) + "$"))
    expect(success_banner(page)).to_contain_text(
        f"3 immunisations recorded as given for {baby.full_name}"
    )
    given = page.locator("#immunisations ~ table tr").filter(has_text="Ashby Marsh Road Surgery")
    expect(given).to_have_count(3)


# --- Centres ----------------------------------------------------------------------------------


def test_take_a_session_register_without_javascript(open_page):
    """Without the script every family's children are listed under it, and the register still
    saves in one post."""
    page = open_page(javascript=False)
    sign_in(page, FAMILY_HUB)
    page.goto(open_todays_session(page) + "register/")
    children = page.locator(".govuk-checkboxes__conditional").first.get_by_role("checkbox")
    expect(children.first).to_be_visible()
    count = tick_everyone_and_save(page)
    expect(page.locator("input[name='family']:checked")).to_have_count(count)

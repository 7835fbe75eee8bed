"""Referrals through the real server: a GP refers, the single point of contact routes, the
children's centre works the referral to an outcome, and the GP sees it. A family refers
themselves on a phone without JavaScript and follows their referral by its private link."""

from __future__ import annotations

import re

import pytest
from browser_support import (
    FAMILY_HUB,
    FAMILY_HUB_TEAM,
    choose,
    days_from_today,
    fill_date,
    group,
    navigate,
    sign_in,
    success_banner,
)
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

GP = "gp.staff"
TRIAGE = "triage"
TRIAGE_TEAM = "Early Help Single Point of Contact"
REFERENCE = re.compile(r"REF-\d{6}")
SERVICE = re.compile(r"^Early help family support")


def summary_value(page: Page, key: str) -> str:
    row = page.locator(".govuk-summary-list__row", has=page.get_by_text(key, exact=True))
    return row.locator(".govuk-summary-list__value").inner_text()


def open_step(page: Page, text: str) -> None:
    """Open a step's form on the referral page: the first is shown, the rest fold away."""
    summary = page.locator("summary", has_text=text)
    if summary.count():
        summary.click()


def gp_refers(page: Page) -> str:
    """From a family on the GP's caseload, refer the first person; the referral's path."""
    sign_in(page, GP)
    navigate(page.get_by_role("link", name="My caseload", exact=True))
    navigate(page.locator("main table tbody tr a").first)
    navigate(page.get_by_role("link", name=re.compile(r"^Refer a member")))
    expect(page.get_by_role("heading", level=1, name="Make a referral")).to_be_visible()

    # Sent with no consent: refused beside the question, and nothing typed is lost.
    group(page, "Which service are you referring to?").get_by_label(SERVICE).check()
    choose(page, "What does the family need help with?", "Domestic abuse")
    reason = "Mother disclosed controlling behaviour at her appointment; wants support."
    page.get_by_label("Why are you referring?").fill(reason)
    group(page, "Who are you referring?").get_by_role("radio").first.check()
    page.get_by_label("Who should the service contact?").fill("The mother, by phone")
    page.get_by_label("Phone number").fill("07700 900456")
    choose(page, "Has the family agreed to this referral?", "No")
    navigate(page.get_by_role("button", name="Send the referral"))
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("needs the family's agreement")
    expect(page.get_by_label("Why are you referring?")).to_have_value(reason)
    expect(page.get_by_label("Phone number")).to_have_value("07700 900456")

    choose(page, "Has the family agreed to this referral?", "Yes")
    page.get_by_label("Who agreed?").fill("The mother, for herself and her child")
    choose(page, "How did they agree?", "Verbal")
    fill_date(page, "When did they agree?", days_from_today(0))
    group(page, "What may be shared with the service?").get_by_label(
        "Family support", exact=True
    ).check()
    navigate(page.get_by_role("button", name="Send the referral"))

    expect(success_banner(page)).to_contain_text(f"sent to {TRIAGE_TEAM}")
    expect(page.get_by_role("heading", level=1, name=REFERENCE)).to_be_visible()
    return page.url


def test_a_gp_refers_triage_routes_the_centre_works_it_and_the_gp_sees_the_outcome(open_page):
    gp = open_page()
    referral_url = gp_refers(gp)
    expect(gp.locator("main")).to_contain_text("Submitted")

    # The single point of contact sends it on to the children's centre.
    triage = open_page()
    sign_in(triage, TRIAGE)
    triage.goto(referral_url)
    open_step(triage, "Send to another team's queue")
    select = triage.get_by_label("Which team's queue should it go to?")
    option = select.locator("option", has_text=FAMILY_HUB_TEAM).first
    select.select_option(value=option.get_attribute("value"))
    navigate(triage.get_by_role("button", name="Send to another team's queue"))
    expect(success_banner(triage)).to_contain_text(FAMILY_HUB_TEAM)

    # The centre opens it (received), accepts, contacts the family and closes it.
    centre = open_page()
    sign_in(centre, FAMILY_HUB)
    centre.goto(referral_url)
    expect(centre.locator("main")).to_contain_text("Received")
    navigate(centre.get_by_role("button", name="Accept the referral"))
    expect(success_banner(centre)).to_contain_text("accepted")
    open_step(centre, "Record the first contact with the family")
    navigate(centre.get_by_role("button", name="Record the first contact with the family"))
    expect(success_banner(centre)).to_be_visible()
    open_step(centre, "Record that support has started")
    navigate(centre.get_by_role("button", name="Record that support has started"))
    open_step(centre, "Close with an outcome")
    choose(centre, "What was the outcome?", "Need met")
    navigate(centre.get_by_role("button", name="Close with an outcome"))
    expect(success_banner(centre)).to_be_visible()
    # Accepting opened the family's record to the centre: the chronology has the referral.
    navigate(centre.get_by_role("link", name="Open the family's record"))
    expect(centre.locator("main")).to_contain_text(re.compile(r"Referral REF-\d{6}"))

    # The loop closes: the GP sees every step and the outcome.
    gp.goto(referral_url)
    expect(gp.locator("main")).to_contain_text("Completed")
    assert summary_value(gp, "Outcome") == "Need met"
    history = gp.locator("#history ~ table").first
    for step in ("Submitted", "Received", "Accepted", "Family contacted", "Completed"):
        expect(history).to_contain_text(step)
    expect(history).to_contain_text(FAMILY_HUB_TEAM)


def test_a_parent_refers_themselves_on_a_phone_without_javascript_and_follows_it(open_page, demo):
    page = open_page(javascript=False)
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/sign-in/")
    navigate(page.get_by_role("link", name="Ask for help for your family"))
    choose(page, "Which service would you like help from?", "Parenting support")
    navigate(page.get_by_role("button", name="Continue"))
    expect(
        page.get_by_role("heading", level=1, name="Ask Parenting support for help")
    ).to_be_visible()

    choose(page, "What would you like help with?", "Parenting, routines, sleep or behaviour")
    page.get_by_label("Tell us what is happening").fill("Bedtimes take hours; we are exhausted.")
    page.get_by_label("Child's first name").fill("Wren")
    page.get_by_label("Child's last name").fill("Tallowmere")
    fill_date(page, "Child's date of birth", days_from_today(-400))
    page.get_by_label("Your full name").fill("Idris Tallowmere")
    page.get_by_label("Phone number").fill("07700 900789")
    page.get_by_label("Postcode").fill(demo.facts.postcode)
    page.wait_for_timeout(3200)  # a form sent within 3 seconds of being shown is a robot's
    navigate(page.get_by_role("button", name="Send request"))

    # Without the agreement nothing is sent, and nothing typed is lost.
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.get_by_label("Tell us what is happening")).to_have_value(
        "Bedtimes take hours; we are exhausted."
    )
    expect(page.get_by_label("Postcode")).to_have_value(demo.facts.postcode)
    page.get_by_label(re.compile(r"^I agree to Parenting support contacting me")).check()
    page.wait_for_timeout(3200)
    navigate(page.get_by_role("button", name="Send request"))

    expect(page.get_by_role("heading", level=1, name="Request sent")).to_be_visible()
    reference = REFERENCE.search(page.locator(".govuk-panel__body").inner_text())
    assert reference is not None
    navigate(page.locator("main a[href*='/referral-status/']"))
    main = page.locator("main")
    expect(main).to_contain_text(reference.group(0))
    expect(main).to_contain_text("Parenting support")
    for personal in ("Wren", "Tallowmere", "Idris", "exhausted", demo.facts.postcode):
        expect(main).not_to_contain_text(personal)

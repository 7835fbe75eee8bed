"""The integrated review at two through the real server, by its two agencies: the health
visitor writes the health review, cannot complete it while the nursery's part is missing (and
loses nothing typed), the nursery writes its progress check and the shared summary and
completes it, and both see one record with what each found."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from browser_support import HEALTH_VISITOR, choose, navigate, success_banner
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.browser

EARLY_YEARS = "early.years"
REVIEW = "Integrated review at two"


def work_table(page: Page, heading: str) -> Locator:
    """A table of the team's work ("Assessments and plans"), by the region's name."""
    return page.get_by_role("region", name=re.compile(f"^{heading}"))


def open_review_in_progress(page: Page) -> str:
    """As the health visitor: the integrated review the team started with a nursery; the
    child's name."""
    page.goto("/assessments/")
    row = work_table(page, "Drafts your team started").locator("tbody tr", has_text=REVIEW).first
    expect(row).to_contain_text("With ")
    child = row.locator("td").nth(1).inner_text().strip()
    navigate(row.get_by_role("link", name=re.compile(r"^Continue")))
    expect(page.get_by_role("heading", level=1, name=REVIEW)).to_be_visible()
    return child


def test_two_agencies_complete_the_integrated_review_at_two(open_page) -> None:
    health_visitor = open_page(HEALTH_VISITOR)
    child = open_review_in_progress(health_visitor)
    findings = "Growing along the 50th centile; hearing checked, no concerns."
    health_visitor.get_by_label("What the health visitor found").fill(findings)

    # Completing before the nursery has written its part is refused; nothing typed is lost.
    navigate(health_visitor.get_by_role("button", name="Complete assessment"))
    expect(health_visitor).to_have_title(re.compile(r"^Error: "))
    summary = health_visitor.locator(".govuk-error-summary")
    expect(summary).to_contain_text("It cannot be completed yet")
    expect(summary).to_contain_text("the setting's progress check")
    expect(health_visitor.get_by_text("Your answers are saved as a draft")).to_be_visible()
    expect(health_visitor.get_by_label("What the health visitor found")).to_have_value(findings)

    # The nursery finds the review waiting for it, and writes its part and the shared one.
    nursery = open_page(EARLY_YEARS)
    nursery.goto("/assessments/")
    waiting = work_table(nursery, "Integrated reviews waiting for your team")
    row = waiting.locator("tbody tr", has_text=child)
    navigate(row.get_by_role("link", name=re.compile(r"^Write your part")))
    expect(nursery.get_by_text(findings)).to_be_visible()  # the health visitor's, shared
    choose(nursery, "Communication and language", "Progress less than expected")
    choose(nursery, "Personal, social and emotional development", "On track for their age")
    choose(nursery, "Physical development", "On track for their age")
    nursery.get_by_label("What the setting found").fill("Uses a few single words; loves books.")
    nursery.get_by_label("Shared summary").fill("Healthy and happy; talking later than most.")
    nursery.get_by_label("Agreed next steps").fill(
        "Speech and language group at the family hub; the nursery shares words to practise."
    )
    choose(nursery, "The parents agree the summary and next steps", "Yes")
    navigate(nursery.get_by_role("button", name="Complete assessment"))

    expect(success_banner(nursery)).to_contain_text(f"{REVIEW} completed for {child}")
    expect(nursery.get_by_role("heading", level=1, name=REVIEW)).to_be_visible()
    needs = nursery.locator("main").get_by_text(re.compile(r"^Communication and language"))
    expect(needs.first).to_be_visible()
    review_path = urlsplit(nursery.url).path

    # The health visitor opens the same record: both agencies' parts, and a plan to make.
    health_visitor.goto(review_path)
    expect(health_visitor.locator(".govuk-tag", has_text="Completed")).to_be_visible()
    expect(health_visitor.get_by_text("Uses a few single words; loves books.")).to_be_visible()
    expect(health_visitor.get_by_text(findings)).to_be_visible()
    expect(
        health_visitor.get_by_role("link", name="Make a plan from this assessment")
    ).to_be_visible()

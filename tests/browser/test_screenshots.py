"""Full-page screenshots of the caseload and a family record, outside the repository, for a
person to look at; and the checks that the GOV.UK styles really loaded."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from browser_support import HEALTH_VISITOR
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SCREENSHOT_DIR = Path(
    os.environ.get(
        "BESTSTART_SCREENSHOT_DIR", Path(tempfile.gettempdir()) / "beststart-screenshots"
    )
)


def _assert_styled(page) -> None:
    """GOV.UK Frontend's stylesheet applied: the width container, our font setting (Arial, not
    GDS Transport), GOV.UK's link colour and heading weight."""
    styles = page.evaluate(
        """() => {
            const style = (selector) => getComputedStyle(document.querySelector(selector));
            return {
                width: style('.govuk-width-container').maxWidth,
                font: style('main .govuk-body').fontFamily,
                link: style('main a.govuk-link').color,
                heading: style('h1.govuk-heading-l').fontWeight,
            };
        }"""
    )
    assert styles == {
        "width": "960px",
        "font": "arial, sans-serif",
        "link": "rgb(29, 112, 184)",
        "heading": "700",
    }, styles


@pytest.mark.parametrize(
    ("name", "path"),
    [("caseload", "/caseload/"), ("family-record", None)],
)
def test_full_page_screenshot(name, path, open_page, demo):
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page = open_page(HEALTH_VISITOR)
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on(
        "response",
        lambda response: (
            failed.append(f"{response.status} {response.url}") if response.status >= 400 else None
        ),
    )
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(path or demo.facts.family(0).href)
    expect(page.locator("h1")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert not failed, failed
    _assert_styled(page)
    target = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000

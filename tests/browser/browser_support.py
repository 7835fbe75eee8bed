"""What the browser tests do the way a practitioner does it: fill GOV.UK forms by their labels,
and find their way to the demo county's families through the pages themselves.

Everything here goes through the UI (no database access): the server is a black box.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from playwright.sync_api import Locator, Page, expect

RECORD_URL = re.compile(r"/families/\d+/$")
# The demo's sign-ins all work in Ashby Marsh (src/beststart/demo/organisations.py).
HEALTH_VISITOR = "health.visitor"
HEALTH_VISITING_TEAM = "Health Visiting Ashby Marsh"
MIDWIFE = "midwife"
MIDWIFE_TEAM = "Community Midwives Ashby Marsh"
PASSWORD = "best-start-demo"  # every demo sign-in's
# Fails the NHS number check digit (943 476 5919 is the valid one).
INVALID_NHS_NUMBER = "943 476 5910"


def title(page_title: str) -> str:
    """A page's <title>: its own, then the service's name after an en dash."""
    return f"{page_title} \N{EN DASH} Best Start"


def days_from_today(days: int) -> dt.date:
    """Counted from the server's today, which is London's whatever the machine's time zone."""
    return dt.datetime.now(ZoneInfo("Europe/London")).date() + dt.timedelta(days=days)


def long_date(day: dt.date) -> str:
    """As the record shows dates: 7 March 2025."""
    return f"{day.day} {day:%B %Y}"


def navigate(target: Locator) -> None:
    """Click a link or a submit button and wait for the next page to load: waiting on the
    navigation itself, rather than polling the page for what should appear."""
    with target.page.expect_navigation():
        target.click()


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the form and wait to land on a signed-in page."""
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    navigate(page.get_by_role("button", name="Sign in"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


# ---------------------------------------------------------------------------------------------
# GOV.UK form patterns


def group(scope: Page | Locator, legend: str) -> Locator:
    """A fieldset (radios, date input) by its legend."""
    return scope.get_by_role("group", name=legend, exact=True)


def choose(scope: Page | Locator, legend: str, option: str) -> None:
    group(scope, legend).get_by_label(option, exact=True).check()


def fill_date(scope: Page | Locator, legend: str, day: dt.date | None) -> None:
    """The day, month and year boxes of a GOV.UK date input."""
    fieldset = group(scope, legend)
    parts = ("", "", "") if day is None else (str(day.day), str(day.month), str(day.year))
    for label, value in zip(("Day", "Month", "Year"), parts, strict=True):
        fieldset.get_by_label(label, exact=True).fill(value)


def date_values(scope: Page | Locator, legend: str) -> tuple[str, str, str]:
    fieldset = group(scope, legend)
    day, month, year = (
        fieldset.get_by_label(label, exact=True).input_value() for label in ("Day", "Month", "Year")
    )
    return day, month, year


@dataclass
class PersonDetails:
    kind: str  # the radio label: Unborn child, Child, Parent, Carer
    given_name: str
    family_name: str | None = None  # None keeps what the form offers
    sex: str = "Not known"
    date_of_birth: dt.date | None = None
    expected_delivery_date: dt.date | None = None
    nhs_number: str = ""

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


def fill_person(page: Page, person: PersonDetails) -> None:
    """The person fields shared by create, add a member and change details."""
    choose(page, "Who is this?", person.kind)
    page.get_by_label("First name", exact=True).fill(person.given_name)
    if person.family_name is not None:
        page.get_by_label("Last name", exact=True).fill(person.family_name)
    choose(page, "Sex", person.sex)
    fill_date(page, "Date of birth", person.date_of_birth)
    fill_date(page, "Expected date of delivery", person.expected_delivery_date)
    page.get_by_label("NHS number (optional)").fill(person.nhs_number)


def success_banner(page: Page) -> Locator:
    return page.locator(".govuk-notification-banner--success")


def member_card(page: Page, full_name: str) -> Locator:
    return page.locator(".govuk-summary-card").filter(
        has=page.get_by_role("heading", level=3, name=full_name, exact=True)
    )


def chronology(page: Page) -> Locator:
    return page.locator(".bs-chronology__item")


def search_for(page: Page, text: str) -> None:
    """Search from the search page. Searches are posted, so nothing typed reaches the URL."""
    page.goto("/search/")
    page.get_by_label("Search your team's families").fill(text)
    navigate(page.get_by_role("button", name="Search", exact=True))
    expect(page).to_have_url(re.compile(r"/search/$"))


def open_family_via_search(page: Page, family_name: str, href: str) -> None:
    """Search the team's families for the surname and open the family's record."""
    surname = family_name.removesuffix(" family")
    search = page.get_by_label("Search your team's families")
    search.fill(surname)
    navigate(page.get_by_role("button", name="Search", exact=True))
    expect(page.get_by_role("heading", level=2, name=re.compile(r"found$"))).to_be_visible()
    link = page.locator(f"main table a[href='{href}']").first
    expect(link).to_contain_text(family_name)
    navigate(link)
    expect(page).to_have_url(re.compile(re.escape(href) + "$"))
    expect(page.get_by_role("heading", level=1, name=family_name)).to_be_visible()


def add_member(page: Page, family_href: str, person: PersonDetails) -> None:
    """From the family record, add a member through the form, and land back on the record."""
    page.goto(family_href)
    navigate(page.get_by_role("link", name="Add a member"))
    expect(page.get_by_role("heading", level=1, name="Add a member")).to_be_visible()
    fill_person(page, person)
    navigate(page.get_by_role("button", name="Add member"))
    expect(page).to_have_url(RECORD_URL)
    expect(success_banner(page)).to_contain_text("added to the family")


def check_register(page: Page, given_name: str, family_name: str, born: dt.date) -> None:
    """Step 1 of creating a family: check the register for the person."""
    page.goto("/families/new/")
    expect(
        page.get_by_role("heading", level=1, name="Check if the person is already known")
    ).to_be_visible()
    page.get_by_label("First name", exact=True).fill(given_name)
    page.get_by_label("Last name", exact=True).fill(family_name)
    fill_date(page, "Date of birth", born)
    navigate(page.get_by_role("button", name="Check the register"))
    expect(page.get_by_role("heading", level=1, name="Create a family record")).to_be_visible()


def fill_address(
    page: Page, *, line_1: str, town: str, postcode: str, moved_in: dt.date | None, withheld: bool
) -> None:
    page.get_by_label("Address line 1").fill(line_1)
    page.get_by_label("Town or city").fill(town)
    page.get_by_label("Postcode").fill(postcode)
    fill_date(page, "Date moved in", moved_in)
    page.get_by_label("Withhold this address").set_checked(withheld)


def add_involvement(page: Page, family_href: str, team_name: str) -> None:
    page.goto(family_href)
    navigate(page.get_by_role("link", name="Add an involvement"))
    team = page.get_by_label("Team", exact=True)
    option = team.locator("option").filter(has_text=team_name).first
    team.select_option(value=option.get_attribute("value"))
    navigate(page.get_by_role("button", name="Add involvement"))
    expect(page).to_have_url(RECORD_URL)
    expect(success_banner(page)).to_contain_text("Involvement added")


# ---------------------------------------------------------------------------------------------
# The demo county, as the health visitor finds it


@dataclass(frozen=True)
class Family:
    name: str  # "Morgan family"
    href: str  # "/families/57/"

    @property
    def surname(self) -> str:
        return self.name.removesuffix(" family")


@dataclass(frozen=True)
class KnownPerson:
    """Someone on the register, for search-before-create to find."""

    given_name: str
    family_name: str
    date_of_birth: dt.date
    postcode: str


@dataclass(frozen=True)
class Facts:
    caseload: list[Family]
    known_person: KnownPerson

    def family(self, index: int) -> Family:
        """Different tests change different families, so none depends on another's change."""
        return self.caseload[index % len(self.caseload)]

    @property
    def postcode(self) -> str:
        return self.known_person.postcode


def discover(page: Page) -> Facts:
    """The health visitor's caseload, and a person on it with a date of birth and a postcode."""
    page.goto("/caseload/")
    links = page.locator("main table tbody tr td:first-child a")
    expect(links.first).to_be_visible()
    caseload = [
        Family(name=link.inner_text().strip(), href=str(link.get_attribute("href")))
        for link in links.all()
    ]
    # Opened once, so the audit has the health visitor's view of the first family to show.
    page.goto(caseload[0].href)
    for family in caseload:
        search_for(page, family.surname)
        for row in page.locator("main table tbody tr").all():
            name, born, _nhs, postcode, family_cell = (
                cell.strip() for cell in row.locator("td").all_inner_texts()
            )
            if (
                family.name in family_cell
                and name.endswith(f" {family.surname}")
                and not born.startswith("Due")
                and postcode.startswith("XW")
            ):
                return Facts(
                    caseload=caseload,
                    known_person=KnownPerson(
                        given_name=name.removesuffix(f" {family.surname}"),
                        family_name=family.surname,
                        date_of_birth=dt.datetime.strptime(born, "%d %b %Y").date(),
                        postcode=postcode,
                    ),
                )
    raise AssertionError("No one on the health visitor's caseload has a date of birth and postcode")


WITHHELD_BIRTH_DATE = dt.date(2025, 10, 18)


def create_withheld_family(page: Page, postcode: str) -> str:
    """As the health visitor: a new family whose address is withheld (a refuge), with the
    midwives involved too, so that another team sees the record but not the address."""
    check_register(page, "Ottoline", "Quillfeather", WITHHELD_BIRTH_DATE)
    fill_address(
        page,
        line_1="Flat 3, Refuge House",
        town="Ashby Marsh",
        postcode=postcode,
        moved_in=days_from_today(-30),
        withheld=True,
    )
    navigate(page.get_by_role("button", name="Create family record"))
    expect(page).to_have_url(RECORD_URL)
    href = urlsplit(page.url).path
    add_involvement(page, href, MIDWIFE_TEAM)
    return href


def add_unborn(page: Page, family: Family, family_name: str) -> str:
    """An unborn baby in the family; the URL of the page that records its birth."""
    add_member(
        page,
        family.href,
        PersonDetails(
            kind="Unborn child",
            given_name="",
            family_name=family_name,
            expected_delivery_date=days_from_today(60),
        ),
    )
    link = page.get_by_role("link", name=f"Record birth of Unborn baby {family_name}")
    return str(link.get_attribute("href"))


NHS_NUMBER_SHOWN = re.compile(r"\d{3} \d{3} \d{4}")


def nhs_number_on_record(page: Page, family: Family) -> str:
    """As a practitioner: an NHS number shown on the family's record, as it is shown."""
    page.goto(family.href)
    rows = page.locator("main .govuk-summary-list__row").filter(
        has=page.locator("dt", has_text="NHS number")
    )
    for shown in rows.locator("dd").all_inner_texts():
        if NHS_NUMBER_SHOWN.fullmatch(shown.strip()):
            return shown.strip()
    raise AssertionError(f"No NHS number is shown on the record of the {family.name}")


CONSENT_HEADING = "Check your answers before recording consent"


def fill_consent(page: Page, family: Family) -> str:
    """From the family record, open the consent form and fill it in for the first adult, who
    consents for themself to share their health information with family hubs; their name."""
    page.goto(family.href)
    navigate(page.get_by_role("link", name="Sharing and consent"))
    navigate(page.get_by_role("link", name="Record consent"))
    adult = group(page, "Who gave consent?").locator(".govuk-radios__item").first
    name = adult.locator("label").inner_text().strip()
    adult.get_by_role("radio").check()
    choose(page, "Whose information is this consent about?", name)
    group(page, "What information may be shared?").get_by_label("Health", exact=True).check()
    group(page, "Which types of organisation may it be shared with?").get_by_label(
        "Children's centre or family hub"
    ).check()
    choose(page, "What is it for?", "Early help and family support")
    choose(page, "How was consent given?", "Verbal")
    return name


def record_consent(page: Page, family: Family) -> str:
    """Record a consent through the form and "Check your answers"; the consent page's URL."""
    fill_consent(page, family)
    navigate(page.get_by_role("button", name="Continue"))
    expect(page.get_by_role("heading", level=1, name=CONSENT_HEADING)).to_be_visible()
    navigate(page.get_by_role("button", name="Record consent"))
    expect(page.get_by_role("heading", level=1, name="Consent recorded")).to_be_visible()
    navigate(page.get_by_role("link", name=re.compile(r"^View consent \d+$")))
    return urlsplit(page.url).path


class Demo:
    """Facts about the county and records built for the tests, found or made once a run."""

    def __init__(self, site: Any, browser: Any) -> None:
        self._site = site
        self._browser = browser

    def _as(self, username: str, key: str, build: Any) -> Any:
        if key not in self._site.cache:
            context = self._browser.new_context(
                base_url=self._site.base_url,
                storage_state=self._site.storage_state(self._browser, username),
            )
            try:
                self._site.cache[key] = build(context.new_page())
            finally:
                context.close()
        return self._site.cache[key]

    @property
    def facts(self) -> Facts:
        return self._as(HEALTH_VISITOR, "facts", discover)

    def withheld_family(self) -> str:
        postcode = self.facts.postcode
        return self._as(
            HEALTH_VISITOR, "withheld", lambda page: create_withheld_family(page, postcode)
        )

    def subject_nhs_number(self) -> str:
        """The NHS number of someone a subject access request can be about."""
        family = self.facts.family(2)
        return self._as(HEALTH_VISITOR, "subject", lambda page: nhs_number_on_record(page, family))

    def consent(self) -> str:
        """The page of a consent recorded once a run, for the pages that show one."""
        family = self.facts.family(6)
        return self._as(HEALTH_VISITOR, "consent", lambda page: record_consent(page, family))

    def birth_form(self) -> str:
        family = self.facts.family(4)
        return self._as(HEALTH_VISITOR, "unborn", lambda page: add_unborn(page, family, "Larkspur"))

    def emergency_family(self) -> EmergencyFamily:
        postcode = self.facts.postcode  # found before the new family joins the caseload
        return self._as(
            HEALTH_VISITOR, "emergency family", lambda page: create_emergency_family(page, postcode)
        )

    def emergency_access(self, key: str) -> EmergencyAccess:
        """An access waiting for review, one per key, each to the same family by a different
        practitioner (one person has one access to a family open at a time)."""
        family = self.emergency_family()
        user = EMERGENCY_USERS[key]
        return self._as(user, f"emergency {key}", lambda page: break_glass(page, family))

    def reviewed_access(self) -> EmergencyAccess:
        access = self.emergency_access("reviewed")
        self._as("privacy", "reviewed", lambda page: review(page, access.reference, "Justified"))
        return access

    def agreement(self) -> str:
        return self._as("privacy", "agreement", lambda page: add_agreement(page, "ISA-DEMO-001"))


# ---------------------------------------------------------------------------------------------
# Break-glass: a family only the health visitors work with, and emergency access to it

EMERGENCY_USER = "gp.staff"  # a GP practice: no involvement with the family below
# Who breaks the glass for each access the scenarios need; none works with that family.
EMERGENCY_USERS = {
    "open": EMERGENCY_USER,
    "waiting": "school",
    "reviewed here": "early.years",
    "reviewed": "voluntary",
}
EMERGENCY_REASON = "Medical emergency"
EMERGENCY_ACCOUNT = "Called by the surgery: the baby is unwell and the health visitors are closed"
REFERENCE = re.compile(r"BG-\d{6}")


@dataclass(frozen=True)
class EmergencyFamily:
    """Someone known only to the health visitors, for another team's identity check to find."""

    given_name: str
    family_name: str
    date_of_birth: dt.date
    href: str

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


@dataclass(frozen=True)
class EmergencyAccess:
    family: EmergencyFamily
    reference: str  # BG-000123


EMERGENCY_BIRTH_DATE = dt.date(2025, 7, 9)


def create_emergency_family(page: Page, postcode: str) -> EmergencyFamily:
    """As the health visitor: a new family, which no other team works with."""
    given_name, family_name = "Perpetua", "Quarrendine"
    check_register(page, given_name, family_name, EMERGENCY_BIRTH_DATE)
    fill_address(
        page,
        line_1="4 Lantern Row",
        town="Ashby Marsh",
        postcode=postcode,
        moved_in=days_from_today(-90),
        withheld=False,
    )
    navigate(page.get_by_role("button", name="Create family record"))
    expect(page).to_have_url(RECORD_URL)
    return EmergencyFamily(given_name, family_name, EMERGENCY_BIRTH_DATE, urlsplit(page.url).path)


def open_emergency_access_page(page: Page, family: EmergencyFamily) -> None:
    """From the identity check of New family, which finds the person another team knows."""
    check_register(page, family.given_name, family.family_name, family.date_of_birth)
    navigate(page.get_by_role("link", name=f"Emergency access to {family.full_name}'s record"))
    expect(
        page.get_by_role("heading", level=1, name="Emergency access to a record")
    ).to_be_visible()


def break_glass(page: Page, family: EmergencyFamily) -> EmergencyAccess:
    """Ask for emergency access, land on the record, and read the reference off its banner."""
    open_emergency_access_page(page, family)
    choose(page, "Why do you need the record now?", EMERGENCY_REASON)
    page.get_by_label("What has happened").fill(EMERGENCY_ACCOUNT)
    navigate(page.get_by_role("button", name="Open the record in an emergency"))
    expect(page).to_have_url(re.compile(re.escape(family.href) + "$"))
    banner = page.locator(".govuk-notification-banner").filter(has_text="Emergency access until")
    expect(banner).to_contain_text(REFERENCE)
    found = REFERENCE.search(banner.inner_text())
    assert found is not None
    return EmergencyAccess(family, found.group(0))


def open_review(page: Page, reference: str) -> None:
    """As the privacy officer, from the break-glass reviews, the review page of an access."""
    page.goto("/privacy/")
    navigate(page.get_by_role("link", name=reference, exact=True))
    expect(page.get_by_role("heading", level=1, name=f"Review {reference}")).to_be_visible()


def review(page: Page, reference: str, outcome: str) -> None:
    open_review(page, reference)
    choose(page, "Was the access justified?", outcome)
    navigate(page.get_by_role("button", name="Save review"))
    expect(success_banner(page)).to_contain_text(f"{reference} reviewed")


def add_agreement(page: Page, reference: str) -> str:
    """As the privacy officer: an agreement between health visitors and family hubs; its URL."""
    page.goto("/privacy/agreements/new/")
    page.get_by_label("Reference").fill(reference)
    page.get_by_label("Title").fill("Health visiting and family hubs")
    kinds = group(page, "Kinds of organisation in the agreement")
    kinds.get_by_label("Health visiting service").check()
    kinds.get_by_label("Children's centre or family hub").check()
    group(page, "Information the parties may share").get_by_label("Health").check()
    page.get_by_label("Purpose").fill("Joined-up support for families with young children")
    choose(
        page, "Legal basis", "Public task (UK GDPR 6(1)(e)), with health or social care (9(2)(h))"
    )
    fill_date(page, "Start date", days_from_today(-30))
    fill_date(page, "Review date", days_from_today(335))
    navigate(page.get_by_role("button", name="Save agreement"))
    expect(success_banner(page)).to_contain_text(f"Agreement {reference} added")
    return urlsplit(page.url).path


# ---------------------------------------------------------------------------------------------
# Family Matters

FAMILY_HUB = "family.hub"
FAMILY_HUB_TEAM = "Ashby Marsh Family Hub"  # family.hub's team, which meets health.visitor's
MEETING_URL = re.compile(r"/meetings/\d+/$")


def open_upcoming_meeting(page: Page, partner: str = FAMILY_HUB_TEAM) -> str:
    """From the Family Matters page, the next meeting with `partner`; its URL."""
    page.goto("/meetings/")
    row = page.locator("#upcoming + table tbody tr").filter(has_text=partner).first
    navigate(row.get_by_role("link"))
    expect(page).to_have_url(MEETING_URL)
    expect(page.locator("main .govuk-caption-l")).to_have_text(f"Family Matters with {partner}")
    return urlsplit(page.url).path


def agenda_link(page: Page, text: str) -> Locator:
    """The first family's "Add a note" or "Add an action" link on a meeting's agenda."""
    return page.locator("main").get_by_role("link", name=re.compile(rf"^{text} (about|for) the "))


# Care


@dataclass(frozen=True)
class Baby:
    """A child added to a caseload family for the Healthy Child Programme's pages."""

    full_name: str
    family: Family
    health_href: str  # "/families/57/children/301/health/"


def add_baby(page: Page, family: Family, given_name: str, age_days: int) -> Baby:
    """As the health visitor: a child born `age_days` ago in the family; its health page."""
    add_member(
        page,
        family.href,
        PersonDetails(
            kind="Child",
            given_name=given_name,
            family_name=family.surname,
            sex="Female",
            date_of_birth=days_from_today(-age_days),
        ),
    )
    full_name = f"{given_name} {family.surname}"
    link = member_card(page, full_name).get_by_role(
        "link", name=f"{full_name}'s health reviews and immunisations"
    )
    return Baby(full_name, family, str(link.get_attribute("href")))


def newborn(demo: Demo) -> Baby:
    """A baby of 5 days on the health visitor's caseload, found or made once a run: their new
    birth visit is due."""
    family = demo.facts.family(8)
    return demo._as(
        HEALTH_VISITOR, "care newborn", lambda page: add_baby(page, family, "Clementine", 5)
    )


def open_reviews_due(page: Page, *, mine: bool, show: str) -> None:
    """Reviews due, from the service navigation, filtered as a practitioner does it."""
    page.goto("/caseload/")
    navigate(page.get_by_role("link", name="Reviews due"))
    choose(page, "Whose families", "My families" if mine else "My team's families")
    page.get_by_label("Show", exact=True).select_option(label=show)
    navigate(page.get_by_role("button", name="Apply filters"))
    expect(page.get_by_role("heading", level=1, name="Reviews due")).to_be_visible()


# Centres: the demo's family hub worker, today's Stay and Play, its register, its waiting lists


REGISTER_SAVED = re.compile(r"^Register saved: \d+ famil(y|ies) attended")


def spoken_day(day: dt.date) -> str:
    """As a session's link names its day: Monday 23 November."""
    return f"{day:%A} {day.day} {day:%B}"


def open_sessions(page: Page) -> None:
    page.goto("/")
    navigate(page.get_by_role("link", name="Sessions", exact=True))
    expect(page.get_by_role("heading", level=1, name="Sessions")).to_be_visible()


def open_todays_session(page: Page) -> str:
    """From Sessions, today's Stay and Play (the demo books up to 20 families on it); its URL."""
    open_sessions(page)
    name = re.compile(rf"^Stay and Play on {spoken_day(days_from_today(0))} at ")
    navigate(page.get_by_role("link", name=name).first)
    expect(
        page.get_by_role("heading", level=1, name=re.compile("^Stay and Play, "))
    ).to_be_visible()
    return urlsplit(page.url).path


def open_full_session(page: Page) -> str:
    """From Sessions, a coming session that is full and has a waiting list; its URL."""
    open_sessions(page)
    rows = page.locator("main table tbody tr").filter(
        has=page.locator(".govuk-tag", has_text="Full")
    )
    for row in rows.all():
        if row.locator("td").last.inner_text().strip() != "0":
            navigate(row.get_by_role("link"))
            return urlsplit(page.url).path
    raise AssertionError("No full session with a waiting list in the demo hub's coming weeks")


def booked_family(page: Page, session_href: str, index: int = 0) -> Family:
    """A family booked on the session, as its page lists them."""
    page.goto(session_href)
    link = page.locator("#booked + table tbody tr td:first-child a").nth(index)
    return Family(name=link.inner_text().strip(), href=str(link.get_attribute("href")))


def tick_everyone_and_save(page: Page) -> int:
    """On a register: tick every family, save, and check the confirmation; how many came."""
    boxes = page.locator("input[name='family']")
    count = boxes.count()
    assert count > 0, "no one on the register"
    for box in boxes.all():
        box.check()
    navigate(page.get_by_role("button", name="Save register"))
    families = "family" if count == 1 else "families"
    expect(success_banner(page)).to_contain_text(f"Register saved: {count} {families} attended")
    return count


def add_session_today(page: Page, capacity: int) -> str:
    """As a centre worker: a session of Stay and Play later today; its URL."""
    page.goto("/sessions/new/")
    choose(page, "Programme", "Stay and Play")
    fill_date(page, "Date", days_from_today(0))
    page.get_by_label("Start time").fill("15:00")
    page.get_by_label("End time").fill("16:00")
    page.get_by_label("Venue").fill("Garden room")
    page.get_by_label("How many families can it take?").fill(str(capacity))
    navigate(page.get_by_role("button", name="Add session"))
    expect(success_banner(page)).to_contain_text("Session added")
    return urlsplit(page.url).path


def book_by_search(page: Page, session_href: str, family: Family) -> None:
    """Book a family on a session: search for them from the session, then Book."""
    page.goto(session_href)
    navigate(page.get_by_role("link", name="Book a family"))
    page.get_by_label("Search your team's families").fill(family.surname)
    navigate(page.get_by_role("button", name="Search", exact=True))
    navigate(page.get_by_role("button", name=re.compile(rf"^Book the {family.name} ")).first)

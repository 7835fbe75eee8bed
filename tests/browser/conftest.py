"""Browser tests: a real Best Start server in a subprocess, driven by Debian's Chromium through
Playwright, with axe-core checking every page.

The server gets its own temporary BESTSTART_VAR_DIR, so its own SQLite file: the tests never
touch var/beststart.sqlite3, nor a PostgreSQL database named in the environment. Static files
(GOV.UK Frontend and the compiled stylesheet) come from the checkout through BESTSTART_HOME.

Without /usr/bin/chromium the tests skip, unless BESTSTART_REQUIRE_BROWSER=1 (CI), when they
fail. BESTSTART_CHROMIUM names another Chromium; BESTSTART_SCREENSHOT_DIR where screenshots go.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("BESTSTART_CHROMIUM", "/usr/bin/chromium"))
AXE_SCRIPT = PROJECT_DIR / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
SEED_FAMILIES = 60
SEED = 3
SERVER_START_SECONDS = 60
EXPECT_TIMEOUT_MS = 10_000


def _browser_required() -> bool:
    return os.environ.get("BESTSTART_REQUIRE_BROWSER", "").lower() in {"1", "true", "yes"}


def _unavailable(reason: str) -> None:
    if _browser_required():
        pytest.fail(f"{reason} (BESTSTART_REQUIRE_BROWSER is set, so this fails)", pytrace=False)
    pytest.skip(f"{reason}; install Debian's Chromium with `apt-get install chromium`")


@pytest.fixture(scope="session")
def chromium_executable() -> Path:
    """The system Chromium, or a skip (a failure in CI) that says why there is none."""
    if not CHROMIUM.is_file() or not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"Browser tests need Chromium at {CHROMIUM}, which is missing")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("Browser tests need the Python playwright package (the dev extra)")
    if not AXE_SCRIPT.is_file():
        pytest.fail(f"axe-core is missing at {AXE_SCRIPT}: run `make install`", pytrace=False)
    return CHROMIUM


# ---------------------------------------------------------------------------------------------
# The server under test


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_environment(var_dir: Path) -> dict[str, str]:
    """The caller's environment without any Best Start setting (CI's PostgreSQL URL above
    all), then the test server's own: development, debug off (so the real error pages), a
    throwaway var dir, and the cheap password hash the project offers for tests."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("BESTSTART_") and name != "DJANGO_SETTINGS_MODULE"
    }
    env.update(
        BESTSTART_ENV="development",
        BESTSTART_DEBUG="false",
        BESTSTART_HOME=str(PROJECT_DIR),
        BESTSTART_VAR_DIR=str(var_dir),
        BESTSTART_FAST_PASSWORD_HASHING="true",
        BESTSTART_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="beststart.settings",
    )
    return env


def _beststart(*args: str) -> list[str]:
    """The `beststart` command of the Python running the tests, so any checkout works."""
    return [sys.executable, "-m", "beststart.cli", *args]


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def _wait_until_healthy(process: subprocess.Popen[bytes], base_url: str, log: Path) -> bool:
    """True once /healthz says ok; False if the process died (a port taken after all)."""
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            status, body = _get(f"{base_url}/healthz")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            status, body = 0, b""
        if status == 200 and json.loads(body).get("database") is True:
            return True
        time.sleep(0.1)  # polling a starting process, not waiting on a page
    process.kill()
    process.wait()
    pytest.fail(
        f"The server did not answer /healthz within {SERVER_START_SECONDS}s:\n"
        + log.read_text(errors="replace")[-4000:],
        pytrace=False,
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def server(chromium_executable: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A seeded demo county served by `beststart serve` on a free port; its base URL."""
    var_dir = tmp_path_factory.mktemp("beststart-var")
    env = _server_environment(var_dir)
    seeded = subprocess.run(  # noqa: S603 - our own command line
        _beststart("seed", "--families", str(SEED_FAMILIES), "--seed", str(SEED)),
        env=env,
        cwd=var_dir,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if seeded.returncode != 0:
        pytest.fail(f"beststart seed failed:\n{seeded.stdout}\n{seeded.stderr}", pytrace=False)
    if not (var_dir / "beststart.sqlite3").is_file():
        pytest.fail("beststart seed did not write its SQLite file in the temporary var dir")

    log = var_dir / "server.log"
    for _attempt in range(3):
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        with log.open("wb") as output:
            process = subprocess.Popen(  # noqa: S603 - our own command line
                _beststart("serve", "--host", "127.0.0.1", "--port", str(port)),
                env=env,
                cwd=var_dir,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        if _wait_until_healthy(process, base_url, log):
            break
    else:
        pytest.fail(
            "The server would not start:\n" + log.read_text(errors="replace")[-4000:],
            pytrace=False,
        )
    try:
        for asset in ("/static/css/beststart.css", "/static/govuk/govuk-frontend.min.js"):
            status, _ = _get(base_url + asset)
            if status != 200:
                pytest.fail(
                    f"The server answers {status} for {asset}: build the front end with "
                    "`make install` (GOV.UK Frontend and the compiled stylesheet)",
                    pytrace=False,
                )
        yield base_url
    finally:
        _stop(process)


# ---------------------------------------------------------------------------------------------
# Chromium through Playwright


@pytest.fixture(scope="module")
def browser(chromium_executable: Path) -> Iterator[Any]:
    """One Chromium per test module. Not per session: Playwright's sync API keeps an event
    loop running in this thread while it lives, which Django's database code (the other
    tests in the same run) would take for async code and refuse."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(chromium_executable), args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


class Site:
    """The server under test, and who is signed in: one sign-in through the form per user,
    kept as Playwright storage state for every later page of that user."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._states: dict[str, dict[str, Any]] = {}
        self.cache: dict[str, Any] = {}

    def storage_state(self, browser: Any, username: str) -> dict[str, Any]:
        if username not in self._states:
            context = browser.new_context(base_url=self.base_url)
            try:
                from browser_support import sign_in

                page = context.new_page()
                sign_in(page, username)
                self._states[username] = context.storage_state()
            finally:
                context.close()
        return self._states[username]


@pytest.fixture(scope="session")
def site(server: str) -> Site:
    return Site(server)


OpenPage = Callable[..., Any]


@pytest.fixture(scope="module")
def axe_contexts(browser: Any) -> Iterator[dict[str | None, Any]]:
    """Contexts for axe pages, one per user and module: a context costs more than a page."""
    contexts: dict[str | None, Any] = {}
    yield contexts
    for context in contexts.values():
        context.close()


@pytest.fixture
def open_page(browser: Any, site: Site, axe_contexts: dict[str | None, Any]) -> Iterator[OpenPage]:
    """open_page(username=None, *, javascript=True, axe=False): a new page.

    With a username, the page starts signed in. `axe=True` lets axe-core be injected
    (Playwright has to bypass the Content-Security-Policy for that), in a context shared with
    the module's other axe pages of that user. Every other page has a context of its own that
    keeps the CSP, and any console error or uncaught exception in it fails the test.
    """
    opened: list[Any] = []
    problems: list[str] = []

    def new_context(username: str | None, javascript: bool, axe: bool) -> Any:
        return browser.new_context(
            base_url=site.base_url,
            java_script_enabled=javascript,
            bypass_csp=axe,
            storage_state=site.storage_state(browser, username) if username else None,
        )

    def open_(username: str | None = None, *, javascript: bool = True, axe: bool = False) -> Any:
        if axe and javascript:
            if username not in axe_contexts:
                axe_contexts[username] = new_context(username, javascript, axe)
            page = axe_contexts[username].new_page()
            opened.append(page)
            return page
        context = new_context(username, javascript, axe)
        opened.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                problems.append(f"console {message.type}: {message.text}")
                if message.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        return page

    yield open_
    for page_or_context in opened:
        page_or_context.close()
    if problems:
        pytest.fail("The browser reported errors:\n" + "\n".join(problems), pytrace=False)


# ---------------------------------------------------------------------------------------------
# axe-core


def _format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    target {' '.join(map(str, node['target']))}")
            summary = " ".join(node.get("failureSummary", "").split())
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core (from node_modules, never copied into the repo) on the page as it is."""
    page.add_script_tag(path=str(AXE_SCRIPT))
    return page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {
                runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
            });
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => ({target: n.target, failureSummary: n.failureSummary})),
            }));
        }""",
        AXE_TAGS,
    )


@pytest.fixture
def assert_accessible() -> Callable[[Any], None]:
    def check(page: Any) -> None:
        violations = axe_violations(page)
        if violations:
            pytest.fail(
                f"axe-core found {len(violations)} violation(s) on {page.url} "
                f"({page.title()}):\n{_format_violations(violations)}"
            )

    return check


@pytest.fixture
def demo(site: Site, browser: Any) -> Any:
    """The county as the health visitor finds it, and records built once a run for the tests
    (a family with a withheld address, an unborn baby)."""
    from browser_support import Demo

    return Demo(site, browser)

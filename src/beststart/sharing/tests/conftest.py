"""What the sharing tests add to pytest's terminal summary, so that a figure such as the size
of the authorization matrix can be read from any run."""

from __future__ import annotations

from collections.abc import Callable

import pytest

SUMMARY_LINES = pytest.StashKey[list[str]]()


@pytest.fixture
def terminal_summary(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Add a line to the summary printed at the end of the run."""
    return request.config.stash.setdefault(SUMMARY_LINES, []).append


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    lines = config.stash.get(SUMMARY_LINES, [])
    if lines:
        terminalreporter.section("sharing policy", sep="-")
        for line in lines:
            terminalreporter.write_line(line)

"""Fixtures for the W3C suite: one server for the whole session, one kept-alive client.

The server is scograph (`scograph serve --empty`) unless SCOGRAPH_W3C_TARGET=oxigraph,
which runs the same tests against Oxigraph's own server for the reference figures.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .client import SuiteClient
from .manifest import not_run_counts
from .servers import running_target, target_name


@pytest.fixture(scope="session")
def w3c_client() -> Iterator[SuiteClient]:
    """A client bound to a freshly started server with an empty throw-away store."""
    with running_target(target_name()) as target:
        client = SuiteClient(target)
        try:
            yield client
        finally:
            client.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say which W3C tests were left out and why, so that nothing is skipped silently."""
    if not any("w3c" in report.nodeid for report in terminalreporter.getreports("")):
        return
    terminalreporter.section(f"W3C tests not run (target {target_name()})")
    for reason, count in not_run_counts().most_common():
        terminalreporter.write_line(f"{count:4d}  {reason}")

"""Fixtures for the hub tests: one real JupyterHub for the whole folder, Debian's chromium, people logging in.

The hub (``harness.running_hub``) needs root (each person's server runs as their own system
account), configurable-http-proxy, PostgreSQL's server binaries and pg_virtualenv's cluster. When
one is missing the tests are skipped here with the reason, and fail in CI (``CI`` set), where
``.ci/run`` installs them and runs the tests as root.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import ACTION_TIMEOUT_MS
from tests.browser.jupyter import NOT_LOOPBACK, WIDGET_VERSION_ERRORS

from .harness import Hub, HubUnavailable, running_hub
from .postgres import PostgresUnavailable


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "hub: runs against a real JupyterHub started by the tests")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.hub)


@pytest.fixture(scope="package")
def hub() -> Iterator[Hub]:
    """The hub, its proxy, the simkit service, both databases and the people, for every test of this folder."""
    try:
        with running_hub() as running:
            yield running
    except (HubUnavailable, PostgresUnavailable) as missing:
        if _in_ci():
            pytest.fail(f"the hub tests cannot run in CI: {missing}", pytrace=False)
        warnings.warn(pytest.PytestWarning(f"hub tests skipped: {missing}"), stacklevel=2)
        pytest.skip(f"hub tests skipped: {missing}")


@pytest.fixture
def person_page(browser: Any, hub: Hub, request: pytest.FixtureRequest) -> Iterator[Callable[[], Any]]:
    """Open fresh browser pages (each its own context: its own cookies, so its own person); closed after the test.

    The browser console of every page must hold no widget version errors; a failing test's report
    gets the consoles and the hub's log.
    """
    contexts: list[Any] = []
    messages: list[str] = []
    request.node.simkit_hub_debug = (messages, hub)

    def open_page() -> Any:
        context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="en-US")
        context.route(NOT_LOOPBACK, lambda route: route.abort())
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        number = len(contexts)
        page.on("console", lambda message: messages.append(f"[{number}] {message.type}: {message.text}"))
        page.on("pageerror", lambda error: messages.append(f"[{number}] pageerror: {error}"))
        return page

    try:
        yield open_page
        widget_errors = [m for m in messages if any(e in m for e in WIDGET_VERSION_ERRORS)]
        assert not widget_errors, "widget front end errors in the browser console:\n" + "\n".join(widget_errors)
    finally:
        for context in contexts:
            context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    debug = getattr(item, "simkit_hub_debug", None)
    if debug is not None and report.failed and report.when == "call":
        messages, hub = debug
        report.sections.append(("browser console", "\n".join(messages[-80:])))
        report.sections.append(("hub log", hub.log_tail(120)))
    return report

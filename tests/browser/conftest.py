"""Fixtures for the real-browser tests: one JupyterLab server (with Voilà) per test module, Debian's chromium.

Each module gets its own server on a free loopback port and its own store (``server.db_url``), so a
test can open that store with ``simkit.store.Store(server.db_url)`` and check what was stored. The
browser is Debian's chromium driven by Playwright (never ``playwright install``); every request
that is not for 127.0.0.1 is aborted. Without chromium the tests are skipped locally with a notice,
and fail in CI (``CI`` set), where ``.ci/run`` installs it.
"""

from __future__ import annotations

import importlib.util
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .jupyter import CHROMIUM_FLAGS, NOT_LOOPBACK, WIDGET_VERSION_ERRORS, JupyterServer, chromium_path, jupyter_server

ACTION_TIMEOUT_MS = 20_000  # a widget round trip; a Voilà page's first render waits longer (pages.RENDER_TIMEOUT_MS)


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


HAVE_PLAYWRIGHT = importlib.util.find_spec("playwright") is not None
if not HAVE_PLAYWRIGHT and not _in_ci():
    # the test modules import playwright: without it (and outside CI) they are not collected; the header says so
    collect_ignore_glob = ["test_*.py"]
else:
    from playwright.sync_api import expect

    expect.set_options(timeout=ACTION_TIMEOUT_MS)


def pytest_report_header() -> str:
    """Say whether the browser tests run here, and with what."""
    executable = chromium_path()
    if not HAVE_PLAYWRIGHT:
        return "browser tests: NOT RUN, the playwright package is missing (pip install -r requirements.txt)"
    if executable is None:
        where = "they fail in CI" if _in_ci() else "they are skipped"
        return f"browser tests: chromium is missing (apt-get install -y chromium); {where}"
    from importlib.metadata import version

    versions = ", ".join(f"{p} {version(p)}" for p in ("playwright", "voila", "ipywidgets", "jupyterlab"))
    return f"browser tests: {executable}; {versions}"


def _unavailable(reason: str) -> None:
    if _in_ci():
        pytest.fail(f"browser tests cannot run in CI: {reason} (.ci/run installs chromium with apt-get)", pytrace=False)
    warnings.warn(pytest.PytestWarning(f"browser tests skipped: {reason}"), stacklevel=2)
    pytest.skip(f"browser tests skipped: {reason}")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives Debian's chromium against a JupyterLab/Voilà server")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def launch_chromium() -> Iterator[Any]:
    """Debian's chromium, headless, through Playwright's sync API (the ``browser`` fixture of tests/conftest.py)."""
    executable = chromium_path()
    if executable is None:
        _unavailable("chromium is not installed (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -r requirements.txt)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    """JupyterLab with Voilà on 127.0.0.1 for this module, on a store of its own.

    A module may define ``EXTRA_NOTEBOOKS = {"name.ipynb": notebook_json}`` to serve beside notebooks/.
    """
    if chromium_path() is None:  # do not start a server for tests that will be skipped
        _unavailable("chromium is not installed (apt-get install -y chromium)")
    extra = getattr(request.module, "EXTRA_NOTEBOOKS", None)
    with jupyter_server(tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1]), extra) as running:
        yield running


@pytest.fixture
def page(browser: Any, server: JupyterServer, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser page (own context) that reaches only the loopback server.

    After the test, the browser console must hold no widget version errors (Voilà's front end and
    ipywidgets out of step); the server log is attached to a failing test's report.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="en-US")
    context.route(NOT_LOOPBACK, lambda route: route.abort())
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    new_page = context.new_page()
    messages: list[str] = []
    request.node.simkit_debug = (messages, server)  # shown with a failing test's report
    new_page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
    new_page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
    try:
        yield new_page
        widget_errors = [m for m in messages if any(e in m for e in WIDGET_VERSION_ERRORS)]
        assert not widget_errors, "widget front end errors in the browser console:\n" + "\n".join(widget_errors)
    finally:
        context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report: pytest.TestReport = yield
    debug = getattr(item, "simkit_debug", None)
    if debug is not None and report.failed and report.when == "call":
        messages, server = debug
        report.sections.append(("browser console", "\n".join(messages[-80:])))
        report.sections.append(("jupyter log", server.log_tail(80)))
    return report

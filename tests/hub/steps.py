"""Steps on the hub's own pages: logging in, and opening an app at its stable address."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.pages import RENDER_TIMEOUT_MS, assert_no_cell_error

from .harness import Hub


def log_in(page: Any, hub: Hub, user: str, password: str | None = None, next_path: str = "") -> None:
    """Log in at /hub/login as ``user``; the hub then sends the browser on (to ``next_path`` when given)."""
    target = f"{hub.url}/hub/login" + (f"?next={next_path}" if next_path else "")
    page.goto(target, wait_until="domcontentloaded", timeout=RENDER_TIMEOUT_MS)
    page.locator("#username_input").fill(user)
    page.locator("#password_input").fill(hub.password if password is None else password)
    page.locator("#login_submit").click()


def wait_for_app(page: Any, user: str, notebook: str, ready: str) -> None:
    """The browser is on ``user``'s own Voilà page of ``notebook`` and ``ready`` (a selector) is drawn."""
    page.wait_for_url(re.compile(rf"/user/{re.escape(user)}/voila/render/{re.escape(notebook)}"), timeout=RENDER_TIMEOUT_MS)
    try:
        page.locator(ready).first.wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
    except Exception:
        assert_no_cell_error(page)
        raise


def open_app(page: Any, hub: Hub, user: str, notebook: str, ready: str) -> None:
    """Open an app by the address every person shares (``/hub/user-redirect/...``), already logged in."""
    page.goto(f"{hub.url}/hub/user-redirect/voila/render/{notebook}", wait_until="commit", timeout=RENDER_TIMEOUT_MS)
    wait_for_app(page, user, notebook, ready)

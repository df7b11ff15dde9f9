"""The pinned Jupyter stack works in a real browser: Voilà (served by JupyterLab) renders widgets and talks to the kernel.

One smoke test per dependency bump: a widget round trip in Voilà, and the start page rendered
without an error. The other browser tests build on the same server fixture.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from .jupyter import JupyterServer, code_notebook
from .pages import RENDER_TIMEOUT_MS, assert_no_cell_error, open_voila

EXTRA_NOTEBOOKS = {
    "smoke_widgets.ipynb": code_notebook(
        "import ipywidgets as w\n"
        "out = w.HTML('waiting')\n"
        "out.add_class('smoke-out')\n"
        "box = w.Text(placeholder='type')\n"
        "box.add_class('smoke-in')\n"
        "go = w.Button(description='Go')\n"
        "go.add_class('smoke-go')\n"
        "go.on_click(lambda _b: setattr(out, 'value', 'kernel saw: ' + box.value[::-1]))\n"
        "w.VBox([box, go, out])"
    )
}


def test_widget_round_trip_in_voila(page: Any, server: JupyterServer) -> None:
    open_voila(page, server, "smoke_widgets.ipynb", ".smoke-go")
    page.locator(".smoke-in input").fill("abc")
    page.locator(".smoke-go button, button.smoke-go").first.click()
    # the kernel reversed the text: the front end and the kernel's widgets understand each other
    expect(page.locator(".smoke-out")).to_have_text("kernel saw: cba")


def test_start_page_renders_in_voila(page: Any, server: JupyterServer) -> None:
    open_voila(page, server, "00_start_here.ipynb", "text=no problems", timeout=RENDER_TIMEOUT_MS)
    assert_no_cell_error(page)
    # no code is shown in Voilà, only outputs
    expect(page.locator(".jp-InputArea-editor")).to_have_count(0)

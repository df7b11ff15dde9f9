"""The authoring app as a Voilà page: a broken edit located, a clean one saved with a backup, a variant previewed in ru and en.

The page edits a copy of the kit that its own cell makes in a temporary folder, never the
repository's files. The shipped notebook (notebooks/authoring.ipynb) is checked to render too.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from .jupyter import ROOT, JupyterServer, code_notebook
from .pages import assert_no_cell_error, open_voila

RULES = "rulebook/rules/etiquette.yaml"
EXTRA_NOTEBOOKS = {
    "authoring_copy.ipynb": code_notebook(
        "import os, shutil, tempfile\n"
        "from pathlib import Path\n"
        "from simkit.apps.authoring import authoring\n"
        "copy = Path(tempfile.mkdtemp(prefix='simkit-authoring-test-'))\n"
        "for folder in ('rulebook', 'scenarios', 'schemas'):\n"
        "    shutil.copytree(Path(os.environ['SIMKIT_HOME']) / folder, copy / folder)\n"
        "Path('authoring_copy_root.txt').write_text(str(copy))  # the kernel runs in the served folder\n"
        "app = authoring(lang='en', root=copy)\n"
        "app"
    )
}


def test_check_save_and_preview_in_voila(page: Any, server: JupyterServer) -> None:
    open_voila(page, server, "authoring_copy.ipynb", ".simkit-authoring")
    assert_no_cell_error(page)
    page.locator(".simkit-authoring-file select").select_option(RULES)
    text = page.locator(".simkit-authoring-text textarea")
    original = (ROOT / RULES).read_text(encoding="utf-8")
    expect(text).to_have_value(original)

    broken = original.replace("    severity: major", "    severity: <b>huge</b>", 1)
    line = broken.splitlines().index("    severity: <b>huge</b>") + 1
    text.fill(broken)
    page.locator(".simkit-authoring-check").click()
    problem = page.locator('.simkit-problem[data-code="bad-value"]')
    expect(problem).to_contain_text(f"{RULES}:{line}:15")
    expect(problem.locator("pre")).to_contain_text("severity: <b>huge</b>")  # shown as text, not markup
    expect(page.locator(".simkit-authoring-problems b", has_text="huge")).to_have_count(0)

    edited = original.replace("    weight: 5", "    weight: 6", 1)
    text.fill(edited)
    page.locator(".simkit-authoring-save").click()
    expect(page.locator(".simkit-saved")).to_contain_text("etiquette.yaml.bak")
    copy = Path((server.root / "authoring_copy_root.txt").read_text(encoding="utf-8"))
    try:
        assert (copy / RULES).read_text(encoding="utf-8") == edited
        assert (copy / (RULES + ".bak")).read_text(encoding="utf-8") == original
        assert (ROOT / RULES).read_text(encoding="utf-8") == original  # the repository is untouched
    finally:
        shutil.rmtree(copy, ignore_errors=True)

    page.locator(".simkit-authoring-preview").click()
    expect(page.locator('.simkit-variant[data-lang="ru"] .simkit-msg-customer').first).to_be_visible()
    expect(page.locator('.simkit-variant[data-lang="en"] .simkit-msg-trainee').first).to_be_visible()


def test_the_shipped_notebook_renders(page: Any, server: JupyterServer) -> None:
    open_voila(page, server, "authoring.ipynb", ".simkit-authoring")
    assert_no_cell_error(page)
    expect(page.locator(".simkit-authoring-text textarea")).not_to_have_value("")

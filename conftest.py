"""Test-wide setup: the notebooks and apps under test write to a throwaway store, never the kit's own.

nbval's kernels and the Voilà/JupyterLab servers that the browser tests start inherit this
environment, so nothing a test plays lands in ``simkit.db`` or ``spool/`` of the working copy.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_SCRATCH = Path(tempfile.mkdtemp(prefix="simkit-tests-"))
os.environ.setdefault("SIMKIT_DB_URL", f"sqlite:///{_SCRATCH / 'notebooks.db'}")
os.environ.setdefault("SIMKIT_SPOOL", str(_SCRATCH / "spool"))

import pytest  # noqa: E402  (the scratch store is set before anything under test is imported)

# Tests that drive a browser or a hub, whose servers load every core and whose waits are timed:
# scripts/test.sh runs them after the rest, with no test beside them (spreading them over the
# cores too saved nothing: a page waits on its server, not on a core). Other tests that read a
# clock against a budget carry the mark themselves.
_ALONE = ("tests/browser/", "tests/hub/")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(config.rootpath) and item.path.relative_to(config.rootpath).as_posix().startswith(_ALONE):
            item.add_marker(pytest.mark.alone)

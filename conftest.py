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

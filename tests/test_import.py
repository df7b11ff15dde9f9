"""``import simkit`` stays light: no Jupyter, pandas, pydantic or Jinja2 at import time."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("pandas", "ipywidgets", "IPython", "matplotlib", "jupyter_client", "pydantic", "jinja2", "yaml")


def test_import_loads_no_heavy_modules() -> None:
    code = f"import sys, simkit; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_public_names_load_on_use() -> None:
    code = "import simkit; print(simkit.load_kit.__module__, simkit.generate.__module__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["simkit.content.kit", "simkit.engine.generation"]

"""A JupyterLab server (with Voilà's server extension) and Debian's chromium, for the browser tests and benchmarks.

No pytest here: ``benchmarks/bench_player.py`` starts the same server and browser. The server serves a
copy of ``notebooks/`` (so JupyterLab's checkpoints never land in the working copy) from 127.0.0.1 on
a free port, with its own store (``SIMKIT_DB_URL``, ``SIMKIT_SPOOL``) and its own Jupyter settings
(no news, no update checks, no autosave). The browser never reaches past the loopback address.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"

# Debian's chromium, never a browser downloaded by `playwright install`
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# anything that is not the loopback server is aborted (Voilà asks a CDN for fonts, chromium for updates)
NOT_LOOPBACK = re.compile(r"^(?!(https?|wss?)://(127\.0\.0\.1|localhost)[:/])")
# the widget front end and the kernel's widgets disagree: the pinned set is broken
WIDGET_VERSION_ERRORS = ("Unsatisfied version", "not registered", "Could not create a model", "Could not create a view")

_LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}


def chromium_path() -> str | None:
    """Debian's chromium, or None when it is not installed."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    return next((c for c in CHROMIUM_CANDIDATES if Path(c).exists()), None)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class JupyterServer:
    """A running JupyterLab server on loopback; Voilà pages at ``/voila/render/<notebook>``."""

    url: str
    root: Path
    db_url: str
    spool: Path
    log: Path
    process: subprocess.Popen[bytes] = field(repr=False)

    def voila(self, notebook: str) -> str:
        """The Voilà page of a notebook (served by this JupyterLab's Voilà extension)."""
        return f"{self.url}/voila/render/{notebook}"

    def lab(self, notebook: str) -> str:
        """The notebook opened in JupyterLab, with a fresh workspace."""
        return f"{self.url}/lab/tree/{notebook}?reset"

    def log_tail(self, lines: int = 60) -> str:
        """The end of the server's log (kernel errors from the notebooks land here too)."""
        try:
            return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def server_env(workdir: Path) -> dict[str, str]:
    """The server's environment: a private store, spool, Jupyter config and settings under ``workdir``."""
    env = dict(os.environ)
    for name in ("JUPYTER_TOKEN", "JUPYTERHUB_USER", "JUPYTERHUB_API_TOKEN"):
        env.pop(name, None)
    settings = workdir / "lab-settings"
    for relative, content in _LAB_SETTINGS.items():
        path = settings / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content), encoding="utf-8")
    for folder in ("jupyter-config", "jupyter-runtime", "lab-workspaces", "ipython"):
        (workdir / folder).mkdir(parents=True, exist_ok=True)
    env.update(
        SIMKIT_HOME=str(ROOT),
        SIMKIT_DB_URL=f"sqlite:///{workdir / 'store.db'}",
        SIMKIT_SPOOL=str(workdir / "spool"),
        JUPYTER_CONFIG_DIR=str(workdir / "jupyter-config"),
        JUPYTER_RUNTIME_DIR=str(workdir / "jupyter-runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTERLAB_WORKSPACES_DIR=str(workdir / "lab-workspaces"),
        IPYTHONDIR=str(workdir / "ipython"),
        PYTHONUNBUFFERED="1",
        MPLBACKEND="Agg",
    )
    return env


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def wait_until_answering(
    what: str, url: str, probe: str, process: subprocess.Popen[bytes], timeout: float, log_tail: Callable[[], str]
) -> None:
    """Wait until ``url + probe`` answers 200; RuntimeError (with the log's tail) when ``process`` exits or time runs out."""
    deadline = time.monotonic() + timeout
    while not _answers(url + probe):
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode}:\n{log_tail()}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not answer on {url} within {timeout:.0f} s:\n{log_tail()}")
        time.sleep(0.2)


@contextmanager
def jupyter_server(workdir: Path, extra_notebooks: dict[str, dict[str, Any]] | None = None,
                   timeout: float = 90.0) -> Iterator[JupyterServer]:
    """Start JupyterLab on 127.0.0.1 serving a copy of notebooks/ (plus ``extra_notebooks``); stop it after."""
    workdir.mkdir(parents=True, exist_ok=True)
    root = workdir / "notebooks"
    root.mkdir(exist_ok=True)
    for notebook in NOTEBOOKS.glob("*.ipynb"):
        shutil.copy2(notebook, root / notebook.name)
    for name, content in (extra_notebooks or {}).items():
        (root / name).write_text(json.dumps(content), encoding="utf-8")
    env = server_env(workdir)
    log = workdir / "jupyter.log"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, "-m", "jupyterlab",
        "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        "--ServerApp.token=", "--ServerApp.password=",
        f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=",
        "--LabApp.expose_app_in_browser=True",  # the JupyterLab test waits on window.jupyterapp for the kernel
    ]  # fmt: skip
    with log.open("wb") as out:
        # a session of its own: the kernels it starts are stopped with it
        process = subprocess.Popen(command, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    server = JupyterServer(url, root, env["SIMKIT_DB_URL"], Path(env["SIMKIT_SPOOL"]), log, process)
    try:
        wait_until_answering("JupyterLab", url, "/api", process, timeout, server.log_tail)
        yield server
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """Stop the server (it shuts its kernels down), then anything left in its process group."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(grace)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # kernels that outlived the server (same group, started by it)


def code_notebook(*cells: str) -> dict[str, Any]:
    """A notebook of code cells without outputs, on the default Python kernel."""
    return {
        "cells": [
            {"cell_type": "code", "execution_count": None, "id": f"cell{i}", "metadata": {}, "outputs": [], "source": source}
            for i, source in enumerate(cells)
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }

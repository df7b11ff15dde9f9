"""A real JupyterHub on loopback, configured by deploy/jupyterhub_config.py, for the hub tests and the benchmark.

No pytest here: ``benchmarks/bench_service.py`` starts the same hub. What the tests change of the
deployment is what a company's own settings file and local configuration would: ports, folders, the
database URLs, and the authenticator (JupyterHub's DummyAuthenticator with one password, in the
local configuration file the deploy configuration loads). The local file also registers a test
client, ``hubtest``, whose admin token starts servers and makes tokens; nothing of the deployment is
bypassed by it.

Everything runs as a company's server would: the proxy is configurable-http-proxy; the hub's own
database and the evidence store are PostgreSQL; as root (CI), the simkit service runs as its own
system account and every person's server as theirs, created by the deployment's pre-spawn hook.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import pwd
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.browser.jupyter import free_port, wait_until_answering

from .postgres import EvidenceServer, HubDatabase

ROOT = Path(__file__).resolve().parents[2]
DEPLOY_CONFIG = ROOT / "deploy" / "jupyterhub_config.py"
BIN = Path(sys.executable).parent

PEOPLE = {"trainees": ["sktrainee1", "sktrainee2"], "trainers": ["sktrainer"], "hr": ["skhr"]}
SERVICE_ACCOUNT = "sksvc"
ACCOUNT_COMMENT = "simkit hub user"  # what the deployment's hook writes on the accounts it creates
SERVICE_COMMENT = "simkit hub test service"


class HubUnavailable(RuntimeError):
    """Something the hub tests need is missing on this machine."""


def proxy_command() -> str:
    """configurable-http-proxy (npm's, installed by .ci/run), or why the hub cannot start."""
    found = shutil.which("configurable-http-proxy")
    if found is None:
        raise HubUnavailable("configurable-http-proxy is not installed (npm install -g configurable-http-proxy)")
    return found


@dataclass
class Hub:
    """A running hub: its public URL (the proxy), the evidence store's URL, and helpers for the tests."""

    url: str
    base: Path
    state: Path
    evidence: EvidenceServer
    hub_db: HubDatabase
    service_url: str  # SIMKIT_SERVICE_URL as every person's server gets it
    spool: Path  # the simkit service's spool
    password: str  # every test person's password (DummyAuthenticator)
    admin_token: str
    log: Path
    process: subprocess.Popen[bytes] = field(repr=False)

    @property
    def evidence_url(self) -> str:
        return self.evidence.url()

    @property
    def secrets(self) -> dict[str, str]:
        """Strings that must never reach a person's server: the database passwords and URLs."""
        return {
            "evidence password": self.evidence.password,
            "evidence admin password": self.evidence.admin_password,
            "hub database password": self.hub_db.password,
            "evidence URL": self.evidence_url.split("?")[0],
            "hub database URL": self.hub_db.url,
        }

    def user_url(self, user: str, path: str = "") -> str:
        return f"{self.url}/user/{user}/{path.lstrip('/')}"

    def voila(self, user: str, notebook: str) -> str:
        return self.user_url(user, f"voila/render/{notebook}")

    def log_tail(self, lines: int = 80) -> str:
        try:
            return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    # --- the hub's REST API ----------------------------------------------------------------------
    def request(
        self, method: str, url: str, body: Any = None, token: str | None = None, timeout: float = 30
    ) -> tuple[int, Any]:
        """An HTTP request with a hub token; (status, parsed JSON or text)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Authorization", f"token {token or self.admin_token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, raw.decode(errors="replace")

    def api(self, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
        return self.request(method, f"{self.url}/hub/api/{path.lstrip('/')}", body, token)

    def token_for(self, user: str, scopes: list[str], note: str = "hub tests") -> str:
        """A new API token of ``user`` (only the part of ``scopes`` the person holds is granted)."""
        status, body = self.api("POST", f"users/{user}/tokens", {"scopes": scopes, "note": note, "expires_in": 3600})
        assert status == 201, f"token for {user}: {status} {body}"
        return str(body["token"])

    def start_server(self, user: str, timeout: float = 120) -> None:
        """Start ``user``'s server through the hub (as a login would) and wait until it is ready."""
        status, body = self.api("POST", f"users/{user}/server")
        assert status in (201, 202, 400), f"starting {user}'s server: {status} {body}"  # 400: already running
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            _status, model = self.api("GET", f"users/{user}")
            server = (model or {}).get("servers", {}).get("", {})
            if server.get("ready"):
                return
            time.sleep(0.5)
        raise TimeoutError(f"{user}'s server was not ready within {timeout:.0f} s:\n{self.log_tail()}")

    # --- code in a person's own kernel -----------------------------------------------------------
    def run_in_kernel(self, user: str, code: str, timeout: float = 60) -> str:
        """Run ``code`` in a new kernel of ``user``'s own server (their account, their environment); its output.

        The kernel is started and driven through the server's REST and websocket API, as JupyterLab does.
        """
        token = self.token_for(user, [f"access:servers!user={user}"], note="kernel")
        status, kernel = self.request("POST", self.user_url(user, "api/kernels"), {"name": "python3"}, token)
        assert status == 201, f"kernel for {user}: {status} {kernel}"
        try:
            ws = self.user_url(user, f"api/kernels/{kernel['id']}/channels").replace("http://", "ws://", 1)
            # a thread of its own: the caller's thread may be running an event loop already (Playwright's)
            with ThreadPoolExecutor(1) as pool:
                return pool.submit(asyncio.run, _execute(ws, token, code, timeout)).result()
        finally:
            self.request("DELETE", self.user_url(user, f"api/kernels/{kernel['id']}"), token=token)


class KernelError(AssertionError):
    """The code run in a person's kernel raised."""


async def _execute(ws_url: str, token: str, code: str, timeout: float) -> str:
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    connection = await websocket_connect(HTTPRequest(ws_url, headers={"Authorization": f"token {token}"}))
    msg_id, session = uuid.uuid4().hex, uuid.uuid4().hex
    header = {"msg_id": msg_id, "username": "hubtest", "session": session, "msg_type": "execute_request",
              "version": "5.3", "date": datetime.now(UTC).isoformat()}  # fmt: skip
    content = {"code": code, "silent": False, "store_history": False, "user_expressions": {}, "allow_stdin": False,
               "stop_on_error": True}  # fmt: skip
    message = {"header": header, "parent_header": {}, "metadata": {}, "content": content, "channel": "shell", "buffers": []}
    connection.write_message(json.dumps(message))
    output: list[str] = []
    deadline = time.monotonic() + timeout
    try:
        while True:
            raw = await asyncio.wait_for(connection.read_message(), max(0.1, deadline - time.monotonic()))
            if raw is None:
                raise KernelError(f"the kernel's connection closed; output so far:\n{''.join(output)}")
            reply = json.loads(raw)
            if reply.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, body = reply["msg_type"], reply["content"]
            if kind == "stream":
                output.append(body["text"])
            elif kind == "execute_result":
                output.append(body["data"].get("text/plain", ""))
            elif kind == "error":
                raise KernelError(f"{body['ename']}: {body['evalue']}\n{''.join(output)}\n" + "\n".join(body["traceback"]))
            elif kind == "status" and body["execution_state"] == "idle":
                return "".join(output)
    finally:
        connection.close()


# --- system accounts -------------------------------------------------------------------------------
def _account(name: str) -> pwd.struct_passwd | None:
    try:
        return pwd.getpwnam(name)
    except KeyError:
        return None


def ensure_service_account() -> pwd.struct_passwd:
    """The simkit service's own system account (no home, no login)."""
    found = _account(SERVICE_ACCOUNT)
    if found is None:
        subprocess.run(["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin",
                        "--comment", SERVICE_COMMENT, SERVICE_ACCOUNT], check=True, capture_output=True)  # fmt: skip
        found = pwd.getpwnam(SERVICE_ACCOUNT)
    elif found.pw_gecos != SERVICE_COMMENT:
        raise HubUnavailable(f"a system account {SERVICE_ACCOUNT!r} exists and is not the tests' own")
    return found


def check_people_accounts() -> None:
    """The test people's accounts are created by the deployment's hook; refuse to take over someone else's."""
    for name in (n for names in PEOPLE.values() for n in names):
        found = _account(name)
        if found is not None and found.pw_gecos != ACCOUNT_COMMENT:
            raise HubUnavailable(f"a system account {name!r} exists and was not made by the hub's hook")


def remove_accounts() -> None:
    """End the test accounts' leftover processes (each by its id), then delete the accounts and their homes."""
    names = [n for names in PEOPLE.values() for n in names] + [SERVICE_ACCOUNT]
    for name in names:
        found = _account(name)
        if found is None or found.pw_gecos not in (ACCOUNT_COMMENT, SERVICE_COMMENT):
            continue
        for pid in _pids_of(found.pw_uid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        subprocess.run(["userdel", "--remove", name], capture_output=True)


def _pids_of(uid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if entry.stat().st_uid == uid:
                    pids.append(int(entry.name))
    return pids


@contextmanager
def interpreter_for_everyone() -> Iterator[list[Path]]:
    """Let every account run the kit's Python while the hub runs: closed folders above it opened for passing.

    A company installs the kit's virtual environment from Debian's python3 under /opt, which every
    account can run (deploy/README.md). A test machine may have built it from a Python under root's
    private home (pyenv in /root): the folders on the way get the others' search bit (no listing)
    until the hub stops, and their old modes back after.
    """
    needed = {Path(os.path.realpath(sys.executable)), Path(sys.executable), ROOT}
    closed: dict[Path, int] = {}
    for path in needed:
        for folder in path.parents:
            mode = folder.stat().st_mode
            if not mode & stat.S_IXOTH:
                closed[folder] = stat.S_IMODE(mode)
    try:
        for folder, mode in closed.items():
            os.chmod(folder, mode | stat.S_IXOTH)
        yield sorted(closed)
    finally:
        for folder, mode in closed.items():
            os.chmod(folder, mode)


# --- starting and stopping -------------------------------------------------------------------------
LOCAL_CONFIG = """\
# The tests' local configuration (what a company's /etc/simkit/jupyterhub_local.py would hold).
c.DummyAuthenticator.password = {password!r}
c.JupyterHub.services.append({{"name": "hubtest", "api_token": {token!r}}})
c.JupyterHub.load_roles.append({{
    "name": "hubtest",
    "scopes": ["admin:users", "admin:servers", "tokens", "access:servers", "admin:groups", "read:services"],
    "services": ["hubtest"],
}})
c.JupyterHub.log_level = "INFO"
"""


@contextmanager
def running_hub(
    timeout: float = 90.0, authenticator: str = "dummy", local: str = "", extra_env: dict[str, str] | None = None
) -> Iterator[Hub]:
    """Start PostgreSQL (both databases), the accounts and the hub; stop and remove all of it after.

    ``authenticator``, ``local`` (lines added to the local configuration) and ``extra_env`` (added to the
    hub's environment) try the deployment with another authenticator.
    """
    if os.geteuid() != 0:
        raise HubUnavailable("the hub tests run as root: each person's server runs as their own system account")
    proxy = proxy_command()
    check_people_accounts()
    base = Path(tempfile.mkdtemp(prefix="simkit-hub-", dir="/tmp"))
    os.chmod(base, 0o711)  # the service's account passes through to its spool; nothing here can be listed
    state = base / "state"
    state.mkdir(mode=0o700)
    evidence: EvidenceServer | None = None
    hub_db: HubDatabase | None = None
    process: subprocess.Popen[bytes] | None = None
    opened = contextlib.ExitStack()
    try:
        hub_db = HubDatabase()  # first: without pg_virtualenv's cluster nothing else is worth starting
        opened.enter_context(interpreter_for_everyone())
        ensure_service_account()
        evidence = EvidenceServer(base / "pg", free_port())
        evidence.init()
        password, admin_token = secrets.token_urlsafe(12), secrets.token_hex(32)
        local_config = LOCAL_CONFIG.format(password=password, token=admin_token) + local
        (state / "jupyterhub_local.py").write_text(local_config, encoding="utf-8")
        (state / "groups.toml").write_text("".join(f"{g} = {json.dumps(n)}\n" for g, n in PEOPLE.items()), encoding="utf-8")
        port, service_port = free_port(), free_port()
        settings = {
            "SIMKIT_KIT": str(ROOT),
            "SIMKIT_HUB_STATE": str(state),
            "SIMKIT_HUB_GROUPS": str(state / "groups.toml"),
            "SIMKIT_HUB_LOCAL_CONFIG": str(state / "jupyterhub_local.py"),
            "SIMKIT_HUB_DB_URL": hub_db.url,
            "SIMKIT_DB": evidence.url(),
            "SIMKIT_SERVICE_SPOOL": str(base / "spool"),
            "SIMKIT_SERVICE_USER": SERVICE_ACCOUNT,
            "SIMKIT_SERVICE_PORT": str(service_port),
            "SIMKIT_HUB_API_PORT": str(free_port()),
            "SIMKIT_PROXY_API_PORT": str(free_port()),
            "SIMKIT_HUB_BIND_URL": f"http://127.0.0.1:{port}",
            "SIMKIT_HUB_AUTHENTICATOR": authenticator,
        }
        # the company's secrets file: the hub reads its settings from it (here they are passed directly)
        env_file = state / "hub.env"
        env_file.write_text("".join(f"{k}={v}\n" for k, v in settings.items()), encoding="utf-8")
        os.chmod(env_file, 0o600)
        # the hub's environment is what its systemd unit gives it: no PG* variables of the test run
        env = {"PATH": f"{BIN}:{Path(proxy).parent}:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "HOME": str(state),
               **settings, **(extra_env or {})}  # fmt: skip
        log = state / "hub.log"  # with the state: the log may name what people must not read
        with log.open("wb") as out:
            process = subprocess.Popen([str(BIN / "jupyterhub"), "-f", str(DEPLOY_CONFIG)], cwd=state, env=env,
                                       stdout=out, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        hub = Hub(
            url=f"http://127.0.0.1:{port}", base=base, state=state, evidence=evidence, hub_db=hub_db,
            service_url=f"http://127.0.0.1:{service_port}/services/simkit/", spool=base / "spool",
            password=password, admin_token=admin_token, log=log, process=process,
        )  # fmt: skip
        wait_until_answering("the hub", hub.url, "/hub/api/", process, timeout, hub.log_tail)
        yield hub
    finally:
        if process is not None:
            _stop(process, state)
        remove_accounts()
        if evidence is not None:
            evidence.close()
        if hub_db is not None:
            hub_db.close()
        opened.close()
        if os.environ.get("SIMKIT_KEEP_HUB_LOG"):
            print(f"hub log kept in {state / 'hub.log'}", file=sys.stderr)
        else:
            shutil.rmtree(base, ignore_errors=True)


def _stop(process: subprocess.Popen[bytes], state: Path, grace: float = 30.0) -> None:
    """Stop the hub (it stops the servers, the service and the proxy it started), then what it left behind.

    The proxy runs in a session of its own; a hub that died without cleaning up leaves it running,
    so it is ended by the id in its pid file, when that process is still the proxy.
    """
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(grace)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(OSError, ValueError):
        pid = int((state / "jupyterhub-proxy.pid").read_text().strip())
        if b"configurable-http-proxy" in Path(f"/proc/{pid}/cmdline").read_bytes():
            os.kill(pid, signal.SIGKILL)

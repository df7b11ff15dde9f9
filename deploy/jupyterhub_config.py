"""JupyterHub configuration for simkit: many trainees, trainers and HR on one server.

A company does not edit this file. Its settings come from environment variables, which the systemd
unit reads from one file readable only by the hub's user (``/etc/simkit/hub.env``, see
``deploy/hub.env.example``), and the people in each group from a small TOML file
(``/etc/simkit/groups.toml``, see ``deploy/groups.toml.example``). ``deploy/README.md`` walks through it.

What it sets up:

- PostgreSQL as the hub's own database (``SIMKIT_HUB_DB_URL``) and as the evidence store
  (``SIMKIT_DB``). Only the hub and the simkit service ever see these URLs.
- Three groups, ``trainees``, ``trainers`` and ``hr``. Each may reach the simkit service; what each
  may do there (submit and read one's own attempts; run rounds and write calibration marks; read
  everything and record decisions) is the service's rule, decided from the group the hub reports.
- The simkit service, started and watched by the hub, on loopback; the proxy publishes it at
  ``/services/simkit/``. It holds the evidence store's credentials and its own spool.
- One single-user server per person, run as that person's own system account, with a cleaned
  environment: ``SIMKIT_SERVICE_URL`` tells the apps where the service is, and nothing in it opens
  the database. Its API token carries the scope to reach the service, so the apps in the
  person's kernels speak to the service as that person.
- The apps as Voilà pages at stable addresses: ``/hub/user-redirect/voila/render/<notebook>`` opens
  the notebook in whoever's own server follows the link; after logging in, each group lands on its
  app (trainees on day 3, trainers on the console, HR on the dashboard).
"""

from __future__ import annotations

import asyncio
import os
import pwd
import re
import shutil
import sys
import tomllib
from pathlib import Path
from typing import Any

c = get_config()  # type: ignore[name-defined]  # noqa: F821 - provided by JupyterHub when it loads this file

GROUPS = ("trainees", "trainers", "hr")
SERVICE = "simkit"
# the app each group lands on after logging in; anyone else gets the list of apps
LANDING = {"hr": "hr_readiness.ipynb", "trainers": "trainer_session.ipynb", "trainees": "day3_practice.ipynb"}
# a hub name becomes a system account's name: keep it to what useradd accepts everywhere
ACCOUNT_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
ACCOUNT_COMMENT = "simkit hub user"
FIRST_PERSON_UID = 1000  # Debian's UID_MIN: below it are the system's own accounts


class SettingMissing(RuntimeError):
    """A required setting is not in the hub's environment."""


def setting(name: str, default: str | None = None) -> str:
    """An environment variable, or ``default``; without either the hub refuses to start, naming it."""
    value = os.environ.get(name, "").strip()
    if value:
        return value
    if default is None:
        raise SettingMissing(f"{name} is not set: put it in the hub's environment file (deploy/hub.env.example)")
    return default


# --- settings ----------------------------------------------------------------------------------
KIT = Path(setting("SIMKIT_KIT", str(Path(__file__).resolve().parent.parent)))
STATE = Path(setting("SIMKIT_HUB_STATE", "/var/lib/jupyterhub"))
GROUPS_FILE = Path(setting("SIMKIT_HUB_GROUPS", "/etc/simkit/groups.toml"))
HUB_DB_URL = setting("SIMKIT_HUB_DB_URL")
EVIDENCE_DB_URL = setting("SIMKIT_DB")
SPOOL = Path(setting("SIMKIT_SERVICE_SPOOL", "/var/lib/simkit/spool"))
SERVICE_USER = setting("SIMKIT_SERVICE_USER", "")  # empty: the service runs as the hub's user
SERVICE_PORT = int(setting("SIMKIT_SERVICE_PORT", "10101"))
HUB_API_PORT = int(setting("SIMKIT_HUB_API_PORT", "8081"))
PROXY_API_PORT = int(setting("SIMKIT_PROXY_API_PORT", "8001"))
BIND_URL = setting("SIMKIT_HUB_BIND_URL", "http://127.0.0.1:8000")
AUTHENTICATOR = setting("SIMKIT_HUB_AUTHENTICATOR", "native")
# the hub creates a system account for a person at their first start (as root only); "no" to manage accounts by hand
CREATE_ACCOUNTS = setting("SIMKIT_HUB_CREATE_ACCOUNTS", "yes").lower() in ("1", "yes", "true")
BIN = Path(sys.executable).parent  # the kit's virtual environment, which runs the hub


def read_groups(path: Path) -> dict[str, list[str]]:
    """The people of each group (and the hub's admins) from the groups file; none when it does not exist yet."""
    if not path.exists():
        return {}
    with path.open("rb") as f:
        data = tomllib.load(f)
    unknown = set(data) - {*GROUPS, "admins"}
    if unknown:
        raise SettingMissing(f"{path}: unknown group(s) {', '.join(sorted(unknown))}; allowed: {', '.join(GROUPS)}, admins")
    people: dict[str, list[str]] = {}
    for group, names in data.items():
        if not isinstance(names, list) or not all(isinstance(n, str) and ACCOUNT_NAME.match(n) for n in names):
            raise SettingMissing(f"{path}: {group} must be a list of user names matching {ACCOUNT_NAME.pattern}")
        people[group] = names
    return people


PEOPLE = read_groups(GROUPS_FILE)

# --- the hub, its database and its proxy -------------------------------------------------------
c.JupyterHub.bind_url = BIND_URL
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{HUB_API_PORT}"
c.JupyterHub.db_url = HUB_DB_URL
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{PROXY_API_PORT}"
c.ConfigurableHTTPProxy.command = [shutil.which("configurable-http-proxy") or "configurable-http-proxy"]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")

# --- who may log in ----------------------------------------------------------------------------
# Production: NativeAuthenticator (people sign up, an admin authorizes them at /hub/authorize) or the
# company's single sign-on (oauthenticator, ldapauthenticator); deploy/README.md shows each.
c.JupyterHub.authenticator_class = AUTHENTICATOR
c.Authenticator.admin_users = set(PEOPLE.get("admins", []))
c.Authenticator.allowed_users = {name for group in GROUPS for name in PEOPLE.get(group, [])}
c.Authenticator.allow_existing_users = True  # people added later on the admin page may log in too
c.Authenticator.username_pattern = ACCOUNT_NAME.pattern
# names of the system's own accounts never log in (and no server runs as one: see system_account)
c.Authenticator.blocked_users = {"root", "postgres", "nobody", "www-data", *([SERVICE_USER] if SERVICE_USER else [])}
if AUTHENTICATOR == "native":
    import nativeauthenticator  # deploy/requirements-hub.txt

    c.JupyterHub.template_paths = [str(Path(nativeauthenticator.__file__).parent / "templates")]
    # the gate is NativeAuthenticator's own: an admin authorizes each sign-up at /hub/authorize
    c.Authenticator.allow_all = True
    c.NativeAuthenticator.minimum_password_length = 10
    c.NativeAuthenticator.check_common_password = True
    c.NativeAuthenticator.allowed_failed_logins = 5

# --- groups and what they may do at the hub ----------------------------------------------------
# load_groups only ever adds: someone taken out of the file stays in the group until an admin removes
# them on /hub/admin (Groups), which is also where groups are changed while the hub runs.
c.JupyterHub.load_groups = {group: {"users": PEOPLE.get(group, [])} for group in GROUPS}
REACH_SERVICE = f"access:services!service={SERVICE}"
c.JupyterHub.load_roles = [
    # every group reaches the service; what each may do there is the service's rule, read from the group
    {"name": "simkit-trainee", "description": "plays scenarios; submits and reads own attempts",
     "scopes": [REACH_SERVICE], "groups": ["trainees"]},
    {"name": "simkit-trainer", "description": "runs rounds, reads them, writes calibration marks",
     "scopes": [REACH_SERVICE], "groups": ["trainers"]},
    {"name": "simkit-hr", "description": "reads all evidence, records decisions",
     "scopes": [REACH_SERVICE], "groups": ["hr"]},
    # the service resolves people and their groups; it cannot start, stop or enter anyone's server
    {"name": "simkit-service", "description": "the simkit service: who is who",
     "scopes": ["read:users:name", "read:users:groups", "list:users", "read:groups", "list:groups"],
     "services": [SERVICE]},
]  # fmt: skip

# --- the simkit service ------------------------------------------------------------------------
SERVICE_URL = f"http://127.0.0.1:{SERVICE_PORT}"
service: dict[str, Any] = {
    "name": SERVICE,
    "url": SERVICE_URL,
    "command": [sys.executable, "-m", "simkit.service"],
    "cwd": str(KIT),
    "environment": {
        "SIMKIT_DB": EVIDENCE_DB_URL,
        "SIMKIT_KIT": str(KIT),
        "SIMKIT_SERVICE_SPOOL": str(SPOOL),
        "PATH": f"{BIN}:/usr/bin:/bin",
        "LANG": "C.UTF-8",
    },
    "oauth_no_confirm": True,
    # a browser that logs in to the service shows it who the person is and in which groups
    "oauth_client_allowed_scopes": ["read:users:name!user", "read:users:groups!user"],
    "display": False,
}
if SERVICE_USER:
    service["user"] = SERVICE_USER
c.JupyterHub.services = [service]


def prepare_spool() -> None:
    """The service's spool: its own folder, 0700, owned by the account that runs it (as root only)."""
    if os.geteuid() != 0:
        return
    SPOOL.mkdir(parents=True, exist_ok=True)
    if SERVICE_USER:
        account = pwd.getpwnam(SERVICE_USER)
        os.chown(SPOOL, account.pw_uid, account.pw_gid)
    os.chmod(SPOOL, 0o700)


prepare_spool()

# --- every person's own server -----------------------------------------------------------------
c.JupyterHub.spawner_class = "localprocess"  # each server runs as the person's own system account
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.notebook_dir = "~/simkit"
c.Spawner.default_url = "/voila/tree"
c.Spawner.disable_user_config = True  # a person's ~/.jupyter cannot change the server
# the hub's own environment (database URLs among it) never reaches a person's server: only these
c.Spawner.env_keep = ["LANG", "LC_ALL"]
c.Spawner.environment = {
    "SIMKIT_SERVICE_URL": f"{SERVICE_URL}/services/{SERVICE}/",
    "SIMKIT_HOME": str(KIT),
    "PATH": f"{BIN}:/usr/local/bin:/usr/bin:/bin",
    "MPLBACKEND": "Agg",
}
# The server's token ($JUPYTERHUB_API_TOKEN, which its kernels inherit) is what the apps show the
# service. Besides the hub's defaults it may reach the service and read its owner's name and groups.
# The hub grants only the part of these that the person holds: someone in no group cannot reach it.
c.Spawner.server_token_scopes = [
    "users:activity!user",
    "access:servers!server",
    REACH_SERVICE,
    "read:users:name!user",
    "read:users:groups!user",
]
c.Spawner.http_timeout = 90  # a busy two-core server starts many servers at nine in the morning
c.Spawner.start_timeout = 120


async def run_as(account: pwd.struct_passwd | None, *command: str) -> None:
    """Run a command (as ``account`` when given), failing with its output."""
    switch: dict[str, Any] = {}
    if account is not None:
        switch = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": [], "cwd": account.pw_dir}
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}
    process = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, **switch
    )
    output, _ = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({process.returncode}): {output.decode(errors='replace').strip()}")


async def system_account(name: str) -> pwd.struct_passwd:
    """The person's system account, created (locked, home 0700) at their first start when allowed.

    Never one of the system's own accounts (root, postgres, the service's...): a hub user who
    happened to have such a name would otherwise run code as it.
    """
    if not ACCOUNT_NAME.match(name):
        raise ValueError(f"{name!r} cannot be a system account; names must match {ACCOUNT_NAME.pattern}")
    try:
        account = pwd.getpwnam(name)
    except KeyError:
        if not (CREATE_ACCOUNTS and os.geteuid() == 0):
            raise
        await run_as(None, "useradd", "--create-home", "--shell", "/bin/bash", "--comment", ACCOUNT_COMMENT, name)
        account = pwd.getpwnam(name)
        os.chmod(account.pw_dir, 0o700)  # people do not read each other's homes
    if account.pw_uid < FIRST_PERSON_UID:
        raise PermissionError(f"{name!r} is a system account of this server; the hub runs no one's server as it")
    return account


# Copies the kit's notebooks into ~/simkit. It runs as the person, so a link planted in their own
# folder can only ever point the copy at what they could write anyway.
COPY_NOTEBOOKS = """
import shutil, sys
from pathlib import Path
source, target = Path(sys.argv[1]), Path.home() / "simkit"
target.mkdir(mode=0o700, exist_ok=True)
for notebook in sorted(source.glob("*.ipynb")):
    shutil.copyfile(notebook, target / notebook.name)
"""


async def prepare_server(spawner: Any) -> None:
    """Before a server starts: the person's account, their copy of the notebooks, their landing page.

    The notebooks are copied again at every start, so an upgrade of the kit reaches everyone; the
    folder is the person's own and writable, which the apps need for their exports.
    """
    groups = {group.name for group in spawner.user.groups}
    landing = next((notebook for group, notebook in LANDING.items() if group in groups), None)
    spawner.default_url = f"/voila/render/{landing}" if landing else "/voila/tree"
    if os.geteuid() != 0:
        return  # a hub that is not root runs no one's server as another account (tests of this file only)
    account = await system_account(spawner.user.name)
    await run_as(account, sys.executable, "-I", "-c", COPY_NOTEBOOKS, str(KIT / "notebooks"))


c.Spawner.pre_spawn_hook = prepare_server

# --- the company's own additions (single sign-on settings, an idle culler...), kept out of this file
LOCAL_CONFIG = Path(setting("SIMKIT_HUB_LOCAL_CONFIG", "/etc/simkit/jupyterhub_local.py"))
if LOCAL_CONFIG.exists():
    load_subconfig(str(LOCAL_CONFIG))  # type: ignore[name-defined]  # noqa: F821 - provided by JupyterHub

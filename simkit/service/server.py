"""The service's web application: ``POST {prefix}api/<operation>`` with a JSON body, as the hub user who asks.

Requests are authenticated by JupyterHub (``jupyterhub.services.auth.HubOAuth``): a kernel sends
``Authorization: token $JUPYTERHUB_API_TOKEN``, a browser the cookie the OAuth flow sets at
``{prefix}oauth_callback``. Without a hub user the answer is 401; a user the hub does not let
use the service (its access scope) 403. The operations (``operations``) run in a pool of
threads, so that the event loop keeps answering while one waits for the database; an answer is
``{"result": ...}``, a refusal ``{"error": <code>, "message": <English>}`` with its HTTP status.
The receipt time a submission is timed by is read when the request arrives, before anything waits.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from jupyterhub.services.auth import (  # type: ignore[import-untyped]
    HubOAuth,
    HubOAuthCallbackHandler,
    HubOAuthenticated,
    UserNotAllowed,
)
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop, PeriodicCallback
from tornado.web import Application, RequestHandler

from ..store.spool import OUTAGE
from .errors import ServiceError
from .operations import Service, call
from .roles import Caller
from .submissions import warm_up

log = logging.getLogger("simkit.service")

BODY_LIMIT = 1 * 2**20  # bytes; a submission of a long attempt takes a few tens of kilobytes
# what the HTTP server reads at most before it drops the connection; between the two limits a body
# is read and refused with a JSON answer (413), above it the client may see only the connection close
READ_LIMIT = 4 * BODY_LIMIT
THREADS = 8
FLUSH_EVERY = 15.0  # seconds between attempts to write the service's spool while the database is away


class JsonHandler(HubOAuthenticated, RequestHandler):  # type: ignore[misc]  # the hub ships no types
    """Answers in JSON, errors included (never tornado's HTML page or a traceback)."""

    def initialize(self, service: Service, pool: ThreadPoolExecutor, hub_auth: HubOAuth | None = None) -> None:
        self.service = service
        self.pool = pool
        if hub_auth is not None:
            self.hub_auth = hub_auth

    def answer(self, status: int, body: Any) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(body, ensure_ascii=False))

    def refuse(self, error: ServiceError) -> None:
        self.answer(error.status, error.as_json())

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        codes = {400: "bad_request", 401: "not_authenticated", 403: "forbidden", 404: "not_found", 405: "bad_method"}
        code = codes.get(status_code, "too_large" if status_code == 413 else "internal")
        message = self._reason if status_code != 500 else "the service failed; the failure is in its log"
        self.answer(status_code, {"error": code, "message": message})

    async def caller(self) -> Caller | None:
        """The hub user behind this request (None after answering 401 or 403)."""
        try:
            model = await self.hub_auth.get_user(self, sync=False)
        except Exception as exc:  # the hub cannot be asked: nobody is authenticated, and a client may retry
            log.warning("the hub could not identify a request: %s", exc)
            self.refuse(ServiceError(503, "hub_unavailable", "the hub cannot be asked who is calling just now; try again"))
            return None
        if not model:
            self.refuse(ServiceError(401, "not_authenticated", "sign in to the hub (or send the hub's API token)"))
            return None
        try:
            model = self.check_hub_user(model)
        except UserNotAllowed:
            model = None
        if not model:
            self.refuse(ServiceError(403, "forbidden", "this hub user may not use the simkit service"))
            return None
        return Caller.from_hub(model)


def respond(service: Service, caller: Caller, name: str, raw: bytes, at: float) -> tuple[int, Any]:
    """The HTTP status and JSON body answering operation ``name`` with the request body ``raw`` for ``caller``.

    Everything but authentication: the handler below runs it in a thread, a test without a hub directly.
    """
    try:
        body = json.loads(raw or b"{}")
    except (ValueError, RecursionError):
        return 400, {"error": "bad_json", "message": "the body is not JSON (UTF-8)"}
    try:
        return 200, {"result": call(service, caller, name, body, at)}
    except ServiceError as error:
        return error.status, error.as_json()


class OperationHandler(JsonHandler):
    """``POST api/<name>``: one operation of the Evidence interface."""

    async def post(self, name: str) -> None:
        at = self.service.submissions.timing.now()  # the receipt time, before anything waits
        if len(self.request.body) > BODY_LIMIT:
            self.refuse(ServiceError(413, "too_large", f"the body is larger than {BODY_LIMIT:,} bytes; no request needs that"))
            return
        caller = await self.caller()
        if caller is None:
            return
        loop = asyncio.get_running_loop()
        status, body = await loop.run_in_executor(self.pool, respond, self.service, caller, name, self.request.body, at)
        self.answer(status, body)
        if name == "submit" and status == 200 and body["result"]["recorded"] == "stored" and self.service.submissions.waiting:
            loop.run_in_executor(self.pool, self.service.submissions.flush)  # the store is back: write what waited


class HealthHandler(JsonHandler):
    """``GET api/health``: whether the service runs, whether its store answers, how many attempts wait."""

    async def get(self) -> None:
        caller = await self.caller()
        if caller is None:
            return
        loop = asyncio.get_running_loop()
        store = await loop.run_in_executor(self.pool, self._store_answers)
        self.answer(200, {"result": {"store": store, "spooled": self.service.submissions.spooled()}})

    def _store_answers(self) -> bool:
        try:
            with self.service.handle.using() as store, store.session(write=False) as s:
                s.connection()
            return True
        except ServiceError:
            return False


class NotFoundHandler(RequestHandler):
    """Any other path under the prefix: a JSON 404, not tornado's page."""

    def prepare(self) -> None:
        self.set_status(404)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps({"error": "not_found", "message": "no such endpoint; the service answers POST api/<operation>"}))


class CallbackHandler(HubOAuthCallbackHandler):  # type: ignore[misc]
    """``oauth_callback``: where the hub sends a browser back with its OAuth code (the hub's own handler)."""

    def initialize(self, hub_auth: HubOAuth | None = None) -> None:
        if hub_auth is not None:
            self.hub_auth = hub_auth


def make_app(
    service: Service,
    prefix: str = "/",
    pool: ThreadPoolExecutor | None = None,
    hub_auth: HubOAuth | None = None,
    **settings: Any,
) -> Application:
    """The tornado application of ``service`` under ``prefix`` (the hub's JUPYTERHUB_SERVICE_PREFIX).

    ``hub_auth`` is the hub's authenticator (default: ``HubOAuth.instance()``, configured from the
    hub's JUPYTERHUB_* variables).
    """
    prefix = prefix if prefix.endswith("/") else prefix + "/"
    pool = pool or ThreadPoolExecutor(THREADS, thread_name_prefix="simkit-service")
    given = {"service": service, "pool": pool, "hub_auth": hub_auth}
    return Application(
        [
            (rf"{prefix}api/health", HealthHandler, given),
            (rf"{prefix}api/([a-z_]{{1,40}})", OperationHandler, given),
            (rf"{prefix}oauth_callback", CallbackHandler, {"hub_auth": hub_auth}),
            (r".*", NotFoundHandler),
        ],
        cookie_secret=os.urandom(32),
        **settings,
    )


def _environment() -> tuple[str, str, Path, str, str]:
    missing = [v for v in ("SIMKIT_DB", "SIMKIT_KIT", "SIMKIT_SERVICE_SPOOL") if not os.environ.get(v)]
    if missing:
        sys.exit(f"simkit service: set {', '.join(missing)} (see docs/service.md)")
    url = os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10101")
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/simkit/")
    return os.environ["SIMKIT_DB"], os.environ["SIMKIT_KIT"], Path(os.environ["SIMKIT_SERVICE_SPOOL"]), url, prefix


def main() -> None:
    """Start the service as the hub does: the settings come from the environment (docs/service.md)."""
    from urllib.parse import urlsplit

    logging.basicConfig(level=logging.INFO, format="%(asctime)s simkit-service %(levelname)s %(message)s")
    db, kit, spool, url, prefix = _environment()
    service = Service.open(db, kit, spool)
    warm_up(service.kit)  # before listening: the first trainee does not wait for the language layer
    try:
        service.handle.open()  # nor for the store's engine and migrations (when it is away, it is opened later)
    except OUTAGE:
        service.handle.drop()
    app = make_app(service, prefix)
    HubOAuth.instance()  # configured from the hub's JUPYTERHUB_* variables; fails early when they are missing
    where = urlsplit(url)
    server = HTTPServer(app, max_body_size=READ_LIMIT, xheaders=True)
    server.listen(where.port or 80, where.hostname or "127.0.0.1")
    pool = ThreadPoolExecutor(1, thread_name_prefix="simkit-flush")

    def flush() -> None:
        if service.submissions.waiting:
            pool.submit(service.submissions.flush)

    PeriodicCallback(flush, FLUSH_EVERY * 1000).start()
    IOLoop.current().add_callback(flush)
    log.info("listening on %s under %s; spool %s", url, prefix, spool)
    try:
        IOLoop.current().start()
    except KeyboardInterrupt:  # the hub stops its services with an interrupt: a normal end, not a failure
        log.info("stopped")
    finally:
        service.close()

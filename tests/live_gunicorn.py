"""Tandem served by gunicorn against pytest's PostgreSQL test database, for tests that must go
through a real server: several worker processes with several threads each, so requests really
run in parallel, each thread on its own database connection. (pytest-django's ``live_server``
is Django's threaded development server inside the test's own process.)

    @pytest.mark.postgres
    @pytest.mark.django_db(transaction=True, serialized_rollback=True)
    def test_enrolling():
        person, cohort = ClinicianFactory(), CohortFactory()
        with serve() as server:
            visitor = Visitor(server, person)          # signed in by a session cookie
            visitor.get(f"/learn/enrol/{cohort.pk}/")  # the form, and its CSRF token
            [response] = post_at_once([(visitor, f"/learn/enrol/{cohort.pk}/", answers)])

Why each piece is there:

- Committed data: gunicorn's processes see only what is committed, so tests use
  ``transactional_db``, as the threaded race tests do (tests/concurrency.py explains).
- The test settings (config.settings.test), so the server shares the test process's SECRET_KEY
  and a session the test saves (``signed_in_session``) signs the person in there too. No
  password, no two-factor step: participants have none, and the session is the sign-in.
- CSRF as a browser does it: GET the form and send its token back with the cookie, or
  (``use_csrf_cookie``, to spare a hundred page renders) a made-up secret as cookie and field.
- A free port on 127.0.0.1, and gunicorn stopped, by its pid,
  when the block ends, so no connection outlives the test's (or the module's) data.
- ``post_at_once``: every request's TCP connection is opened first, then a barrier releases all
  the requests together, so they reach the server within microseconds of each other.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from importlib import import_module
from pathlib import Path
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.utils.crypto import get_random_string

from tests.concurrency import connection_slots

ROOT = Path(settings.BASE_DIR)
START_TIMEOUT = 60.0
REQUEST_TIMEOUT = 60.0
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    """A port no one listens on now (the system's choice): each server gets its own, so a
    test never reaches another test's server by mistake."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url_for_tests() -> str:
    """The test database pytest created, as a DATABASE_URL for the server's process."""
    if connection.vendor != "postgresql":
        raise RuntimeError("serving Tandem with gunicorn in tests needs PostgreSQL (DATABASE_URL)")
    db = connection.settings_dict
    credentials = quote(db["USER"] or "")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"])
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'])}"


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    log_path: Path

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        """What gunicorn and Django wrote (tracebacks of any 500), for assertion messages."""
        return self.log_path.read_text(errors="replace")


@contextmanager
def serve(*, workers: int = 3, threads: int = 8, env: dict[str, str] | None = None):
    """Start gunicorn on 127.0.0.1 serving tests.gunicorn_app against pytest's test database;
    stop it on exit. ``env`` adds environment variables (tests/gunicorn_app.py's switches)."""
    with connection_slots(workers * threads + 1):  # +1: gunicorn's preloaded master
        yield from _serve(workers=workers, threads=threads, env=env)


def _serve(*, workers: int, threads: int, env: dict[str, str] | None):
    port = free_port()
    handle, log_name = tempfile.mkstemp(prefix="tandem-gunicorn-", suffix=".log")
    log_path = Path(log_name)
    server_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url_for_tests(),
        **(env or {}),
    }
    with os.fdopen(handle, "wb") as log:
        process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "tests.gunicorn_app:application",
                f"--bind=127.0.0.1:{port}",
                f"--workers={workers}",
                f"--threads={threads}",
                "--worker-class=gthread",
                "--preload",  # Django is imported once, then forked: a quicker start
                f"--timeout={int(REQUEST_TIMEOUT)}",
                "--graceful-timeout=5",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env=server_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(port=port, process=process, log_path=log_path)
    try:
        _wait_until_up(server)
        yield server
    finally:
        # Quick shutdown (gunicorn's SIGINT): every request has been answered, and a graceful
        # one waits seconds for idle workers.
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log_path.unlink(missing_ok=True)


def _wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited during start-up:\n{server.log()}")
        try:
            if request(server, "GET", "/accounts/login/").status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {START_TIMEOUT}s:\n{server.log()}")


# --- HTTP ------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    @property
    def cookies(self) -> dict[str, str]:
        jar = SimpleCookie()
        for key, value in self.headers:
            if key.lower() == "set-cookie":
                jar.load(value)
        return {name: morsel.value for name, morsel in jar.items()}


def connect(server: Server) -> http.client.HTTPConnection:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=REQUEST_TIMEOUT)
    conn.connect()
    return conn


def request(
    server: Server,
    method: str,
    path: str,
    *,
    cookies: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    conn: http.client.HTTPConnection | None = None,
) -> Response:
    """One request on its own connection (``conn``, already open, or a new one), closed after."""
    conn = conn or connect(server)
    headers = {"Host": f"127.0.0.1:{server.port}", "Connection": "close", **(headers or {})}
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Origin"] = server.origin  # as a browser sends with a form (CSRF checks it)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return Response(status=response.status, headers=response.getheaders(), body=response.read())
    finally:
        conn.close()


def signed_in_session(person) -> str:
    """A session that signs ``person`` in, saved (so committed, in a transactional test) where
    the server reads sessions; returns its key, the session cookie's value. What
    django.contrib.auth.login stores, without the sign-in's signals and audit event."""
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = person._meta.pk.value_to_string(person)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = person.get_session_auth_hash()
    session.save()
    return session.session_key


@dataclass
class Visitor:
    """A signed-in browser: the person's session cookie, then the cookies and the CSRF token
    of the last form it fetched."""

    server: Server
    person: object
    headers: dict[str, str] = field(default_factory=dict)  # sent with every request
    cookies: dict[str, str] = field(default_factory=dict)
    csrf_token: str | None = None

    def __post_init__(self):
        self.cookies[settings.SESSION_COOKIE_NAME] = signed_in_session(self.person)

    def use_csrf_cookie(self) -> None:
        """Make up a CSRF secret and send it as the cookie and with each POST, as a page's
        script would, instead of fetching a form for its token first."""
        secret = get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS)
        self.cookies[settings.CSRF_COOKIE_NAME] = self.csrf_token = secret

    def get(self, path: str) -> Response:
        response = request(self.server, "GET", path, cookies=self.cookies, headers=self.headers)
        self.cookies |= response.cookies
        if match := CSRF_INPUT.search(response.body):
            self.csrf_token = match.group(1).decode()
        return response

    def post(self, path: str, data: dict, *, conn=None) -> Response:
        if self.csrf_token is None:
            raise RuntimeError("GET the form first: a POST needs its CSRF token")
        form = {**data, "csrfmiddlewaretoken": self.csrf_token}
        return request(
            self.server,
            "POST",
            path,
            cookies=self.cookies,
            form=form,
            headers=self.headers,
            conn=conn,
        )


def post_at_once(posts: list[tuple[Visitor, str, dict]]) -> list[Response | BaseException]:
    """Send every (visitor, path, data) POST at the same moment, each on its own connection
    opened before a barrier; return each response (or the exception it raised), in order."""
    barrier = threading.Barrier(len(posts))
    outcomes: list[Response | BaseException | None] = [None] * len(posts)

    def send(index: int) -> None:
        visitor, path, data = posts[index]
        try:
            try:
                conn = connect(visitor.server)
            except BaseException:
                barrier.abort()
                raise
            barrier.wait(timeout=REQUEST_TIMEOUT)
            outcomes[index] = visitor.post(path, data, conn=conn)
        except BaseException as error:  # noqa: BLE001 - kept as this request's outcome
            outcomes[index] = error

    workers = [threading.Thread(target=send, args=(i,), daemon=True) for i in range(len(posts))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=REQUEST_TIMEOUT * 2)
    if any(worker.is_alive() for worker in workers):
        raise RuntimeError("some POSTs did not finish in time")
    return outcomes


def fetch_all(visitors: list[Visitor], path: str, *, threads: int = 8) -> list[Response]:
    """Each visitor GETs ``path`` (a few at a time: setting up, not the race)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(lambda visitor: visitor.get(path), visitors))

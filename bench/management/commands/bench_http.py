"""Requests per second for Tandem's pages served by gunicorn on loopback, as a ratio of a
plain hello-world Django view served by the same gunicorn in the same run.

    manage.py bench_http [--duration 5] [--connections 8] [--workers 2]

It builds a throwaway database (a SQLite file in a temporary folder, or `<name>_bench_http` on
the PostgreSQL server DATABASE_URL names), migrates it and loads the demo data, collects static
files, then starts gunicorn with production settings (bench.http_settings: production plus a
hello-world view and the demo app) twice: with anonymous page caching off
(uncached) and on (cached). Load comes from wrk (apt-get install wrk; `.ci/run` installs it).
Without it a small Python keep-alive client is used, which is slower than the server: it caps
hello-world at about 1,100 requests a second on a 2-core machine, so every cached page looks
about as fast as hello. Its figures are then printed as client-bound, not as results, and
without ratios. Only 127.0.0.1 is ever contacted.
"""

import http.client
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import environ
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bench import checkin_http

ROOT = Path(settings.BASE_DIR)
PAGE_MODELS = {"programme": "programmepage", "module": "modulepage", "home": "homepage"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def python_load(port: int, path: str, duration: float, connections: int) -> float:
    """Requests per second from `connections` keep-alive clients in threads."""
    stop = time.monotonic() + duration
    counts = [0] * connections

    def worker(index):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.monotonic() < stop:
            conn.request("GET", path, headers={"Host": "127.0.0.1"})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise CommandError(f"{path} answered {response.status}")
            counts[index] += 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.monotonic() - start)


def wrk_load(port: int, path: str, duration: float, connections: int) -> float:
    result = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{max(1, round(duration))}s",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    if "Non-2xx" in result.stdout:
        raise CommandError(f"{path} gave non-2xx answers under load:\n{result.stdout}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1))


def load_tool(choice: str) -> str:
    if choice == "auto":
        return "wrk" if shutil.which("wrk") else "python"
    if choice == "wrk" and not shutil.which("wrk"):
        raise CommandError("wrk is not installed: apt-get install wrk")
    return choice


CLIENT_BOUND = (
    "Load came from the Python fallback client, which is slower than the server: these "
    "figures measure the client, not Tandem, so they are not results and no ratios are given. "
    "Install wrk (apt-get install wrk) and run again."
)


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser):
        parser.add_argument("--duration", type=float, default=5.0, help="seconds of load per URL")
        parser.add_argument("--connections", type=int, default=8)
        parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
        parser.add_argument("--json", dest="json_path", help="also write the results here")
        parser.add_argument(
            "--load",
            choices=["auto", "wrk", "python"],
            default="auto",
            help="load generator: wrk if installed (auto), or insist on one",
        )

    def handle(self, *args, duration, connections, workers, json_path, load, **options):
        tool = load_tool(load)
        load = wrk_load if tool == "wrk" else python_load
        with tempfile.TemporaryDirectory(prefix="tandem-bench-http-") as tmp:
            env = self.environment(Path(tmp))
            try:
                self.prepare(env)
                urls = self.page_urls(env)
                crowd = checkin_http.prepare(self.run_manage, env)
                results = {}
                for mode, cache_seconds in (("uncached", "0"), ("cached", "600")):
                    results[mode] = self.measure(
                        {**env, "PAGE_CACHE_SECONDS": cache_seconds},
                        {"hello": "/bench/hello/", **urls},
                        load=load,
                        duration=duration,
                        connections=connections,
                        workers=workers,
                        crowd=crowd if mode == "uncached" else None,
                    )
            finally:
                self.drop_database(env)
        self.report(
            results,
            tool=tool,
            workers=workers,
            connections=connections,
            db=env["DATABASE_URL"],
            cache=env["CACHE_URL"].split(":", 1)[0],
        )
        if json_path:
            data = {"tool": tool, "client_bound": tool != "wrk", "results": results}
            Path(json_path).write_text(json.dumps(data, indent=2))

    # --- the throwaway site ------------------------------------------------------------------

    def environment(self, tmp: Path) -> dict[str, str]:
        configured = os.environ.get("DATABASE_URL", "")
        if configured.startswith(("postgres", "pgsql")):
            parsed = environ.Env.db_url_config(configured)
            name = f"{parsed['NAME']}_bench_http"
            database_url = configured.rsplit("/", 1)[0] + f"/{name}"
        else:
            database_url = f"sqlite:///{tmp / 'bench.sqlite3'}"
        return {
            **{k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}},
            # Production's settings, plus the hello-world view and the demo app.
            "DJANGO_SETTINGS_MODULE": "bench.http_settings",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": database_url,
            # Production requires these; the benchmark serves pages only, so the embedded broker
            # does, and the cache `make run` uses: files every gunicorn worker shares (set
            # CACHE_URL to compare another, e.g. locmemcache:// or redis://127.0.0.1:6379/5).
            "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL") or "filesystem://",
            "CACHE_URL": os.environ.get("CACHE_URL") or f"filecache://{tmp / 'cache'}",
            "BASE_URL": os.environ.get("BASE_URL") or "http://127.0.0.1:8000",  # no email sent
            "STATIC_ROOT": str(tmp / "static"),
            "MEDIA_ROOT": str(tmp / "media"),
            "LOG_LEVEL": "WARNING",
        }

    def run_manage(self, env, *args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if result.returncode:
            raise CommandError(
                f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
            )
        return result.stdout

    def prepare(self, env):
        if env["DATABASE_URL"].startswith("postgres"):
            self.drop_database(env)
            self.psql(env, "CREATE DATABASE {name}")
        self.stdout.write("Preparing a throwaway site (migrate, seed_demo, collectstatic)…")
        self.run_manage(env, "migrate", "--no-input")
        self.run_manage(env, "seed_demo", "--force")
        self.run_manage(env, "collectstatic", "--no-input")

    def psql(self, env, statement):
        parsed = environ.Env.db_url_config(env["DATABASE_URL"])
        admin_url = env["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
        subprocess.run(
            ["psql", admin_url, "-q", "-c", statement.format(name=parsed["NAME"])],
            check=False,
            capture_output=True,
        )

    def drop_database(self, env):
        if env["DATABASE_URL"].startswith("postgres"):
            self.psql(env, "DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def page_urls(self, env) -> dict[str, str]:
        script = (
            "import json; from wagtail.models import Page; out = {}\n"
            f"for label, model in {PAGE_MODELS!r}.items():\n"
            "    pages = Page.objects.live().public().filter(content_type__model=model)\n"
            "    page = pages.order_by('path').first()\n"
            "    if page: out[label] = page.specific.get_url(None)\n"
            "print(json.dumps(out))"
        )
        urls = json.loads(self.run_manage(env, "shell", "-c", script).strip().splitlines()[-1])
        return {label: urls[label] for label in ("home", "programme", "module") if label in urls}

    # --- measuring ------------------------------------------------------------------------------

    def measure(
        self, env, urls, *, load, duration, connections, workers, crowd=None
    ) -> dict[str, float]:
        port = free_port()
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "config.wsgi",
                f"--bind=127.0.0.1:{port}",
                f"--workers={workers}",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env=env,
        )
        try:
            self.wait_until_up(port, server)
            rates = {}
            for label, path in urls.items():
                load(port, path, 1.0, connections)  # warm up caches and connections
                rates[label] = load(port, path, duration, connections)
            if crowd is not None:  # POSTs by signed-in people: the Python client (see its module)
                rates["check-in (POST)"] = checkin_http.check_ins_per_second(
                    port, crowd, duration=duration, connections=connections
                )
            return rates
        finally:
            server.terminate()
            server.wait(timeout=20)

    def wait_until_up(self, port, server):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise CommandError("gunicorn exited during start-up")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/bench/hello/", headers={"Host": "127.0.0.1"})
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise CommandError("gunicorn did not answer within 30 seconds")

    def report(self, results, *, tool, workers, connections, db, cache="filecache"):
        engine = "PostgreSQL" if db.startswith("postgres") else "SQLite"
        self.stdout.write(
            f"gunicorn {workers} workers on 127.0.0.1, {engine}, cache: {cache}, "
            f"load: {tool}, {connections} connections"
        )
        client_bound = tool != "wrk"
        if client_bound:
            self.stdout.write(self.style.WARNING(CLIENT_BOUND))
            rows = [("page", "mode", "client-bound req/s")]
        else:
            rows = [("page", "mode", "req/s", "x hello")]
        for mode, rates in results.items():
            hello = rates["hello"]
            for label, rate in rates.items():
                row = (label, mode, f"{rate:,.0f}")
                rows.append(row if client_bound else (*row, f"{rate / hello:.3f}"))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for index, row in enumerate(rows):
            self.stdout.write(
                "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            )
            if index == 0:
                self.stdout.write("  ".join("-" * width for width in widths))

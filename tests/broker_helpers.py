"""Switching the Celery app to another broker for a test, and breaking one for real.

Tests run as root, so taking the write bit off the embedded broker's queue folder stops
nothing. Two things do: replacing the folder with a file (every publish and every read then
fails), and, where the filesystem allows it, making the folder immutable (reads work, every
publish fails: the fault as it was reported).
"""

import shutil
import subprocess
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connections
from kombu import pools
from kombu.transport import filesystem

from config.celery import app
from core import health
from outbox import services as outbox_services


def _reset_connection_pools() -> None:
    # The app keeps a connection pool and a producer pool for the broker it first used;
    # forget both so the next publish connects to the broker configured now.
    pools.reset()  # closes them and empties kombu's registry, which would hand them out again
    app._pool = None
    # The filesystem transport remembers, per process, which queues it has bound; a new
    # folder has no bindings on disk, so it must bind them again.
    filesystem.Transport.global_state.clear()
    outbox_services.broker_backoff_reset()
    app.amqp._producer_pool = None
    health.forget_broker_checks()


# Every key this test run's real workers use on the configured Redis starts with this (kombu's
# global_keyprefix), so no other consumer of that Redis — another run's stray worker, another
# checkout's — can take this run's messages, and none of theirs reach our workers. Twice in CI a
# message published to the shared database 0 never reached the test's worker.
OWN_REDIS_PREFIX = f"tandem-test-{uuid.uuid4().hex[:12]}:"


def own_redis() -> tuple[str, dict] | None:
    """The configured Redis broker (CI) with keys of this test run's own, or None when the
    configured broker is not Redis."""
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        return None
    options = {**settings.CELERY_BROKER_TRANSPORT_OPTIONS, "global_keyprefix": OWN_REDIS_PREFIX}
    return settings.CELERY_BROKER_URL, options


@contextmanager
def using_own_redis_if_configured():
    """For the block, publish to and consume from own_redis() when Redis is configured."""
    redis = own_redis()
    if redis is None:
        yield
        return
    saved_eager = app.conf.task_always_eager
    with using_broker(*redis, eager=saved_eager):
        yield


@contextmanager
def using_broker(url: str, transport_options: dict | None = None, *, eager: bool = False):
    """Publish to `url` (not eagerly) for the block; put everything back after."""
    conf = app.conf
    saved = (conf.broker_transport_options, conf.task_always_eager)
    # The read and write URLs, because Celery prefers the CELERY_BROKER_URL environment
    # variable (set in CI) to `broker_url` itself.
    conf.broker_read_url = conf.broker_write_url = url
    conf.broker_transport_options = transport_options or {}
    conf.task_always_eager = eager
    _reset_connection_pools()
    try:
        yield
    finally:
        conf.broker_read_url = conf.broker_write_url = None
        conf.broker_transport_options, conf.task_always_eager = saved
        _reset_connection_pools()


class FilesystemBroker:
    """kombu's filesystem transport in a folder of the test's own."""

    def __init__(self, root: Path):
        self.root = root
        self.queue_dir = root / "queue"
        for folder in (self.queue_dir, root / "processed", root / "control"):
            folder.mkdir(parents=True, exist_ok=True)
        self.url = "filesystem://"
        self.options = {
            "data_folder_in": str(self.queue_dir),
            "data_folder_out": str(self.queue_dir),
            "processed_folder": str(root / "processed"),
            "control_folder": str(root / "control"),
            "store_processed": False,
        }

    def messages(self, queue: str) -> list[Path]:
        return sorted(self.queue_dir.glob(f"*.{queue}.msg"))

    def break_queue_folder(self) -> None:
        """Replace the queue folder with a file: no write into it can succeed, even as root."""
        self._parked = self.root / "queue.parked"
        self.queue_dir.rename(self._parked)
        self.queue_dir.write_text("not a folder")

    def mend_queue_folder(self) -> None:
        self.queue_dir.unlink()
        self._parked.rename(self.queue_dir)

    def freeze_queue_folder(self) -> bool:
        """Make the queue folder immutable (`chattr +i`): readable, but no file can be added,
        even by root — the fault as it was reported. False where the filesystem or the
        process cannot (then the test skips this variant)."""
        self._chattr = shutil.which("chattr")
        if self._chattr is None:
            return False
        if subprocess.run([self._chattr, "+i", self.queue_dir], capture_output=True).returncode:
            return False
        try:
            (self.queue_dir / "probe").touch()
        except OSError:
            return True
        (self.queue_dir / "probe").unlink()
        self.thaw_queue_folder()
        return False

    def thaw_queue_folder(self) -> None:
        subprocess.run([self._chattr, "-i", self.queue_dir], check=True)

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


@contextmanager
def real_worker():
    """A Celery worker in a thread, consuming every queue, for the block."""
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


def wait_until(condition, *, timeout: float = 30.0, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def run_together(*functions):
    """Run each function in its own thread (and its own database connection), released
    together by a barrier; return their results in order, re-raising the first error."""
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)
    errors: list = []

    def run(index, function):
        try:
            barrier.wait()
            results[index] = function()
        except BaseException as error:  # noqa: BLE001 - re-raised in the caller's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(index, function))
        for index, function in enumerate(functions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if errors:
        raise errors[0]
    return results

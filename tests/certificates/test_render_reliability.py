"""Rendering survives a killed worker and a broker outage, with real worker processes.

- A worker SIGKILLed while a certificate is rendering (claimed, no PDF yet): a new worker
  renders it, through the stale claim being taken over, and there is one certificate, one
  file, whose SHA-256 is the record's.
- The broker unreachable while 50 enrolments complete: every completion is saved, 50 pending
  certificates wait in the outbox, and once the broker is back the sweeper (twice) and a
  worker issue exactly 50, once each.

The worker is its own process (tests/certificates/render_worker.py) so that it can be killed
outright; it must see the test's rows, so these tests need PostgreSQL (pytest's SQLite test
database is in memory, invisible to another process): marked ``postgres``, they skip on
SQLite locally and always run in CI, against Redis there and a filesystem broker of the
test's own locally.
"""

import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from pypdf import PdfReader

from certificates import tasks
from certificates.models import Certificate, RenderStatus
from outbox import services as outbox
from outbox.models import OutboxMessage
from programmes import services as programmes
from programmes.models import Enrolment
from tests.broker_helpers import FilesystemBroker, own_redis, using_broker, wait_until
from tests.factories import CohortFactory, EnrolmentFactory, UserFactory
from tests.test_broker_outage import Outage

pytestmark = [
    pytest.mark.broker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

STALE_SECONDS = 2.0
RENDER_TASK = "certificates.tasks.certificate_render"


class Workers:
    """Celery workers in processes of their own (each its own process group), on the pdf
    queue, against the test's database, broker and certificate folder."""

    def __init__(self, tmp_path: Path, broker_url: str, broker_options: dict | None):
        self.tmp_path = tmp_path
        self.broker_url = broker_url
        self.broker_options = broker_options
        self.files = tmp_path / "certificates"
        self.files.mkdir()
        self.running: list[subprocess.Popen] = []

    def _database_url(self) -> str:
        db = connection.settings_dict  # pytest's test database, while the test runs
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"

    def start(self, *, gate: Path | None = None, concurrency: int = 1) -> subprocess.Popen:
        env = {
            **os.environ,
            "DATABASE_URL": self._database_url(),
            "CELERY_BROKER_URL": self.broker_url,
            "TANDEM_TEST_CERTIFICATES_DIR": str(self.files),
            "TANDEM_TEST_RENDER_STALE_SECONDS": str(STALE_SECONDS),
        }
        if self.broker_options:
            env["TANDEM_TEST_BROKER_OPTIONS"] = json.dumps(self.broker_options)
        if gate is not None:
            env["TANDEM_TEST_RENDER_GATE"] = str(gate)
        with (self.tmp_path / f"worker-{len(self.running)}.log").open("w") as log:
            process = self._popen(env, log, concurrency)
        self.running.append(process)
        return process

    def _popen(self, env: dict, log, concurrency: int) -> subprocess.Popen:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.certificates.render_worker",
                "--queues=pdf",
                f"--concurrency={concurrency}",
                "--pool=prefork",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
                f"--hostname=render-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the pool children die with it
        )

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL: the main process and its pool children, with no chance to clean up."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)

    def logs(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.tmp_path.glob("worker-*.log")))

    def stored(self) -> list[Path]:
        return sorted(p for p in self.files.rglob("*") if p.is_file())


@pytest.fixture
def certificate_files(settings, tmp_path):
    folder = tmp_path / "certificates"
    settings.STORAGES = {
        **settings.STORAGES,
        "certificates": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    return folder


@pytest.fixture
def fs_broker(tmp_path):
    broker = FilesystemBroker(tmp_path / "broker")
    yield broker
    broker.remove()


def the_broker(fs_broker) -> tuple[str, dict | None]:
    """Redis when it is configured (CI), with keys of this run's own, else a filesystem broker
    of the test's own."""
    if (redis := own_redis()) is not None:
        return redis
    return fs_broker.url, fs_broker.options


@pytest.fixture
def workers(tmp_path, fs_broker, certificate_files):
    url, options = the_broker(fs_broker)
    started = Workers(tmp_path, url, options)
    assert started.files == certificate_files
    yield started
    started.stop_all()


def assert_one_good_certificate(certificate: Certificate, files: list[Path]) -> None:
    certificate.refresh_from_db()
    assert Certificate.objects.filter(enrolment_id=certificate.enrolment_id).count() == 1
    assert (certificate.status, certificate.render_status) == ("valid", RenderStatus.READY)
    [stored] = [f for f in files if f.name == f"{certificate.code}.pdf"]
    pdf = stored.read_bytes()
    assert hashlib.sha256(pdf).hexdigest() == certificate.sha256
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    assert certificate.participant_name in reader.pages[0].extract_text()


def test_a_worker_killed_mid_render_leaves_one_certificate_with_a_good_pdf(
    workers, fs_broker, tmp_path, monkeypatch
):
    monkeypatch.setattr(tasks, "RENDER_STALE", timedelta(seconds=STALE_SECONDS))
    enrolment = EnrolmentFactory(status="enrolled")
    admin = UserFactory(is_superuser=True, trust=enrolment.cohort.host_trust)
    gate = tmp_path / "gate"
    gate.touch()
    url, options = the_broker(fs_broker)
    with using_broker(url, options):
        first = workers.start(gate=gate)
        programmes.enrolment_complete(enrolment=enrolment, by=admin, reason="All rules met")
        certificate = Certificate.objects.get(enrolment=enrolment)
        assert wait_until(Path(f"{gate}.started").exists, timeout=90), workers.logs()
        certificate.refresh_from_db()
        assert certificate.render_status == RenderStatus.RENDERING  # claimed, not rendered
        assert workers.stored() == []

        workers.kill(first)
        gate.unlink()
        workers.start()
        # The dead run's heartbeat goes stale; beat's resume_stalled_renders re-queues it
        # (the killed worker's message is gone: the filesystem broker had handed it over,
        # Redis keeps it unacknowledged for an hour), and the new worker takes it over.
        time.sleep(STALE_SECONDS + 0.5)
        assert tasks.resume_stalled_renders() == 1
        rendered = wait_until(
            lambda: Certificate.objects.filter(pk=certificate.pk, status="valid").exists(),
            timeout=90,
        )
        assert rendered, workers.logs()
        assert tasks.resume_stalled_renders() == 0  # nothing stalled any more

    assert_one_good_certificate(certificate, workers.stored())
    assert len(workers.stored()) == 1
    certificate.refresh_from_db()
    assert certificate.attempts == 2  # the killed run and the one that took over


def test_fifty_completions_while_the_broker_is_down_are_issued_once_it_is_back(
    workers, fs_broker, tmp_path
):
    kind = (
        "redis unreachable"
        if settings.CELERY_BROKER_URL.startswith("redis")
        else "queue folder replaced by a file"
    )
    outage = Outage(kind, fs_broker)
    cohort = CohortFactory()
    admin = UserFactory(is_superuser=True, trust=cohort.host_trust)
    enrolments = EnrolmentFactory.create_batch(50, cohort=cohort, status="enrolled")

    with outage.down():
        for enrolment in enrolments:
            programmes.enrolment_complete(enrolment=enrolment, by=admin, reason="All rules met")
        assert Enrolment.objects.filter(cohort=cohort, status="completed").count() == 50
        pending = Certificate.objects.filter(enrolment__cohort=cohort)
        assert pending.count() == 50
        assert set(pending.values_list("status", "render_status")) == {
            ("pending", RenderStatus.QUEUED)
        }
        waiting = OutboxMessage.objects.unpublished().filter(task_name=RENDER_TASK)
        assert sorted(m.args[0] for m in waiting) == sorted(pending.values_list("pk", flat=True))

    with outage.up():
        assert outbox.outbox_sweep().published == 50
        assert outbox.outbox_sweep().published == 0  # a second sweep doubles nothing
        workers.start(concurrency=2)
        done = wait_until(
            lambda: (
                Certificate.objects.filter(enrolment__cohort=cohort, status="valid").count() == 50
            ),
            timeout=180,
        )
        assert done, workers.logs()
        assert outbox.outbox_sweep().published == 0
        time.sleep(1)  # anything delivered twice would be rendered (and refused) by now

    certificates = list(Certificate.objects.filter(enrolment__cohort=cohort))
    assert len(certificates) == 50
    assert {c.enrolment_id for c in certificates} == {e.pk for e in enrolments}
    assert all(c.attempts == 1 for c in certificates)  # each rendered once
    stored = workers.stored()
    assert len(stored) == 50
    for certificate in certificates:
        assert_one_good_certificate(certificate, stored)
    assert not OutboxMessage.objects.unpublished().exists()

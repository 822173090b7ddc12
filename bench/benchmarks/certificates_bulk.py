"""Bulk issue through Celery against the same function in ``multiprocessing.Pool`` (issue 13's
figure (d), target at least 0.9): 500 certificates rendered by ``certificate_render`` (claim,
render, store, record) in N worker processes of a real Celery worker, fed through a real
broker in the messages a bulk issue queues (``certificate_render_group``, RENDER_GROUP
certificates each), and by ``Pool(N).map`` over the same ids, one at a time, alternating.
What it shows is what Celery itself costs a bulk run: publishing, delivery, acknowledgement.

Needs PostgreSQL: the worker's processes must see the rows the benchmark commits (the default
SQLite test database lives in one process's memory).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from bench.runner import Measurement, benchmark

from .programmes import _cohort, _people, _trust

BULK = 500
ROUNDS = 2  # each variant, alternating: celery, pool, pool, celery


def _processes() -> int:
    return max(2, min(4, os.cpu_count() or 2))


@contextmanager
def _broker():
    """Redis when it is configured (a database of its own is not needed: the pdf queue is
    drained before and after), else kombu's filesystem transport in a temporary folder."""
    from django.conf import settings

    if settings.CELERY_BROKER_URL.startswith("redis"):
        yield settings.CELERY_BROKER_URL, settings.CELERY_BROKER_TRANSPORT_OPTIONS
        return
    root = Path(tempfile.mkdtemp(prefix="tandem-bench-broker-"))
    folders = {name: root / name for name in ("queue", "processed", "control")}
    for folder in folders.values():
        folder.mkdir()
    try:
        yield (
            "filesystem://",
            {
                "data_folder_in": str(folders["queue"]),
                "data_folder_out": str(folders["queue"]),
                "processed_folder": str(folders["processed"]),
                "control_folder": str(folders["control"]),
                "store_processed": False,
                # Its default, 1 s, is how long a worker waits after each message it takes:
                # two processes rendered 2 certificates a second.
                "polling_interval": 0.05,
            },
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def _publishing_to(url: str, options: dict):
    """This process's Celery app sends to ``url`` for the block, not eagerly."""
    from kombu import pools
    from kombu.transport import filesystem

    from config.celery import app

    conf = app.conf
    saved = (conf.broker_transport_options, conf.task_always_eager)

    def reset():
        pools.reset()
        app._pool = None
        app.amqp._producer_pool = None
        filesystem.Transport.global_state.clear()

    conf.broker_read_url = conf.broker_write_url = url
    conf.broker_transport_options, conf.task_always_eager = options, False
    reset()
    try:
        yield app
    finally:
        conf.broker_read_url = conf.broker_write_url = None
        conf.broker_transport_options, conf.task_always_eager = saved
        reset()


def _database_url(connection) -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextmanager
def _celery_worker(connection, url: str, options: dict, processes: int):
    from django.conf import settings

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(connection),
        "CELERY_BROKER_URL": url,
        "TANDEM_BENCH_BROKER_OPTIONS": json.dumps(options or {}),
    }
    process = subprocess.Popen(  # noqa: S603 - this interpreter, our own module
        [sys.executable, "-m", "bench.celery_worker", "--queues=pdf", f"--concurrency={processes}"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _reset(ids: list[int]) -> None:
    from certificates.models import Certificate, CertificateStatus, RenderStatus

    Certificate.objects.filter(pk__in=ids).update(
        status=CertificateStatus.PENDING,
        render_status=RenderStatus.QUEUED,
        pdf="",
        sha256="",
        run_token=None,
        heartbeat_at=None,
        started_at=None,
        attempts=0,
    )


def _all_rendered(ids: list[int], timeout: float = 600.0) -> None:
    from certificates.models import Certificate, RenderStatus

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = Certificate.objects.filter(pk__in=ids, render_status=RenderStatus.READY).count()
        if done == len(ids):
            return
        time.sleep(0.05)
    raise AssertionError(f"only {done} of {len(ids)} certificates rendered in {timeout:.0f} s")


def _publish_as_a_bulk_issue_does(ids: list[int], group: int | None = None) -> None:
    """Straight to the broker (the outbox's relay is the batch task's cost, not the
    workers'), in the groups ``tasks.queue_render_groups`` makes."""
    from certificates.tasks import RENDER_GROUP, certificate_render_group

    group = group or RENDER_GROUP
    for start in range(0, len(ids), group):
        certificate_render_group.apply_async((ids[start : start + group],), outbox=False)


def _render_one(certificate_id: int) -> str:
    from certificates.tasks import certificate_render

    return certificate_render(certificate_id)


def _close_connection(*_args) -> None:
    from django.db import connections

    connections.close_all()


def _certificates(count: int) -> tuple[list[int], callable]:
    """``count`` completed enrolments with pending certificates (bulk-created: issuing each
    through the service would render it at once under the test settings' eager Celery)."""
    from certificates import codes
    from certificates.models import Certificate
    from people.models import User
    from programmes.models import Enrolment, EnrolmentStatus, Programme

    trust = _trust("RCB")
    programme = Programme.objects.create(title="Bench certificates", slug="bench-certificates")
    cohort = _cohort(programme, trust, name="Bench cohort", capacity=count)
    people = _people(trust, count, prefix="certified")
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(
            person=person,
            cohort=cohort,
            status=EnrolmentStatus.COMPLETED,
            trust=trust,
            professional_group=person.professional_group,
        )
        for person in people
    )
    certificates = Certificate.objects.bulk_create(
        Certificate(
            enrolment=enrolment,
            code=codes.new_code(),
            participant_name=f"{person.first_name} {person.last_name}",
            programme_title=programme.title,
            cohort_name=cohort.name,
            cohort_starts_on=cohort.starts_on,
            cohort_ends_on=cohort.ends_on,
            cpd_hours=18,
            issuing_trust_name=trust.name,
        )
        for enrolment, person in zip(enrolments, people, strict=True)
    )

    def remove():
        Certificate.objects.filter(enrolment__cohort=cohort).delete()
        Enrolment.objects.filter(cohort=cohort).delete()
        cohort.delete()
        User.objects.filter(pk__in=[p.pk for p in people]).delete()
        programme.delete()
        trust.delete()

    return [c.pk for c in certificates], remove


@benchmark("certificates-bulk-issue", group="certificates", atomic=False)
def certificates_bulk_issue(ctx):
    """500 certificates through a Celery worker of N processes against Pool(N)."""
    if ctx.connection.vendor != "postgresql":
        ctx.skip(
            "needs PostgreSQL (the worker's processes must see the certificates): run "
            "`DATABASE_URL=postgres://user@host:5432/name make bench`"
        )
    processes = _processes()
    ids, remove = _certificates(BULK + 2 * processes)
    warmup, timed = ids[: 2 * processes], ids[2 * processes :]
    measurements = {
        label: Measurement(
            benchmark=ctx.benchmark.name, group=ctx.benchmark.group, label=label, warmup=1
        )
        for label in ("celery", "pool")
    }
    try:
        with _broker() as (url, options), _publishing_to(url, options):
            _close_connection()  # the pool's forked processes open their own
            fork = multiprocessing.get_context("fork")
            with (
                _celery_worker(ctx.connection, url, options, processes),
                fork.Pool(processes, initializer=_close_connection) as pool,
            ):
                # Warm both: the worker started, its processes' fonts loaded; the same for
                # the pool's.
                _publish_as_a_bulk_issue_does(warmup, group=1)  # each process a few
                _all_rendered(warmup, timeout=300)
                _reset(warmup)
                pool.map(_render_one, warmup, chunksize=1)

                for label in ["celery", "pool", "pool", "celery"][: 2 * ROUNDS]:
                    _reset(timed)
                    started = time.perf_counter()
                    if label == "celery":
                        _publish_as_a_bulk_issue_does(timed)
                        _all_rendered(timed)
                    else:
                        outcomes = pool.map(_render_one, timed, chunksize=1)
                        if set(outcomes) != {"rendered"}:
                            raise AssertionError(f"the pool's runs said {set(outcomes)}")
                    measurements[label].timings_ms.append((time.perf_counter() - started) * 1e3)
                    measurements[label].queries.append(0)  # in other processes: not counted
    finally:
        _close_connection()
        remove()
    for measurement in measurements.values():
        measurement.clients = processes
        measurement.per_second = BULK / (min(measurement.timings_ms) / 1000)
    ctx.measurements.extend(measurements.values())
    celery, pool = measurements["celery"].per_second, measurements["pool"].per_second
    ratio = celery / pool
    ctx.note(
        f"(d) Celery / multiprocessing.Pool, {BULK} certificates with {processes} processes: "
        f"{celery:.0f} vs {pool:.0f} a second, {ratio:.2f}x "
        f"(target >= 0.9: {'met' if ratio >= 0.9 else 'NOT MET'}; broker {url.split(':')[0]})"
    )

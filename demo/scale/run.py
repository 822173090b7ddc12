"""One seed_scale run: the steps in order, each writing its tables in bulk."""

from __future__ import annotations

import datetime
import time

from django.utils import timezone

from . import cohorts, enrolments, pairs, people, roles
from .plan import ScaleRun, Volumes
from .writer import Progress, Writer


def seed_scale(*, scale: float, seed: str, today: datetime.date, report=print) -> Progress:
    now = timezone.now()
    if today != timezone.localdate():  # a fixed day (--today): the same rows on any day
        now = datetime.datetime.combine(today, datetime.time(12), timezone.get_current_timezone())
    run = ScaleRun(seed=seed, today=today, now=now, volumes=Volumes.at(scale))
    progress = Progress(report=report)
    writer = Writer(progress)
    started = time.perf_counter()
    people.seed_trusts(run, writer)
    people.seed_people(run, writer)
    cohorts.seed_programmes(run, writer)
    cohorts.plan_cohorts(run)
    cohorts.write_cohorts(run, writer)
    enrolments.plan_enrolments(run)
    enrolments.plan_and_write_sessions(run, writer)
    enrolments.write_enrolments(run, writer)
    enrolments.write_attendance(run, writer)
    roles.seed_role_appointments(run, writer)
    pairs.seed_pairs(run, writer)
    writer.finish()
    progress.seconds["total"] = time.perf_counter() - started
    return progress

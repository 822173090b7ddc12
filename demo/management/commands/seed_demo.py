"""`manage.py seed_demo`: load the demo data (demo.seed) that `make run` gives a newcomer."""

import logging
import time
from contextlib import contextmanager

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo import seed as demo
from demo.run import DEMO_PASSWORD, SeedError


class Command(BaseCommand):
    help = (
        "Load the demo trusts, people, role history and one login per role. Safe to rerun: "
        "it adds only what is missing and leaves existing rows alone."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off. The demo logins share a published password.",
        )

    def handle(self, *args, force=False, verbosity=1, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to seed: DEBUG is off, so this may be production. seed_demo creates "
                f"accounts with a known, published password ({DEMO_PASSWORD!r}) and must "
                "not run against production data. Pass --force if this database is a "
                "throwaway one."
            )
        started = time.perf_counter()
        try:
            with _quiet("django_tasks"):
                run = demo.seed()
        except SeedError as error:
            raise CommandError(str(error)) from error
        elapsed = time.perf_counter() - started

        if verbosity < 1:
            return
        if run.created:
            added = ", ".join(f"{n} {name}" for name, n in run.created.items())
            self.stdout.write(self.style.SUCCESS(f"Demo data seeded in {elapsed:.1f}s: {added}."))
        else:
            self.stdout.write(f"Demo data already present; nothing added ({elapsed:.1f}s).")
        self.stdout.write(demo.login_table(run))


@contextmanager
def _quiet(logger_name):
    """Hide a logger's INFO lines: Wagtail updates its reference index through a task for
    every saved person, and django_tasks logs two lines per task, burying the login table."""
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)

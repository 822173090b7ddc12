"""`manage.py seed_scale`: national volumes (PRODUCT.md §6) for benchmarks and reports."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from demo.scale.plan import Volumes
from demo.scale.reset import Kept, has_scale_data, remove_scale_data
from demo.scale.run import seed_scale


class Command(BaseCommand):
    help = (
        "Generate fictional data at national scale: 250 trusts, 100,000 people, 10,000 "
        "cohorts, 200,000 enrolments, 2,000,000 attendance marks, 100,000 role appointments "
        "(times --scale). Bulk inserts (COPY on PostgreSQL): a few minutes at full scale."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="1 is PRODUCT.md §6.")
        parser.add_argument("--seed", default="tandem-scale", help="The same seed, the same rows.")
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="Date the data is generated around (YYYY-MM-DD; default today).",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Remove what an earlier seed_scale made (and nothing else) first.",
        )
        parser.add_argument(
            "--remove", action="store_true", help="Remove what seed_scale made, and stop."
        )

    def handle(self, *args, scale, seed, today, reset, remove, **options):
        module = getattr(settings, "SETTINGS_MODULE", "") or ""
        if module.rsplit(".", 1)[-1] == "production":
            raise CommandError(f"Refusing to run with production settings ({module}).")
        if scale <= 0:
            raise CommandError("--scale must be more than 0, e.g. 0.01.")
        say = self.stdout.write
        if reset or remove:
            try:
                remove_scale_data(report=say)
            except Kept as error:
                raise CommandError(str(error)) from error
            if remove:
                return
        elif has_scale_data():
            raise CommandError(
                "This database already has seed_scale data (trusts ZS..., people "
                "@scale.tandem.invalid). Pass --reset to replace it, or --remove to delete it."
            )
        volumes = ", ".join(
            f"{v:,} {k.replace('_', ' ')}" for k, v in Volumes.at(scale).__dict__.items()
        )
        say(f"Seeding about {volumes} (scale {scale}, seed {seed!r}):")
        progress = seed_scale(
            scale=scale, seed=seed, today=today or timezone.localdate(), report=say
        )
        minutes = progress.seconds["total"] / 60
        self.stdout.write(self.style.SUCCESS(f"Done in {minutes:.1f} minutes."))

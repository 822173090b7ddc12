"""manage.py retention [--dry-run] [--policy NAME ...]: apply the retention policies now.

The same run as the daily beat task (privacy.tasks.apply_retention). With --dry-run it only
counts what each policy would remove, changing nothing (not even the audit log).
"""

from django.core.management.base import BaseCommand, CommandError

from privacy.retention import policies, retention_run


class Command(BaseCommand):
    help = (
        "Apply the retention policies (settings.RETENTION), or with --dry-run count what "
        "they would remove."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would go; change nothing."
        )
        parser.add_argument(
            "--policy",
            action="append",
            dest="only",
            metavar="NAME",
            help=f"Only this policy (repeatable). One of: {', '.join(p.name for p in policies())}.",
        )

    def handle(self, *args, dry_run, only, **options):
        try:
            results = retention_run(dry_run=dry_run, only=only)
        except ValueError as error:
            raise CommandError(str(error)) from error
        verb = "would remove" if dry_run else "removed"
        for result in results:
            self.stdout.write(
                f"{result.name}: {verb} {result.count} "
                f"({result.description}; period {result.days} days)"
            )
        if dry_run:
            self.stdout.write(self.style.WARNING("Dry run: nothing was changed."))
        else:
            self.stdout.write(self.style.SUCCESS("Retention applied."))

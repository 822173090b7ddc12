import time

from allauth.mfa import app_settings as mfa_settings
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.totp import DEMO_TOTP_SECRET, usable_code


class Command(BaseCommand):
    help = (
        "Print a two-factor code for the demo staff logins with at least 10 seconds left to "
        "type it (development only). manage.py answers `demo_totp_code` without starting "
        "Django (demo/totp.py); this command is the same with other options, such as --settings."
    )
    # A code printed after slow system checks has less time left; the checks are not needed.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("demo_totp_code is for demo data on a development machine.")
        now = time.time()
        usable = usable_code(
            DEMO_TOTP_SECRET,
            now=now,
            period=mfa_settings.TOTP_PERIOD,
            digits=mfa_settings.TOTP_DIGITS,
        )
        self.stdout.write(usable.code)
        self.stderr.write(usable.describe(now))

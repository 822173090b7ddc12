"""`manage.py demo_sponsor_links`: print a working sponsor link for each application waiting
for approval, so a newcomer can try the sponsor's page without reading the worker's console
(where `make run` prints the emailed ones)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from programmes import sponsors
from programmes.models import Enrolment, EnrolmentStatus


class Command(BaseCommand):
    help = (
        "Print a sponsor's approval link for every application waiting for approval "
        "(development only). Links already emailed keep working: the same secret is signed "
        "again; an application whose email has not gone yet is given its secret now."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            # A link approves a place with no sign-in: never mint them on a live system.
            raise CommandError("demo_sponsor_links is for demo data on a development machine.")
        pending = (
            Enrolment.objects.filter(status=EnrolmentStatus.PENDING_APPROVAL)
            .exclude(sponsor_email="")
            .select_related("person", "cohort__programme")
            .order_by("cohort_id", "pk")
        )
        if not pending.exists():
            self.stdout.write("No application is waiting for a sponsor's approval.")
            return
        for enrolment in pending:
            if not enrolment.sponsor_nonce:
                # Only if still empty: the worker may be issuing one for its email just now.
                Enrolment.objects.filter(pk=enrolment.pk, sponsor_nonce="").update(
                    sponsor_nonce=sponsors.new_nonce()
                )
                enrolment.refresh_from_db(fields=["sponsor_nonce"])
            self.stdout.write(
                f"{enrolment.person.get_full_name()}, {enrolment.cohort.programme.title} "
                f"({enrolment.cohort.name}); sponsor {enrolment.sponsor_name} "
                f"<{enrolment.sponsor_email}>:\n  {sponsors.link(enrolment)}"
            )

"""The certificate record's invariants, kept by the database: one live certificate per
enrolment, a unique code, a revocation with its date and reason, a superseded certificate
naming its successor, a valid one with its file; files in their own, non-public storage."""

import datetime

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from certificates.models import Certificate, certificate_storage
from tests.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db


def certificate(enrolment, **fields):
    cohort = enrolment.cohort
    values = {
        "enrolment": enrolment,
        "participant_name": enrolment.person.get_full_name(),
        "programme_title": cohort.programme.title,
        "cohort_name": cohort.name,
        "cohort_starts_on": cohort.starts_on,
        "cohort_ends_on": cohort.ends_on,
        "cpd_hours": cohort.programme.cpd_hours,
        "issuing_trust_name": cohort.host_trust.name,
    } | fields
    return Certificate.objects.create(**values)


def test_a_new_certificate_gets_a_code_and_prints_it_in_groups():
    made = certificate(EnrolmentFactory(status="completed"))
    assert len(made.code) == 28 and made.printed_code.count("-") == 6
    assert made.status == "pending"


def test_one_live_certificate_per_enrolment():
    enrolment = EnrolmentFactory(status="completed")
    first = certificate(enrolment)
    with pytest.raises(IntegrityError), transaction.atomic():
        certificate(enrolment)
    # Once it is revoked, a re-issue may be made.
    Certificate.objects.filter(pk=first.pk).update(
        status="revoked", revoked_at=timezone.now(), revoked_reason="Issued in error"
    )
    assert certificate(enrolment).status == "pending"


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "revoked"},  # no date, no reason
        {"status": "revoked", "revoked_at": timezone.now()},  # no reason
        {"status": "superseded"},  # no successor
        {"status": "valid"},  # no file, no hash
        {"status": "forged"},
    ],
)
def test_a_certificate_in_an_impossible_state_is_refused(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        certificate(EnrolmentFactory(status="completed"), **fields)


def test_codes_are_unique():
    made = certificate(EnrolmentFactory(status="completed"))
    other = certificate(EnrolmentFactory(status="completed"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.filter(pk=other.pk).update(code=made.code)


def test_files_live_in_their_own_storage_with_no_public_url():
    assert "certificates" in settings.STORAGES
    made = certificate(EnrolmentFactory(status="completed"))
    made.pdf.save("c.pdf", ContentFile(b"%PDF-1.7 test"), save=True)
    from django.core.files.storage import storages

    assert certificate_storage().exists(made.pdf.name)
    assert not storages["default"].exists(made.pdf.name)
    assert made.pdf.name.startswith(f"{datetime.date.today():%Y/%m}/")


def test_production_keeps_certificates_outside_the_public_media():
    from config.settings import base

    location = base.STORAGES["certificates"].get("OPTIONS", {}).get("location", "")
    assert location and not str(location).startswith(str(base.MEDIA_ROOT))

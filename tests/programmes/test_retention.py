"""The inactive-accounts retention policy spares people whose enrolment is under way."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from people.access import AccessRole
from privacy.retention import policies
from tests.factories import ClinicianFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db


def inactive_accounts():
    [policy] = [p for p in policies() if p.name == "inactive_accounts"]
    return policy


@pytest.fixture
def long_gone():
    return timezone.now() - timedelta(days=settings.RETENTION["inactive_account_days"] + 1)


@pytest.mark.parametrize(
    ("status", "kept"),
    [
        ("pending_approval", True),
        ("enrolled", True),
        ("waitlisted", True),
        ("withdrawn", False),
        ("completed", False),
        ("not_completed", False),
    ],
)
def test_an_enrolment_under_way_keeps_an_unused_account(trust_a, long_gone, status, kept):
    person = ClinicianFactory(trust=trust_a, last_login=long_gone, roles=[AccessRole.PARTICIPANT])
    EnrolmentFactory(person=person, status=status)
    due = inactive_accounts().due(timezone.now())
    assert (person not in due) is kept


def test_the_policy_still_applies_to_everyone_else(trust_a, long_gone):
    enrolled = ClinicianFactory(trust=trust_a, last_login=long_gone)
    EnrolmentFactory(person=enrolled, status="waitlisted")
    unused = ClinicianFactory(trust=trust_a, last_login=long_gone)
    policy = inactive_accounts()
    assert list(policy.due(timezone.now())) == [unused]
    assert policy.apply(timezone.now()) == 1
    enrolled.refresh_from_db()
    unused.refresh_from_db()
    assert enrolled.email.endswith("nhs.uk") and not unused.is_active

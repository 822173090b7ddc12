import pytest

from people.access import AccessRole
from tests.factories import CohortFactory, UserFactory, give_totp


@pytest.fixture
def cohort(trust_a):
    """Open for enrolment now, hosted by trust A (whose administrator is the `administrator`
    persona), 20 places, no reservations, no sponsor approval."""
    return CohortFactory(host_trust=trust_a, name="Northshire, spring")


@pytest.fixture
def admin_b(trust_b):
    """Trust B's programme administrator: must get 404 on every cohort trust A hosts."""
    return UserFactory(
        email="admin@southvale.nhs.uk", trust=trust_b, roles=[AccessRole.PROGRAMME_ADMINISTRATOR]
    )


@pytest.fixture
def admin_client(client, administrator):
    """Trust A's programme administrator, signed in to the admin (two-factor set up)."""
    give_totp(administrator)
    client.force_login(administrator)
    return client

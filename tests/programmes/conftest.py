import pytest

from tests.factories import CohortFactory


@pytest.fixture
def cohort(trust_a):
    """Open for enrolment now, hosted by trust A (whose administrator is the `administrator`
    persona), 20 places, no reservations, no sponsor approval."""
    return CohortFactory(host_trust=trust_a, name="Northshire, spring")

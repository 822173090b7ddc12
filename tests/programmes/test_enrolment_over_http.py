"""Enrolment races through the running server: gunicorn (3 workers of 8 threads) on PostgreSQL,
signed-in participants POSTing the enrolment form at the same moment (tests/live_gunicorn.py).

tests/programmes/test_concurrency.py races the service in threads; these add everything a real
request adds around it (sessions, CSRF, the form, the view's own read of an existing enrolment,
the redirect) and real parallelism across processes. As there, the server's seat count is
slowed by the same amount in a test and its control (tests/gunicorn_app.py), so the only
difference between a pass and a caught race is the cohort's row lock.
"""

import pytest

from programmes.models import Enrolment, EnrolmentStatus, Outlook, Relationship
from tests.factories import ClinicianFactory, CohortFactory, TrustFactory, UserFactory
from tests.live_gunicorn import Response, Visitor, post_at_once, serve

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

S = EnrolmentStatus
APPLICANTS = 100
CAPACITY, RESERVED = 20, 8
# Each count that finds 5 or fewer seats left sleeps this long before writing: without the
# lock, every request arriving meanwhile counts the same seats. With it, the whole crowd
# queues behind each of those five (about 2 s in all).
WINDOW_SECONDS, LAST_SEATS = 0.4, 5
SLOW_COUNT = {
    "TANDEM_TEST_SEAT_COUNT_DELAY": str(WINDOW_SECONDS),
    "TANDEM_TEST_SEAT_COUNT_DELAY_WHEN_LEFT": str(LAST_SEATS),
}
ANSWERS = {
    "baseline_relationship": str(Relationship.PARTNERSHIP_WITH_TENSIONS.value),
    "baseline_outlook": str(Outlook.SAME.value),
    "current_role": "Service lead",
    "goals": "Understand how the other half of the board decides.",
}


@pytest.fixture(scope="module")
def module_server(django_db_setup):
    """One server for the module: it only needs the test database to exist; each test
    commits its own data, and the control asks for its requests to go without row locks."""
    with serve(env=SLOW_COUNT) as running:
        yield running


@pytest.fixture
def server(module_server, transactional_db):
    return module_server


def hundred_applicants(trust):
    """60 clinicians and 40 managers, interleaved: each group wants more places than its
    reservation and the open places give it, so the mix decides who gets in."""
    return [
        ClinicianFactory(trust=trust) if i % 5 < 3 else UserFactory(trust=trust)
        for i in range(APPLICANTS)
    ]


def mix_cohort(trust):
    return CohortFactory(
        host_trust=trust,
        capacity=CAPACITY,
        reserved_for_clinicians=RESERVED,
        reserved_for_managers=RESERVED,
    )


def enrol_url(cohort):
    return f"/learn/enrol/{cohort.pk}/"


def visitor_with_the_form(server, person, cohort):
    """``person`` signed in, with the enrolment form (and so its CSRF token) fetched."""
    visitor = Visitor(server, person)
    page = visitor.get(enrol_url(cohort))
    assert page.status == 200, server.log()
    assert visitor.csrf_token
    return visitor


def statuses(outcomes, server):
    failures = [o for o in outcomes if not isinstance(o, Response)]
    assert failures == [], f"{failures[:3]}\n{server.log()}"
    server_errors = [o.status for o in outcomes if o.status >= 500]
    assert server_errors == [], server.log()
    return [o.status for o in outcomes]


def race(server, people, cohort, *, headers=None):
    """Everyone POSTs the form at the same moment, each signed in with their own session."""
    visitors = [Visitor(server, person, headers=headers or {}) for person in people]
    for visitor in visitors:
        visitor.use_csrf_cookie()
    return post_at_once([(v, enrol_url(cohort), ANSWERS) for v in visitors])


def assert_capacity_and_mix_held(cohort, people):
    enrolments = list(Enrolment.objects.filter(cohort=cohort).order_by("pk"))
    # Each person exactly one enrolment, everyone who applied.
    assert sorted(e.person_id for e in enrolments) == sorted(p.pk for p in people)
    seated = [e for e in enrolments if e.status == S.ENROLLED]
    waiting = [e for e in enrolments if e.status == S.WAITLISTED]
    assert len(seated) == CAPACITY  # full, never over
    assert len(waiting) == APPLICANTS - CAPACITY  # everyone else waits
    clinicians = sum(e.is_clinical for e in seated)
    assert RESERVED <= clinicians <= CAPACITY - RESERVED
    assert RESERVED <= CAPACITY - clinicians <= CAPACITY - RESERVED

    # The lock made the requests one queue, in the order their rows were written: replaying
    # that order through the rules gives every decision that was made.
    seats = cohort.seats_from(clinicians=0, managers=0)
    for enrolment in enrolments:
        fits = seats.fits(clinical=enrolment.is_clinical)
        assert enrolment.status == (S.ENROLLED if fits else S.WAITLISTED), enrolment.pk
        if fits:
            seats = seats.seat(clinical=enrolment.is_clinical)
    assert list(Enrolment.objects.filter(cohort=cohort).waitlist()) == waiting


def test_a_hundred_posts_at_once_fill_twenty_places_and_honour_the_mix(server):
    trust = TrustFactory()
    cohort = mix_cohort(trust)
    people = hundred_applicants(trust)

    outcomes = race(server, people, cohort)

    # Every POST enrolled or waitlisted its person and redirected to My learning.
    assert statuses(outcomes, server) == [302] * APPLICANTS
    assert {o.header("Location") for o in outcomes} == {"/learn/"}
    assert_capacity_and_mix_held(cohort, people)


def test_one_persons_ten_parallel_posts_make_one_enrolment(server):
    person = ClinicianFactory()
    # Few enough places that the first request's count is slowed: the other nine queue on
    # the lock behind it.
    cohort = CohortFactory(host_trust=person.trust, capacity=LAST_SEATS)
    visitor = visitor_with_the_form(server, person, cohort)

    outcomes = post_at_once([(visitor, enrol_url(cohort), ANSWERS)] * 10)

    # One enrols; the other nine are refused in words (400, the form page again), not a
    # 500: the service's refusal if they got past the view's own check while the first was
    # still writing, else that check's "You have already applied".
    assert sorted(statuses(outcomes, server)) == [302] + [400] * 9
    refusals = [o.body for o in outcomes if o.status == 400]
    assert all(
        b"You already have a place or an application in this cohort." in body
        or b"You have already applied" in body
        for body in refusals
    )
    assert Enrolment.objects.filter(person=person, cohort=cohort).count() == 1


def test_without_the_cohort_lock_the_server_overbooks_and_the_checks_catch_it(server):
    """The control: the same race, each request served with select_for_update doing nothing
    (tests/gunicorn_app.py). Requests count the same last seats and each writes an
    enrolment: more than 20 are enrolled, and the checks above fail."""
    trust = TrustFactory()
    cohort = mix_cohort(trust)
    people = hundred_applicants(trust)

    outcomes = race(server, people, cohort, headers={"X-Tandem-Test-Without-Row-Locks": "1"})

    assert statuses(outcomes, server) == [302] * APPLICANTS  # nothing failed loudly...
    assert Enrolment.objects.filter(cohort=cohort, status=S.ENROLLED).count() > CAPACITY
    with pytest.raises(AssertionError):
        assert_capacity_and_mix_held(cohort, people)

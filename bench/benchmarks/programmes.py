"""Programmes benchmarks for `make bench`: "My learning" (/learn/) for a participant with 10
enrolments and with 1, to show that its query count does not grow with their enrolments; and
enrolments per second through programmes.services.enrolment_create when 1, 8 and 32 clients
enrol distinct people into the same cohort at once, all queueing on its row lock.

The contention benchmark needs PostgreSQL, where the lock is ``SELECT … FOR UPDATE`` and each
client is a real connection: `DATABASE_URL=postgres://… make bench` runs everything against a
throwaway ``test_<name>_bench`` database on that server. On SQLite (make bench's default) it is
skipped with that reason: SQLite has one writer at a time (BEGIN IMMEDIATE), so there is no
row lock to contend on, and the in-memory test database cannot be shared by threads.
"""

import datetime
import itertools

from bench.runner import benchmark

CLIENT_COUNTS = (1, 8, 32)
CAPACITY, RESERVED = 20, 8  # the cohort: 20 seats, 8 held for each group
WAITING_TEXT = b"on the waiting list."
_registration_numbers = itertools.count(7_000_000)  # unique across every call


def _trust(ods_code: str):
    from people.models import Region, Trust

    return Trust.objects.create(
        name=f"Bench {ods_code} NHS Foundation Trust",
        ods_code=ods_code,
        region=Region.objects.first(),
    )


def _people(trust, count: int, *, prefix: str) -> list:
    """``count`` people of ``trust`` with complete profiles, 3 clinicians in every 5 (both
    groups want more than their share of seats, as in the race tests), in one query."""
    from django.contrib.auth.hashers import make_password

    from people.models import ProfessionalGroup, RegistrationBody, User

    def person(n):
        clinical = n % 5 < 3
        return User(
            email=f"{prefix}.{n}@bench.tandem.example",
            password=make_password(None),
            first_name="Bench",
            last_name=f"Person {n}",
            trust=trust,
            professional_group=(
                ProfessionalGroup.MEDICAL if clinical else ProfessionalGroup.MANAGEMENT
            ),
            job_title="Specialty registrar" if clinical else "Service manager",
            registration_body=RegistrationBody.GMC if clinical else "",
            registration_number=f"{next(_registration_numbers):07d}" if clinical else "",
        )

    return User.objects.bulk_create([person(n) for n in range(count)])


def _cohort(programme, trust, *, name: str, capacity: int = CAPACITY, reserved: int = 0):
    """Published and open for enrolment now."""
    from django.utils import timezone

    from programmes.models import Cohort, CohortStatus

    now = timezone.now()
    starts_on = timezone.localdate() + datetime.timedelta(days=30)
    return Cohort.objects.create(
        programme=programme,
        name=name,
        host_trust=trust,
        starts_on=starts_on,
        ends_on=starts_on + datetime.timedelta(days=180),
        enrolment_opens_at=now - datetime.timedelta(days=7),
        enrolment_closes_at=now + datetime.timedelta(days=14),
        capacity=capacity,
        reserved_for_clinicians=reserved,
        reserved_for_managers=reserved,
        status=CohortStatus.PUBLISHED,
    )


def _enrol(person, cohort):
    from programmes import services

    return services.enrolment_create(person=person, cohort=cohort, by=person)


# --- My learning -------------------------------------------------------------------------------


def _my_learning(ctx, enrolments: int):
    """A participant enrolled in ``enrolments`` cohorts of one place each, through the service;
    in every other one, the first included, somebody took the place first, so they wait
    (number 1): with 1 enrolment or 10, the page has waiting places to look up."""
    from programmes.models import Programme

    trust = _trust("RBL")
    programme = Programme.objects.create(title="Leading Together", slug="bench-leading-together")
    participant, *others = _people(trust, 1 + enrolments, prefix="learner")
    for index in range(enrolments):
        cohort = _cohort(programme, trust, name=f"Cohort {index + 1}", capacity=1)
        if index % 2 == 0:
            _enrol(others[index], cohort)  # the one place is taken: the participant waits
        _enrol(participant, cohort)
    waiting = (enrolments + 1) // 2

    def check(response):
        # A 200 from the wrong page, or without the cards, would be timed happily.
        cards = response.content.count(b'class="enrolment-card"')
        if cards != enrolments or response.content.count(WAITING_TEXT) != waiting:
            raise AssertionError(f"/learn/ showed {cards} enrolments, expected {enrolments}")

    ctx.measure_request(ctx.client(user=participant), "/learn/", check=check)


@benchmark("programmes-my-learning-1", group="programmes")
def my_learning_1(ctx):
    """My learning for a participant with one enrolment, waitlisted."""
    _my_learning(ctx, 1)


@benchmark("programmes-my-learning-10", group="programmes")
def my_learning_10(ctx):
    """My learning for a participant with 10 enrolments, 5 of them waitlisted: the same
    number of queries as with one (enrolments, cohorts, programmes and host trusts are one
    joined query; the waiting places one more)."""
    _my_learning(ctx, 10)


# --- Enrolling under contention -----------------------------------------------------------------


@benchmark("programmes-enrol-contention", group="programmes", atomic=False)
def enrol_contention(ctx):
    """Enrolments per second through enrolment_create with 1, 8 and 32 clients at once, each
    a thread with its own PostgreSQL connection, all enrolling distinct people into one
    cohort (20 seats, 8 held for each group): every call queues on the cohort's row lock.
    Each client count gets a fresh cohort and makes the same number of enrolments, 32 x
    repeat/8 (192 by default); the first 20 are seated, the rest waitlisted, as in a rush
    for a popular cohort. The figure to read is the ratio to 1 client: the lock serialises
    the seat decisions, so more clients wait longer rather than enrol faster."""
    if ctx.connection.vendor != "postgresql":
        ctx.skip(
            "needs PostgreSQL (the cohort's row lock, one connection per client): run "
            "`DATABASE_URL=postgres://user@host:5432/name make bench`. On SQLite writers "
            "already take turns (BEGIN IMMEDIATE), so there is no row lock to contend on."
        )
    from people.models import User
    from programmes.models import Cohort, Enrolment, EnrolmentEvent, Programme

    total = max(CLIENT_COUNTS) * max(1, ctx.repeat // 8)
    warmup = 1  # one untimed enrolment per client: its connection, its first queries
    trust = _trust("RBC")
    programme = Programme.objects.create(title="Bench contention", slug="bench-contention")
    people_ids: list[int] = []
    try:
        for clients in CLIENT_COUNTS:
            calls = total // clients
            per_client = warmup + calls
            cohort = _cohort(
                programme, trust, name=f"{clients} clients", capacity=CAPACITY, reserved=RESERVED
            )
            people = _people(trust, clients * per_client, prefix=f"rush{clients}")
            people_ids += [p.pk for p in people]

            def enrol(client, n, people=people, cohort=cohort, per_client=per_client):
                _enrol(people[client * per_client + n], cohort)

            ctx.measure_concurrently(
                enrol,
                clients=clients,
                calls=calls,
                warmup=warmup,
                label=f"{clients}-client{'s' if clients > 1 else ''}",
            )
            seated = Enrolment.objects.filter(cohort=cohort).seated().count()
            if seated != CAPACITY:  # a figure from a broken run would be no figure at all
                raise AssertionError(f"{clients} clients seated {seated}, not {CAPACITY}")
    finally:
        # Committed (atomic=False): remove it all, so later benchmarks start as they would.
        EnrolmentEvent.objects.filter(enrolment__cohort__programme=programme).delete()
        Enrolment.objects.filter(cohort__programme=programme).delete()
        Cohort.objects.filter(programme=programme).delete()
        User.objects.filter(pk__in=people_ids).delete()
        programme.delete()
        trust.delete()

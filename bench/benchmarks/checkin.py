"""Self check-in benchmarks for `make bench`: check-ins per second at a session's door.

- ``programmes-checkin-page``: POST /learn/check-in/ through the whole Django stack (the test
  client: middleware, sign-in, CSRF, the form, the service, the template), each request a
  different participant checking in to the one open session, as a queue at the door does.
  One client, so requests per second is 1000 / the median.
- ``programmes-checkin-contention``: check-ins per second through programmes.services.checkin
  when 1, 8 and 32 participants check in to the same session at once, each a thread with its
  own PostgreSQL connection. Every check-in takes the session's row lock (FOR NO KEY UPDATE, so
  a register save and a check-in of the same person cannot both insert their mark), so the
  check-ins of one session are put in a queue; the figure to read is how the rate holds up
  against 1 client. Skipped on SQLite, which has one writer at a time anyway.

Under `make bench`'s settings (config.settings.test) Celery tasks run eagerly: when the
contention benchmark's check-ins commit, the outbox runs each one's re-evaluation
(attendance_changed) in-process too, which a production web process leaves to a worker.

Neither goes through a running server (gunicorn): `manage.py bench_http` serves anonymous GETs
only, and a check-in needs a signed-in session and a CSRF token per person (README, "Self
check-in and the live view").
"""

import datetime

from bench.runner import benchmark

from .programmes import _cohort, _people, _trust

CLIENT_COUNTS = (1, 8, 32)
CHECKED_IN = b"checked in to Bench workshop"  # (the apostrophe before it is escaped)


def _open_session(cohort, *, code: str):
    """A session of ``cohort`` that started five minutes ago: check-in is open."""
    from django.utils import timezone

    from programmes.models import Session

    now = timezone.now()
    return Session.objects.create(
        cohort=cohort,
        title="Bench workshop",
        kind="workshop",
        starts_at=now - datetime.timedelta(minutes=5),
        ends_at=now + datetime.timedelta(hours=3),
        place="Bench room",
        checkin_code=code,
    )


def _enrol_all(people, cohort):
    """Seated directly (bulk): the benchmark is of check-in, not of enrolling."""
    from django.utils import timezone

    from programmes.models import Enrolment, EnrolmentStatus

    seated = timezone.now() - datetime.timedelta(days=30)
    Enrolment.objects.bulk_create(
        Enrolment(
            person=person,
            cohort=cohort,
            status=EnrolmentStatus.ENROLLED,
            trust=person.trust,
            professional_group=person.professional_group,
            seated_at=seated,
        )
        for person in people
    )


@benchmark("programmes-checkin-page", group="programmes")
def checkin_page(ctx):
    """POST /learn/check-in/, a different participant each time, all to one open session."""
    from programmes.models import Attendance, Programme

    trust = _trust("RBK")
    programme = Programme.objects.create(title="Bench check-in", slug="bench-checkin")
    cohort = _cohort(programme, trust, name="Check-in cohort", capacity=500)
    session = _open_session(cohort, code="BENCH1")
    people = _people(trust, ctx.warmup + ctx.repeat, prefix="door")
    _enrol_all(people, cohort)
    # Signed in beforehand: the queue at the door is of people already signed in on their
    # phones. A client each, so every request is another person's first check-in.
    clients = iter([ctx.client(user=person) for person in people])

    def check_in():
        response = next(clients).post("/learn/check-in/", {"code": "bench-1"})
        if response.status_code != 200 or CHECKED_IN not in response.content:
            raise AssertionError(f"check-in answered {response.status_code} without the news")

    ctx.measure(check_in)
    checked_in = Attendance.objects.filter(session=session).count()
    if checked_in != len(people):
        raise AssertionError(f"{checked_in} check-ins recorded for {len(people)} requests")


@benchmark("programmes-checkin-contention", group="programmes", atomic=False)
def checkin_contention(ctx):
    """Check-ins per second through programmes.services.checkin with 1, 8 and 32 participants
    checking in to one session at once (each a thread on its own PostgreSQL connection): the
    session's row lock puts them in a queue. Each client count gets its own session and the
    same number of check-ins, 32 x repeat/8 (192 by default)."""
    if ctx.connection.vendor != "postgresql":
        ctx.skip(
            "needs PostgreSQL (the session's row lock, one connection per client): run "
            "`DATABASE_URL=postgres://user@host:5432/name make bench`. On SQLite writers "
            "already take turns (BEGIN IMMEDIATE), so there is no row lock to contend on."
        )
    from outbox.models import OutboxMessage
    from people.models import User
    from programmes import services
    from programmes.models import Attendance, Cohort, Enrolment, Programme, Session

    total = max(CLIENT_COUNTS) * max(1, ctx.repeat // 8)
    warmup = 1
    last_outbox = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    trust = _trust("RBQ")
    programme = Programme.objects.create(title="Bench check-in rush", slug="bench-checkin-rush")
    people_ids: list[int] = []
    try:
        for index, clients in enumerate(CLIENT_COUNTS):
            calls = total // clients
            per_client = warmup + calls
            cohort = _cohort(programme, trust, name=f"{clients} at the door", capacity=1000)
            code = f"RXSH{index:02d}"  # letters of the code alphabet (no U)
            session = _open_session(cohort, code=code)
            people = _people(trust, clients * per_client, prefix=f"door{clients}")
            people_ids += [p.pk for p in people]
            _enrol_all(people, cohort)

            def check_in(client, n, people=people, per_client=per_client, code=code):
                services.checkin(person=people[client * per_client + n], code=code)

            ctx.measure_concurrently(
                check_in,
                clients=clients,
                calls=calls,
                warmup=warmup,
                label=f"{clients}-client{'s' if clients > 1 else ''}",
            )
            recorded = Attendance.objects.filter(session=session).count()
            if recorded != len(people):  # a figure from a broken run would be no figure at all
                raise AssertionError(f"{clients} clients recorded {recorded} of {len(people)}")
    finally:
        # Committed (atomic=False): remove it all, so later benchmarks start as they would.
        OutboxMessage.objects.filter(pk__gt=last_outbox).delete()
        Attendance.objects.filter(session__cohort__programme=programme).delete()
        Session.objects.filter(cohort__programme=programme).delete()
        Enrolment.objects.filter(cohort__programme=programme).delete()
        Cohort.objects.filter(programme=programme).delete()
        User.objects.filter(pk__in=people_ids).delete()
        programme.delete()
        trust.delete()

"""Attendance benchmarks for `make bench`: a cohort's attendance page (the matrix of everyone
on its registers against its 10 sessions, /learn/facilitate/cohorts/<id>/attendance/) for 200
people and for 20, to show that its query count does not grow with the people; and
programmes.services.completion_evaluate over the same cohorts, timed with its queries.

The data: 10 sessions, the first 8 held (ended before now) and 2 to come; each person
marked at each held session, mostly present, with some late, left early, absent and excused,
and one session in ten left unmarked; a person in ten got their place after the first
session ended (so it is not expected of them). Written with bulk_create: the benchmark
times the reads, not the set-up.
"""

import datetime

from bench.runner import benchmark

from .programmes import _cohort, _people, _trust

SESSIONS, HELD = 10, 8
# The pattern of marks over people x sessions; None: not marked.
MARK_CYCLE = ("present", "present", "late", "present", "absent", "present", "excused",
              "present", "left_early", None)  # fmt: skip


def _attendance_cohort(people: int, *, ods_code: str):
    """A cohort of ``people`` seated participants with 10 sessions and their marks; returns
    (cohort, its host trust)."""
    from django.utils import timezone

    from programmes.models import Attendance, Enrolment, Programme, Session

    now = timezone.now()
    trust = _trust(ods_code)
    programme = Programme.objects.create(
        title=f"Bench attendance {people}",
        slug=f"bench-attendance-{people}",
        min_attendance_percent=90,
    )
    cohort = _cohort(programme, trust, name=f"{people} people", capacity=people)
    first_start = now - datetime.timedelta(days=7 * HELD)
    sessions = [
        Session.objects.create(
            cohort=cohort,
            title=f"Workshop {n + 1}",
            kind="workshop",
            starts_at=first_start + datetime.timedelta(days=7 * n),
            ends_at=first_start + datetime.timedelta(days=7 * n, hours=3),
            place="Education Centre, Seminar Room 2",
        )
        for n in range(SESSIONS)
    ]
    long_ago = now - datetime.timedelta(days=365)
    late = sessions[0].ends_at + datetime.timedelta(hours=1)
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(
            person=person,
            cohort=cohort,
            status="enrolled",
            trust=trust,
            professional_group=person.professional_group,
            seated_at=late if n % 10 == 9 else long_ago,
        )
        for n, person in enumerate(_people(trust, people, prefix=f"attendee{people}"))
    )
    Attendance.objects.bulk_create(
        Attendance(session=session, enrolment=enrolment, mark=mark, source="register")
        for n, enrolment in enumerate(enrolments)
        for s, session in enumerate(sessions[:HELD])
        if (mark := MARK_CYCLE[(n + s) % len(MARK_CYCLE)]) is not None and (s > 0 or n % 10 != 9)
    )
    return cohort, trust


def _administrator(trust):
    """The host trust's programme administrator, with an authenticator app (staff pages ask
    for one)."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from people.access import AccessRole
    from people.services import access_grant_create

    [admin] = _people(trust, 1, prefix=f"admin.{trust.ods_code.lower()}")
    access_grant_create(person=admin, role=AccessRole.PROGRAMME_ADMINISTRATOR, trust=trust, by=None)
    TOTP.activate(admin, generate_totp_secret())
    return admin


def _cohort_attendance(ctx, people: int, ods_code: str):
    cohort, trust = _attendance_cohort(people, ods_code=ods_code)
    rows = f"Attendance of each of the {people} people".encode()

    def check(response):
        # A 200 from the wrong page, or with the rows missing, would be timed happily.
        if rows not in response.content or response.content.count(b'<th scope="row"') < people:
            raise AssertionError(f"the attendance page did not show {people} people")

    ctx.measure_request(
        ctx.client(user=_administrator(trust)),
        f"/learn/facilitate/cohorts/{cohort.pk}/attendance/",
        check=check,
    )


@benchmark("cohort-attendance-200", group="attendance")
def cohort_attendance_200(ctx):
    """The attendance page of a 200-person cohort with 10 sessions (1,800-odd marks): the
    sessions, the people and the marks are three queries, whatever the number of people."""
    _cohort_attendance(ctx, 200, "RBA")


@benchmark("cohort-attendance-20", group="attendance")
def cohort_attendance_20(ctx):
    """The same page for 20 people: as many queries as for 200."""
    _cohort_attendance(ctx, 20, "RBB")


def _completion_evaluate(ctx, people: int, ods_code: str):
    """completion_evaluate over the whole cohort. The programme asks for 90% attendance,
    counting the 2 sessions still to come, which nobody can have yet: every call evaluates
    and stores everyone's results and completes no one, so each repeat does the same work."""
    from programmes.models import CompletionResult, Enrolment, EnrolmentStatus
    from programmes.services import completion_evaluate

    cohort, _trust = _attendance_cohort(people, ods_code=ods_code)

    def evaluate():
        run = completion_evaluate(cohort_id=cohort.pk)
        if run.evaluated != people or run.completed:
            raise AssertionError(f"evaluated {run.evaluated} of {people}, completed some")

    ctx.measure(evaluate)
    enrolled = Enrolment.objects.filter(cohort=cohort, status=EnrolmentStatus.ENROLLED).count()
    stored = CompletionResult.objects.filter(enrolment__cohort=cohort).count()
    if enrolled != people or stored != people:  # a figure from a broken run is no figure
        raise AssertionError(f"{enrolled} still enrolled, {stored} results, of {people}")


@benchmark("completion-evaluate-200", group="attendance")
def completion_evaluate_200(ctx):
    """programmes.services.completion_evaluate for a 200-person cohort with 10 sessions and
    their marks: its reads and the storing of everyone's results are a fixed number of
    queries (compare the 20-person figure), but for bulk_update's batches (SQLite takes few
    parameters a query: 200 results are two batches there)."""
    _completion_evaluate(ctx, 200, "RBE")


@benchmark("completion-evaluate-20", group="attendance")
def completion_evaluate_20(ctx):
    """completion_evaluate for 20 people, otherwise the same."""
    _completion_evaluate(ctx, 20, "RBF")
